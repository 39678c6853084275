/*
 * tei.c - reads TRACE_EVENT_INFO and EVENT_MAP_INFO blobs into the schema model.
 *
 * DESIGN: the schema model mirrors TRACE_EVENT_INFO's flat property array,
 * so parsing is a translation property by property, plus the checks that
 * make the result safe to interpret: struct member ranges lie inside the
 * array and after their struct (which also rules out cycles), no property
 * belongs to two structs, nesting is bounded, and count and length
 * references name an earlier integer field in scope. The decoder's plan
 * compiler checks again; the checks here give a precise error at the
 * source instead of a plan that fails later.
 */
#include "decode/tei.h"

#include "decode/manifest_internal.h"

#include "util/bytes.h"
#include "util/error.h"
#include "util/utf16.h"

#include <stdlib.h>
#include <string.h>

#define NONE 0xFFFF

int ef_tei_header(const void *blob, size_t len, struct ef_tei_header *h)
{
    const uint8_t *b = blob;

    if (len < EF_TEI_HEADER_SIZE)
        return EF_ETRUNC;
    ef_guid_read(b, &h->provider);
    ef_guid_read(b + 16, &h->event_guid);
    h->id = ef_le16(b + 32);
    h->version = b[34];
    h->channel = b[35];
    h->level = b[36];
    h->opcode = b[37];
    h->task = ef_le16(b + 38);
    h->keywords = ef_le64(b + 40);
    h->decoding_source = ef_le32(b + 48);
    h->property_count = ef_le32(b + 100);
    h->top_count = ef_le32(b + 104);
    return 0;
}

/*
 * Reads the NUL-terminated UTF-16LE string at off into UTF-8 in the arena.
 * Offset 0 means "none" (*out = NULL). trim drops trailing spaces, which
 * TDH appends to names taken from message tables.
 */
static int read_str(const uint8_t *b, size_t len, uint32_t off, struct ef_arena *a, int trim,
                    const char **out)
{
    size_t units = 0, max, n;
    char *s;

    *out = NULL;
    if (off == 0)
        return 0;
    if (off >= len)
        return EF_EFORMAT;
    max = (len - off) / 2;
    while (units < max && ef_le16(b + off + units * 2) != 0)
        units++;
    if (units == max)
        return EF_ETRUNC; /* no terminator inside the blob */
    s = ef_arena_alloc(a, EF_UTF8_MAX_FOR_UTF16(units * 2) + 1);
    if (!s)
        return EF_ENOMEM;
    ef_utf16le_to_utf8(b + off, units * 2, 0, s, EF_UTF8_MAX_FOR_UTF16(units * 2) + 1, &n, NULL);
    while (trim && n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
    *out = s;
    return 0;
}

static int is_integer(uint16_t in)
{
    return (in >= EF_IN_INT8 && in <= EF_IN_UINT64) || in == EF_IN_HEXINT32 || in == EF_IN_HEXINT64;
}

/* Types whose `length` counts characters or bytes rather than restating a fixed size. */
static int takes_length(uint16_t in)
{
    switch (in) {
    case EF_IN_UNICODESTRING:
    case EF_IN_ANSISTRING:
    case EF_IN_BINARY:
    case EF_IN_NONNULLTERMINATEDSTRING:
    case EF_IN_NONNULLTERMINATEDANSISTRING:
    case EF_IN_HEXDUMP:
        return 1;
    default:
        return 0;
    }
}

/* Per-property facts the reference checks need. */
struct scope {
    uint16_t *parent; /* containing struct, NONE for top level or orphans */
    uint16_t *top;    /* the top-level ancestor (itself when top level) */
};

/* Is field k a value that field i may take its count or length from? */
static int ref_ok(const struct ef_field *f, const struct scope *sc, uint16_t n, uint16_t i,
                  uint16_t k)
{
    if (k >= n || k == i)
        return 0;
    if (f[k].flags & (EF_FIELD_STRUCT | EF_FIELD_COUNT_FIXED | EF_FIELD_COUNT_REF |
                      EF_FIELD_COUNT_PREFIX | EF_FIELD_ARRAY_UNBOUNDED))
        return 0;
    if (!is_integer(f[k].intype))
        return 0;
    if (sc->parent[k] == sc->parent[i] && k < i)
        return 1; /* an earlier sibling (or an earlier top-level field) */
    /* A member may use a top-level field read before its top-level ancestor. */
    return sc->parent[k] == NONE && k < sc->top[i];
}

/* Translates one EVENT_PROPERTY_INFO; structure checks come after. */
static int read_property(const uint8_t *b, size_t len, uint32_t i, struct ef_arena *a,
                         const struct ef_tei_env *env, const struct ef_guid *provider,
                         struct ef_field *f)
{
    const uint8_t *p = b + EF_TEI_HEADER_SIZE + (size_t)i * EF_TEI_PROPERTY_SIZE;
    uint32_t flags = ef_le32(p);
    uint16_t count = ef_le16(p + 16), length = ef_le16(p + 18);
    const char *map_name;
    int rc;

    if ((rc = read_str(b, len, ef_le32(p + 4), a, 0, &f->name)) < 0)
        return rc;
    if (!f->name)
        return EF_EFORMAT; /* every property has a name */
    if (flags & EF_TEI_PROP_STRUCT) {
        f->flags |= EF_FIELD_STRUCT;
        f->struct_first = ef_le16(p + 8);
        f->struct_count = ef_le16(p + 10);
    } else {
        f->intype = ef_le16(p + 8);
        f->outtype = ef_le16(p + 10);
        if (!(flags & EF_TEI_PROP_HAS_CUSTOM_SCHEMA)) {
            /* MapNameOffset; with a custom schema the slot is its offset instead. */
            if ((rc = read_str(b, len, ef_le32(p + 12), a, 0, &map_name)) < 0)
                return rc;
            if (map_name && env && env->find_map)
                f->map = env->find_map(env->ctx, provider, map_name);
        }
    }
    if (flags & EF_TEI_PROP_PARAM_COUNT) {
        f->flags |= EF_FIELD_COUNT_REF;
        f->count_ref = count;
    } else if ((flags & EF_TEI_PROP_PARAM_FIXED_COUNT) || count > 1) {
        f->flags |= EF_FIELD_COUNT_FIXED;
        f->count = count;
    }
    if (flags & EF_TEI_PROP_PARAM_LENGTH) {
        f->flags |= EF_FIELD_LENGTH_REF;
        f->length_ref = length;
    } else if (!(flags & EF_TEI_PROP_STRUCT) && ((flags & EF_TEI_PROP_PARAM_FIXED_LENGTH) ||
                                                 (length > 0 && takes_length(f->intype)))) {
        f->flags |= EF_FIELD_LENGTH_FIXED;
        f->length = length;
    }
    return 0;
}

/* Checks struct ranges, membership, depth and references; fills sc. */
static int check_structure(const struct ef_field *f, uint16_t n, uint16_t top, struct scope *sc)
{
    uint8_t *depth;
    uint16_t i, m;
    int rc = 0;

    depth = calloc(n ? n : 1, 1);
    if (!depth)
        return EF_ENOMEM;
    for (i = 0; i < n; i++)
        sc->parent[i] = NONE;
    for (i = 0; i < n; i++) {
        sc->top[i] = sc->parent[i] == NONE ? i : sc->top[sc->parent[i]];
        if (!(f[i].flags & EF_FIELD_STRUCT))
            continue;
        /* Members after their struct and after every top-level field: no cycles. */
        if (f[i].struct_first <= i || f[i].struct_first < top ||
            (uint32_t)f[i].struct_first + f[i].struct_count > n) {
            rc = EF_EFORMAT;
            goto out;
        }
        if (f[i].struct_count && depth[i] + 1 > EF_TEI_MAX_DEPTH) {
            rc = EF_EFORMAT;
            goto out;
        }
        for (m = f[i].struct_first; m < f[i].struct_first + f[i].struct_count; m++) {
            if (sc->parent[m] != NONE) {
                rc = EF_EFORMAT; /* one property in two structs */
                goto out;
            }
            sc->parent[m] = i;
            depth[m] = (uint8_t)(depth[i] + 1);
        }
    }
    for (i = 0; i < n; i++) {
        if (((f[i].flags & EF_FIELD_COUNT_REF) && !ref_ok(f, sc, n, i, f[i].count_ref)) ||
            ((f[i].flags & EF_FIELD_LENGTH_REF) && !ref_ok(f, sc, n, i, f[i].length_ref))) {
            rc = EF_EFORMAT;
            goto out;
        }
    }
out:
    free(depth);
    return rc;
}

/*
 * TDH hands out the winmeta names of standard levels, opcodes and channels
 * as the manifest spells them ("win:Informational", "win:Info"). The
 * manifest source shows their display names ("Information", "Info"), so the
 * same event renders the same names whichever source described it: a known
 * standard name becomes its display name, any other "win:" name loses the
 * prefix. The replacements are static strings; the arena copy stays unused.
 */
static void std_name(const char **name, const struct mf_std *(*find)(const char *))
{
    const struct mf_std *std;

    if (!*name || strncmp(*name, "win:", 4) != 0)
        return;
    std = find ? find(*name) : NULL;
    *name = std ? std->text : *name + 4;
}

/* Fills the schema's names and descriptor from the header part of the blob. */
static int read_names(const uint8_t *b, size_t len, const struct ef_tei_header *h,
                      struct ef_arena *a, const struct ef_tei_env *env, struct ef_schema *s)
{
    const char *provider_name;
    struct ef_provider_info *pi;
    int rc;

    if ((rc = read_str(b, len, ef_le32(b + 52), a, 1, &provider_name)) < 0 ||
        (rc = read_str(b, len, ef_le32(b + 56), a, 1, &s->level_name)) < 0 ||
        (rc = read_str(b, len, ef_le32(b + 60), a, 1, &s->channel_name)) < 0 ||
        (rc = read_str(b, len, ef_le32(b + 68), a, 1, &s->task_name)) < 0 ||
        (rc = read_str(b, len, ef_le32(b + 72), a, 1, &s->opcode_name)) < 0 ||
        (rc = read_str(b, len, ef_le32(b + 76), a, 0, &s->message)) < 0)
        return rc;
    std_name(&s->level_name, ef_mf_std_level);
    std_name(&s->opcode_name, ef_mf_std_opcode);
    std_name(&s->channel_name, ef_mf_std_channel);
    std_name(&s->task_name, NULL);
    /* Offset 92 is EventNameOffset, except for MOF where it names the activity id. */
    if (h->decoding_source != EF_TEI_DS_WBEM) {
        if ((rc = read_str(b, len, ef_le32(b + 92), a, 1, &s->event_name)) < 0)
            return rc;
    } else {
        s->event_name = s->task_name; /* the MOF class */
    }
    if (env && env->provider) {
        s->provider = env->provider(env->ctx, &h->provider, provider_name);
    } else {
        pi = ef_arena_alloc(a, sizeof(*pi));
        if (pi) {
            pi->guid = h->provider;
            pi->name = provider_name;
        }
        s->provider = pi;
    }
    if (!s->provider)
        return EF_ENOMEM;
    s->id = h->id;
    s->version = h->version;
    s->channel = h->channel;
    s->level = h->level;
    s->opcode = h->opcode;
    s->task = h->task;
    s->keywords = h->keywords;
    return 0;
}

int ef_tei_parse(const void *blob, size_t len, struct ef_arena *a, const struct ef_tei_env *env,
                 const struct ef_schema **out)
{
    const uint8_t *b = blob;
    struct ef_tei_header h;
    struct ef_schema *s;
    struct ef_field *fields = NULL;
    struct scope sc = {NULL, NULL};
    uint16_t n, i;
    int rc;

    if ((rc = ef_tei_header(blob, len, &h)) < 0)
        return rc;
    if (h.property_count > NONE - 1 || h.top_count > h.property_count)
        return EF_EFORMAT;
    n = (uint16_t)h.property_count;
    if ((size_t)n * EF_TEI_PROPERTY_SIZE > len - EF_TEI_HEADER_SIZE)
        return EF_ETRUNC;
    s = ef_arena_alloc(a, sizeof(*s));
    if (n)
        fields = ef_arena_alloc(a, (size_t)n * sizeof(*fields));
    sc.parent = malloc(((size_t)n + 1) * sizeof(uint16_t));
    sc.top = malloc(((size_t)n + 1) * sizeof(uint16_t));
    if (!s || (n && !fields) || !sc.parent || !sc.top) {
        rc = EF_ENOMEM;
        goto out;
    }
    if ((rc = read_names(b, len, &h, a, env, s)) < 0)
        goto out;
    for (i = 0; i < n; i++) {
        if ((rc = read_property(b, len, i, a, env, &h.provider, &fields[i])) < 0)
            goto out;
    }
    if ((rc = check_structure(fields, n, (uint16_t)h.top_count, &sc)) < 0)
        goto out;
    s->source = EF_SCHEMA_EMBEDDED_TEI;
    s->fields = fields;
    s->field_count = n;
    s->top_count = (uint16_t)h.top_count;
    *out = s;
out:
    free(sc.parent);
    free(sc.top);
    return rc;
}

/* Reads a map entry's string input as a number (pattern and WBEM string maps). */
static int input_value(const uint8_t *b, size_t len, uint32_t off, struct ef_arena *a, uint32_t *v)
{
    const char *s;
    char *end;
    unsigned long x;

    if (read_str(b, len, off, a, 1, &s) < 0 || !s || !*s)
        return 0;
    x = strtoul(s, &end, 0);
    if (*end != '\0' || x > UINT32_MAX)
        return 0;
    *v = (uint32_t)x;
    return 1;
}

static int cmp_entry(const void *x, const void *y)
{
    const struct ef_map_entry *l = x, *r = y;

    return (l->value > r->value) - (l->value < r->value);
}

int ef_tei_parse_map(const void *blob, size_t len, struct ef_arena *a, const struct ef_map **out)
{
    const uint8_t *b = blob, *e;
    struct ef_map *m;
    struct ef_map_entry *entries;
    uint32_t flag, count, type, i, k = 0;
    int rc, strings;

    if (len < EF_TEI_MAP_HEADER_SIZE)
        return EF_ETRUNC;
    flag = ef_le32(b + 4);
    count = ef_le32(b + 8);
    type = ef_le32(b + 12);
    if (count > (len - EF_TEI_MAP_HEADER_SIZE) / EF_TEI_MAP_ENTRY_SIZE)
        return EF_ETRUNC;
    m = ef_arena_alloc(a, sizeof(*m));
    entries = ef_arena_alloc(a, (size_t)(count ? count : 1) * sizeof(*entries));
    if (!m || !entries)
        return EF_ENOMEM;
    if ((rc = read_str(b, len, ef_le32(b), a, 1, &m->name)) < 0)
        return rc;
    /* Pattern maps keep a format string in the type slot; their inputs are strings. */
    strings = (flag & EF_TEI_MAP_MANIFEST_PATTERNMAP) || type == 1;
    for (i = 0; i < count; i++) {
        e = b + EF_TEI_MAP_HEADER_SIZE + (size_t)i * EF_TEI_MAP_ENTRY_SIZE;
        if ((rc = read_str(b, len, ef_le32(e), a, 1, &entries[k].name)) < 0)
            return rc;
        if (!entries[k].name)
            continue;
        if (flag & EF_TEI_MAP_WBEM_NO_MAP)
            entries[k].value = i;
        else if (!strings)
            entries[k].value = ef_le32(e + 4);
        else if (!input_value(b, len, ef_le32(e + 4), a, &entries[k].value))
            continue;
        k++;
    }
    if (flag & (EF_TEI_MAP_MANIFEST_BITMAP | EF_TEI_MAP_WBEM_BITMAP | EF_TEI_MAP_WBEM_FLAG)) {
        m->kind = EF_MAP_BITMAP;
    } else {
        m->kind = (flag & EF_TEI_MAP_MANIFEST_PATTERNMAP) ? EF_MAP_PATTERN : EF_MAP_VALUE;
        qsort(entries, k, sizeof(*entries), cmp_entry);
    }
    m->count = k;
    m->entries = entries;
    *out = m;
    return 0;
}

/*
 * mof_build.c - kernel MOF classes to ef_schema values.
 *
 * An event-type class (one with an EventType qualifier) derives from a
 * group class that carries the Guid (and EventVersion); it becomes one
 * schema per event type it lists. Its WmiDataId properties, in WmiDataId
 * order, are the fields; their MOF type and qualifiers (pointer, format,
 * extension, StringTermination, arrays, ValueMap/Values) give the TDH
 * InType/OutType the way TDH itself maps them (docs/schemas.md has the
 * table). Pointer-sized fields use EF_IN_POINTER/EF_IN_SIZET so the decoder
 * reads them by the record's pointer size.
 */
#include "decode/mof_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode/hex_outtype.h"
#include "util/error.h"
#include "util/guid.h"

#define MAX_CHAIN 32

struct mb {
    const char *path;
    struct mof_class *fresh;
    const struct mof_class *known;
    struct ef_arena *a;
    struct ef_buf *err;
    /* One provider info per group class. */
    const struct mof_class **groups;
    struct ef_provider_info **infos;
    uint32_t ngroups, capgroups;
};

static int mfail(struct mb *b, unsigned line, const char *what, const char *name)
{
    if (b->err)
        ef_buf_appendf(b->err, "%s:%u: %s%s%s%s", b->path, line, what, name ? " '" : "",
                       name ? name : "", name ? "'" : "");
    return EF_EFORMAT;
}

static int moom(struct mb *b, unsigned line)
{
    if (b->err)
        ef_buf_appendf(b->err, "%s:%u: out of memory (MOF too large)", b->path, line);
    return EF_ENOMEM;
}

static const char *qual_str(const struct mof_qual *q, const char *name)
{
    q = ef_mof_qual(q, name);
    return q && q->count && q->vals[0].s ? q->vals[0].s : NULL;
}

static const struct mof_class *find_class(const struct mb *b, const char *name)
{
    const struct mof_class *c;

    for (c = b->fresh; c; c = c->next) {
        if (strcasecmp(c->name, name) == 0)
            return c;
    }
    for (c = b->known; c; c = c->next) {
        if (strcasecmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

/* WMI's own base classes: event classes derive from them, no MOF defines them. */
static int is_builtin_root(const char *name)
{
    return strcasecmp(name, "EventTrace") == 0 || strcasecmp(name, "__ExtrinsicEvent") == 0 ||
           strcasecmp(name, "__Event") == 0;
}

static const struct mof_class *base_of(const struct mb *b, const struct mof_class *c)
{
    return c->base && !is_builtin_root(c->base) ? find_class(b, c->base) : NULL;
}

static int parse_guid(const char *s, struct ef_guid *g)
{
    return s ? ef_guid_parse(s, strlen(s), g) : EF_EFORMAT;
}

/* Checks names and bases of the fresh classes: duplicates, unknown bases, cycles. */
static int check_classes(struct mb *b)
{
    const struct mof_class *c, *d, *k;
    struct ef_guid g;
    int depth;

    for (c = b->fresh; c; c = c->next) {
        for (d = b->fresh; d != c; d = d->next) {
            if (strcasecmp(c->name, d->name) == 0)
                return mfail(b, c->line, "class defined twice", c->name);
        }
        for (k = b->known; k; k = k->next) {
            if (strcasecmp(c->name, k->name) == 0)
                return mfail(b, c->line, "class already defined by an earlier file", c->name);
        }
        if (c->base && !is_builtin_root(c->base) && !find_class(b, c->base))
            return mfail(b, c->line, "unknown base class", c->base);
        for (d = c, depth = 0; d; d = base_of(b, d)) {
            if (++depth > MAX_CHAIN)
                return mfail(b, c->line, "inheritance cycle or chain too deep", c->name);
        }
        if (ef_mof_qual(c->quals, "Guid") && parse_guid(qual_str(c->quals, "Guid"), &g) < 0)
            return mfail(b, c->line, "bad Guid qualifier in class", c->name);
    }
    return 0;
}

static const struct mof_class *group_of(const struct mb *b, const struct mof_class *c)
{
    for (; c; c = base_of(b, c)) {
        if (ef_mof_qual(c->quals, "Guid"))
            return c;
    }
    return NULL;
}

static int qual_number(const struct mof_qual *q, uint64_t *out)
{
    if (!q || q->count != 1 || q->vals[0].s || q->vals[0].negative)
        return EF_EFORMAT;
    *out = q->vals[0].n;
    return 0;
}

/*
 * The version of a group: its EventVersion, else (the latest version has
 * none) one more than the highest EventVersion of the same GUID. *stated
 * says whether the class said it: only then is a record of a higher version
 * known to have a newer layout (docs/schemas.md, "version fallback").
 */
static int group_version(const struct mb *b, const struct mof_class *c, const struct mof_class *g,
                         uint8_t *out, int *stated)
{
    const struct mof_class *lists[2] = {b->fresh, b->known}, *o;
    struct ef_guid gg, og;
    uint64_t v, max = 0;
    int any = 0, i;

    for (o = c; o; o = o == g ? NULL : base_of(b, o)) {
        const struct mof_qual *q = ef_mof_qual(o->quals, "EventVersion");

        if (q) {
            if (qual_number(q, &v) < 0 || v > UINT8_MAX)
                return mfail((struct mb *)b, o->line, "bad EventVersion in class", o->name);
            *out = (uint8_t)v;
            *stated = 1;
            return 0;
        }
    }
    *stated = 0;
    parse_guid(qual_str(g->quals, "Guid"), &gg);
    for (i = 0; i < 2; i++) {
        for (o = lists[i]; o; o = o->next) {
            const struct mof_qual *q = ef_mof_qual(o->quals, "EventVersion");

            if (!q || parse_guid(qual_str(o->quals, "Guid"), &og) < 0 || !ef_guid_equal(&og, &gg) ||
                qual_number(q, &v) < 0)
                continue;
            if (!any || v > max)
                max = v;
            any = 1;
        }
    }
    if (any && max >= UINT8_MAX)
        return mfail((struct mb *)b, g->line, "EventVersion too large in class", g->name);
    *out = any ? (uint8_t)(max + 1) : 0;
    return 0;
}

static int provider_for(struct mb *b, const struct mof_class *g, struct ef_provider_info **out)
{
    const struct mof_class *root = g, *o;
    struct ef_provider_info *pi;
    uint32_t i;
    void *grown;

    for (i = 0; i < b->ngroups; i++) {
        if (b->groups[i] == g) {
            *out = b->infos[i];
            return 0;
        }
    }
    if (b->ngroups == b->capgroups) {
        b->capgroups = b->capgroups ? b->capgroups * 2 : 32;
        grown = ef_arena_alloc(b->a, b->capgroups * sizeof(*b->groups));
        if (!grown)
            return moom(b, g->line);
        if (b->ngroups)
            memcpy(grown, b->groups, b->ngroups * sizeof(*b->groups));
        b->groups = grown;
        grown = ef_arena_alloc(b->a, b->capgroups * sizeof(*b->infos));
        if (!grown)
            return moom(b, g->line);
        if (b->ngroups)
            memcpy(grown, b->infos, b->ngroups * sizeof(*b->infos));
        b->infos = grown;
    }
    if (!(pi = ef_arena_alloc(b->a, sizeof(*pi))))
        return moom(b, g->line);
    parse_guid(qual_str(g->quals, "Guid"), &pi->guid);
    /* The provider is named by the root-most class with a Guid
     * (MSNT_SystemTrace for the kernel), as TDH names it. */
    for (o = g; o; o = base_of(b, o)) {
        if (ef_mof_qual(o->quals, "Guid"))
            root = o;
    }
    pi->name = ef_arena_strdup(b->a, root->name);
    if (!pi->name)
        return moom(b, g->line);
    b->groups[b->ngroups] = g;
    b->infos[b->ngroups++] = pi;
    *out = pi;
    return 0;
}

static int map_integer(const char *t, uint16_t *in)
{
    static const struct {
        const char *name;
        uint16_t in;
    } ints[] = {
        {"uint8", EF_IN_UINT8},   {"sint8", EF_IN_INT8},      {"uint16", EF_IN_UINT16},
        {"sint16", EF_IN_INT16},  {"uint32", EF_IN_UINT32},   {"sint32", EF_IN_INT32},
        {"uint64", EF_IN_UINT64}, {"sint64", EF_IN_INT64},    {"real32", EF_IN_FLOAT},
        {"real64", EF_IN_DOUBLE}, {"boolean", EF_IN_BOOLEAN}, {"char16", EF_IN_UNICODECHAR},
    };
    size_t i;

    for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        if (strcasecmp(t, ints[i].name) == 0) {
            *in = ints[i].in;
            return 0;
        }
    }
    return EF_ENOENT;
}

static int string_type(struct mb *b, const struct mof_prop *p, int wide, uint16_t *in)
{
    const char *term = qual_str(p->quals, "StringTermination");

    /* No StringTermination: NullTerminated, what kernel and classic
     * providers write (docs/schemas.md). */
    if (!term || strcasecmp(term, "NullTerminated") == 0)
        *in = wide ? EF_IN_UNICODESTRING : EF_IN_ANSISTRING;
    else if (strcasecmp(term, "Counted") == 0)
        *in = wide ? EF_IN_COUNTEDSTRING : EF_IN_COUNTEDANSISTRING;
    else if (strcasecmp(term, "ReverseCounted") == 0)
        *in = wide ? EF_IN_REVERSEDCOUNTEDSTRING : EF_IN_REVERSEDCOUNTEDANSISTRING;
    else if (strcasecmp(term, "NotCounted") == 0)
        *in = wide ? EF_IN_NONNULLTERMINATEDSTRING : EF_IN_NONNULLTERMINATEDANSISTRING;
    else
        return mfail(b, p->line, "unknown StringTermination", term);
    return 0;
}

/* Applies an extension("...") qualifier. */
static int extension(struct mb *b, const struct mof_prop *p, const char *ext, struct ef_field *f)
{
    if (strcasecmp(ext, "Sid") == 0) {
        f->intype = EF_IN_WBEMSID;
        f->flags |= EF_FIELD_WBEM_SID;
    } else if (strcasecmp(ext, "SizeT") == 0) {
        f->intype = EF_IN_SIZET;
    } else if (strcasecmp(ext, "IPAddr") == 0 || strcasecmp(ext, "IPAddrV4") == 0) {
        f->intype = EF_IN_UINT32;
        f->outtype = EF_OUT_IPV4;
    } else if (strcasecmp(ext, "IPAddrV6") == 0) {
        f->intype = EF_IN_BINARY;
        f->outtype = EF_OUT_IPV6;
        f->flags |= EF_FIELD_LENGTH_FIXED;
        f->length = 16;
    } else if (strcasecmp(ext, "Port") == 0) {
        f->intype = EF_IN_UINT16;
        f->outtype = EF_OUT_PORT;
    } else if (strcasecmp(ext, "WmiTime") == 0) {
        f->intype = EF_IN_UINT64;
        f->outtype = EF_OUT_ETWTIME;
    } else if (strcasecmp(ext, "FileTime") == 0) {
        /* etwfwd's own: a FILETIME (100 ns since 1601), rendered as a time.
         * The built-in classes use it (mof_builtin.c). */
        f->intype = EF_IN_FILETIME;
    } else if (strcasecmp(ext, "Guid") == 0) {
        f->intype = EF_IN_GUID;
    } else if (strcasecmp(ext, "Variant") == 0) {
        /* A VARIANT is 16 bytes on 32-bit Windows; kept as bytes. */
        f->intype = EF_IN_BINARY;
        f->outtype = EF_OUT_HEXBINARY;
        f->flags |= EF_FIELD_LENGTH_FIXED;
        f->length = 16;
    } else if (strcasecmp(ext, "RString") == 0) {
        f->intype = EF_IN_ANSISTRING;
        f->outtype = EF_OUT_REDUCEDSTRING;
    } else if (strcasecmp(ext, "RWString") == 0) {
        f->intype = EF_IN_UNICODESTRING;
        f->outtype = EF_OUT_REDUCEDSTRING;
    } else if (strcasecmp(ext, "NoPrint") == 0) {
        if (f->intype == EF_IN_NULL)
            return mfail(b, p->line, "extension NoPrint on an object property", p->name);
        f->outtype = EF_OUT_NOPRINT;
    } else {
        return mfail(b, p->line, "unknown extension", ext);
    }
    return 0;
}

static int cmp_entry(const void *x, const void *y)
{
    const struct ef_map_entry *p = x, *q = y;

    return p->value < q->value ? -1 : p->value > q->value;
}

/* ValueMap/Values (or Values alone: the value is an index) and BitMap/BitValues. */
static int value_map(struct mb *b, const struct mof_prop *p, struct ef_field *f)
{
    const struct mof_qual *names = ef_mof_qual(p->quals, "Values"), *vals;
    struct ef_map *m;
    struct ef_map_entry *e;
    int bitmap = 0;
    uint32_t i;
    uint64_t v;

    vals = ef_mof_qual(p->quals, "ValueMap");
    if (!names) {
        names = ef_mof_qual(p->quals, "BitValues");
        vals = ef_mof_qual(p->quals, "BitMap");
        bitmap = 1;
    }
    if (!names || names->count == 0)
        return 0;
    if (vals && vals->count != names->count)
        return mfail(b, p->line, "ValueMap and Values differ in length for", p->name);
    m = ef_arena_alloc(b->a, sizeof(*m));
    e = ef_arena_alloc(b->a, names->count * sizeof(*e));
    if (!m || !e)
        return moom(b, p->line);
    for (i = 0; i < names->count; i++) {
        if (!names->vals[i].s)
            return mfail(b, p->line, "Values must be strings for", p->name);
        v = i;
        if (vals && vals->vals[i].s) {
            char *end;

            v = strtoull(vals->vals[i].s, &end, 0);
            if (*end || !vals->vals[i].s[0])
                return mfail(b, p->line, "bad ValueMap entry", vals->vals[i].s);
        } else if (vals) {
            v = vals->vals[i].n;
        }
        if (bitmap && vals)
            v = v < 32 ? (1ull << v) : 0;
        if (v > UINT32_MAX)
            return mfail(b, p->line, "map value too large for", p->name);
        e[i].value = (uint32_t)v;
        e[i].name = names->vals[i].s;
    }
    qsort(e, names->count, sizeof(*e), cmp_entry);
    m->name = p->name;
    m->kind = bitmap ? EF_MAP_BITMAP : EF_MAP_VALUE;
    m->count = names->count;
    m->entries = e;
    f->map = m;
    return 0;
}

static int map_prop(struct mb *b, const struct mof_prop *p, struct ef_field *fields, uint16_t idx)
{
    struct ef_field *f = &fields[idx];
    const char *fmt = qual_str(p->quals, "format"), *ext = qual_str(p->quals, "extension");
    const char *sizeis = qual_str(p->quals, "WmiSizeIs");
    int ptr = ef_mof_qual(p->quals, "pointer") || ef_mof_qual(p->quals, "PointerType");
    int wide = fmt && strcasecmp(fmt, "w") == 0;
    uint64_t max;
    uint16_t i;
    int rc;

    f->name = p->name;
    if (strcasecmp(p->type, "string") == 0) {
        if ((rc = string_type(b, p, wide, &f->intype)) < 0)
            return rc;
    } else if (strcasecmp(p->type, "object") == 0) {
        if (!ext)
            return mfail(b, p->line, "object property without extension", p->name);
    } else if (map_integer(p->type, &f->intype) < 0) {
        return mfail(b, p->line, "unsupported property type", p->type);
    }
    if (ptr)
        f->intype = EF_IN_POINTER;
    if (ext && (rc = extension(b, p, ext, f)) < 0)
        return rc;
    if (fmt && strcasecmp(fmt, "x") == 0 && ef_schema_hex_outtype(f->intype)) {
        f->flags |= EF_FIELD_HEX;
        f->outtype = ef_schema_hex_outtype(f->intype);
    } else if (fmt && strcasecmp(fmt, "c") == 0) {
        if (f->intype == EF_IN_UINT8 || f->intype == EF_IN_INT8)
            f->intype = EF_IN_ANSICHAR;
        else if (f->intype == EF_IN_UINT16)
            f->intype = EF_IN_UNICODECHAR;
    }
    if (p->array == 2) {
        /* Fixed arrays of characters are fixed-length strings; of plain
         * bytes, one binary value. */
        if (f->intype == EF_IN_UNICODECHAR || f->intype == EF_IN_ANSICHAR) {
            f->intype = f->intype == EF_IN_UNICODECHAR ? EF_IN_UNICODESTRING : EF_IN_ANSISTRING;
            f->flags |= EF_FIELD_LENGTH_FIXED;
            f->length = (uint16_t)p->dim;
        } else if (f->intype == EF_IN_UINT8 && !ext && !fmt) {
            f->intype = EF_IN_BINARY;
            f->outtype = EF_OUT_HEXBINARY;
            f->flags |= EF_FIELD_LENGTH_FIXED;
            f->length = (uint16_t)p->dim;
        } else if (f->intype == EF_IN_UINT8 && f->outtype == EF_OUT_NOPRINT) {
            f->intype = EF_IN_BINARY;
            f->flags |= EF_FIELD_LENGTH_FIXED;
            f->length = (uint16_t)p->dim;
        } else {
            f->flags |= EF_FIELD_COUNT_FIXED;
            f->count = (uint16_t)p->dim;
        }
    } else if (p->array == 1) {
        if (sizeis) {
            for (i = 0; i < idx && strcasecmp(fields[i].name, sizeis) != 0; i++)
                ;
            if (i == idx)
                return mfail(b, p->line, "WmiSizeIs refers to an unknown or later field", sizeis);
            f->flags |= EF_FIELD_COUNT_REF;
            f->count_ref = i;
        } else if (qual_number(ef_mof_qual(p->quals, "MAX"), &max) == 0 && max <= UINT16_MAX) {
            f->flags |= EF_FIELD_COUNT_FIXED;
            f->count = (uint16_t)max;
        } else {
            f->flags |= EF_FIELD_ARRAY_UNBOUNDED;
        }
    }
    return value_map(b, p, f);
}

static int cmp_dataid(const void *x, const void *y)
{
    const struct mof_prop *const *p = x, *const *q = y;
    uint64_t a = ef_mof_qual((*p)->quals, "WmiDataId")->vals[0].n;
    uint64_t c = ef_mof_qual((*q)->quals, "WmiDataId")->vals[0].n;

    return a < c ? -1 : a > c;
}

/* The fields of an event-type class, shared by all its event types. */
static int class_fields(struct mb *b, const struct mof_class *c, const struct ef_field **out,
                        uint16_t *count)
{
    const struct mof_prop *p, **order;
    struct ef_field *fields;
    uint64_t id;
    uint32_t n = 0, i;
    int rc;

    for (p = c->props; p; p = p->next) {
        const struct mof_qual *q = ef_mof_qual(p->quals, "WmiDataId");

        if (!q)
            continue;
        if (qual_number(q, &id) < 0)
            return mfail(b, p->line, "bad WmiDataId on", p->name);
        n++;
    }
    if (n > UINT16_MAX)
        return mfail(b, c->line, "too many properties in class", c->name);
    order = ef_arena_alloc(b->a, (n ? n : 1) * sizeof(*order));
    fields = ef_arena_alloc(b->a, (n ? n : 1) * sizeof(*fields));
    if (!order || !fields)
        return moom(b, c->line);
    for (p = c->props, i = 0; p; p = p->next) {
        if (ef_mof_qual(p->quals, "WmiDataId"))
            order[i++] = p;
    }
    qsort(order, n, sizeof(*order), cmp_dataid);
    for (i = 0; i < n; i++) {
        if (i && cmp_dataid(&order[i - 1], &order[i]) == 0)
            return mfail(b, order[i]->line, "duplicate WmiDataId on", order[i]->name);
        if ((rc = map_prop(b, order[i], fields, (uint16_t)i)) < 0)
            return rc;
    }
    *out = fields;
    *count = (uint16_t)n;
    return 0;
}

int ef_mof_cmp_built(const void *x, const void *y)
{
    const struct mof_built_schema *p = x, *q = y;
    int c = memcmp(&p->guid, &q->guid, sizeof(p->guid));

    if (c)
        return c < 0 ? -1 : 1;
    if (p->schema->opcode != q->schema->opcode)
        return p->schema->opcode < q->schema->opcode ? -1 : 1;
    if (p->schema->version != q->schema->version)
        return p->schema->version < q->schema->version ? -1 : 1;
    return p->line < q->line ? -1 : p->line > q->line;
}

static int build_class(struct mb *b, const struct mof_class *c, struct mof_built_schema *items,
                       uint32_t *n)
{
    const struct mof_qual *types = ef_mof_qual(c->quals, "EventType");
    const struct mof_qual *names = ef_mof_qual(c->quals, "EventTypeName");
    const struct mof_class *g = group_of(b, c);
    struct ef_provider_info *pi;
    const struct ef_field *fields;
    struct ef_schema *s;
    uint16_t count;
    uint8_t version;
    uint32_t i;
    int rc, stated = 0;

    if (!g)
        return mfail(b, c->line, "event class has no Guid in its ancestry", c->name);
    if ((rc = group_version(b, c, g, &version, &stated)) < 0 ||
        (rc = provider_for(b, g, &pi)) < 0 || (rc = class_fields(b, c, &fields, &count)) < 0)
        return rc;
    for (i = 0; i < types->count; i++) {
        if (types->vals[i].s || types->vals[i].negative || types->vals[i].n > UINT8_MAX)
            return mfail(b, c->line, "bad EventType in class", c->name);
        if (!(s = ef_arena_alloc(b->a, sizeof(*s))))
            return moom(b, c->line);
        s->provider = pi;
        s->opcode = (uint8_t)types->vals[i].n;
        s->version = version;
        s->event_name = c->name;
        s->task_name = qual_str(g->quals, "DisplayName");
        if (!s->task_name)
            s->task_name = g->name;
        if (names && i < names->count)
            s->opcode_name = names->vals[i].s;
        s->source = EF_SCHEMA_MOF;
        /* Kernel events end early where later fields have nothing to carry
         * (StackWalk_Event's Stack1..Stack32): see EF_SCHEMA_END_AT_FIELD. */
        s->flags = EF_SCHEMA_END_AT_FIELD | (stated ? EF_SCHEMA_VERSIONED : 0);
        s->fields = fields;
        s->field_count = count;
        s->top_count = count;
        items[*n].guid = pi->guid;
        items[*n].schema = s;
        items[*n].line = c->line;
        (*n)++;
    }
    return 0;
}

int ef_mof_build(const char *path, struct mof_class *fresh, const struct mof_class *known,
                 struct ef_arena *a, struct mof_built *out, struct ef_buf *err)
{
    struct mb b;
    const struct mof_class *c;
    const struct mof_qual *t;
    uint32_t total = 0, n = 0, i, kept = 0;
    int rc;

    memset(&b, 0, sizeof(b));
    memset(out, 0, sizeof(*out));
    b.path = path;
    b.fresh = fresh;
    b.known = known;
    b.a = a;
    b.err = err;
    if ((rc = check_classes(&b)) < 0)
        return rc;
    for (c = fresh; c; c = c->next) {
        if ((t = ef_mof_qual(c->quals, "EventType")))
            total += t->count;
    }
    out->items = ef_arena_alloc(a, (total ? total : 1) * sizeof(*out->items));
    if (!out->items)
        return moom(&b, 1);
    for (c = fresh; c; c = c->next) {
        if (ef_mof_qual(c->quals, "EventType") && (rc = build_class(&b, c, out->items, &n)) < 0)
            return rc;
    }
    /* Two classes claiming one (group, type, version): the first declared wins. */
    qsort(out->items, n, sizeof(*out->items), ef_mof_cmp_built);
    for (i = 0; i < n; i++) {
        if (kept &&
            memcmp(&out->items[kept - 1].guid, &out->items[i].guid, sizeof(struct ef_guid)) == 0 &&
            out->items[kept - 1].schema->opcode == out->items[i].schema->opcode &&
            out->items[kept - 1].schema->version == out->items[i].schema->version) {
            out->duplicates++;
            continue;
        }
        out->items[kept++] = out->items[i];
    }
    out->count = kept;
    return 0;
}

/*
 * tlg.c - reads TraceLogging metadata (EVENT_SCHEMA_TL, PROV_TRAITS).
 *
 * DESIGN: the metadata lists fields depth-first (a struct's members follow
 * the struct), but the schema model wants TRACE_EVENT_INFO's layout: the
 * top-level fields first, each struct's members as one contiguous run. So
 * parsing runs in two passes: the first reads every field into a temporary
 * node (with its parent and siblings), checking bounds and struct member
 * counts; the second lays the nodes out breadth-first into the schema's
 * field array and maps each TlgIn/TlgOut pair to TDH types, so the decoder
 * treats TraceLogging fields like manifest ones.
 */
#include "decode/tlg.h"

#include "decode/hex_outtype.h"
#include "util/attr.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define NONE 0xFFFF

/* One field as the metadata states it, before layout. */
struct node {
    const char *name;
    size_t name_len;
    uint8_t in;       /* the InType byte, flags included */
    uint8_t out;      /* the OutType byte's type bits (member count for structs) */
    uint16_t ccount;  /* EF_TLG_IN_CCOUNT: the constant count */
    uint16_t parent;  /* node index or NONE */
    uint16_t first;   /* first member, NONE when none */
    uint16_t next;    /* next sibling, NONE when last */
    uint16_t members; /* structs: declared member count */
};

struct reader {
    const uint8_t *p;
    size_t len;
    size_t pos;
};

/* Steps over a NUL-terminated string; EF_ETRUNC when it has no NUL. */
static int read_str(struct reader *rd, const char **s, size_t *n)
{
    const uint8_t *nul;

    if (rd->pos >= rd->len)
        return EF_ETRUNC;
    nul = memchr(rd->p + rd->pos, 0, rd->len - rd->pos);
    if (!nul)
        return EF_ETRUNC;
    *s = (const char *)rd->p + rd->pos;
    *n = (size_t)(nul - (rd->p + rd->pos));
    rd->pos += *n + 1;
    return 0;
}

static int read_u8(struct reader *rd, uint8_t *v)
{
    if (rd->pos >= rd->len)
        return EF_ETRUNC;
    *v = rd->p[rd->pos++];
    return 0;
}

static int read_u16(struct reader *rd, uint16_t *v)
{
    if (rd->pos > rd->len || rd->len - rd->pos < 2)
        return EF_ETRUNC;
    *v = (uint16_t)(rd->p[rd->pos] | (rd->p[rd->pos + 1] << 8));
    rd->pos += 2;
    return 0;
}

/* Steps over tag bytes: 7 bits each, the high bit meaning another follows. */
static int skip_tags(struct reader *rd)
{
    uint8_t b;
    int rc, n = 0;

    do {
        rc = read_u8(rd, &b);
        if (rc < 0)
            return rc;
        if (++n > 4)
            return EF_EFORMAT; /* tags are at most 28 bits */
    } while (b & 0x80);
    return 0;
}

/* Opens an item: its u16 size bounds everything after it. */
static int open_item(const void *item, size_t len, struct reader *rd)
{
    uint16_t size;

    if (len < 2)
        return EF_ETRUNC;
    size = (uint16_t)(((const uint8_t *)item)[0] | (((const uint8_t *)item)[1] << 8));
    if (size < 2)
        return EF_EFORMAT;
    if (size > len)
        return EF_ETRUNC;
    rd->p = item;
    rd->len = size;
    rd->pos = 2;
    return 0;
}

/* Opens an EVENT_SCHEMA_TL item and steps over its event tags. */
static int open_event(const void *meta, size_t len, struct reader *rd)
{
    int rc = open_item(meta, len, rd);

    if (rc == 0)
        rc = skip_tags(rd);
    return rc;
}

int ef_tlg_event_name(const void *meta, size_t len, const char **name, size_t *name_len)
{
    struct reader rd;
    int rc = open_event(meta, len, &rd);

    if (rc == 0)
        rc = read_str(&rd, name, name_len);
    return rc;
}

int ef_tlg_provider_name(const void *traits, size_t len, const char **name, size_t *name_len)
{
    struct reader rd;
    int rc = open_item(traits, len, &rd);

    if (rc == 0)
        rc = read_str(&rd, name, name_len);
    return rc;
}

uint64_t ef_tlg_hash(const void *meta, size_t len)
{
    const uint8_t *p = meta;
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i, n = len;

    if (len >= 2 && (size_t)(p[0] | (p[1] << 8)) < len)
        n = (size_t)(p[0] | (p[1] << 8));
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Reads one field's metadata after its name. */
static int read_field(struct reader *rd, struct node *nd)
{
    uint8_t out = 0;
    uint16_t skip;
    int rc;

    if ((rc = read_u8(rd, &nd->in)) < 0)
        return rc;
    if (nd->in & EF_TLG_IN_CHAIN) {
        if ((rc = read_u8(rd, &out)) < 0)
            return rc;
        if ((out & EF_TLG_OUT_CHAIN) && (rc = skip_tags(rd)) < 0)
            return rc;
    }
    nd->out = out & EF_TLG_OUT_TYPE_MASK;
    switch (nd->in & EF_TLG_IN_COUNT_MASK) {
    case EF_TLG_IN_CCOUNT:
        return read_u16(rd, &nd->ccount);
    case EF_TLG_IN_CUSTOM:
        /* A custom field's schema (e.g. Bond) follows; we keep the bytes raw. */
        if ((rc = read_u16(rd, &skip)) < 0)
            return rc;
        if (rd->len - rd->pos < skip)
            return EF_ETRUNC;
        rd->pos += skip;
        return 0;
    default:
        return 0;
    }
}

/*
 * First pass: reads all fields into nodes (allocated with malloc, freed by
 * the caller), linking each to its parent struct and siblings.
 */
static int read_nodes(struct reader *rd, struct node **out, uint16_t *count, uint16_t *top)
{
    struct node *nodes = NULL, *nd;
    uint16_t stack[EF_TLG_MAX_DEPTH], left[EF_TLG_MAX_DEPTH], last[EF_TLG_MAX_DEPTH + 1];
    size_t cap = (rd->len - rd->pos) / 2 + 1, n = 0;
    int depth = 0, rc = 0;

    /* Each field takes at least two bytes (an empty name and an InType). */
    nodes = calloc(cap, sizeof(*nodes));
    if (!nodes)
        return EF_ENOMEM;
    last[0] = NONE;
    *top = 0;
    while (rd->pos < rd->len) {
        if (n >= cap || n >= NONE) {
            rc = EF_EFORMAT;
            goto out;
        }
        nd = &nodes[n];
        if ((rc = read_str(rd, &nd->name, &nd->name_len)) < 0 || (rc = read_field(rd, nd)) < 0)
            goto out;
        nd->first = nd->next = NONE;
        nd->parent = depth ? stack[depth - 1] : NONE;
        if (last[depth] != NONE)
            nodes[last[depth]].next = (uint16_t)n;
        else if (depth)
            nodes[stack[depth - 1]].first = (uint16_t)n;
        last[depth] = (uint16_t)n;
        if (!depth)
            (*top)++;
        else
            left[depth - 1]--;
        if ((nd->in & EF_TLG_IN_TYPE_MASK) == EF_TLG_IN_STRUCT) {
            if ((nd->in & EF_TLG_IN_COUNT_MASK) == EF_TLG_IN_CUSTOM ||
                !(nd->in & EF_TLG_IN_CHAIN)) {
                rc = EF_EFORMAT;
                goto out;
            }
            nd->members = nd->out;
            if (nd->members) {
                if (depth == EF_TLG_MAX_DEPTH) {
                    rc = EF_EFORMAT;
                    goto out;
                }
                stack[depth] = (uint16_t)n;
                left[depth] = nd->members;
                last[++depth] = NONE;
            }
        }
        n++;
        while (depth && left[depth - 1] == 0)
            depth--;
    }
    if (depth) {
        rc = EF_ETRUNC; /* a struct announced more members than the item holds */
        goto out;
    }
    *count = (uint16_t)n;
out:
    if (rc < 0)
        free(nodes);
    else
        *out = nodes;
    return rc;
}

/* The signed or unsigned twin of an integer InType (TlgOutSIGNED/UNSIGNED). */
static uint16_t resign(uint16_t in, int want_signed)
{
    switch (in) {
    case EF_IN_INT8:
    case EF_IN_UINT8:
        return want_signed ? EF_IN_INT8 : EF_IN_UINT8;
    case EF_IN_INT16:
    case EF_IN_UINT16:
        return want_signed ? EF_IN_INT16 : EF_IN_UINT16;
    case EF_IN_INT32:
    case EF_IN_UINT32:
    case EF_IN_HEXINT32:
        return want_signed ? EF_IN_INT32 : EF_IN_UINT32;
    case EF_IN_INT64:
    case EF_IN_UINT64:
    case EF_IN_HEXINT64:
        return want_signed ? EF_IN_INT64 : EF_IN_UINT64;
    default:
        return in;
    }
}

/* TlgOut values whose TDH twin has another number; the rest map to 0 or by rule. */
static const uint16_t out_map[] = {
    [EF_TLG_OUT_NOPRINT] = EF_OUT_NOPRINT,
    [EF_TLG_OUT_STRING] = EF_OUT_STRING,
    [EF_TLG_OUT_BOOLEAN] = EF_OUT_BOOLEAN,
    [EF_TLG_OUT_PID] = EF_OUT_PID,
    [EF_TLG_OUT_TID] = EF_OUT_TID,
    [EF_TLG_OUT_PORT] = EF_OUT_PORT,
    [EF_TLG_OUT_IPV4] = EF_OUT_IPV4,
    [EF_TLG_OUT_IPV6] = EF_OUT_IPV6,
    [EF_TLG_OUT_SOCKETADDRESS] = EF_OUT_SOCKETADDRESS,
    [EF_TLG_OUT_XML] = EF_OUT_XML,
    [EF_TLG_OUT_JSON] = EF_OUT_JSON,
    [EF_TLG_OUT_WIN32ERROR] = EF_OUT_WIN32ERROR,
    [EF_TLG_OUT_NTSTATUS] = EF_OUT_NTSTATUS,
    [EF_TLG_OUT_HRESULT] = EF_OUT_HRESULT,
    [EF_TLG_OUT_FILETIME] = EF_OUT_DATETIME,
    [EF_TLG_OUT_DATETIME_CULTURE_INSENSITIVE] = EF_OUT_CULTURE_INSENSITIVE_DATETIME,
    [EF_TLG_OUT_UTF8] = EF_OUT_UTF8,
    [EF_TLG_OUT_PKCS7_WITH_TYPE_INFO] = EF_OUT_PKCS7_WITH_TYPE_INFO,
    [EF_TLG_OUT_CODE_POINTER] = EF_OUT_CODE_POINTER,
    [EF_TLG_OUT_DATETIME_UTC] = EF_OUT_DATETIME_UTC,
};

/* Maps a non-struct node's TlgIn/TlgOut pair to TDH types in f. */
static int map_types(const struct node *nd, struct ef_field *f)
{
    uint8_t tin = nd->in & EF_TLG_IN_TYPE_MASK;
    uint16_t in;

    if ((nd->in & EF_TLG_IN_COUNT_MASK) == EF_TLG_IN_CUSTOM) {
        /* Custom fields carry a u16 size and opaque bytes in the payload. */
        f->intype = EF_IN_MANIFEST_COUNTEDBINARY;
        f->outtype = EF_OUT_HEXBINARY;
        return 0;
    }
    switch (tin) {
    case EF_TLG_IN_NULL:
        return EF_EFORMAT; /* no size: nothing after it could be decoded */
    case EF_TLG_IN_POINTER_UNSUPPORTED:
        return EF_ENOTSUP;
    case EF_TLG_IN_BINARY:
    case EF_TLG_IN_COUNTEDBINARY:
        in = EF_IN_MANIFEST_COUNTEDBINARY;
        break;
    case EF_TLG_IN_COUNTEDSTRING:
        in = EF_IN_COUNTEDSTRING;
        break;
    case EF_TLG_IN_COUNTEDANSISTRING:
        in = EF_IN_COUNTEDANSISTRING;
        break;
    case EF_TLG_IN_BOOL32:
        in = EF_IN_BOOLEAN;
        break;
    default:
        if (tin > EF_TLG_IN_COUNTEDBINARY)
            return EF_EFORMAT;
        in = tin; /* 1..21 have the TDH numbers */
        break;
    }
    f->intype = in;
    f->outtype = nd->out < EF_ARRAY_LEN(out_map) ? out_map[nd->out] : EF_OUT_NULL;
    switch (nd->out) {
    case EF_TLG_OUT_HEX:
        f->outtype = ef_schema_hex_outtype(in);
        break;
    case EF_TLG_OUT_SIGNED:
    case EF_TLG_OUT_UNSIGNED:
        f->intype = resign(in, nd->out == EF_TLG_OUT_SIGNED);
        break;
    case EF_TLG_OUT_STRING:
        /* 8- and 16-bit integers shown as strings are characters. */
        if (in == EF_IN_INT8 || in == EF_IN_UINT8)
            f->intype = EF_IN_ANSICHAR;
        else if (in == EF_IN_INT16 || in == EF_IN_UINT16)
            f->intype = EF_IN_UNICODECHAR;
        break;
    case EF_TLG_OUT_FILETIME:
        /* A 64-bit integer holding a FILETIME. */
        if (in == EF_IN_INT64 || in == EF_IN_UINT64) {
            f->intype = EF_IN_FILETIME;
            f->outtype = EF_OUT_NULL;
        }
        break;
    default:
        break;
    }
    return 0;
}

/* Fills one schema field from its node; members are placed by the caller. */
static int fill_field(const struct node *nd, struct ef_arena *a, struct ef_field *f)
{
    int rc = 0;

    f->name = ef_arena_strndup(a, nd->name, nd->name_len);
    if (!f->name)
        return EF_ENOMEM;
    if ((nd->in & EF_TLG_IN_TYPE_MASK) == EF_TLG_IN_STRUCT) {
        f->flags |= EF_FIELD_STRUCT;
        f->struct_count = nd->members;
    } else if ((rc = map_types(nd, f)) < 0) {
        return rc;
    }
    switch (nd->in & EF_TLG_IN_COUNT_MASK) {
    case EF_TLG_IN_CCOUNT:
        f->flags |= EF_FIELD_COUNT_FIXED;
        f->count = nd->ccount;
        break;
    case EF_TLG_IN_VCOUNT:
        f->flags |= EF_FIELD_COUNT_PREFIX;
        break;
    default:
        break;
    }
    return 0;
}

/*
 * Second pass: lays nodes out breadth-first so that every struct's members
 * form one contiguous run after the top-level fields.
 */
static int lay_out(const struct node *nodes, uint16_t count, uint16_t top, struct ef_arena *a,
                   struct ef_field *fields)
{
    uint16_t *order; /* order[i] = node placed at field i */
    uint16_t placed = 0, i, c;
    int rc = 0;

    order = malloc(((size_t)count + 1) * sizeof(*order));
    if (!order)
        return EF_ENOMEM;
    for (c = 0; c < count && placed < top; c++) {
        if (nodes[c].parent == NONE)
            order[placed++] = c;
    }
    for (i = 0; i < placed; i++) {
        const struct node *nd = &nodes[order[i]];

        if ((rc = fill_field(nd, a, &fields[i])) < 0)
            goto out;
        if (fields[i].flags & EF_FIELD_STRUCT) {
            fields[i].struct_first = placed;
            for (c = nd->first; c != NONE; c = nodes[c].next)
                order[placed++] = c;
        }
    }
out:
    free(order);
    return rc;
}

int ef_tlg_parse(const void *meta, size_t len, struct ef_arena *a, struct ef_schema *s)
{
    struct node *nodes = NULL;
    struct ef_field *fields = NULL;
    struct reader rd;
    const char *name;
    size_t name_len;
    uint16_t count = 0, top = 0;
    int rc;

    if ((rc = open_event(meta, len, &rd)) < 0 || (rc = read_str(&rd, &name, &name_len)) < 0)
        return rc;
    if ((rc = read_nodes(&rd, &nodes, &count, &top)) < 0)
        return rc;
    if (count) {
        fields = ef_arena_alloc(a, (size_t)count * sizeof(*fields));
        if (!fields) {
            rc = EF_ENOMEM;
            goto out;
        }
        if ((rc = lay_out(nodes, count, top, a, fields)) < 0)
            goto out;
    }
    s->event_name = ef_arena_strndup(a, name, name_len);
    if (!s->event_name) {
        rc = EF_ENOMEM;
        goto out;
    }
    s->fields = fields;
    s->field_count = count;
    s->top_count = top;
out:
    free(nodes);
    return rc;
}

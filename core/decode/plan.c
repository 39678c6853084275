/*
 * plan.c - compiles a schema into a decode plan.
 *
 * DESIGN: every decision that depends only on the schema is taken here,
 * once per cached schema: which reader an InType needs, which kind of value
 * it yields once the OutType is applied (a UINT32 shown as IPv4, a UINT16
 * port in network byte order, a UINT8 shown as a character, a BOOLEAN
 * out type on any integer), and whether the field is an array. The checks
 * that make the interpreter safe on any schema are here too: a struct's
 * members lie after it inside the field array (so nesting is finite) and a
 * length or count refers to an earlier field (so its value is known).
 */
#include "decode/plan.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

struct intype_row {
    uint16_t intype;
    uint8_t op;
    uint8_t vkind;
    uint8_t vflags;
};

static const struct intype_row intype_rows[] = {
    {EF_IN_UNICODESTRING, EF_OP_USTR, EF_V_STRING, 0},
    {EF_IN_ANSISTRING, EF_OP_ASTR, EF_V_STRING, 0},
    {EF_IN_INT8, EF_OP_I8, EF_V_INT, 0},
    {EF_IN_UINT8, EF_OP_U8, EF_V_UINT, 0},
    {EF_IN_INT16, EF_OP_I16, EF_V_INT, 0},
    {EF_IN_UINT16, EF_OP_U16, EF_V_UINT, 0},
    {EF_IN_INT32, EF_OP_I32, EF_V_INT, 0},
    {EF_IN_UINT32, EF_OP_U32, EF_V_UINT, 0},
    {EF_IN_INT64, EF_OP_I64, EF_V_INT, EF_VAL_64BIT},
    {EF_IN_UINT64, EF_OP_U64, EF_V_UINT, EF_VAL_64BIT},
    {EF_IN_FLOAT, EF_OP_F32, EF_V_DOUBLE, 0},
    {EF_IN_DOUBLE, EF_OP_F64, EF_V_DOUBLE, 0},
    {EF_IN_BOOLEAN, EF_OP_BOOL32, EF_V_BOOL, 0},
    {EF_IN_BINARY, EF_OP_BINARY, EF_V_BINARY, 0},
    {EF_IN_GUID, EF_OP_GUID, EF_V_GUID, 0},
    {EF_IN_POINTER, EF_OP_PTR, EF_V_UINT, EF_VAL_HEX},
    {EF_IN_FILETIME, EF_OP_FILETIME, EF_V_FILETIME, 0},
    {EF_IN_SYSTEMTIME, EF_OP_SYSTIME, EF_V_SYSTIME, 0},
    {EF_IN_SID, EF_OP_SID, EF_V_SID, 0},
    {EF_IN_HEXINT32, EF_OP_U32, EF_V_UINT, EF_VAL_HEX},
    {EF_IN_HEXINT64, EF_OP_U64, EF_V_UINT, EF_VAL_HEX | EF_VAL_64BIT},
    {EF_IN_MANIFEST_COUNTEDSTRING, EF_OP_USTR_COUNTED, EF_V_STRING, 0},
    {EF_IN_MANIFEST_COUNTEDANSISTRING, EF_OP_ASTR_COUNTED, EF_V_STRING, 0},
    {EF_IN_MANIFEST_COUNTEDBINARY, EF_OP_COUNTED_BINARY, EF_V_BINARY, 0},
    {EF_IN_COUNTEDSTRING, EF_OP_USTR_COUNTED, EF_V_STRING, 0},
    {EF_IN_COUNTEDANSISTRING, EF_OP_ASTR_COUNTED, EF_V_STRING, 0},
    {EF_IN_REVERSEDCOUNTEDSTRING, EF_OP_USTR_RCOUNTED, EF_V_STRING, 0},
    {EF_IN_REVERSEDCOUNTEDANSISTRING, EF_OP_ASTR_RCOUNTED, EF_V_STRING, 0},
    {EF_IN_NONNULLTERMINATEDSTRING, EF_OP_USTR_REST, EF_V_STRING, 0},
    {EF_IN_NONNULLTERMINATEDANSISTRING, EF_OP_ASTR_REST, EF_V_STRING, 0},
    {EF_IN_UNICODECHAR, EF_OP_UCHAR, EF_V_STRING, EF_VAL_CHAR},
    {EF_IN_ANSICHAR, EF_OP_ACHAR, EF_V_STRING, EF_VAL_CHAR},
    {EF_IN_SIZET, EF_OP_PTR, EF_V_UINT, 0},
    {EF_IN_HEXDUMP, EF_OP_HEXDUMP, EF_V_BINARY, 0},
    {EF_IN_WBEMSID, EF_OP_WBEMSID, EF_V_SID, 0},
};

static const struct intype_row *find_intype(uint16_t intype)
{
    size_t i;

    for (i = 0; i < sizeof(intype_rows) / sizeof(intype_rows[0]); i++) {
        if (intype_rows[i].intype == intype)
            return &intype_rows[i];
    }
    return NULL;
}

static int is_integer_op(uint8_t op)
{
    return op >= EF_OP_I8 && op <= EF_OP_U64;
}

/* Applies the out type to an integer or binary op's value kind. */
static void apply_outtype(struct ef_plan_op *o)
{
    switch (o->outtype) {
    case EF_OUT_BOOLEAN:
        if (is_integer_op(o->op))
            o->vkind = EF_V_BOOL;
        break;
    case EF_OUT_STRING:
        /* TraceLogging's char8/char16 are UINT8/UINT16 shown as text. */
        if (o->op == EF_OP_U8 || o->op == EF_OP_I8) {
            o->op = EF_OP_ACHAR;
            o->vkind = EF_V_STRING;
            o->vflags |= EF_VAL_CHAR;
        } else if (o->op == EF_OP_U16 || o->op == EF_OP_I16) {
            o->op = EF_OP_UCHAR;
            o->vkind = EF_V_STRING;
            o->vflags |= EF_VAL_CHAR;
        }
        break;
    case EF_OUT_HEXINT8:
    case EF_OUT_HEXINT16:
    case EF_OUT_HEXINT32:
    case EF_OUT_HEXINT64:
    case EF_OUT_CODE_POINTER:
        if (is_integer_op(o->op) || o->op == EF_OP_PTR)
            o->vflags |= EF_VAL_HEX;
        break;
    case EF_OUT_IPV4:
        if (o->op == EF_OP_U32 || o->op == EF_OP_I32)
            o->vkind = EF_V_IPV4;
        break;
    case EF_OUT_IPV6:
        if (o->op == EF_OP_BINARY)
            o->vkind = EF_V_IPV6;
        break;
    case EF_OUT_SOCKETADDRESS:
        if (o->op == EF_OP_BINARY)
            o->vkind = EF_V_SOCKADDR;
        break;
    default:
        break;
    }
}

static int check_field(const struct ef_schema *s, uint16_t i)
{
    const struct ef_field *f = &s->fields[i];

    if (f->flags & EF_FIELD_STRUCT) {
        if (f->struct_first <= i || (uint32_t)f->struct_first + f->struct_count > s->field_count)
            return EF_EFORMAT;
    }
    if ((f->flags & EF_FIELD_COUNT_REF) && f->count_ref >= i)
        return EF_EFORMAT;
    if ((f->flags & EF_FIELD_LENGTH_REF) && f->length_ref >= i)
        return EF_EFORMAT;
    return 0;
}

/* Depth of the struct tree under field i; members always lie after their struct. */
static int nesting_depth(const struct ef_schema *s, uint16_t i, int depth)
{
    const struct ef_field *f = &s->fields[i];
    int deepest = depth, d;
    uint32_t m;

    if (!(f->flags & EF_FIELD_STRUCT))
        return depth;
    if (depth > EF_PLAN_MAX_DEPTH)
        return depth;
    for (m = f->struct_first; m < (uint32_t)f->struct_first + f->struct_count; m++) {
        d = nesting_depth(s, (uint16_t)m, depth + 1);
        if (d > deepest)
            deepest = d;
        if (deepest > EF_PLAN_MAX_DEPTH)
            break;
    }
    return deepest;
}

/* The last plan serial handed out (plans are compiled on several threads). */
static uint64_t plan_serial;

int ef_plan_compile(const struct ef_schema *s, struct ef_plan **out)
{
    struct ef_plan *p = NULL;
    uint16_t i;
    int rc = 0;

    *out = NULL;
    if (s->top_count > s->field_count || (s->field_count && !s->fields))
        return EF_EFORMAT;
    for (i = 0; i < s->field_count; i++) {
        rc = check_field(s, i);
        if (rc < 0)
            return rc;
    }
    for (i = 0; i < s->top_count; i++) {
        if (nesting_depth(s, i, 0) > EF_PLAN_MAX_DEPTH)
            return EF_EFORMAT;
    }
    p = calloc(1, sizeof(*p) + (size_t)s->field_count * sizeof(p->ops[0]));
    if (!p)
        return EF_ENOMEM;
    p->schema = s;
    p->count = s->field_count;
    p->top_count = s->top_count;
    for (i = 0; i < s->field_count; i++) {
        const struct ef_field *f = &s->fields[i];
        struct ef_plan_op *o = &p->ops[i];
        const struct intype_row *row;

        o->field = f;
        o->flags = f->flags;
        o->outtype = f->outtype;
        o->is_array = (f->flags & (EF_FIELD_COUNT_FIXED | EF_FIELD_COUNT_REF |
                                   EF_FIELD_ARRAY_UNBOUNDED | EF_FIELD_COUNT_PREFIX)) != 0;
        if (f->flags & EF_FIELD_STRUCT) {
            o->op = EF_OP_STRUCT;
            o->vkind = EF_V_STRUCT;
            continue;
        }
        row = find_intype(f->intype);
        if (!row) {
            o->op = EF_OP_UNKNOWN;
            o->vkind = EF_V_BINARY;
            continue;
        }
        o->op = row->op;
        o->vkind = row->vkind;
        o->vflags = row->vflags;
        if (f->flags & EF_FIELD_WBEM_SID && o->op == EF_OP_SID)
            o->op = EF_OP_WBEMSID;
        if (f->flags & EF_FIELD_HEX && (is_integer_op(o->op) || o->op == EF_OP_PTR))
            o->vflags |= EF_VAL_HEX;
        apply_outtype(o);
    }
    p->serial = __atomic_add_fetch(&plan_serial, 1, __ATOMIC_RELAXED);
    (void)ef_plan_keys_build(p); /* optional: without keys the renderer escapes per event */
    *out = p;
    return rc;
}

void ef_plan_free(struct ef_plan *p)
{
    if (p)
        free(p->keys);
    free(p);
}

void ef_plan_ws_init(struct ef_plan_ws *ws, uint32_t max_values)
{
    memset(ws, 0, sizeof(*ws));
    ws->max = max_values ? max_values : 1;
    /* A string's UTF-8 is at most 1.5x its UTF-16 bytes; payloads are < 64 KiB. */
    ef_buf_init(&ws->scratch, 1u << 20);
}

void ef_plan_ws_free(struct ef_plan_ws *ws)
{
    free(ws->values);
    free(ws->refs);
    ef_buf_free(&ws->scratch);
    memset(ws, 0, sizeof(*ws));
}

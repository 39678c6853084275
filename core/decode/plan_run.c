/*
 * plan_run.c - the decode plan interpreter: payload bytes to typed values.
 *
 * DESIGN: one pass over the payload with a cursor. Every read first asks
 * have() whether the bytes are there; nothing is read outside
 * [user_data, user_data + user_data_len). A field that does not fit stops
 * decoding: a string or binary whose length lies keeps what the payload
 * holds and is marked truncated, a scalar is dropped, and the event records
 * the field and the offset so the renderer can show the rest as hex.
 * Containers (structs, arrays) are written before their elements and get
 * their span once the elements are done, error or not, so the value array
 * is always well formed.
 *
 * Converted strings go to the workspace's scratch buffer, which may move
 * while it grows: their values hold an offset until the run ends and are
 * then turned into pointers (EF_VAL_SCRATCH below).
 */
#include "decode/plan.h"

#include "util/bytes.h"
#include "util/error.h"
#include "util/sid.h"
#include "util/utf16.h"

#include <stdlib.h>
#include <string.h>

/* Internal value flag: v.s.p is an offset into the scratch buffer. */
#define EF_VAL_SCRATCH 0x80

struct run {
    const struct ef_plan *plan;
    struct ef_plan_ws *ws;
    struct ef_event *ev;
    const uint8_t *p;
    uint32_t len;
    uint32_t off;
    uint8_t ptr_size;
    int err;
};

static int have(const struct run *r, uint64_t n)
{
    return (uint64_t)r->len - r->off >= n;
}

/* Stops decoding at the field that starts at field_off. */
static void fail(struct run *r, const struct ef_plan_op *o, uint32_t field_off, int err,
                 uint32_t rest)
{
    if (r->err)
        return;
    r->err = err;
    r->ev->flags |= EF_EVT_DECODE_ERROR;
    r->ev->error_field = o->field->name;
    r->ev->error_offset = field_off;
    r->ev->rest_offset = rest;
}

static struct ef_value *push(struct run *r, const struct ef_plan_op *o, const char *name,
                             uint8_t depth)
{
    struct ef_plan_ws *ws = r->ws;
    struct ef_value *v;

    if (r->ev->count >= ws->cap) {
        uint32_t cap = ws->cap ? ws->cap * 2 : 64;
        struct ef_value *nv;

        if (ws->cap >= ws->max) {
            r->ev->flags |= EF_EVT_TRUNCATED;
            fail(r, o, r->off, EF_ELIMIT, r->off);
            return NULL;
        }
        if (cap > ws->max)
            cap = ws->max;
        nv = realloc(ws->values, (size_t)cap * sizeof(*nv));
        if (!nv) {
            fail(r, o, r->off, EF_ENOMEM, r->off);
            return NULL;
        }
        ws->values = nv;
        ws->cap = cap;
    }
    v = &ws->values[r->ev->count++];
    v->name = name;
    v->field = o->field;
    v->kind = o->vkind;
    v->depth = depth;
    v->flags = o->vflags;
    v->outtype = o->outtype;
    v->span = 0;
    v->count = 0;
    return v;
}

/* The length a field declares (chars for strings, bytes for binary), or -1. */
static int64_t declared_length(const struct run *r, const struct ef_plan_op *o)
{
    if (o->flags & EF_FIELD_LENGTH_REF)
        return (int64_t)r->ws->refs[o->field->length_ref];
    if (o->flags & EF_FIELD_LENGTH_FIXED)
        return o->field->length;
    return -1;
}

static void set_scratch_text(struct run *r, struct ef_value *v, size_t start)
{
    v->flags |= EF_VAL_SCRATCH;
    v->v.s.p = (const char *)(uintptr_t)start;
    v->v.s.len = (uint32_t)(r->ws->scratch.len - start);
}

/* UTF-16 text of n bytes at the cursor, cut at an embedded NUL. */
static int utf16_value(struct run *r, struct ef_value *v, uint32_t n)
{
    size_t start = r->ws->scratch.len;
    int rc = ef_utf16le_to_buf(r->p + r->off, n, EF_UTF16_STOP_AT_NUL, &r->ws->scratch, NULL);

    set_scratch_text(r, v, start);
    return rc;
}

static int ascii_only(const uint8_t *s, uint32_t n)
{
    uint64_t x, any = 0;
    uint32_t i = 0;

    for (; n - i >= 8; i += 8) {
        memcpy(&x, s + i, 8);
        any |= x;
    }
    for (; i < n; i++)
        any |= s[i];
    return (any & 0x8080808080808080ull) == 0;
}

/* 8-bit text of n bytes at the cursor, cut at an embedded NUL; ASCII stays in place. */
static int ansi_value(struct run *r, struct ef_value *v, uint32_t n)
{
    const uint8_t *s = r->p + r->off;
    const uint8_t *nul = memchr(s, 0, n);
    size_t start;
    int rc;

    if (nul)
        n = (uint32_t)(nul - s);
    if (ascii_only(s, n)) {
        v->v.s.p = (const char *)s;
        v->v.s.len = n;
        return 0;
    }
    start = r->ws->scratch.len;
    rc = ef_utf8_sanitize_to_buf(s, n, &r->ws->scratch);
    set_scratch_text(r, v, start);
    return rc;
}

/* Bytes to the first NUL unit of the given width (exclusive), or to the end. */
static uint32_t scan_terminated(const struct run *r, uint32_t width, int *terminated)
{
    uint32_t avail = r->len - r->off;
    const uint8_t *s = r->p + r->off;
    const uint8_t *nul;

    if (width == 2)
        return (uint32_t)ef_utf16le_find_nul(s, avail, terminated);
    nul = memchr(s, 0, avail);
    *terminated = nul != NULL;
    return nul ? (uint32_t)(nul - s) : avail;
}

/*
 * Reads a string or binary of `n` bytes at the cursor (n known). A length
 * that runs past the payload keeps what is there, marks the value and fails.
 */
static int take_bytes(struct run *r, const struct ef_plan_op *o, struct ef_value *v, uint64_t n,
                      uint32_t field_off, int is_text_utf16, int is_text_ansi)
{
    uint32_t got = have(r, n) ? (uint32_t)n : r->len - r->off;
    int rc = 0;

    if (is_text_utf16)
        rc = utf16_value(r, v, got);
    else if (is_text_ansi)
        rc = ansi_value(r, v, got);
    else {
        v->v.s.p = (const char *)(r->p + r->off);
        v->v.s.len = got;
    }
    r->off += got;
    if (rc < 0) {
        fail(r, o, field_off, rc, r->off);
        return rc;
    }
    if (got != n) {
        v->flags |= EF_VAL_TRUNCATED;
        fail(r, o, field_off, EF_ETRUNC, r->off);
        return EF_ETRUNC;
    }
    return 0;
}

static int read_string(struct run *r, const struct ef_plan_op *o, struct ef_value *v,
                       uint32_t field_off)
{
    int wide = o->op == EF_OP_USTR || o->op == EF_OP_USTR_COUNTED || o->op == EF_OP_USTR_RCOUNTED ||
               o->op == EF_OP_USTR_REST || o->op == EF_OP_UCHAR;
    uint32_t width = wide ? 2 : 1;
    int64_t chars = declared_length(r, o);
    uint64_t n;
    int terminated = 0, rc;

    switch (o->op) {
    case EF_OP_USTR_COUNTED:
    case EF_OP_ASTR_COUNTED:
    case EF_OP_USTR_RCOUNTED:
    case EF_OP_ASTR_RCOUNTED:
        if (!have(r, 2)) {
            fail(r, o, field_off, EF_ETRUNC, field_off);
            return EF_ETRUNC;
        }
        n = (o->op == EF_OP_USTR_RCOUNTED || o->op == EF_OP_ASTR_RCOUNTED)
                ? (uint16_t)((r->p[r->off] << 8) | r->p[r->off + 1])
                : ef_le16(r->p + r->off);
        r->off += 2;
        break;
    case EF_OP_UCHAR:
    case EF_OP_ACHAR:
        n = width;
        break;
    default:
        if (chars >= 0) {
            n = (uint64_t)chars * width;
        } else if (o->op == EF_OP_USTR_REST || o->op == EF_OP_ASTR_REST) {
            n = r->len - r->off;
        } else {
            n = scan_terminated(r, width, &terminated);
            rc = take_bytes(r, o, v, n, field_off, wide, !wide);
            if (rc == 0 && terminated)
                r->off += width;
            return rc;
        }
        break;
    }
    return take_bytes(r, o, v, n, field_off, wide, !wide);
}

static int read_binary(struct run *r, const struct ef_plan_op *o, struct ef_value *v,
                       uint32_t field_off)
{
    int64_t n = declared_length(r, o);

    if (o->op == EF_OP_COUNTED_BINARY || o->op == EF_OP_HEXDUMP) {
        uint32_t w = o->op == EF_OP_HEXDUMP ? 4 : 2;

        if (!have(r, w)) {
            fail(r, o, field_off, EF_ETRUNC, field_off);
            return EF_ETRUNC;
        }
        n = w == 4 ? ef_le32(r->p + r->off) : ef_le16(r->p + r->off);
        r->off += w;
    } else if (n < 0) {
        n = v->kind == EF_V_IPV6 ? 16 : (int64_t)(r->len - r->off);
    }
    return take_bytes(r, o, v, (uint64_t)n, field_off, 0, 0);
}

static int read_sid(struct run *r, const struct ef_plan_op *o, struct ef_value *v,
                    uint32_t field_off)
{
    size_t size;

    if (o->op == EF_OP_WBEMSID) {
        /* A NULL SID is a lone zero ULONG; else a TOKEN_USER (two pointers) precedes it. */
        if (!have(r, 4))
            goto trunc;
        if (ef_le32(r->p + r->off) == 0) {
            r->off += 4;
            v->v.s.p = (const char *)(r->p + r->off);
            v->v.s.len = 0;
            return 0;
        }
        if (!have(r, 2u * r->ptr_size))
            goto trunc;
        r->off += 2u * r->ptr_size;
    }
    if (ef_sid_size(r->p + r->off, r->len - r->off, &size) < 0 || !have(r, size))
        goto trunc;
    if (size > EF_SID_MAX_BYTES || r->p[r->off] != 1) {
        fail(r, o, field_off, EF_EFORMAT, field_off);
        return EF_EFORMAT;
    }
    v->v.s.p = (const char *)(r->p + r->off);
    v->v.s.len = (uint32_t)size;
    r->off += (uint32_t)size;
    return 0;
trunc:
    fail(r, o, field_off, EF_ETRUNC, field_off);
    return EF_ETRUNC;
}

/* Fixed-size scalars: integers, floats, GUID, times, pointers. */
static int read_scalar(struct run *r, const struct ef_plan_op *o, struct ef_value *v,
                       uint32_t field_off, uint16_t index)
{
    static const uint8_t sizes[] = {
        [EF_OP_I8] = 1,       [EF_OP_U8] = 1,       [EF_OP_I16] = 2,    [EF_OP_U16] = 2,
        [EF_OP_I32] = 4,      [EF_OP_U32] = 4,      [EF_OP_I64] = 8,    [EF_OP_U64] = 8,
        [EF_OP_F32] = 4,      [EF_OP_F64] = 8,      [EF_OP_BOOL32] = 4, [EF_OP_GUID] = 16,
        [EF_OP_FILETIME] = 8, [EF_OP_SYSTIME] = 16,
    };
    const uint8_t *s = r->p + r->off;
    uint32_t n = o->op == EF_OP_PTR ? r->ptr_size : sizes[o->op];
    uint64_t u = 0;

    if (!have(r, n)) {
        fail(r, o, field_off, EF_ETRUNC, field_off);
        return EF_ETRUNC;
    }
    switch (o->op) {
    case EF_OP_I8:
        v->v.i = (int8_t)s[0];
        u = (uint64_t)v->v.i;
        break;
    case EF_OP_U8:
        v->v.u = u = s[0];
        break;
    case EF_OP_I16:
        v->v.i = (int16_t)ef_le16(s);
        u = (uint64_t)v->v.i;
        break;
    case EF_OP_U16:
        u = ef_le16(s);
        if (o->outtype == EF_OUT_PORT)
            u = (uint16_t)((s[0] << 8) | s[1]);
        v->v.u = u;
        break;
    case EF_OP_I32:
        v->v.i = (int32_t)ef_le32(s);
        u = (uint64_t)v->v.i;
        break;
    case EF_OP_U32:
    case EF_OP_BOOL32:
        v->v.u = u = ef_le32(s);
        break;
    case EF_OP_I64:
        v->v.i = (int64_t)ef_le64(s);
        u = (uint64_t)v->v.i;
        break;
    case EF_OP_U64:
    case EF_OP_FILETIME:
        v->v.u = u = ef_le64(s);
        break;
    case EF_OP_PTR:
        v->v.u = u = n == 4 ? ef_le32(s) : ef_le64(s);
        if (n == 8)
            v->flags |= EF_VAL_64BIT;
        break;
    case EF_OP_F32: {
        float f;
        uint32_t b = ef_le32(s);

        memcpy(&f, &b, 4);
        v->v.d = f;
        break;
    }
    case EF_OP_F64: {
        uint64_t b = ef_le64(s);

        memcpy(&v->v.d, &b, 8);
        break;
    }
    case EF_OP_GUID:
        ef_guid_read(s, &v->v.guid);
        break;
    case EF_OP_SYSTIME:
        ef_systemtime_read(s, &v->v.st);
        break;
    }
    if (v->kind == EF_V_BOOL)
        v->v.u = u != 0;
    else if (v->kind == EF_V_IPV4)
        v->v.u = (uint32_t)u;
    r->ws->refs[index] = u;
    r->off += n;
    return 0;
}

static int decode_range(struct run *r, uint16_t first, uint16_t n, uint8_t depth);

/* One element (or the single value) of field `index`. */
static int decode_one(struct run *r, uint16_t index, const char *name, uint8_t depth)
{
    const struct ef_plan_op *o = &r->plan->ops[index];
    uint32_t field_off = r->off;
    struct ef_value *v = push(r, o, name, depth);
    uint32_t at;
    int rc;

    if (!v)
        return r->err;
    switch (o->op) {
    case EF_OP_STRUCT:
        at = r->ev->count - 1;
        v->count = o->field->struct_count;
        rc = decode_range(r, o->field->struct_first, o->field->struct_count, depth + 1);
        r->ws->values[at].span = r->ev->count - at - 1;
        return rc;
    case EF_OP_USTR:
    case EF_OP_ASTR:
    case EF_OP_USTR_COUNTED:
    case EF_OP_ASTR_COUNTED:
    case EF_OP_USTR_RCOUNTED:
    case EF_OP_ASTR_RCOUNTED:
    case EF_OP_USTR_REST:
    case EF_OP_ASTR_REST:
    case EF_OP_UCHAR:
    case EF_OP_ACHAR:
        rc = read_string(r, o, v, field_off);
        break;
    case EF_OP_BINARY:
    case EF_OP_COUNTED_BINARY:
    case EF_OP_HEXDUMP:
        rc = read_binary(r, o, v, field_off);
        break;
    case EF_OP_SID:
    case EF_OP_WBEMSID:
        rc = read_sid(r, o, v, field_off);
        break;
    case EF_OP_UNKNOWN:
        fail(r, o, field_off, EF_ENOTSUP, field_off);
        rc = EF_ENOTSUP;
        break;
    default:
        rc = read_scalar(r, o, v, field_off, index);
        break;
    }
    /* A value that holds nothing (a scalar that did not fit) is dropped. */
    if (rc < 0 && !(v->flags & EF_VAL_TRUNCATED))
        r->ev->count--;
    return rc;
}

static int decode_field(struct run *r, uint16_t index, uint8_t depth)
{
    const struct ef_plan_op *o = &r->plan->ops[index];
    const struct ef_field *f = o->field;
    uint64_t count, i;
    uint32_t at, before;
    struct ef_value *arr;
    int rc = 0;

    if (!o->is_array)
        return decode_one(r, index, f->name, depth);
    arr = push(r, o, f->name, depth);
    if (!arr)
        return r->err;
    arr->kind = EF_V_ARRAY;
    at = r->ev->count - 1;
    if (f->flags & EF_FIELD_COUNT_PREFIX) {
        if (!have(r, 2)) {
            fail(r, o, r->off, EF_ETRUNC, r->off);
            r->ev->count--;
            return EF_ETRUNC;
        }
        count = ef_le16(r->p + r->off);
        r->off += 2;
    } else if (f->flags & EF_FIELD_COUNT_REF) {
        count = r->ws->refs[f->count_ref];
    } else if (f->flags & EF_FIELD_COUNT_FIXED) {
        count = f->count;
    } else {
        count = UINT64_MAX; /* unbounded: until the payload ends */
    }
    for (i = 0; i < count; i++) {
        if (count == UINT64_MAX && r->off >= r->len)
            break;
        before = r->off;
        rc = decode_one(r, index, NULL, depth + 1);
        if (rc < 0)
            break;
        /* An unbounded array of elements that take no bytes would never end. */
        if (count == UINT64_MAX && r->off == before)
            break;
    }
    r->ws->values[at].count = (uint32_t)(i > UINT32_MAX ? UINT32_MAX : i);
    r->ws->values[at].span = r->ev->count - at - 1;
    return rc;
}

static int decode_range(struct run *r, uint16_t first, uint16_t n, uint8_t depth)
{
    uint32_t i;
    int rc;

    for (i = first; i < (uint32_t)first + n; i++) {
        rc = decode_field(r, (uint16_t)i, depth);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/*
 * The top-level fields. A schema flagged EF_SCHEMA_END_AT_FIELD (MOF) may
 * see its payload end exactly where a top-level field after the first
 * would start: the rest of the fields are absent, which is not an error.
 * Returns 1 when the payload ended so, 0 otherwise.
 */
static int decode_top(struct run *r)
{
    const struct ef_plan *p = r->plan;
    int may_end = (p->schema->flags & EF_SCHEMA_END_AT_FIELD) != 0;
    uint16_t i;

    for (i = 0; i < p->top_count; i++) {
        if (may_end && i > 0 && r->off == r->len)
            return 1;
        if (decode_field(r, i, 0) < 0)
            return 0;
    }
    return 0;
}

/*
 * An older layout decoding a newer record (EF_EVT_SCHEMA_FALLBACK) must say
 * when the payload does not end where that layout ends: fields missing, or
 * bytes left over. The decoded fields are kept either way. Left-over bytes
 * are not a decode error (newer versions usually append fields, so what was
 * decoded is right), but rest_offset says where they start, so a renderer
 * can show them instead of dropping them.
 */
static void check_fallback(struct run *r, int ended_early)
{
    struct ef_event *ev = r->ev;

    ev->flags |= EF_EVT_SCHEMA_FALLBACK;
    if (ended_early || r->err)
        ev->flags |= EF_EVT_LAYOUT_MISMATCH;
    if (!r->err && r->off < r->len) {
        ev->flags |= EF_EVT_LAYOUT_MISMATCH;
        ev->rest_offset = r->off;
    }
}

static int grow_refs(struct ef_plan_ws *ws, uint32_t n)
{
    uint64_t *nr;

    if (n <= ws->refs_cap)
        return 0;
    nr = realloc(ws->refs, (size_t)n * sizeof(*nr));
    if (!nr)
        return EF_ENOMEM;
    ws->refs = nr;
    ws->refs_cap = n;
    return 0;
}

int ef_plan_run(const struct ef_plan *p, const struct ef_record *rec, struct ef_plan_ws *ws,
                struct ef_event *ev)
{
    struct run r;
    uint32_t i;
    int rc, ended_early;

    memset(ev, 0, sizeof(*ev));
    ev->rec = rec;
    ev->schema = p->schema;
    ev->plan = p;
    ev->values = ws->values;
    ev->rest_offset = rec->user_data_len;
    ef_buf_reset(&ws->scratch);
    rc = grow_refs(ws, p->count ? p->count : 1);
    if (rc < 0) {
        ev->flags |= EF_EVT_DECODE_ERROR;
        ev->rest_offset = 0;
        return rc;
    }
    memset(ws->refs, 0, (size_t)p->count * sizeof(ws->refs[0]));
    memset(&r, 0, sizeof(r));
    r.plan = p;
    r.ws = ws;
    r.ev = ev;
    r.p = rec->user_data;
    r.len = rec->user_data ? rec->user_data_len : 0;
    r.ptr_size = rec->pointer_size == 4 ? 4 : 8;
    ended_early = decode_top(&r);
    if (p->fallback)
        check_fallback(&r, ended_early);
    ev->values = ws->values;
    for (i = 0; i < ev->count; i++) {
        struct ef_value *v = &ws->values[i];

        if (v->flags & EF_VAL_SCRATCH) {
            v->v.s.p = ws->scratch.data + (uintptr_t)v->v.s.p;
            v->flags &= (uint8_t)~EF_VAL_SCRATCH;
        }
    }
    return r.err;
}

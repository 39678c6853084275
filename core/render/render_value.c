/*
 * render_value.c - one decoded value as typed JSON, or as text.
 *
 * DESIGN: the JSON form keeps types (numbers stay numbers, GUIDs, times and
 * SIDs become their canonical strings, binary becomes hex) and resolves
 * maps while keeping the raw value: {"Value":1,"Name":"OPEN_EXISTING"}.
 * The text form is what a message template shows (%1 -> the map's name,
 * else the number). Both walk containers by their span, so the flat value
 * array is read once, front to back.
 */
#include "render/render_int.h"

#include "decode/plan.h"
#include "util/bytes.h"
#include "util/error.h"
#include "util/hex.h"
#include "util/sid.h"
#include "util/timefmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const std_levels[] = {"LogAlways", "Critical",    "Error",
                                         "Warning",   "Information", "Verbose"};

const char *ef_render_std_level(uint8_t level)
{
    return level < 6 ? std_levels[level] : NULL;
}

const char *ef_render_std_opcode(uint8_t opcode)
{
    static const char *const names[] = {"Info",      "Start", "Stop",   "DC_Start", "DC_Stop",
                                        "Extension", "Reply", "Resume", "Suspend",  "Send"};

    if (opcode < 10)
        return names[opcode];
    if (opcode == 240)
        return "Receive";
    return NULL;
}

static const struct ef_map_entry *value_entry(const struct ef_map *m, uint64_t v)
{
    uint32_t lo = 0, hi = m->count, i;

    /* Sources sort value maps; a linear scan covers a source that did not. */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (m->entries[mid].value == v)
            return &m->entries[mid];
        if (m->entries[mid].value < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (i = 0; i < m->count; i++) {
        if (m->entries[i].value == v)
            return &m->entries[i];
    }
    return NULL;
}

int ef_render_map_name(const struct ef_map *m, uint64_t v, struct ef_buf *b)
{
    uint64_t covered = 0, chosen[2] = {0, 0};
    const struct ef_map_entry *e;
    uint32_t i, best;
    int any = 0, rc = 0;

    if (m->kind != EF_MAP_BITMAP) {
        e = value_entry(m, v);
        return e && e->name ? ef_buf_append_str(b, e->name) : EF_ENOENT;
    }
    /* A bitmap: an exact entry first (ReadWrite = 3), then the largest entries
     * that add set bits, printed in map order ("ReadWrite, Delete"). At most
     * 128 entries take part; bitmaps are single bits and a few unions. */
    e = value_entry(m, v);
    if (e && e->name && v != 0)
        return ef_buf_append_str(b, e->name);
    for (;;) {
        best = UINT32_MAX;
        for (i = 0; i < m->count && i < 128; i++) {
            uint32_t ev = m->entries[i].value;

            if (ev == 0 || (v & ev) != ev || !(ev & ~covered) || (chosen[i / 64] >> (i % 64)) & 1)
                continue;
            if (best == UINT32_MAX || ev > m->entries[best].value)
                best = i;
        }
        if (best == UINT32_MAX)
            break;
        chosen[best / 64] |= 1ULL << (best % 64);
        covered |= m->entries[best].value;
    }
    for (i = 0; i < m->count && i < 128 && rc == 0; i++) {
        if (!((chosen[i / 64] >> (i % 64)) & 1) || !m->entries[i].name)
            continue;
        if (any)
            rc = ef_render_append(b, ", ", 2);
        if (rc == 0)
            rc = ef_buf_append_str(b, m->entries[i].name);
        any = 1;
    }
    if (rc < 0)
        return rc;
    return any ? 0 : EF_ENOENT;
}

/* Decimal text of a small number at p; returns the end. */
static char *put_dec(char *p, unsigned v)
{
    char tmp[12];
    size_t n = ef_render_fmt_u64(tmp + sizeof(tmp), v);

    memcpy(p, tmp + sizeof(tmp) - n, n);
    return p + n;
}

/* "%x" of a 16-bit group at p; returns the end. */
static char *put_hex16(char *p, unsigned v)
{
    static const char xd[] = "0123456789abcdef";
    int shift = v >= 0x1000 ? 12 : v >= 0x100 ? 8 : v >= 0x10 ? 4 : 0;

    for (; shift >= 0; shift -= 4)
        *p++ = xd[(v >> shift) & 15];
    return p;
}

/* RFC 5952 text of 16 bytes into out (at least 40 bytes); returns its length. */
static size_t fmt_ipv6(const uint8_t *a, char *out)
{
    int best = -1, best_len = 0, i, j;
    uint16_t w[8];
    char *p = out;

    for (i = 0; i < 8; i++)
        w[i] = (uint16_t)((a[2 * i] << 8) | a[2 * i + 1]);
    /* The longest run of two or more zero groups becomes "::". */
    for (i = 0; i < 8; i = j + 1) {
        for (j = i; j < 8 && w[j] == 0; j++)
            ;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
    }
    for (i = 0; i < 8; i++) {
        if (i == best) {
            *p++ = ':', *p++ = ':';
            i += best_len - 1;
            continue;
        }
        if (i && i != best + best_len)
            *p++ = ':';
        p = put_hex16(p, w[i]);
    }
    return (size_t)(p - out);
}

/* "a.b.c.d" of four bytes at p; returns the end. */
static char *put_ipv4(char *p, const uint8_t b[4])
{
    int i;

    for (i = 0; i < 4; i++) {
        if (i)
            *p++ = '.';
        p = put_dec(p, b[i]);
    }
    return p;
}

/* A value as display text into b (IP addresses, SOCKADDRs), without printf. */
static void fmt_special(const struct ef_value *v, struct ef_buf *b)
{
    char s[64], *e;
    const uint8_t *p = (const uint8_t *)v->v.s.p;
    uint8_t q[4];

    switch (v->kind) {
    case EF_V_IPV4:
        q[0] = (uint8_t)v->v.u, q[1] = (uint8_t)(v->v.u >> 8);
        q[2] = (uint8_t)(v->v.u >> 16), q[3] = (uint8_t)(v->v.u >> 24);
        e = put_ipv4(s, q);
        ef_render_append(b, s, (size_t)(e - s));
        return;
    case EF_V_IPV6:
        if (v->v.s.len == 16)
            ef_render_append(b, s, fmt_ipv6(p, s));
        else
            ef_hex_append(b, p, v->v.s.len);
        return;
    case EF_V_SOCKADDR:
        if (v->v.s.len >= 8 && ef_le16(p) == 2) {
            e = put_ipv4(s, p + 4);
            *e++ = ':';
            e = put_dec(e, (unsigned)((p[2] << 8) | p[3]));
            ef_render_append(b, s, (size_t)(e - s));
            return;
        }
        if (v->v.s.len >= 24 && ef_le16(p) == 23) {
            s[0] = '[';
            e = s + 1 + fmt_ipv6(p + 8, s + 1);
            *e++ = ']', *e++ = ':';
            e = put_dec(e, (unsigned)((p[2] << 8) | p[3]));
            ef_render_append(b, s, (size_t)(e - s));
            return;
        }
        ef_hex_append(b, p, v->v.s.len);
        return;
    default:
        return;
    }
}

static void fmt_double(const struct ef_value *v, char out[40])
{
    int single = v->field && v->field->intype == EF_IN_FLOAT, prec;

    for (prec = single ? 6 : 15; prec <= 17; prec++) {
        snprintf(out, 40, "%.*g", prec, v->v.d);
        if (single ? (float)strtod(out, NULL) == (float)v->v.d : strtod(out, NULL) == v->v.d)
            return;
    }
}

static int has_map(const struct ef_value *v)
{
    return v->field && v->field->map && (v->kind == EF_V_UINT || v->kind == EF_V_INT);
}

static void render_integer(struct ef_renderer *r, const struct ef_value *v)
{
    int is64 = (v->flags & EF_VAL_64BIT) != 0;

    if (v->flags & EF_VAL_HEX) {
        ef_render_hex(r, v->v.u);
        return;
    }
    if (v->outtype == EF_OUT_NTSTATUS || v->outtype == EF_OUT_HRESULT) {
        ef_render_status(r, (uint32_t)v->v.u);
        return;
    }
    if (v->kind == EF_V_INT)
        ef_render_i64(r, v->v.i, is64);
    else
        ef_render_u64(r, v->v.u, is64);
}

static void render_scalar(struct ef_renderer *r, const struct ef_value *v)
{
    char s[48];

    switch (v->kind) {
    case EF_V_INT:
    case EF_V_UINT:
        render_integer(r, v);
        break;
    case EF_V_DOUBLE:
        if (isnan(v->v.d))
            ef_render_str(r, "NaN");
        else if (isinf(v->v.d))
            ef_render_str(r, v->v.d > 0 ? "Infinity" : "-Infinity");
        else {
            fmt_double(v, s);
            ef_jw_number(&r->jw, s, strlen(s));
        }
        break;
    case EF_V_BOOL:
        ef_jw_bool(&r->jw, v->v.u != 0);
        break;
    case EF_V_STRING:
        ef_jw_string(&r->jw, v->v.s.p, v->v.s.len);
        break;
    case EF_V_GUID:
        ef_render_guid(r, &v->v.guid);
        break;
    case EF_V_FILETIME:
        ef_render_filetime(r, v->v.u);
        break;
    case EF_V_SYSTIME: {
        char t[EF_TIME_STR_SIZE];

        if (ef_systemtime_format(&v->v.st, t) < 0)
            ef_jw_null(&r->jw);
        else
            ef_jw_plain(&r->jw, t, strlen(t));
        break;
    }
    case EF_V_SID:
        ef_render_sid(r, v->v.s.p, v->v.s.len);
        break;
    case EF_V_BINARY:
        ef_render_binary(r, v->v.s.p, v->v.s.len);
        break;
    default:
        ef_buf_reset(&r->text);
        fmt_special(v, &r->text);
        ef_jw_plain(&r->jw, (r->text.data ? r->text.data : ""), r->text.len);
        break;
    }
}

/*
 * What a field's pre-escaped key needs, checked once per event instead of
 * once per field: the plan's key text and ops, and the schema's field array
 * that a value's field pointer must fall in (enrichment values and renamed
 * values take the plain path).
 */
struct keys {
    const char *text; /* NULL: no pre-escaped keys for this event */
    const struct ef_plan_op *ops;
    const struct ef_field *fields;
    uint32_t count;
};

static void keys_init(const struct ef_event *ev, struct keys *k)
{
    const struct ef_plan *p = ev->plan;

    k->text = NULL;
    k->ops = NULL;
    k->fields = NULL;
    k->count = 0;
    if (p && p->keys && p->schema == ev->schema && p->schema) {
        k->text = p->keys;
        k->ops = p->ops;
        k->fields = p->schema->fields;
        k->count = p->count;
    }
}

static void value_key(struct ef_renderer *r, const struct keys *k, const struct ef_value *v)
{
    /* Integer arithmetic: comparing pointers into different arrays is undefined. */
    uintptr_t at = (uintptr_t)v->field - (uintptr_t)k->fields, i = at / sizeof(*v->field);

    if (k->text && i < k->count && at % sizeof(*v->field) == 0 && v->name == v->field->name) {
        const struct ef_plan_op *op = &k->ops[i];

        ef_jw_key_raw(&r->jw, k->text + op->key_off, op->key_len);
        return;
    }
    ef_render_key(r, v->name);
}

/*
 * A leaf as a JSON string (event_data_strings): what is not a string in
 * typed JSON (numbers, booleans, map values) takes the text TDH would show.
 */
static void leaf_string(struct ef_renderer *r, const struct ef_value *v)
{
    char s[48];
    size_t n;

    switch (v->kind) {
    case EF_V_INT:
    case EF_V_UINT:
        if (has_map(v)) {
            ef_buf_reset(&r->text);
            if (ef_render_map_name(v->field->map, v->v.u, &r->text) == 0) {
                ef_render_text(r, r->text.data, r->text.len);
                return;
            }
        }
        if (v->flags & EF_VAL_HEX || v->outtype == EF_OUT_NTSTATUS ||
            v->outtype == EF_OUT_HRESULT) {
            render_integer(r, v); /* already a string */
            return;
        }
        if (v->kind == EF_V_INT && v->v.i < 0) {
            n = ef_render_fmt_u64(s + sizeof(s), (uint64_t)0 - (uint64_t)v->v.i);
            s[sizeof(s) - ++n] = '-';
        } else {
            n = ef_render_fmt_u64(s + sizeof(s), v->v.u);
        }
        ef_jw_plain(&r->jw, s + sizeof(s) - n, n);
        return;
    case EF_V_DOUBLE:
        if (isnan(v->v.d) || isinf(v->v.d))
            break;
        fmt_double(v, s);
        ef_jw_plain(&r->jw, s, strlen(s));
        return;
    case EF_V_BOOL:
        ef_jw_plain(&r->jw, v->v.u ? "true" : "false", v->v.u ? 4 : 5);
        return;
    default:
        break;
    }
    render_scalar(r, v);
}

static uint32_t value(struct ef_renderer *r, const struct ef_event *ev, const struct keys *k,
                      uint32_t i)
{
    const struct ef_value *v = &ev->values[i];
    uint32_t end = i + 1 + v->span, j;

    if (v->kind == EF_V_STRUCT) {
        ef_jw_map_open(&r->jw);
        for (j = i + 1; j < end;) {
            value_key(r, k, &ev->values[j]);
            j = value(r, ev, k, j);
        }
        ef_jw_map_close(&r->jw);
        return end;
    }
    if (v->kind == EF_V_ARRAY) {
        ef_jw_array_open(&r->jw);
        for (j = i + 1; j < end;)
            j = value(r, ev, k, j);
        ef_jw_array_close(&r->jw);
        return end;
    }
    if (r->opts.event_data_strings) {
        leaf_string(r, v);
        return end;
    }
    if (has_map(v)) {
        ef_jw_map_open(&r->jw);
        EF_JW_KEY(&r->jw, "Value");
        render_integer(r, v);
        ef_buf_reset(&r->text);
        if (ef_render_map_name(v->field->map, v->v.u, &r->text) == 0) {
            EF_JW_KEY(&r->jw, "Name");
            ef_render_text(r, r->text.data, r->text.len);
        }
        ef_jw_map_close(&r->jw);
        return end;
    }
    render_scalar(r, v);
    return end;
}

uint32_t ef_render_value(struct ef_renderer *r, const struct ef_event *ev, uint32_t i)
{
    struct keys k;

    keys_init(ev, &k);
    return value(r, ev, &k, i);
}

void ef_render_fields(struct ef_renderer *r, const struct ef_event *ev)
{
    struct keys k;
    uint32_t i;

    keys_init(ev, &k);
    for (i = 0; i < ev->count;) {
        value_key(r, &k, &ev->values[i]);
        i = value(r, ev, &k, i);
    }
}

/* "0x%llX" without printf: messages show pointers and ids in most events. */
static void text_hex(uint64_t v, struct ef_buf *b)
{
    char tmp[20] = {'0', 'x'};

    ef_render_append(b, tmp, 2 + ef_render_fmt_hex(tmp + 2, v));
}

static void text_int(int64_t v, int is_signed, struct ef_buf *b)
{
    char tmp[24];
    uint64_t mag = is_signed && v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = ef_render_fmt_u64(tmp + sizeof(tmp), mag);

    if (is_signed && v < 0)
        tmp[sizeof(tmp) - ++n] = '-';
    ef_render_append(b, tmp + sizeof(tmp) - n, n);
}

static void text_scalar(const struct ef_value *v, struct ef_buf *b)
{
    char s[EF_SID_STR_SIZE];

    switch (v->kind) {
    case EF_V_INT:
        if (v->flags & EF_VAL_HEX)
            text_hex(v->v.u, b);
        else
            text_int(v->v.i, 1, b);
        break;
    case EF_V_UINT:
        if (v->flags & EF_VAL_HEX || v->outtype == EF_OUT_NTSTATUS || v->outtype == EF_OUT_HRESULT)
            text_hex(v->v.u, b);
        else
            text_int((int64_t)v->v.u, 0, b);
        break;
    case EF_V_DOUBLE:
        fmt_double(v, s);
        ef_buf_append_str(b, s);
        break;
    case EF_V_BOOL:
        ef_buf_append_str(b, v->v.u ? "true" : "false");
        break;
    case EF_V_STRING:
        ef_render_append(b, v->v.s.p, v->v.s.len);
        break;
    case EF_V_GUID:
        ef_render_append(b, s, ef_render_fmt_guid(s, &v->v.guid));
        break;
    case EF_V_FILETIME:
        if (ef_filetime_format(v->v.u, s) == 0)
            ef_buf_append_str(b, s);
        break;
    case EF_V_SYSTIME:
        if (ef_systemtime_format(&v->v.st, s) == 0)
            ef_buf_append_str(b, s);
        break;
    case EF_V_SID:
        if (v->v.s.len && ef_sid_format(v->v.s.p, v->v.s.len, s, NULL) == 0)
            ef_buf_append_str(b, s);
        break;
    case EF_V_BINARY:
        ef_render_append(b, "0x", 2);
        ef_hex_append(b, v->v.s.p, v->v.s.len);
        break;
    default:
        fmt_special(v, b);
        break;
    }
}

uint32_t ef_render_value_text(const struct ef_event *ev, uint32_t i, struct ef_buf *b)
{
    const struct ef_value *v = &ev->values[i];
    uint32_t end = i + 1 + v->span, j;
    int first = 1;

    if (v->kind == EF_V_STRUCT || v->kind == EF_V_ARRAY) {
        for (j = i + 1; j < end; first = 0) {
            if (!first)
                ef_render_append(b, ", ", 2);
            j = ef_render_value_text(ev, j, b);
        }
        return end;
    }
    if (has_map(v) && ef_render_map_name(v->field->map, v->v.u, b) == 0)
        return end;
    text_scalar(v, b);
    return end;
}

/*
 * test_decode_plan.c - the plan compiler and interpreter on hand-built
 * schemas: every InType, out types that change the value, strings in all
 * their length forms, arrays, structs, and payloads that lie.
 */
#include "runner.h"

#include "decode_fixture.h"
#include "decode/plan.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

struct decoded {
    struct ef_plan *plan;
    struct ef_plan_ws ws;
    struct ef_event ev;
    struct ef_record rec;
    struct ef_schema schema;
    int rc;
};

static void decode(struct decoded *d, const struct ef_field *fields, uint16_t n, uint16_t top,
                   const struct fx_payload *p, uint8_t ptr_size)
{
    memset(d, 0, sizeof(*d));
    d->schema.provider = &fx_provider;
    d->schema.fields = fields;
    d->schema.field_count = n;
    d->schema.top_count = top;
    ck_assert_int_eq(ef_plan_compile(&d->schema, &d->plan), 0);
    fx_record(&d->rec, 1, p);
    d->rec.pointer_size = ptr_size;
    ef_plan_ws_init(&d->ws, 1000);
    d->rc = ef_plan_run(d->plan, &d->rec, &d->ws, &d->ev);
}

static void done(struct decoded *d)
{
    ef_plan_free(d->plan);
    ef_plan_ws_free(&d->ws);
}

struct scalar_case {
    uint16_t intype, outtype;
    uint8_t bytes[16];
    uint8_t len;
    uint8_t ptr_size;
    uint8_t kind;
    uint64_t want; /* v.u (v.i as bits) */
    uint8_t flags;
};

static const struct scalar_case scalar_cases[] = {
    {EF_IN_INT8, 0, {0xFE}, 1, 8, EF_V_INT, (uint64_t)-2, 0},
    {EF_IN_UINT8, 0, {0xFE}, 1, 8, EF_V_UINT, 254, 0},
    {EF_IN_INT16, 0, {0xCD, 0xFF}, 2, 8, EF_V_INT, (uint64_t)-51, 0},
    {EF_IN_UINT16, 0, {0x33, 0x00}, 2, 8, EF_V_UINT, 51, 0},
    {EF_IN_INT32, 0, {0x9A, 0xFF, 0xFF, 0xFF}, 4, 8, EF_V_INT, (uint64_t)-102, 0},
    {EF_IN_UINT32, 0, {0x66, 0, 0, 0}, 4, 8, EF_V_UINT, 102, 0},
    {EF_IN_INT64,
     0,
     {0x34, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
     8,
     8,
     EF_V_INT,
     (uint64_t)-204,
     EF_VAL_64BIT},
    {EF_IN_UINT64,
     0,
     {0xCC, 0, 0, 0, 0, 0, 0, 0x80},
     8,
     8,
     EF_V_UINT,
     0x80000000000000CCULL,
     EF_VAL_64BIT},
    {EF_IN_BOOLEAN, 0, {0x02, 0, 0, 0}, 4, 8, EF_V_BOOL, 1, 0},
    {EF_IN_BOOLEAN, 0, {0, 0, 0, 0}, 4, 8, EF_V_BOOL, 0, 0},
    {EF_IN_UINT8, EF_OUT_BOOLEAN, {0x01}, 1, 8, EF_V_BOOL, 1, 0},
    {EF_IN_POINTER, 0, {1, 2, 3, 4}, 4, 4, EF_V_UINT, 0x04030201, EF_VAL_HEX},
    {EF_IN_POINTER,
     0,
     {1, 2, 3, 4, 5, 6, 7, 8},
     8,
     8,
     EF_V_UINT,
     0x0807060504030201ULL,
     EF_VAL_HEX | EF_VAL_64BIT},
    {EF_IN_SIZET, 0, {0x10, 0, 0, 0}, 4, 4, EF_V_UINT, 16, 0},
    {EF_IN_HEXINT32, 0, {0xEF, 0xBE, 0xAD, 0xDE}, 4, 8, EF_V_UINT, 0xDEADBEEF, EF_VAL_HEX},
    {EF_IN_UINT32, EF_OUT_HEXINT32, {0x10, 0, 0, 0}, 4, 8, EF_V_UINT, 16, EF_VAL_HEX},
    {EF_IN_UINT32, EF_OUT_IPV4, {192, 168, 1, 20}, 4, 8, EF_V_IPV4, 0x1401A8C0, 0},
    {EF_IN_UINT16, EF_OUT_PORT, {0x01, 0xBB}, 2, 8, EF_V_UINT, 443, 0},
    {EF_IN_UINT32, EF_OUT_NTSTATUS, {0x22, 0, 0, 0xC0}, 4, 8, EF_V_UINT, 0xC0000022, 0},
    {EF_IN_FILETIME,
     0,
     {0x87, 0xD6, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00},
     8,
     8,
     EF_V_FILETIME,
     0x12D687,
     0},
};

START_TEST(scalar_table)
{
    const struct scalar_case *c = &scalar_cases[_i];
    struct ef_field f = {"v", c->intype, c->outtype};
    struct fx_payload p = {{0}, 0};
    struct decoded d;

    fx_bytes(&p, c->bytes, c->len);
    decode(&d, &f, 1, 1, &p, c->ptr_size);
    ck_assert_int_eq(d.rc, 0);
    ck_assert_uint_eq(d.ev.count, 1);
    ck_assert_uint_eq(d.ev.values[0].kind, c->kind);
    ck_assert_msg(d.ev.values[0].v.u == c->want, "case %d: %llx, want %llx", _i,
                  (unsigned long long)d.ev.values[0].v.u, (unsigned long long)c->want);
    ck_assert_uint_eq(d.ev.values[0].flags, c->flags);
    ck_assert_str_eq(d.ev.values[0].name, "v");
    done(&d);

    /* One byte short: no value, a decode error at offset 0, the rest kept. */
    p.len = c->len - 1;
    decode(&d, &f, 1, 1, &p, c->ptr_size);
    ck_assert_int_eq(d.rc, EF_ETRUNC);
    ck_assert_uint_eq(d.ev.count, 0);
    ck_assert(d.ev.flags & EF_EVT_DECODE_ERROR);
    ck_assert_str_eq(d.ev.error_field, "v");
    ck_assert_uint_eq(d.ev.rest_offset, 0);
    done(&d);
}
END_TEST

START_TEST(floats_guid_times)
{
    static const struct ef_field f[] = {
        {"f", EF_IN_FLOAT},
        {"d", EF_IN_DOUBLE},
        {"g", EF_IN_GUID},
        {"st", EF_IN_SYSTEMTIME},
    };
    static const uint8_t guid[16] = {0x0a, 0xf9, 0x5e, 0xdd, 0x98, 0x63, 0xa4, 0x47,
                                     0xad, 0x34, 0x4d, 0xce, 0xcd, 0xef, 0x79, 0x5f};
    struct fx_payload p = {{0}, 0};
    struct decoded d;
    float fl = 1.5f;
    double db = -2.25;

    fx_bytes(&p, &fl, 4);
    fx_bytes(&p, &db, 8);
    fx_bytes(&p, guid, 16);
    fx_u16(&p, 2021), fx_u16(&p, 9), fx_u16(&p, 4), fx_u16(&p, 9);
    fx_u16(&p, 14), fx_u16(&p, 59), fx_u16(&p, 35), fx_u16(&p, 30);
    decode(&d, f, 4, 4, &p, 8);
    ck_assert_int_eq(d.rc, 0);
    ck_assert_uint_eq(d.ev.count, 4);
    ck_assert(d.ev.values[0].v.d == 1.5);
    ck_assert(d.ev.values[1].v.d == -2.25);
    ck_assert_uint_eq(d.ev.values[2].v.guid.data1, 0xdd5ef90a);
    ck_assert_uint_eq(d.ev.values[3].v.st.year, 2021);
    ck_assert_uint_eq(d.ev.values[3].v.st.milliseconds, 30);
    done(&d);
}
END_TEST

struct string_case {
    uint16_t intype, outtype, flags, length;
    uint8_t payload[24];
    uint8_t len;
    int rc;
    const char *want; /* NULL: no value */
    uint32_t rest;    /* where decoding stopped (the next field's offset) */
};

static const struct string_case string_cases[] = {
    /* UTF-16, NUL-terminated: the NUL is consumed. */
    {EF_IN_UNICODESTRING, 0, 0, 0, {'H', 0, 'i', 0, 0, 0, 7}, 7, 0, "Hi", 6},
    /* Unterminated at the end of the payload: not an error. */
    {EF_IN_UNICODESTRING, 0, 0, 0, {'H', 0, 'i', 0}, 4, 0, "Hi", 4},
    /* An odd trailing byte is left for the next field. */
    {EF_IN_UNICODESTRING, 0, 0, 0, {'H', 0, 'i'}, 3, 0, "H", 2},
    /* Fixed length in chars; an embedded NUL ends the text, not the field. */
    {EF_IN_UNICODESTRING, 0, EF_FIELD_LENGTH_FIXED, 3, {'A', 0, 0, 0, 'x', 0, 9}, 7, 0, "A", 6},
    /* A fixed length past the payload: what is there, marked, an error. */
    {EF_IN_UNICODESTRING, 0, EF_FIELD_LENGTH_FIXED, 4, {'A', 0, 'B', 0}, 4, EF_ETRUNC, "AB", 4},
    {EF_IN_ANSISTRING, 0, 0, 0, {'a', 'b', 0, 'c'}, 4, 0, "ab", 3},
    {EF_IN_ANSISTRING, 0, 0, 0, {'a', 0xE9, 0}, 3, 0, "a\xEF\xBF\xBD", 3},
    {EF_IN_ANSISTRING, 0, 0, 0, {0xC3, 0xA9, 0}, 3, 0, "\xC3\xA9", 3},
    {EF_IN_COUNTEDSTRING, 0, 0, 0, {4, 0, 'O', 0, 'K', 0, 1}, 7, 0, "OK", 6},
    {EF_IN_MANIFEST_COUNTEDSTRING, 0, 0, 0, {4, 0, 'O', 0, 'K', 0}, 6, 0, "OK", 6},
    {EF_IN_COUNTEDSTRING, 0, 0, 0, {0xFF, 0x7F, 'O', 0}, 4, EF_ETRUNC, "O", 4},
    {EF_IN_COUNTEDSTRING, 0, 0, 0, {4}, 1, EF_ETRUNC, NULL, 0},
    {EF_IN_REVERSEDCOUNTEDSTRING, 0, 0, 0, {0, 4, 'O', 0, 'K', 0}, 6, 0, "OK", 6},
    {EF_IN_COUNTEDANSISTRING, 0, 0, 0, {2, 0, 'o', 'k', 'z'}, 5, 0, "ok", 4},
    {EF_IN_REVERSEDCOUNTEDANSISTRING, 0, 0, 0, {0, 2, 'o', 'k'}, 4, 0, "ok", 4},
    {EF_IN_NONNULLTERMINATEDSTRING, 0, 0, 0, {'a', 0, 'b', 0}, 4, 0, "ab", 4},
    {EF_IN_NONNULLTERMINATEDANSISTRING, 0, 0, 0, {'a', 'b', 'c'}, 3, 0, "abc", 3},
    {EF_IN_UNICODECHAR, 0, 0, 0, {'Z', 0, 'q'}, 3, 0, "Z", 2},
    {EF_IN_ANSICHAR, 0, 0, 0, {'Z', 'q'}, 2, 0, "Z", 1},
    {EF_IN_UINT8, EF_OUT_STRING, 0, 0, {'M'}, 1, 0, "M", 1},
    {EF_IN_UNICODESTRING, 0, 0, 0, {0}, 0, 0, "", 0},
};

START_TEST(string_table)
{
    const struct string_case *c = &string_cases[_i];
    struct ef_field f = {"s", c->intype, c->outtype, c->flags, 0, 0, c->length};
    struct fx_payload p = {{0}, 0};
    struct decoded d;

    fx_bytes(&p, c->payload, c->len);
    decode(&d, &f, 1, 1, &p, 8);
    ck_assert_msg(d.rc == c->rc, "case %d: rc %d", _i, d.rc);
    if (c->want) {
        ck_assert_uint_eq(d.ev.count, 1);
        ck_assert_uint_eq(d.ev.values[0].kind, EF_V_STRING);
        ck_assert_uint_eq(d.ev.values[0].v.s.len, strlen(c->want));
        ck_assert_msg(memcmp(d.ev.values[0].v.s.p, c->want, strlen(c->want)) == 0, "case %d", _i);
        ck_assert_int_eq(!!(d.ev.values[0].flags & EF_VAL_TRUNCATED), c->rc == EF_ETRUNC);
    } else {
        ck_assert_uint_eq(d.ev.count, 0);
    }
    if (c->rc == 0) {
        /* A second field shows where the cursor stopped. */
        struct ef_field two[2] = {f, {"rest", EF_IN_BINARY}};

        done(&d);
        decode(&d, two, 2, 2, &p, 8);
        ck_assert_uint_eq(d.ev.count, 2);
        ck_assert_msg(d.ev.values[1].v.s.len == c->len - c->rest, "case %d: rest %u", _i,
                      d.ev.values[1].v.s.len);
    } else {
        ck_assert_uint_eq(d.ev.rest_offset, c->rest);
    }
    done(&d);
}
END_TEST

START_TEST(length_and_count_refs)
{
    /* Len, Data[Len] (binary), N, Items[N] (u16), Name (fixed 2 chars). */
    static const struct ef_field f[] = {
        {"Len", EF_IN_UINT32},
        {"Data", EF_IN_BINARY, 0, EF_FIELD_LENGTH_REF, 0, 0, 0, 0},
        {"N", EF_IN_UINT8},
        {"Items", EF_IN_UINT16, 0, EF_FIELD_COUNT_REF, 0, 2},
        {"Name", EF_IN_UNICODESTRING, 0, EF_FIELD_LENGTH_FIXED, 0, 0, 2},
    };
    struct fx_payload p = {{0}, 0};
    struct decoded d;

    fx_u32(&p, 3);
    fx_bytes(&p, "\x01\x02\x03", 3);
    fx_u8(&p, 2);
    fx_u16(&p, 7), fx_u16(&p, 9);
    fx_wstr(&p, "ok", 0);
    decode(&d, f, 5, 5, &p, 8);
    ck_assert_int_eq(d.rc, 0);
    ck_assert_uint_eq(d.ev.count, 7);
    ck_assert_uint_eq(d.ev.values[1].kind, EF_V_BINARY);
    ck_assert_uint_eq(d.ev.values[1].v.s.len, 3);
    ck_assert_uint_eq(d.ev.values[3].kind, EF_V_ARRAY);
    ck_assert_uint_eq(d.ev.values[3].count, 2);
    ck_assert_uint_eq(d.ev.values[3].span, 2);
    ck_assert_uint_eq(d.ev.values[4].v.u, 7);
    ck_assert_uint_eq(d.ev.values[4].depth, 1);
    ck_assert_ptr_null(d.ev.values[4].name);
    ck_assert_uint_eq(d.ev.values[5].v.u, 9);
    ck_assert_uint_eq(d.ev.values[6].v.s.len, 2);
    done(&d);

    /* A lying length: Data keeps what is there, is marked, the event is flagged. */
    p.len = 0;
    fx_u32(&p, 1000);
    fx_bytes(&p, "\x01\x02", 2);
    decode(&d, f, 5, 5, &p, 8);
    ck_assert_int_eq(d.rc, EF_ETRUNC);
    ck_assert_uint_eq(d.ev.count, 2);
    ck_assert(d.ev.values[1].flags & EF_VAL_TRUNCATED);
    ck_assert_uint_eq(d.ev.values[1].v.s.len, 2);
    ck_assert_str_eq(d.ev.error_field, "Data");
    ck_assert_uint_eq(d.ev.error_offset, 4);
    done(&d);
}
END_TEST

START_TEST(structs_and_unbounded_arrays)
{
    /* Count, Pairs[Count] of {A u8, B ustr}, Tail u32[] (to the end). */
    static const struct ef_field f[] = {
        {"Count", EF_IN_UINT16},
        {"Pairs", 0, 0, EF_FIELD_STRUCT | EF_FIELD_COUNT_REF, 0, 0, 0, 0, 3, 2},
        {"Tail", EF_IN_UINT32, 0, EF_FIELD_ARRAY_UNBOUNDED},
        {"A", EF_IN_UINT8},
        {"B", EF_IN_UNICODESTRING},
    };
    struct fx_payload p = {{0}, 0};
    struct decoded d;

    fx_u16(&p, 2);
    fx_u8(&p, 1), fx_wstr(&p, "x", 1);
    fx_u8(&p, 2), fx_wstr(&p, "yz", 1);
    fx_u32(&p, 10), fx_u32(&p, 11);
    decode(&d, f, 5, 3, &p, 8);
    ck_assert_int_eq(d.rc, 0);
    /* Count, Pairs[ {A,B}, {A,B} ], Tail[10, 11] */
    ck_assert_uint_eq(d.ev.count, 1 + 1 + 2 * 3 + 1 + 2);
    ck_assert_uint_eq(d.ev.values[1].kind, EF_V_ARRAY);
    ck_assert_uint_eq(d.ev.values[1].span, 6);
    ck_assert_uint_eq(d.ev.values[2].kind, EF_V_STRUCT);
    ck_assert_uint_eq(d.ev.values[2].span, 2);
    ck_assert_str_eq(d.ev.values[3].name, "A");
    ck_assert_uint_eq(d.ev.values[3].depth, 2);
    ck_assert_uint_eq(d.ev.values[7].v.s.len, 2);
    ck_assert_uint_eq(d.ev.values[8].kind, EF_V_ARRAY);
    ck_assert_uint_eq(d.ev.values[8].count, 2);
    ck_assert_uint_eq(d.ev.values[10].v.u, 11);
    done(&d);

    /* The struct array's count lies: the second element ends early. */
    p.len = 0;
    fx_u16(&p, 5);
    fx_u8(&p, 1), fx_wstr(&p, "x", 1);
    fx_u8(&p, 2);
    decode(&d, f, 5, 3, &p, 8);
    ck_assert(d.ev.flags & EF_EVT_DECODE_ERROR);
    /* B of the second element is an empty string at the payload end; A of the third fails. */
    ck_assert_str_eq(d.ev.error_field, "A");
    ck_assert_uint_eq(d.ev.values[1].span, d.ev.count - 2);
    done(&d);
}
END_TEST

START_TEST(sids_and_binary)
{
    static const uint8_t sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}; /* S-1-5-18 */
    static const struct ef_field f[] = {
        {"Sid", EF_IN_SID},      {"User", EF_IN_WBEMSID},
        {"Null", EF_IN_WBEMSID}, {"Addr", EF_IN_BINARY, EF_OUT_IPV6},
        {"Dump", EF_IN_HEXDUMP}, {"Cb", EF_IN_MANIFEST_COUNTEDBINARY},
    };
    struct fx_payload p = {{0}, 0};
    struct decoded d;

    fx_bytes(&p, sid, 12);
    fx_u64(&p, 0xFFFF8000AAAA0000ULL), fx_u64(&p, 0); /* TOKEN_USER */
    fx_bytes(&p, sid, 12);
    fx_u32(&p, 0); /* NULL SID */
    fx_bytes(&p, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
    fx_u32(&p, 2), fx_bytes(&p, "\xAB\xCD", 2);
    fx_u16(&p, 1), fx_u8(&p, 0xEE);
    decode(&d, f, 6, 6, &p, 8);
    ck_assert_int_eq(d.rc, 0);
    ck_assert_uint_eq(d.ev.count, 6);
    ck_assert_uint_eq(d.ev.values[0].v.s.len, 12);
    ck_assert_uint_eq(d.ev.values[1].v.s.len, 12);
    ck_assert_uint_eq(d.ev.values[2].v.s.len, 0);
    ck_assert_uint_eq(d.ev.values[3].kind, EF_V_IPV6);
    ck_assert_uint_eq(d.ev.values[4].v.s.len, 2);
    ck_assert_uint_eq(d.ev.values[5].v.s.len, 1);
    done(&d);

    /* A SID whose sub-authority count runs past the payload. */
    p.len = 0;
    fx_bytes(&p, "\x01\x05\0\0\0\0\0\x05\x12\0\0\0", 12);
    decode(&d, f, 1, 1, &p, 8);
    ck_assert_int_eq(d.rc, EF_ETRUNC);
    ck_assert_uint_eq(d.ev.count, 0);
    done(&d);
}
END_TEST

struct bad_case {
    struct ef_field f[3];
    uint16_t n, top;
};

static const struct bad_case bad_cases[] = {
    /* A struct whose members lie before it (would recurse). */
    {{{"S", 0, 0, EF_FIELD_STRUCT, 0, 0, 0, 0, 0, 1}}, 1, 1},
    /* A struct whose members run past the array. */
    {{{"S", 0, 0, EF_FIELD_STRUCT, 0, 0, 0, 0, 1, 5}, {"a", EF_IN_UINT8}}, 2, 1},
    /* A count from a later field. */
    {{{"A", EF_IN_UINT8, 0, EF_FIELD_COUNT_REF, 0, 1}, {"N", EF_IN_UINT8}}, 2, 2},
    /* A length from itself. */
    {{{"A", EF_IN_BINARY, 0, EF_FIELD_LENGTH_REF, 0, 0, 0, 0}}, 1, 1},
    /* More top-level fields than fields. */
    {{{"A", EF_IN_UINT8}}, 1, 2},
};

START_TEST(bad_schema_table)
{
    const struct bad_case *c = &bad_cases[_i];
    struct ef_schema s;
    struct ef_plan *plan = (struct ef_plan *)1;

    memset(&s, 0, sizeof(s));
    s.fields = c->f;
    s.field_count = c->n;
    s.top_count = c->top;
    ck_assert_int_eq(ef_plan_compile(&s, &plan), EF_EFORMAT);
    ck_assert_ptr_null(plan);
}
END_TEST

START_TEST(unknown_intype_stops_there)
{
    static const struct ef_field f[] = {{"a", EF_IN_UINT8}, {"odd", 999}, {"b", EF_IN_UINT8}};
    struct fx_payload p = {{0}, 0};
    struct decoded d;

    fx_u8(&p, 1), fx_u8(&p, 2), fx_u8(&p, 3);
    decode(&d, f, 3, 3, &p, 8);
    ck_assert_int_eq(d.rc, EF_ENOTSUP);
    ck_assert_uint_eq(d.ev.count, 1);
    ck_assert_str_eq(d.ev.error_field, "odd");
    ck_assert_uint_eq(d.ev.rest_offset, 1);
    done(&d);
}
END_TEST

START_TEST(value_cap_truncates)
{
    static const struct ef_field f[] = {{"a", EF_IN_UINT8, 0, EF_FIELD_ARRAY_UNBOUNDED}};
    struct fx_payload p = {{0}, 0};
    struct ef_plan_ws ws;
    struct ef_schema s;
    struct ef_plan *plan;
    struct ef_record rec;
    struct ef_event ev;
    int i;

    for (i = 0; i < 100; i++)
        fx_u8(&p, (uint8_t)i);
    memset(&s, 0, sizeof(s));
    s.fields = f;
    s.field_count = s.top_count = 1;
    ck_assert_int_eq(ef_plan_compile(&s, &plan), 0);
    fx_record(&rec, 1, &p);
    ef_plan_ws_init(&ws, 10);
    ck_assert_int_eq(ef_plan_run(plan, &rec, &ws, &ev), EF_ELIMIT);
    ck_assert(ev.flags & EF_EVT_TRUNCATED);
    ck_assert_uint_eq(ev.count, 10);
    ck_assert_uint_eq(ev.values[0].span, 9);
    ef_plan_ws_free(&ws);
    ef_plan_free(plan);
}
END_TEST

TCase *ef_decode_plan_case(void);

TCase *ef_decode_plan_case(void)
{
    TCase *tc = tcase_create("plan");

    tcase_add_loop_test(tc, scalar_table, 0, sizeof(scalar_cases) / sizeof(scalar_cases[0]));
    tcase_add_test(tc, floats_guid_times);
    tcase_add_loop_test(tc, string_table, 0, sizeof(string_cases) / sizeof(string_cases[0]));
    tcase_add_test(tc, length_and_count_refs);
    tcase_add_test(tc, structs_and_unbounded_arrays);
    tcase_add_test(tc, sids_and_binary);
    tcase_add_loop_test(tc, bad_schema_table, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
    tcase_add_test(tc, unknown_intype_stops_there);
    tcase_add_test(tc, value_cap_truncates);
    return tc;
}

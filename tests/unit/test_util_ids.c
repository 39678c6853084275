/*
 * test_util_ids.c - GUIDs, SIDs and error codes.
 */
#include "runner.h"

#include "util/error.h"
#include "util/guid.h"
#include "util/sid.h"

#include <stdlib.h>
#include <string.h>

struct guid_case {
    const char *in;
    int rc;
    const char *want;
};

static const struct guid_case guid_cases[] = {
    {"{22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716}", 0, "{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}"},
    {"22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716", 0, "{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}"},
    {"{dD5eF90A-6398-47a4-AD34-4dcecdef795f}", 0, "{DD5EF90A-6398-47A4-AD34-4DCECDEF795F}"},
    {"00000000-0000-0000-0000-000000000000", 0, "{00000000-0000-0000-0000-000000000000}"},
    {"{FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF}", 0, "{FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF}"},
    {"", EF_EFORMAT, NULL},
    {"{}", EF_EFORMAT, NULL},
    {"{22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716", EF_EFORMAT, NULL},
    {"22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716}", EF_EFORMAT, NULL},
    {"(22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716)", EF_EFORMAT, NULL},
    {"22fb2cd6-0e7b-422b-a0c72fad1fd0e716", EF_EFORMAT, NULL},
    {"22fb2cd6-0e7b-422b-a0c7-2fad1fd0e7166", EF_EFORMAT, NULL},
    {"22fb2cd60e7b-422b-a0c7-2fad1fd0e716-", EF_EFORMAT, NULL},
    {"22fb2cd6-0e7b-422b-a0c7-2fad1fd0e71g", EF_EFORMAT, NULL},
    {"22fb2cd6-0e7b-422b-a0c7 2fad1fd0e716", EF_EFORMAT, NULL},
    {"+2fb2cd6-0e7b-422b-a0c7-2fad1fd0e716", EF_EFORMAT, NULL},
};

START_TEST(guid_table)
{
    const struct guid_case *c = &guid_cases[_i];
    size_t n = strlen(c->in);
    char *in = malloc(n ? n : 1);
    struct ef_guid g;
    char out[EF_GUID_STR_SIZE];
    int rc;

    memcpy(in, c->in, n);
    memset(&g, 0xAA, sizeof(g));
    rc = ef_guid_parse(in, n, &g);
    ck_assert_msg(rc == c->rc, "'%s': rc %d, want %d", c->in, rc, c->rc);
    if (c->want) {
        ef_guid_format(&g, out);
        ck_assert_str_eq(out, c->want);
    } else {
        ck_assert_uint_eq(g.data1, 0xAAAAAAAAu); /* untouched on error */
    }
    free(in);
}
END_TEST

START_TEST(guid_wire_roundtrip)
{
    /* HttpService, as the bytes stand in an EVENT_HEADER. */
    static const unsigned char wire[16] = {0x0a, 0xf9, 0x5e, 0xdd, 0x98, 0x63, 0xa4, 0x47,
                                           0xad, 0x34, 0x4d, 0xce, 0xcd, 0xef, 0x79, 0x5f};
    struct ef_guid g, p;
    unsigned char back[16];
    char out[EF_GUID_STR_SIZE];

    ef_guid_read(wire, &g);
    ef_guid_format(&g, out);
    ck_assert_str_eq(out, "{DD5EF90A-6398-47A4-AD34-4DCECDEF795F}");
    ck_assert_int_eq(ef_guid_parse(out, strlen(out), &p), 0);
    ck_assert(ef_guid_equal(&g, &p));
    ef_guid_write(&g, back);
    ck_assert_mem_eq(back, wire, 16);
    ck_assert(!ef_guid_is_zero(&g));
    memset(&g, 0, sizeof(g));
    ck_assert(ef_guid_is_zero(&g));
}
END_TEST

struct sid_case {
    const char *name;
    const char *bytes;
    size_t len;
    int rc;
    const char *want;
    size_t used;
};

static const struct sid_case sid_cases[] = {
    {"local system", "\x01\x01\x00\x00\x00\x00\x00\x05\x12\x00\x00\x00", 12, 0, "S-1-5-18", 12},
    {"domain user",
     "\x01\x05\x00\x00\x00\x00\x00\x05\x15\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00"
     "\x03\x00\x00\x00\xE9\x03\x00\x00",
     28, 0, "S-1-5-21-1-2-3-1001", 28},
    {"trailing bytes ignored", "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xFF\xFF", 14, 0,
     "S-1-0-0", 12},
    {"no sub-authorities", "\x01\x00\x00\x00\x00\x00\x00\x01", 8, 0, "S-1-1", 8},
    {"max uint32 sub-authority", "\x01\x01\x00\x00\x00\x00\x00\x05\xFF\xFF\xFF\xFF", 12, 0,
     "S-1-5-4294967295", 12},
    {"48-bit authority", "\x01\x00\x01\x02\x03\x04\x05\x06", 8, 0, "S-1-0x010203040506", 8},
    {"authority just 32-bit", "\x01\x00\x00\x00\xFF\xFF\xFF\xFF", 8, 0, "S-1-4294967295", 8},
    /* MS-DTYP 2.4.2.1: an IdentifierAuthority of 2^32 or more is written as
       "0x" and 12 hex digits; 2^32 itself is bytes 00 01 00 00 00 00. */
    {"authority exactly 2^32", "\x01\x00\x00\x01\x00\x00\x00\x00", 8, 0, "S-1-0x000100000000", 8},
    {"header truncated", "\x01\x01\x00\x00\x00\x00\x00", 7, EF_ETRUNC, "", 0},
    {"sub-authority truncated", "\x01\x01\x00\x00\x00\x00\x00\x05\x12\x00\x00", 11, EF_ETRUNC,
     "", 0},
    {"count says more", "\x01\x02\x00\x00\x00\x00\x00\x05\x12\x00\x00\x00", 12, EF_ETRUNC, "", 0},
    {"bad revision", "\x02\x01\x00\x00\x00\x00\x00\x05\x12\x00\x00\x00", 12, EF_EFORMAT, "", 0},
    {"too many sub-authorities", "\x01\x10\x00\x00\x00\x00\x00\x05", 8, EF_EFORMAT, "", 0},
    {"empty", "", 0, EF_ETRUNC, "", 0},
};

START_TEST(sid_table)
{
    const struct sid_case *c = &sid_cases[_i];
    unsigned char *p = malloc(c->len ? c->len : 1);
    char out[EF_SID_STR_SIZE];
    size_t used = 0;
    int rc;

    memcpy(p, c->bytes, c->len);
    rc = ef_sid_format(p, c->len, out, &used);
    ck_assert_msg(rc == c->rc, "%s: rc %d, want %d", c->name, rc, c->rc);
    ck_assert_str_eq(out, c->want);
    ck_assert_uint_eq(used, c->used);
    free(p);
}
END_TEST

START_TEST(sid_longest)
{
    unsigned char p[EF_SID_MAX_BYTES];
    char out[EF_SID_STR_SIZE];
    size_t used;

    memset(p, 0xFF, sizeof(p));
    p[0] = 1;
    p[1] = 15;
    ck_assert_int_eq(ef_sid_format(p, sizeof(p), out, &used), 0);
    ck_assert_uint_eq(used, 68);
    ck_assert_str_eq(out, "S-1-0xFFFFFFFFFFFF-4294967295-4294967295-4294967295-4294967295-"
                          "4294967295-4294967295-4294967295-4294967295-4294967295-4294967295-"
                          "4294967295-4294967295-4294967295-4294967295-4294967295");
}
END_TEST

START_TEST(error_strings)
{
    ck_assert_str_eq(ef_strerror(EF_OK), "success");
    ck_assert_str_eq(ef_strerror(EF_ENOMEM), "out of memory");
    ck_assert_str_eq(ef_strerror(EF_ETRUNC), "input truncated");
    ck_assert_str_eq(ef_strerror(-9999), "unknown error");
    ck_assert_str_eq(ef_strerror(5), "unknown error");
    ck_assert_str_eq(ef_errname(EF_EFORMAT), "EF_EFORMAT");
    ck_assert_str_eq(ef_errname(-9999), "EF_E?");
    ck_assert_int_eq(ef_from_errno(0), EF_OK);
    ck_assert_int_eq(ef_from_errno(2 /* ENOENT */), EF_ENOENT);
}
END_TEST

START_TEST(error_codes_distinct)
{
    /* Every code from EF_EREJECTED up to EF_OK has its own text. */
    int a, b;

    for (a = EF_EREJECTED; a <= EF_OK; a++) {
        ck_assert_str_ne(ef_strerror(a), "unknown error");
        for (b = a + 1; b <= EF_OK; b++)
            ck_assert_str_ne(ef_strerror(a), ef_strerror(b));
    }
}
END_TEST

TCase *ef_util_ids_case(void);
TCase *ef_util_ids_case(void)
{
    TCase *tc = tcase_create("ids");

    tcase_add_loop_test(tc, guid_table, 0, (int)(sizeof(guid_cases) / sizeof(guid_cases[0])));
    tcase_add_test(tc, guid_wire_roundtrip);
    tcase_add_loop_test(tc, sid_table, 0, (int)(sizeof(sid_cases) / sizeof(sid_cases[0])));
    tcase_add_test(tc, sid_longest);
    tcase_add_test(tc, error_strings);
    tcase_add_test(tc, error_codes_distinct);
    return tc;
}

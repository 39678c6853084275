/*
 * test_util_time.c - FILETIME and SYSTEMTIME as ISO-8601.
 */
#include "runner.h"

#include "util/error.h"
#include "util/timefmt.h"
#include "util/udiv.h"

#include <stdint.h>

struct ft_case {
    uint64_t ft;
    int rc;
    const char *want;
};

static const struct ft_case ft_cases[] = {
    {0, 0, "1601-01-01T00:00:00.0000000Z"},
    {1, 0, "1601-01-01T00:00:00.0000001Z"},
    {EF_FILETIME_UNIX_EPOCH, 0, "1970-01-01T00:00:00.0000000Z"},
    {EF_FILETIME_UNIX_EPOCH - 1, 0, "1969-12-31T23:59:59.9999999Z"},
    /* The first event of HTTP_Server.etl. */
    {129402940472257591ULL, 0, "2011-01-23T22:07:27.2257591Z"},
    {133536836967891234ULL, 0, "2024-02-29T12:34:56.7891234Z"},
    {125963423999999999ULL, 0, "2000-02-29T23:59:59.9999999Z"},
    {133432000000000000ULL, 0, "2023-10-31T04:26:40.0000000Z"},
    {2650467743999999999ULL, 0, "9999-12-31T23:59:59.9999999Z"},
    {2650467744000000000ULL, EF_ERANGE, ""},
    {UINT64_MAX, EF_ERANGE, ""},
};

START_TEST(filetime_table)
{
    const struct ft_case *c = &ft_cases[_i];
    char out[EF_TIME_STR_SIZE];

    ck_assert_int_eq(ef_filetime_format(c->ft, out), c->rc);
    ck_assert_str_eq(out, c->want);
}
END_TEST

struct st_case {
    struct ef_systemtime st;
    int rc;
    const char *want;
};

static const struct st_case st_cases[] = {
    {{2026, 11, 4, 26, 6, 5, 38, 123}, 0, "2026-11-26T06:05:38.1230000Z"},
    {{1601, 1, 1, 1, 0, 0, 0, 0}, 0, "1601-01-01T00:00:00.0000000Z"},
    {{9999, 12, 5, 31, 23, 59, 59, 999}, 0, "9999-12-31T23:59:59.9990000Z"},
    {{2024, 2, 4, 29, 0, 0, 0, 0}, 0, "2024-02-29T00:00:00.0000000Z"},
    {{2000, 2, 2, 29, 0, 0, 0, 0}, 0, "2000-02-29T00:00:00.0000000Z"},
    {{2023, 2, 3, 29, 0, 0, 0, 0}, EF_ERANGE, ""},
    {{1900, 2, 4, 29, 0, 0, 0, 0}, EF_ERANGE, ""},
    {{2023, 4, 0, 31, 0, 0, 0, 0}, EF_ERANGE, ""},
    {{2023, 13, 0, 1, 0, 0, 0, 0}, EF_ERANGE, ""},
    {{2023, 0, 0, 1, 0, 0, 0, 0}, EF_ERANGE, ""},
    {{2023, 1, 0, 0, 0, 0, 0, 0}, EF_ERANGE, ""},
    {{2023, 1, 0, 1, 24, 0, 0, 0}, EF_ERANGE, ""},
    {{2023, 1, 0, 1, 0, 60, 0, 0}, EF_ERANGE, ""},
    {{2023, 1, 0, 1, 0, 0, 60, 0}, EF_ERANGE, ""},
    {{2023, 1, 0, 1, 0, 0, 0, 1000}, EF_ERANGE, ""},
    {{1600, 12, 0, 31, 0, 0, 0, 0}, EF_ERANGE, ""},
    {{0, 0, 0, 0, 0, 0, 0, 0}, EF_ERANGE, ""},
};

START_TEST(systemtime_table)
{
    const struct st_case *c = &st_cases[_i];
    char out[EF_TIME_STR_SIZE];

    ck_assert_int_eq(ef_systemtime_format(&c->st, out), c->rc);
    ck_assert_str_eq(out, c->want);
}
END_TEST

START_TEST(systemtime_wire)
{
    static const unsigned char wire[16] = {0xEA, 0x07, 11, 0, 4,  0, 26,  0,
                                           6,    0,    5,  0, 38, 0, 123, 0};
    struct ef_systemtime st;
    char out[EF_TIME_STR_SIZE];

    ef_systemtime_read(wire, &st);
    ck_assert_uint_eq(st.year, 2026);
    ck_assert_uint_eq(st.day_of_week, 4);
    ck_assert_int_eq(ef_systemtime_format(&st, out), 0);
    ck_assert_str_eq(out, "2026-11-26T06:05:38.1230000Z");
}
END_TEST

START_TEST(filetime_split)
{
    struct ef_systemtime st;
    uint32_t ticks;

    ef_filetime_to_systemtime(129402940472257591ULL, &st, &ticks);
    ck_assert_uint_eq(st.year, 2011);
    ck_assert_uint_eq(st.month, 1);
    ck_assert_uint_eq(st.day, 23);
    ck_assert_uint_eq(st.day_of_week, 0); /* a Sunday */
    ck_assert_uint_eq(st.milliseconds, 225);
    ck_assert_uint_eq(ticks, 2257591);
}
END_TEST

/* The invariant-divisor division equals the plain one for every divisor shape. */
START_TEST(udiv_matches_division)
{
    static const uint64_t divisors[] = {1,
                                        2,
                                        3,
                                        7,
                                        10,
                                        1000,
                                        1818300,
                                        3117777,
                                        10000000,
                                        4294967296ull,
                                        4294967297ull,
                                        1000000000000ull,
                                        9223372036854775808ull,
                                        9223372036854775809ull,
                                        UINT64_MAX - 1,
                                        UINT64_MAX};
    uint64_t x = 0x9E3779B97F4A7C15ull;
    unsigned i, k;

    for (i = 0; i < sizeof(divisors) / sizeof(divisors[0]); i++) {
        uint64_t d = divisors[i];
        const uint64_t edge[] = {0,
                                 1,
                                 d - 1,
                                 d,
                                 d + 1,
                                 2 * d - 1,
                                 UINT64_MAX,
                                 UINT64_MAX - 1,
                                 UINT64_MAX / d * d,
                                 UINT64_MAX / d * d - 1};
        struct ef_udiv u;

        ef_udiv_init(&u, d);
        for (k = 0; k < sizeof(edge) / sizeof(edge[0]); k++)
            ck_assert_msg(ef_udiv(&u, edge[k]) == edge[k] / d, "%llu / %llu",
                          (unsigned long long)edge[k], (unsigned long long)d);
        for (k = 0; k < 20000; k++) {
            uint64_t n;

            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            n = x >> (k % 64);
            ck_assert_msg(ef_udiv(&u, n) == n / d, "%llu / %llu", (unsigned long long)n,
                          (unsigned long long)d);
        }
    }
}
END_TEST

TCase *ef_util_time_case(void);
TCase *ef_util_time_case(void)
{
    TCase *tc = tcase_create("time");

    tcase_add_loop_test(tc, filetime_table, 0, (int)(sizeof(ft_cases) / sizeof(ft_cases[0])));
    tcase_add_loop_test(tc, systemtime_table, 0, (int)(sizeof(st_cases) / sizeof(st_cases[0])));
    tcase_add_test(tc, systemtime_wire);
    tcase_add_test(tc, filetime_split);
    tcase_add_test(tc, udiv_matches_division);
    return tc;
}

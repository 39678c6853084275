/*
 * test_util_text.c - UTF-16 conversion, UTF-8 sanitizing, hex, buffers.
 */
#include "runner.h"

#include "util/buf.h"
#include "util/error.h"
#include "util/hex.h"
#include "util/utf16.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct utf16_case {
    const char *name;
    const char *src;
    size_t src_len;
    unsigned flags;
    size_t dst_cap;
    int rc;
    const char *want;
    size_t want_len;
    size_t used;
};

static const struct utf16_case utf16_cases[] = {
    {"ascii", "A\0", 2, 0, 16, 0, "A", 1, 2},
    {"latin1", "\xE9\0", 2, 0, 16, 0, "\xC3\xA9", 2, 2},
    {"bmp", "\xAC\x20", 2, 0, 16, 0, "\xE2\x82\xAC", 3, 2},
    {"pair", "\x3D\xD8\x00\xDE", 4, 0, 16, 0, "\xF0\x9F\x98\x80", 4, 4},
    {"lone high at end", "\x3D\xD8", 2, 0, 16, 0, "\xEF\xBF\xBD", 3, 2},
    {"lone high then A", "\x3D\xD8\x41\x00", 4, 0, 16, 0, "\xEF\xBF\xBD" "A", 4, 4},
    {"lone low", "\x00\xDE", 2, 0, 16, 0, "\xEF\xBF\xBD", 3, 2},
    /* Two lone low surrogates must not pair: each is U+FFFD, as Windows'
       WideCharToMultiByte(CP_UTF8) gives; pairing would make U+110000. */
    {"low then low", "\x00\xDC\x00\xDC", 4, 0, 16, 0, "\xEF\xBF\xBD\xEF\xBF\xBD", 6, 4},
    {"low then low then A", "\xFF\xDF\x00\xDC\x41\x00", 6, 0, 16, 0,
     "\xEF\xBF\xBD\xEF\xBF\xBD" "A", 7, 6},
    /* RFC 3629 table: U+0080..U+07FF take two bytes, 110xxxxx 10xxxxxx.
       U+0416 (Cyrillic Zhe) = 10000 010110 -> D0 96; U+05D0 (Hebrew Alef) =
       10111 010000 -> D7 90; U+07FF -> DF BF; U+0800 is the first of three. */
    {"cyrillic zhe", "\x16\x04", 2, 0, 16, 0, "\xD0\x96", 2, 2},
    {"hebrew alef", "\xD0\x05", 2, 0, 16, 0, "\xD7\x90", 2, 2},
    {"last two-byte", "\xFF\x07", 2, 0, 16, 0, "\xDF\xBF", 2, 2},
    {"first three-byte", "\x00\x08", 2, 0, 16, 0, "\xE0\xA0\x80", 3, 2},
    {"reversed pair", "\x00\xDE\x3D\xD8", 4, 0, 16, 0, "\xEF\xBF\xBD\xEF\xBF\xBD", 6, 4},
    {"high then high", "\x3D\xD8\x3D\xD8\x00\xDE", 6, 0, 16, 0,
     "\xEF\xBF\xBD\xF0\x9F\x98\x80", 7, 6},
    {"odd byte count", "A\0B", 3, 0, 16, 0, "A\xEF\xBF\xBD", 4, 3},
    {"single byte", "A", 1, 0, 16, 0, "\xEF\xBF\xBD", 3, 1},
    {"stop at nul", "A\0\0\0B\0", 6, EF_UTF16_STOP_AT_NUL, 16, 0, "A", 1, 4},
    {"nul kept without flag", "A\0\0\0B\0", 6, 0, 16, 0, "A\0B", 3, 6},
    {"unterminated with flag", "A\0B\0", 4, EF_UTF16_STOP_AT_NUL, 16, 0, "AB", 2, 4},
    {"empty", "", 0, 0, 16, 0, "", 0, 0},
    {"dst too small", "A\0B\0C\0", 6, 0, 3, EF_ENOSPC, "AB", 2, 4},
    {"dst too small mid char", "\xAC\x20", 2, 0, 3, EF_ENOSPC, "", 0, 0},
    {"dst zero", "A\0", 2, 0, 0, EF_ENOSPC, NULL, 0, 0},
};

START_TEST(utf16_table)
{
    const struct utf16_case *c = &utf16_cases[_i];
    /* An exactly sized heap copy, so ASan sees any read past the end. */
    char *src = malloc(c->src_len ? c->src_len : 1);
    char dst[16];
    size_t out_len = 99, used = 99;
    int rc;

    memcpy(src, c->src, c->src_len);
    memset(dst, 'x', sizeof(dst));
    rc = ef_utf16le_to_utf8(src, c->src_len, c->flags, dst, c->dst_cap, &out_len, &used);
    ck_assert_msg(rc == c->rc, "%s: rc %d, want %d", c->name, rc, c->rc);
    ck_assert_msg(out_len == c->want_len, "%s: len %zu, want %zu", c->name, out_len,
                  c->want_len);
    ck_assert_msg(used == c->used, "%s: used %zu, want %zu", c->name, used, c->used);
    if (c->want) {
        ck_assert_msg(memcmp(dst, c->want, c->want_len) == 0, "%s: bytes differ", c->name);
        ck_assert_msg(dst[out_len] == '\0', "%s: not terminated", c->name);
    } else {
        ck_assert_msg(dst[0] == 'x', "%s: wrote into a zero-sized buffer", c->name);
    }
    free(src);
}
END_TEST

START_TEST(utf16_to_buf_respects_cap)
{
    static const char src[] = "A\0B\0C\0D\0";
    struct ef_buf b;
    size_t used;

    ef_buf_init(&b, 3);
    ck_assert_int_eq(ef_utf16le_to_buf(src, 8, 0, &b, &used), EF_ELIMIT);
    ck_assert_str_eq(b.data, "ABC");
    ck_assert_uint_eq(used, 6);
    ef_buf_reset(&b);
    ck_assert_int_eq(ef_utf16le_to_buf(src, 4, 0, &b, &used), 0);
    ck_assert_str_eq(b.data, "AB");
    ef_buf_free(&b);
}
END_TEST

/*
 * The unit-at-a-time result for src (no surrogate pairs in it): what the
 * whole-string converter, with its eight-unit ASCII path, must give too.
 */
static int utf16_reference(const uint8_t *src, size_t n, unsigned flags, char *dst, size_t cap,
                           size_t *out_len, size_t *used)
{
    size_t i, o = 0, k;
    char one[4];

    *used = 0;
    for (i = 0; i + 2 <= n; i += 2) {
        if (ef_utf16le_to_utf8(src + i, 2, 0, one, sizeof(one), &k, NULL) != 0)
            return -1;
        if ((flags & EF_UTF16_STOP_AT_NUL) && src[i] == 0 && src[i + 1] == 0) {
            *used += 2;
            break;
        }
        if (cap == 0 || o + k > cap - 1) {
            *out_len = o;
            return EF_ENOSPC;
        }
        memcpy(dst + o, one, k);
        o += k;
        *used += 2;
    }
    *out_len = o;
    return 0;
}

START_TEST(utf16_ascii_runs_match_unit_at_a_time)
{
    /* One unit that leaves the ASCII path, at every place in runs of ASCII. */
    static const uint16_t odd[] = {0x00E9, 0x0000, 0xD800, 0xDC00, 0x007F, 0x0080, 0xFF41, 0x0100};
    uint8_t src[80];
    char got[200], want[200];
    size_t units, at, j, cap, got_len, want_len = 0, got_used, want_used = 0;
    unsigned flags;
    int rc, want_rc;

    for (units = 0; units <= 40; units++) {
        for (at = 0; at <= units; at++) {
            for (j = 0; j < sizeof(odd) / sizeof(odd[0]); j++) {
                size_t u;

                for (u = 0; u < units; u++) {
                    uint16_t c = u == at ? odd[j] : (uint16_t)('!' + (u * 7) % 90);

                    src[2 * u] = (uint8_t)c;
                    src[2 * u + 1] = (uint8_t)(c >> 8);
                }
                for (flags = 0; flags <= EF_UTF16_STOP_AT_NUL; flags++) {
                    /* Every short capacity (where the output stops in or after an ASCII
                     * block), then one with room for all. */
                    for (cap = 0; cap <= 3 * units + 2;
                         cap = cap < 20 || cap == 3 * units + 2 ? cap + 1 : 3 * units + 2) {
                        want_rc = utf16_reference(src, 2 * units, flags, want, cap, &want_len,
                                                  &want_used);
                        rc = ef_utf16le_to_utf8(src, 2 * units, flags, got, cap, &got_len,
                                                &got_used);
                        /* Plain ifs: a Check assertion per iteration costs a write to its pipe. */
                        if (rc != want_rc || got_len != want_len || got_used != want_used ||
                            memcmp(got, want, want_len) != 0 || (cap && got[got_len] != '\0'))
                            ck_abort_msg("units %zu, 0x%04x at %zu, flags %u, cap %zu: rc %d "
                                         "len %zu used %zu, want rc %d len %zu used %zu",
                                         units, odd[j], at, flags, cap, rc, got_len, got_used,
                                         want_rc, want_len, want_used);
                    }
                }
            }
        }
    }
}
END_TEST

START_TEST(utf16_find_nul_at_every_place)
{
    uint8_t src[64];
    size_t n, at, got, want;
    int found, want_found;

    for (n = 0; n <= sizeof(src); n++) {
        for (at = 0; at <= n; at++) {
            size_t i;

            memset(src, 'a', sizeof(src));
            /* Two zero bytes at an odd offset straddle two units and are no NUL unit. */
            if (at + 1 < n)
                src[at] = src[at + 1] = 0;
            want = n - n % 2;
            want_found = 0;
            for (i = 0; i + 2 <= n; i += 2) {
                if (src[i] == 0 && src[i + 1] == 0) {
                    want = i;
                    want_found = 1;
                    break;
                }
            }
            got = ef_utf16le_find_nul(src, n, &found);
            if (got != want || found != want_found)
                ck_abort_msg("n %zu, zeros at %zu: %zu/%d", n, at, got, found);
        }
    }
}
END_TEST

struct utf8_case {
    const char *src;
    size_t len;
    const char *want;
};

static const struct utf8_case utf8_cases[] = {
    {"plain", 5, "plain"},
    {"\xC3\xA9", 2, "\xC3\xA9"},
    {"a\xFFz", 3, "a\xEF\xBF\xBDz"},
    {"\xC0\x80", 2, "\xEF\xBF\xBD\xEF\xBF\xBD"},         /* overlong NUL */
    {"\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* encoded surrogate */
    {"\xE2\x82", 2, "\xEF\xBF\xBD\xEF\xBF\xBD"},          /* truncated at end */
    {"\xF0\x9F\x98\x80", 4, "\xF0\x9F\x98\x80"},
    {"\xF4\x90\x80\x80", 4, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* > U+10FFFF */
};

START_TEST(utf8_sanitize_table)
{
    const struct utf8_case *c = &utf8_cases[_i];
    char *src = malloc(c->len);
    struct ef_buf b;

    memcpy(src, c->src, c->len);
    ef_buf_init(&b, 1024);
    ck_assert_int_eq(ef_utf8_sanitize_to_buf(src, c->len, &b), 0);
    ck_assert_str_eq(b.data, c->want);
    ef_buf_free(&b);
    free(src);
}
END_TEST

START_TEST(hex_encode)
{
    struct ef_buf b;

    ef_buf_init(&b, 64);
    ck_assert_int_eq(ef_hex_append(&b, "\x00\xAB\xFF\x10", 4), 0);
    ck_assert_str_eq(b.data, "00ABFF10");
    ck_assert_int_eq(ef_hex_append(&b, "", 0), 0);
    ck_assert_str_eq(b.data, "00ABFF10");
    ef_buf_free(&b);

    ef_buf_init(&b, 7);
    ck_assert_int_eq(ef_hex_append(&b, "\x01\x02\x03\x04", 4), EF_ELIMIT);
    ck_assert_uint_eq(b.len, 0);
    ef_buf_free(&b);
}
END_TEST

START_TEST(hexdump_lines)
{
    struct ef_buf b;

    ef_buf_init(&b, 4096);
    ck_assert_int_eq(ef_hexdump_append(&b, "ABCDEFGHIJKLMNOP\x01", 17), 0);
    ck_assert_str_eq(b.data,
                     "00000000  41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|\n"
                     "00000010  01                                               |.|\n");
    ef_buf_free(&b);
}
END_TEST

START_TEST(buf_cap_and_reuse)
{
    struct ef_buf b;
    char *first;

    ef_buf_init(&b, 10);
    ck_assert_int_eq(ef_buf_append_str(&b, "0123456789"), 0);
    ck_assert_int_eq(ef_buf_append_byte(&b, 'x'), EF_ELIMIT);
    ck_assert_str_eq(b.data, "0123456789");
    first = b.data;
    ef_buf_reset(&b);
    ck_assert_int_eq(ef_buf_appendf(&b, "%d-%s", 42, "ok"), 0);
    ck_assert_str_eq(b.data, "42-ok");
    ck_assert_ptr_eq(b.data, first);
    ck_assert_int_eq(ef_buf_appendf(&b, "%s", "too long!"), EF_ELIMIT);
    ck_assert_str_eq(b.data, "42-ok");
    ef_buf_free(&b);
}
END_TEST

TCase *ef_util_text_case(void);
TCase *ef_util_text_case(void)
{
    TCase *tc = tcase_create("text");

    tcase_add_loop_test(tc, utf16_table, 0, (int)(sizeof(utf16_cases) / sizeof(utf16_cases[0])));
    tcase_add_test(tc, utf16_to_buf_respects_cap);
    tcase_add_test(tc, utf16_ascii_runs_match_unit_at_a_time);
    tcase_add_test(tc, utf16_find_nul_at_every_place);
    tcase_add_loop_test(tc, utf8_sanitize_table, 0,
                        (int)(sizeof(utf8_cases) / sizeof(utf8_cases[0])));
    tcase_add_test(tc, hex_encode);
    tcase_add_test(tc, hexdump_lines);
    tcase_add_test(tc, buf_cap_and_reuse);
    return tc;
}

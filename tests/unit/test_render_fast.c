/*
 * test_render_fast.c - the renderer's fast paths write exactly what its
 * plain paths write: keys pre-escaped by the plan, the cached constant runs
 * of System/winlog (per plan and descriptor), the per-second time prefix
 * and integer formatting by digit pairs; the JSON writer's block-wise
 * string escaping and the values formatted in place in the output.
 *
 * Each case renders a decoded event twice: as decoded (plan attached: fast
 * paths) and as a copy with no plan, which a fresh renderer writes the
 * plain way (no cached runs, keys escaped per event).
 */
#include "runner.h"

#include "decode_fixture.h"
#include "decode/decoder.h"
#include "render/render.h"
#include "render/render_int.h"

#include <stdio.h>
#include <string.h>

/* Field names that need escaping or sanitizing, and plain ones. */
static const char *const names[] = {
    "Plain", "with \"quote\"", "back\\slash", "ctl\x01\x1f\t\n", "bad\xff\xfeutf8",
    "",      "Caf\xc3\xa9",
};

/*
 * The JSON key each name must give, written out by hand from RFC 8259
 * section 7 (quote and backslash escaped, control characters as \b \t \n
 * \f \r or \u00XX) and the Unicode practice of one U+FFFD (EF BF BD) per
 * byte that starts no valid sequence; an empty name is "_". These hold the
 * fast path and the plain path to something outside both.
 */
static const char *const want_keys[] = {
    "\"Plain\":",
    "\"with \\\"quote\\\"\":",
    "\"back\\\\slash\":",
    "\"ctl\\u0001\\u001f\\t\\n\":",
    "\"bad\xEF\xBF\xBD\xEF\xBF\xBDutf8\":",
    "\"_\":",
    "\"Caf\xC3\xA9\":",
};

struct fx {
    struct ef_field fields[2];
    struct ef_schema schema;
    struct fx_source src;
    struct ef_decoder *dec;
    struct ef_renderer *fast, *plain;
    struct fx_payload p;
    struct ef_record rec;
    struct ef_buf a, b;
};

static void fx_setup(struct fx *f, int format, const char *name)
{
    struct ef_render_opts ro = {format, 0, "HOST", "main"};

    memset(f, 0, sizeof(*f));
    f->fields[0] = (struct ef_field){name, EF_IN_UINT32};
    f->fields[1] = (struct ef_field){"Path", EF_IN_UNICODESTRING};
    f->schema.provider = &fx_provider;
    f->schema.id = 7;
    f->schema.task_name = "Task \"q\"";
    f->schema.channel_name = "Chan/Op";
    f->schema.message = "%1 at %2";
    f->schema.fields = f->fields;
    f->schema.field_count = f->schema.top_count = 2;
    f->schema.source = EF_SCHEMA_MANIFEST;
    f->src.schemas[0] = &f->schema;
    f->src.count = 1;
    ck_assert_int_eq(ef_decoder_new(NULL, &f->dec), 0);
    ef_decoder_add_source(f->dec, fx_source_make(&f->src));
    ck_assert_int_eq(ef_renderer_new(&ro, &f->fast), 0);
    ck_assert_int_eq(ef_renderer_new(&ro, &f->plain), 0);
    ef_buf_init(&f->a, 1 << 16);
    ef_buf_init(&f->b, 1 << 16);
    fx_u32(&f->p, 4000000000u);
    fx_wstr(&f->p, "C:\\x", 1);
}

static void fx_teardown(struct fx *f)
{
    ef_decoder_free(f->dec);
    ef_renderer_free(f->fast);
    ef_renderer_free(f->plain);
    ef_buf_free(&f->a);
    ef_buf_free(&f->b);
}

/*
 * ECS's event.created is the wall clock when each was rendered: the two
 * renderings may be a millisecond apart. Its value is blanked before they
 * are compared (its format is checked).
 */
static void blank_created(char *s)
{
    char *c = strstr(s, "\"created\":\"");
    size_t i;

    if (!c)
        return;
    c += strlen("\"created\":\"");
    /* YYYY-MM-DDTHH:MM:SS.mmmZ */
    ck_assert_uint_ge(strlen(c), 25);
    for (i = 0; i < 24; i++) {
        ck_assert_msg(strchr(i == 4 || i == 7     ? "-"
                             : i == 10            ? "T"
                             : i == 13 || i == 16 ? ":"
                             : i == 19            ? "."
                             : i == 23            ? "Z"
                                                  : "0123456789",
                             c[i]),
                      "created: %s", c);
        c[i] = '0';
    }
}

/* Renders rec both ways and checks the texts are equal; returns the fast one. */
static const char *both(struct fx *f, uint16_t task, uint8_t level, uint64_t ts)
{
    struct ef_event ev, copy;

    fx_record(&f->rec, 7, &f->p);
    f->rec.task = task;
    f->rec.level = level;
    f->rec.timestamp = ts;
    ef_decoder_decode(f->dec, &f->rec, &ev);
    ck_assert_ptr_nonnull(ev.plan);
    copy = ev;
    copy.plan = NULL;
    ef_buf_reset(&f->a);
    ef_buf_reset(&f->b);
    ck_assert_int_eq(ef_render_event(f->fast, &ev, &f->a), 0);
    ck_assert_int_eq(ef_render_event(f->plain, &copy, &f->b), 0);
    blank_created(f->a.data);
    blank_created(f->b.data);
    ck_assert_str_eq(f->a.data, f->b.data);
    return f->a.data;
}

START_TEST(keys_and_runs_match_plain)
{
    static const uint64_t ts[] = {133000000001234567ULL, 133000000009999999ULL,
                                  133000000010000000ULL, 133000000001234567ULL};
    int format;
    unsigned k;

    for (format = EF_RENDER_NATIVE; format <= EF_RENDER_ECS; format++) {
        struct fx f;
        char first[4096];

        fx_setup(&f, format, names[_i]);
        snprintf(first, sizeof(first), "%s", both(&f, 3, 4, ts[0]));
        if (format == EF_RENDER_NATIVE) {
            char want[256];

            /* FILETIME 133000000001234567 is 2022-06-18T04:26:40.1234567Z
               (13300000000 s after 1601-01-01, worked out by hand). */
            snprintf(want, sizeof(want), "\"EventData\":{%s4000000000,\"Path\":\"C:\\\\x\"}",
                     want_keys[_i]);
            ck_assert_msg(strstr(first, want), "%s\nlacks %s", first, want);
            ck_assert_ptr_nonnull(
                strstr(first, "\"Task\":{\"Value\":3,\"Name\":\"Task \\\"q\\\"\"}"));
            ck_assert_ptr_nonnull(
                strstr(first, "\"Level\":{\"Value\":4,\"Name\":\"Information\"}"));
            ck_assert_ptr_nonnull(
                strstr(first, "\"TimeCreated\":{\"SystemTime\":\"2022-06-18T04:26:40.1234567Z\"}"));
            ck_assert_ptr_nonnull(
                strstr(both(&f, 3, 4, ts[2]), "\"2022-06-18T04:26:41.0000000Z\""));
            ck_assert_ptr_nonnull(
                strstr(both(&f, 3, 2, ts[1]), "\"Level\":{\"Value\":2,\"Name\":\"Error\"}"));
            ck_assert_ptr_nonnull(strstr(f.a.data, "\"2022-06-18T04:26:40.9999999Z\""));
        }
        /* The same plan with another task and level must not reuse the cached run. */
        if (format == EF_RENDER_NATIVE) /* ECS shows the task's name only */
            ck_assert_str_ne(both(&f, 9, 4, ts[0]), first);
        else
            both(&f, 9, 4, ts[0]);
        ck_assert_str_ne(both(&f, 3, 2, ts[0]), first);
        /* Times across a second boundary and back: the cached prefix follows. */
        for (k = 0; k < 4; k++)
            both(&f, 3, 4, ts[k]);
        ck_assert_str_eq(both(&f, 3, 4, ts[0]), first);
        fx_teardown(&f);
    }
}
END_TEST

START_TEST(no_schema_runs_match_plain)
{
    struct fx f;
    struct ef_event ev;
    char first[4096];
    uint16_t id;

    fx_setup(&f, _i, "Plain");
    for (id = 100; id < 103; id++) {
        fx_record(&f.rec, id, &f.p);
        f.rec.task = id;
        ef_decoder_decode(f.dec, &f.rec, &ev);
        ck_assert_ptr_null(ev.schema);
        ef_buf_reset(&f.a);
        ef_buf_reset(&f.b);
        ck_assert_int_eq(ef_render_event(f.fast, &ev, &f.a), 0);
        ck_assert_int_eq(ef_render_event(f.fast, &ev, &f.b), 0); /* cached the second time */
        ck_assert_str_eq(f.a.data, f.b.data);
        if (id == 100)
            snprintf(first, sizeof(first), "%s", f.a.data);
        else
            ck_assert_str_ne(f.a.data, first);
    }
    fx_teardown(&f);
}
END_TEST

START_TEST(digit_pairs)
{
    static const uint64_t v[] = {0,
                                 1,
                                 9,
                                 10,
                                 99,
                                 100,
                                 101,
                                 999,
                                 1000,
                                 65535,
                                 4294967295u,
                                 4294967296ULL,
                                 10000000000000000000ULL,
                                 18446744073709551615ULL};
    char tmp[24], want[24];
    unsigned i;
    size_t n;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        n = ef_render_fmt_u64(tmp + sizeof(tmp), v[i]);
        snprintf(want, sizeof(want), "%llu", (unsigned long long)v[i]);
        ck_assert_uint_eq(n, strlen(want));
        ck_assert_int_eq(memcmp(tmp + sizeof(tmp) - n, want, n), 0);
    }
}
END_TEST

/* RFC 8259 escaping, one byte at a time: the reference for the block paths. */
static size_t ref_escape(const unsigned char *s, size_t n, char *out)
{
    char *p = out;
    size_t i;

    *p++ = '"';
    for (i = 0; i < n; i++) {
        unsigned char c = s[i];

        if (c == '"' || c == '\\')
            p += sprintf(p, "\\%c", c);
        else if (c == '\n')
            p += sprintf(p, "\\n");
        else if (c == '\t')
            p += sprintf(p, "\\t");
        else if (c == '\r')
            p += sprintf(p, "\\r");
        else if (c == '\b')
            p += sprintf(p, "\\b");
        else if (c == '\f')
            p += sprintf(p, "\\f");
        else if (c < 0x20)
            p += sprintf(p, "\\u%04x", c);
        else
            *p++ = (char)c;
    }
    *p++ = '"';
    *p = '\0';
    return (size_t)(p - out);
}

/*
 * Every special byte at every position of strings from 0 to 40 bytes, so
 * that the 16-byte, 8-byte and single-byte paths and their seams all meet
 * it; and the ASCII-only variant gives up, writing nothing, at a byte >= 0x80.
 */
START_TEST(string_escape_every_position)
{
    static const unsigned char specials[] = {'"', '\\', '\n', 0x01, 0x1f, 0x7f, 0x80, 0xc3, ' '};
    unsigned char s[48];
    char want[48 * 6 + 8];
    struct ef_buf out;
    struct ef_jw w;
    size_t n, k, j, len;

    ef_buf_init(&out, 1u << 20);
    for (n = 0; n <= 40; n++) {
        for (k = 0; k < (n ? n : 1); k++) {
            for (j = 0; j < sizeof(specials); j++) {
                memset(s, 'a' + (int)(n % 26), sizeof(s));
                if (n)
                    s[k] = specials[j];
                ef_buf_reset(&out);
                ef_jw_reset(&w, &out);
                ef_jw_array_open(&w);
                ef_jw_string(&w, s, n);
                len = ref_escape(s, n, want);
                ck_assert_int_eq(w.err, 0);
                ck_assert_uint_eq(out.len, len + 1);
                ck_assert_int_eq(memcmp(out.data + 1, want, len), 0);
                /* The ASCII-only variant: all or nothing, the separator state kept. */
                ef_jw_string_ascii(&w, s, n) == 0 ? (void)0 : (void)ef_jw_null(&w);
                if (n && specials[j] >= 0x80) {
                    ck_assert_str_eq(out.data + 1 + len, ",null");
                } else {
                    ck_assert_uint_eq(out.len, 2 * len + 2);
                    ck_assert_int_eq(out.data[1 + len], ',');
                    ck_assert_int_eq(memcmp(out.data + 2 + len, want, len), 0);
                }
            }
        }
    }
    ef_buf_free(&out);
}
END_TEST

/* Numbers, hex, GUIDs and times formatted in place equal their printf forms. */
START_TEST(in_place_formats)
{
    static const uint64_t v[] = {0,
                                 1,
                                 9,
                                 10,
                                 15,
                                 16,
                                 99,
                                 255,
                                 256,
                                 999,
                                 4095,
                                 4096,
                                 65535,
                                 1000000,
                                 4294967295u,
                                 4294967296ULL,
                                 0x123456789ULL,
                                 10000000000000000000ULL,
                                 0x8000000000000000ULL,
                                 18446744073709551615ULL};
    struct ef_render_opts ro = {EF_RENDER_NATIVE, 0, NULL, NULL};
    struct ef_guid g = {0x0123abcd, 0x4567, 0x89ef, {0, 1, 0x7f, 0x80, 0xaa, 0xbb, 0xfe, 0xff}};
    struct ef_renderer *r;
    struct ef_buf out;
    char want[128];
    unsigned i;
    int as_str;

    ef_buf_init(&out, 1u << 20);
    for (as_str = 0; as_str < 2; as_str++) {
        ro.int64_as_string = as_str;
        ck_assert_int_eq(ef_renderer_new(&ro, &r), 0);
        for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
            ef_buf_reset(&out);
            ef_jw_reset(&r->jw, &out);
            ef_jw_array_open(&r->jw);
            ef_render_u64(r, v[i], 1);
            ef_render_hex(r, v[i]);
            ef_render_i64(r, -(int64_t)(v[i] >> 1), 1);
            ef_jw_array_close(&r->jw);
            snprintf(want, sizeof(want),
                     as_str ? "[\"%llu\",\"0x%llX\",\"%s%llu\"]" : "[%llu,\"0x%llX\",%s%llu]",
                     (unsigned long long)v[i], (unsigned long long)v[i], v[i] > 1 ? "-" : "",
                     (unsigned long long)(v[i] >> 1));
            ck_assert_str_eq(out.data, want);
        }
        ef_buf_reset(&out);
        ef_jw_reset(&r->jw, &out);
        ef_jw_array_open(&r->jw);
        ef_render_guid(r, &g);
        ef_render_status(r, 0xC0000022u);
        /* 2011-01-24T09:07:29.1399190Z, then the same second, then the next one. */
        ef_render_filetime(r, 129403336491399190ULL);
        ef_render_filetime(r, 129403336490000001ULL);
        ef_render_filetime(r, 129403336500000000ULL);
        ef_jw_array_close(&r->jw);
        ck_assert_str_eq(out.data,
                         "[\"{0123ABCD-4567-89EF-0001-7F80AABBFEFF}\",\"0xC0000022\","
                         "\"2011-01-24T09:07:29.1399190Z\",\"2011-01-24T09:07:29.0000001Z\","
                         "\"2011-01-24T09:07:30.0000000Z\"]");
        ef_renderer_free(r);
    }
    ef_buf_free(&out);
}
END_TEST

/* The word-at-a-time GUID text against printf, over GUIDs whose nibbles take every value. */
START_TEST(guid_text_matches_printf)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;
    char got[40], want[40];
    struct ef_guid g;
    unsigned i, k;

    for (i = 0; i < 4096; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift */
        g.data1 = (uint32_t)x;
        g.data2 = (uint16_t)(x >> 32);
        g.data3 = (uint16_t)(x >> 48);
        for (k = 0; k < 8; k++)
            g.data4[k] = (uint8_t)((x >> (8 * k)) ^ (x >> 29) ^ k * 37);
        if (i < 16) /* every nibble the same, 0 to F */
            memset(&g, (int)(i * 0x11), sizeof(g));
        snprintf(want, sizeof(want), "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", g.data1,
                 g.data2, g.data3, g.data4[0], g.data4[1], g.data4[2], g.data4[3], g.data4[4],
                 g.data4[5], g.data4[6], g.data4[7]);
        memset(got, 'x', sizeof(got));
        if (ef_render_fmt_guid(got, &g) != 38 || memcmp(got, want, 38) != 0)
            ck_abort_msg("%.38s, want %s", got, want);
    }
}
END_TEST

/* Hex without leading zeros at every length, against printf. */
START_TEST(hex_text_every_length)
{
    char got[20], want[20];
    uint64_t v;
    size_t n;
    unsigned k, j;

    for (k = 0; k < 64; k++) {
        for (j = 0; j < 3; j++) {
            v = j == 0 ? (1ull << k) : j == 1 ? (1ull << k) - 1 : (0xA5C3F1E7B9D20486ull >> k);
            snprintf(want, sizeof(want), "%llX", (unsigned long long)v);
            memset(got, 'x', sizeof(got));
            n = ef_render_fmt_hex(got, v);
            if (n != strlen(want) || memcmp(got, want, n) != 0)
                ck_abort_msg("%llX: %.*s", (unsigned long long)v, (int)n, got);
        }
    }
}
END_TEST

TCase *ef_render_fast_case(void);

TCase *ef_render_fast_case(void)
{
    TCase *tc = tcase_create("fast_paths");

    tcase_add_loop_test(tc, keys_and_runs_match_plain, 0, sizeof(names) / sizeof(names[0]));
    tcase_add_loop_test(tc, no_schema_runs_match_plain, EF_RENDER_NATIVE, EF_RENDER_ECS + 1);
    tcase_add_test(tc, digit_pairs);
    tcase_add_test(tc, string_escape_every_position);
    tcase_add_test(tc, in_place_formats);
    tcase_add_test(tc, guid_text_matches_printf);
    tcase_add_test(tc, hex_text_every_length);
    return tc;
}

/*
 * test_http_format.c - request bodies of the HTTP sink (ndjson, json array,
 * es-bulk action lines, Splunk HEC event objects), the deterministic _id,
 * the dated index name and the gzip round trip.
 */
#include "runner.h"

#include "config/config.h"
#include "sinks/http_int.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define EV_A                                                                                       \
    "{\"System\":{\"EventID\":7,\"TimeCreated\":{\"SystemTime\":\"2026-11-26T06:05:38.1234567Z\"}" \
    ","                                                                                            \
    "\"Computer\":\"HOSTA\",\"Session\":\"main\"},\"EventData\":{\"N\":1}}"
#define EV_B                                                                                       \
    "{\"System\":{\"EventID\":8,\"TimeCreated\":{\"SystemTime\":\"2026-01-02T23:59:59Z\"},"        \
    "\"Computer\":\"HOST\\\"B\",\"Session\":\"other\"},\"EventData\":{}}"
#define EV_NOHOST "{\"System\":{\"EventID\":9,\"Session\":\"main\"}}"
#define EV_ECS    "{\"@timestamp\":\"2025-03-04T01:02:03.000Z\",\"host\":{\"name\":\"ecs-host\"}}"

/* A batch of the given events with sequence numbers first_seq, first_seq + 1, ... */
static void make_batch(struct ef_batch *b, const char *const *evs, size_t n, uint64_t first_seq)
{
    size_t i;

    memset(b, 0, sizeof(*b));
    ef_buf_init(&b->data, 1 << 20);
    b->events = calloc(n ? n : 1, sizeof(*b->events));
    ck_assert_ptr_nonnull(b->events);
    for (i = 0; i < n; i++) {
        b->events[i].seq = first_seq + i;
        b->events[i].off = b->data.len;
        b->events[i].len = (uint32_t)strlen(evs[i]);
        ck_assert_int_eq(ef_buf_append(&b->data, evs[i], strlen(evs[i])), 0);
    }
    b->count = n;
}

static void free_batch(struct ef_batch *b)
{
    free(b->events);
    ef_buf_free(&b->data);
}

static void id_of(const struct ef_http_fmt *f, const char *ev, uint64_t seq, char out[48])
{
    ef_http_event_id(f, ev, strlen(ev), seq, out);
}

struct body_case {
    int format;
    const char *index;
    size_t from, to;
    const char *want; /* with @ID0@, @ID1@ for the _ids of events 0 and 1 */
};

static const char *const body_events[] = {EV_A, EV_B};

static const struct body_case body_cases[] = {
    {EF_HTTP_NDJSON, NULL, 0, 2, EV_A "\n" EV_B "\n"},
    {EF_HTTP_NDJSON, NULL, 1, 2, EV_B "\n"},
    {EF_HTTP_NDJSON, NULL, 1, 1, ""},
    {EF_HTTP_JSON, NULL, 0, 2, "[" EV_A "," EV_B "]"},
    {EF_HTTP_JSON, NULL, 0, 1, "[" EV_A "]"},
    {EF_HTTP_JSON, NULL, 0, 0, "[]"},
    {EF_HTTP_ES_BULK, NULL, 0, 2,
     "{\"create\":{\"_id\":\"@ID0@\"}}\n" EV_A "\n{\"create\":{\"_id\":\"@ID1@\"}}\n" EV_B "\n"},
    {EF_HTTP_ES_BULK, "etw-%Y.%m.%d", 0, 2,
     "{\"create\":{\"_index\":\"etw-2026.11.26\",\"_id\":\"@ID0@\"}}\n" EV_A "\n"
     "{\"create\":{\"_index\":\"etw-2026.01.02\",\"_id\":\"@ID1@\"}}\n" EV_B "\n"},
    {EF_HTTP_ES_BULK, "q\"x", 1, 2,
     "{\"create\":{\"_index\":\"q\\\"x\",\"_id\":\"@ID1@\"}}\n" EV_B "\n"},
    {EF_HTTP_SPLUNK_HEC, "main", 0, 2,
     "{\"time\":1795673138.123,\"host\":\"HOSTA\",\"source\":\"etwfwd\",\"sourcetype\":"
     "\"etwfwd:json\",\"index\":\"main\",\"event\":" EV_A "}\n"
     "{\"time\":1767398399,\"host\":\"HOST\\\"B\",\"source\":\"etwfwd\",\"sourcetype\":"
     "\"etwfwd:json\",\"index\":\"main\",\"event\":" EV_B "}\n"},
};

/* Replaces @ID0@/@ID1@ in want by the real ids. */
static void expand(const char *want, const char ids[2][48], char *out, size_t cap)
{
    size_t o = 0;

    while (*want && o + 1 < cap) {
        if (strncmp(want, "@ID", 3) == 0 && want[4] == '@') {
            const char *id = ids[want[3] - '0'];

            ck_assert_uint_lt(o + strlen(id), cap);
            memcpy(out + o, id, strlen(id));
            o += strlen(id);
            want += 5;
        } else {
            out[o++] = *want++;
        }
    }
    out[o] = '\0';
}

START_TEST(body_table)
{
    const struct body_case *c = &body_cases[_i];
    struct ef_http_fmt f = {c->format, c->index, "thishost", NULL};
    struct ef_batch b;
    struct ef_buf out;
    char ids[2][48], want[4096];

    make_batch(&b, body_events, 2, 100);
    id_of(&f, EV_A, 100, ids[0]);
    id_of(&f, EV_B, 101, ids[1]);
    expand(c->want, ids, want, sizeof(want));
    ef_buf_init(&out, 1 << 20);
    ck_assert_int_eq(ef_http_format_body(&f, &b, c->from, c->to, &out), 0);
    ck_assert_uint_eq(out.len, strlen(want));
    ck_assert(memcmp(out.data ? out.data : "", want, out.len) == 0);
    ef_buf_free(&out);
    free_batch(&b);
}
END_TEST

/* A body over the buffer's cap is EF_ELIMIT, not a truncated body. */
START_TEST(body_over_cap)
{
    struct ef_http_fmt f = {EF_HTTP_ES_BULK, NULL, "h", NULL};
    struct ef_batch b;
    struct ef_buf out;

    make_batch(&b, body_events, 2, 1);
    ef_buf_init(&out, 64);
    ck_assert_int_eq(ef_http_format_body(&f, &b, 0, 2, &out), EF_ELIMIT);
    ef_buf_free(&out);
    free_batch(&b);
}
END_TEST

struct id_case {
    const char *ev_a, *host_a;
    uint64_t seq_a;
    const char *ev_b, *host_b;
    uint64_t seq_b;
    int same;
};

static const struct id_case id_cases[] = {
    {EV_A, "h", 5, EV_A, "h", 5, 1},
    /* The configured host only matters for events without System.Computer. */
    {EV_A, "h1", 5, EV_A, "h2", 5, 1},
    {EV_A, "h", 5, EV_A, "h", 6, 0},
    {EV_A, "h", 5, EV_B, "h", 5, 0},
    {EV_NOHOST, "h1", 5, EV_NOHOST, "h1", 5, 1},
    {EV_NOHOST, "h1", 5, EV_NOHOST, "h2", 5, 0},
    {"{\"System\":{\"Computer\":\"X\",\"Session\":\"s1\"}}", "h", 1,
     "{\"System\":{\"Computer\":\"X\",\"Session\":\"s2\"}}", "h", 1, 0},
    {"{\"System\":{\"Computer\":\"X\",\"Session\":\"s\"}}", "h", 1,
     "{\"System\":{\"Computer\":\"Y\",\"Session\":\"s\"}}", "h", 1, 0},
    /* The separator keeps host "ab"+session "c" apart from host "a"+session "bc". */
    {"{\"System\":{\"Computer\":\"ab\",\"Session\":\"c\"}}", "h", 1,
     "{\"System\":{\"Computer\":\"a\",\"Session\":\"bc\"}}", "h", 1, 0},
    {EV_ECS, "h", 3, EV_ECS, "other", 3, 1},
    {EV_ECS, "h", 3,
     "{\"@timestamp\":\"2025-03-04T01:02:03.001Z\",\"host\":{\"name\":\"ecs-host\"}}", "h", 3, 0},
};

START_TEST(id_table)
{
    const struct id_case *c = &id_cases[_i];
    struct ef_http_fmt fa = {EF_HTTP_ES_BULK, NULL, c->host_a, NULL};
    struct ef_http_fmt fb = {EF_HTTP_ES_BULK, NULL, c->host_b, NULL};
    char a[48], b[48], tail[32];
    size_t i;

    id_of(&fa, c->ev_a, c->seq_a, a);
    id_of(&fb, c->ev_b, c->seq_b, b);
    ck_assert_int_eq(strcmp(a, b) == 0, c->same);
    /* 16 hex digits, '-', the sequence. */
    for (i = 0; i < 16; i++)
        ck_assert_msg(strchr("0123456789abcdef", a[i]) && a[i], "bad id %s", a);
    snprintf(tail, sizeof(tail), "-%llu", (unsigned long long)c->seq_a);
    ck_assert_str_eq(a + 16, tail);
}
END_TEST

struct index_case {
    const char *pattern, *ev;
    size_t cap;
    int rc;
    const char *want; /* NULL with rc 0: today's UTC date as %Y.%m.%d */
};

static const struct index_case index_cases[] = {
    {"etw-%Y.%m.%d", EV_A, 64, 0, "etw-2026.11.26"},
    {"etw-%Y.%m", EV_B, 64, 0, "etw-2026.01"},
    {"%d/%m/%Y", EV_ECS, 64, 0, "04/03/2025"},
    {"plain", EV_A, 64, 0, "plain"},
    {"", EV_A, 64, 0, ""},
    {"100%%-%Y", EV_A, 64, 0, "100%-2026"},
    {"%x%Y%", EV_A, 64, 0, "%x2026%"},
    {"etw-%Y.%m.%d", EV_A, 14, EF_ELIMIT, NULL},
    {"etw-%Y.%m.%d", EV_A, 15, 0, "etw-2026.11.26"},
    {"%Y.%m.%d", "{\"System\":{\"TimeCreated\":{\"SystemTime\":\"20x6-11-26T00:00:00Z\"}}}", 64, 0,
     NULL},
    {"%Y.%m.%d", EV_NOHOST, 64, 0, NULL},
};

static void today(char *out, size_t cap)
{
    time_t now = time(NULL);
    struct tm tm;

#ifdef _WIN32
    gmtime_s(&tm, &now);
#else
    gmtime_r(&now, &tm);
#endif
    snprintf(out, cap, "%04d.%02d.%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

START_TEST(index_table)
{
    const struct index_case *c = &index_cases[_i];
    char out[64], before[32], after[32];

    today(before, sizeof(before));
    ck_assert_int_eq(ef_http_index_name(c->pattern, c->ev, strlen(c->ev), out, c->cap), c->rc);
    today(after, sizeof(after));
    if (c->rc < 0)
        return;
    if (c->want)
        ck_assert_str_eq(out, c->want);
    else
        ck_assert_msg(strcmp(out, before) == 0 || strcmp(out, after) == 0, "got %s, today %s", out,
                      before);
}
END_TEST

/* The HEC host falls back to this machine's name, escaped as a JSON string. */
START_TEST(hec_fallbacks)
{
    static const char *const evs[] = {EV_NOHOST};
    struct ef_http_fmt f = {EF_HTTP_SPLUNK_HEC, NULL, "my\"host", "custom:type"};
    struct ef_batch b;
    struct ef_buf out;
    const char *want = "{\"host\":\"my\\\"host\",\"source\":\"etwfwd\",\"sourcetype\":"
                       "\"custom:type\",\"event\":" EV_NOHOST "}\n";

    make_batch(&b, evs, 1, 1);
    ef_buf_init(&out, 1 << 16);
    ck_assert_int_eq(ef_http_format_body(&f, &b, 0, 1, &out), 0);
    ck_assert_str_eq(out.data, want);
    ef_buf_free(&out);
    free_batch(&b);
}
END_TEST

/* Inflates a gzip member into a malloc'd buffer of cap bytes; returns its length. */
static size_t gunzip(const char *in, size_t len, size_t cap, char **out)
{
    z_stream z;

    int rc;

    *out = malloc(cap);
    ck_assert_ptr_nonnull(*out);
    memset(&z, 0, sizeof(z));
    ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)*out;
    z.avail_out = (uInt)cap;
    rc = inflate(&z, Z_FINISH);
    ck_assert_int_eq(rc, Z_STREAM_END);
    ck_assert_uint_eq(z.avail_in, 0);
    inflateEnd(&z);
    return cap - z.avail_out;
}

struct gzip_case {
    size_t len;
    int pattern; /* 0 event text, 1 pseudo-random bytes, 2 zeros */
};

static const struct gzip_case gzip_cases[] = {
    {0, 0}, {1, 0}, {1000, 0}, {300000, 0}, {70000, 1}, {1 << 20, 2},
};

START_TEST(gzip_table)
{
    const struct gzip_case *c = &gzip_cases[_i];
    char *in = malloc(c->len + 1), *back = NULL;
    struct ef_buf out;
    uint32_t x = 12345;
    size_t i, n;

    ck_assert_ptr_nonnull(in);
    for (i = 0; i < c->len; i++) {
        x = x * 1103515245u + 12345u;
        in[i] = c->pattern == 0 ? EV_A[i % strlen(EV_A)] : c->pattern == 1 ? (char)(x >> 24) : 0;
    }
    ef_buf_init(&out, 64u << 20);
    ck_assert_int_eq(ef_http_gzip(in, c->len, 1, &out), 0);
    ck_assert_uint_ge(out.len, 18); /* gzip header and trailer */
    ck_assert_int_eq((unsigned char)out.data[0], 0x1f);
    ck_assert_int_eq((unsigned char)out.data[1], 0x8b);
    n = gunzip(out.data, out.len, c->len + 1, &back);
    ck_assert_uint_eq(n, c->len);
    ck_assert(memcmp(back, in, n) == 0);
    if (c->pattern != 1 && c->len >= 1000)
        ck_assert_uint_lt(out.len, c->len / 4);
    free(back);
    free(in);
    ef_buf_free(&out);
}
END_TEST

/* Compressed output over the buffer's cap is EF_ELIMIT (then the sink splits). */
START_TEST(gzip_over_cap)
{
    char in[4096];
    struct ef_buf out;
    size_t i;
    uint32_t x = 7;

    for (i = 0; i < sizeof(in); i++) {
        x = x * 1103515245u + 12345u;
        in[i] = (char)(x >> 24);
    }
    ef_buf_init(&out, 1024);
    ck_assert_int_eq(ef_http_gzip(in, sizeof(in), 1, &out), EF_ELIMIT);
    ef_buf_free(&out);
}
END_TEST

TCase *ef_http_format_case(void);
TCase *ef_http_format_case(void)
{
    TCase *tc = tcase_create("format");

    tcase_add_loop_test(tc, body_table, 0, (int)(sizeof(body_cases) / sizeof(body_cases[0])));
    tcase_add_test(tc, body_over_cap);
    tcase_add_loop_test(tc, id_table, 0, (int)(sizeof(id_cases) / sizeof(id_cases[0])));
    tcase_add_loop_test(tc, index_table, 0, (int)(sizeof(index_cases) / sizeof(index_cases[0])));
    tcase_add_test(tc, hec_fallbacks);
    tcase_add_loop_test(tc, gzip_table, 0, (int)(sizeof(gzip_cases) / sizeof(gzip_cases[0])));
    tcase_add_test(tc, gzip_over_cap);
    return tc;
}

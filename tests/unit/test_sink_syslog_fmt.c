/*
 * test_sink_syslog_fmt.c - syslog message building: RFC 5424 and RFC 3164
 * headers from native and ECS events, the severity map, SD escaping,
 * framing, truncation and refusal at the size limit, and the scanner on
 * every prefix of an event (no read past the end, ASan checks).
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "sinks/syslog.h"
#include "util/buf.h"
#include "util/error.h"

static const char native_ev[] =
    "{\"System\":{\"Provider\":{\"Name\":\"Microsoft-Windows-Kernel-Process\","
    "\"Guid\":\"{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}\"},\"EventID\":1,\"Version\":3,"
    "\"Level\":{\"Value\":4,\"Name\":\"Information\"},\"Task\":{\"Value\":1,\"Name\":"
    "\"ProcessStart\"},"
    "\"Keywords\":{\"Value\":\"0x10\",\"Name\":[\"A\",\"B\"]},"
    "\"TimeCreated\":{\"SystemTime\":\"2026-11-26T06:05:38.1234567Z\"},"
    "\"Execution\":{\"ProcessID\":4,\"ThreadID\":8,\"ProcessorID\":2},"
    "\"Computer\":\"HOST-1\",\"Session\":\"main\"},"
    "\"EventData\":{\"ProcessID\":1234,\"ImageName\":\"notepad.exe\"}}";

static const char ecs_ev[] =
    "{\"@timestamp\":\"2026-01-02T03:04:05.5Z\",\"event\":{\"kind\":\"event\",\"code\":\"7\","
    "\"provider\":\"P]x\",\"severity\":2},\"log\":{\"level\":\"error\"},\"host\":{\"name\":\"h "
    "b\"},"
    "\"winlog\":{\"provider_name\":\"P]x\\\"q\\\\\",\"provider_guid\":\"{00000000-0000-0000-0000-"
    "000000000001}\",\"event_id\":\"7\",\"process\":{\"pid\":99,\"thread\":{\"id\":1}},"
    "\"session\":\"s\\u00e9\",\"event_data\":{\"x\":[1,{\"y\":2}]}}}";

static void fmt_init(struct ef_syslog_fmt *f, int rfc, int framing, size_t max, int oversize)
{
    memset(f, 0, sizeof(*f));
    f->rfc = rfc;
    f->facility = 16; /* local0 */
    f->framing = framing;
    f->max_size = max;
    f->oversize = oversize;
    strcpy(f->hostname, "fallback");
    f->self_pid = 4242;
    ef_buf_init(&f->hdr, 1 << 16);
}

static char *format1(struct ef_syslog_fmt *f, const char *ev, int *flags, int *rc)
{
    struct ef_buf out;

    ef_buf_init(&out, 1 << 20);
    *rc = ef_syslog_format(f, ev, strlen(ev), &out, flags);
    if (!out.data)
        ef_buf_append(&out, "", 0);
    return out.data;
}

static const struct {
    const char *ev;
    int rfc, framing;
    const char *expect; /* the message up to the JSON */
} cases[] = {
    {native_ev, EF_SYSLOG_RFC5424, EF_SYSLOG_FRAME_NONE,
     "<134>1 2026-11-26T06:05:38.123456Z HOST-1 etwfwd 4 EID-1 [etw@32473 "
     "provider=\"Microsoft-Windows-Kernel-Process\" guid=\"{22FB2CD6-0E7B-422B-A0C7-"
     "2FAD1FD0E716}\" eventId=\"1\" session=\"main\"] {"},
    {ecs_ev, EF_SYSLOG_RFC5424, EF_SYSLOG_FRAME_NONE,
     "<131>1 2026-01-02T03:04:05.5Z h_b etwfwd 99 EID-7 [etw@32473 provider=\"P\\]x\\\"q\\\\\" "
     "guid=\"{00000000-0000-0000-0000-000000000001}\" eventId=\"7\" session=\"s\xc3\xa9\"] {"},
    {"{\"x\":1}", EF_SYSLOG_RFC5424, EF_SYSLOG_FRAME_NONE,
     "<134>1 - fallback etwfwd 4242 - [etw@32473] {"},
    {native_ev, EF_SYSLOG_RFC3164, EF_SYSLOG_FRAME_NONE,
     "<134>Nov 26 06:05:38 HOST-1 etwfwd[4]: {"},
    {ecs_ev, EF_SYSLOG_RFC3164, EF_SYSLOG_FRAME_NONE, "<131>Jan  2 03:04:05 h_b etwfwd[99]: {"},
};

START_TEST(formats_headers)
{
    struct ef_syslog_fmt f;
    int flags, rc;
    char *msg;

    fmt_init(&f, cases[_i].rfc, cases[_i].framing, 65536, EF_OVERSIZE_TRUNCATE);
    msg = format1(&f, cases[_i].ev, &flags, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(flags, 0);
    ck_assert_msg(strncmp(msg, cases[_i].expect, strlen(cases[_i].expect)) == 0, "got %s", msg);
    /* The JSON follows whole. */
    ck_assert_str_eq(msg + strlen(cases[_i].expect) - 1, cases[_i].ev);
    free(msg);
    ef_buf_free(&f.hdr);
}
END_TEST

START_TEST(severity_map)
{
    static const int expect[] = {6, 2, 3, 4, 6, 7, 7, 7};
    unsigned i;

    for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
        ck_assert_int_eq(ef_syslog_severity(i), expect[i]);
    ck_assert_int_eq(ef_syslog_severity(255), 7);
}
END_TEST

START_TEST(framing)
{
    struct ef_syslog_fmt f;
    int flags, rc;
    char *msg, *sp;

    fmt_init(&f, EF_SYSLOG_RFC5424, EF_SYSLOG_OCTET_COUNTING, 65536, EF_OVERSIZE_TRUNCATE);
    msg = format1(&f, native_ev, &flags, &rc);
    ck_assert_int_eq(rc, 0);
    sp = strchr(msg, ' ');
    ck_assert_ptr_nonnull(sp);
    ck_assert_uint_eq(strtoul(msg, NULL, 10), strlen(sp + 1));
    ck_assert(strncmp(sp + 1, "<134>1 ", 7) == 0);
    free(msg);
    f.framing = EF_SYSLOG_LF;
    msg = format1(&f, native_ev, &flags, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert(strncmp(msg, "<134>1 ", 7) == 0);
    ck_assert_int_eq(msg[strlen(msg) - 1], '\n');
    ck_assert_ptr_eq(strchr(msg, '\n'), msg + strlen(msg) - 1);
    free(msg);
    ef_buf_free(&f.hdr);
}
END_TEST

START_TEST(oversize_truncates_or_refuses)
{
    struct ef_syslog_fmt f;
    struct ef_buf out;
    int flags, rc, rfc = _i ? EF_SYSLOG_RFC3164 : EF_SYSLOG_RFC5424;
    char *big = malloc(3000), *sp;
    size_t i;

    /* An event with a multi-byte character where the cut falls. */
    strcpy(big, "{\"System\":{\"EventID\":5},\"EventData\":{\"s\":\"");
    for (i = strlen(big); i < 2900; i += 2)
        memcpy(big + i, "\xc3\xa9", 2);
    strcpy(big + i, "\"}}");
    fmt_init(&f, rfc, EF_SYSLOG_OCTET_COUNTING, 480, EF_OVERSIZE_TRUNCATE);
    ef_buf_init(&out, 1 << 20);
    rc = ef_syslog_format(&f, big, strlen(big), &out, &flags);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(flags, EF_SYSLOG_TRUNCATED);
    sp = strchr(out.data, ' ');
    ck_assert_uint_eq(strtoul(out.data, NULL, 10), out.len - (size_t)(sp + 1 - out.data));
    ck_assert_uint_le(out.len - (size_t)(sp + 1 - out.data), 480);
    ck_assert_uint_ge(out.len - (size_t)(sp + 1 - out.data), 476);
    if (rfc == EF_SYSLOG_RFC5424) {
        ck_assert_ptr_nonnull(strstr(out.data, " truncated=\""));
    } else {
        ck_assert(memcmp(out.data + out.len - 3, "...", 3) == 0);
    }
    /* Never half a UTF-8 character before the end or the marker. */
    {
        const char *end = out.data + out.len - (rfc == EF_SYSLOG_RFC3164 ? 3 : 0);

        ck_assert((unsigned char)end[-1] != 0xc3);
    }
    ef_buf_reset(&out);
    f.oversize = EF_OVERSIZE_DROP;
    rc = ef_syslog_format(&f, big, strlen(big), &out, &flags);
    ck_assert_int_eq(rc, EF_ELIMIT);
    ck_assert_int_eq(flags, EF_SYSLOG_REFUSED);
    ck_assert_uint_eq(out.len, 0);
    /* A message that fits is untouched. */
    rc = ef_syslog_format(&f, "{}", 2, &out, &flags);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(flags, 0);
    ef_buf_free(&out);
    ef_buf_free(&f.hdr);
    free(big);
}
END_TEST

START_TEST(truncated_mark_has_original_length)
{
    struct ef_syslog_fmt f;
    struct ef_buf out, full;
    char ev[1200], mark[64];
    int flags, rc;

    memset(ev, 'a', sizeof(ev));
    memcpy(ev, "{\"p\":\"", 6);
    memcpy(ev + sizeof(ev) - 3, "\"}", 3);
    fmt_init(&f, EF_SYSLOG_RFC5424, EF_SYSLOG_FRAME_NONE, 1 << 20, EF_OVERSIZE_TRUNCATE);
    ef_buf_init(&full, 1 << 20);
    ck_assert_int_eq(ef_syslog_format(&f, ev, strlen(ev), &full, &flags), 0);
    f.max_size = 600;
    ef_buf_init(&out, 1 << 20);
    rc = ef_syslog_format(&f, ev, strlen(ev), &out, &flags);
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(out.len, 600);
    snprintf(mark, sizeof(mark), " truncated=\"%zu\"]", full.len);
    ck_assert_msg(strstr(out.data, mark) != NULL, "no %s in %s", mark, out.data);
    ef_buf_free(&out);
    ef_buf_free(&full);
    ef_buf_free(&f.hdr);
}
END_TEST

START_TEST(scanner_never_overreads)
{
    const char *evs[] = {native_ev, ecs_ev};
    size_t n;

    for (n = 0; n <= strlen(evs[_i]); n++) {
        /* An exact-size heap copy, so ASan sees any read past the end. */
        char *p = malloc(n ? n : 1);
        struct ef_syslog_meta m;
        struct ef_syslog_fmt f;
        struct ef_buf out;
        int flags;

        memcpy(p, evs[_i], n);
        (void)ef_syslog_scan(p, n, &m);
        fmt_init(&f, EF_SYSLOG_RFC5424, EF_SYSLOG_LF, 65536, EF_OVERSIZE_TRUNCATE);
        ef_buf_init(&out, 1 << 20);
        ck_assert_int_eq(ef_syslog_format(&f, p, n, &out, &flags), 0);
        ef_buf_free(&out);
        ef_buf_free(&f.hdr);
        free(p);
    }
}
END_TEST

START_TEST(scanner_finds_fields)
{
    struct ef_syslog_meta m;

    ck_assert_int_eq(ef_syslog_scan(native_ev, strlen(native_ev), &m), 0);
    ck_assert_int_eq((int)m.v[EF_SLF_PID].n, 1);
    ck_assert(memcmp(m.v[EF_SLF_PID].p, "4", 1) == 0); /* System's, not EventData's */
    ck_assert(memcmp(m.v[EF_SLF_LEVEL].p, "4", 1) == 0);
    ck_assert_int_eq(m.v[EF_SLF_GUID].is_str, 1);
    ck_assert_int_eq(ef_syslog_scan("[1]", 3, &m), EF_EFORMAT);
    ck_assert_int_eq(ef_syslog_scan("{\"System\":{\"EventID\":}", 23, &m), EF_EFORMAT);
    ck_assert_int_eq(ef_syslog_scan("{\"a\":\"\\", 7, &m), EF_EFORMAT);
}
END_TEST

START_TEST(split_address)
{
    static const struct {
        const char *in, *host, *port;
    } ok[] = {{"127.0.0.1:514", "127.0.0.1", "514"},
              {"[::1]:6514", "::1", "6514"},
              {"siem.example:601", "siem.example", "601"}};
    static const char *const bad[] = {"",    "host",    "host:", ":514",    "::1:514",
                                      "h:0", "h:65536", "h:5x",  "[::1]514"};
    char host[64], port[8];
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ck_assert_int_eq(ef_syslog_split_address(ok[i].in, host, sizeof(host), port, sizeof(port)),
                         0);
        ck_assert_str_eq(host, ok[i].host);
        ck_assert_str_eq(port, ok[i].port);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(ef_syslog_split_address(bad[i], host, sizeof(host), port, sizeof(port)) ==
                          EF_EINVAL,
                      "%s accepted", bad[i]);
}
END_TEST

TCase *ef_sink_syslog_fmt_case(void);
TCase *ef_sink_syslog_fmt_case(void)
{
    TCase *tc = tcase_create("syslog_fmt");

    tcase_add_loop_test(tc, formats_headers, 0, sizeof(cases) / sizeof(cases[0]));
    tcase_add_test(tc, severity_map);
    tcase_add_test(tc, framing);
    tcase_add_loop_test(tc, oversize_truncates_or_refuses, 0, 2);
    tcase_add_test(tc, truncated_mark_has_original_length);
    tcase_add_loop_test(tc, scanner_never_overreads, 0, 2);
    tcase_add_test(tc, scanner_finds_fields);
    tcase_add_test(tc, split_address);
    return tc;
}

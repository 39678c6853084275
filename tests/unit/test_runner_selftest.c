/*
 * test_runner_selftest.c - the self-test's TraceLogging events, end to end
 * without Windows: built, turned into records as a real-time consumer sees
 * them (EVENT_SCHEMA_TL and PROV_TRAITS extended items), decoded by the
 * TraceLogging source, rendered, and checked.
 *
 * Expected bytes and text are written by hand from TraceLoggingProvider.h's
 * layout and the values selftest_events.h states; the provider GUID was
 * worked out with Python's hashlib from ETW-NOTES §7's recipe.
 */
#include "runner.h"

#include "decode/decoder.h"
#include "decode/tlg_source.h"
#include "render/render.h"
#include "runner/selftest_events.h"
#include "util/error.h"
#include "util/record.h"

#include <stdio.h>
#include <string.h>

/* sha1(482C2DB2C39047C887F81A15BFC130FB + UTF-16BE "ETWFWD-SELFTEST"), b[7] = 0x5X. */
static const struct ef_guid selftest_guid = {
    0x83D70FC9, 0x5523, 0x5535, {0xBA, 0x1D, 0x5E, 0xE2, 0x44, 0xF2, 0xA4, 0xB9}};

static const uint8_t want_traits[] = "\x12\x00"
                                     "etwfwd-selftest";

static const uint8_t want_event[] = "\x2e\x00"
                                    "\x00"
                                    "SelftestEvent\0"
                                    "Seq\0\x08"
                                    "Text\0\x01"
                                    "Number\0\x09"
                                    "Id\0\x0f"
                                    "Time\0\x11";

/* Event 9: Seq, "selftest #9 Grüße € U+1F600" + NUL, Number, Id, Time. */
static const uint8_t want_payload9[] =
    "\x09\x00\x00\x00"
    "s\0e\0l\0f\0t\0e\0s\0t\0 \0#\0"
    "9\0 \0G\0r\0\xfc\0\xdf\0e\0 \0\xac\x20 \0\x3d\xd8\x00\xde\0\0"
    "\xba\xe5\x8e\xe7\xfd\xff\xff\xff"                                 /* -9000000070 */
    "\x09\x00\x00\x00\xf0\xe7\x1f\x5e\x80\x00\x5e\x1f\xff\xff\xff\xf6" /* the GUID */
    "\xbe\x4a\xfc\x67\x6b\x6b\xda\x01";                                /* the FILETIME */

static const char want_data9[] =
    "\"EventData\":{\"Seq\":9,\"Text\":\"selftest #9 Gr\xc3\xbc\xc3\x9f"
    "e \xe2\x82\xac \xf0\x9f\x98\x80\",\"Number\":-9000000070,"
    "\"Id\":\"{00000009-E7F0-5E1F-8000-5E1FFFFFFFF6}\","
    "\"Time\":\"2024-03-01T00:00:01.1111102Z\"}";

START_TEST(meta_bytes)
{
    struct ef_selftest_meta m;

    ck_assert_int_eq(ef_selftest_meta_build(&m), 0);
    ck_assert(ef_guid_equal(&m.provider, &selftest_guid));
    ck_assert_uint_eq(m.traits_len, sizeof(want_traits));
    ck_assert_mem_eq(m.traits, want_traits, sizeof(want_traits));
    ck_assert_uint_eq(m.event_len, sizeof(want_event) - 1);
    ck_assert_mem_eq(m.event, want_event, sizeof(want_event) - 1);
    ck_assert_uint_eq(m.channel, 11);
    ck_assert_uint_eq(m.level, 4);
}
END_TEST

START_TEST(payload_bytes)
{
    uint8_t p[EF_SELFTEST_PAYLOAD_MAX];
    size_t len = 0;

    ck_assert_int_eq(ef_selftest_payload(9, p, sizeof(p), &len), 0);
    ck_assert_uint_eq(len, sizeof(want_payload9) - 1);
    ck_assert_mem_eq(p, want_payload9, len);
    /* The largest sequence number still fits the documented maximum. */
    ck_assert_int_eq(ef_selftest_payload(UINT32_MAX, p, sizeof(p), &len), 0);
    ck_assert_uint_le(len, EF_SELFTEST_PAYLOAD_MAX);
    ck_assert_int_eq(ef_selftest_payload(9, p, 40, &len), EF_ENOSPC);
}
END_TEST

/* The decoder and renderer a consumer thread has, and one record's storage. */
struct pipe {
    struct ef_decoder *d;
    struct ef_renderer *r;
    struct ef_selftest_meta m;
    struct ef_ext_item ext[2];
    uint8_t payload[EF_SELFTEST_PAYLOAD_MAX];
    struct ef_record rec;
    struct ef_buf out;
};

static void pipe_open(struct pipe *p, int int64_as_string)
{
    struct ef_schema_source src;
    struct ef_render_opts o = {.format = EF_RENDER_NATIVE, .int64_as_string = int64_as_string};

    memset(p, 0, sizeof(*p));
    ck_assert_int_eq(ef_selftest_meta_build(&p->m), 0);
    ck_assert_int_eq(ef_decoder_new(NULL, &p->d), 0);
    ck_assert_int_eq(ef_tlg_source_create(0, &src), 0);
    ck_assert_int_eq(ef_decoder_add_source(p->d, src), 0);
    ck_assert_int_eq(ef_renderer_new(&o, &p->r), 0);
    ef_buf_init(&p->out, 1 << 20);
}

static void pipe_close(struct pipe *p)
{
    ef_buf_free(&p->out);
    ef_renderer_free(p->r);
    ef_decoder_free(p->d);
}

/* Event i as a real-time consumer receives it, with the given payload. */
static void make_record(struct pipe *p, uint32_t i, size_t len)
{
    struct ef_record *r = &p->rec;

    memset(r, 0, sizeof(*r));
    r->provider = p->m.provider;
    r->channel = p->m.channel;
    r->level = p->m.level;
    r->opcode = p->m.opcode;
    r->keywords = p->m.keyword;
    r->flags = EF_HDR_FLAG_EXTENDED_INFO | EF_HDR_FLAG_64_BIT_HEADER;
    r->pid = 4242;
    r->tid = 77;
    r->timestamp = 134086107381234567ULL + i;
    r->pointer_size = 8;
    r->kind = EF_REC_EVENT;
    p->ext[0] = (struct ef_ext_item){EF_EXT_EVENT_SCHEMA_TL, p->m.event_len, p->m.event};
    p->ext[1] = (struct ef_ext_item){EF_EXT_PROV_TRAITS, p->m.traits_len, p->m.traits};
    r->ext = p->ext;
    r->ext_count = 2;
    r->user_data = p->payload;
    r->user_data_len = (uint32_t)len;
}

static const char *render(struct pipe *p)
{
    struct ef_event ev;

    ef_buf_reset(&p->out);
    ef_decoder_decode(p->d, &p->rec, &ev);
    ck_assert_int_eq(ef_render_event(p->r, &ev, &p->out), 0);
    return p->out.data;
}

START_TEST(rendered_events_pass)
{
    struct pipe p;
    char why[256];
    uint32_t i, seq;
    size_t len;

    pipe_open(&p, _i);
    for (i = 0; i < 3000; i++) {
        ck_assert_int_eq(ef_selftest_payload(i, p.payload, sizeof(p.payload), &len), 0);
        make_record(&p, i, len);
        render(&p);
        seq = UINT32_MAX;
        ck_assert_msg(ef_selftest_check(p.out.data, p.out.len, &seq, why, sizeof(why)) == 0,
                      "event %u: %s: %s", i, why, p.out.data);
        ck_assert_uint_eq(seq, i);
        if (i == 9 && !_i)
            ck_assert_msg(strstr(p.out.data, want_data9), "%s", p.out.data);
        if (i == 0)
            ck_assert_msg(strstr(p.out.data, "\"Time\":\"2024-02-29T23:59:50.0000000Z\""), "%s",
                          p.out.data);
    }
    pipe_close(&p);
}
END_TEST

/* One damage to event 9's payload, and whether the decode still succeeds. */
struct damage {
    const char *what;
    size_t off;   /* byte of the payload to change */
    uint8_t xor ; /* what to flip in it */
    int rc;       /* ef_selftest_check's answer */
};

static const struct damage damages[] = {
    {"a sequence number of another event's other values", 0, 0x01, EF_ERANGE},
    {"a letter of the text", 6, 0x20, EF_ERANGE},
    {"the euro sign", 4 + 2 * 18, 0x01, EF_ERANGE},
    {"the number's top byte", 4 + 2 * 23 + 7, 0x40, EF_ERANGE},
    {"the GUID's last byte", 4 + 2 * 23 + 8 + 15, 0x01, EF_ERANGE},
    {"the time's lowest digit", 4 + 2 * 23 + 8 + 16, 0x01, EF_ERANGE},
};

START_TEST(damaged_event_fails)
{
    const struct damage *dm = &damages[_i];
    struct pipe p;
    char why[256];
    uint32_t seq = UINT32_MAX;
    size_t len;

    pipe_open(&p, 0);
    ck_assert_int_eq(ef_selftest_payload(9, p.payload, sizeof(p.payload), &len), 0);
    p.payload[dm->off] ^= dm->xor ;
    make_record(&p, 9, len);
    render(&p);
    ck_assert_msg(ef_selftest_check(p.out.data, p.out.len, &seq, why, sizeof(why)) == dm->rc,
                  "%s passed: %s", dm->what, p.out.data);
    ck_assert_msg(why[0], "%s: no reason given", dm->what);
    pipe_close(&p);
}
END_TEST

START_TEST(cut_payload_fails)
{
    struct pipe p;
    uint32_t seq = UINT32_MAX;
    size_t len;

    pipe_open(&p, 0);
    ck_assert_int_eq(ef_selftest_payload(9, p.payload, sizeof(p.payload), &len), 0);
    make_record(&p, 9, len - 1); /* the FILETIME loses a byte: a decode error */
    render(&p);
    ck_assert_int_eq(ef_selftest_check(p.out.data, p.out.len, &seq, NULL, 0), EF_ERANGE);
    ck_assert_uint_eq(seq, 9);
    pipe_close(&p);
}
END_TEST

/* Lines written by hand, so the checker is tested apart from the renderer. */
START_TEST(checker_by_hand)
{
    char line[1024], why[256];
    uint32_t seq = 0;
    static const char head[] = "{\"System\":{\"Provider\":{\"Name\":\"etwfwd-selftest\","
                               "\"Guid\":\"{83D70FC9-5523-5535-BA1D-5EE244F2A4B9}\"},\"EventID\":0,"
                               "\"EventName\":\"SelftestEvent\"},";

    snprintf(line, sizeof(line), "%s%s}", head, want_data9);
    ck_assert_msg(ef_selftest_check(line, strlen(line), &seq, why, sizeof(why)) == 0, "%s", why);
    ck_assert_uint_eq(seq, 9);
    /* Number as a string (int64_as_string). */
    snprintf(line, sizeof(line),
             "%s\"EventData\":{\"Seq\":\"9\",\"Text\":\"selftest #9 Gr\xc3\xbc\xc3\x9f"
             "e \xe2\x82\xac \xf0\x9f\x98\x80\",\"Number\":\"-9000000070\","
             "\"Id\":\"{00000009-E7F0-5E1F-8000-5E1FFFFFFFF6}\","
             "\"Time\":\"2024-03-01T00:00:01.1111102Z\"}}",
             head);
    ck_assert_msg(ef_selftest_check(line, strlen(line), &seq, why, sizeof(why)) == 0, "%s", why);
    /* One tick later is another time. */
    snprintf(line, sizeof(line), "%s%s}", head, want_data9);
    memcpy(strstr(line, "1111102Z"), "1111103Z", 8);
    ck_assert_int_eq(ef_selftest_check(line, strlen(line), &seq, why, sizeof(why)), EF_ERANGE);
    ck_assert_ptr_nonnull(strstr(why, "Time"));
    /* Another provider's GUID under our name. */
    snprintf(line, sizeof(line), "%s%s}", head, want_data9);
    memcpy(strstr(line, "A4B9}"), "A4B8}", 5);
    ck_assert_int_eq(ef_selftest_check(line, strlen(line), &seq, NULL, 0), EF_ERANGE);
    /* Another provider altogether, and no JSON at all. */
    snprintf(line, sizeof(line), "{\"System\":{\"Provider\":{\"Name\":\"Other\"}}}");
    ck_assert_int_eq(ef_selftest_check(line, strlen(line), &seq, NULL, 0), EF_ENOENT);
    ck_assert_int_eq(ef_selftest_check("{\"System\":", 10, &seq, NULL, 0), EF_EFORMAT);
    /* The length is honoured: a line cut before its end is not JSON. */
    snprintf(line, sizeof(line), "%s%s}", head, want_data9);
    ck_assert_int_eq(ef_selftest_check(line, strlen(line) - 1, &seq, NULL, 0), EF_EFORMAT);
}
END_TEST

TCase *ef_runner_selftest_case(void);

TCase *ef_runner_selftest_case(void)
{
    TCase *tc = tcase_create("selftest_events");

    tcase_add_test(tc, meta_bytes);
    tcase_add_test(tc, payload_bytes);
    tcase_add_loop_test(tc, rendered_events_pass, 0, 2);
    tcase_add_loop_test(tc, damaged_event_fails, 0, (int)(sizeof(damages) / sizeof(damages[0])));
    tcase_add_test(tc, cut_payload_fails);
    tcase_add_test(tc, checker_by_hand);
    return tc;
}

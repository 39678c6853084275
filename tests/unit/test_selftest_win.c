/*
 * test_selftest_win.c - `etwfwd selftest`'s run (runner/selftest.h) under
 * Wine against the fake ETW: the provider side of the fake
 * (fake_provider_win.c) takes the self-test's EventWriteTransfer calls and
 * its ProcessTrace hands them to the real consumer, decoder and renderer.
 *
 * What a user relies on: all N events back, decoded and equal, is a pass
 * with the counts; events ETW dropped are a failure that says how many;
 * a provider the session does not enable is a failure. Below that, the
 * fake itself: the EVENT_RECORD a write becomes (extended items, user
 * data, pid, tid, time) and the arguments it refuses, as ETW documents
 * them, so that the self-test's success is not an artefact of a lax fake.
 */
#include "runner.h"

#include "etw/consumer.h"
#include "etw/etw_defs.h"
#include "etw/session.h"
#include "fake_trace.h"
#include "runner/selftest.h"
#include "runner/selftest_events.h"
#include "util/error.h"

#include <string.h>
#include <uv.h>

static struct ef_etw_api api;

static void setup(void)
{
    fake_trace_reset();
    memset(&api, 0, sizeof(api));
    fake_trace_api(&api);
}

static void teardown(void)
{
    unsigned i;

    for (i = 0; i < FAKE_MAX_SESSIONS; i++)
        if (fake_trace.sessions[i].used)
            fake_trace_stop_external(&fake_trace.sessions[i]);
}

static struct ef_selftest_opts opts(uint32_t n)
{
    struct ef_selftest_opts o;

    memset(&o, 0, sizeof(o));
    o.api = &api;
    o.events = n;
    o.idle_ms = 1000;
    o.report = stderr;
    return o;
}

/* Nothing of the fake is left registered or queued once the self-test returned. */
static void assert_clean(void)
{
    struct fake_session *s = fake_trace_find("etwfwd-selftest");
    unsigned i;

    ck_assert_ptr_nonnull(s);
    ck_assert(!s->running);
    ck_assert_uint_eq(s->q_len, 0);
    for (i = 0; i < FAKE_MAX_PROVIDERS; i++)
        ck_assert_msg(!fake_trace.providers[i].used, "provider %u still registered", i);
}

START_TEST(selftest_all_arrive_equal)
{
    struct ef_selftest_opts o = opts(300);
    struct ef_selftest_result res;
    struct ef_selftest_meta m;
    struct fake_enabled *en;

    fake_trace.events_per_buffer = 16;
    ck_assert_int_eq(ef_selftest_run(&o, &res), 0);
    ck_assert_msg(res.passed, "%s", res.why);
    ck_assert_uint_eq(res.written, 300);
    ck_assert_uint_eq(res.arrived, 300);
    ck_assert_uint_eq(res.equal, 300);
    ck_assert_uint_eq(res.wrong, 0);
    ck_assert_uint_eq(res.duplicates, 0);
    ck_assert_uint_eq(res.missing, 0);
    ck_assert_uint_eq(res.events_lost, 0);
    ck_assert(res.events_per_s > 0);
    /* They came through the fake's queue, from the provider the session enabled at level 5. */
    ck_assert_uint_eq(fake_trace.queued_delivered, 300);
    ck_assert_uint_eq(fake_trace.writes_enabled, 300);
    ck_assert_int_eq(ef_selftest_meta_build(&m), 0);
    en = fake_trace_enabled(fake_trace_find("etwfwd-selftest"), &m.provider);
    ck_assert_ptr_nonnull(en);
    ck_assert_uint_eq(en->level, 5);
    ck_assert_uint_eq(en->disables, 1);
    assert_clean();
}
END_TEST

START_TEST(selftest_loss_is_a_failure_with_the_count)
{
    struct ef_selftest_opts o = opts(50);
    struct ef_selftest_result res;

    /* ETW has no buffer for writes 10..16: 7 events never arrive, and QUERY says 7 lost. */
    fake_trace.write_drop_from = 10;
    fake_trace.write_drop_count = 7;
    ck_assert_int_eq(ef_selftest_run(&o, &res), 0);
    ck_assert(!res.passed);
    ck_assert_uint_eq(res.written, 50);
    ck_assert_uint_eq(res.arrived, 43);
    ck_assert_uint_eq(res.equal, 43);
    ck_assert_uint_eq(res.missing, 7);
    ck_assert_uint_eq(res.events_lost, 7);
    ck_assert_msg(strstr(res.why, "7 of 50 events were lost") != NULL, "%s", res.why);
    ck_assert_msg(strstr(res.why, "ETW reports 7 events") != NULL, "%s", res.why);
    assert_clean();
}
END_TEST

START_TEST(selftest_provider_not_enabled_fails)
{
    struct ef_selftest_opts o = opts(20);
    struct ef_selftest_result res;

    /* Enabled at level 1 (critical): the self-test's level-4 events are not wanted. */
    o.level = 1;
    o.idle_ms = 300;
    ck_assert_int_eq(ef_selftest_run(&o, &res), 0);
    ck_assert(!res.passed);
    ck_assert_uint_eq(res.written, 20);
    ck_assert_uint_eq(res.arrived, 0);
    ck_assert_uint_eq(res.missing, 20);
    ck_assert_uint_eq(fake_trace.writes_enabled, 0);
    ck_assert_msg(strstr(res.why, "20 of 20 events were lost") != NULL, "%s", res.why);
    assert_clean();
}
END_TEST

START_TEST(selftest_session_refused_is_an_error)
{
    struct ef_selftest_opts o = opts(5);
    struct ef_selftest_result res;

    fake_trace.start_status[0] = ERROR_ACCESS_DENIED;
    fake_trace.n_start_status = 1;
    ck_assert_int_eq(ef_selftest_run(&o, &res), EF_EACCES);
    ck_assert_msg(strstr(res.why, "5 ERROR_ACCESS_DENIED") != NULL, "%s", res.why);
}
END_TEST

/* --- the fake's provider side ------------------------------------------------------ */

/* What the consumer callback saw of the first event (copied: it is valid only then). */
static struct seen {
    uv_mutex_t mu;
    int n;
    uint32_t pid, tid;
    uint64_t ts;
    uint16_t ext_type[4];
    uint8_t ext_data[4][64];
    uint16_t ext_size[4];
    unsigned ext_count;
    uint8_t user[64];
    size_t user_len;
} seen;

static void keep_first(void *ud, const struct ef_record *r)
{
    unsigned i;

    (void)ud;
    uv_mutex_lock(&seen.mu);
    if (seen.n++ == 0) {
        seen.pid = r->pid;
        seen.tid = r->tid;
        seen.ts = r->timestamp;
        seen.ext_count = r->ext_count;
        for (i = 0; i < r->ext_count && i < 4; i++) {
            seen.ext_type[i] = r->ext[i].type;
            seen.ext_size[i] = (uint16_t)r->ext[i].size;
            memcpy(seen.ext_data[i], r->ext[i].data, r->ext[i].size < 64 ? r->ext[i].size : 64);
        }
        seen.user_len = r->user_data_len;
        memcpy(seen.user, r->user_data, r->user_data_len < 64 ? r->user_data_len : 64);
    }
    uv_mutex_unlock(&seen.mu);
}

static int seen_count(void)
{
    int n;

    uv_mutex_lock(&seen.mu);
    n = seen.n;
    uv_mutex_unlock(&seen.mu);
    return n;
}

static uint64_t filetime_now(void)
{
    FILETIME ft;

    GetSystemTimePreciseAsFileTime(&ft);
    return ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

/* A session enabling provider g at level 5, and a consumer keeping its first event. */
static void start_consumer(const struct ef_guid *g, struct ef_etw_session **sess,
                           struct ef_etw_consumer **cons)
{
    struct ef_etw_session_opts so;
    struct ef_etw_consumer_opts co;
    struct ef_provider_cfg p;
    char err[512];

    memset(&seen, 0, sizeof(seen));
    ck_assert_int_eq(uv_mutex_init(&seen.mu), 0);
    memset(&so, 0, sizeof(so));
    so.api = &api;
    so.name = "etwfwd-writes";
    so.kind = EF_SESSION_REALTIME;
    ck_assert_int_eq(ef_etw_session_start(&so, sess, NULL, err, sizeof(err)), 0);
    memset(&p, 0, sizeof(p));
    p.name = (char *)"test";
    p.level = 5;
    ck_assert_int_eq(ef_etw_session_enable(*sess, &p, g, err, sizeof(err)), 0);
    memset(&co, 0, sizeof(co));
    co.api = &api;
    co.logger_name = ef_etw_session_wname(*sess);
    co.on_record = keep_first;
    ck_assert_int_eq(ef_etw_consumer_start(&co, cons, err, sizeof(err)), 0);
}

static void stop_consumer(struct ef_etw_session *sess, struct ef_etw_consumer *cons)
{
    ck_assert_int_eq(ef_etw_session_stop(sess), 0);
    ef_etw_consumer_close(cons);
    ck_assert_int_eq(ef_etw_consumer_join(cons, 10000), 0);
    ef_etw_consumer_free(cons);
    ef_etw_session_free(sess);
    uv_mutex_destroy(&seen.mu);
}

static int wait_seen(int n)
{
    int i;

    for (i = 0; i < 2000 && seen_count() < n; i++)
        Sleep(5);
    return seen_count() >= n;
}

static const struct ef_guid prov = {
    0x0A11CE00, 0x1234, 0x5678, {0x9A, 0xBC, 0xDE, 0xF0, 0x12, 0x34, 0x56, 0x78}};

START_TEST(fake_write_becomes_the_record_etw_delivers)
{
    /* TraceLogging's two metadata blobs, by hand: {u16 size; name} and {u16 size; tags; name}. */
    static const unsigned char traits[] = {0x07, 0x00, 'P', 'r', 'o', 'v', 0};
    static const unsigned char meta[] = {0x07, 0x00, 0x00, 'E', 'v', 0, 'X'};
    static const unsigned char payload[] = {'A', 'B', 'C', 'D'};
    static const GUID related = {
        0x12345678, 0x9abc, 0xdef0, {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}};
    struct ef_etw_session *sess;
    struct ef_etw_consumer *cons;
    EVENT_DESCRIPTOR d;
    EVENT_DATA_DESCRIPTOR v[3];
    REGHANDLE h = 0;
    GUID g;
    uint64_t before, after;

    start_consumer(&prov, &sess, &cons);
    memcpy(&g, &prov, sizeof(g));
    ck_assert_uint_eq(api.event_register(&g, NULL, NULL, &h), 0);
    ck_assert_uint_ne(h, 0);
    ck_assert_uint_eq(
        api.event_set_information(h, (EVENT_INFO_CLASS)2, (PVOID)traits, sizeof(traits)), 0);
    memset(&d, 0, sizeof(d));
    d.Level = 4;
    d.Channel = 11;
    memset(v, 0, sizeof(v));
    v[0].Ptr = (ULONGLONG)(uintptr_t)traits;
    v[0].Size = sizeof(traits);
    v[0].Reserved = 2; /* provider metadata */
    v[1].Ptr = (ULONGLONG)(uintptr_t)meta;
    v[1].Size = sizeof(meta);
    v[1].Reserved = 1; /* event metadata */
    v[2].Ptr = (ULONGLONG)(uintptr_t)payload;
    v[2].Size = sizeof(payload);
    before = filetime_now();
    ck_assert_uint_eq(api.event_write_transfer(h, &d, NULL, &related, 3, v), 0);
    after = filetime_now();
    ck_assert(wait_seen(1));

    ck_assert_uint_eq(seen.pid, GetCurrentProcessId());
    ck_assert_uint_eq(seen.tid, GetCurrentThreadId());
    ck_assert_uint_ge(seen.ts, before);
    ck_assert_uint_le(seen.ts, after);
    /* EVENT_SCHEMA_TL (11), PROV_TRAITS (12), RELATED_ACTIVITYID (1), each with its bytes. */
    ck_assert_uint_eq(seen.ext_count, 3);
    ck_assert_uint_eq(seen.ext_type[0], 11);
    ck_assert_uint_eq(seen.ext_size[0], sizeof(meta));
    ck_assert_mem_eq(seen.ext_data[0], meta, sizeof(meta));
    ck_assert_uint_eq(seen.ext_type[1], 12);
    ck_assert_uint_eq(seen.ext_size[1], sizeof(traits));
    ck_assert_mem_eq(seen.ext_data[1], traits, sizeof(traits));
    ck_assert_uint_eq(seen.ext_type[2], 1);
    ck_assert_mem_eq(seen.ext_data[2], &related, 16);
    /* The rest is the user data, and only that. */
    ck_assert_uint_eq(seen.user_len, sizeof(payload));
    ck_assert_mem_eq(seen.user, payload, sizeof(payload));

    ck_assert_uint_eq(api.event_unregister(h), 0);
    stop_consumer(sess, cons);
}
END_TEST

START_TEST(fake_write_without_traits_is_all_user_data)
{
    static const unsigned char meta[] = {0x05, 0x00, 0x00, 'E', 0};
    static const unsigned char payload[] = {1, 2, 3};
    struct ef_etw_session *sess;
    struct ef_etw_consumer *cons;
    EVENT_DESCRIPTOR d;
    EVENT_DATA_DESCRIPTOR v[2];
    REGHANDLE h = 0;
    GUID g;

    start_consumer(&prov, &sess, &cons);
    memcpy(&g, &prov, sizeof(g));
    ck_assert_uint_eq(api.event_register(&g, NULL, NULL, &h), 0);
    memset(&d, 0, sizeof(d));
    d.Level = 4;
    memset(v, 0, sizeof(v));
    v[0].Ptr = (ULONGLONG)(uintptr_t)meta;
    v[0].Size = sizeof(meta);
    v[0].Reserved = 1; /* ignored: no EventProviderSetTraits */
    v[1].Ptr = (ULONGLONG)(uintptr_t)payload;
    v[1].Size = sizeof(payload);
    ck_assert_uint_eq(api.event_write_transfer(h, &d, NULL, NULL, 2, v), 0);
    ck_assert(wait_seen(1));
    ck_assert_uint_eq(seen.ext_count, 0);
    ck_assert_uint_eq(seen.user_len, sizeof(meta) + sizeof(payload));
    ck_assert_mem_eq(seen.user, meta, sizeof(meta));
    ck_assert_mem_eq(seen.user + sizeof(meta), payload, sizeof(payload));
    ck_assert_uint_eq(api.event_unregister(h), 0);
    stop_consumer(sess, cons);
}
END_TEST

START_TEST(fake_provider_checks_arguments)
{
    static const unsigned char bad_traits[] = {0x09, 0x00, 'P', 0}; /* says 9 bytes, has 4 */
    EVENT_DATA_DESCRIPTOR v[129];
    EVENT_DESCRIPTOR d;
    REGHANDLE h = 0;
    GUID g;

    memcpy(&g, &prov, sizeof(g));
    memset(&d, 0, sizeof(d));
    memset(v, 0, sizeof(v));
    /* A handle EventRegister never gave. */
    ck_assert_uint_eq(api.event_write_transfer(0x1234, &d, NULL, NULL, 0, NULL), 6);
    ck_assert_uint_eq(api.event_set_information(0x1234, (EVENT_INFO_CLASS)2, (PVOID)bad_traits,
                                                sizeof(bad_traits)),
                      6);
    ck_assert_uint_eq(api.event_register(NULL, NULL, NULL, &h), 87);
    ck_assert_uint_eq(api.event_register(&g, NULL, NULL, &h), 0);
    /* Traits whose size word is not their size; more than 128 descriptors; no descriptor. */
    ck_assert_uint_eq(
        api.event_set_information(h, (EVENT_INFO_CLASS)2, (PVOID)bad_traits, sizeof(bad_traits)),
        87);
    ck_assert_uint_eq(api.event_write_transfer(h, &d, NULL, NULL, 129, v), 87);
    ck_assert_uint_eq(api.event_write_transfer(h, NULL, NULL, NULL, 0, NULL), 87);
    /* No session enables it: the write succeeds and goes nowhere. */
    ck_assert_uint_eq(api.event_write_transfer(h, &d, NULL, NULL, 0, NULL), 0);
    ck_assert_uint_eq(fake_trace.writes_enabled, 0);
    /* Unregistered: the handle is no longer good. */
    ck_assert_uint_eq(api.event_unregister(h), 0);
    ck_assert_uint_eq(api.event_write_transfer(h, &d, NULL, NULL, 0, NULL), 6);
    ck_assert_uint_eq(api.event_unregister(h), 6);
}
END_TEST

TCase *ef_selftest_case(void);
TCase *ef_selftest_case(void)
{
    TCase *tc = tcase_create("selftest");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, selftest_all_arrive_equal);
    tcase_add_test(tc, selftest_loss_is_a_failure_with_the_count);
    tcase_add_test(tc, selftest_provider_not_enabled_fails);
    tcase_add_test(tc, selftest_session_refused_is_an_error);
    tcase_add_test(tc, fake_write_becomes_the_record_etw_delivers);
    tcase_add_test(tc, fake_write_without_traits_is_all_user_data);
    tcase_add_test(tc, fake_provider_checks_arguments);
    return tc;
}

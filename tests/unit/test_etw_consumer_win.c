/*
 * test_etw_consumer_win.c - the real-time consumer (core/etw/consumer.h)
 * against the fake ETW (fake_trace.h), on its own thread.
 *
 * Expected values come from outside the consumer: the portable reader's
 * view of the shared trace (how many events, in which order, with which
 * timestamps and providers), the counts the test scripts into the fake
 * (lost records by opcode, events per buffer, where the session is
 * stopped), and ETW-NOTES' codes (7007 is success, 1223 after a FALSE
 * BufferCallback). Waits are for a condition, with a bound.
 */
#include "runner.h"

#include "fake_trace.h"

#include "etl/etl.h"
#include "etw/consumer.h"
#include "etw/etw_defs.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define TRACE    "testdata/etl/tx/HTTP_Server.etl"
#define SESSION  "etwfwd-x"
#define BOUND_MS 10000

/* What the reader says the consumer must see, in order. */
struct expect {
    uint64_t timestamp;
    struct ef_guid provider;
    uint16_t id;
    uint32_t user_data_len;
};

static struct expect *want;
static uint64_t n_want;
static struct ef_etl_header want_hdr;

/* What the callbacks saw (written on the consumer thread, read after the join). */
struct seen {
    struct ef_etw_consumer *c;
    uint64_t records, buffers, mismatches, ends;
    uint64_t close_at; /* on_record closes the consumer at this record (0: never) */
    uint32_t end_status;
    int close_rc;
};

static struct ef_etw_api api;
static struct fake_session *session;
static struct seen seen;

static void load_expected(void)
{
    struct ef_etl_reader *rd;
    const struct ef_record *r;
    char path[1024];
    size_t cap = 1024;
    int rc;

    want = malloc(cap * sizeof(*want));
    ck_assert_ptr_nonnull(want);
    n_want = 0;
    ck_assert_int_eq(ef_etl_open_file(ef_test_shared_path(TRACE, path, sizeof(path)), NULL, &rd),
                     0);
    want_hdr = *ef_etl_header(rd);
    while ((rc = ef_etl_next(rd, &r)) == 1) {
        if (r->kind == EF_REC_LOGFILE_HEADER)
            continue;
        if (n_want == cap) {
            cap *= 2;
            want = realloc(want, cap * sizeof(*want));
            ck_assert_ptr_nonnull(want);
        }
        want[n_want].timestamp = r->timestamp;
        want[n_want].provider = r->provider;
        want[n_want].id = r->id;
        want[n_want].user_data_len = r->user_data_len;
        n_want++;
    }
    ck_assert_int_eq(rc, 0);
    ef_etl_close(rd);
    ck_assert_uint_gt(n_want, 100);
}

static void setup(void)
{
    fake_trace_reset();
    memset(&api, 0, sizeof(api));
    fake_trace_api(&api);
    session = fake_trace_seed(SESSION, EF_ETW_REAL_TIME_MODE);
    ck_assert_ptr_nonnull(session);
    fake_trace.trace = TRACE;
    fake_trace.events_per_buffer = 10;
    memset(&seen, 0, sizeof(seen));
    load_expected();
}

static void teardown(void)
{
    free(want);
    want = NULL;
    fake_trace_reset();
}

static void on_record(void *ud, const struct ef_record *r)
{
    struct seen *s = ud;
    uint64_t i = s->records % n_want; /* the trace again when repeated */

    if (r->timestamp != want[i].timestamp || !ef_guid_equal(&r->provider, &want[i].provider) ||
        r->id != want[i].id || r->user_data_len != want[i].user_data_len)
        s->mismatches++;
    s->records++;
    if (s->close_at && s->records == s->close_at)
        s->close_rc = ef_etw_consumer_close(s->c); /* CloseTrace from a callback is allowed */
}

static void on_buffer(void *ud)
{
    ((struct seen *)ud)->buffers++;
}

static void on_end(void *ud, uint32_t status)
{
    struct seen *s = ud;

    s->ends++;
    s->end_status = status;
}

static int start(struct ef_etw_consumer **c, const wchar_t *name, char *err, size_t errlen)
{
    struct ef_etw_consumer_opts o = {
        .api = &api,
        .logger_name = name,
        .on_record = on_record,
        .on_buffer = on_buffer,
        .on_end = on_end,
        .ud = &seen,
    };
    int rc = ef_etw_consumer_start(&o, c, err, errlen);

    seen.c = *c;
    return rc;
}

static unsigned fake_waiting(void)
{
    unsigned w;

    EnterCriticalSection(&fake_trace.lock);
    w = fake_trace.waiting;
    LeaveCriticalSection(&fake_trace.lock);
    return w;
}

/* Waits until the fake delivered everything and waits for a close or stop. */
static void wait_delivered(void)
{
    DWORD t0 = GetTickCount();

    while (fake_waiting() == 0) {
        ck_assert_msg(GetTickCount() - t0 < BOUND_MS, "ProcessTrace never finished delivering");
        Sleep(1);
    }
}

/* Buffers for n events at 10 per buffer: the full ones plus the flushed partial one. */
static uint64_t buffers_for(uint64_t n)
{
    return n / 10 + (n % 10 != 0);
}

START_TEST(every_event_reaches_on_record_in_order)
{
    struct ef_etw_consumer *c;
    struct ef_etw_consumer_stats st;
    const TRACE_LOGFILE_HEADER *h;
    char err[256];

    ck_assert_int_eq(start(&c, L"ETWFWD-X", err, sizeof(err)), 0); /* names ignore case */
    h = ef_etw_consumer_header(c);
    ck_assert_uint_eq(h->PointerSize, 8);
    ck_assert_uint_eq(h->ReservedFlags, EF_ETW_CLOCK_QPC); /* the seeded session's clock */
    ck_assert_int_eq(h->PerfFreq.QuadPart, want_hdr.perf_freq);
    ck_assert_uint_eq((uint64_t)h->StartTime.QuadPart, want_hdr.start_time);
    wait_delivered();
    ck_assert_int_eq(ef_etw_consumer_close(c), 0); /* the fake answered 7007 */
    ck_assert_int_eq(ef_etw_consumer_close(c), 0); /* twice is harmless */
    ck_assert_int_eq(ef_etw_consumer_join(c, BOUND_MS), 0);
    ef_etw_consumer_get_stats(c, &st);
    ck_assert_uint_eq(fake_trace.close_calls, 1);
    ck_assert_uint_eq(seen.records, n_want);
    ck_assert_uint_eq(seen.mismatches, 0);
    ck_assert_uint_eq(st.events, n_want);
    ck_assert_uint_eq(st.buffers, buffers_for(n_want));
    ck_assert_uint_eq(seen.buffers, buffers_for(n_want));
    ck_assert_uint_eq(st.lost_events + st.lost_buffers + st.lost_files + st.convert_errors, 0);
    ck_assert_int_eq(st.ended, 1);
    ck_assert_uint_eq(st.process_status, EF_WIN_SUCCESS);
    ck_assert_uint_eq(seen.ends, 1);
    ck_assert_uint_eq(seen.end_status, EF_WIN_SUCCESS);
    ef_etw_consumer_free(c);
    ck_assert_uint_eq(fake_trace.close_calls, 1);
    ck_assert_uint_eq(fake_trace.processing, 0);
}
END_TEST

START_TEST(lost_records_are_counted_by_opcode_not_forwarded)
{
    struct ef_etw_consumer *c;
    struct ef_etw_consumer_stats st;
    char err[256];

    fake_trace.lost[0] = (struct fake_lost){0, EF_ETW_RT_LOST_EVENT};
    fake_trace.lost[1] = (struct fake_lost){5, EF_ETW_RT_LOST_BUFFER};
    fake_trace.lost[2] = (struct fake_lost){5, EF_ETW_RT_LOST_EVENT};
    fake_trace.lost[3] = (struct fake_lost){37, EF_ETW_RT_LOST_EVENT};
    fake_trace.lost[4] = (struct fake_lost){n_want, EF_ETW_RT_LOST_FILE}; /* after the last */
    fake_trace.n_lost = 5;
    ck_assert_int_eq(start(&c, L"etwfwd-x", err, sizeof(err)), 0);
    wait_delivered();
    ck_assert_int_eq(ef_etw_consumer_close(c), 0);
    ck_assert_int_eq(ef_etw_consumer_join(c, BOUND_MS), 0);
    ef_etw_consumer_get_stats(c, &st);
    ck_assert_uint_eq(st.lost_events, 3);
    ck_assert_uint_eq(st.lost_buffers, 1);
    ck_assert_uint_eq(st.lost_files, 1);
    ck_assert_uint_eq(st.events, n_want);
    ck_assert_uint_eq(seen.records, n_want); /* none of the five reached on_record */
    ck_assert_uint_eq(seen.mismatches, 0);
    ef_etw_consumer_free(c);
}
END_TEST

START_TEST(repeat_delivers_the_trace_again)
{
    struct ef_etw_consumer *c;
    struct ef_etw_consumer_stats st;
    char err[256];

    fake_trace.repeat = 2;
    ck_assert_int_eq(start(&c, L"etwfwd-x", err, sizeof(err)), 0);
    wait_delivered();
    ck_assert_int_eq(ef_etw_consumer_close(c), 0);
    ck_assert_int_eq(ef_etw_consumer_join(c, BOUND_MS), 0);
    ef_etw_consumer_get_stats(c, &st);
    ck_assert_uint_eq(st.events, 2 * n_want);
    ck_assert_uint_eq(st.buffers, buffers_for(2 * n_want));
    ck_assert_uint_eq(seen.mismatches, 0);
    ef_etw_consumer_free(c);
}
END_TEST

START_TEST(close_from_a_callback_cancels_after_the_buffer)
{
    struct ef_etw_consumer *c;
    struct ef_etw_consumer_stats st;
    char err[256];

    /* Closed at event 15: the fake ends the buffer of events 11-20, our
       BufferCallback answers FALSE, ProcessTrace returns 1223 (ETW-NOTES §5). */
    seen.close_at = 15;
    ck_assert_int_eq(start(&c, L"etwfwd-x", err, sizeof(err)), 0);
    ck_assert_int_eq(ef_etw_consumer_join(c, BOUND_MS), 0);
    ef_etw_consumer_get_stats(c, &st);
    ck_assert_int_eq(seen.close_rc, 0);
    ck_assert_uint_eq(st.events, 20);
    ck_assert_uint_eq(st.buffers, 2);
    ck_assert_uint_eq(st.process_status, EF_WIN_CANCELLED);
    ck_assert_uint_eq(seen.end_status, EF_WIN_CANCELLED);
    ef_etw_consumer_free(c);
    ck_assert_uint_eq(fake_trace.close_calls, 1);
}
END_TEST

START_TEST(an_outside_stop_ends_the_thread)
{
    struct ef_etw_consumer *c;
    struct ef_etw_consumer_stats st;
    char err[256];

    fake_trace.external_stop_after = 25;
    ck_assert_int_eq(start(&c, L"etwfwd-x", err, sizeof(err)), 0);
    /* No close: the stop alone must end ProcessTrace. */
    ck_assert_int_eq(ef_etw_consumer_join(c, BOUND_MS), 0);
    ef_etw_consumer_get_stats(c, &st);
    ck_assert_uint_eq(st.events, 25);
    ck_assert_uint_eq(st.buffers, 2); /* the third was cut by the stop */
    ck_assert_int_eq(st.ended, 1);
    ck_assert_uint_eq(st.process_status, EF_WIN_WMI_INSTANCE_NOT_FOUND);
    ck_assert_uint_eq(seen.ends, 1);
    ck_assert_uint_eq(seen.end_status, EF_WIN_WMI_INSTANCE_NOT_FOUND);
    ck_assert_int_eq(session->running, 0);
    /* The consumer must still call CloseTrace (ETW-NOTES §3): free does. */
    ck_assert_uint_eq(fake_trace.close_calls, 0);
    ef_etw_consumer_free(c);
    ck_assert_uint_eq(fake_trace.close_calls, 1);
}
END_TEST

START_TEST(a_stuck_processtrace_times_out_the_join)
{
    struct ef_etw_consumer *c;
    struct ef_etw_consumer_stats st;
    char err[256];
    DWORD t0, took;

    fake_trace.ignore_close = 1;
    ck_assert_int_eq(start(&c, L"etwfwd-x", err, sizeof(err)), 0);
    wait_delivered();
    ck_assert_int_eq(ef_etw_consumer_close(c), 0);
    t0 = GetTickCount();
    ck_assert_int_eq(ef_etw_consumer_join(c, 200), EF_ETIMEDOUT);
    took = GetTickCount() - t0;
    ck_assert_uint_ge(took, 150);
    ck_assert_uint_lt(took, 2000);
    ef_etw_consumer_get_stats(c, &st);
    ck_assert_int_eq(st.ended, 0);
    ck_assert_uint_eq(fake_trace.processing, 1);
    /* Un-stick it so that the thread ends before the test does. */
    fake_trace_stop_external(session);
    ck_assert_int_eq(ef_etw_consumer_join(c, BOUND_MS), 0);
    ef_etw_consumer_get_stats(c, &st);
    ck_assert_int_eq(st.ended, 1);
    ck_assert_uint_eq(st.process_status, EF_WIN_WMI_INSTANCE_NOT_FOUND);
    ck_assert_uint_eq(st.events, n_want);
    ef_etw_consumer_free(c);
}
END_TEST

START_TEST(open_failure_says_why)
{
    struct ef_etw_consumer *c = (struct ef_etw_consumer *)1;
    char err[512];

    fake_trace.open_error = EF_WIN_ACCESS_DENIED;
    ck_assert_int_eq(start(&c, L"etwfwd-x", err, sizeof(err)), EF_EACCES);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err, "access denied") && strstr(err, "real Windows ETW") &&
                      strstr(err, "etwfwd-x"),
                  "message: %s", err);
    ck_assert_uint_eq(fake_trace.process_calls, 0);

    fake_trace.open_error = 0;
    ck_assert_int_eq(start(&c, L"etwfwd-nobody", err, sizeof(err)), EF_ENOENT);
    ck_assert_ptr_null(c);
    ck_assert_msg(strstr(err, "etwfwd-nobody") && strstr(err, "4201"), "message: %s", err);
    ck_assert_uint_eq(fake_trace.open_calls, 2);
    ck_assert_uint_eq(fake_trace.process_calls, 0);
}
END_TEST

/*
 * The real OpenTraceW: under Wine a stub that answers access denied; on
 * Windows there is no such session (4201) or no right to read it (5).
 * Either way start fails at once, says why, and starts no thread.
 */
START_TEST(the_real_opentrace_fails_cleanly_without_a_session)
{
    struct ef_etw_api real;
    struct ef_etw_consumer *c = (struct ef_etw_consumer *)1;
    struct ef_etw_consumer_opts o = {
        .api = &real,
        .logger_name = L"etwfwd-unit-no-such-session",
        .on_record = on_record,
        .ud = &seen,
    };
    char err[512];
    int rc;

    ck_assert_int_eq(ef_etw_api_real(&real), 0);
    rc = ef_etw_consumer_start(&o, &c, err, sizeof(err));
    ck_assert_msg(rc == EF_EACCES || rc == EF_ENOENT, "rc %d (%s): %s", rc, ef_errname(rc), err);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err, "etwfwd-unit-no-such-session"));
    if (rc == EF_EACCES)
        ck_assert_ptr_nonnull(strstr(err, "real Windows ETW"));
}
END_TEST

TCase *ef_etw_consumer_case(void);
TCase *ef_etw_consumer_case(void)
{
    TCase *tc = tcase_create("etw_consumer");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_event_reaches_on_record_in_order);
    tcase_add_test(tc, lost_records_are_counted_by_opcode_not_forwarded);
    tcase_add_test(tc, repeat_delivers_the_trace_again);
    tcase_add_test(tc, close_from_a_callback_cancels_after_the_buffer);
    tcase_add_test(tc, an_outside_stop_ends_the_thread);
    tcase_add_test(tc, a_stuck_processtrace_times_out_the_join);
    tcase_add_test(tc, open_failure_says_why);
    tcase_add_test(tc, the_real_opentrace_fails_cleanly_without_a_session);
    return tc;
}

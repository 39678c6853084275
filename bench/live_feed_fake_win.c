/*
 * live_feed_fake_win.c - the live session of live_pipeline_bench on
 * Windows (run under Wine): the real live source (source_live_win.c:
 * session control, consumer thread, EVENT_RECORD conversion, event path)
 * on a `realtime` session of the fake ETW of tests/unit (fake_trace.h),
 * whose ProcessTrace reads HTTP_Server.etl with the portable reader, again
 * and again, and hands each record to the consumer as an EVENT_RECORD,
 * with a BufferCallback every FEED_BUFFER events (live_feed.h).
 *
 * DESIGN. The fake delivers as fast as it can; the rate is kept by a shim
 * the fake's OpenTraceW is wrapped in: it gives the fake copies of the
 * consumer's callbacks wrapped in ours. The event shim counts and calls
 * the consumer's callback; the buffer shim calls the consumer's
 * BufferCallback (which flushes the event path into the queue) and then
 * waits until the schedule (rate events/s from the first event) allows
 * the next buffer, so whole buffers reach the queue at the rate, as from
 * ETW. One consumer at a time (the fake's table holds plain functions),
 * so the shim's state is global; only the consumer thread writes it.
 */
#include "fake_trace.h"
#include "live_feed.h"
#include "runner.h"

#include <stdio.h>
#include <string.h>
#include <uv.h>

/* Events per BufferCallback: about what a 64 KiB ETW buffer of HTTP_Server's events holds. */
#define FEED_BUFFER 128

const char *const ef_bench_feed_name =
    "the live source on the fake ETW: its ProcessTrace reads HTTP_Server.etl and feeds "
    "EVENT_RECORDs to the real consumer -> conversion -> event path -> pipeline";

static char shared[4096];
static struct ef_etw_api api;
static TRACEHANDLE(WINAPI *fake_open)(PEVENT_TRACE_LOGFILEW lf);
static PEVENT_RECORD_CALLBACK consumer_event;
static PEVENT_TRACE_BUFFER_CALLBACKW consumer_buffer;
static double feed_rate;
static uint64_t events, t0_ns;

/* The fake's files find the shared traces through this (tests/unit/runner.h). */
const char *ef_test_shared_path(const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", shared, rel);
    return out;
}

static VOID WINAPI event_shim(PEVENT_RECORD er)
{
    if (events++ == 0)
        t0_ns = uv_hrtime();
    consumer_event(er);
}

static ULONG WINAPI buffer_shim(PEVENT_TRACE_LOGFILEW lf)
{
    ULONG go_on = consumer_buffer(lf);
    uint64_t due, now;

    if (go_on && feed_rate > 0) {
        due = t0_ns + (uint64_t)((double)events * 1e9 / feed_rate);
        now = uv_hrtime();
        /* Sleep has a millisecond's grain: a buffer up to 1 ms early is sent on time. */
        if (due > now + 1000000)
            uv_sleep((unsigned)((due - now) / 1000000));
    }
    return go_on;
}

static TRACEHANDLE WINAPI open_shim(PEVENT_TRACE_LOGFILEW lf)
{
    EVENT_TRACE_LOGFILEW mine = *lf;
    TRACEHANDLE h;

    consumer_event = lf->EventRecordCallback;
    consumer_buffer = lf->BufferCallback;
    events = 0;
    mine.EventRecordCallback = event_shim;
    mine.BufferCallback = buffer_shim;
    h = fake_open(&mine);
    /* What OpenTraceW writes back into the caller's struct. */
    lf->LogfileHeader = mine.LogfileHeader;
    lf->ProcessTraceMode = mine.ProcessTraceMode;
    return h;
}

int ef_bench_feed_setup(const char *shared_dir, double rate, char *ini, size_t cap)
{
    int n;

    snprintf(shared, sizeof(shared), "%s", shared_dir);
    fake_trace_reset();
    fake_trace.trace = "testdata/etl/tx/HTTP_Server.etl";
    fake_trace.events_per_buffer = FEED_BUFFER;
    fake_trace.repeat = UINT64_MAX; /* until the pipeline stops the session */
    memset(&api, 0, sizeof(api));
    fake_trace_api(&api);
    fake_open = api.open_trace;
    api.open_trace = open_shim;
    ef_etw_api_override(&api);
    feed_rate = rate;
    /* The fake has no TDH: the manifest decodes, as in the live suite's tests. */
    n = snprintf(ini, cap,
                 "kind = realtime\ntdh = false\nprovider = {DD5EF90A-6398-47A4-AD34-4DCECDEF795F}\n"
                 "manifest = %s/testdata/etl/tx/HTTP_Server.man\n",
                 shared_dir);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

void ef_bench_feed_teardown(void)
{
    ef_etw_api_override(NULL);
}

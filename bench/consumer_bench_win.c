/*
 * consumer_bench_win.c - the EVENT_RECORD conversion plus the live callback
 * path, run under Wine through the fake ETW of tests/unit (fake_trace.h):
 * the real consumer (core/etw/consumer_win.c) reads a session of the fake,
 * and its EventRecordCallback converts each EVENT_RECORD (etw/record.h)
 * and runs the event path (source/eventpath.h: decode, render, push into a
 * queue drained on a loop thread), as a live session's source does
 * (source_live_win.c's on_record and on_buffer). Events/s and ns/event of
 * HTTP_Server.etl's events, with HTTP_Server.man.
 *
 * Usage: consumer_bench_win [SECONDS] [REPEAT]    (under Wine: wine consumer_bench_win.exe)
 *
 * DESIGN. Four rows:
 *   preload-render  as preload below, into no queue: the conversion, decode
 *               and render alone (live_bench's `render` row plus the
 *               conversion and the consumer's callback);
 *   preload     the trace's EVENT_RECORDs are built once in memory, with
 *               the fake's own builder, and a ProcessTrace of this file
 *               hands them to the consumer's callbacks in file order, again
 *               and again, a BufferCallback every FEED_BUFFER events, for a
 *               warm-up second and then SECONDS (default 3): conversion +
 *               event path + queue, comparable with live_bench's `drop`
 *               row, which runs the same path from the ef_record on.
 *   fake        the fake's own ProcessTrace, as the live suite runs it:
 *               it reads the .etl REPEAT times (default 500) with the
 *               portable reader, builds each EVENT_RECORD and takes its
 *               lock around each; timed from the consumer's start to the
 *               last event delivered.
 *   fake alone  the same ProcessTrace feeding a callback that does nothing:
 *               the fake's own cost, to subtract from `fake`.
 * OpenTraceW and CloseTrace stay the fake's (header, handle, the 7007
 * answer); for `preload` they are wrapped to learn the consumer's callbacks
 * and its close. The queue has the pipeline's default capacity and drops
 * when full (EF_QUEUE_DROP), as a live session's; drops are shown.
 */
#include "bench_trace.h"
#include "fake_trace.h"
#include "pipeline/queue.h"
#include "runner.h"
#include "source/eventpath.h"
#include "util/error.h"

#include "etw/consumer.h"
#include "etw/etw_defs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define FEED_BUFFER  128
#define WARM_SECONDS 1.0
#define TRACE_REL    "testdata/etl/tx/HTTP_Server.etl"
#define SESSION      "etwfwd-bench"
#define MAX_EXT      32

static char shared[4096];

/* The fake's files find the shared traces through this (tests/unit/runner.h). */
const char *ef_test_shared_path(const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", shared, rel);
    return out;
}

static double now_s(void)
{
    return (double)uv_hrtime() / 1e9;
}

/* --- the loop thread that drains the queue (as live_bench's) ------------- */

struct drainer {
    uv_loop_t loop;
    uv_async_t stop;
    struct ef_queue *q;
    uv_thread_t thread;
    uint64_t events;
};

static int drain(void *ud, uint32_t session, const void *data, uint32_t len)
{
    (void)session;
    (void)data;
    (void)len;
    ((struct drainer *)ud)->events++;
    return 0;
}

static void on_queue_closed(void *ud)
{
    (void)ud;
}

static void on_stop(uv_async_t *a)
{
    struct drainer *d = a->data;

    ef_queue_drain_now(d->q);
    ef_queue_close(d->q, on_queue_closed, NULL);
    uv_close((uv_handle_t *)a, NULL);
}

static void loop_thread(void *arg)
{
    uv_run(&((struct drainer *)arg)->loop, UV_RUN_DEFAULT);
}

static int drainer_start(struct drainer *d)
{
    struct ef_queue_options qo;
    int rc;

    memset(d, 0, sizeof(*d));
    if (uv_loop_init(&d->loop) != 0)
        return EF_ESYS;
    memset(&qo, 0, sizeof(qo)); /* the pipeline's defaults */
    qo.drain = drain;
    qo.drain_ud = d;
    if ((rc = ef_queue_new(&d->loop, &qo, &d->q)) < 0)
        return rc;
    uv_async_init(&d->loop, &d->stop, on_stop);
    d->stop.data = d;
    return uv_thread_create(&d->thread, loop_thread, d) == 0 ? 0 : EF_ESYS;
}

static void drainer_stop(struct drainer *d)
{
    struct ef_queue_stats qs;

    for (;;) {
        ef_queue_get_stats(d->q, &qs);
        if (qs.events == 0)
            break;
        uv_sleep(1);
    }
    uv_async_send(&d->stop);
    uv_thread_join(&d->thread);
    uv_loop_close(&d->loop);
}

/* --- the consumer's callbacks: source_live_win.c's, minus its bookkeeping - */

static void on_record(void *ud, const struct ef_record *r)
{
    (void)ef_eventpath_push(ud, r);
}

static void on_buffer(void *ud)
{
    (void)ef_eventpath_flush(ud);
}

/* --- preload: EVENT_RECORDs from memory, through a ProcessTrace of ours ---- */

struct built {
    EVENT_RECORD er;
    EVENT_HEADER_EXTENDED_DATA_ITEM ext[MAX_EXT];
};

static struct {
    struct built *evs;
    size_t n;
    double secs;
    EVENT_TRACE_LOGFILEW lf; /* the consumer's, as the fake's OpenTraceW saw it */
    TRACEHANDLE(WINAPI *fake_open)(PEVENT_TRACE_LOGFILEW lf);
    ULONG(WINAPI *fake_close)(TRACEHANDLE h);
    HANDLE timed, closed;
    uint64_t events; /* in the timed part */
    double seconds;
} pre;

static TRACEHANDLE WINAPI pre_open(PEVENT_TRACE_LOGFILEW lf)
{
    TRACEHANDLE h = pre.fake_open(lf);

    pre.lf = *lf;
    return h;
}

static ULONG WINAPI pre_close(TRACEHANDLE h)
{
    SetEvent(pre.closed);
    return pre.fake_close(h);
}

/* Hands every event to the consumer once; returns 0 when its BufferCallback said FALSE. */
static int pre_pass(EVENT_TRACE_LOGFILEW *lf, uint64_t *n)
{
    size_t i;

    for (i = 0; i < pre.n; i++) {
        pre.evs[i].er.UserContext = lf->Context;
        lf->EventRecordCallback(&pre.evs[i].er);
        if (++*n % FEED_BUFFER == 0 && !lf->BufferCallback(lf))
            return 0;
    }
    return 1;
}

static ULONG WINAPI pre_process(PTRACEHANDLE handles, ULONG count, LPFILETIME s, LPFILETIME e)
{
    EVENT_TRACE_LOGFILEW lf = pre.lf; /* ETW passes its own copy to the BufferCallback */
    uint64_t n = 0, warm;
    double t0;
    int go = 1;

    (void)handles;
    (void)count;
    (void)s;
    (void)e;
    t0 = now_s();
    for (warm = 0; go && (warm < 4 || now_s() - t0 < WARM_SECONDS); warm++)
        go = pre_pass(&lf, &n);
    go = go && lf.BufferCallback(&lf);
    n = 0;
    t0 = now_s();
    while (go && now_s() - t0 < pre.secs)
        go = pre_pass(&lf, &n);
    go = go && lf.BufferCallback(&lf);
    pre.seconds = now_s() - t0;
    pre.events = n;
    SetEvent(pre.timed);
    /* A real-time session does not end by itself: wait for CloseTrace. */
    WaitForSingleObject(pre.closed, INFINITE);
    return ERROR_SUCCESS;
}

/* Builds the trace's EVENT_RECORDs (the log-file header excepted, as ETW does) into pre. */
static int pre_build(const struct ef_bench_trace *t)
{
    size_t i;

    pre.evs = calloc(t->n, sizeof(*pre.evs));
    if (!pre.evs)
        return -1;
    for (i = 0; i < t->n; i++) {
        if (t->recs[i].kind == EF_REC_LOGFILE_HEADER)
            continue;
        if (fake_trace_build_event(&t->recs[i], &pre.evs[pre.n].er, pre.evs[pre.n].ext, MAX_EXT) <
            0) {
            fprintf(stderr, "consumer_bench: record %zu cannot be an EVENT_RECORD\n", i);
            return -1;
        }
        pre.n++;
    }
    return 0;
}

/* --- one row ------------------------------------------------------------ */

struct result {
    uint64_t events, dropped, drained;
    double seconds;
};

/* The event path; into a queue drained by d, or (d NULL) rendering only. */
static int make_path(const char *manifest, struct drainer *d, struct ef_eventpath **ep)
{
    const char *mans[1] = {manifest};
    struct ef_eventpath_opts eo;
    char err[1024];
    int rc;

    if (d && (rc = drainer_start(d)) < 0) {
        fprintf(stderr, "consumer_bench: queue: %s\n", ef_strerror(rc));
        return rc;
    }
    memset(&eo, 0, sizeof(eo));
    eo.manifests = mans;
    eo.n_manifests = 1;
    eo.render.computer = "benchhost";
    eo.render.session = "bench";
    eo.queue = d ? d->q : NULL;
    eo.policy = EF_QUEUE_DROP;
    if ((rc = ef_eventpath_new(&eo, ep, err, sizeof(err))) < 0)
        fprintf(stderr, "consumer_bench: %s\n", err);
    return rc;
}

/* Waits until the fake delivered everything (its ProcessTrace waits for a close). */
static void wait_delivered(void)
{
    for (;;) {
        unsigned w;

        fake_trace_lock();
        w = fake_trace.waiting;
        fake_trace_unlock();
        if (w)
            return;
        uv_sleep(1);
    }
}

static int run_consumer(const char *mode, int queued, const char *manifest,
                        const struct ef_etw_api *api, struct result *res)
{
    struct ef_etw_consumer_opts co;
    struct ef_etw_consumer *c = NULL;
    struct ef_eventpath_stats es;
    struct ef_eventpath *ep = NULL;
    struct drainer d;
    char err[1024];
    double t0;
    int rc;

    memset(res, 0, sizeof(*res));
    if ((rc = make_path(manifest, queued ? &d : NULL, &ep)) < 0)
        return rc;
    memset(&co, 0, sizeof(co));
    co.api = api;
    co.logger_name = L"" SESSION;
    co.on_record = on_record;
    co.on_buffer = on_buffer;
    co.ud = ep;
    t0 = now_s();
    if ((rc = ef_etw_consumer_start(&co, &c, err, sizeof(err))) < 0) {
        fprintf(stderr, "consumer_bench: %s\n", err);
        return rc;
    }
    if (strncmp(mode, "preload", 7) == 0) {
        WaitForSingleObject(pre.timed, INFINITE);
        res->seconds = pre.seconds;
        res->events = pre.events;
    } else {
        wait_delivered();
        res->seconds = now_s() - t0;
        fake_trace_lock();
        res->events = fake_trace.delivered;
        fake_trace_unlock();
    }
    (void)ef_etw_consumer_close(c);
    if ((rc = ef_etw_consumer_join(c, 10000)) < 0) {
        fprintf(stderr, "consumer_bench: the consumer did not stop\n");
        return rc;
    }
    ef_etw_consumer_free(c);
    ef_eventpath_get_stats(ep, &es);
    ef_eventpath_free(ep);
    res->dropped = es.dropped;
    if (queued) {
        drainer_stop(&d);
        res->drained = d.events;
    }
    return 0;
}

/* `fake alone`: the fake's ProcessTrace into a callback that does nothing. */
static VOID WINAPI null_event(PEVENT_RECORD er)
{
    (void)er;
}

static ULONG WINAPI null_buffer(PEVENT_TRACE_LOGFILEW lf)
{
    (void)lf;
    return TRUE;
}

struct alone {
    const struct ef_etw_api *api;
    TRACEHANDLE h;
};

static void alone_thread(void *arg)
{
    struct alone *a = arg;

    (void)a->api->process_trace(&a->h, 1, NULL, NULL);
}

static int run_alone(const struct ef_etw_api *api, struct result *res)
{
    EVENT_TRACE_LOGFILEW lf;
    struct alone a = {api, 0};
    uv_thread_t th;
    double t0;

    memset(res, 0, sizeof(*res));
    memset(&lf, 0, sizeof(lf));
    lf.LoggerName = L"" SESSION;
    lf.ProcessTraceMode = PROCESS_TRACE_MODE_REAL_TIME | PROCESS_TRACE_MODE_EVENT_RECORD;
    lf.EventRecordCallback = null_event;
    lf.BufferCallback = null_buffer;
    t0 = now_s();
    a.h = api->open_trace(&lf);
    if ((uint64_t)a.h == EF_ETW_INVALID_PROCESSTRACE_HANDLE)
        return EF_ESYS;
    uv_thread_create(&th, alone_thread, &a);
    wait_delivered();
    res->seconds = now_s() - t0;
    fake_trace_lock();
    res->events = fake_trace.delivered;
    fake_trace_unlock();
    (void)api->close_trace(a.h);
    uv_thread_join(&th);
    return 0;
}

/* A fresh fake with a running session to read. */
static void fake_fresh(struct ef_etw_api *api, uint64_t repeat)
{
    fake_trace_reset();
    fake_trace.trace = TRACE_REL;
    fake_trace.events_per_buffer = FEED_BUFFER;
    fake_trace.repeat = repeat;
    memset(api, 0, sizeof(*api));
    fake_trace_api(api);
    fake_trace_seed(SESSION, EF_ETW_REAL_TIME_MODE);
}

static void print_row(const char *mode, const struct result *r)
{
    printf("%-14s %10" PRIu64 " %8.3f %12.0f %9.1f %10" PRIu64 "\n", mode, r->events, r->seconds,
           (double)r->events / r->seconds, r->seconds * 1e9 / (double)r->events, r->dropped);
}

int main(int argc, char **argv)
{
    const char *env = getenv("EF_SHARED_DIR");
    char etl[4200], man[4200];
    struct ef_bench_trace t = {0};
    struct ef_etw_api api;
    struct result r, fake, alone;
    uint64_t repeat = 500;
    int i;

    snprintf(shared, sizeof(shared), "%s", env ? env : "../shared");
    pre.secs = argc > 1 && atof(argv[1]) > 0 ? atof(argv[1]) : 3;
    if (argc > 2 && strtoull(argv[2], NULL, 10) > 0)
        repeat = strtoull(argv[2], NULL, 10);
    snprintf(etl, sizeof(etl), "%s/" TRACE_REL, shared);
    snprintf(man, sizeof(man), "%s/testdata/etl/tx/HTTP_Server.man", shared);
    if (ef_bench_trace_load(etl, &t) < 0 || pre_build(&t) < 0 || pre.n == 0)
        return 1;
    pre.timed = CreateEventW(NULL, TRUE, FALSE, NULL);
    pre.closed = CreateEventW(NULL, TRUE, FALSE, NULL);
    printf("consumer_bench: %s (%zu events) with %s; preload %.1f s after %.0f s of warm-up, "
           "fake %" PRIu64 " passes; a BufferCallback every %d events\n",
           etl, pre.n, man, pre.secs, WARM_SECONDS, repeat, FEED_BUFFER);
    printf("%-14s %10s %8s %12s %9s %10s\n", "mode", "events", "seconds", "events/s", "ns/event",
           "dropped");

    for (i = 0; i < 2; i++) {
        fake_fresh(&api, 1);
        pre.fake_open = api.open_trace;
        pre.fake_close = api.close_trace;
        api.open_trace = pre_open;
        api.process_trace = pre_process;
        api.close_trace = pre_close;
        ResetEvent(pre.timed);
        ResetEvent(pre.closed);
        if (run_consumer(i ? "preload" : "preload-render", i, man, &api, &r) < 0)
            return 1;
        print_row(i ? "preload" : "preload-render", &r);
    }

    fake_fresh(&api, repeat);
    if (run_consumer("fake", 1, man, &api, &fake) < 0)
        return 1;
    print_row("fake", &fake);

    fake_fresh(&api, repeat);
    if (run_alone(&api, &alone) < 0)
        return 1;
    print_row("fake alone", &alone);
    printf("fake - fake alone: %.1f ns/event (the consumer's share of `fake`)\n",
           fake.seconds * 1e9 / (double)fake.events - alone.seconds * 1e9 / (double)alone.events);
    ef_bench_trace_free(&t);
    free(pre.evs);
    return 0;
}

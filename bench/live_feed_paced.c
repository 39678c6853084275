/*
 * live_feed_paced.c - the live session of live_pipeline_bench where ETW is
 * missing (Linux): a paced source that runs what a live source runs once
 * ETW handed it an event, at a fixed rate (live_feed.h).
 *
 * How it gets into the real pipeline: the pipeline asks
 * ef_source_ops_for(kind) which table runs a session (source/source.c,
 * alone in its object file). This file defines that function for the
 * benchmark's executable: the static linker then takes ours and never pulls
 * source.o out of libef_runner.a, so `kind = realtime` runs the paced source
 * and `kind = file` still runs the real file source. (Were source.o pulled
 * in for another symbol, the link would fail with a duplicate definition:
 * it cannot silently measure the wrong source.)
 *
 * DESIGN. One thread. It pushes the trace's records (read once into memory,
 * bench_trace.h) through an event path built exactly as source_live_win.c
 * builds its own (the session's manifests, the renderer options with this
 * machine as Computer and the session's name, the pipeline's queue, the
 * session's queue_full policy: drop), in file order, again and again; after
 * every FEED_BUFFER events it flushes, as the consumer's BufferCallback
 * does, and waits until the schedule (rate events/s from the start) allows
 * the next buffer. So the queue sees whole buffers arriving at the rate,
 * as from ETW. mu guards stop, which the wait sleeps on (cond).
 */
#include "bench_trace.h"
#include "live_feed.h"
#include "source/eventpath.h"
#include "source/source.h"
#include "util/error.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* Events per flush: about what a 64 KiB ETW buffer of HTTP_Server's events holds (live_bench). */
#define FEED_BUFFER 128

const char *const ef_bench_feed_name =
    "paced source: HTTP_Server.etl's records from memory -> event path -> pipeline";

static struct ef_bench_trace trace;
/* The trace's events: its records but the log-file header, which real-time consumers never get. */
static const struct ef_record **events;
static size_t n_events;
static double feed_rate;

struct paced {
    struct ef_source_options o;
    struct ef_eventpath *ep;
    char hostname[256];
    uv_thread_t thread;
    uv_mutex_t mu; /* guards stop */
    uv_cond_t cond;
    int stop;
};

/* Waits until the monotonic clock reaches due_ns or stop is asked. Returns 1 when stopping. */
static int wait_until(struct paced *s, uint64_t due_ns)
{
    int stop;

    uv_mutex_lock(&s->mu);
    while (!s->stop) {
        uint64_t now = uv_hrtime();

        if (now >= due_ns)
            break;
        (void)uv_cond_timedwait(&s->cond, &s->mu, due_ns - now);
    }
    stop = s->stop;
    uv_mutex_unlock(&s->mu);
    return stop;
}

static void feed_thread(void *arg)
{
    struct paced *s = arg;
    uint64_t t0 = uv_hrtime(), n = 0;
    size_t i = 0;

    for (;;) {
        unsigned k;

        for (k = 0; k < FEED_BUFFER; k++) {
            if (ef_eventpath_push(s->ep, events[i]) < 0)
                goto out; /* the queue was cancelled: the pipeline stops */
            if (++i == n_events)
                i = 0;
        }
        n += FEED_BUFFER;
        (void)ef_eventpath_flush(s->ep);
        /* The next buffer is due when the rate allows it; 0: at once. */
        if (wait_until(s, feed_rate > 0 ? t0 + (uint64_t)((double)n * 1e9 / feed_rate) : 0))
            break;
    }
out:
    (void)ef_eventpath_flush(s->ep);
    if (s->o.on_done)
        s->o.on_done(s->o.ud);
}

static void paced_destroy(struct paced *s)
{
    ef_eventpath_free(s->ep);
    uv_cond_destroy(&s->cond);
    uv_mutex_destroy(&s->mu);
    free(s);
}

static int paced_start(const struct ef_source_options *opt, void **out)
{
    struct ef_eventpath_opts eo;
    struct paced *s;
    size_t hn;
    char err[1024];
    int rc;

    *out = NULL;
    if (n_events == 0)
        return EF_EINVAL; /* ef_bench_feed_setup was not called */
    s = calloc(1, sizeof(*s));
    if (!s)
        return EF_ENOMEM;
    s->o = *opt;
    uv_mutex_init(&s->mu);
    uv_cond_init(&s->cond);
    /* As source_live_win.c's make_eventpath, TDH aside (there is none here). */
    memset(&eo, 0, sizeof(eo));
    eo.manifests = opt->manifests;
    eo.n_manifests = opt->n_manifests;
    eo.mofs = opt->mofs;
    eo.n_mofs = opt->n_mofs;
    eo.render = opt->render;
    if (!eo.render.computer) {
        hn = sizeof(s->hostname);
        if (uv_os_gethostname(s->hostname, &hn) != 0)
            snprintf(s->hostname, sizeof(s->hostname), "localhost");
        eo.render.computer = s->hostname;
    }
    if (!eo.render.session)
        eo.render.session = opt->name;
    eo.queue = opt->queue;
    eo.session = opt->index;
    eo.policy = opt->policy;
    rc = ef_eventpath_new(&eo, &s->ep, err, sizeof(err));
    if (rc < 0) {
        ef_log_error("source", "session %s: %s", opt->name, err);
        paced_destroy(s);
        return rc;
    }
    if (uv_thread_create(&s->thread, feed_thread, s) != 0) {
        paced_destroy(s);
        return EF_ESYS;
    }
    *out = s;
    return 0;
}

static void paced_stop(void *ctx)
{
    struct paced *s = ctx;

    uv_mutex_lock(&s->mu);
    s->stop = 1;
    uv_cond_broadcast(&s->cond);
    uv_mutex_unlock(&s->mu);
}

static void paced_get_stats(void *ctx, struct ef_source_stats *st)
{
    struct paced *s = ctx;
    struct ef_eventpath_stats es;

    memset(st, 0, sizeof(*st));
    ef_eventpath_get_stats(s->ep, &es);
    st->events_in = es.events;
    st->decoded = es.decoded;
    st->no_schema = es.no_schema;
    st->decode_errors = es.decode_errors;
    st->render_errors = es.render_errors;
    st->pushed = es.pushed;
    st->queue_dropped = es.dropped;
    st->live = 1;
}

static void paced_free(void *ctx, uint64_t timeout_ms, struct ef_source_stats *final)
{
    struct paced *s = ctx;

    (void)timeout_ms;
    if (!s)
        return;
    paced_stop(s);
    uv_thread_join(&s->thread);
    paced_get_stats(s, final);
    final->done = 1;
    paced_destroy(s);
}

static const struct ef_source_ops paced_ops = {
    .kind = "live",
    .start = paced_start,
    .stop = paced_stop,
    .free = paced_free,
    .get_stats = paced_get_stats,
};

/* The benchmark's answer to the pipeline (see the top of the file). */
const struct ef_source_ops *ef_source_ops_for(int kind)
{
    switch (kind) {
    case EF_SESSION_FILE:
        return &ef_source_file_ops;
    case EF_SESSION_REALTIME:
        return &paced_ops;
    default:
        return NULL;
    }
}

int ef_bench_feed_setup(const char *shared_dir, double rate, char *ini, size_t cap)
{
    char etl[4096];
    size_t i;
    int n;

    snprintf(etl, sizeof(etl), "%s/testdata/etl/tx/HTTP_Server.etl", shared_dir);
    if (ef_bench_trace_load(etl, &trace) < 0 || !(events = calloc(trace.n, sizeof(*events)))) {
        fprintf(stderr, "live_pipeline_bench: cannot read %s\n", etl);
        return -1;
    }
    for (i = 0; i < trace.n; i++)
        if (trace.recs[i].kind != EF_REC_LOGFILE_HEADER)
            events[n_events++] = &trace.recs[i];
    if (n_events == 0) {
        fprintf(stderr, "live_pipeline_bench: no events in %s\n", etl);
        return -1;
    }
    feed_rate = rate;
    /* The provider is what a real session of this trace enables; the paced source ignores it. */
    n = snprintf(ini, cap,
                 "kind = realtime\nprovider = {DD5EF90A-6398-47A4-AD34-4DCECDEF795F}\n"
                 "manifest = %s/testdata/etl/tx/HTTP_Server.man\n",
                 shared_dir);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

void ef_bench_feed_teardown(void)
{
    free(events);
    events = NULL;
    n_events = 0;
    ef_bench_trace_free(&trace);
}

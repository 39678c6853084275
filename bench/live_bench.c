/*
 * live_bench.c - the live callback path after the EVENT_RECORD conversion
 * (source/eventpath.h: ef_record -> decode -> render -> queue), natively:
 * events/s, ns/event, heap allocations per event in the steady state, and
 * peak RSS. The target: >= 2 M events/s on one core for
 * HTTP_Server.etl's events, with 0 allocations per event.
 *
 * DESIGN. The trace's records are read once with the portable reader and
 * deep-copied into memory, so the loop measures the path and not the disk,
 * then pushed through one eventpath in file order, again and again, with a
 * flush every FLUSH_EVERY events as a consumer flushes once per ETW buffer.
 * Three modes:
 *   render   queue == NULL: decode + render only;
 *   drop     into a real queue drained on a loop thread, EF_QUEUE_DROP as a
 *            live session runs (on one core the loop competes with the
 *            producer, so some chunks are dropped: counted and shown);
 *   block    the same with EF_QUEUE_BLOCK: what the loop sustains, nothing
 *            dropped (a live session never blocks; this is the reference).
 * Allocations are counted by interposing malloc/calloc/realloc in this
 * executable (bench_alloc.h), from the end of the warm-up to the end of the
 * timed run, in every thread.
 *
 * usage: live_bench [SECONDS]                  (default 2 per mode)
 *        live_bench --etl FILE [--manifest FILE] [SECONDS]
 * Run it on one core: `taskset -c 0 build/bench/live_bench`. The shared
 * data is found through EF_SHARED_DIR (else ../shared).
 */
#include "bench_alloc.h"
#include "bench_trace.h"
#include "bench_util.h"
#include "pipeline/queue.h"
#include "source/eventpath.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* The warm-up's length (at least 4 passes over the trace). */
#define WARM_SECONDS 1.0

/* Events per flush: about what a 64 KiB ETW buffer of HTTP_Server's events holds. */
#define FLUSH_EVERY 128

/* --- the loop thread that drains the queue ----------------------------- */

struct drainer {
    uv_loop_t loop;
    uv_async_t stop;
    struct ef_queue *q;
    uv_thread_t thread;
    uint64_t events, bytes; /* the loop thread's */
};

static int drain(void *ud, uint32_t session, const void *data, uint32_t len)
{
    struct drainer *d = ud;

    (void)session;
    (void)data;
    d->events++;
    d->bytes += len;
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
    struct drainer *d = arg;

    uv_run(&d->loop, UV_RUN_DEFAULT);
}

static int drainer_start(struct drainer *d)
{
    struct ef_queue_options qo;
    int rc;

    memset(d, 0, sizeof(*d));
    if (uv_loop_init(&d->loop) != 0)
        return EF_ESYS;
    memset(&qo, 0, sizeof(qo)); /* the pipeline's defaults: 65536 events, 64 MiB */
    qo.drain = drain;
    qo.drain_ud = d;
    rc = ef_queue_new(&d->loop, &qo, &d->q);
    if (rc < 0)
        return rc;
    uv_async_init(&d->loop, &d->stop, on_stop);
    d->stop.data = d;
    return uv_thread_create(&d->thread, loop_thread, d) == 0 ? 0 : EF_ESYS;
}

/* Waits until the loop drained everything accepted, then ends it. The producer was freed. */
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

/* --- one mode ---------------------------------------------------------- */

struct result {
    uint64_t events, pushed, dropped;
    uint64_t drained, bytes; /* by the loop, warm-up included */
    double seconds;
    unsigned long long allocs;
};

/* Pushes every record of t once. Returns 0 or the first error. */
static int one_pass(struct ef_eventpath *ep, const struct ef_bench_trace *t, uint64_t *n)
{
    size_t i;
    int rc;

    for (i = 0; i < t->n; i++) {
        if ((rc = ef_eventpath_push(ep, &t->recs[i])) < 0)
            return rc;
        if (++*n % FLUSH_EVERY == 0 && (rc = ef_eventpath_flush(ep)) < 0)
            return rc;
    }
    return 0;
}

static int run_mode(const char *mode, const struct ef_bench_trace *t, const char *manifest,
                    double secs, struct result *res)
{
    const char *mans[1] = {manifest};
    struct ef_eventpath_opts eo;
    struct ef_eventpath_stats es0, es;
    struct ef_eventpath *ep = NULL;
    struct drainer d;
    char err[1024];
    uint64_t n = 0, warm;
    unsigned long long a0;
    double t0;
    int rc, queued = strcmp(mode, "render") != 0;

    memset(res, 0, sizeof(*res));
    memset(&eo, 0, sizeof(eo));
    eo.manifests = mans;
    eo.n_manifests = manifest ? 1 : 0;
    eo.policy = strcmp(mode, "block") == 0 ? EF_QUEUE_BLOCK : EF_QUEUE_DROP;
    if (queued) {
        if ((rc = drainer_start(&d)) < 0) {
            fprintf(stderr, "live_bench: queue: %s\n", ef_strerror(rc));
            return rc;
        }
        eo.queue = d.q;
    }
    rc = ef_eventpath_new(&eo, &ep, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "live_bench: %s\n", err);
        return rc;
    }
    /*
     * Warm-up: the plan cache and the renderer's buffers grow in the first
     * pass; the queue allocates a chunk whenever more are in flight than
     * ever before, which takes the loop's first falls behind: WARM_SECONDS.
     */
    t0 = ef_bench_now();
    for (warm = 0; rc == 0 && (warm < 4 || ef_bench_now() - t0 < WARM_SECONDS); warm++)
        rc = one_pass(ep, t, &n);
    if (rc == 0)
        rc = ef_eventpath_flush(ep);
    ef_eventpath_get_stats(ep, &es0);
    n = 0;
    a0 = ef_bench_allocs();
    t0 = ef_bench_now();
    while (rc == 0 && ef_bench_now() - t0 < secs)
        rc = one_pass(ep, t, &n);
    if (rc == 0)
        rc = ef_eventpath_flush(ep);
    res->seconds = ef_bench_now() - t0;
    res->allocs = ef_bench_allocs() - a0;
    res->events = n;
    ef_eventpath_get_stats(ep, &es);
    ef_eventpath_free(ep);
    if (queued) {
        drainer_stop(&d);
        res->drained = d.events;
        res->bytes = d.bytes;
    }
    /* The timed run's share: the warm-up's pushes are counted too. */
    res->pushed = es.pushed - es0.pushed;
    res->dropped = es.dropped - es0.dropped;
    if (rc < 0)
        fprintf(stderr, "live_bench: %s: %s\n", mode, ef_strerror(rc));
    return rc;
}

int main(int argc, char **argv)
{
    static const char *const modes[] = {"render", "drop", "block"};
    char etl_buf[1024], man_buf[1024];
    const char *etl = NULL, *manifest = NULL, *shared = getenv("EF_SHARED_DIR");
    double secs = 2;
    struct ef_bench_trace t = {0};
    unsigned m;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--etl") == 0 && i + 1 < argc)
            etl = argv[++i];
        else if (strcmp(argv[i], "--manifest") == 0 && i + 1 < argc)
            manifest = argv[++i];
        else if (atof(argv[i]) > 0)
            secs = atof(argv[i]);
        else {
            fprintf(stderr, "usage: live_bench [SECONDS]\n"
                            "       live_bench --etl FILE [--manifest FILE] [SECONDS]\n");
            return 2;
        }
    }
    if (!etl) {
        snprintf(etl_buf, sizeof(etl_buf), "%s/testdata/etl/tx/HTTP_Server.etl",
                 shared ? shared : "../shared");
        snprintf(man_buf, sizeof(man_buf), "%s/testdata/etl/tx/HTTP_Server.man",
                 shared ? shared : "../shared");
        etl = etl_buf;
        manifest = man_buf;
    }
    if (ef_bench_trace_load(etl, &t) < 0 || t.n == 0) {
        fprintf(stderr, "live_bench: no records in %s\n", etl);
        return 1;
    }
    printf("live_bench: %s, %zu records, %s; %.1f s per mode; allocations %s\n", etl, t.n,
           manifest ? manifest : "no manifest", secs,
           EF_BENCH_ALLOCS_COUNTED ? "counted" : "not counted (not glibc)");
    printf("%-7s %12s %9s %13s %12s %12s\n", "mode", "events/s", "ns/event", "allocs/event",
           "dropped", "bytes/line");
    for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        struct result r;

        if (run_mode(modes[m], &t, manifest, secs, &r) < 0)
            return 1;
        printf("%-7s %12.0f %9.1f %13.4f %12" PRIu64 " %12.0f\n", modes[m],
               (double)r.events / r.seconds, r.seconds * 1e9 / (double)r.events,
               (double)r.allocs / (double)r.events, r.dropped,
               r.drained ? (double)r.bytes / (double)r.drained : 0.0);
    }
    printf("peak RSS: %ld KiB\n", ef_bench_peak_rss_kib());
    ef_bench_trace_free(&t);
    return 0;
}

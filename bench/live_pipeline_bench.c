/*
 * live_pipeline_bench.c - how many events/s a live session can push through
 * the default pipeline (handoff queue -> disk spool -> file sink, every
 * setting at its default from the option table) before the queue starts
 * dropping, with the process's CPU time, allocations and peak RSS.
 *
 * Usage: live_pipeline_bench WORKDIR [WINDOW_S] [RATE...]
 *          searches the highest rate with no drop over WINDOW_S seconds
 *          (default 10): doubling from 125 k events/s until a run drops,
 *          then halving the gap four times; RATEs given: just those.
 *          A last run pushes as fast as the feed can (rate 0).
 *        live_pipeline_bench WORKDIR --one RATE WINDOW_S     one run
 * LIVE_BENCH_SERVICE="spool = memory\n" adds lines to the [service] section,
 * for experiments. The shared data is found through EF_SHARED_DIR (else
 * ../shared). Each run is a child process with a folder of its own under
 * WORKDIR, removed after it, so its peak RSS is its own. Under Wine:
 * `wine live_pipeline_bench.exe WORKDIR` (docs/benchmarks.md).
 *
 * DESIGN. A run builds the pipeline from a configuration that sets only
 * what a benchmark must: state_dir and the sink's path under the run's
 * folder, no metrics listener (the machine is shared: no fixed port), and
 * log_level = warn; the spool (disk, spool_sync = interval), queue
 * (65536 events, 16 MiB), batches and file rotation keep their defaults.
 * Its one session, `kind = realtime`, is fed by live_feed.h at the rate:
 * natively a paced source running the live event path, on Windows the real
 * live source on the fake ETW. The loop runs a warm-up second, then the
 * window; a timer at each end reads the session's and the sink's counters,
 * the process's CPU time and the allocation count, then the pipeline is
 * stopped and its drain timed. A rate passes when the queue dropped
 * nothing (warm-up included), the spool refused nothing of the session,
 * and the feed reached 97 % of the rate over the window (else the feed,
 * not the pipeline, was the limit, and the row says so). The row also
 * says whether the sink kept up (acknowledged 95 % of the rate, the spool
 * dropped nothing): a sink behind the rate does not make the queue drop at
 * once, the spool takes the difference until it is full (spool_max_size),
 * then drops its oldest events. The exit code tells the parent: 0 passed,
 * 1 not, 2 the run failed. Everything here runs on the main thread, which
 * is the pipeline's loop thread.
 *
 * Columns: rate asked; events/s the feed pushed over the window; CPU-ns/ev
 * the process's CPU time (every thread) per event; cores that CPU time per
 * second; allocs/ev heap allocations per event in the window (glibc only,
 * -1 elsewhere); q.dropped events the queue dropped or the spool refused
 * (since the start); spool.drp events the full spool deleted or refused;
 * acked/s what the sink acknowledged per second; spoolMB the spool's size
 * and backlog the events pushed and not yet acknowledged, at the window's
 * end; drain seconds from the stop to the pipeline's end; peakKiB the peak
 * RSS (VmHWM; Windows: PeakWorkingSetSize, through uv_getrusage).
 */
#include "bench_alloc.h"
#include "bench_util.h"
#include "config/config.h"
#include "live_feed.h"
#include "runner/pipeline.h"
#include "runner/pipeline_int.h"
#include "util/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define WARM_MS 1000

/* The counters at the end of the warm-up and of the window. */
struct snap {
    uint64_t events, pushed, dropped, acked, allocs;
    uint64_t spool_refused;
    uint64_t spool_dropped, spool_bytes; /* the spool's drop_oldest + drop_newest; its size */
    double now, cpu;
};

struct run {
    uv_loop_t loop;
    uv_timer_t timer;
    struct ef_pipeline *p;
    struct snap warm, end;
    uint64_t window_ms;
    int phase; /* 0 warming up, 1 in the window, 2 stopping */
    int stopped;
    double stop_t0, drain_s;
};

/* User + system CPU seconds of the process (uv_getrusage: getrusage, GetProcessTimes). */
static double cpu_seconds(void)
{
    uv_rusage_t ru;

    if (uv_getrusage(&ru) != 0)
        return 0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Peak RSS in KiB (VmHWM through getrusage; PeakWorkingSetSize on Windows). */
static long peak_rss_kib(void)
{
    uv_rusage_t ru;

    return uv_getrusage(&ru) == 0 ? (long)ru.ru_maxrss : -1;
}

static void take(struct run *r, struct snap *s)
{
    struct ef_source_stats ss;
    struct ef_sink_stats ks;

    ef_pipeline_session_stats(r->p, 0, &ss);
    ef_pipeline_sink_stats(r->p, 0, &ks);
    s->events = ss.events_in;
    s->pushed = ss.pushed;
    s->dropped = ss.queue_dropped;
    s->spool_refused = r->p->sessions[0].spool_refused;
    s->acked = ks.acked;
    s->spool_dropped = s->spool_bytes = 0;
    if (r->p->n_groups && r->p->groups[0].spool) {
        struct ef_spool_stats sp;

        ef_spool_get_stats(r->p->groups[0].spool, &sp);
        s->spool_dropped = sp.dropped_oldest + sp.dropped_newest;
        s->spool_bytes = sp.size_bytes;
    }
    s->allocs = ef_bench_allocs();
    s->now = (double)uv_hrtime() / 1e9;
    s->cpu = cpu_seconds();
}

static void on_stopped(void *ud)
{
    struct run *r = ud;

    r->stopped = 1;
    r->drain_s = (double)uv_hrtime() / 1e9 - r->stop_t0;
}

static void on_timer(uv_timer_t *t)
{
    struct run *r = t->data;

    if (r->phase == 0) {
        take(r, &r->warm);
        r->phase = 1;
        uv_timer_start(&r->timer, on_timer, r->window_ms, 0);
        return;
    }
    take(r, &r->end);
    r->phase = 2;
    uv_close((uv_handle_t *)&r->timer, NULL);
    r->stop_t0 = (double)uv_hrtime() / 1e9;
    ef_pipeline_stop(r->p);
}

static int one(const char *work, double rate, double window_s)
{
    const char *shared = getenv("EF_SHARED_DIR") ? getenv("EF_SHARED_DIR") : "../shared";
    const char *svc_extra = getenv("LIVE_BENCH_SERVICE");
    char dir[4096], session[8192], conf[16384];
    struct ef_config_errors errs = {0};
    struct ef_config *cfg = NULL;
    struct ef_pipeline_options po;
    struct run r;
    double secs, got, events, acked_rate, ok, kept_up;
    size_t i;
    int n, rc = 2;
    uv_fs_t req;

    snprintf(dir, sizeof(dir), "%s/run-%.0f-%d", work, rate, (int)uv_os_getpid());
    uv_fs_mkdir(NULL, &req, work, 0755, NULL);
    uv_fs_req_cleanup(&req);
    uv_fs_mkdir(NULL, &req, dir, 0755, NULL);
    uv_fs_req_cleanup(&req);
    if (ef_bench_feed_setup(shared, rate, session, sizeof(session)) < 0)
        return 2;
    /* LIVE_BENCH_SERVICE="spool = memory\n" adds lines to [service] (experiments). */
    n = snprintf(conf, sizeof(conf),
                 "[service]\nstate_dir = %s/state\nmetrics_listen =\nlog_level = warn\n%s\n"
                 "[session:live]\n%s\n"
                 "[sink:out]\ntype = file\npath = %s/out.ndjson\n",
                 dir, svc_extra ? svc_extra : "", session, dir);
    if (n >= (int)sizeof(conf) ||
        ef_config_load_string(conf, (size_t)n, "bench.ini", &cfg, &errs)) {
        for (i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.msgs[i]);
        ef_config_errors_free(&errs);
        goto out;
    }
    ef_log_set_level((enum ef_log_level)cfg->service.log_level);
    memset(&r, 0, sizeof(r));
    r.window_ms = (uint64_t)(window_s * 1000);
    uv_loop_init(&r.loop);
    uv_timer_init(&r.loop, &r.timer);
    r.timer.data = &r;
    memset(&po, 0, sizeof(po));
    po.cfg = cfg;
    po.follow = 1;
    po.on_stopped = on_stopped;
    po.ud = &r;
    if (ef_pipeline_start(&r.loop, &po, &r.p) < 0) {
        uv_close((uv_handle_t *)&r.timer, NULL);
        uv_run(&r.loop, UV_RUN_DEFAULT);
        fprintf(stderr, "live_pipeline_bench: the pipeline did not start\n");
        goto out_loop;
    }
    uv_timer_start(&r.timer, on_timer, WARM_MS, 0);
    uv_run(&r.loop, UV_RUN_DEFAULT);
    if (!r.stopped || r.phase != 2) {
        fprintf(stderr, "live_pipeline_bench: the pipeline stopped early\n");
        goto out_loop;
    }
    secs = r.end.now - r.warm.now;
    events = (double)(r.end.events - r.warm.events);
    got = events / secs;
    acked_rate = (double)(r.end.acked - r.warm.acked) / secs;
    ok = r.end.dropped == 0 && r.end.spool_refused == 0 && (rate == 0 || got >= 0.97 * rate);
    /* The sink kept up: it acknowledged at the rate and the spool lost nothing. */
    kept_up = ok && r.end.spool_dropped == 0 && acked_rate >= 0.95 * got;
    printf("%9.0f %9.0f %8.1f %5.2f %9.4f %9" PRIu64 " %9" PRIu64 " %9.0f %7.0f %8" PRIu64
           " %5.2f %8ld  %s\n",
           rate, got, (r.end.cpu - r.warm.cpu) * 1e9 / events, (r.end.cpu - r.warm.cpu) / secs,
           EF_BENCH_ALLOCS_COUNTED ? (double)(r.end.allocs - r.warm.allocs) / events : -1.0,
           r.end.dropped + r.end.spool_refused, r.end.spool_dropped, acked_rate,
           (double)r.end.spool_bytes / 1048576.0, r.end.pushed - r.end.dropped - r.end.acked,
           r.drain_s, peak_rss_kib(),
           r.end.dropped || r.end.spool_refused ? "queue drops"
           : !ok                                ? "feed below rate"
           : kept_up                            ? "no drop, sink kept up"
                                                : "no queue drop, sink behind");
    fflush(stdout);
    rc = ok ? 0 : 1;
out_loop:
    ef_pipeline_free(r.p);
    uv_loop_close(&r.loop);
out:
    ef_config_free(cfg);
    ef_bench_feed_teardown();
    ef_bench_remove_tree(dir);
    return rc;
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int sig)
{
    int *rc = proc->data;

    *rc = sig ? 2 : (int)status;
    uv_close((uv_handle_t *)proc, NULL);
}

/* One run in a child process; its exit code. */
static int spawn_one(const char *self, const char *work, double rate, double window_s)
{
    char rs[32], ws[32];
    char *args[6];
    uv_process_options_t po;
    uv_stdio_container_t stdio[3];
    uv_process_t proc;
    uv_loop_t loop;
    int rc = 2;

    snprintf(rs, sizeof(rs), "%.0f", rate);
    snprintf(ws, sizeof(ws), "%g", window_s);
    args[0] = (char *)self;
    args[1] = (char *)work;
    args[2] = "--one";
    args[3] = rs;
    args[4] = ws;
    args[5] = NULL;
    memset(&po, 0, sizeof(po));
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = stdio[2].flags = UV_INHERIT_FD;
    stdio[1].data.fd = 1;
    stdio[2].data.fd = 2;
    po.file = self;
    po.args = args;
    po.stdio = stdio;
    po.stdio_count = 3;
    po.exit_cb = on_exit_cb;
    uv_loop_init(&loop);
    proc.data = &rc;
    if (uv_spawn(&loop, &proc, &po) == 0)
        uv_run(&loop, UV_RUN_DEFAULT);
    else
        fprintf(stderr, "live_pipeline_bench: cannot start %s\n", self);
    uv_loop_close(&loop);
    return rc;
}

int main(int argc, char **argv)
{
    char self[4096];
    size_t len = sizeof(self);
    double window_s = 10, good = 0, bad = 0, rate;
    int i, rc, step, given = 0;

    if (argc == 5 && strcmp(argv[2], "--one") == 0)
        return one(argv[1], atof(argv[3]), atof(argv[4]));
    if (argc < 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: live_pipeline_bench WORKDIR [WINDOW_S] [RATE...]\n"
                        "       live_pipeline_bench WORKDIR --one RATE WINDOW_S\n");
        return 2;
    }
    if (argc > 2)
        window_s = atof(argv[2]) > 0 ? atof(argv[2]) : 10;
    if (uv_exepath(self, &len) != 0)
        snprintf(self, sizeof(self), "%s", argv[0]);
    printf("live_pipeline_bench: %s; default pipeline (disk spool, spool_sync = interval, "
           "queue 65536 events / 16 MiB, file sink)%s%s; %g s per rate after 1 s of warm-up; "
           "allocations %s\n",
           ef_bench_feed_name, getenv("LIVE_BENCH_SERVICE") ? " + " : "",
           getenv("LIVE_BENCH_SERVICE") ? getenv("LIVE_BENCH_SERVICE") : "", window_s,
           EF_BENCH_ALLOCS_COUNTED ? "counted" : "not counted (not glibc)");
    printf("%9s %9s %8s %5s %9s %9s %9s %9s %7s %8s %5s %8s  %s\n", "rate", "events/s", "CPU-ns/ev",
           "cores", "allocs/ev", "q.dropped", "spool.drp", "acked/s", "spoolMB", "backlog", "drain",
           "peakKiB", "verdict");
    fflush(stdout);
    for (i = 3; i < argc; i++) {
        given = 1;
        (void)spawn_one(self, argv[1], atof(argv[i]), window_s);
    }
    if (given)
        return 0;
    /* Doubling until a run does not sustain its rate, then four halvings of the gap. */
    for (rate = 125000; rate <= 16e6; rate *= 2) {
        rc = spawn_one(self, argv[1], rate, window_s);
        if (rc == 2)
            return 1;
        if (rc != 0) {
            bad = rate;
            break;
        }
        good = rate;
    }
    for (step = 0; bad > 0 && step < 4; step++) {
        rate = (good + bad) / 2;
        rc = spawn_one(self, argv[1], rate, window_s);
        if (rc == 2)
            return 1;
        if (rc == 0)
            good = rate;
        else
            bad = rate;
    }
    (void)spawn_one(self, argv[1], 0, window_s);
    printf("highest rate with no drop over %g s: %.0f events/s%s\n", window_s, good,
           bad > 0 ? "" : " (the search's top: not limited)");
    return 0;
}

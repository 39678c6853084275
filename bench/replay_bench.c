/*
 * replay_bench.c - the main job end to end: .etl files replayed by a file
 * session (decode + render on the source thread) -> handoff queue -> disk
 * spool (spool_sync = interval) -> file sink, through the real pipeline
 * (runner/pipeline.h), as `etwfwd replay FILE -c CONF` runs it.
 *
 * Usage: replay_bench WORKDIR              the table: HTTP_Server.etl (with
 *                                          its manifest) at 1x to 1024x copies
 *                                          on both cores and on one, with
 *                                          spool_sync interval and never, and
 *                                          gcevents.etl (with ClrEtwAll.man)
 *        replay_bench WORKDIR --one N TRACE [MANIFEST]   one row
 *        (REPLAY_BENCH_PIPELINE_ONLY=1: without the decode+render-alone pass;
 *         REPLAY_BENCH_SYNC=always|interval|never: the spool_sync, default
 *         interval; REPLAY_BENCH_CPUS=1: the process pinned to CPU 0, Linux;
 *         REPLAY_BENCH_SERVICE / REPLAY_BENCH_SINK: lines added to the
 *         [service] / [sink] section, for experiments)
 *
 * Each row runs in a child process of its own so its peak RSS is its own.
 * A row prints events/s through the pipeline, the same trace decoded and
 * rendered alone (source/tracefile.h, no pipeline: the source's share), the
 * output size and the peak RSS. The copies are symbolic links (copies where
 * links cannot be made) under WORKDIR; the shared data is found through
 * EF_SHARED_DIR (else ../shared).
 */
#include "bench_util.h"
#include "config/config.h"
#include "runner/pipeline.h"
#include "runner/pipeline_int.h"
#include "source/tracefile.h"
#include "util/buf.h"
#include "util/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static int stopped;

static void on_stopped(void *ud)
{
    (void)ud;
    stopped = 1;
}

static int make_dir(const char *path)
{
    uv_fs_t req;
    int rc = uv_fs_mkdir(NULL, &req, path, 0755, NULL);

    uv_fs_req_cleanup(&req);
    return rc == 0 || rc == UV_EEXIST ? 0 : rc;
}

/* dst -> src: a symbolic link, or a copy where links are not allowed. */
static int link_or_copy(const char *src, const char *dst)
{
    uv_fs_t req;
    int rc = uv_fs_symlink(NULL, &req, src, dst, 0, NULL);

    uv_fs_req_cleanup(&req);
    if (rc == 0)
        return 0;
    rc = uv_fs_copyfile(NULL, &req, src, dst, 0, NULL);
    uv_fs_req_cleanup(&req);
    return rc;
}

/*
 * Decode + render alone over the n paths: the source thread's own cost,
 * with the schemas built once as the file source does (open_ms is that).
 */
static double tracefile_rate(char **paths, unsigned n, const char *manifest, uint64_t *events,
                             double *open_ms)
{
    const char *man[1] = {manifest};
    struct ef_tracefile_opts to = {man, manifest ? 1 : 0, NULL, 0, {0, 0, NULL, NULL}, NULL, NULL};
    struct ef_tracefile_schemas *schemas = NULL;
    struct ef_tracefile_error err;
    struct ef_tracefile *tf;
    struct ef_buf line;
    uint64_t t0 = uv_hrtime(), ts;
    unsigned i;

    *events = 0;
    ef_buf_init(&line, 16u << 20);
    if (ef_tracefile_schemas_new(&to, &schemas, &err) < 0) {
        fprintf(stderr, "replay_bench: %s\n", err.msg);
        n = 0;
    }
    *open_ms = (double)(uv_hrtime() - t0) / 1e6;
    for (i = 0; i < n; i++) {
        if (ef_tracefile_open_with(paths[i], schemas, &to, &tf, &err) < 0) {
            fprintf(stderr, "replay_bench: %s\n", err.msg);
            break;
        }
        while (ef_tracefile_next(tf, &line, &ts) == 1)
            (*events)++;
        ef_tracefile_close(tf);
    }
    ef_tracefile_schemas_free(schemas);
    ef_buf_free(&line);
    return (double)*events / ((double)(uv_hrtime() - t0) / 1e9);
}

static int one(const char *work, unsigned mult, const char *trace, const char *manifest)
{
    char dir[4096], in[4200], conf[16384], out[4200], **paths = NULL;
    struct ef_config_errors errs = {0};
    struct ef_pipeline_options po;
    struct ef_source_stats ss;
    struct ef_sink_stats ks;
    struct ef_config *cfg = NULL;
    struct ef_pipeline *p = NULL;
    uint64_t t0, t1, alone_events = 0;
    double secs, alone, open_ms, cpu0, cpu;
    uv_loop_t loop;
    uv_fs_t req;
    unsigned i;
    /* REPLAY_BENCH_SINK="in_flight = 4\n" adds lines to the sink's section (experiments). */
    const char *sink_extra = getenv("REPLAY_BENCH_SINK");
    /* REPLAY_BENCH_SERVICE="queue_max_bytes = 2MiB\n" adds lines to [service] (experiments). */
    const char *svc_extra = getenv("REPLAY_BENCH_SERVICE");
    /* REPLAY_BENCH_SYNC=always|never: another spool_sync than the default interval. */
    const char *sync = getenv("REPLAY_BENCH_SYNC") ? getenv("REPLAY_BENCH_SYNC") : "interval";
    int n, one_cpu, rc = 1;

    snprintf(dir, sizeof(dir), "%s/run-%u-%d", work, mult, (int)uv_os_getpid());
    snprintf(in, sizeof(in), "%s/in", dir);
    if (make_dir(work) < 0 || make_dir(dir) < 0 || make_dir(in) < 0) {
        fprintf(stderr, "replay_bench: cannot make %s\n", in);
        return 1;
    }
    paths = calloc(mult, sizeof(*paths));
    for (i = 0; paths && i < mult; i++) {
        paths[i] = malloc(4300);
        if (!paths[i])
            goto out;
        snprintf(paths[i], 4300, "%s/t%05u.etl", in, i);
        if (link_or_copy(trace, paths[i]) < 0) {
            fprintf(stderr, "replay_bench: cannot link %s\n", paths[i]);
            goto out;
        }
    }
    if (!paths)
        goto out;
    snprintf(out, sizeof(out), "%s/out.ndjson", dir);
    n = snprintf(conf, sizeof(conf),
                 "[service]\nstate_dir = %s/state\nspool = disk\nspool_sync = %s\n"
                 "metrics_listen =\nstats_interval = 24h\nlog_level = warn\n%s\n"
                 "[session:bench]\nkind = file\npath = %s/*.etl\n%s%s%s\n"
                 "[sink:out]\ntype = file\npath = %s\nrotate_size = 0\n%s",
                 dir, sync, svc_extra ? svc_extra : "", in, manifest ? "manifest = " : "",
                 manifest ? manifest : "", manifest ? "\n" : "", out, sink_extra ? sink_extra : "");
    if (n >= (int)sizeof(conf) ||
        ef_config_load_string(conf, (size_t)n, "bench.ini", &cfg, &errs)) {
        for (i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.msgs[i]);
        goto out;
    }
    ef_log_set_level((enum ef_log_level)cfg->service.log_level);
    one_cpu = getenv("REPLAY_BENCH_CPUS") && strcmp(getenv("REPLAY_BENCH_CPUS"), "1") == 0;
    if (one_cpu && ef_bench_pin_one_cpu() < 0) {
        fprintf(stderr, "replay_bench: cannot pin to one CPU here\n");
        goto out;
    }
    uv_loop_init(&loop);
    memset(&po, 0, sizeof(po));
    po.cfg = cfg;
    po.on_stopped = on_stopped;
    cpu0 = ef_bench_cpu_seconds();
    t0 = uv_hrtime();
    if (ef_pipeline_start(&loop, &po, &p) == 0)
        uv_run(&loop, UV_RUN_DEFAULT);
    t1 = uv_hrtime();
    cpu = ef_bench_cpu_seconds() - cpu0;
    if (!p || !stopped) {
        fprintf(stderr, "replay_bench: the pipeline did not run\n");
        goto out_loop;
    }
    ef_pipeline_session_stats(p, 0, &ss);
    ef_pipeline_sink_stats(p, 0, &ks);
    secs = (double)(t1 - t0) / 1e9;
    /* REPLAY_BENCH_PIPELINE_ONLY=1 leaves the second pass out (for perf record). */
    alone = 0;
    open_ms = 0;
    alone_events = ss.events_in;
    if (!getenv("REPLAY_BENCH_PIPELINE_ONLY"))
        alone = tracefile_rate(paths, mult, manifest, &alone_events, &open_ms);
    uv_fs_stat(NULL, &req, out, NULL);
    printf("%-16s x%-4u %s, sync %-8s %8" PRIu64 " events %7.3f s %8.0f events/s, "
           "%.3f CPU-s = %.0f events/CPU-s (%" PRIu64 " acked, %.0f MB out); "
           "decode+render alone %.0f events/s (schemas %.1f ms); peak RSS %ld KiB\n",
           strrchr(trace, '/') ? strrchr(trace, '/') + 1 : trace, mult,
           one_cpu ? "1 core " : "2 cores", sync, ss.events_in, secs, (double)ss.events_in / secs,
           cpu, cpu > 0 ? (double)ss.events_in / cpu : 0, ks.acked,
           (double)req.statbuf.st_size / 1e6, alone, open_ms, ef_bench_peak_rss_kib());
    uv_fs_req_cleanup(&req);
    fflush(stdout);
    rc = ss.events_in == alone_events && ks.acked >= ss.events_in ? 0 : 1;
    if (rc)
        fprintf(stderr,
                "replay_bench: %" PRIu64 " events through the pipeline, %" PRIu64 " alone, %" PRIu64
                " acked\n",
                ss.events_in, alone_events, ks.acked);
out_loop:
    ef_pipeline_free(p);
    uv_loop_close(&loop);
    ef_config_free(cfg);
out:
    ef_bench_remove_tree(dir); /* the output of a large row is gigabytes */
    for (i = 0; paths && i < mult; i++)
        free(paths[i]);
    free(paths);
    return rc;
}

static void on_exit_cb(uv_process_t *proc, int64_t status, int sig)
{
    int *rc = proc->data;

    *rc = status != 0 || sig != 0;
    uv_close((uv_handle_t *)proc, NULL);
}

/* Runs one row in a child process. */
static int spawn_row(const char *self, const char *work, unsigned mult, const char *trace,
                     const char *manifest)
{
    char m[16];
    char *args[7];
    uv_process_options_t po;
    uv_stdio_container_t stdio[3];
    uv_process_t proc;
    uv_loop_t loop;
    int rc = 1, k = 0;

    snprintf(m, sizeof(m), "%u", mult);
    args[k++] = (char *)self;
    args[k++] = (char *)work;
    args[k++] = "--one";
    args[k++] = m;
    args[k++] = (char *)trace;
    if (manifest)
        args[k++] = (char *)manifest;
    args[k] = NULL;
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
        fprintf(stderr, "replay_bench: cannot start %s\n", self);
    uv_loop_close(&loop);
    return rc;
}

/* One row of the table: a trace at mult copies, on one or all cores, with a spool_sync. */
struct row {
    int gc; /* 0: HTTP_Server.etl, 1: gcevents.etl */
    unsigned mult;
    const char *cpus, *sync;
};

static const struct row rows[] = {
    {0, 1, "", "interval"},    {0, 16, "", "interval"}, {0, 256, "", "interval"},
    {0, 1024, "", "interval"}, {0, 256, "", "never"},   {0, 1024, "", "never"},
    {0, 256, "1", "interval"}, {0, 256, "1", "never"},  {0, 1024, "1", "never"},
    {1, 1, "", "interval"},    {1, 64, "", "interval"}, {1, 1024, "", "interval"},
};

int main(int argc, char **argv)
{
    const char *shared = getenv("EF_SHARED_DIR");
    char http[4096], man[4096], gc[4096], clr[4096], self[4096];
    size_t len = sizeof(self);
    unsigned i;
    int rc = 0;

    if (argc >= 5 && strcmp(argv[2], "--one") == 0)
        return one(argv[1], (unsigned)strtoul(argv[3], NULL, 10), argv[4],
                   argc > 5 ? argv[5] : NULL);
    if (argc != 2) {
        fprintf(stderr, "usage: replay_bench WORKDIR [--one N TRACE [MANIFEST]]\n");
        return 2;
    }
    if (!shared)
        shared = "../shared";
    if (uv_exepath(self, &len) != 0)
        snprintf(self, sizeof(self), "%s", argv[0]);
    snprintf(http, sizeof(http), "%s/testdata/etl/tx/HTTP_Server.etl", shared);
    snprintf(man, sizeof(man), "%s/testdata/etl/tx/HTTP_Server.man", shared);
    snprintf(gc, sizeof(gc), "%s/testdata/etl/perfview/gcevents.etl", shared);
    snprintf(clr, sizeof(clr), "%s/testdata/etl/perfview/ClrEtwAll.man", shared);
    for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        /* The child inherits them (uv_spawn with no env of its own). */
        uv_os_setenv("REPLAY_BENCH_CPUS", rows[i].cpus);
        uv_os_setenv("REPLAY_BENCH_SYNC", rows[i].sync);
        rc |= rows[i].gc ? spawn_row(self, argv[1], rows[i].mult, gc, clr)
                         : spawn_row(self, argv[1], rows[i].mult, http, man);
    }
    return rc;
}

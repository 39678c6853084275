/*
 * test_runner_reload.c - ef_pipeline_reload on a running pipeline: file
 * sessions replaying real traces in follow mode into two file sinks, then
 * a new configuration. The expected line counts come from the traces
 * themselves (ef_tracefile, the .etl reader's own view, outside the
 * pipeline), and what a reload did is checked in three places: the log
 * lines it wrote, which drivers and sources are still the same objects,
 * and the lines the sinks wrote.
 *
 * A file sink acknowledges a batch once it wrote it, and a driver that
 * stops waits for its sends in progress: a restarted file sink neither
 * loses nor repeats a line, so the counts are exact, not "at least".
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "pipeline/fsutil.h"
#include "pipe_helpers.h"
#include "runner/pipeline.h"
#include "runner/pipeline_int.h"
#include "source/tracefile.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"

#define STATS_MARK "\"kind\":\"stats\""
#define LINKS      24 /* copies of the HTTP trace a long session replays */

static char dir[1024];
static char http_trace[1024], small_trace[1024], tl_trace[1024];

/* --- the log, as the reload wrote it --------------------------------------------------- */

static uv_mutex_t log_mu;
static struct ef_buf log_text;

static void log_hook(void *ud, const char *line, size_t len)
{
    (void)ud;
    uv_mutex_lock(&log_mu);
    ef_buf_append(&log_text, line, len);
    uv_mutex_unlock(&log_mu);
}

/* 1 when a logged line contains what. */
static int logged(const char *what)
{
    int found;

    uv_mutex_lock(&log_mu);
    ef_buf_append_byte(&log_text, '\0');
    found = strstr(log_text.data, what) != NULL;
    log_text.len--;
    uv_mutex_unlock(&log_mu);
    return found;
}

static void setup(void)
{
    th_mkdtemp(dir, sizeof(dir));
    ef_test_shared_path("testdata/etl/tx/HTTP_Server.etl", http_trace, sizeof(http_trace));
    ef_test_shared_path("testdata/etl/perfview/primitive-types.etl", small_trace,
                        sizeof(small_trace));
    ef_test_shared_path("testdata/etl/etl-parser/lxcore_kernel.etl", tl_trace, sizeof(tl_trace));
    ck_assert_int_eq(uv_mutex_init(&log_mu), 0);
    ef_buf_init(&log_text, 64u << 20);
    ef_log_set_hook(log_hook, NULL);
}

static void teardown(void)
{
    ef_log_set_hook(NULL, NULL);
    ef_buf_free(&log_text);
    uv_mutex_destroy(&log_mu);
    th_rmtree(dir);
}

/* --- expected values, from the traces ------------------------------------------------- */

/* The lines `replay` gives for one trace: the .etl reader's count, not the pipeline's. */
static uint64_t trace_lines(const char *path)
{
    struct ef_tracefile_opts to;
    struct ef_tracefile_error err;
    struct ef_tracefile *tf;
    struct ef_buf line;
    uint64_t ts, n = 0;

    memset(&to, 0, sizeof(to));
    ck_assert_int_eq(ef_tracefile_open(path, &to, &tf, &err), 0);
    ef_buf_init(&line, 16u << 20);
    while (ef_tracefile_next(tf, &line, &ts) == 1)
        n++;
    ef_buf_free(&line);
    ef_tracefile_close(tf);
    return n;
}

/*
 * LINKS copies of the HTTP trace in dir/traces: a session that runs long
 * enough to reload in (copies, not links: the suite also runs on Windows).
 */
static void make_links(void)
{
    char d[1200], l[1300];
    char *data;
    size_t len;
    FILE *f;
    int i;

    snprintf(d, sizeof(d), "%s/traces", dir);
    ck_assert_int_eq(ef_fs_mkdir_p(d), 0);
    data = th_read_file(http_trace, &len);
    ck_assert_ptr_nonnull(data);
    for (i = 0; i < LINKS; i++) {
        snprintf(l, sizeof(l), "%s/t%02d.etl", d, i);
        f = fopen(l, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(data, 1, len, f), len);
        ck_assert_int_eq(fclose(f), 0);
    }
    free(data);
}

/* Lines in a sink's file: events, and stats events apart. */
static void count_file(const char *name, uint64_t *events, uint64_t *stats)
{
    char path[1200];
    char *text, *p, *nl;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s.ndjson", dir, name);
    text = th_read_file(path, &len);
    ck_assert_ptr_nonnull(text);
    *events = *stats = 0;
    for (p = text; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
        *nl = '\0';
        if (strstr(p, STATS_MARK))
            ++*stats;
        else
            ++*events;
    }
    ck_assert_msg(*p == '\0', "a line without its newline in %s", path);
    free(text);
}

static char *sink_file(const char *name)
{
    char path[1200];
    size_t len;

    snprintf(path, sizeof(path), "%s/%s.ndjson", dir, name);
    return th_read_file(path, &len);
}

/* --- running a pipeline ---------------------------------------------------------------- */

struct run {
    uv_loop_t loop;
    struct ef_config *cfgs[4]; /* every configuration given, kept until the end */
    unsigned n_cfgs;
    struct ef_pipeline *p;
    int stopped;
    uint64_t min_acked; /* for acked_at_least: sink 0 acknowledged this many */
};

static void on_stopped(void *ud)
{
    ((struct run *)ud)->stopped = 1;
}

static int is_stopped(void *ud)
{
    return ((struct run *)ud)->stopped;
}

/*
 * A configuration: [service] extra, then the sessions and sinks text. Paths
 * are relative to dir through %1$s.
 */
static struct ef_config *load(const char *service_extra, const char *body)
{
    struct ef_config_errors errs = {0};
    struct ef_config *cfg = NULL;
    char text[8192], full[12000];
    size_t i;
    int n;

    /* The body names dir, the traces folder and the traces by %s in this order, as needed. */
    n = snprintf(text, sizeof(text), body, dir, dir, dir, dir);
    ck_assert_int_lt(n, (int)sizeof(text));
    n = snprintf(full, sizeof(full),
                 "[service]\nstate_dir = %s/state\n%sstats_interval = 1h\n"
                 "shutdown_timeout = 5s\n%s\n%s",
                 dir, strstr(service_extra, "metrics_listen") ? "" : "metrics_listen =\n",
                 service_extra, text);
    ck_assert_int_lt(n, (int)sizeof(full));
    if (ef_config_load_string(full, (size_t)n, "reload.ini", &cfg, &errs) < 0) {
        for (i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.msgs[i]);
        ck_abort_msg("the test's configuration does not load");
    }
    ef_config_errors_free(&errs);
    return cfg;
}

static void start(struct run *r, struct ef_config *cfg)
{
    struct ef_pipeline_options po;

    memset(r, 0, sizeof(*r));
    r->cfgs[r->n_cfgs++] = cfg;
    ck_assert_int_eq(uv_loop_init(&r->loop), 0);
    memset(&po, 0, sizeof(po));
    po.cfg = cfg;
    po.follow = 1;
    po.on_stopped = on_stopped;
    po.ud = r;
    ck_assert_int_eq(ef_pipeline_start(&r->loop, &po, &r->p), 0);
}

static int reload(struct run *r, struct ef_config *cfg)
{
    int rc = ef_pipeline_reload(r->p, cfg);

    if (rc == 0)
        r->cfgs[r->n_cfgs++] = cfg;
    else
        ef_config_free(cfg);
    return rc;
}

/* Every source finished and every sink has acknowledged everything the spool holds. */
static int settled(void *ud)
{
    struct run *r = ud;
    struct ef_sink_stats st;
    struct ef_queue_stats qs;
    unsigned i;

    if (r->p->sources_left)
        return 0;
    for (i = 0; i < r->p->n_sessions; i++)
        if (r->p->sessions[i].reload_action)
            return 0;
    ef_queue_get_stats(r->p->queue, &qs);
    if (qs.events)
        return 0;
    for (i = 0; i < r->p->n_sinks; i++) {
        if (r->p->sinks[i].restarting || !r->p->sinks[i].drv)
            return 0;
        ef_pipeline_sink_stats(r->p, i, &st);
        if (st.backlog || st.in_flight)
            return 0;
    }
    return 1;
}

static int acked_at_least(void *ud)
{
    struct run *r = ud;
    struct ef_sink_stats st;

    ef_pipeline_sink_stats(r->p, 0, &st);
    return st.acked >= r->min_acked;
}

static void stop_and_free(struct run *r)
{
    unsigned i;

    ef_pipeline_stop(r->p);
    ck_assert(th_run_until(&r->loop, is_stopped, r, 1000000));
    ef_pipeline_free(r->p);
    ck_assert_int_eq(th_loop_fini(&r->loop), 0);
    for (i = 0; i < r->n_cfgs; i++)
        ef_config_free(r->cfgs[i]);
}

static const char two_sinks[] = "[sink:a]\ntype = file\npath = %s/a.ndjson\nbatch_max_age = 10ms\n"
                                "batch_max_events = 100\n\n"
                                "[sink:b]\ntype = file\npath = %s/b.ndjson\nbatch_max_age = 10ms\n";

/* --- (a) nothing changed ----------------------------------------------------------------- */

START_TEST(unchanged_file_restarts_nothing)
{
    struct run r;
    struct ef_sink *a, *b;
    char body[4096];
    uint64_t want = trace_lines(http_trace), ev, st;

    snprintf(body, sizeof(body), "[session:s1]\nkind = file\npath = %s\n\n%s", http_trace,
             two_sinks);
    start(&r, load("spool = memory", body));
    ck_assert(th_run_until(&r.loop, settled, &r, 1000000));
    a = r.p->sinks[0].drv;
    b = r.p->sinks[1].drv;
    /* The same settings written differently: other order, comments, a key at its default. */
    snprintf(body, sizeof(body),
             "# reloaded\n[sink:b]\ntype = file\nbatch_max_age = 10ms\npath = %%s/b.ndjson\n\n"
             "[sink:a]\npath = %%s/a.ndjson\ntype = file\nbatch_max_events = 100\n"
             "batch_max_age = 10ms\n\n[session:s1]\nkind = file\nreplay_speed = 0\npath = %s\n",
             http_trace);
    ck_assert_int_eq(reload(&r, load("spool = memory", body)), 0);
    ck_assert(logged("reload.ini: applied, 0 changes"));
    ck_assert(!logged("restarted"));
    /* The drivers are the same objects, and the finished session was not replayed again. */
    ck_assert_ptr_eq(r.p->sinks[0].drv, a);
    ck_assert_ptr_eq(r.p->sinks[1].drv, b);
    ck_assert_int_eq(r.p->sinks[0].restarting, 0);
    ck_assert_int_eq(r.p->sources_left, 0);
    ck_assert_ptr_null(r.p->sessions[0].src);
    ck_assert_int_eq(r.p->sessions[0].reload_action, 0);
    ck_assert(th_run_until(&r.loop, settled, &r, 1000000));
    stop_and_free(&r);
    count_file("a", &ev, &st);
    ck_assert_uint_eq(ev, want);
    count_file("b", &ev, &st);
    ck_assert_uint_eq(ev, want);
}
END_TEST

/* --- (b) one sink's setting changed ---------------------------------------------------- */

START_TEST(changed_sink_restarts_alone_and_loses_nothing)
{
    struct run r;
    struct ef_sink *b;
    struct ef_sink_stats sa, sb;
    char body[4096], *fa, *fb;
    uint64_t want = trace_lines(http_trace) * LINKS, ev, st;

    make_links();
    snprintf(body, sizeof(body), "[session:s1]\nkind = file\npath = %%s/traces/*.etl\n\n%s",
             two_sinks);
    /* A disk spool: the restarted driver reads on from the cursor in the ledger's spool. */
    start(&r, load("spool = disk", body));
    r.min_acked = want / 4;
    ck_assert(th_run_until(&r.loop, acked_at_least, &r, 1000000));
    b = r.p->sinks[1].drv;
    ef_pipeline_sink_stats(r.p, 0, &sa);
    /* Mid-flow: the session still replays and sink a has not got everything. */
    ck_assert_ptr_nonnull(r.p->sessions[0].src);
    ck_assert_uint_lt(sa.acked, want);
    snprintf(body, sizeof(body),
             "[session:s1]\nkind = file\npath = %%s/traces/*.etl\n\n"
             "[sink:a]\ntype = file\npath = %%s/a.ndjson\nbatch_max_age = 10ms\n"
             "batch_max_events = 37\n\n"
             "[sink:b]\ntype = file\npath = %%s/b.ndjson\nbatch_max_age = 10ms\n");
    ck_assert_int_eq(reload(&r, load("spool = disk", body)), 0);
    ck_assert(logged("sink a restarted: batch_max_events changed"));
    ck_assert(!logged("sink b restarted"));
    ck_assert(!logged("session s1 restarted"));
    ck_assert(logged("reload.ini: applied, 1 change\n"));
    ck_assert_ptr_eq(r.p->sinks[1].drv, b);
    ck_assert(th_run_until(&r.loop, settled, &r, 1000000));
    /*
     * A new driver for a, counting from the restart on (its address may be
     * the old one's again, so the counters tell), and b's went through.
     */
    ef_pipeline_sink_stats(r.p, 0, &sa);
    ck_assert_uint_le(sa.acked, want - want / 4);
    ck_assert_ptr_eq(r.p->sinks[1].drv, b);
    ef_pipeline_sink_stats(r.p, 1, &sb);
    ck_assert_uint_eq(sb.acked, want);
    ck_assert_uint_eq(r.p->sessions[0].last.files, LINKS); /* the session was not restarted */
    stop_and_free(&r);
    count_file("a", &ev, &st);
    ck_assert_uint_eq(ev, want);
    ck_assert_uint_eq(st, 1);
    count_file("b", &ev, &st);
    ck_assert_uint_eq(ev, want);
    /* The same events in the same order: nothing lost, repeated or reordered by the restart. */
    fa = sink_file("a");
    fb = sink_file("b");
    ck_assert(strcmp(fa, fb) == 0);
    free(fa);
    free(fb);
}
END_TEST

/*
 * A stop right after a sink's restart began: the drain waits for the old
 * driver, the new one opens and delivers what is held, then everything
 * closes (no handle left open). Both sinks hold exactly what the queue
 * took from the stopped session.
 */
START_TEST(stop_while_sink_restarts)
{
    struct run r;
    char body[4096];
    uint64_t want = trace_lines(http_trace) * LINKS, ev, st, pushed;

    make_links();
    snprintf(body, sizeof(body), "[session:s1]\nkind = file\npath = %%s/traces/*.etl\n\n%s",
             two_sinks);
    start(&r, load("spool = disk", body));
    r.min_acked = want / 8;
    ck_assert(th_run_until(&r.loop, acked_at_least, &r, 1000000));
    snprintf(body, sizeof(body),
             "[session:s1]\nkind = file\npath = %%s/traces/*.etl\n\n"
             "[sink:a]\ntype = file\npath = %%s/a.ndjson\nbatch_max_age = 10ms\n"
             "batch_max_events = 37\n\n"
             "[sink:b]\ntype = file\npath = %%s/b.ndjson\nbatch_max_age = 10ms\n");
    ck_assert_int_eq(reload(&r, load("spool = disk", body)), 0);
    ef_pipeline_stop(r.p);
    ck_assert(th_run_until(&r.loop, is_stopped, &r, 1000000));
    ck_assert_ptr_null(r.p->sinks[0].drv);
    ck_assert_int_eq(r.p->sinks[0].restarting, 0);
    /*
     * What the queue accepted: a source stopped by the stop drops the chunk
     * it had not published (the queue is cancelled), which is not the
     * sinks' business.
     */
    pushed = r.p->queue_final.accepted;
    ck_assert_uint_eq(r.p->shutdown_lost, 0);
    ck_assert_uint_lt(pushed, want); /* stopped mid-flow */
    stop_and_free(&r);
    count_file("a", &ev, &st);
    ck_assert_uint_eq(ev, pushed);
    ck_assert_uint_eq(st, 1);
    count_file("b", &ev, &st);
    ck_assert_uint_eq(ev, pushed);
}
END_TEST

/* --- (c) a session added, one removed -------------------------------------------------- */

START_TEST(session_added_and_removed)
{
    struct run r;
    struct ef_sink *a;
    char body[4096];
    uint64_t n1 = trace_lines(small_trace), n3 = trace_lines(tl_trace), ev, st, pushed2;

    make_links();
    snprintf(body, sizeof(body),
             "[session:s1]\nkind = file\npath = %s\n\n"
             "[session:s2]\nkind = file\npath = %%s/traces/*.etl\n\n"
             "[sink:a]\ntype = file\npath = %%s/a.ndjson\nbatch_max_age = 10ms\n"
             "batch_max_events = 100\n",
             small_trace);
    /* A disk spool: its tail cache paces the replay to the sink, so s2 is still running. */
    start(&r, load("spool = disk", body));
    r.min_acked = n1 + 2000;
    ck_assert(th_run_until(&r.loop, acked_at_least, &r, 1000000));
    ck_assert_ptr_nonnull(r.p->sessions[1].src); /* s2 still replays */
    a = r.p->sinks[0].drv;
    snprintf(body, sizeof(body),
             "[session:s1]\nkind = file\npath = %s\n\n"
             "[session:s3]\nkind = file\npath = %s\n\n"
             "[sink:a]\ntype = file\npath = %%s/a.ndjson\nbatch_max_age = 10ms\n"
             "batch_max_events = 100\n",
             small_trace, tl_trace);
    ck_assert_int_eq(reload(&r, load("spool = disk", body)), 0);
    ck_assert(logged("session s2 stopped: removed from the configuration"));
    ck_assert(logged("session s3 started: new in the configuration"));
    ck_assert(!logged("session s1 restarted"));
    ck_assert(logged("reload.ini: applied, 2 changes"));
    ck_assert(th_run_until(&r.loop, settled, &r, 1000000));
    ck_assert_ptr_eq(r.p->sinks[0].drv, a);
    ck_assert_uint_eq(r.p->n_sessions, 3);
    ck_assert_int_eq(r.p->sessions[1].removed, 1);
    ck_assert_ptr_null(r.p->sessions[1].src);
    /* s2 stopped early, and every event it had queued still reached the sink. */
    pushed2 = r.p->sessions[1].last.pushed;
    ck_assert_uint_lt(pushed2, trace_lines(http_trace) * LINKS);
    ck_assert_uint_eq(r.p->sessions[2].last.pushed, n3);
    stop_and_free(&r);
    count_file("a", &ev, &st);
    ck_assert_uint_eq(ev, n1 + pushed2 + n3);
}
END_TEST

/* --- (d) refused reloads: the running configuration stays and events flow ---------------- */

START_TEST(refused_reload_keeps_running)
{
    struct run r;
    struct ef_config *running;
    struct ef_sink *a, *b;
    char body[4096], svc[2048];
    uint64_t want = trace_lines(http_trace) * LINKS, ev, st;
    int rc;

    make_links();
    snprintf(body, sizeof(body), "[session:s1]\nkind = file\npath = %%s/traces/*.etl\n\n%s",
             two_sinks);
    /* A disk spool paces the replay to the sinks: the refusals come while it runs. */
    start(&r, load("spool = disk", body));
    running = r.cfgs[0];
    r.min_acked = want / 4;
    ck_assert(th_run_until(&r.loop, acked_at_least, &r, 1000000));
    a = r.p->sinks[0].drv;
    b = r.p->sinks[1].drv;

    /* A [service] key that needs a restart, with a sink change that alone would apply. */
    snprintf(body, sizeof(body),
             "[session:s1]\nkind = file\npath = %%s/traces/*.etl\n\n"
             "[sink:a]\ntype = file\npath = %%s/a.ndjson\nbatch_max_age = 10ms\n"
             "batch_max_events = 5\n\n"
             "[sink:b]\ntype = file\npath = %%s/b.ndjson\nbatch_max_age = 10ms\n");
    rc = reload(&r, load("spool = disk\nqueue_max_events = 1000", body));
    ck_assert_int_eq(rc, EF_ENOTSUP);
    ck_assert(logged("reload.ini: refused, the running configuration stays: [service] "
                     "queue_max_events changed, which needs a restart of etwfwd"));
    /* A new sink. */
    snprintf(body, sizeof(body),
             "[session:s1]\nkind = file\npath = %%s/traces/*.etl\n\n%s"
             "\n[sink:c]\ntype = file\npath = %%s/c.ndjson\n",
             two_sinks);
    ck_assert_int_eq(reload(&r, load("spool = disk", body)), EF_ENOTSUP);
    ck_assert(logged("[sink:c] is new"));
    /* Routes that would split the one spool in two. */
    snprintf(body, sizeof(body),
             "[session:s1]\nkind = file\npath = %%s/traces/*.etl\n\n"
             "[session:s2]\nkind = file\npath = %s\n\n%s"
             "\n[route:r1]\nsession = s1\nsink = a\nsink = b\n"
             "\n[route:r2]\nsession = s2\nsink = a\n",
             small_trace, two_sinks);
    ck_assert_int_eq(reload(&r, load("spool = disk", body)), EF_ENOTSUP);
    ck_assert(logged("the routes would make sinks a and b no longer share a spool"));
    /* metrics_listen, named as such. */
    snprintf(svc, sizeof(svc), "spool = disk\nmetrics_listen = 127.0.0.1:1");
    snprintf(body, sizeof(body), "[session:s1]\nkind = file\npath = %%s/traces/*.etl\n\n%s",
             two_sinks);
    ck_assert_int_eq(reload(&r, load(svc, body)), EF_ENOTSUP);
    ck_assert(logged("[service] metrics_listen changed"));

    /* Nothing changed: the same configuration, drivers and session; no restart anywhere. */
    ck_assert_ptr_eq(r.p->cfg, running);
    ck_assert_ptr_eq(r.p->sinks[0].drv, a);
    ck_assert_ptr_eq(r.p->sinks[1].drv, b);
    ck_assert_uint_eq(r.p->n_sessions, 1);
    ck_assert(!logged("restarted"));
    ck_assert(!logged("applied"));
    ck_assert_ptr_nonnull(r.p->sessions[0].src); /* the refusals came mid-flow */
    /* ... and the events kept flowing to the end. */
    ck_assert(th_run_until(&r.loop, settled, &r, 1000000));
    ck_assert_ptr_eq(r.p->sinks[0].drv, a);
    /* While stopping, a reload is refused. */
    ef_pipeline_stop(r.p);
    ck_assert_int_eq(reload(&r, load("spool = disk", body)), EF_EAGAIN);
    ck_assert(logged("reload.ini: refused: etwfwd is stopping"));
    stop_and_free(&r);
    count_file("a", &ev, &st);
    ck_assert_uint_eq(ev, want);
    count_file("b", &ev, &st);
    ck_assert_uint_eq(ev, want);
}
END_TEST

/* --- a live [service] change and a changed session -------------------------------------- */

START_TEST(service_key_and_session_restart)
{
    struct run r;
    char body[4096];
    uint64_t n1 = trace_lines(small_trace), n3 = trace_lines(tl_trace), ev, st;

    snprintf(body, sizeof(body), "[session:s1]\nkind = file\npath = %s\n\n%s", small_trace,
             two_sinks);
    start(&r, load("spool = memory", body));
    ck_assert(th_run_until(&r.loop, settled, &r, 1000000));
    /* s1 now replays another trace: it restarts, in its own slot, and replays that one. */
    snprintf(body, sizeof(body), "[session:s1]\nkind = file\npath = %s\n\n%s", tl_trace, two_sinks);
    ck_assert_int_eq(reload(&r, load("spool = memory\nhealth_max_age = 10s", body)), 0);
    ck_assert(logged("[service] health_max_age changed: applied"));
    ck_assert(logged("session s1 restarted: path changed"));
    ck_assert_uint_eq(r.p->cfg->service.health_max_age_ms, 10000);
    ck_assert(th_run_until(&r.loop, settled, &r, 1000000));
    ck_assert_uint_eq(r.p->n_sessions, 1);
    ck_assert_uint_eq(r.p->sessions[0].last.pushed, n3);
    stop_and_free(&r);
    count_file("a", &ev, &st);
    ck_assert_uint_eq(ev, n1 + n3);
}
END_TEST

TCase *ef_runner_reload_case(void);
TCase *ef_runner_reload_case(void)
{
    TCase *tc = tcase_create("reload");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, unchanged_file_restarts_nothing);
    tcase_add_test(tc, changed_sink_restarts_alone_and_loses_nothing);
    tcase_add_test(tc, stop_while_sink_restarts);
    tcase_add_test(tc, session_added_and_removed);
    tcase_add_test(tc, refused_reload_keeps_running);
    tcase_add_test(tc, service_key_and_session_restart);
    return tc;
}

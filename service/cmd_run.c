/*
 * cmd_run.c - `etwfwd run -c FILE [--follow]`: runs the configured pipeline
 * in the console until SIGINT/SIGTERM (CTRL_C/CTRL_BREAK on Windows, which
 * libuv delivers as SIGINT/SIGBREAK), then drains within shutdown_timeout
 * and exits 0. When every session is kind = file it also ends by itself
 * once the files are replayed and every sink has acknowledged everything,
 * unless --follow is given. `etwfwd replay FILE.etl -c FILE` comes here
 * too (ef_run_config) with the trace in place of the configured sessions.
 *
 * The log goes to stderr and to a file rotated at 10 MiB (5 kept):
 * log_file when set, else state_dir/logs/etwfwd.log.
 *
 * A run holds state_dir's lock (runner/statelock.h) from before its log
 * opens until it ends, so a second instance on the same state_dir is
 * refused (exit 1, naming the holder's pid) before it touches anything.
 */
#include "cli.h"
#include "run.h"

#include "config/config.h"
#include "pipeline/fsutil.h"
#include "runner/logfile.h"
#include "runner/pipeline.h"
#include "runner/statelock.h"
#include "util/attr.h"
#include "util/error.h"
#include "util/log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#define LOG_MAX_SIZE (10u * 1024 * 1024)
#define LOG_KEEP     5

struct ef_run {
    const struct ef_run_args *a;
    struct ef_pipeline *p;
    uv_signal_t sig[3];
    unsigned n_sig;
    int signals;
    /*
     * Requests from other threads: flags under lock, then a wake-up of the
     * loop. closed is set once the async handle is gone, so a late request
     * (the SCM asking again while we exit) is dropped, not a use after free.
     */
    uv_async_t wake;
    uv_mutex_t lock;
    int want_stop, want_reload, closed;
    int stopping;
    int spool_memory; /* the running configuration's spool = memory */
    /* a->on_tick's timer (every stats_interval) and the state_dir it reports. */
    uv_timer_t tick;
    int tick_on;
    char *state_dir; /* a copy: a reload may free the configuration it came from */
    /*
     * Every configuration a reload applied: the pipeline keeps pointing into
     * each (running sources and drivers keep theirs), so all are freed only
     * after ef_pipeline_free. A refused one is freed at once.
     */
    struct ef_config **reloaded;
    size_t n_reloaded;
    /* state_dir's lock (runner/statelock.h), held from before the log opens until the end. */
    struct ef_statelock *state_lock;
};

static void begin_stop(struct ef_run *r)
{
    if (r->stopping++)
        return;
    if (r->a->on_stopping)
        r->a->on_stopping(r->a->ud);
    if (r->p)
        ef_pipeline_stop(r->p);
}

/*
 * Re-reads the configuration file and applies it (ef_pipeline_reload says
 * what changes live and what is refused). An invalid file is refused with
 * each of its errors logged (FILE:LINE: ...), and the running
 * configuration stays. Loop thread.
 */
static void do_reload(struct ef_run *r)
{
    struct ef_config_errors errs = {0};
    struct ef_config *cfg = NULL, **grown;
    size_t i;
    int rc;

    if (r->stopping || !r->p) {
        ef_log_warn("reload", "%s: refused: etwfwd is stopping", r->a->conf);
        return;
    }
    ef_log_info("reload", "reading %s", r->a->conf);
    rc = ef_config_load_file(r->a->conf, &cfg, &errs);
    if (rc < 0) {
        for (i = 0; i < errs.n; i++)
            ef_log_error("reload", "%s", errs.msgs[i]);
        ef_log_error("reload", "%s: refused (%s), the running configuration stays", r->a->conf,
                     errs.n ? "invalid" : ef_strerror(rc));
        ef_config_errors_free(&errs);
        return;
    }
    grown = realloc(r->reloaded, (r->n_reloaded + 1) * sizeof(*grown));
    if (!grown) {
        ef_log_error("reload", "%s: refused: out of memory", r->a->conf);
        ef_config_free(cfg);
        return;
    }
    r->reloaded = grown;
    if (ef_pipeline_reload(r->p, cfg) < 0) {
        /* Refused (logged): nothing points into cfg. */
        ef_config_free(cfg);
        return;
    }
    r->reloaded[r->n_reloaded++] = cfg;
}

/*
 * Takes state_dir's lock (runner/statelock.h) before anything else touches
 * the folder: the log file, the spool, checkpoints. Another instance
 * holding it refuses this one (EF_EAGAIN), whatever the spool mode. A
 * folder that cannot hold the lock is fatal with spool = disk (the spool
 * could not be opened there either); with spool = memory, which keeps
 * nothing there but dead letters, it is a warning and the run goes on
 * unlocked (`etwfwd reload` will not find it). Calling thread.
 */
static int take_lock(struct ef_run *r, const struct ef_config *cfg)
{
    const char *sd = cfg->service.state_dir && *cfg->service.state_dir
                         ? cfg->service.state_dir
                         : ef_pipeline_default_state_dir();
    long holder = 0;
    int rc;

    rc = ef_statelock_take(sd, &r->state_lock, &holder);
    if (rc == EF_EAGAIN) {
        if (holder)
            ef_log_error("run",
                         "state_dir %s is in use by etwfwd pid %ld: stop it first, or "
                         "give this configuration another state_dir",
                         sd, holder);
        else
            ef_log_error("run",
                         "state_dir %s is in use by another etwfwd (starting now): stop "
                         "it first, or give this configuration another state_dir",
                         sd);
        return rc;
    }
    if (rc < 0 && cfg->service.spool == EF_SPOOL_MEMORY) {
        ef_log_warn("run",
                    "state_dir %s: %s: running without its lock (spool = memory); "
                    "`etwfwd reload` will not find this process",
                    sd, ef_strerror(rc));
        return 0;
    }
    if (rc < 0)
        ef_log_error("run", "state_dir %s: cannot take its lock %s: %s", sd, EF_STATELOCK_FILE,
                     ef_strerror(rc));
    return rc;
}

/*
 * A second Ctrl-C or SIGTERM: the drain ends now (ef_pipeline_stop_now).
 * What the sinks did not acknowledge stays in a disk spool for the next
 * start; a memory spool loses it, and the message says which. Loop thread.
 */
static void stop_now(struct ef_run *r)
{
    uint64_t held = 0;

    begin_stop(r);
    if (!r->p)
        return;
    ef_pipeline_stop_now(r->p, &held);
    if (r->spool_memory)
        ef_log_warn("run",
                    "second signal: stopping now; %llu undelivered events are lost "
                    "(spool = memory)",
                    (unsigned long long)held);
    else
        ef_log_warn("run",
                    "second signal: stopping now; %llu events stay in the spool for the "
                    "next start",
                    (unsigned long long)held);
}

static void on_signal(uv_signal_t *h, int signum)
{
    struct ef_run *r = h->data;

#ifdef SIGHUP
    if (signum == SIGHUP) {
        do_reload(r);
        return;
    }
#endif
    if (r->signals++ == 0) {
        ef_log_info("run", "signal %d: stopping (a second signal stops at once)", signum);
        begin_stop(r);
    } else if (r->signals == 2) {
        stop_now(r);
    }
}

static void on_wake(uv_async_t *h)
{
    struct ef_run *r = h->data;
    int stop, reload;

    uv_mutex_lock(&r->lock);
    stop = r->want_stop;
    reload = r->want_reload;
    r->want_reload = 0;
    uv_mutex_unlock(&r->lock);
    if (reload && !r->stopping)
        do_reload(r);
    if (stop)
        begin_stop(r);
}

static void request(struct ef_run *r, int *flag)
{
    uv_mutex_lock(&r->lock);
    *flag = 1;
    if (!r->closed)
        uv_async_send(&r->wake);
    uv_mutex_unlock(&r->lock);
}

void ef_run_stop(struct ef_run *r)
{
    request(r, &r->want_stop);
}

void ef_run_reload(struct ef_run *r)
{
    request(r, &r->want_reload);
}

/*
 * Reports the sinks' acknowledged events, summed (the numbers the summary
 * and /metrics show), to a->on_tick. Loop thread.
 */
static void report_tick(struct ef_run *r, int final)
{
    struct ef_run_tick t;

    memset(&t, 0, sizeof(t));
    if (r->p)
        t.events_forwarded = ef_pipeline_acked_total(r->p);
    t.state_dir = r->state_dir;
    t.final = final;
    r->a->on_tick(r->a->ud, &t);
}

static void on_tick_timer(uv_timer_t *h)
{
    report_tick(h->data, 0);
}

static void start_ticks(struct ef_run *r, uv_loop_t *loop, const struct ef_config *cfg)
{
    uint64_t every = cfg->service.stats_interval_ms ? cfg->service.stats_interval_ms : 60000;

    r->state_dir =
        strdup(cfg->service.state_dir && *cfg->service.state_dir ? cfg->service.state_dir
                                                                 : ef_pipeline_default_state_dir());
    if (!r->state_dir) {
        ef_log_warn("run", "out of memory: no status ticks");
        return;
    }
    uv_timer_init(loop, &r->tick);
    r->tick.data = r;
    uv_timer_start(&r->tick, on_tick_timer, every, every);
    /* Not a reason to keep the loop alive: the pipeline's own handles are. */
    uv_unref((uv_handle_t *)&r->tick);
    r->tick_on = 1;
    report_tick(r, 0);
}

static void on_stopped(void *ud)
{
    struct ef_run *r = ud;
    unsigned i;

    if (r->tick_on) {
        r->tick_on = 0;
        report_tick(r, 1);
        uv_close((uv_handle_t *)&r->tick, NULL);
    }
    if (!r->stopping++ && r->a->on_stopping)
        r->a->on_stopping(r->a->ud);
    for (i = 0; i < r->n_sig; i++)
        uv_close((uv_handle_t *)&r->sig[i], NULL);
    uv_mutex_lock(&r->lock);
    r->closed = 1;
    uv_mutex_unlock(&r->lock);
    uv_close((uv_handle_t *)&r->wake, NULL);
}

static void open_log(const struct ef_config *cfg)
{
    const char *sd = cfg->service.state_dir && *cfg->service.state_dir
                         ? cfg->service.state_dir
                         : ef_pipeline_default_state_dir();
    char path[4200], dir[4096];
    int rc;

    if (cfg->service.log_file && *cfg->service.log_file) {
        snprintf(path, sizeof(path), "%s", cfg->service.log_file);
    } else {
        snprintf(dir, sizeof(dir), "%s/logs", sd);
        if (cfg->service.spool == EF_SPOOL_MEMORY || ef_fs_mkdir_p(dir) < 0)
            return;
        snprintf(path, sizeof(path), "%s/etwfwd.log", dir);
    }
    rc = ef_logfile_open(path, LOG_MAX_SIZE, LOG_KEEP);
    if (rc < 0)
        ef_log_warn("run", "log file %s: %s (logging to stderr only)", path, ef_strerror(rc));
}

static void config_error(const struct ef_run_args *a, const char *msg)
{
    if (a->on_config_error)
        a->on_config_error(a->ud, msg);
    else
        fprintf(stderr, "%s\n", msg);
}

static void watch_signals(struct ef_run *r, uv_loop_t *loop)
{
    static const int signums[] = {SIGINT, SIGTERM,
#ifdef SIGBREAK
                                  SIGBREAK
#else
                                  SIGHUP
#endif
    };
    unsigned i;

    for (i = 0; i < EF_ARRAY_LEN(signums); i++) {
        uv_signal_init(loop, &r->sig[i]);
        r->sig[i].data = r;
        if (uv_signal_start(&r->sig[i], on_signal, signums[i]) != 0)
            ef_log_debug("run", "signal %d cannot be watched", signums[i]);
        uv_unref((uv_handle_t *)&r->sig[i]);
        r->n_sig++;
    }
}

int ef_run(const struct ef_run_args *a)
{
    struct ef_pipeline_options po;
    struct ef_config_errors errs = {0};
    struct ef_config *cfg = NULL;
    struct ef_run r;
    uv_loop_t loop;
    unsigned i;
    int rc, lock_rc, exit_code = EF_EXIT_FAILURE;

    memset(&r, 0, sizeof(r));
    r.a = a;
    rc = ef_config_load_file(a->conf, &cfg, &errs);
    if (rc < 0) {
        char msg[4300];

        for (i = 0; i < errs.n; i++)
            config_error(a, errs.msgs[i]);
        if (!errs.n) {
            snprintf(msg, sizeof(msg), "etwfwd: %s: %s", a->conf, ef_strerror(rc));
            config_error(a, msg);
        }
        ef_config_errors_free(&errs);
        return EF_EXIT_USAGE;
    }
    ef_log_set_level((enum ef_log_level)cfg->service.log_level);
    /* spool cannot change by reload (pipeline_reload.c refuses it). */
    r.spool_memory = cfg->service.spool == EF_SPOOL_MEMORY;
    /* The log file is state_dir's too: a refused instance must not write or rotate it. */
    lock_rc = take_lock(&r, cfg);
    if (lock_rc == 0)
        open_log(cfg);
    if (uv_loop_init(&loop) != 0) {
        ef_log_error("run", "cannot create the event loop");
        goto out_cfg;
    }
    if (uv_mutex_init(&r.lock) != 0) {
        ef_log_error("run", "cannot create a lock");
        goto out_loop;
    }
    uv_async_init(&loop, &r.wake, on_wake);
    r.wake.data = &r;
    uv_unref((uv_handle_t *)&r.wake);
    if (a->console_signals)
        watch_signals(&r, &loop);
    memset(&po, 0, sizeof(po));
    po.cfg = cfg;
    po.follow = a->follow;
    po.replay_file = a->replay_file;
    po.replay_manifests = a->manifests;
    po.n_replay_manifests = a->n_manifests;
    po.replay_mofs = a->mofs;
    po.n_replay_mofs = a->n_mofs;
    po.on_stopped = on_stopped;
    po.ud = &r;
    po.on_notice = a->on_notice;
    po.notice_ud = a->notice_ud;
    /* Refused by the lock: nothing starts, and the exit is EF_EXIT_FAILURE. */
    rc = lock_rc < 0 ? lock_rc : ef_pipeline_start(&loop, &po, &r.p);
    if (rc == 0)
        ef_log_info("run", "running %s", a->replay_file ? a->replay_file : a->conf);
    if (rc == 0 && a->on_tick)
        start_ticks(&r, &loop, cfg);
    if (a->on_started)
        a->on_started(a->ud, &r, rc);
    if (!r.p) {
        /* Nothing started: no on_stopped will come to close our handles. */
        on_stopped(&r);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    if (r.p) {
        ef_pipeline_print_summary(r.p, stderr);
        exit_code = rc == EF_ECONFIG                    ? EF_EXIT_USAGE
                    : rc < 0 || ef_pipeline_failed(r.p) ? EF_EXIT_FAILURE
                                                        : EF_EXIT_OK;
        ef_pipeline_free(r.p);
    } else if (rc == EF_ECONFIG) {
        exit_code = EF_EXIT_USAGE;
    }
    uv_mutex_destroy(&r.lock);
out_loop:
    if (uv_loop_close(&loop) != 0)
        ef_log_debug("run", "handles left open at exit");
    ef_log_info("run", "stopped");
out_cfg:
    ef_statelock_release(r.state_lock);
    /* The pipeline is freed: nothing points into a reloaded configuration any more. */
    for (i = 0; i < r.n_reloaded; i++)
        ef_config_free(r.reloaded[i]);
    free(r.reloaded);
    free(r.state_dir);
    ef_logfile_close();
    ef_config_free(cfg);
    return exit_code;
}

int ef_run_config(const char *conf, int follow, const char *replay_file,
                  const char *const *manifests, size_t n_manifests, const char *const *mofs,
                  size_t n_mofs)
{
    struct ef_run_args a;

    memset(&a, 0, sizeof(a));
    a.conf = conf;
    a.follow = follow;
    a.replay_file = replay_file;
    a.manifests = manifests;
    a.n_manifests = n_manifests;
    a.mofs = mofs;
    a.n_mofs = n_mofs;
    a.console_signals = 1;
    return ef_run(&a);
}

enum { RUN_CONF, RUN_FOLLOW };

static const struct ef_opt run_opts[] = {
    {"-c", "--config", "FILE", "a configuration file", EF_OPT_REQUIRED,
     "Reads the configuration from FILE (required)."},
    {"--follow", NULL, NULL, NULL, 0,
     "Keeps running once file sessions are replayed, until stopped."},
};

const struct ef_cmd_spec ef_spec_run = {
    "run",
    "",
    0,
    0,
    NULL,
    "Runs the configured pipeline until stopped (Ctrl-C, SIGTERM); file sessions without\n"
    "--follow stop once every event is replayed and delivered.",
    run_opts,
    EF_ARRAY_LEN(run_opts),
    0};

int ef_cmd_run(int argc, char **argv)
{
    struct ef_args a;
    int rc = ef_args_parse(&ef_spec_run, argc, argv, &a);

    if (rc < 0)
        rc = ef_run_config(a.value[RUN_CONF], a.count[RUN_FOLLOW] > 0, NULL, NULL, 0, NULL, 0);
    ef_args_free(&a);
    return rc;
}

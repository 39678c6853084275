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
 */
#include "cli.h"

#include "config/config.h"
#include "pipeline/fsutil.h"
#include "runner/logfile.h"
#include "runner/pipeline.h"
#include "util/error.h"
#include "util/log.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define LOG_MAX_SIZE (10u * 1024 * 1024)
#define LOG_KEEP     5

struct run {
    struct ef_pipeline *p;
    uv_signal_t sig[3];
    unsigned n_sig;
    int signals;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: etwfwd run -c FILE [--follow]\n");
}

static void on_signal(uv_signal_t *h, int signum)
{
    struct run *r = h->data;

    if (r->signals++ == 0) {
        ef_log_info("run", "signal %d: stopping", signum);
        if (r->p)
            ef_pipeline_stop(r->p);
    } else {
        ef_log_warn("run", "signal %d: already stopping (within shutdown_timeout)", signum);
    }
}

static void on_stopped(void *ud)
{
    struct run *r = ud;
    unsigned i;

    for (i = 0; i < r->n_sig; i++)
        uv_close((uv_handle_t *)&r->sig[i], NULL);
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

int ef_run_config(const char *conf, int follow, const char *replay_file,
                  const char *const *manifests, size_t n_manifests, const char *const *mofs,
                  size_t n_mofs)
{
    static const int signums[] = {SIGINT, SIGTERM,
#ifdef SIGBREAK
                                  SIGBREAK
#else
                                  SIGHUP
#endif
    };
    struct ef_pipeline_options po;
    struct ef_config_errors errs = {0};
    struct ef_config *cfg = NULL;
    struct run r;
    uv_loop_t loop;
    unsigned i;
    int rc, exit_code = EF_EXIT_FAILURE;

    memset(&r, 0, sizeof(r));
    rc = ef_config_load_file(conf, &cfg, &errs);
    if (rc < 0) {
        for (i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.msgs[i]);
        if (!errs.n)
            fprintf(stderr, "etwfwd: %s: %s\n", conf, ef_strerror(rc));
        ef_config_errors_free(&errs);
        return EF_EXIT_USAGE;
    }
    ef_log_set_level((enum ef_log_level)cfg->service.log_level);
    open_log(cfg);
    if (uv_loop_init(&loop) != 0) {
        fprintf(stderr, "etwfwd: cannot create the event loop\n");
        goto out_cfg;
    }
    for (i = 0; i < 3; i++) {
        uv_signal_init(&loop, &r.sig[i]);
        r.sig[i].data = &r;
        if (uv_signal_start(&r.sig[i], on_signal, signums[i]) != 0)
            ef_log_debug("run", "signal %d cannot be watched", signums[i]);
        uv_unref((uv_handle_t *)&r.sig[i]);
        r.n_sig++;
    }
    memset(&po, 0, sizeof(po));
    po.cfg = cfg;
    po.follow = follow;
    po.replay_file = replay_file;
    po.replay_manifests = manifests;
    po.n_replay_manifests = n_manifests;
    po.replay_mofs = mofs;
    po.n_replay_mofs = n_mofs;
    po.on_stopped = on_stopped;
    po.ud = &r;
    rc = ef_pipeline_start(&loop, &po, &r.p);
    if (rc == 0)
        ef_log_info("run", "running %s", replay_file ? replay_file : conf);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (r.p) {
        ef_pipeline_print_summary(r.p, stderr);
        exit_code = rc == EF_ECONFIG                    ? EF_EXIT_USAGE
                    : rc < 0 || ef_pipeline_failed(r.p) ? EF_EXIT_FAILURE
                                                        : EF_EXIT_OK;
        ef_pipeline_free(r.p);
    }
    if (uv_loop_close(&loop) != 0)
        ef_log_debug("run", "handles left open at exit");
    ef_log_info("run", "stopped");
out_cfg:
    ef_logfile_close();
    ef_config_free(cfg);
    return exit_code;
}

int ef_cmd_run(int argc, char **argv)
{
    const char *conf = NULL;
    int i, follow = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            conf = argv[++i];
        } else if (strcmp(argv[i], "--follow") == 0) {
            follow = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return EF_EXIT_OK;
        } else {
            fprintf(stderr, "etwfwd run: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return EF_EXIT_USAGE;
        }
    }
    if (!conf) {
        usage(stderr);
        return EF_EXIT_USAGE;
    }
    return ef_run_config(conf, follow, NULL, NULL, 0, NULL, 0);
}

/*
 * run.h - one running configuration: loads the file, builds the pipeline on
 * a libuv loop in the calling thread, and runs it until it stops. Stop and
 * reload requests may come from any thread (a console signal, the SCM's
 * control handler). `run` (console), `replay FILE -c CONF` and the Windows
 * service all run through ef_run.
 */
#ifndef EF_SERVICE_RUN_H
#define EF_SERVICE_RUN_H

#include <stddef.h>

struct ef_run;
struct ef_notice;

/* What on_tick reports. */
struct ef_run_tick {
    unsigned long long events_forwarded; /* every sink's acknowledged events, summed */
    const char *state_dir;               /* the running configuration's state_dir */
    int final;                           /* 1: the pipeline has stopped */
};

struct ef_run_args {
    const char *conf; /* configuration file */
    int follow;       /* see ef_pipeline_options.follow */
    /* `replay FILE -c CONF`: this trace instead of the configured sessions. */
    const char *replay_file;
    const char *const *manifests;
    size_t n_manifests;
    const char *const *mofs;
    size_t n_mofs;
    /* 1: console signals stop the run (SIGINT, SIGTERM, SIGBREAK) or reload it (SIGHUP). */
    int console_signals;
    /*
     * Each error of a configuration that cannot be loaded, one message per
     * call ("FILE:LINE: what"), before ef_run returns EF_EXIT_USAGE. NULL:
     * they go to stderr. Calling thread.
     */
    void (*on_config_error)(void *ud, const char *msg);
    /*
     * Once the pipeline has started (rc 0) or failed to start (rc < 0, the
     * reason logged); run is valid until ef_run returns. Calling thread,
     * before the loop runs.
     */
    void (*on_started)(void *ud, struct ef_run *run, int rc);
    /* When the pipeline begins to stop (requested or by itself). Calling thread. */
    void (*on_stopping)(void *ud);
    void *ud;
    /*
     * Every [service] stats_interval while the pipeline runs, once at its
     * start and once more when it has stopped (t->final = 1): the counters
     * the service writes to its status file. NULL: none. Calling thread.
     */
    void (*on_tick)(void *ud, const struct ef_run_tick *t);
    /*
     * What an operator should hear about (runner/notice.h): a sink failing
     * and recovering, ETW loss above loss_alert_events, a watchdog restart;
     * e.g. ef_eventlog_notice. NULL: none (they are logged anyway). Calling
     * thread (the loop's).
     */
    void (*on_notice)(void *ud, const struct ef_notice *n);
    void *notice_ud;
};

/*
 * Loads a->conf, runs its pipeline until it stops, prints the summary to
 * stderr and returns an EF_EXIT_* code (cli.h): EF_EXIT_USAGE for a
 * configuration error. Blocks the calling thread.
 */
int ef_run(const struct ef_run_args *a);

/* Asks the run to stop (drain within shutdown_timeout). Any thread. */
void ef_run_stop(struct ef_run *r);

/*
 * Asks the run to re-read its configuration file: unchanged sessions and
 * sinks keep running, changed ones restart; an invalid file is refused with
 * its errors logged and the running configuration stays. Any thread.
 */
void ef_run_reload(struct ef_run *r);

#endif

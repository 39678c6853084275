/*
 * pipeline.h - the whole pipeline built from a configuration: file sources
 * on their threads -> handoff queue -> spool(s) -> sink drivers -> sinks,
 * with stats events, /metrics and /health (docs/pipeline.md, "Runner").
 *
 * Everything but the sources' threads runs on one libuv loop: the caller's.
 */
#ifndef EF_RUNNER_PIPELINE_H
#define EF_RUNNER_PIPELINE_H

#include <stdint.h>
#include <stdio.h>
#include <uv.h>

#include "config/config.h"
#include "runner/notice.h"
#include "util/buf.h"
#include "util/buf.h"

struct ef_pipeline_options {
    const struct ef_config *cfg; /* must outlive the pipeline (and so must reloaded ones) */
    /*
     * 0: when every session is kind = file, stop once they all finished and
     * every sink acknowledged everything. 1: run until ef_pipeline_stop.
     */
    int follow;
    /*
     * `etwfwd replay FILE -c CONF`: the configured sessions are ignored and
     * this one trace is replayed (as a file session named "replay", routed
     * to every sink). NULL otherwise.
     */
    const char *replay_file;
    const char *const *replay_manifests;
    size_t n_replay_manifests;
    const char *const *replay_mofs;
    size_t n_replay_mofs;
    /* Called once the pipeline has stopped and freed its handles (on the loop). */
    void (*on_stopped)(void *ud);
    void *ud;
    /*
     * Optional: what an operator should hear about (runner/notice.h): a
     * sink failing and recovering, ETW loss above loss_alert_events, a
     * live session restarted by its watchdog. Loop thread.
     */
    void (*on_notice)(void *ud, const struct ef_notice *n);
    void *notice_ud;
};

struct ef_pipeline;

/*
 * Builds and starts the pipeline on loop. On failure a clear message was
 * logged and everything built so far is released once the loop has run.
 * Returns 0, EF_ECONFIG (something the file allows but this build cannot
 * do, e.g. a real-time session on Linux), EF_ECONN (metrics address),
 * EF_EIO, EF_ENOMEM. Loop thread.
 */
int ef_pipeline_start(uv_loop_t *loop, const struct ef_pipeline_options *opt,
                      struct ef_pipeline **out);

/*
 * Stops: sources stop, the queue is drained into the spool, the sinks get
 * until shutdown_timeout to deliver what is held, the ledger is written,
 * then on_stopped runs. Calling it again is harmless. Loop thread.
 */
void ef_pipeline_stop(struct ef_pipeline *p);

/*
 * Stops without waiting (a second Ctrl-C): what ef_pipeline_stop does
 * first (sources stop, the queue goes into the spool, committed), then the
 * sinks are stopped at once instead of within shutdown_timeout: no new
 * send starts, batches waiting for a retry are abandoned, a send already
 * under way ends within the sink's own timeout. What was not acknowledged
 * stays in the spool (its ledger is written at close) for the next start;
 * *held says how many events that is (0 when the sinks were already
 * stopping). Loop thread.
 */
void ef_pipeline_stop_now(struct ef_pipeline *p, uint64_t *held);

/*
 * Applies cfg, a newly loaded configuration, to the running pipeline
 * (docs/pipeline.md, "Reload"): sessions and sinks are matched by name;
 * unchanged ones keep running, a changed session or sink restarts with its
 * new settings (a sink on the same spool and cursor), a removed session
 * stops (its queued events still reach the spool), a new one starts. One
 * log line per change. A change that cannot be applied live ([service]
 * keys such as state_dir or metrics_listen, sinks added or removed, routes
 * that change which sessions feed which spool) refuses the whole reload
 * with a log line naming it, and nothing changes.
 *
 * On 0 the pipeline points into cfg, and still into every configuration
 * it ran with before (running sources and drivers keep theirs): the caller
 * keeps every configuration it gave until ef_pipeline_free. On a refusal
 * nothing points into cfg. Returns 0, EF_EAGAIN (stopping, or the previous
 * reload's restarts are not finished), EF_ENOTSUP (a change that needs a
 * restart; `replay`), EF_ECONFIG (a session or sink type this build cannot
 * run). Loop thread.
 */
int ef_pipeline_reload(struct ef_pipeline *p, const struct ef_config *cfg);

/* The statistics in Prometheus text (what /metrics serves). Loop thread. */
void ef_pipeline_metrics(struct ef_pipeline *p, struct ef_buf *out);

/* Writes a human summary of every counter to f (the end of `run`). Loop thread. */
void ef_pipeline_print_summary(struct ef_pipeline *p, FILE *f);

/* Events (stats events included) the sinks acknowledged, summed over the sinks. Loop thread. */
uint64_t ef_pipeline_acked_total(struct ef_pipeline *p);

/* 1 when the pipeline failed in a way the exit code should show. Loop thread. */
int ef_pipeline_failed(const struct ef_pipeline *p);

/* Frees the pipeline after on_stopped ran. Loop thread. */
void ef_pipeline_free(struct ef_pipeline *p);

/* The default state_dir of this platform. Any thread. */
const char *ef_pipeline_default_state_dir(void);

#endif

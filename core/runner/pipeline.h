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
#include "util/buf.h"
#include "util/buf.h"

struct ef_pipeline_options {
    const struct ef_config *cfg; /* must outlive the pipeline */
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

/* The statistics in Prometheus text (what /metrics serves). Loop thread. */
void ef_pipeline_metrics(struct ef_pipeline *p, struct ef_buf *out);

/* Writes a human summary of every counter to f (the end of `run`). Loop thread. */
void ef_pipeline_print_summary(struct ef_pipeline *p, FILE *f);

/* 1 when the pipeline failed in a way the exit code should show. Loop thread. */
int ef_pipeline_failed(const struct ef_pipeline *p);

/* Frees the pipeline after on_stopped ran. Loop thread. */
void ef_pipeline_free(struct ef_pipeline *p);

/* The default state_dir of this platform. Any thread. */
const char *ef_pipeline_default_state_dir(void);

#endif

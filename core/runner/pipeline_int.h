/*
 * pipeline_int.h - the pipeline's internals, shared by pipeline.c (building,
 * running, stopping) and pipeline_stats.c (stats events, /metrics, /health).
 */
#ifndef EF_RUNNER_PIPELINE_INT_H
#define EF_RUNNER_PIPELINE_INT_H

#include "pipeline/clock.h"
#include "pipeline/queue.h"
#include "pipeline/sinkdrv.h"
#include "pipeline/spool.h"
#include "runner/metrics_http.h"
#include "runner/pipeline.h"
#include "source/source.h"

#define MAX_SESSIONS 64

/* Sinks fed by the same set of sessions share one spool. */
struct pgroup {
    char *dir;
    struct ef_spool *spool;
    struct ef_spool_stats final_stats;  /* kept when the spool closes, for the summary */
    unsigned sinks[EF_SPOOL_MAX_SINKS]; /* indexes into p->sinks */
    unsigned n_sinks;
    uint64_t sessions;      /* mask of the sessions routed here */
    uint64_t stats_dropped; /* stats events the spool refused */
};

struct psink {
    const struct ef_sink_cfg *cfg;
    const struct ef_sink_ops *ops;
    struct ef_sink *drv;
    unsigned group, spool_index;
    struct ef_sink_stats last; /* the counters when the driver stopped */
    uint64_t health_backlog;   /* backlog at the previous health check */
    uint64_t health_ms;        /* when /health last saw it shrink or deliver */
    int restarting;            /* reload: the old driver is stopping, the new one opens after */
    struct ef_pipeline *owner; /* set by a reload: its driver's stop callback gets the sink */
};

struct psession {
    const struct ef_session_cfg *cfg;
    const char *name;
    const struct ef_source_ops *ops; /* ef_source_ops_for(cfg->kind) */
    void *src;                       /* the running source's ctx, NULL when not running */
    struct ef_source_options so;     /* what it was started with (it keeps pointers into it) */
    struct ef_source_stats last;     /* the counters when the source was freed */
    uint64_t groups;                 /* mask of the groups its events go to */
    uint64_t spool_refused;          /* events the spool refused (drop_newest, too large) */
    struct ef_ckpt *ckpt;            /* file sessions' checkpoints (NULL: stateless) */
    char dataset[80];                /* ECS event.dataset: "etw." and the name, lower case */
    uint64_t accepted_pos;           /* ef_queue_position of its last event the spool took */
    uint64_t notice_lost;            /* etw_events_lost when loss was last checked */
    uint64_t notice_ms;              /* clock time of that check (0: the start) */
    /* Reload (pipeline_reload.c): what to do once the running source was reaped. */
    int reload_action;                       /* enum reload_action there; 0: nothing */
    const struct ef_session_cfg *reload_cfg; /* the settings it restarts with */
    int removed;                             /* no longer configured; counters kept */
};

enum pstate { P_RUNNING, P_DRAINING, P_STOPPING_SINKS, P_CLOSING, P_STOPPED };

struct ef_pipeline {
    uv_loop_t *loop;
    struct ef_pipeline_options o;
    const struct ef_config *cfg;
    struct ef_session_cfg replay_session;
    struct ef_clock clock;
    struct ef_queue *queue;
    struct ef_queue_stats queue_final; /* kept when the queue closes */
    uv_check_t check;
    uv_async_t source_done;
    struct ef_timer tick, stats_timer, shutdown_timer;
    struct ef_http_server *http;
    int http_port;

    struct pgroup groups[EF_SPOOL_MAX_SINKS];
    unsigned n_groups;
    struct psink *sinks;
    unsigned n_sinks;
    struct psession *sessions;
    unsigned n_sessions;

    char *state_dir;
    char *dead_letter_dir;
    char hostname[256];
    int state;
    int dirty;             /* events appended since the last commit */
    int paused;            /* the queue waits for the spool (spool_full = block) */
    uint64_t pause_acks;   /* sum of cursors when it paused */
    uint64_t pending_done; /* groups the head event already went to */
    int sources_left;
    int all_file;
    int tail_guard;      /* all sessions wait when the queue is full: back pressure is safe */
    int tail_paused;     /* the queue waits for the sinks to read the tail cache */
    unsigned tail_group; /* ... of this group */
    uint32_t tail_len;   /* ... before an event of this size is appended */
    int failed;
    int handles_inited;
    int handles_open;
    int sinks_open;
    uint64_t started_ms;
    uint64_t stats_events;
    uint64_t shutdown_lost; /* events still queued when the spool refused them at stop */
    uint64_t spool_errors;
    uint64_t spool_error_log;
};

/* Appends a stats event to every spool. Loop thread. */
void ef_pipeline_emit_stats(struct ef_pipeline *p);
/* /metrics and /health. Loop thread. */
int ef_pipeline_http_handler(void *ud, const char *path, struct ef_buf *body,
                             const char **content_type);
/* A session's counters, live or final. Loop thread. */
void ef_pipeline_session_stats(struct ef_pipeline *p, unsigned i, struct ef_source_stats *st);
/* A sink's counters, live or final. Loop thread. */
void ef_pipeline_sink_stats(struct ef_pipeline *p, unsigned i, struct ef_sink_stats *st);
/*
 * The sink drivers' on_health (ud: the pipeline): turns a sink failing or
 * recovering into a notice. Every ef_sinkdrv_open sets it. Loop thread.
 */
void ef_pipeline_sink_health(void *ud, const char *sink, int failing, uint64_t attempts,
                             const char *reason);
/* Passes on the notices the sources raised on their threads (every tick, ~1 s). Loop thread. */
void ef_pipeline_poll_notices(struct ef_pipeline *p);
/* Hands a notice to opt.on_notice, if any. Loop thread. */
void ef_pipeline_notice(struct ef_pipeline *p, enum ef_notice_kind kind, const char *subject,
                        const char *detail, uint64_t count);

/* For the reload (pipeline_reload.c), from pipeline.c. Loop thread. */
const struct ef_sink_ops *ef_pipeline_sink_ops(int type);
/* Opens sink i's driver on its group's spool (its cursor). 0 or EF_E* (logged). */
int ef_pipeline_open_sink(struct ef_pipeline *p, unsigned i);
/* Starts session i's source unless no sink takes its events. 0 or EF_E* (logged). */
int ef_pipeline_start_source(struct ef_pipeline *p, unsigned i);
/* A sink driver counted by the stop has stopped. */
void ef_pipeline_sink_stopped(void *p);
/* In pipeline_reload.c: after finished sources were reaped, start those a reload restarts. */
void ef_pipeline_reload_reaped(struct ef_pipeline *p);

/* pipeline_build.c: sessions, sinks and spool groups from the configuration. Loop thread. */
int ef_pipeline_configure(struct ef_pipeline *p);
/* pipeline_build.c: opens the spools and the sink drivers. Loop thread. */
int ef_pipeline_open_outputs(struct ef_pipeline *p);
/* pipeline_build.c: starts every session's source. Loop thread. */
int ef_pipeline_start_sources(struct ef_pipeline *p);
/* pipeline.c: "a/b", malloc'd (NULL: out of memory). Any thread. */
char *ef_pipeline_join(const char *a, const char *b);
/* pipeline.c: how long stopping may take (shutdown_timeout, 30 s by default). Any thread. */
uint64_t ef_pipeline_shutdown_timeout(const struct ef_pipeline *p);
/* pipeline.c: a source's on_done: wakes the loop to reap it. Source threads. */
void ef_pipeline_source_finished(void *ud);

#endif

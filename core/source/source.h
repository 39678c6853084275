/*
 * source.h - where events come from, behind one table of operations.
 *
 * Like the sinks (struct ef_sink_ops), every session kind is a struct
 * ef_source_ops: `file` replays .etl files on a thread (source_file.c);
 * `realtime`, `kernel` and `existing` read a live ETW session on Windows
 * (source_live_win.c). The pipeline builds, starts, stops, counts and
 * shows every session the same way through this table, so stats events,
 * /metrics and the summary at stop have one set of names for all of them.
 *
 * A source runs threads of its own and pushes rendered events into the
 * handoff queue through its own producer. The pipeline calls the ops on
 * the loop thread, except stop, which any thread may call.
 */
#ifndef EF_RUNNER_SOURCE_H
#define EF_RUNNER_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "pipeline/queue.h"
#include "render/render.h"
#include "source/checkpoint.h"
#include "runner/notice.h"

/* Every counter a source keeps; those a kind does not have stay 0. */
struct ef_source_stats {
    uint64_t events_in;        /* records read from the traces or delivered by ETW */
    uint64_t decoded;          /* decoded with a schema */
    uint64_t no_schema;        /* forwarded with the payload as hex */
    uint64_t decode_errors;    /* forwarded, decoded up to a field that did not fit */
    uint64_t render_errors;    /* too large to render: not forwarded */
    uint64_t read_errors;      /* damage the .etl reader skipped */
    uint64_t pushed;           /* lines handed to the queue */
    uint64_t queue_dropped;    /* of which dropped because the queue was full */
    uint64_t queue_blocked;    /* times the source waited for room */
    uint64_t etw_events_lost;  /* file: EventsLost of the traces' headers; live: EventsLost */
    uint64_t etw_buffers_lost; /* file: BuffersLost of the headers; live: RealTimeBuffersLost */
    uint64_t files;            /* traces replayed to their end */
    uint64_t files_failed;     /* traces that could not be opened or read */
    /* Live sessions only (docs/etw.md, "Loss"). */
    uint64_t etw_log_buffers_lost;   /* LogBuffersLost: buffers not written to a log file */
    uint64_t etw_buffers_written;    /* BuffersWritten */
    uint64_t etw_free_buffers;       /* FreeBuffers at the last query (a level, not a sum) */
    uint64_t rt_lost_event_records;  /* RT_LostEvent records, opcode 32 (events lost) */
    uint64_t rt_lost_buffer_records; /* opcode 33 (buffers lost) */
    uint64_t rt_lost_file_records;   /* opcode 34 (the AutoLogger's backing file lost) */
    uint64_t etw_buffers_read;       /* buffers the consumer was given (BufferCallback) */
    uint64_t reconnects;             /* the session restarted or re-attached by the watchdog */
    uint64_t gap_ms;                 /* total time without a consumer between reconnects */
    uint64_t queries_failed;         /* ControlTrace QUERY calls that failed */
    uint64_t ext_items_dropped;      /* extended data items past the 32 an event keeps */
    int live;                        /* 1: a live ETW session (the etw_* are deltas of QUERY) */
    int done;                        /* the source finished (file) or ended for good (live) */
};

/* What the pipeline gives every source it starts. */
struct ef_source_options {
    const struct ef_session_cfg *cfg; /* the session; must outlive the source */
    const char *name;                 /* the session's name, for logs */
    uint32_t index;                   /* the session's index: the queue's session number */
    /* The schema files to decode with (from the session, or `replay`'s flags). */
    const char *const *manifests;
    size_t n_manifests;
    const char *const *mofs;
    size_t n_mofs;
    struct ef_render_opts render;
    int policy; /* enum ef_queue_policy */
    struct ef_queue *queue;
    uint64_t stop_timeout_ms; /* live: the bound on stopping (shutdown_timeout); 0 = 10 s */
    /* file: where the session's traces stand across restarts (checkpoint.h); NULL: stateless. */
    struct ef_ckpt *ckpt;
    /* Called on the source's thread when it finished for good (may be NULL). */
    void (*on_done)(void *ud);
    void *ud;
};

struct ef_source_ops {
    const char *kind; /* "file", "live" */
    /* Starts the source's threads. Returns 0 or EF_E* (logged). Loop thread. */
    int (*start)(const struct ef_source_options *opt, void **out);
    /* Asks the source to stop soon; returns at once. Any thread. */
    void (*stop)(void *ctx);
    /*
     * Waits for the source's threads (at most timeout_ms for a live
     * session, which then says in the log which session did not stop
     * cleanly), fills final with the counters as they stand once the
     * threads ended (a live session counts its last buffers while it
     * stops), and frees it. Call stop first unless it is done. Loop thread.
     */
    void (*free)(void *ctx, uint64_t timeout_ms, struct ef_source_stats *final);
    /* A copy of the counters. Any thread. */
    void (*get_stats)(void *ctx, struct ef_source_stats *st);
    /* Optional: called at every stats interval (live sessions query ETW). Loop thread. */
    void (*tick)(void *ctx);
    /*
     * Optional: hands the notices (runner/notice.h) that the source's
     * threads raised since the last call to fn, in order, with the
     * session's name as their subject. The pipeline polls it about once a
     * second, so a notice never crosses threads as a callback. Loop thread.
     */
    void (*notices)(void *ctx, void (*fn)(void *ud, const struct ef_notice *n), void *ud);
};

/* The ops of a session kind in this build, or NULL (a live kind off Windows). Any thread. */
const struct ef_source_ops *ef_source_ops_for(int kind);

extern const struct ef_source_ops ef_source_file_ops;
#ifdef _WIN32
extern const struct ef_source_ops ef_source_live_ops;
#endif

#endif

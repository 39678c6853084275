/*
 * source_file.h - a `kind = file` session: .etl files replayed on a thread.
 *
 * The thread expands the session's path (a file or a wildcard pattern),
 * decodes and renders each trace (runner/tracefile.h) and pushes the lines
 * into the handoff queue with the session's queue_full policy, flushing
 * its chunk every 512 events, before a pacing wait and at the end of each
 * file. replay_speed paces it: 0 as
 * fast as possible, 1 real time by the events' timestamps, N N times that.
 * Pacing uses the monotonic clock (uv_hrtime) and an interruptible wait on
 * the source's own condition variable: the pipeline's ef_clock belongs to
 * the loop thread, and stop must not wait for a long gap between events.
 */
#ifndef EF_RUNNER_SOURCE_FILE_H
#define EF_RUNNER_SOURCE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/queue.h"
#include "render/render.h"

struct ef_source_stats {
    uint64_t events_in;        /* records read from the traces */
    uint64_t decoded;          /* decoded with a schema */
    uint64_t no_schema;        /* forwarded with the payload as hex */
    uint64_t decode_errors;    /* forwarded, decoded up to a field that did not fit */
    uint64_t render_errors;    /* too large to render: not forwarded */
    uint64_t read_errors;      /* damage the .etl reader skipped */
    uint64_t pushed;           /* lines handed to the queue */
    uint64_t queue_dropped;    /* of which dropped because the queue was full */
    uint64_t queue_blocked;    /* times the source waited for room */
    uint64_t etw_events_lost;  /* EventsLost of the traces' headers */
    uint64_t etw_buffers_lost; /* BuffersLost of the traces' headers */
    uint64_t files;            /* traces replayed to their end */
    uint64_t files_failed;     /* traces that could not be opened or read */
    int done;                  /* the thread finished */
};

struct ef_source_file_options {
    const char *name; /* the session's name, for logs */
    uint32_t index;   /* the session's index: the queue's session number */
    const char *path; /* a file or a wildcard pattern */
    const char *const *manifests;
    size_t n_manifests;
    const char *const *mofs;
    size_t n_mofs;
    struct ef_render_opts render;
    int64_t replay_speed; /* 0: as fast as possible; N: N times real time */
    int policy;           /* enum ef_queue_policy */
    struct ef_queue *queue;
    /* Called on the source's thread when it finished (may be NULL). */
    void (*on_done)(void *ud);
    void *ud;
};

struct ef_source_file;

/*
 * Starts the thread. The option strings must outlive the source. Returns 0,
 * EF_ENOMEM or EF_ESYS. Loop thread.
 */
int ef_source_file_start(const struct ef_source_file_options *opt, struct ef_source_file **out);

/* Asks the thread to stop at the next event (a wait for pacing ends at once). Any thread. */
void ef_source_file_stop(struct ef_source_file *s);

/*
 * Joins the thread and frees the source. Call ef_source_file_stop (and
 * ef_queue_cancel, in case it is blocked on a full queue) first unless it
 * is done. Loop thread.
 */
void ef_source_file_free(struct ef_source_file *s);

/* A copy of the counters, updated by the thread as it goes. Any thread. */
void ef_source_file_get_stats(struct ef_source_file *s, struct ef_source_stats *st);

#endif

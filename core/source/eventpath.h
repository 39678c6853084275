/*
 * eventpath.h - one live event from its record to the handoff queue:
 * decode through the plan cache, render, push. Portable.
 *
 * This is what an ETW consumer thread runs in its EventRecordCallback once
 * the EVENT_RECORD was converted to a struct ef_record (core/etw/record.h),
 * so it is also what bench/live_bench.c measures natively. The schema
 * sources are asked in the order docs/etw.md gives for live sessions:
 * configured manifests, TraceLogging (carried by the event), EventSource
 * manifests sent in the stream, the caller's extra source (TDH on
 * Windows), the kernel MOF (built in, plus configured MOF files).
 *
 * DESIGN. The callback must never block ETW's delivery thread: the event
 * is rendered straight into the producer's queue chunk (ef_queue_window)
 * and a full queue drops the chunk, counted (EF_QUEUE_DROP). Nothing is
 * allocated per event once the decoder's cache and the renderer's buffers
 * have warmed up. Counters are kept privately by the thread and published
 * under a mutex by ef_eventpath_flush (the consumer calls it from its
 * BufferCallback, once per ETW buffer), so the hot path takes no lock.
 *
 * An eventpath belongs to one thread (the consumer's), except
 * ef_eventpath_get_stats.
 */
#ifndef EF_RUNNER_EVENTPATH_H
#define EF_RUNNER_EVENTPATH_H

#include <stddef.h>
#include <stdint.h>

#include "decode/source.h"
#include "pipeline/queue.h"
#include "render/render.h"
#include "util/record.h"

struct ef_eventpath_opts {
    const char *const *manifests; /* manifest files or folders (may be empty) */
    size_t n_manifests;
    const char *const *mofs; /* extra kernel MOF files (may be empty) */
    size_t n_mofs;
    /* Asked after the EventSource source and before MOF (TDH); ops NULL: none. Owned after new. */
    struct ef_schema_source extra;
    struct ef_render_opts render;
    struct ef_queue *queue; /* NULL: render only (benchmarks; ef_eventpath_last shows it) */
    uint32_t session;       /* the queue's session number */
    int policy;             /* enum ef_queue_policy; live sessions use EF_QUEUE_DROP */
};

struct ef_eventpath_stats {
    uint64_t events;        /* records given to ef_eventpath_push */
    uint64_t decoded;       /* with a schema and no error */
    uint64_t no_schema;     /* output with the payload as hex */
    uint64_t decode_errors; /* output up to the field that did not fit */
    uint64_t render_errors; /* larger than a queue chunk can take: not output */
    uint64_t pushed;        /* lines handed to the queue (dropped ones included) */
    uint64_t dropped;       /* of which the full queue dropped */
};

struct ef_eventpath;

/*
 * Builds the decoder (loading the manifests and MOFs: a file that does not
 * load is reported in err and fails the call), the renderer and the
 * producer. Returns 0, the schema loader's error, or EF_ENOMEM. Any thread;
 * the eventpath then belongs to the thread that pushes.
 */
int ef_eventpath_new(const struct ef_eventpath_opts *o, struct ef_eventpath **out, char *err,
                     size_t errlen);

/*
 * Decodes r, renders it and pushes the line. Returns 0 (queued or dropped
 * and counted) or a fatal queue error (EF_ECANCELED once the queue was
 * cancelled). Never blocks with EF_QUEUE_DROP. The owning thread.
 */
int ef_eventpath_push(struct ef_eventpath *ep, const struct ef_record *r);

/* Publishes the queue chunk and the counters. The owning thread. */
int ef_eventpath_flush(struct ef_eventpath *ep);

/* Without a queue: the last line rendered (valid until the next push). The owning thread. */
const struct ef_buf *ef_eventpath_last(const struct ef_eventpath *ep);

/* The counters as of the last flush. Any thread. */
void ef_eventpath_get_stats(struct ef_eventpath *ep, struct ef_eventpath_stats *st);

/* Flushes and frees. NULL is fine. The owning thread (or any, once it ended). */
void ef_eventpath_free(struct ef_eventpath *ep);

#endif

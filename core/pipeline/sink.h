/*
 * sink.h - the interface every sink implements (file, syslog, http).
 *
 * Like curl's TLS backends, a sink is a table of function pointers filled
 * with designated initializers. The pipeline owns batching, retries,
 * backoff, dead-lettering and cursors; a sink only turns a batch into bytes
 * on its medium and says, asynchronously, how that went. Everything here
 * runs on the pipeline's libuv loop thread.
 */
#ifndef EF_PIPELINE_SINK_H
#define EF_PIPELINE_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "util/buf.h"

struct ef_sink_cfg;
struct ef_sink;

/* One event of a batch: its spool sequence and its bytes in batch->data. */
struct ef_batch_event {
    uint64_t seq;
    size_t off;
    uint32_t len;
};

/* A batch owns a copy of its events (the spool's memory is transient). */
struct ef_batch {
    uint64_t id;
    struct ef_batch_event *events;
    size_t count;
    /*
     * The events' bytes, back to back; with lines set, each event is
     * followed by '\n' (not counted in its len), so data is the batch as
     * NDJSON already.
     */
    struct ef_buf data;
    int lines;
    unsigned attempts;
};

enum ef_sink_verdict {
    EF_SINK_ACK = 0,    /* delivered */
    EF_SINK_RETRY = 1,  /* transient failure: send again after backoff */
    EF_SINK_REJECT = 2, /* permanent: to the dead-letter file with the reason */
};

/* What a sink reports for a batch. */
struct ef_sink_result {
    int verdict;             /* enum ef_sink_verdict for the whole batch, when per_event is NULL */
    uint64_t retry_after_ms; /* RETRY: the receiver's Retry-After, 0 = the pipeline's backoff */
    const char *reason;      /* for logs and the dead-letter file; may be NULL on ACK */
    /*
     * Optional per-event verdicts (es-bulk item results, splitting after 413):
     * per_event[i] is the verdict of batch->events[i], with per_event_reason[i]
     * (may be NULL). The pipeline resends only the RETRY ones.
     */
    const uint8_t *per_event;
    const char *const *per_event_reason;
};

struct ef_sink_ops {
    const char *type; /* "file", "http", "syslog" */
    /*
     * 1: the sink writes events as lines; the pipeline copies a '\n' after
     * each event into batch->data and sets batch->lines (one copy fewer).
     */
    int wants_lines;
    /* Allocates and opens the sink's state; *state is passed back to every call. */
    int (*open)(struct ef_sink *sink, const struct ef_sink_cfg *cfg, uv_loop_t *loop, void **state);
    /*
     * Starts sending a batch. The sink calls ef_sink_complete(sink, batch,
     * result) exactly once per successful send, later or from within send.
     * A negative return means the send did not start and no completion will
     * come: the pipeline treats it as RETRY with ef_strerror() as the reason.
     * The batch stays valid and unchanged until its completion.
     */
    int (*send)(void *state, struct ef_batch *batch);
    /* Stops; calls done(sink) once every handle is closed. */
    void (*close)(void *state, void (*done)(struct ef_sink *sink));
    /* Appends the sink's own counters as Prometheus text (optional). */
    void (*stats)(void *state, struct ef_buf *out);
};

/*
 * Called by a sink when a send has finished. result and its strings are
 * only read during the call. Loop thread.
 */
void ef_sink_complete(struct ef_sink *sink, struct ef_batch *batch,
                      const struct ef_sink_result *result);

/* The sink's configured name ("siem" for [sink:siem]). Loop thread. */
const char *ef_sink_name(const struct ef_sink *sink);

/*
 * The pipeline's clock (pipeline/clock.h): sinks measure time and arm
 * timers through it, so tests drive them with a fake clock. Loop thread.
 */
struct ef_clock *ef_sink_clock(struct ef_sink *sink);

#endif

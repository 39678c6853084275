/*
 * sinkdrv.h - drives one sink from the spool: batching, in-flight order,
 * retries with backoff, dead-lettering, cursors and per-sink accounting.
 *
 * For each sink the driver reads events from the spool starting after the
 * sink's cursor, collects them into a batch until it holds max_events or
 * max_bytes or its oldest event is max_age old, and hands it to the sink.
 * Up to in_flight batches are outstanding at once, in spool order. The
 * cursor (ef_spool_ack) moves only over the oldest batches that are
 * completely finished: every event acknowledged or written to the
 * dead-letter file. A RETRY sends the batch (or, with per-event results,
 * only its RETRY events) again after a backoff, forever; a REJECT appends
 * {"reason":"...","event":<event>} lines to DEAD_LETTER_DIR/<sink>.ndjson,
 * made durable before the cursor passes those events.
 *
 * Everything here runs on the pipeline's loop thread.
 */
#ifndef EF_PIPELINE_SINKDRV_H
#define EF_PIPELINE_SINKDRV_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "pipeline/backoff.h"
#include "pipeline/clock.h"
#include "pipeline/sink.h"
#include "pipeline/spool.h"

#define EF_SINKDRV_MAX_EVENTS    1000
#define EF_SINKDRV_MAX_BYTES     (1024u * 1024)
#define EF_SINKDRV_MAX_AGE_MS    1000
#define EF_SINKDRV_IN_FLIGHT     1
#define EF_SINKDRV_MAX_IN_FLIGHT 64
/* A sink is "failing" after this many delivery attempts in a row failed. */
#define EF_SINKDRV_FAILING_AFTER 5
/* Through a delivery outage, at most one log line per this many ms (after the first). */
#define EF_SINKDRV_FAIL_LOG_MS 60000

/*
 * A sink's delivery went bad or came back: failing = 1 once
 * failing_after attempts in a row failed (a RETRY for every event of a
 * batch, or a send that did not start), with the last reason; failing = 0
 * at the first attempt after that which the receiver took (acknowledged or
 * rejected events). Once per episode. attempts: the failed attempts so far
 * in the episode. Loop thread, from within the driver: it must not call
 * the driver back.
 */
typedef void (*ef_sinkdrv_health_fn)(void *ud, const char *sink, int failing, uint64_t attempts,
                                     const char *reason);

struct ef_sinkdrv_options {
    const char *name;     /* the sink's name: its cursor and dead-letter file */
    unsigned spool_index; /* the sink's index in the spool's sink list */
    const struct ef_sink_ops *ops;
    const struct ef_sink_cfg *cfg; /* handed to ops->open */
    uint64_t max_events;           /* 0: the defaults above */
    uint64_t max_bytes;
    uint64_t max_age_ms;
    unsigned in_flight;
    struct ef_backoff backoff;   /* copied; ef_backoff_init() it */
    const char *dead_letter_dir; /* created when the first event is rejected */
    /* Optional: told when delivery starts failing and when it recovers. */
    ef_sinkdrv_health_fn on_health;
    void *health_ud;
    /* Failed attempts in a row that make a sink failing; 0: EF_SINKDRV_FAILING_AFTER. */
    unsigned failing_after;
};

/* What the stats events and /metrics report for one sink. */
struct ef_sink_stats {
    uint64_t sent; /* events handed to the sink the first time */
    uint64_t sent_batches;
    uint64_t sent_bytes;
    uint64_t acked; /* events the sink acknowledged */
    uint64_t acked_bytes;
    uint64_t retried; /* events sent again after a RETRY */
    uint64_t retried_batches;
    uint64_t dead_lettered;      /* events rejected and written to the dead-letter file */
    uint64_t dead_letter_errors; /* failed dead-letter writes (retried with backoff) */
    uint64_t ack_errors;         /* failed cursor updates (ef_spool_ack) */
    uint64_t last_delivery_ms;   /* clock time of the last acknowledgement, 0 = never */
    uint64_t cursor;             /* the highest sequence acknowledged */
    uint64_t backlog;            /* events in the spool not yet acknowledged by this sink */
    unsigned in_flight;          /* batches outstanding now */
    unsigned waiting_retry;      /* of which waiting for their backoff */
    /*
     * Delivery attempts in a row that failed (0: the last one was taken),
     * and the clock time of the first of them (0 when none): how long the
     * sink has failed without pause, for /health.
     */
    uint64_t failed_attempts;
    uint64_t failing_since_ms;
};

struct ef_sink;

/*
 * Opens the sink (ops->open) and starts driving it from the spool. clock and
 * spool must outlive the driver. Returns 0, EF_ENOMEM, EF_EINVAL or the
 * sink's open error.
 */
int ef_sinkdrv_open(uv_loop_t *loop, struct ef_clock *clock, struct ef_spool *spool,
                    const struct ef_sinkdrv_options *opt, struct ef_sink **out);

/* Fills opt's batching fields from a [sink:NAME] section (0 where unset). */
void ef_sinkdrv_options_from_cfg(struct ef_sinkdrv_options *opt, const struct ef_sink_cfg *cfg);

/* New events were appended to the spool: batch and send what is due. */
void ef_sinkdrv_notify(struct ef_sink *s);

/*
 * Shutdown drain: from now on a batch is sent as soon as there is a free
 * slot, whatever its age. Watch ef_sinkdrv_get_stats().backlog reach 0.
 */
void ef_sinkdrv_flush(struct ef_sink *s);

/*
 * Stops: no new sends, pending retries are abandoned (their events stay in
 * the spool for the next start), sends in progress are waited for, then
 * the sink is closed, the driver freed and done(ud) called.
 */
void ef_sinkdrv_stop(struct ef_sink *s, void (*done)(void *ud), void *ud);

void ef_sinkdrv_get_stats(const struct ef_sink *s, struct ef_sink_stats *st);

/*
 * The next sequence the sink will copy out of the spool, or UINT64_MAX
 * while it cannot read on by itself (a batch waits for a retry or a
 * dead-letter write, or it is stopping): the reader the pipeline's back
 * pressure waits for. Loop thread.
 */
uint64_t ef_sinkdrv_reading_from(const struct ef_sink *s);

/* The sink's own state (what ops->open made), for its type-specific stats. */
void *ef_sinkdrv_state(struct ef_sink *s);

#endif

/*
 * queue.h - the bounded handoff queue from source threads to the libuv loop.
 *
 * Source threads (one per trace) render events and push them here; the loop
 * thread drains them into the spool. Capacity is counted in events and in
 * bytes. When the queue is full a producer either waits until the loop has
 * drained (EF_QUEUE_BLOCK: file sources, where waiting only slows the
 * replay) or drops and counts (EF_QUEUE_DROP: real-time ETW, where blocking
 * ProcessTrace would make ETW lose whole buffers instead).
 *
 * A blocking producer already waits once the queue holds a quarter of its
 * capacity (but never fewer than two chunks' worth, when the capacity
 * allows): a file replay, which loses nothing by waiting, cannot fill the
 * room that real-time sessions sharing the queue would otherwise drop for,
 * and the memory a replay cycles through stays small enough for the CPU's
 * caches (measured in docs/pipeline.md: +5 % on one core).
 *
 * DESIGN. To reach millions of events per second a producer does not take a
 * lock per event: it copies events into its own chunk (a few hundred events
 * or a few hundred KiB of bytes) and publishes the whole chunk under the
 * queue's mutex, then wakes the loop with uv_async_send. Chunks are recycled
 * through a free list, so the steady state allocates nothing. Capacity is
 * checked when a chunk is published, so a drop loses a whole chunk (all of
 * it counted); chunk sizes are capped at a quarter of the capacity so the
 * granularity stays reasonable. uv_async_send coalesces wake-ups, so the
 * loop's callback drains everything queued each time it runs.
 *
 * A producer must publish what it holds when it goes idle (ef_queue_flush):
 * a file source flushes at the end of each .etl buffer and at the end of the
 * file; a real-time source flushes in its ETW buffer callback.
 */
#ifndef EF_PIPELINE_QUEUE_H
#define EF_PIPELINE_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "util/buf.h"

enum ef_queue_policy { EF_QUEUE_BLOCK = 0, EF_QUEUE_DROP = 1 };

/* The largest chunk: events and bytes a producer collects before publishing. */
#define EF_QUEUE_CHUNK_EVENTS 512
#define EF_QUEUE_CHUNK_BYTES  (256u * 1024)

/*
 * Called on the loop thread for each event, in the order each producer
 * pushed them (events of different producers interleave by chunk). Returns
 * 0, or EF_EAGAIN to pause draining: the event is kept (it is offered again
 * first) and nothing more is drained until ef_queue_resume().
 */
typedef int (*ef_queue_drain_fn)(void *ud, uint32_t session, const void *data, uint32_t len);

struct ef_queue_options {
    uint64_t max_events; /* capacity; 0 = 65536 */
    uint64_t max_bytes;  /* capacity; 0 = 64 MiB */
    ef_queue_drain_fn drain;
    void *drain_ud;
};

struct ef_queue_stats {
    uint64_t accepted; /* events published into the queue */
    uint64_t dropped;  /* events dropped because the queue was full (policy drop) */
    uint64_t dropped_bytes;
    uint64_t blocked;       /* times a producer waited for room (policy block) */
    uint64_t drained;       /* events handed to the drain function */
    uint64_t wakeups;       /* async callbacks run: fewer than publishes when they coalesce */
    uint64_t events, bytes; /* queued now */
};

/* One producer's own counters. */
struct ef_queue_producer_stats {
    uint64_t pushed; /* events given to ef_queue_push */
    uint64_t accepted, dropped, dropped_bytes, blocked;
};

struct ef_queue;
struct ef_queue_producer;

/* Creates the queue and its uv_async on loop. Returns 0, EF_ENOMEM or EF_ESYS. Loop thread. */
int ef_queue_new(uv_loop_t *loop, const struct ef_queue_options *opt, struct ef_queue **out);

/*
 * Closes the queue: blocked producers wake up and their pushes fail with
 * EF_ECANCELED; events still queued are discarded (call ef_queue_drain_now
 * first to keep them); done(ud) runs once the uv handle is closed and the
 * queue freed. Every producer must have been freed. Loop thread.
 */
void ef_queue_close(struct ef_queue *q, void (*done)(void *ud), void *ud);

/*
 * Wakes every blocked producer and makes every later push fail with
 * EF_ECANCELED. Call it at shutdown before joining the source threads (a
 * thread blocked in ef_queue_push could not be joined otherwise), then
 * free their producers, then ef_queue_close. Any thread.
 */
void ef_queue_cancel(struct ef_queue *q);

/* Drains everything queued now, synchronously. Returns the events drained. Loop thread. */
uint64_t ef_queue_drain_now(struct ef_queue *q);

/* Resumes draining after the drain function returned EF_EAGAIN. Loop thread. */
void ef_queue_resume(struct ef_queue *q);

/* Any thread. */
void ef_queue_get_stats(struct ef_queue *q, struct ef_queue_stats *st);

/*
 * Inside the drain function: how many events the producer of the event
 * being drained had pushed up to and including it (its dropped chunks
 * counted too), so a source can tell which of its events reached the
 * spool. Loop thread.
 */
uint64_t ef_queue_position(const struct ef_queue *q);

/*
 * Makes the positions of p's events continue from base (a session's new
 * producer after a restart continues its predecessor's count). Before its
 * first push; the producer's thread.
 */
void ef_queue_producer_set_base(struct ef_queue_producer *p, uint64_t base);

/* A producer for session index session with the given full-queue policy. Any thread. */
int ef_queue_producer_new(struct ef_queue *q, uint32_t session, int policy,
                          struct ef_queue_producer **out);

/*
 * Copies one event into the producer's chunk, publishing the chunk when it
 * is full. Returns 0 (queued or, under policy drop, dropped and counted),
 * EF_ECANCELED once the queue is closing, or EF_ENOMEM. The producer's thread.
 */
int ef_queue_push(struct ef_queue_producer *p, const void *data, uint32_t len);

/*
 * For rendering an event straight into the producer's chunk, without the
 * copy ef_queue_push makes: ef_queue_window points out at the free end of
 * the chunk (taking a new chunk when it has none or no room to speak of),
 * sized so that appending to it never reallocates (an append past its end
 * fails with EF_ELIMIT); *fresh is 1 when that chunk holds nothing else, so
 * no larger window exists (the event then goes through ef_queue_push).
 * ef_queue_push_window queues what was appended as one event. out must
 * not be freed, and nothing may be pushed or flushed in between. Same
 * returns as ef_queue_push. The producer's thread.
 */
int ef_queue_window(struct ef_queue_producer *p, struct ef_buf *out, int *fresh);
int ef_queue_push_window(struct ef_queue_producer *p, const struct ef_buf *out);

/*
 * The loop both users of the window run: fill(ud, win) appends one event to
 * win and returns 0, EF_ELIMIT when it did not fit (win left as it was; it
 * is asked again in a fresh chunk), or another value, returned as is.
 * Returns 1 when the event was queued in place, 0 when it does not fit even
 * a whole chunk (the caller renders it elsewhere and uses ef_queue_push), a
 * queue error, or fill's own other value. The producer's thread.
 */
int ef_queue_append(struct ef_queue_producer *p, int (*fill)(void *ud, struct ef_buf *win),
                    void *ud);

/* Publishes what the producer holds. Same returns. The producer's thread. */
int ef_queue_flush(struct ef_queue_producer *p);

/* Flushes and frees the producer. The producer's thread (or any once it stopped). */
int ef_queue_producer_free(struct ef_queue_producer *p);

/* Any thread. */
void ef_queue_producer_get_stats(struct ef_queue_producer *p, struct ef_queue_producer_stats *st);

#endif

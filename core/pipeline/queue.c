/*
 * queue.c - the bounded handoff queue: producer chunks, a mutex-protected
 * list of published chunks, uv_async to wake the loop. See queue.h.
 */
#include "pipeline/queue.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"

struct chunk {
    struct chunk *next;
    uint32_t session;
    uint64_t first;   /* the producer's count of events pushed before this chunk's first */
    uint32_t n;       /* events */
    uint32_t pos;     /* the consumer's next event (after a pause) */
    size_t pos_off;   /* ... and its offset in data */
    size_t used, cap; /* bytes */
    int oversize;     /* allocated for one large event: freed, not recycled */
    uint32_t *lens;
    char *data;
};

struct ef_queue {
    uv_async_t async;
    uv_mutex_t mu;
    uv_cond_t cond;
    uint64_t max_events, max_bytes;
    uint64_t block_events, block_bytes; /* where a blocking producer waits (queue.h) */
    uint32_t chunk_events;
    size_t chunk_bytes;
    ef_queue_drain_fn drain;
    void *drain_ud;
    struct chunk *head, *tail; /* published, oldest first */
    struct chunk *free_list;
    unsigned n_free, max_free;
    int closed;
    int paused;
    int draining;
    struct ef_queue_stats st;
    void (*done)(void *ud);
    void *done_ud;
    uint64_t position; /* ef_queue_position: set before each drain call (loop thread) */
};

struct ef_queue_producer {
    struct ef_queue *q;
    uint32_t session;
    int policy;
    struct chunk *cur;
    struct ef_queue_producer_stats st; /* under q->mu */
    uint64_t base; /* added to the positions of its events (ef_queue_producer_set_base) */
};

static void chunk_free(struct chunk *c)
{
    if (!c)
        return;
    free(c->lens);
    free(c->data);
    free(c);
}

static struct chunk *chunk_alloc(uint32_t events, size_t bytes)
{
    struct chunk *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->lens = malloc(events * sizeof(*c->lens));
    c->data = malloc(bytes ? bytes : 1);
    c->cap = bytes;
    if (!c->lens || !c->data) {
        chunk_free(c);
        return NULL;
    }
    return c;
}

/* Returns a drained chunk to the free list. Caller holds q->mu. */
static void recycle_locked(struct ef_queue *q, struct chunk *c)
{
    if (c->oversize || q->n_free >= q->max_free) {
        chunk_free(c);
        return;
    }
    c->n = 0;
    c->pos = 0;
    c->pos_off = 0;
    c->used = 0;
    c->next = q->free_list;
    q->free_list = c;
    q->n_free++;
}

static uint64_t drain_all(struct ef_queue *q);

static void on_async(uv_async_t *h)
{
    struct ef_queue *q = h->data;

    uv_mutex_lock(&q->mu);
    q->st.wakeups++;
    uv_mutex_unlock(&q->mu);
    drain_all(q);
}

static uint64_t clamp64(uint64_t v, uint64_t lo, uint64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/*
 * Where a blocking producer waits (queue.h): a quarter of the capacity, but
 * two chunks (one in the loop's hands while the next fills) when the
 * capacity holds two.
 */
static uint64_t block_limit(uint64_t max, uint64_t chunk)
{
    uint64_t v = max / 4 > 2 * chunk ? max / 4 : 2 * chunk;

    return v < max ? v : max;
}

int ef_queue_new(uv_loop_t *loop, const struct ef_queue_options *opt, struct ef_queue **out)
{
    struct ef_queue *q = calloc(1, sizeof(*q));
    int rc = EF_ENOMEM;

    *out = NULL;
    if (!q)
        goto out;
    q->max_events = opt->max_events ? opt->max_events : 65536;
    q->max_bytes = opt->max_bytes ? opt->max_bytes : 64u * 1024 * 1024;
    /* A chunk holds at most a quarter of the capacity, so a drop loses at most that. */
    q->chunk_events = (uint32_t)clamp64(q->max_events / 4, 1, EF_QUEUE_CHUNK_EVENTS);
    q->chunk_bytes = (size_t)clamp64(q->max_bytes / 4, 64, EF_QUEUE_CHUNK_BYTES);
    q->block_events = block_limit(q->max_events, q->chunk_events);
    q->block_bytes = block_limit(q->max_bytes, q->chunk_bytes);
    /* Enough free chunks to refill a full queue without allocating. */
    q->max_free = (unsigned)clamp64(q->max_events / q->chunk_events + 8, 8, 4096);
    q->drain = opt->drain;
    q->drain_ud = opt->drain_ud;
    rc = EF_ESYS;
    if (uv_mutex_init(&q->mu) != 0)
        goto out;
    if (uv_cond_init(&q->cond) != 0) {
        uv_mutex_destroy(&q->mu);
        goto out;
    }
    if (uv_async_init(loop, &q->async, on_async) != 0) {
        uv_cond_destroy(&q->cond);
        uv_mutex_destroy(&q->mu);
        goto out;
    }
    q->async.data = q;
    *out = q;
    q = NULL;
    rc = 0;
out:
    free(q);
    return rc;
}

static void free_list(struct chunk *c)
{
    while (c) {
        struct chunk *n = c->next;

        chunk_free(c);
        c = n;
    }
}

static void on_closed(uv_handle_t *h)
{
    struct ef_queue *q = h->data;
    void (*done)(void *ud) = q->done;
    void *ud = q->done_ud;

    free_list(q->head);
    free_list(q->free_list);
    uv_cond_destroy(&q->cond);
    uv_mutex_destroy(&q->mu);
    free(q);
    if (done)
        done(ud);
}

void ef_queue_cancel(struct ef_queue *q)
{
    uv_mutex_lock(&q->mu);
    q->closed = 1;
    uv_cond_broadcast(&q->cond);
    uv_mutex_unlock(&q->mu);
}

void ef_queue_producer_set_base(struct ef_queue_producer *p, uint64_t base)
{
    p->base = base;
}

uint64_t ef_queue_position(const struct ef_queue *q)
{
    return q->position;
}

void ef_queue_close(struct ef_queue *q, void (*done)(void *ud), void *ud)
{
    ef_queue_cancel(q);
    q->done = done;
    q->done_ud = ud;
    uv_close((uv_handle_t *)&q->async, on_closed);
}

/*
 * Hands one chunk's remaining events to the drain function. Returns 1 when
 * the whole chunk was consumed, 0 when the consumer paused inside it.
 */
static int drain_chunk(struct ef_queue *q, struct chunk *c, uint64_t *count)
{
    while (c->pos < c->n) {
        uint32_t len = c->lens[c->pos];

        q->position = c->first + c->pos + 1;
        if (q->drain(q->drain_ud, c->session, c->data + c->pos_off, len) == EF_EAGAIN)
            return 0;
        c->pos++;
        c->pos_off += len;
        (*count)++;
    }
    return 1;
}

/*
 * Drains the chunks published when it starts. Chunks published meanwhile
 * sent their own uv_async_send, which schedules another callback.
 */
static uint64_t drain_all(struct ef_queue *q)
{
    struct chunk *list, *c;
    uint64_t count = 0;

    if (q->draining || q->paused)
        return 0;
    q->draining = 1;
    uv_mutex_lock(&q->mu);
    list = q->head;
    q->head = q->tail = NULL;
    uv_mutex_unlock(&q->mu);

    while ((c = list) != NULL) {
        uint32_t before = c->pos;
        size_t before_off = c->pos_off;
        int whole = drain_chunk(q, c, &count);

        uv_mutex_lock(&q->mu);
        q->st.drained += c->pos - before;
        if (!whole) {
            /* Put the rest back in front, keeping the order, and account what left. */
            struct chunk *last = c;

            while (last->next)
                last = last->next;
            last->next = q->head;
            if (!q->head)
                q->tail = last;
            q->head = c;
            q->st.events -= c->pos - before;
            q->st.bytes -= c->pos_off - before_off;
            q->paused = 1;
            uv_cond_broadcast(&q->cond);
            uv_mutex_unlock(&q->mu);
            break;
        }
        list = c->next;
        q->st.events -= c->n - before;
        q->st.bytes -= c->used - before_off;
        recycle_locked(q, c);
        uv_cond_broadcast(&q->cond);
        uv_mutex_unlock(&q->mu);
    }
    q->draining = 0;
    return count;
}

uint64_t ef_queue_drain_now(struct ef_queue *q)
{
    return drain_all(q);
}

void ef_queue_resume(struct ef_queue *q)
{
    q->paused = 0;
    uv_async_send(&q->async);
}

void ef_queue_get_stats(struct ef_queue *q, struct ef_queue_stats *st)
{
    uv_mutex_lock(&q->mu);
    *st = q->st;
    uv_mutex_unlock(&q->mu);
}

int ef_queue_producer_new(struct ef_queue *q, uint32_t session, int policy,
                          struct ef_queue_producer **out)
{
    struct ef_queue_producer *p = calloc(1, sizeof(*p));

    *out = NULL;
    if (!p)
        return EF_ENOMEM;
    p->q = q;
    p->session = session;
    p->policy = policy;
    *out = p;
    return 0;
}

/* Takes a chunk from the free list, or allocates one. */
static struct chunk *get_chunk(struct ef_queue *q)
{
    struct chunk *c;

    uv_mutex_lock(&q->mu);
    c = q->free_list;
    if (c) {
        q->free_list = c->next;
        q->n_free--;
    }
    uv_mutex_unlock(&q->mu);
    if (!c)
        c = chunk_alloc(q->chunk_events, q->chunk_bytes);
    if (c)
        c->next = NULL;
    return c;
}

static int fits_locked(const struct ef_queue *q, const struct chunk *c, int policy)
{
    /* An empty queue takes any chunk, so an event larger than the capacity still passes. */
    if (q->st.events == 0)
        return 1;
    if (policy == EF_QUEUE_BLOCK)
        return q->st.events + c->n <= q->block_events && q->st.bytes + c->used <= q->block_bytes;
    return q->st.events + c->n <= q->max_events && q->st.bytes + c->used <= q->max_bytes;
}

/* Publishes c (owned by the queue afterwards, whatever happens). */
static int publish(struct ef_queue_producer *p, struct chunk *c)
{
    struct ef_queue *q = p->q;
    int rc = 0;

    c->session = p->session;
    uv_mutex_lock(&q->mu);
    c->first = p->base + p->st.pushed;
    p->st.pushed += c->n;
    while (!q->closed && !fits_locked(q, c, p->policy)) {
        if (p->policy == EF_QUEUE_DROP) {
            p->st.dropped += c->n;
            p->st.dropped_bytes += c->used;
            q->st.dropped += c->n;
            q->st.dropped_bytes += c->used;
            recycle_locked(q, c);
            uv_mutex_unlock(&q->mu);
            return 0;
        }
        p->st.blocked++;
        q->st.blocked++;
        uv_cond_wait(&q->cond, &q->mu);
    }
    if (q->closed) {
        recycle_locked(q, c);
        rc = EF_ECANCELED;
        uv_mutex_unlock(&q->mu);
        return rc;
    }
    if (q->tail)
        q->tail->next = c;
    else
        q->head = c;
    q->tail = c;
    c->next = NULL;
    q->st.events += c->n;
    q->st.bytes += c->used;
    q->st.accepted += c->n;
    p->st.accepted += c->n;
    uv_mutex_unlock(&q->mu);
    uv_async_send(&q->async);
    return 0;
}

int ef_queue_flush(struct ef_queue_producer *p)
{
    struct chunk *c = p->cur;

    if (!c || c->n == 0)
        return 0;
    p->cur = NULL;
    return publish(p, c);
}

/*
 * The producer's chunk with room for need more bytes and one more event:
 * the current one, or (publishing the current one when it is full) a new
 * one. A chunk that holds nothing is kept whatever its room.
 */
static int room_for(struct ef_queue_producer *p, size_t need, struct chunk **out)
{
    struct ef_queue *q = p->q;
    struct chunk *c = p->cur;
    int rc;

    if (c && c->n > 0 && (c->n == q->chunk_events || c->cap - c->used < need)) {
        rc = ef_queue_flush(p);
        if (rc < 0)
            return rc;
        c = NULL;
    }
    if (!c) {
        c = get_chunk(q);
        if (!c)
            return EF_ENOMEM;
        p->cur = c;
    }
    *out = c;
    return 0;
}

int ef_queue_push(struct ef_queue_producer *p, const void *data, uint32_t len)
{
    struct ef_queue *q = p->q;
    struct chunk *c = p->cur;
    int rc;

    if (len > q->chunk_bytes) {
        /* A large event travels alone, after what the producer already holds. */
        rc = ef_queue_flush(p);
        if (rc < 0)
            return rc;
        c = chunk_alloc(1, len);
        if (!c)
            return EF_ENOMEM;
        c->oversize = 1;
        memcpy(c->data, data, len);
        c->lens[0] = len;
        c->n = 1;
        c->used = len;
        return publish(p, c);
    }
    rc = room_for(p, len, &c);
    if (rc < 0)
        return rc;
    memcpy(c->data + c->used, data, len);
    c->lens[c->n++] = len;
    c->used += len;
    return 0;
}

/* A chunk with less room than this is published before a window is made. */
#define WINDOW_MIN 2048

int ef_queue_window(struct ef_queue_producer *p, struct ef_buf *out, int *fresh)
{
    struct chunk *c;
    int rc;

    rc = room_for(p, WINDOW_MIN, &c);
    if (rc < 0)
        return rc;
    out->data = c->data + c->used;
    out->len = 0;
    out->cap = c->cap - c->used;
    out->max = out->cap - 1; /* room for the NUL: never past cap, so never reallocated */
    out->data[0] = '\0';
    *fresh = c->n == 0;
    return 0;
}

int ef_queue_push_window(struct ef_queue_producer *p, const struct ef_buf *out)
{
    struct chunk *c = p->cur;

    if (!c || out->data != c->data + c->used || out->len > c->cap - c->used)
        return EF_EINVAL;
    c->lens[c->n++] = (uint32_t)out->len;
    c->used += out->len;
    return 0;
}

int ef_queue_append(struct ef_queue_producer *p, int (*fill)(void *ud, struct ef_buf *win),
                    void *ud)
{
    struct ef_buf win;
    int fresh, rc;

    for (;;) {
        rc = ef_queue_window(p, &win, &fresh);
        if (rc < 0)
            return rc;
        rc = fill(ud, &win);
        if (rc == 0) {
            rc = ef_queue_push_window(p, &win);
            return rc < 0 ? rc : 1;
        }
        if (rc != EF_ELIMIT)
            return rc;
        if (fresh)
            return 0;
        /* What was appended to the window is not part of the chunk: publishing leaves it out. */
        rc = ef_queue_flush(p);
        if (rc < 0)
            return rc;
    }
}

int ef_queue_producer_free(struct ef_queue_producer *p)
{
    int rc;

    if (!p)
        return 0;
    rc = ef_queue_flush(p);
    if (p->cur) {
        uv_mutex_lock(&p->q->mu);
        recycle_locked(p->q, p->cur);
        uv_mutex_unlock(&p->q->mu);
    }
    free(p);
    return rc;
}

void ef_queue_producer_get_stats(struct ef_queue_producer *p, struct ef_queue_producer_stats *st)
{
    uv_mutex_lock(&p->q->mu);
    *st = p->st;
    uv_mutex_unlock(&p->q->mu);
}

/*
 * sinkdrv.c - the per-sink driver: spool -> batches -> sink -> cursor.
 *
 * DESIGN. A sink has at most one open batch (being filled, not yet sent)
 * and a FIFO of flights (sent batches) no longer than in_flight. Events are
 * copied out of the spool only when a flight slot is free, so a slow sink
 * keeps its backlog on disk, not in memory. Every state change ends in
 * pump(), which first retires finished flights from the head of the FIFO
 * (moving the cursor to the last sequence they covered), then fills and
 * sends batches while slots are free. pump() may be re-entered from a
 * sink's synchronous completion; the guard turns that into another round of
 * the outer call. Flights are recycled with their buffers, so the steady
 * state allocates nothing.
 */
#include "pipeline/sinkdrv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "pipeline/deadletter.h"
#include "util/error.h"
#include "util/log.h"

#define NO_TIME      UINT64_MAX
#define DL_MAX_BYTES (256u * 1024 * 1024)

enum flight_state {
    F_FILLING,    /* the open batch */
    F_SENDING,    /* handed to the sink, waiting for ef_sink_complete */
    F_WAIT_RETRY, /* waiting for its backoff timer */
    F_DEADLETTER, /* rejected events being written to the dead-letter file */
    F_WAIT_DL,    /* the dead-letter write failed: waiting to try again */
    F_DONE,       /* every event acknowledged or dead-lettered */
    F_ABANDONED,  /* stopping: its events stay in the spool */
};

struct flight {
    struct ef_batch b; /* first: ef_sink_complete gets &b */
    struct ef_sink *s;
    struct flight *next;
    int state;
    uint64_t upto;  /* the cursor may move here once this flight is done */
    uint64_t since; /* clock time its oldest event became readable */
    size_t cap;     /* events array capacity */
    int retry_pending;
    uint64_t retry_after_ms;
    unsigned dl_attempts;
    struct ef_timer timer;
    uv_work_t work;
    struct ef_buf dl; /* dead-letter lines waiting to be written */
    int dl_rc;
};

struct ef_sink {
    uv_loop_t *loop;
    struct ef_clock *clock;
    struct ef_spool *spool;
    const struct ef_sink_ops *ops;
    void *state;
    char *name;
    char *dl_dir;
    unsigned idx;
    uint64_t max_events, max_bytes, max_age_ms;
    unsigned in_flight;
    struct ef_backoff backoff;

    uint64_t read_next;    /* the next sequence to copy out of the spool */
    uint64_t unread_since; /* when unread events appeared (NO_TIME: none known) */
    struct flight *open;
    struct flight *head, *tail; /* flights, oldest first */
    unsigned n_flights;
    struct flight *free_flights;
    struct ef_timer age_timer;
    uint64_t batch_id;

    int pumping, again, flushing, stopping, closing;
    uint64_t batch_full_skip; /* the sequence refused by a full batch, reread next time */
    void (*done)(void *ud);
    void *done_ud;
    struct ef_sink_stats st;
    uint64_t log_every;

    /* Delivery health (sinkdrv.h, ef_sinkdrv_health_fn). */
    ef_sinkdrv_health_fn on_health;
    void *health_ud;
    unsigned failing_after;
    uint64_t fail_streak;    /* attempts in a row that failed */
    uint64_t fail_since_ms;  /* clock time of the episode's first failed attempt */
    uint64_t fail_logged_ms; /* clock time the episode was last logged */
    int failing;             /* on_health(failing = 1) was told */
    char fail_reason[256];
};

static void pump(struct ef_sink *s);

const char *ef_sink_name(const struct ef_sink *sink)
{
    return sink->name;
}

struct ef_clock *ef_sink_clock(struct ef_sink *sink)
{
    return sink->clock;
}

static struct flight *flight_get(struct ef_sink *s)
{
    struct flight *f = s->free_flights;

    if (f) {
        s->free_flights = f->next;
    } else {
        f = calloc(1, sizeof(*f));
        if (!f)
            return NULL;
        f->s = s;
        ef_buf_init(&f->b.data, (size_t)s->max_bytes + EF_SPOOL_MAX_EVENT);
        ef_buf_init(&f->dl, DL_MAX_BYTES);
    }
    f->next = NULL;
    f->state = F_FILLING;
    f->b.id = ++s->batch_id;
    f->b.count = 0;
    f->b.lines = s->ops->wants_lines;
    f->b.attempts = 0;
    ef_buf_reset(&f->b.data);
    ef_buf_reset(&f->dl);
    f->upto = 0;
    f->since = NO_TIME;
    f->retry_pending = 0;
    f->retry_after_ms = 0;
    f->dl_attempts = 0;
    return f;
}

static void flight_put(struct ef_sink *s, struct flight *f)
{
    f->next = s->free_flights;
    s->free_flights = f;
}

static void flight_free(struct flight *f)
{
    free(f->b.events);
    ef_buf_free(&f->b.data);
    ef_buf_free(&f->dl);
    free(f);
}

/* --- filling the open batch from the spool --- */

/* The events' bytes in b: its data less the '\n' after each event when laid out as lines. */
static uint64_t batch_bytes(const struct ef_batch *b)
{
    return b->data.len - (b->lines ? b->count : 0);
}

struct fill_ctx {
    struct ef_sink *s;
    struct flight *f;
    int full;
    int rc;
};

static int visit(void *ud, const struct ef_spool_event *ev)
{
    struct fill_ctx *c = ud;
    struct flight *f = c->f;
    struct ef_sink *s = c->s;

    if (c->full || c->rc < 0)
        return 0;
    if (f->b.count > 0 && batch_bytes(&f->b) + ev->len > s->max_bytes) {
        /* It would overflow the batch: it starts the next one. */
        c->full = 1;
        s->batch_full_skip = ev->seq;
        return 0;
    }
    if (f->b.count == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 64;
        struct ef_batch_event *ne;

        if (ncap > s->max_events)
            ncap = (size_t)s->max_events;
        ne = realloc(f->b.events, ncap * sizeof(*ne));
        if (!ne) {
            c->rc = EF_ENOMEM;
            return 0;
        }
        f->b.events = ne;
        f->cap = ncap;
    }
    f->b.events[f->b.count].seq = ev->seq;
    f->b.events[f->b.count].off = f->b.data.len;
    f->b.events[f->b.count].len = ev->len;
    /* One reservation for the event and its newline: this runs once per event. */
    c->rc = ef_buf_reserve(&f->b.data, (size_t)ev->len + (f->b.lines != 0));
    if (c->rc < 0)
        return 0;
    memcpy(f->b.data.data + f->b.data.len, ev->data, ev->len);
    f->b.data.len += ev->len;
    if (f->b.lines)
        f->b.data.data[f->b.data.len++] = '\n';
    f->b.data.data[f->b.data.len] = '\0';
    f->b.count++;
    f->upto = ev->seq;
    return 0;
}

/*
 * Copies unread events into the open batch. Returns 1 when the batch is
 * full (send it now), 0 when the spool has nothing more, or an EF_E* code.
 */
static int fill(struct ef_sink *s)
{
    struct flight *f = s->open;
    struct fill_ctx c = {s, NULL, 0, 0};
    uint64_t next = s->read_next;
    int n;

    if (!f) {
        f = flight_get(s);
        if (!f)
            return EF_ENOMEM;
        s->open = f;
    }
    c.f = f;
    while (!c.full && f->b.count < s->max_events) {
        size_t before = f->b.count;

        s->batch_full_skip = 0;
        n = ef_spool_read(s->spool, s->read_next, (size_t)(s->max_events - f->b.count),
                          (size_t)(s->max_bytes - batch_bytes(&f->b)), visit, &c, &next);
        if (n < 0)
            return n;
        if (c.rc < 0)
            return c.rc;
        if (f->b.count > before && f->since == NO_TIME)
            f->since = s->unread_since != NO_TIME ? s->unread_since : ef_clock_now(s->clock);
        s->read_next = c.full ? s->batch_full_skip : next;
        if (n == 0 || batch_bytes(&f->b) >= s->max_bytes)
            break;
    }
    if (c.full || f->b.count >= s->max_events || batch_bytes(&f->b) >= s->max_bytes)
        return 1;
    /* The spool has nothing more: the next event to arrive starts a new wait. */
    s->unread_since = NO_TIME;
    return 0;
}

/* --- sending and completing --- */

static void handle_result(struct flight *f, const struct ef_sink_result *r);

static void start_send(struct ef_sink *s, struct flight *f)
{
    int rc;

    f->state = F_SENDING;
    rc = s->ops->send(s->state, &f->b);
    if (rc < 0) {
        struct ef_sink_result r = {.verdict = EF_SINK_RETRY, .reason = ef_strerror(rc)};

        handle_result(f, &r);
    }
}

static void send_open(struct ef_sink *s)
{
    struct flight *f = s->open;

    s->open = NULL;
    ef_timer_stop(s->clock, &s->age_timer);
    if (s->tail)
        s->tail->next = f;
    else
        s->head = f;
    s->tail = f;
    s->n_flights++;
    s->st.sent += f->b.count;
    s->st.sent_batches++;
    s->st.sent_bytes += batch_bytes(&f->b);
    start_send(s, f);
}

static void on_retry_timer(struct ef_timer *t)
{
    struct flight *f = t->data;
    struct ef_sink *s = f->s;

    if (f->state != F_WAIT_RETRY)
        return;
    s->st.retried += f->b.count;
    s->st.retried_batches++;
    start_send(s, f);
    pump(s);
}

static void schedule_retry(struct flight *f)
{
    struct ef_sink *s = f->s;
    uint64_t delay;

    f->retry_pending = 0;
    if (s->stopping) {
        f->state = F_ABANDONED;
        return;
    }
    f->b.attempts++;
    delay = ef_backoff_delay(&s->backoff, f->b.attempts, f->retry_after_ms);
    f->state = F_WAIT_RETRY;
    ef_timer_init(&f->timer, on_retry_timer, f);
    ef_timer_start(s->clock, &f->timer, delay);
}

static void dl_work(uv_work_t *w)
{
    struct flight *f = w->data;

    f->dl_rc = ef_deadletter_write(f->s->dl_dir, f->s->name, f->dl.data, f->dl.len);
}

static void start_deadletter(struct flight *f);

static void on_dl_retry_timer(struct ef_timer *t)
{
    struct flight *f = t->data;

    if (f->state == F_WAIT_DL)
        start_deadletter(f);
}

static void dl_after(uv_work_t *w, int status)
{
    struct flight *f = w->data;
    struct ef_sink *s = f->s;

    if (status < 0 && f->dl_rc == 0)
        f->dl_rc = EF_ECANCELED;
    if (f->dl_rc < 0) {
        s->st.dead_letter_errors++;
        EF_LOG_EVERY(s->log_every, 100, EF_LOG_ERROR, "sink",
                     "%s: cannot write the dead-letter file in %s: %s (will retry)", s->name,
                     s->dl_dir, ef_strerror(f->dl_rc));
        if (s->stopping) {
            f->state = F_ABANDONED;
        } else {
            f->state = F_WAIT_DL;
            ef_timer_init(&f->timer, on_dl_retry_timer, f);
            ef_timer_start(s->clock, &f->timer, ef_backoff_delay(&s->backoff, ++f->dl_attempts, 0));
        }
        pump(s);
        return;
    }
    ef_buf_reset(&f->dl);
    if (f->retry_pending)
        schedule_retry(f);
    else
        f->state = F_DONE;
    pump(s);
}

static void start_deadletter(struct flight *f)
{
    int rc;

    f->state = F_DEADLETTER;
    f->work.data = f;
    rc = uv_queue_work(f->s->loop, &f->work, dl_work, dl_after);
    if (rc < 0) {
        f->dl_rc = EF_ESYS;
        dl_after(&f->work, 0);
    }
}

/* Counts the acknowledged events of f. */
static void count_acked(struct ef_sink *s, uint64_t events, uint64_t bytes)
{
    if (events == 0)
        return;
    s->st.acked += events;
    s->st.acked_bytes += bytes;
    s->st.last_delivery_ms = ef_clock_now(s->clock);
    if (s->st.last_delivery_ms == 0)
        s->st.last_delivery_ms = 1; /* 0 means never */
}

/* Applies per-event verdicts: keeps only the RETRY events in the batch. */
static int split_result(struct flight *f, const struct ef_sink_result *r)
{
    struct ef_sink *s = f->s;
    struct ef_batch *b = &f->b;
    uint64_t acked = 0, acked_bytes = 0;
    size_t i, kept = 0, wpos = 0;
    int rc = 0;

    for (i = 0; i < b->count && rc == 0; i++) {
        const struct ef_batch_event *e = &b->events[i];
        int v = r->per_event[i];

        if (v == EF_SINK_REJECT) {
            const char *why =
                r->per_event_reason && r->per_event_reason[i] ? r->per_event_reason[i] : r->reason;

            rc = ef_deadletter_format(&f->dl, why, b->data.data + e->off, e->len);
            s->st.dead_lettered++;
        } else if (v == EF_SINK_RETRY) {
            /* Kept events move to the front; offsets only ever decrease. */
            size_t n = e->len + (b->lines ? 1 : 0);

            memmove(b->data.data + wpos, b->data.data + e->off, n);
            b->events[kept].seq = e->seq;
            b->events[kept].off = wpos;
            b->events[kept].len = e->len;
            wpos += n;
            kept++;
        } else {
            acked++;
            acked_bytes += e->len;
        }
    }
    if (rc < 0)
        return rc;
    count_acked(s, acked, acked_bytes);
    b->count = kept;
    b->data.len = wpos;
    if (b->data.data)
        b->data.data[wpos] = '\0';
    f->retry_pending = kept > 0;
    return 0;
}

/*
 * Counts one delivery attempt as failed (the receiver took nothing and the
 * events wait for a retry) or taken, tells on_health when the sink crosses
 * into failing or out of it, and logs the episode at a bounded rate: its
 * first failed attempt, then at most one line per EF_SINKDRV_FAIL_LOG_MS
 * with the attempts and the time so far, and one line when the receiver
 * takes something again. An outage of a day is about 1,440 lines, not
 * one per retry, nor a single line that leaves the log silent after it.
 */
static void note_attempt(struct ef_sink *s, int taken, const char *reason)
{
    uint64_t now = ef_clock_now(s->clock);

    if (taken) {
        if (s->fail_streak)
            ef_log_info("sink", "%s: delivers again after %llu failed attempts over %llu s",
                        s->name, (unsigned long long)s->fail_streak,
                        (unsigned long long)((now - s->fail_since_ms) / 1000));
        if (s->failing && s->on_health)
            s->on_health(s->health_ud, s->name, 0, s->fail_streak, "");
        s->failing = 0;
        s->fail_streak = 0;
        return;
    }
    snprintf(s->fail_reason, sizeof(s->fail_reason), "%s", reason ? reason : "transient failure");
    if (s->fail_streak++ == 0) {
        s->fail_since_ms = now;
        s->fail_logged_ms = now;
        ef_log_warn("sink",
                    "%s: delivery failed: %s (the events stay in the spool and are "
                    "retried)",
                    s->name, s->fail_reason);
    } else if (now - s->fail_logged_ms >= EF_SINKDRV_FAIL_LOG_MS) {
        s->fail_logged_ms = now;
        ef_log_warn("sink", "%s: still failing: %llu attempts failed over %llu s, the last: %s",
                    s->name, (unsigned long long)s->fail_streak,
                    (unsigned long long)((now - s->fail_since_ms) / 1000), s->fail_reason);
    }
    if (!s->failing && s->fail_streak >= s->failing_after) {
        s->failing = 1;
        if (s->on_health)
            s->on_health(s->health_ud, s->name, 1, s->fail_streak, s->fail_reason);
    }
}

static void handle_result(struct flight *f, const struct ef_sink_result *r)
{
    struct ef_sink *s = f->s;
    uint64_t taken0 = s->st.acked + s->st.dead_lettered;
    size_t i;
    int rc = 0;

    ef_buf_reset(&f->dl);
    f->retry_after_ms = r->retry_after_ms;
    f->retry_pending = 0;
    if (r->per_event) {
        rc = split_result(f, r);
    } else if (r->verdict == EF_SINK_ACK) {
        count_acked(s, f->b.count, batch_bytes(&f->b));
    } else if (r->verdict == EF_SINK_REJECT) {
        for (i = 0; i < f->b.count && rc == 0; i++)
            rc = ef_deadletter_format(&f->dl, r->reason, f->b.data.data + f->b.events[i].off,
                                      f->b.events[i].len);
        if (rc == 0)
            s->st.dead_lettered += f->b.count;
    } else {
        /* Logged by note_attempt, at a bounded rate through an outage. */
        f->retry_pending = 1;
    }
    if (rc < 0) {
        /* Cannot even format the rejection (absurd sizes): keep the events, try later. */
        ef_log_error("sink", "%s: dead-letter: %s", s->name, ef_strerror(rc));
        ef_buf_reset(&f->dl);
        f->retry_pending = 1;
    }
    note_attempt(s, s->st.acked + s->st.dead_lettered > taken0 || !f->retry_pending, r->reason);
    if (f->dl.len > 0)
        start_deadletter(f);
    else if (f->retry_pending)
        schedule_retry(f);
    else
        f->state = F_DONE;
}

void ef_sink_complete(struct ef_sink *sink, struct ef_batch *batch,
                      const struct ef_sink_result *result)
{
    struct flight *f = (struct flight *)batch;

    if (f->s != sink || f->state != F_SENDING) {
        ef_log_error("sink", "%s: completion for a batch that is not being sent (ignored)",
                     sink->name);
        return;
    }
    handle_result(f, result);
    pump(sink);
}

/* --- the pump --- */

/* Retires the finished flights at the head and moves the cursor past them. */
static void retire(struct ef_sink *s)
{
    uint64_t upto = 0;
    int rc;

    while (s->head && s->head->state == F_DONE) {
        struct flight *f = s->head;

        s->head = f->next;
        if (!s->head)
            s->tail = NULL;
        s->n_flights--;
        upto = f->upto;
        flight_put(s, f);
    }
    if (upto == 0)
        return;
    rc = ef_spool_ack(s->spool, s->idx, upto);
    if (rc < 0) {
        s->st.ack_errors++;
        EF_LOG_EVERY(s->log_every, 100, EF_LOG_ERROR, "sink", "%s: cursor update to %llu: %s",
                     s->name, (unsigned long long)upto, ef_strerror(rc));
    }
}

static void on_age_timer(struct ef_timer *t)
{
    pump(t->data);
}

static int busy(const struct ef_sink *s)
{
    const struct flight *f;

    for (f = s->head; f; f = f->next)
        if (f->state == F_SENDING || f->state == F_DEADLETTER)
            return 1;
    return 0;
}

static void on_sink_closed(struct ef_sink *sink);

static void maybe_finish_stop(struct ef_sink *s)
{
    if (!s->stopping || s->closing || busy(s))
        return;
    s->closing = 1;
    s->ops->close(s->state, on_sink_closed);
}

static void pump_round(struct ef_sink *s)
{
    int rc;

    retire(s);
    if (s->stopping)
        return;
    while (s->n_flights < s->in_flight) {
        rc = fill(s);
        if (rc < 0) {
            EF_LOG_EVERY(s->log_every, 100, EF_LOG_ERROR, "sink", "%s: reading the spool: %s",
                         s->name, ef_strerror(rc));
            break;
        }
        if (!s->open || s->open->b.count == 0)
            break;
        if (rc == 1 || s->flushing || ef_clock_now(s->clock) >= s->open->since + s->max_age_ms) {
            send_open(s);
            retire(s); /* a synchronous ACK finished it already */
            continue;
        }
        /* Not full and young: wait until it is max_age old (or more events come). */
        if (!s->age_timer.armed)
            ef_timer_start(s->clock, &s->age_timer,
                           s->open->since + s->max_age_ms - ef_clock_now(s->clock));
        break;
    }
}

static void pump(struct ef_sink *s)
{
    if (s->pumping) {
        s->again = 1;
        return;
    }
    s->pumping = 1;
    do {
        s->again = 0;
        pump_round(s);
    } while (s->again);
    s->pumping = 0;
    maybe_finish_stop(s);
}

/* --- lifecycle --- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);

    if (d)
        memcpy(d, s, n);
    return d;
}

void ef_sinkdrv_options_from_cfg(struct ef_sinkdrv_options *opt, const struct ef_sink_cfg *cfg)
{
    opt->name = cfg->name;
    opt->cfg = cfg;
    opt->max_events = cfg->batch_max_events > 0 ? (uint64_t)cfg->batch_max_events : 0;
    opt->max_bytes = cfg->batch_max_bytes;
    opt->max_age_ms = cfg->batch_max_age_ms;
    opt->in_flight = cfg->in_flight > 0 ? (unsigned)cfg->in_flight : 0;
}

int ef_sinkdrv_open(uv_loop_t *loop, struct ef_clock *clock, struct ef_spool *spool,
                    const struct ef_sinkdrv_options *opt, struct ef_sink **out)
{
    struct ef_sink *s = NULL;
    int rc = EF_EINVAL;

    *out = NULL;
    if (!opt->name || !opt->ops || !opt->ops->open || !opt->ops->send || !opt->ops->close)
        goto out;
    rc = EF_ENOMEM;
    s = calloc(1, sizeof(*s));
    if (!s)
        goto out;
    s->loop = loop;
    s->clock = clock;
    s->spool = spool;
    s->ops = opt->ops;
    s->idx = opt->spool_index;
    s->name = dup_str(opt->name);
    s->dl_dir = dup_str(opt->dead_letter_dir ? opt->dead_letter_dir : "dead-letter");
    if (!s->name || !s->dl_dir)
        goto out;
    s->max_events = opt->max_events ? opt->max_events : EF_SINKDRV_MAX_EVENTS;
    s->max_bytes = opt->max_bytes ? opt->max_bytes : EF_SINKDRV_MAX_BYTES;
    s->max_age_ms = opt->max_age_ms ? opt->max_age_ms : EF_SINKDRV_MAX_AGE_MS;
    s->in_flight = opt->in_flight ? opt->in_flight : EF_SINKDRV_IN_FLIGHT;
    if (s->in_flight > EF_SINKDRV_MAX_IN_FLIGHT)
        s->in_flight = EF_SINKDRV_MAX_IN_FLIGHT;
    s->backoff = opt->backoff;
    s->on_health = opt->on_health;
    s->health_ud = opt->health_ud;
    s->failing_after = opt->failing_after ? opt->failing_after : EF_SINKDRV_FAILING_AFTER;
    s->read_next = ef_spool_cursor(spool, s->idx) + 1;
    s->st.cursor = s->read_next - 1;
    /* What the spool already holds (recovered after a restart) is old: send it soon. */
    s->unread_since = ef_clock_now(clock);
    ef_timer_init(&s->age_timer, on_age_timer, s);
    rc = s->ops->open(s, opt->cfg, loop, &s->state);
    if (rc < 0)
        goto out;
    *out = s;
    /* Sends what the spool holds at once, or notes that it is empty. */
    pump(s);
    s = NULL;
    rc = 0;
out:
    if (s) {
        free(s->name);
        free(s->dl_dir);
        free(s);
    }
    return rc;
}

void ef_sinkdrv_notify(struct ef_sink *s)
{
    if (s->unread_since == NO_TIME)
        s->unread_since = ef_clock_now(s->clock);
    pump(s);
}

void ef_sinkdrv_flush(struct ef_sink *s)
{
    s->flushing = 1;
    pump(s);
}

static void free_chain(struct flight *f)
{
    while (f) {
        struct flight *n = f->next;

        flight_free(f);
        f = n;
    }
}

static void on_sink_closed(struct ef_sink *sink)
{
    void (*done)(void *ud) = sink->done;
    void *ud = sink->done_ud;

    free_chain(sink->head);
    free_chain(sink->free_flights);
    if (sink->open)
        flight_free(sink->open);
    free(sink->name);
    free(sink->dl_dir);
    free(sink);
    if (done)
        done(ud);
}

void ef_sinkdrv_stop(struct ef_sink *s, void (*done)(void *ud), void *ud)
{
    struct flight *f;

    s->stopping = 1;
    s->done = done;
    s->done_ud = ud;
    ef_timer_stop(s->clock, &s->age_timer);
    for (f = s->head; f; f = f->next) {
        if (f->state == F_WAIT_RETRY || f->state == F_WAIT_DL) {
            ef_timer_stop(s->clock, &f->timer);
            f->state = F_ABANDONED;
        }
    }
    /* Retires what finished, then closes once no send or dead-letter write is running. */
    pump(s);
}

uint64_t ef_sinkdrv_reading_from(const struct ef_sink *s)
{
    const struct flight *f;

    if (s->stopping || s->closing)
        return UINT64_MAX;
    for (f = s->head; f; f = f->next)
        if (f->state == F_WAIT_RETRY || f->state == F_WAIT_DL)
            return UINT64_MAX;
    return s->read_next;
}

void ef_sinkdrv_get_stats(const struct ef_sink *s, struct ef_sink_stats *st)
{
    struct ef_spool_stats sp;
    const struct flight *f;
    uint64_t from;

    *st = s->st;
    st->cursor = ef_spool_cursor(s->spool, s->idx);
    ef_spool_get_stats(s->spool, &sp);
    from = st->cursor + 1 > sp.first_seq ? st->cursor + 1 : sp.first_seq;
    st->backlog = sp.next_seq > from ? sp.next_seq - from : 0;
    st->in_flight = s->n_flights;
    st->waiting_retry = 0;
    st->failed_attempts = s->fail_streak;
    st->failing_since_ms = s->fail_streak ? s->fail_since_ms : 0;
    for (f = s->head; f; f = f->next)
        if (f->state == F_WAIT_RETRY)
            st->waiting_retry++;
}

void *ef_sinkdrv_state(struct ef_sink *s)
{
    return s->state;
}

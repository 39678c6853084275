/*
 * test_pipeline_queue.c - the handoff queue: drop and block when full (with
 * producer threads), a blocking producer's quarter, async drain coalescing,
 * pause/resume, large events, cancel waking a blocked producer.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "pipe_helpers.h"
#include "pipeline/queue.h"
#include "util/error.h"

#define MAX_SESSIONS 4

struct sink_rec {
    uint64_t count;
    uint64_t per_session[MAX_SESSIONS];
    uint64_t next_expected[MAX_SESSIONS];
    int order_ok;
    uint64_t pause_after; /* return EF_EAGAIN once count reaches it (0: never) */
    int paused;
    size_t big_len;
};

/* Events are "s<session>:<n>" with n counting up per session. */
static int record(void *ud, uint32_t session, const void *data, uint32_t len)
{
    struct sink_rec *r = ud;
    char want[32];
    int n;

    if (r->pause_after && r->count == r->pause_after && !r->paused) {
        r->paused = 1;
        return EF_EAGAIN;
    }
    if (len > 1000) {
        r->big_len = len;
    } else {
        n = snprintf(want, sizeof(want), "s%u:%llu", session,
                     (unsigned long long)r->next_expected[session]);
        if ((uint32_t)n != len || memcmp(want, data, len) != 0)
            r->order_ok = 0;
        r->next_expected[session]++;
    }
    r->per_session[session]++;
    r->count++;
    return 0;
}

static void push_n(struct ef_queue_producer *p, uint32_t session, uint64_t from, uint64_t n)
{
    char ev[32];
    uint64_t i;

    for (i = from; i < from + n; i++) {
        int len = snprintf(ev, sizeof(ev), "s%u:%llu", session, (unsigned long long)i);

        ck_assert_int_eq(ef_queue_push(p, ev, (uint32_t)len), 0);
    }
}

START_TEST(drop_when_full_counts)
{
    uv_loop_t loop;
    struct sink_rec rec = {.order_ok = 1};
    struct ef_queue_options o = {
        .max_events = 8, .max_bytes = 1 << 20, .drain = record, .drain_ud = &rec};
    struct ef_queue *q;
    struct ef_queue_producer *p;
    struct ef_queue_producer_stats ps;
    struct ef_queue_stats st;

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(ef_queue_new(&loop, &o, &q), 0);
    ck_assert_int_eq(ef_queue_producer_new(q, 0, EF_QUEUE_DROP, &p), 0);
    /* Capacity 8 events, chunks of 2: four chunks fit, the other six are dropped. */
    push_n(p, 0, 0, 20);
    ck_assert_int_eq(ef_queue_flush(p), 0);
    ef_queue_get_stats(q, &st);
    ck_assert_uint_eq(st.accepted, 8);
    ck_assert_uint_eq(st.dropped, 12);
    ck_assert_uint_eq(st.events, 8);
    ef_queue_producer_get_stats(p, &ps);
    ck_assert_uint_eq(ps.pushed, 20);
    ck_assert_uint_eq(ps.dropped, 12);
    ck_assert_uint_eq(ps.blocked, 0);
    uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_uint_eq(rec.count, 8);
    ck_assert(rec.order_ok); /* the first 8 survive, in order */
    /* Room again: nothing more is dropped. */
    push_n(p, 0, 8, 4);
    ck_assert_int_eq(ef_queue_producer_free(p), 0);
    uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_uint_eq(rec.count, 12);
    ck_assert(rec.order_ok);
    ef_queue_get_stats(q, &st);
    ck_assert_uint_eq(st.dropped, 12);
    ck_assert_uint_eq(st.events, 0);
    ck_assert_uint_eq(st.bytes, 0);
    ef_queue_close(q, NULL, NULL);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
}
END_TEST

struct prod_arg {
    struct ef_queue *q;
    uint32_t session;
    uint64_t n;
    int policy;
    int last_rc;
    struct ef_queue_producer_stats st;
};

static void producer_thread(void *arg)
{
    struct prod_arg *a = arg;
    struct ef_queue_producer *p;
    char ev[32];
    uint64_t i;

    a->last_rc = ef_queue_producer_new(a->q, a->session, a->policy, &p);
    if (a->last_rc < 0)
        return;
    for (i = 0; i < a->n; i++) {
        int len = snprintf(ev, sizeof(ev), "s%u:%llu", a->session, (unsigned long long)i);

        a->last_rc = ef_queue_push(p, ev, (uint32_t)len);
        if (a->last_rc < 0)
            break;
    }
    ef_queue_producer_get_stats(p, &a->st);
    if (a->last_rc == 0)
        a->last_rc = ef_queue_producer_free(p);
    else
        ef_queue_producer_free(p);
}

struct until_count {
    struct sink_rec *rec;
    uint64_t n;
};

static int reached(void *ud)
{
    struct until_count *u = ud;

    return u->rec->count >= u->n;
}

START_TEST(block_when_full_two_producers)
{
    uv_loop_t loop;
    struct sink_rec rec = {.order_ok = 1};
    struct ef_queue_options o = {
        .max_events = 64, .max_bytes = 1 << 20, .drain = record, .drain_ud = &rec};
    struct ef_queue *q;
    struct prod_arg a[2];
    uv_thread_t t[2];
    struct until_count u = {&rec, 0};
    struct ef_queue_stats st;
    int i;

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(ef_queue_new(&loop, &o, &q), 0);
    for (i = 0; i < 2; i++) {
        a[i] = (struct prod_arg){q, (uint32_t)i, 20000, EF_QUEUE_BLOCK, 0, {0}};
        ck_assert_int_eq(uv_thread_create(&t[i], producer_thread, &a[i]), 0);
    }
    u.n = 40000;
    ck_assert(th_run_until(&loop, reached, &u, 10000000));
    for (i = 0; i < 2; i++) {
        uv_thread_join(&t[i]);
        ck_assert_int_eq(a[i].last_rc, 0);
        ck_assert_uint_eq(a[i].st.dropped, 0);
    }
    uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_uint_eq(rec.count, 40000);
    ck_assert_uint_eq(rec.per_session[0], 20000);
    ck_assert_uint_eq(rec.per_session[1], 20000);
    ck_assert_msg(rec.order_ok, "events out of order within a producer");
    ef_queue_get_stats(q, &st);
    ck_assert_uint_eq(st.dropped, 0);
    ck_assert_uint_eq(st.accepted, 40000);
    ck_assert_uint_eq(st.drained, 40000);
    /* 40000 events through a 64-event queue: the producers must have waited. */
    ck_assert_uint_gt(st.blocked, 0);
    ck_assert_uint_le(st.events, 0);
    ef_queue_close(q, NULL, NULL);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
}
END_TEST

START_TEST(async_drain_coalesces)
{
    uv_loop_t loop;
    struct sink_rec rec = {.order_ok = 1};
    struct ef_queue_options o = {.max_events = 100000, .drain = record, .drain_ud = &rec};
    struct ef_queue *q;
    struct ef_queue_producer *p;
    struct ef_queue_stats st;

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(ef_queue_new(&loop, &o, &q), 0);
    ck_assert_int_eq(ef_queue_producer_new(q, 1, EF_QUEUE_BLOCK, &p), 0);
    /* Ten chunks published, ten uv_async_send calls, before the loop runs. */
    push_n(p, 1, 0, EF_QUEUE_CHUNK_EVENTS * 10);
    ck_assert_int_eq(ef_queue_flush(p), 0);
    ck_assert_uint_eq(rec.count, 0);
    uv_run(&loop, UV_RUN_NOWAIT);
    ef_queue_get_stats(q, &st);
    ck_assert_uint_eq(rec.count, EF_QUEUE_CHUNK_EVENTS * 10);
    ck_assert_uint_eq(st.wakeups, 1); /* one callback drained all ten chunks */
    ck_assert(rec.order_ok);
    ck_assert_int_eq(ef_queue_producer_free(p), 0);
    ef_queue_close(q, NULL, NULL);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
}
END_TEST

START_TEST(pause_and_resume_keep_order)
{
    uv_loop_t loop;
    struct sink_rec rec = {.order_ok = 1, .pause_after = 700};
    struct ef_queue_options o = {.max_events = 100000, .drain = record, .drain_ud = &rec};
    struct ef_queue *q;
    struct ef_queue_producer *p;
    struct ef_queue_stats st;

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(ef_queue_new(&loop, &o, &q), 0);
    ck_assert_int_eq(ef_queue_producer_new(q, 2, EF_QUEUE_BLOCK, &p), 0);
    push_n(p, 2, 0, 2000);
    ck_assert_int_eq(ef_queue_flush(p), 0);
    uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_uint_eq(rec.count, 700);
    ef_queue_get_stats(q, &st);
    ck_assert_uint_eq(st.events, 1300);
    /* More events while paused go behind the kept ones. */
    push_n(p, 2, 2000, 10);
    ck_assert_int_eq(ef_queue_flush(p), 0);
    uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_uint_eq(rec.count, 700);
    ef_queue_resume(q);
    uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_uint_eq(rec.count, 2010);
    ck_assert(rec.order_ok);
    ef_queue_get_stats(q, &st);
    ck_assert_uint_eq(st.events, 0);
    ck_assert_uint_eq(st.bytes, 0);
    ck_assert_int_eq(ef_queue_producer_free(p), 0);
    ef_queue_close(q, NULL, NULL);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
}
END_TEST

START_TEST(large_event_passes_alone)
{
    uv_loop_t loop;
    struct sink_rec rec = {.order_ok = 1};
    struct ef_queue_options o = {
        .max_events = 100, .max_bytes = 4096, .drain = record, .drain_ud = &rec};
    struct ef_queue *q;
    struct ef_queue_producer *p;
    size_t big = 100000;
    char *data = malloc(big);

    memset(data, 'x', big);
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(ef_queue_new(&loop, &o, &q), 0);
    ck_assert_int_eq(ef_queue_producer_new(q, 0, EF_QUEUE_BLOCK, &p), 0);
    push_n(p, 0, 0, 3);
    ck_assert_int_eq(ef_queue_flush(p), 0);
    uv_run(&loop, UV_RUN_NOWAIT);
    /* Larger than the whole capacity: accepted because the queue is empty. */
    ck_assert_int_eq(ef_queue_push(p, data, (uint32_t)big), 0);
    uv_run(&loop, UV_RUN_NOWAIT);
    push_n(p, 0, 3, 2);
    ck_assert_int_eq(ef_queue_flush(p), 0);
    uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_uint_eq(rec.count, 6);
    ck_assert_uint_eq(rec.big_len, big);
    ck_assert(rec.order_ok);
    ck_assert_int_eq(ef_queue_producer_free(p), 0);
    ef_queue_close(q, NULL, NULL);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
    free(data);
}
END_TEST

/* Writes event "s<session>:<n>" into a window of p's chunk; returns what ef_buf_appendf said. */
static int window_event(struct ef_queue_producer *p, uint32_t session, uint64_t n, int *fresh)
{
    struct ef_buf w;
    int rc;

    ck_assert_int_eq(ef_queue_window(p, &w, fresh), 0);
    rc = ef_buf_appendf(&w, "s%u:%llu", session, (unsigned long long)n);
    if (rc == 0)
        ck_assert_int_eq(ef_queue_push_window(p, &w), 0);
    return rc;
}

/*
 * Events rendered in place (windows) and pushed ones mix in order; a window
 * never grows past its chunk (an append fails instead) and a full chunk is
 * published for the next window; the first window of a chunk says it is
 * the largest there is.
 */
START_TEST(windows_in_place)
{
    uv_loop_t loop;
    struct sink_rec rec = {.order_ok = 1};
    /* 16 KiB: chunks of 4 KiB, room for about 600 short events each. */
    struct ef_queue_options o = {
        .max_events = 100000, .max_bytes = 16384, .drain = record, .drain_ud = &rec};
    struct ef_queue *q;
    struct ef_queue_producer *p;
    struct ef_queue_stats st;
    struct ef_buf w;
    char big[5000];
    uint64_t n = 0;
    int fresh, i;

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(ef_queue_new(&loop, &o, &q), 0);
    ck_assert_int_eq(ef_queue_producer_new(q, 1, EF_QUEUE_BLOCK, &p), 0);
    ck_assert_int_eq(window_event(p, 1, n++, &fresh), 0);
    ck_assert_int_eq(fresh, 1);
    ck_assert_int_eq(window_event(p, 1, n++, &fresh), 0);
    ck_assert_int_eq(fresh, 0);
    push_n(p, 1, n, 3);
    n += 3;
    /* More than a chunk holds: the append fails and the window is left unqueued. */
    memset(big, 'x', sizeof(big));
    ck_assert_int_eq(ef_queue_window(p, &w, &fresh), 0);
    ck_assert_int_eq(fresh, 0);
    ck_assert_int_eq(ef_buf_append(&w, big, sizeof(big)), EF_ELIMIT);
    ck_assert_int_eq(ef_queue_flush(p), 0);
    ck_assert_int_eq(ef_queue_window(p, &w, &fresh), 0);
    ck_assert_int_eq(fresh, 1);
    ck_assert_int_eq(ef_buf_append(&w, big, sizeof(big)), EF_ELIMIT);
    /* Thousands in windows: chunks fill, are published and drained in order. */
    for (i = 0; i < 3000; i++) {
        ck_assert_int_eq(window_event(p, 1, n++, &fresh), 0);
        if (i % 200 == 0)
            uv_run(&loop, UV_RUN_NOWAIT);
    }
    ck_assert_int_eq(ef_queue_flush(p), 0);
    uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_uint_eq(rec.count, n);
    ck_assert(rec.order_ok);
    ef_queue_get_stats(q, &st);
    ck_assert_uint_eq(st.accepted, n);
    ck_assert_uint_eq(st.events, 0);
    ck_assert_int_eq(ef_queue_producer_free(p), 0);
    ef_queue_close(q, NULL, NULL);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
}
END_TEST

struct fill_arg {
    size_t len; /* bytes the event takes */
    int rc;     /* returned instead, when not 0 */
    int calls;
};

static int fill_n(void *ud, struct ef_buf *win)
{
    struct fill_arg *f = ud;
    char ev[5000];

    f->calls++;
    if (f->rc)
        return f->rc;
    memset(ev, 'e', f->len);
    return ef_buf_append(win, ev, f->len);
}

/*
 * ef_queue_append: an event that fits is queued in place at the first try;
 * one that does not fit the chunk's rest is tried once more in a fresh
 * chunk (after the full one is published); one larger than a whole chunk
 * is handed back (0); fill's own errors come back as they are.
 */
START_TEST(append_retries_once_in_fresh_chunk)
{
    uv_loop_t loop;
    struct sink_rec rec = {.order_ok = 1};
    struct ef_queue_options o = {
        .max_events = 1000, .max_bytes = 16384, .drain = record, .drain_ud = &rec};
    struct ef_queue *q;
    struct ef_queue_producer *p;
    struct ef_queue_stats st;
    struct fill_arg f = {.len = 100};

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(ef_queue_new(&loop, &o, &q), 0);
    ck_assert_int_eq(ef_queue_producer_new(q, 1, EF_QUEUE_BLOCK, &p), 0);
    ck_assert_int_eq(ef_queue_append(p, fill_n, &f), 1);
    ck_assert_int_eq(f.calls, 1);
    /* 4 KiB chunks: 4000 bytes do not fit behind the first 100 but fit a fresh chunk. */
    f = (struct fill_arg){.len = 4000};
    ck_assert_int_eq(ef_queue_append(p, fill_n, &f), 1);
    ck_assert_int_eq(f.calls, 2);
    f = (struct fill_arg){.len = 5000};
    ck_assert_int_eq(ef_queue_append(p, fill_n, &f), 0);
    ck_assert_int_le(f.calls, 2);
    f = (struct fill_arg){.rc = EF_EIO};
    ck_assert_int_eq(ef_queue_append(p, fill_n, &f), EF_EIO);
    ck_assert_int_eq(ef_queue_flush(p), 0);
    uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_uint_eq(rec.count, 2);
    ef_queue_get_stats(q, &st);
    ck_assert_uint_eq(st.accepted, 2);
    ck_assert_int_eq(ef_queue_producer_free(p), 0);
    ef_queue_close(q, NULL, NULL);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
}
END_TEST

/*
 * A queue on a loop that never drains, and a blocking producer thread of n
 * events started on it: returns once the producer waits, with the stats then.
 */
static void start_blocked(uv_loop_t *loop, const struct ef_queue_options *o, struct ef_queue **q,
                          struct prod_arg *a, uint64_t n, uv_thread_t *t, struct ef_queue_stats *st)
{
    ck_assert_int_eq(uv_loop_init(loop), 0);
    ck_assert_int_eq(ef_queue_new(loop, o, q), 0);
    *a = (struct prod_arg){*q, 0, n, EF_QUEUE_BLOCK, 0, {0}};
    ck_assert_int_eq(uv_thread_create(t, producer_thread, a), 0);
    /* Wait (without sleeping) until the producer blocks. */
    do {
        ef_queue_get_stats(*q, st);
    } while (st->blocked == 0);
}

START_TEST(cancel_wakes_blocked_producer)
{
    uv_loop_t loop;
    struct sink_rec rec = {.order_ok = 1};
    struct ef_queue_options o = {.max_events = 8, .drain = record, .drain_ud = &rec};
    struct ef_queue *q;
    struct prod_arg a;
    uv_thread_t t;
    struct ef_queue_stats st;

    start_blocked(&loop, &o, &q, &a, 1000, &t, &st);
    ef_queue_cancel(q);
    uv_thread_join(&t);
    ck_assert_int_eq(a.last_rc, EF_ECANCELED);
    /* A blocking producer waits at a quarter of 8, raised to two chunks of 2. */
    ck_assert_uint_eq(a.st.accepted, 4);
    ef_queue_close(q, NULL, NULL);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
}
END_TEST

/*
 * A file replay (blocking) waits once the queue holds a quarter of its
 * capacity, so a real-time session (dropping) sharing the queue still finds
 * the other three quarters free, and drops only past the whole capacity.
 */
START_TEST(blocking_producer_leaves_room_for_dropping)
{
    uv_loop_t loop;
    struct sink_rec rec = {.order_ok = 1};
    struct ef_queue_options o = {.max_events = 4096, .drain = record, .drain_ud = &rec};
    struct ef_queue_producer *live;
    struct ef_queue_producer_stats ls;
    struct ef_queue *q;
    struct prod_arg a;
    uv_thread_t t;
    struct ef_queue_stats st;

    start_blocked(&loop, &o, &q, &a, 100000, &t, &st);
    ck_assert_uint_eq(st.events, 1024);
    ck_assert_int_eq(ef_queue_producer_new(q, 1, EF_QUEUE_DROP, &live), 0);
    push_n(live, 1, 0, 3072);
    ck_assert_int_eq(ef_queue_flush(live), 0);
    ef_queue_producer_get_stats(live, &ls);
    ck_assert_uint_eq(ls.accepted, 3072);
    ck_assert_uint_eq(ls.dropped, 0);
    /* Now the queue is full: the live session drops, counted. */
    push_n(live, 1, 3072, 512);
    ck_assert_int_eq(ef_queue_flush(live), 0);
    ef_queue_producer_get_stats(live, &ls);
    ck_assert_uint_eq(ls.dropped, 512);
    ef_queue_cancel(q);
    uv_thread_join(&t);
    ck_assert_uint_eq(a.st.accepted, 1024);
    ck_assert_int_eq(ef_queue_producer_free(live), 0);
    ef_queue_close(q, NULL, NULL);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
}
END_TEST

TCase *ef_pipeline_queue_case(void);
TCase *ef_pipeline_queue_case(void)
{
    TCase *tc = tcase_create("queue");

    tcase_add_test(tc, drop_when_full_counts);
    tcase_add_test(tc, block_when_full_two_producers);
    tcase_add_test(tc, blocking_producer_leaves_room_for_dropping);
    tcase_add_test(tc, async_drain_coalesces);
    tcase_add_test(tc, pause_and_resume_keep_order);
    tcase_add_test(tc, large_event_passes_alone);
    tcase_add_test(tc, windows_in_place);
    tcase_add_test(tc, append_retries_once_in_fresh_chunk);
    tcase_add_test(tc, cancel_wakes_blocked_producer);
    return tc;
}

/*
 * test_pipeline_sinkdrv.c - the sink driver over the fake spool with a fake
 * clock and a scripted sink: batch limits (events, bytes, age), in-flight
 * order with out-of-order completions, retries with backoff and
 * Retry-After, dead-letter contents, per-event results, stop.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "pipe_helpers.h"
#include "pipeline/sinkdrv.h"
#include "util/attr.h"
#include "util/error.h"
#include "util/log.h"

#define MAX_SENDS 64

/* The scripted sink: remembers each send; the test completes them. */
struct fsink {
    struct ef_sink *sink;
    struct ef_batch *sent[MAX_SENDS]; /* in send order */
    char *contents[MAX_SENDS];        /* the batch's events joined with '|' */
    uint64_t sent_at[MAX_SENDS];
    unsigned n_sent;
    int fail_send;           /* send returns this (0: accept) */
    unsigned n_failed_sends; /* sends that returned fail_send */
    int auto_ack;            /* complete with ACK from within send */
    int closed;
};

static struct fsink *g_fs;
static struct ef_clock g_clock;

static int fs_open(struct ef_sink *sink, const struct ef_sink_cfg *cfg, uv_loop_t *loop,
                   void **state)
{
    (void)cfg;
    (void)loop;
    g_fs->sink = sink;
    *state = g_fs;
    return 0;
}

static int fs_send(void *state, struct ef_batch *b)
{
    struct fsink *fs = state;
    size_t i, cap = b->data.len + b->count + 1, pos = 0;
    char *s;

    if (fs->fail_send) {
        fs->n_failed_sends++;
        return fs->fail_send;
    }
    ck_assert_uint_lt(fs->n_sent, MAX_SENDS);
    s = malloc(cap);
    for (i = 0; i < b->count; i++) {
        memcpy(s + pos, b->data.data + b->events[i].off, b->events[i].len);
        pos += b->events[i].len;
        if (i + 1 < b->count)
            s[pos++] = '|';
    }
    s[pos] = '\0';
    fs->contents[fs->n_sent] = s;
    fs->sent[fs->n_sent] = b;
    fs->sent_at[fs->n_sent] = ef_clock_now(&g_clock);
    fs->n_sent++;
    if (fs->auto_ack) {
        struct ef_sink_result r = {.verdict = EF_SINK_ACK};

        ef_sink_complete(fs->sink, b, &r);
    }
    return 0;
}

static void fs_close(void *state, void (*done)(struct ef_sink *sink))
{
    struct fsink *fs = state;

    fs->closed = 1;
    done(fs->sink);
}

static const struct ef_sink_ops fake_ops = {
    .type = "fake", .open = fs_open, .send = fs_send, .close = fs_close};

/* A fixture per test. */
struct fx {
    uv_loop_t loop;
    struct ef_spool *sp;
    struct fsink fs;
    struct ef_sink *s;
    char dir[1024];
    char dl_dir[1100];
    uint64_t rand_value;
    int stopped;
    /* What on_health said, in order: 'F' failing / 'R' recovered, with its attempts and reason. */
    char health[16];
    uint64_t health_attempts[16];
    char health_reason[16][64];
    unsigned n_health;
};

static void record_health(void *ud, const char *sink, int failing, uint64_t attempts,
                          const char *reason)
{
    struct fx *x = ud;

    ck_assert_str_eq(sink, "siem");
    ck_assert_uint_lt(x->n_health, 15);
    x->health[x->n_health] = failing ? 'F' : 'R';
    x->health_attempts[x->n_health] = attempts;
    snprintf(x->health_reason[x->n_health], sizeof(x->health_reason[0]), "%s", reason);
    x->health[++x->n_health] = '\0';
}

static uint64_t fixed_rand(void *ud)
{
    return ((struct fx *)ud)->rand_value;
}

static void fx_open(struct fx *x, uint64_t max_events, uint64_t max_bytes, uint64_t max_age,
                    unsigned in_flight)
{
    struct ef_sinkdrv_options o = {0};

    memset(x, 0, sizeof(*x));
    ck_assert_int_eq(uv_loop_init(&x->loop), 0);
    ef_clock_init_fake(&g_clock, 1000);
    x->sp = th_spool_new(2);
    g_fs = &x->fs;
    th_mkdtemp(x->dir, sizeof(x->dir));
    snprintf(x->dl_dir, sizeof(x->dl_dir), "%s/dead-letter", x->dir);
    o.name = "siem";
    o.spool_index = 1;
    o.ops = &fake_ops;
    o.max_events = max_events;
    o.max_bytes = max_bytes;
    o.max_age_ms = max_age;
    o.in_flight = in_flight;
    ef_backoff_init(&o.backoff, 1);
    o.backoff.rand = fixed_rand;
    o.backoff.rand_ud = x;
    x->rand_value = UINT64_MAX;
    o.dead_letter_dir = x->dl_dir;
    o.on_health = record_health;
    o.health_ud = x;
    ck_assert_int_eq(ef_sinkdrv_open(&x->loop, &g_clock, x->sp, &o, &x->s), 0);
}

static void on_stopped(void *ud)
{
    ((struct fx *)ud)->stopped = 1;
}

static int is_stopped(void *ud)
{
    return ((struct fx *)ud)->stopped;
}

static void fx_close(struct fx *x)
{
    unsigned i;

    ef_sinkdrv_stop(x->s, on_stopped, x);
    ck_assert(th_run_until(&x->loop, is_stopped, x, 1000));
    ck_assert(x->fs.closed);
    ef_clock_close(&g_clock, NULL);
    ck_assert_int_eq(th_loop_fini(&x->loop), 0);
    for (i = 0; i < x->fs.n_sent; i++)
        free(x->fs.contents[i]);
    th_spool_free(x->sp);
    th_rmtree(x->dir);
}

static void append_n(struct fx *x, int from, int n)
{
    char ev[64];
    int i;

    for (i = from; i < from + n; i++) {
        int len = snprintf(ev, sizeof(ev), "{\"n\":%d}", i);

        th_spool_append(x->sp, ev, (uint32_t)len);
    }
    ef_sinkdrv_notify(x->s);
}

static void complete(struct fx *x, unsigned i, int verdict, uint64_t retry_after,
                     const char *reason)
{
    struct ef_sink_result r = {.verdict = verdict, .retry_after_ms = retry_after, .reason = reason};

    ef_sink_complete(x->s, x->fs.sent[i], &r);
}

static struct ef_sink_stats stats(struct fx *x)
{
    struct ef_sink_stats st;

    ef_sinkdrv_get_stats(x->s, &st);
    return st;
}

START_TEST(batch_by_events)
{
    struct fx x;

    fx_open(&x, 10, 1 << 20, 1000, 1);
    append_n(&x, 1, 25);
    ck_assert_uint_eq(x.fs.n_sent, 1);
    ck_assert_uint_eq(x.fs.sent[0]->count, 10);
    ck_assert_str_eq(x.fs.contents[0], "{\"n\":1}|{\"n\":2}|{\"n\":3}|{\"n\":4}|{\"n\":5}|"
                                       "{\"n\":6}|{\"n\":7}|{\"n\":8}|{\"n\":9}|{\"n\":10}");
    complete(&x, 0, EF_SINK_ACK, 0, NULL);
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 10);
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 0), 0); /* the other sink's cursor is its own */
    ck_assert_uint_eq(x.fs.n_sent, 2);
    complete(&x, 1, EF_SINK_ACK, 0, NULL);
    /* Five left: not full, so they wait for max_age from when they arrived (t=1000). */
    ck_assert_uint_eq(x.fs.n_sent, 2);
    ef_clock_advance(&g_clock, 999);
    ck_assert_uint_eq(x.fs.n_sent, 2);
    ef_clock_advance(&g_clock, 1);
    ck_assert_uint_eq(x.fs.n_sent, 3);
    ck_assert_uint_eq(x.fs.sent[2]->count, 5);
    ck_assert_uint_eq(x.fs.sent_at[2], 2000);
    complete(&x, 2, EF_SINK_ACK, 0, NULL);
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 25);
    ck_assert_uint_eq(stats(&x).acked, 25);
    ck_assert_uint_eq(stats(&x).sent_batches, 3);
    ck_assert_uint_eq(stats(&x).backlog, 0);
    ck_assert_uint_eq(stats(&x).last_delivery_ms, 2000);
    fx_close(&x);
}
END_TEST

START_TEST(batch_by_bytes)
{
    struct fx x;
    char ev[100];
    int i;

    fx_open(&x, 1000, 350, 1000, 1);
    memset(ev, 'a', sizeof(ev));
    for (i = 0; i < 7; i++)
        th_spool_append(x.sp, ev, sizeof(ev));
    ef_sinkdrv_notify(x.s);
    /* 3 x 100 bytes fit in 350, a fourth would not. */
    ck_assert_uint_eq(x.fs.n_sent, 1);
    ck_assert_uint_eq(x.fs.sent[0]->count, 3);
    ck_assert_uint_eq(x.fs.sent[0]->data.len, 300);
    complete(&x, 0, EF_SINK_ACK, 0, NULL);
    ck_assert_uint_eq(x.fs.n_sent, 2);
    ck_assert_uint_eq(x.fs.sent[1]->count, 3);
    ck_assert_uint_eq(x.fs.sent[1]->events[0].seq, 4);
    complete(&x, 1, EF_SINK_ACK, 0, NULL);
    ck_assert_uint_eq(x.fs.n_sent, 2); /* one event left, waiting for its age */
    ef_clock_advance(&g_clock, 1000);
    ck_assert_uint_eq(x.fs.n_sent, 3);
    ck_assert_uint_eq(x.fs.sent[2]->count, 1);
    complete(&x, 2, EF_SINK_ACK, 0, NULL);
    ck_assert_uint_eq(stats(&x).acked_bytes, 700);
    fx_close(&x);
}
END_TEST

START_TEST(batch_by_age_counts_from_first_event)
{
    struct fx x;

    fx_open(&x, 100, 1 << 20, 1000, 1);
    append_n(&x, 1, 1);
    ef_clock_advance(&g_clock, 600);
    append_n(&x, 2, 1);
    ck_assert_uint_eq(x.fs.n_sent, 0);
    ef_clock_advance(&g_clock, 399);
    ck_assert_uint_eq(x.fs.n_sent, 0);
    ef_clock_advance(&g_clock, 1);
    ck_assert_uint_eq(x.fs.n_sent, 1);
    ck_assert_str_eq(x.fs.contents[0], "{\"n\":1}|{\"n\":2}");
    complete(&x, 0, EF_SINK_ACK, 0, NULL);
    /* Nothing more: no timer keeps firing sends. */
    ef_clock_advance(&g_clock, 10000);
    ck_assert_uint_eq(x.fs.n_sent, 1);
    fx_close(&x);
}
END_TEST

START_TEST(in_flight_keeps_order)
{
    struct fx x;

    fx_open(&x, 2, 1 << 20, 1000, 3);
    append_n(&x, 1, 8);
    ck_assert_uint_eq(x.fs.n_sent, 3); /* three slots */
    ck_assert_uint_eq(stats(&x).in_flight, 3);
    complete(&x, 2, EF_SINK_ACK, 0, NULL);
    complete(&x, 1, EF_SINK_ACK, 0, NULL);
    /* The oldest is not done: the cursor stays, no slot frees. */
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 0);
    ck_assert_uint_eq(th_spool_acks(x.sp), 0);
    ck_assert_uint_eq(x.fs.n_sent, 3);
    complete(&x, 0, EF_SINK_ACK, 0, NULL);
    /* All three retire together, with one cursor update. */
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 6);
    ck_assert_uint_eq(th_spool_acks(x.sp), 1);
    ck_assert_uint_eq(x.fs.n_sent, 4);
    ck_assert_str_eq(x.fs.contents[3], "{\"n\":7}|{\"n\":8}");
    complete(&x, 3, EF_SINK_ACK, 0, NULL);
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 8);
    fx_close(&x);
}
END_TEST

START_TEST(synchronous_ack_from_send)
{
    struct fx x;

    fx_open(&x, 10, 1 << 20, 1000, 2);
    x.fs.auto_ack = 1;
    append_n(&x, 1, 95);
    /* Every full batch went out and was acknowledged within send. */
    ck_assert_uint_eq(x.fs.n_sent, 9);
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 90);
    ef_clock_advance(&g_clock, 1000);
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 95);
    fx_close(&x);
}
END_TEST

START_TEST(retry_backoff_bounds)
{
    struct fx x;
    uint64_t want[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
    unsigned i;

    fx_open(&x, 10, 1 << 20, 1000, 1);
    /* rand() % (ceiling + 1) with rand = ceiling: every delay is its ceiling. */
    append_n(&x, 1, 10);
    for (i = 0; i < EF_ARRAY_LEN(want); i++) {
        uint64_t t0;

        x.rand_value = want[i];
        t0 = ef_clock_now(&g_clock);
        complete(&x, i, EF_SINK_RETRY, 0, "503 busy");
        ck_assert_uint_eq(stats(&x).waiting_retry, 1);
        ef_clock_advance(&g_clock, want[i] - 1);
        ck_assert_uint_eq(x.fs.n_sent, i + 1);
        ef_clock_advance(&g_clock, 1);
        ck_assert_uint_eq(x.fs.n_sent, i + 2);
        ck_assert_uint_eq(x.fs.sent_at[i + 1] - t0, want[i]);
        ck_assert_str_eq(x.fs.contents[i + 1], x.fs.contents[0]);
        ck_assert_uint_eq(x.fs.sent[i + 1]->attempts, i + 1);
    }
    /* A random value within the ceiling gives that delay (full jitter). */
    x.rand_value = 12345;
    complete(&x, i, EF_SINK_RETRY, 0, NULL);
    ef_clock_advance(&g_clock, 12345);
    ck_assert_uint_eq(x.fs.n_sent, i + 2);
    complete(&x, i + 1, EF_SINK_ACK, 0, NULL);
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 10);
    ck_assert_uint_eq(stats(&x).retried, 10 * (i + 1));
    ck_assert_uint_eq(stats(&x).retried_batches, i + 1);
    ck_assert_uint_eq(stats(&x).acked, 10);
    fx_close(&x);
}
END_TEST

START_TEST(retry_after_wins_and_is_capped)
{
    struct fx x;

    fx_open(&x, 10, 1 << 20, 1000, 1);
    append_n(&x, 1, 10);
    complete(&x, 0, EF_SINK_RETRY, 7000, "429");
    ef_clock_advance(&g_clock, 6999);
    ck_assert_uint_eq(x.fs.n_sent, 1);
    ef_clock_advance(&g_clock, 1);
    ck_assert_uint_eq(x.fs.n_sent, 2);
    /* A day of Retry-After is cut to the cap (300 s). */
    complete(&x, 1, EF_SINK_RETRY, 86400000, "429");
    ef_clock_advance(&g_clock, EF_BACKOFF_RETRY_AFTER_CAP_MS - 1);
    ck_assert_uint_eq(x.fs.n_sent, 2);
    ef_clock_advance(&g_clock, 1);
    ck_assert_uint_eq(x.fs.n_sent, 3);
    complete(&x, 2, EF_SINK_ACK, 0, NULL);
    fx_close(&x);
}
END_TEST

START_TEST(send_error_is_retried)
{
    struct fx x;

    fx_open(&x, 10, 1 << 20, 1000, 1);
    x.fs.fail_send = EF_ECONN;
    x.rand_value = 1000;
    append_n(&x, 1, 10);
    ck_assert_uint_eq(x.fs.n_sent, 0);
    ck_assert_uint_eq(stats(&x).waiting_retry, 1);
    x.fs.fail_send = 0;
    ef_clock_advance(&g_clock, 1000);
    ck_assert_uint_eq(x.fs.n_sent, 1);
    complete(&x, 0, EF_SINK_ACK, 0, NULL);
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 10);
    fx_close(&x);
}
END_TEST

struct cursor_wait {
    struct fx *x;
    uint64_t want;
};

static int cursor_at(void *ud)
{
    struct cursor_wait *w = ud;

    return ef_spool_cursor(w->x->sp, 1) >= w->want;
}

START_TEST(reject_goes_to_dead_letter)
{
    struct fx x;
    struct cursor_wait w = {&x, 3};
    char path[2048];
    char *text;
    size_t len;

    fx_open(&x, 3, 1 << 20, 1000, 1);
    append_n(&x, 1, 3);
    complete(&x, 0, EF_SINK_REJECT, 0, "400 \"bad\" mapping\n");
    /* The cursor waits for the dead-letter file to be durable. */
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 0);
    ck_assert(th_run_until(&x.loop, cursor_at, &w, 1000));
    snprintf(path, sizeof(path), "%s/siem.ndjson", x.dl_dir);
    text = th_read_file(path, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "{\"reason\":\"400 \\\"bad\\\" mapping\\u000a\",\"event\":{\"n\":1}}\n"
                           "{\"reason\":\"400 \\\"bad\\\" mapping\\u000a\",\"event\":{\"n\":2}}\n"
                           "{\"reason\":\"400 \\\"bad\\\" mapping\\u000a\",\"event\":{\"n\":3}}\n");
    free(text);
    ck_assert_uint_eq(stats(&x).dead_lettered, 3);
    ck_assert_uint_eq(stats(&x).acked, 0);
    fx_close(&x);
}
END_TEST

static int retry_waiting(void *ud)
{
    return stats(ud).waiting_retry > 0;
}

START_TEST(per_event_results)
{
    struct fx x;
    struct cursor_wait w = {&x, 4};
    static const uint8_t v1[] = {EF_SINK_ACK, EF_SINK_RETRY, EF_SINK_REJECT, EF_SINK_RETRY};
    static const char *const why[] = {NULL, "busy", "mapper_parsing_exception", "busy"};
    struct ef_sink_result r = {.per_event = v1, .per_event_reason = why, .reason = "partial"};
    char path[2048];
    char *text;
    size_t len;

    fx_open(&x, 4, 1 << 20, 1000, 1);
    x.rand_value = 1000;
    append_n(&x, 1, 4);
    ef_sink_complete(x.s, x.fs.sent[0], &r);
    /* The rejected event is written, then only the RETRY ones go again. */
    /* Bounded: a driver that never schedules the retry fails here, not at Check's timeout. */
    ck_assert(th_run_until(&x.loop, retry_waiting, &x, 1000));
    ef_clock_advance(&g_clock, 1000);
    ck_assert_uint_eq(x.fs.n_sent, 2);
    ck_assert_str_eq(x.fs.contents[1], "{\"n\":2}|{\"n\":4}");
    ck_assert_uint_eq(x.fs.sent[1]->events[0].seq, 2);
    ck_assert_uint_eq(x.fs.sent[1]->events[1].seq, 4);
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 0);
    complete(&x, 1, EF_SINK_ACK, 0, NULL);
    ck_assert(th_run_until(&x.loop, cursor_at, &w, 1000));
    snprintf(path, sizeof(path), "%s/siem.ndjson", x.dl_dir);
    text = th_read_file(path, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "{\"reason\":\"mapper_parsing_exception\",\"event\":{\"n\":3}}\n");
    free(text);
    ck_assert_uint_eq(stats(&x).acked, 3);
    ck_assert_uint_eq(stats(&x).dead_lettered, 1);
    ck_assert_uint_eq(stats(&x).retried, 2);
    fx_close(&x);
}
END_TEST

START_TEST(stop_abandons_pending_retry)
{
    struct fx x;

    fx_open(&x, 5, 1 << 20, 1000, 2);
    append_n(&x, 1, 10);
    complete(&x, 0, EF_SINK_ACK, 0, NULL);
    complete(&x, 1, EF_SINK_RETRY, 0, "down");
    ck_assert_uint_eq(stats(&x).waiting_retry, 1);
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 5);
    /* The retried events stay in the spool for the next start. */
    fx_close(&x);
}
END_TEST

START_TEST(spool_read_error_is_survived)
{
    struct fx x;

    fx_open(&x, 5, 1 << 20, 1000, 1);
    th_spool_fail_reads(x.sp, EF_EIO);
    append_n(&x, 1, 5);
    ck_assert_uint_eq(x.fs.n_sent, 0);
    th_spool_fail_reads(x.sp, 0);
    ef_sinkdrv_notify(x.s);
    ck_assert_uint_eq(x.fs.n_sent, 1);
    complete(&x, 0, EF_SINK_ACK, 0, NULL);
    fx_close(&x);
}
END_TEST

/* Fails the batch's latest send with reason and lets its backoff pass, so it is sent again. */
static void fail_and_wait(struct fx *x, const char *reason)
{
    unsigned n = x->fs.n_sent;

    complete(x, n - 1, EF_SINK_RETRY, 0, reason);
    ck_assert_uint_eq(stats(x).waiting_retry, 1);
    ef_clock_advance(&g_clock, EF_BACKOFF_MAX_MS);
    ck_assert_uint_eq(x->fs.n_sent, n + 1);
}

/*
 * A receiver that refuses and then accepts: exactly one "failing" after
 * EF_SINKDRV_FAILING_AFTER (5) failed attempts in a row, however long the
 * refusal lasts, with the last reason; one "recovered" at the first
 * acceptance; nothing while it keeps accepting; a new episode is told again.
 */
START_TEST(health_failing_once_then_recovered)
{
    struct fx x;
    char reason[32];
    int i;

    fx_open(&x, 5, 1 << 20, 1000, 1);
    append_n(&x, 1, 5);
    ck_assert_uint_eq(x.fs.n_sent, 1);
    for (i = 1; i <= 4; i++) {
        snprintf(reason, sizeof(reason), "HTTP 503 #%d", i);
        fail_and_wait(&x, reason);
    }
    ck_assert_uint_eq(x.n_health, 0); /* 4 failures: not yet */
    fail_and_wait(&x, "HTTP 503 #5");
    ck_assert_str_eq(x.health, "F");
    ck_assert_uint_eq(x.health_attempts[0], 5);
    ck_assert_str_eq(x.health_reason[0], "HTTP 503 #5");
    for (i = 6; i <= 9; i++)
        fail_and_wait(&x, "HTTP 503");
    ck_assert_str_eq(x.health, "F"); /* once per episode */
    complete(&x, x.fs.n_sent - 1, EF_SINK_ACK, 0, NULL);
    ck_assert_str_eq(x.health, "FR");
    ck_assert_uint_eq(x.health_attempts[1], 9);
    ck_assert_str_eq(x.health_reason[1], "");
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 5);

    /* Accepted again and again: nothing more. One failure alone is no episode either. */
    append_n(&x, 6, 5);
    complete(&x, x.fs.n_sent - 1, EF_SINK_ACK, 0, NULL);
    append_n(&x, 11, 5);
    fail_and_wait(&x, "HTTP 503");
    complete(&x, x.fs.n_sent - 1, EF_SINK_ACK, 0, NULL);
    ck_assert_str_eq(x.health, "FR");

    /* A second episode, of sends that do not even start (connection refused). */
    append_n(&x, 16, 5);
    x.fs.fail_send = EF_ECONN;
    complete(&x, x.fs.n_sent - 1, EF_SINK_RETRY, 0, "HTTP 502");
    for (i = 0; i < 4; i++)
        ef_clock_advance(&g_clock, EF_BACKOFF_MAX_MS);
    ck_assert_uint_ge(x.fs.n_failed_sends, 4);
    ck_assert_str_eq(x.health, "FRF");
    ck_assert_uint_eq(x.health_attempts[2], 5);
    ck_assert_str_eq(x.health_reason[2], ef_strerror(EF_ECONN));
    x.fs.fail_send = 0;
    ef_clock_advance(&g_clock, EF_BACKOFF_MAX_MS);
    complete(&x, x.fs.n_sent - 1, EF_SINK_ACK, 0, NULL);
    ck_assert_str_eq(x.health, "FRFR");
    /* Every failed attempt of the episode: the 502 and each send that did not start. */
    ck_assert_uint_eq(x.health_attempts[3], 1 + x.fs.n_failed_sends);
    ck_assert_uint_eq(ef_spool_cursor(x.sp, 1), 20);
    fx_close(&x);
}
END_TEST

/* A receiver that answers by rejecting events (dead-letter) is delivering: it ends an episode. */
START_TEST(health_reject_is_an_answer)
{
    struct fx x;
    struct cursor_wait w = {&x, 5};
    int i;

    fx_open(&x, 5, 1 << 20, 1000, 1);
    append_n(&x, 1, 5);
    for (i = 0; i < 5; i++)
        fail_and_wait(&x, "timeout");
    ck_assert_str_eq(x.health, "F");
    complete(&x, x.fs.n_sent - 1, EF_SINK_REJECT, 0, "HTTP 400");
    ck_assert_str_eq(x.health, "FR");
    ck_assert(th_run_until(&x.loop, cursor_at, &w, 1000));
    ck_assert_str_eq(x.health, "FR");
    fx_close(&x);
}
END_TEST

/* The sink driver's log lines about "siem", captured through ef_log_set_hook. */
static char g_lines[16][256];
static unsigned g_n_lines;

static void capture_line(void *ud, const char *line, size_t len)
{
    const char *at = strstr(line, "siem: ");

    (void)ud;
    (void)len;
    if (!at || strstr(line, "[sink]") == NULL)
        return;
    ck_assert_uint_lt(g_n_lines, 16);
    snprintf(g_lines[g_n_lines], sizeof(g_lines[0]), "%s", at);
    g_lines[g_n_lines][strcspn(g_lines[g_n_lines], "\r\n")] = '\0';
    g_n_lines++;
}

/*
 * An outage logs its first failed attempt, then at most one line per
 * EF_SINKDRV_FAIL_LOG_MS (60 s) of the outage, and one line at recovery.
 * The receiver asks for a retry every 10 s (Retry-After), so attempt k
 * fails at 10 (k - 1) s: the lines come at attempts 1, 7 (60 s after the
 * first line) and 13 (120 s), and the ACK of attempt 16 comes at 150 s,
 * all worked out by hand. The stats say how long the sink has failed.
 */
START_TEST(failure_log_is_bounded_through_an_outage)
{
    struct fx x;
    char reason[32];
    int k;

    g_n_lines = 0;
    fx_open(&x, 5, 1 << 20, 1000, 1);
    ef_log_set_hook(capture_line, NULL);
    append_n(&x, 1, 5);
    for (k = 1; k <= 15; k++) {
        snprintf(reason, sizeof(reason), "HTTP 503 #%d", k);
        complete(&x, x.fs.n_sent - 1, EF_SINK_RETRY, 10000, reason);
        ck_assert_uint_eq(stats(&x).failed_attempts, (uint64_t)k);
        ck_assert_uint_eq(stats(&x).failing_since_ms, 1000);
        ef_clock_advance(&g_clock, 10000);
        ck_assert_uint_eq(x.fs.n_sent, (unsigned)k + 1);
    }
    ck_assert_uint_eq(g_n_lines, 3);
    ck_assert_str_eq(g_lines[0],
                     "siem: delivery failed: HTTP 503 #1 (the events stay in the spool and are "
                     "retried)");
    ck_assert_str_eq(g_lines[1],
                     "siem: still failing: 7 attempts failed over 60 s, the last: HTTP 503 #7");
    ck_assert_str_eq(g_lines[2],
                     "siem: still failing: 13 attempts failed over 120 s, the last: HTTP 503 #13");
    complete(&x, x.fs.n_sent - 1, EF_SINK_ACK, 0, NULL);
    ck_assert_uint_eq(g_n_lines, 4);
    ck_assert_str_eq(g_lines[3], "siem: delivers again after 15 failed attempts over 150 s");
    ck_assert_uint_eq(stats(&x).failed_attempts, 0);
    ck_assert_uint_eq(stats(&x).failing_since_ms, 0);

    /* A second, short episode: its first failure and its recovery, nothing between. */
    append_n(&x, 6, 5);
    complete(&x, x.fs.n_sent - 1, EF_SINK_RETRY, 1000, "timeout");
    ck_assert_uint_eq(stats(&x).failing_since_ms, 151000);
    ef_clock_advance(&g_clock, 1000);
    complete(&x, x.fs.n_sent - 1, EF_SINK_ACK, 0, NULL);
    ef_log_set_hook(NULL, NULL);
    ck_assert_uint_eq(g_n_lines, 6);
    ck_assert_str_eq(g_lines[4],
                     "siem: delivery failed: timeout (the events stay in the spool and are "
                     "retried)");
    ck_assert_str_eq(g_lines[5], "siem: delivers again after 1 failed attempts over 1 s");
    fx_close(&x);
}
END_TEST

TCase *ef_pipeline_sinkdrv_case(void);
TCase *ef_pipeline_sinkdrv_case(void)
{
    TCase *tc = tcase_create("sinkdrv");

    tcase_add_test(tc, batch_by_events);
    tcase_add_test(tc, batch_by_bytes);
    tcase_add_test(tc, batch_by_age_counts_from_first_event);
    tcase_add_test(tc, in_flight_keeps_order);
    tcase_add_test(tc, synchronous_ack_from_send);
    tcase_add_test(tc, retry_backoff_bounds);
    tcase_add_test(tc, retry_after_wins_and_is_capped);
    tcase_add_test(tc, send_error_is_retried);
    tcase_add_test(tc, reject_goes_to_dead_letter);
    tcase_add_test(tc, per_event_results);
    tcase_add_test(tc, stop_abandons_pending_retry);
    tcase_add_test(tc, spool_read_error_is_survived);
    tcase_add_test(tc, health_failing_once_then_recovered);
    tcase_add_test(tc, health_reject_is_an_answer);
    tcase_add_test(tc, failure_log_is_bounded_through_an_outage);
    return tc;
}

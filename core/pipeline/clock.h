/*
 * clock.h - the pipeline's injectable clock: now in milliseconds and timers.
 *
 * Batch ages, retry backoff and file rotation all wait for time to pass.
 * They do it through this clock, never through uv_timer directly, so a test
 * can use the fake clock: time stands still until the test advances it, and
 * advancing fires every timer that became due, in order, synchronously. No
 * test sleeps.
 *
 * The real clock reads uv_now() and keeps one uv_timer armed for the earliest
 * due timer. Both kinds share the timer list below: a sorted singly linked
 * list, since a pipeline has a handful of timers (one age timer and a few
 * retry timers per sink), not thousands.
 *
 * Everything here runs on the loop thread that owns the clock.
 */
#ifndef EF_PIPELINE_CLOCK_H
#define EF_PIPELINE_CLOCK_H

#include <stdint.h>
#include <uv.h>

struct ef_timer;
typedef void (*ef_timer_fn)(struct ef_timer *t);

/* A timer the caller embeds in its own struct; zero it or ef_timer_init it once. */
struct ef_timer {
    uint64_t due;
    ef_timer_fn cb;
    void *data; /* the caller's */
    struct ef_timer *next;
    int armed;
};

struct ef_clock {
    uint64_t (*now_fn)(struct ef_clock *c);
    /* Called when the earliest due time changed; the real clock re-arms its uv_timer. */
    void (*rearm_fn)(struct ef_clock *c);
    struct ef_timer *head; /* armed timers, by due time (FIFO among equal times) */
    uint64_t fake_now;
    uv_timer_t uv; /* real clock only */
    int is_real;
    void (*closed)(struct ef_clock *c);
};

/* Initializes a real clock on loop. Returns 0 or EF_ESYS. Loop thread. */
int ef_clock_init_uv(struct ef_clock *c, uv_loop_t *loop);
/* Initializes a fake clock whose time is start_ms until advanced. Any thread, once. */
void ef_clock_init_fake(struct ef_clock *c, uint64_t start_ms);
/*
 * Stops every timer and releases the clock; closed(c) is called once the
 * real clock's uv handle is closed (at once for the fake clock). closed may be NULL.
 */
void ef_clock_close(struct ef_clock *c, void (*closed)(struct ef_clock *c));

/* The clock's time in milliseconds (monotonic). Loop thread. */
uint64_t ef_clock_now(struct ef_clock *c);

void ef_timer_init(struct ef_timer *t, ef_timer_fn cb, void *data);
/* Arms t to fire once after delay_ms (re-arms it if armed). Loop thread. */
void ef_timer_start(struct ef_clock *c, struct ef_timer *t, uint64_t delay_ms);
/* Disarms t; harmless if it is not armed. Loop thread. */
void ef_timer_stop(struct ef_clock *c, struct ef_timer *t);

/* Fake clock: moves time forward by ms, firing due timers in order as time passes. */
void ef_clock_advance(struct ef_clock *c, uint64_t ms);
/* Fires every timer due at the current time (both kinds). Returns how many fired. */
unsigned ef_clock_fire_due(struct ef_clock *c);
/* The due time of the earliest armed timer, or UINT64_MAX. */
uint64_t ef_clock_next_due(const struct ef_clock *c);

#endif

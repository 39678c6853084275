/*
 * test_pipeline_clock.c - the fake and real clocks' timers, and the
 * full-jitter backoff.
 */
#include "runner.h"

#include <stdint.h>
#include <uv.h>

#include "pipe_helpers.h"
#include "pipeline/backoff.h"
#include "pipeline/clock.h"
#include "util/attr.h"

struct fired {
    int order[8];
    int n;
    uint64_t at[8];
    struct ef_clock *c;
};

struct tagged {
    struct ef_timer t;
    struct fired *f;
    int tag;
    int rearm_ms; /* > 0: re-arms itself once */
};

static void on_fire(struct ef_timer *t)
{
    struct tagged *x = t->data;

    x->f->at[x->f->n] = ef_clock_now(x->f->c);
    x->f->order[x->f->n++] = x->tag;
    if (x->rearm_ms > 0) {
        ef_timer_start(x->f->c, &x->t, (uint64_t)x->rearm_ms);
        x->rearm_ms = 0;
    }
}

START_TEST(fake_clock_fires_in_order)
{
    struct ef_clock c;
    struct fired f = {.c = &c};
    struct tagged a = {.f = &f, .tag = 1}, b = {.f = &f, .tag = 2}, d = {.f = &f, .tag = 3},
                  e = {.f = &f, .tag = 4, .rearm_ms = 50};

    ef_clock_init_fake(&c, 100);
    ef_timer_init(&a.t, on_fire, &a);
    ef_timer_init(&b.t, on_fire, &b);
    ef_timer_init(&d.t, on_fire, &d);
    ef_timer_init(&e.t, on_fire, &e);
    ef_timer_start(&c, &a.t, 300); /* due at 400 */
    ef_timer_start(&c, &b.t, 100); /* 200 */
    ef_timer_start(&c, &d.t, 300); /* 400, after a; stopped below */
    ef_timer_start(&c, &e.t, 200); /* 300, then re-arms for 350 */
    ck_assert_uint_eq(ef_clock_next_due(&c), 200);
    ef_clock_advance(&c, 99);
    ck_assert_int_eq(f.n, 0);
    ef_clock_advance(&c, 1);
    ck_assert_int_eq(f.n, 1);
    ck_assert_int_eq(f.order[0], 2);
    ck_assert_uint_eq(f.at[0], 200);
    ef_timer_stop(&c, &d.t);
    ef_timer_stop(&c, &d.t); /* harmless twice */
    ef_clock_advance(&c, 1000);
    ck_assert_int_eq(f.n, 4);
    ck_assert_int_eq(f.order[1], 4);
    ck_assert_uint_eq(f.at[1], 300);
    ck_assert_int_eq(f.order[2], 4); /* its re-arming, 50 later */
    ck_assert_uint_eq(f.at[2], 350);
    ck_assert_int_eq(f.order[3], 1);
    ck_assert_uint_eq(f.at[3], 400);
    ck_assert_uint_eq(ef_clock_now(&c), 1200);
    ck_assert_uint_eq(ef_clock_next_due(&c), UINT64_MAX);
    ef_clock_close(&c, NULL);
}
END_TEST

static int fired_two(void *ud)
{
    return ((struct fired *)ud)->n >= 2;
}

START_TEST(real_clock_fires)
{
    uv_loop_t loop;
    struct ef_clock c;
    struct fired f = {.c = &c};
    struct tagged a = {.f = &f, .tag = 1}, b = {.f = &f, .tag = 2};

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(ef_clock_init_uv(&c, &loop), 0);
    ef_timer_init(&a.t, on_fire, &a);
    ef_timer_init(&b.t, on_fire, &b);
    /* b first: a's due time is then later than b's however long the host stalls between. */
    ef_timer_start(&c, &b.t, 0);
    ef_timer_start(&c, &a.t, 5);
    /* The clock's handle is unreferenced: keep the loop alive with run ONCE + timers. */
    uv_ref((uv_handle_t *)&c.uv);
    ck_assert(th_run_until(&loop, fired_two, &f, 100000));
    ck_assert_int_eq(f.order[0], 2);
    ck_assert_int_eq(f.order[1], 1);
    ef_clock_close(&c, NULL);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
}
END_TEST

struct ceiling_case {
    uint64_t base, max;
    unsigned attempt;
    uint64_t want;
};

static const struct ceiling_case ceilings[] = {
    {1000, 60000, 0, 1000},
    {1000, 60000, 1, 1000},
    {1000, 60000, 2, 2000},
    {1000, 60000, 6, 32000},
    {1000, 60000, 7, 60000},
    {1000, 60000, 1000, 60000},
    {1000, 60000, 4000000000u, 60000},
    {250, 1000, 3, 1000},
    {5000, 5000, 2, 5000},
};

START_TEST(backoff_ceiling_table)
{
    const struct ceiling_case *c = &ceilings[_i];
    struct ef_backoff b;

    ef_backoff_init(&b, 7);
    b.base_ms = c->base;
    b.max_ms = c->max;
    ck_assert_uint_eq(ef_backoff_ceiling(&b, c->attempt), c->want);
}
END_TEST

START_TEST(backoff_jitter_within_bounds)
{
    struct ef_backoff b;
    uint64_t lo = UINT64_MAX, hi = 0;
    unsigned attempt, i;

    ef_backoff_init(&b, 42);
    for (attempt = 1; attempt <= 10; attempt++) {
        uint64_t ceil = ef_backoff_ceiling(&b, attempt);

        lo = UINT64_MAX;
        hi = 0;
        for (i = 0; i < 2000; i++) {
            uint64_t d = ef_backoff_delay(&b, attempt, 0);

            ck_assert_uint_le(d, ceil);
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
        /* Full jitter spreads over the whole range. */
        ck_assert_uint_lt(lo, ceil / 10);
        ck_assert_uint_gt(hi, ceil - ceil / 10);
    }
    ck_assert_uint_eq(ef_backoff_delay(&b, 3, 2500), 2500);
    ck_assert_uint_eq(ef_backoff_delay(&b, 3, 10000000), EF_BACKOFF_RETRY_AFTER_CAP_MS);
}
END_TEST

TCase *ef_pipeline_clock_case(void);
TCase *ef_pipeline_clock_case(void)
{
    TCase *tc = tcase_create("clock");

    tcase_add_test(tc, fake_clock_fires_in_order);
    tcase_add_test(tc, real_clock_fires);
    tcase_add_loop_test(tc, backoff_ceiling_table, 0, (int)EF_ARRAY_LEN(ceilings));
    tcase_add_test(tc, backoff_jitter_within_bounds);
    return tc;
}

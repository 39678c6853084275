/*
 * clock.c - the real (uv_now + one uv_timer) and fake (advanced by hand)
 * pipeline clocks over one sorted timer list. See clock.h.
 */
#include "pipeline/clock.h"

#include <stddef.h>

#include "util/error.h"

static uint64_t real_now(struct ef_clock *c)
{
    uv_update_time(c->uv.loop);
    return uv_now(c->uv.loop);
}

static uint64_t fake_now(struct ef_clock *c)
{
    return c->fake_now;
}

static void on_uv_timer(uv_timer_t *h)
{
    struct ef_clock *c = h->data;

    ef_clock_fire_due(c);
}

static void real_rearm(struct ef_clock *c)
{
    uint64_t now, due;

    if (!c->head) {
        uv_timer_stop(&c->uv);
        return;
    }
    now = uv_now(c->uv.loop);
    due = c->head->due;
    uv_timer_start(&c->uv, on_uv_timer, due > now ? due - now : 0, 0);
}

static void fake_rearm(struct ef_clock *c)
{
    (void)c;
}

int ef_clock_init_uv(struct ef_clock *c, uv_loop_t *loop)
{
    c->now_fn = real_now;
    c->rearm_fn = real_rearm;
    c->head = NULL;
    c->fake_now = 0;
    c->is_real = 1;
    c->closed = NULL;
    if (uv_timer_init(loop, &c->uv) != 0)
        return EF_ESYS;
    c->uv.data = c;
    /* The clock's own timer must not keep a loop alive that has nothing else to do. */
    uv_unref((uv_handle_t *)&c->uv);
    return 0;
}

void ef_clock_init_fake(struct ef_clock *c, uint64_t start_ms)
{
    c->now_fn = fake_now;
    c->rearm_fn = fake_rearm;
    c->head = NULL;
    c->fake_now = start_ms;
    c->is_real = 0;
    c->closed = NULL;
}

static void on_uv_closed(uv_handle_t *h)
{
    struct ef_clock *c = h->data;

    if (c->closed)
        c->closed(c);
}

void ef_clock_close(struct ef_clock *c, void (*closed)(struct ef_clock *c))
{
    while (c->head) {
        c->head->armed = 0;
        c->head = c->head->next;
    }
    c->closed = closed;
    if (c->is_real) {
        uv_close((uv_handle_t *)&c->uv, on_uv_closed);
        return;
    }
    if (closed)
        closed(c);
}

uint64_t ef_clock_now(struct ef_clock *c)
{
    return c->now_fn(c);
}

void ef_timer_init(struct ef_timer *t, ef_timer_fn cb, void *data)
{
    t->due = 0;
    t->cb = cb;
    t->data = data;
    t->next = NULL;
    t->armed = 0;
}

static void unlink_timer(struct ef_clock *c, struct ef_timer *t)
{
    struct ef_timer **pp;

    for (pp = &c->head; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
    t->armed = 0;
}

void ef_timer_start(struct ef_clock *c, struct ef_timer *t, uint64_t delay_ms)
{
    struct ef_timer **pp;
    int was_head = c->head == t;
    uint64_t now = ef_clock_now(c);

    if (t->armed)
        unlink_timer(c, t);
    t->due = delay_ms > UINT64_MAX - now ? UINT64_MAX : now + delay_ms;
    /* Equal due times keep their arming order: insert after the last equal one. */
    for (pp = &c->head; *pp && (*pp)->due <= t->due; pp = &(*pp)->next)
        ;
    t->next = *pp;
    *pp = t;
    t->armed = 1;
    if (c->head == t || was_head)
        c->rearm_fn(c);
}

void ef_timer_stop(struct ef_clock *c, struct ef_timer *t)
{
    int was_head;

    if (!t->armed)
        return;
    was_head = c->head == t;
    unlink_timer(c, t);
    if (was_head)
        c->rearm_fn(c);
}

unsigned ef_clock_fire_due(struct ef_clock *c)
{
    unsigned n = 0;
    uint64_t now = ef_clock_now(c);

    /* A callback may arm or stop timers: take the head afresh each time. */
    while (c->head && c->head->due <= now) {
        struct ef_timer *t = c->head;

        c->head = t->next;
        t->next = NULL;
        t->armed = 0;
        n++;
        t->cb(t);
    }
    c->rearm_fn(c);
    return n;
}

void ef_clock_advance(struct ef_clock *c, uint64_t ms)
{
    uint64_t target = c->fake_now + ms;

    /* Step through each due time so callbacks see the time they were due at. */
    while (c->head && c->head->due <= target) {
        if (c->head->due > c->fake_now)
            c->fake_now = c->head->due;
        ef_clock_fire_due(c);
    }
    c->fake_now = target;
    ef_clock_fire_due(c);
}

uint64_t ef_clock_next_due(const struct ef_clock *c)
{
    return c->head ? c->head->due : UINT64_MAX;
}

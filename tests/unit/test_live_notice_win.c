/*
 * test_live_notice_win.c - a live session's notices (runner/notice.h)
 * through `run`'s pipeline under Wine, driven by the fake ETW
 * (fake_trace.h): ETW's EventsLost growing past loss_alert_events within a
 * stats interval gives one loss notice with that interval's growth, and a
 * session stopped from outside (`logman stop`) gives one watchdog-restart
 * notice with the gap the watchdog measured.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "etw/etw_api.h"
#include "fake_trace.h"
#include "live_fixture.h"
#include "pipe_helpers.h"
#include "runner/notice.h"
#include "runner/pipeline.h"
#include "runner/pipeline_int.h"

struct run {
    uv_loop_t loop;
    struct ef_config *cfg;
    struct ef_pipeline *p;
    int stopped;
    uint64_t want;
    /* The notices, in order. */
    enum ef_notice_kind kind[16];
    char subject[16][64];
    char detail[16][256];
    uint64_t count[16];
    unsigned n;
};

static void on_notice(void *ud, const struct ef_notice *n)
{
    struct run *r = ud;

    ck_assert_uint_lt(r->n, 16);
    r->kind[r->n] = n->kind;
    snprintf(r->subject[r->n], sizeof(r->subject[0]), "%s", n->subject);
    snprintf(r->detail[r->n], sizeof(r->detail[0]), "%s", n->detail);
    r->count[r->n] = n->count;
    r->n++;
}

static void on_stopped(void *ud)
{
    ((struct run *)ud)->stopped = 1;
}

static int is_stopped(void *ud)
{
    return ((struct run *)ud)->stopped;
}

static int has_notice(void *ud)
{
    return ((struct run *)ud)->n > 0;
}

static int all_pushed(void *ud)
{
    struct run *r = ud;
    struct ef_source_stats ss;

    ef_pipeline_session_stats(r->p, 0, &ss);
    return ss.events_in >= r->want;
}

static void start(struct run *r, const char *service_ini, const char *session_ini)
{
    struct ef_config_errors errs = {0};
    struct ef_pipeline_options po;
    char conf[8192];
    size_t i;
    int n, rc;

    memset(r, 0, sizeof(*r));
    n = snprintf(conf, sizeof(conf),
                 "[service]\nstate_dir = %s\nspool = memory\nmetrics_listen =\n"
                 "shutdown_timeout = 5s\n%s\n%s\n"
                 "[sink:out]\ntype = file\npath = %s/out.ndjson\nbatch_max_age = 10ms\n",
                 live_dir, service_ini, session_ini, live_dir);
    ck_assert_int_lt(n, (int)sizeof(conf));
    rc = ef_config_load_string(conf, (size_t)n, "live.ini", &r->cfg, &errs);
    for (i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.msgs[i]);
    ck_assert_int_eq(rc, 0);
    ef_config_errors_free(&errs);
    ck_assert_int_eq(uv_loop_init(&r->loop), 0);
    memset(&po, 0, sizeof(po));
    po.cfg = r->cfg;
    po.follow = 1;
    po.on_stopped = on_stopped;
    po.ud = r;
    po.on_notice = on_notice;
    po.notice_ud = r;
    ck_assert_int_eq(ef_pipeline_start(&r->loop, &po, &r->p), 0);
}

static void finish(struct run *r)
{
    ef_pipeline_stop(r->p);
    ck_assert(th_run_until(&r->loop, is_stopped, r, 100000));
    ef_pipeline_free(r->p);
    ck_assert_int_eq(th_loop_fini(&r->loop), 0);
    ef_config_free(r->cfg);
}

/* Runs until the pipeline wrote n more stats events than it had (each after a loss check). */
struct stats_wait {
    struct run *r;
    uint64_t until;
};

static int stats_reached(void *ud)
{
    struct stats_wait *w = ud;

    return w->r->p->stats_events >= w->until;
}

static void wait_stats_events(struct run *r, uint64_t more)
{
    struct stats_wait w = {r, r->p->stats_events + more};

    ck_assert(th_run_until(&r->loop, stats_reached, &w, 1000000));
}

static void add_events_lost(ULONG n)
{
    EnterCriticalSection(&fake_trace.lock);
    fake_trace.events_lost += n;
    LeaveCriticalSection(&fake_trace.lock);
}

START_TEST(loss_above_threshold_is_noticed)
{
    struct run r;

    /* ETW had lost events before we started: not ours, never counted. */
    fake_trace.events_lost = 1000;
    start(&r, "stats_interval = 1s\nloss_alert_events = 10\n",
          "[session:main]\nkind = realtime\ntdh = false\n" HTTP_PROVIDER "\n");
    r.want = 20;
    ck_assert(th_run_until(&r.loop, all_pushed, &r, 1000000));
    wait_stats_events(&r, 1);
    ck_assert_uint_eq(r.n, 0);

    /* 25 lost within one interval: above 10. */
    add_events_lost(25);
    ck_assert(th_run_until(&r.loop, has_notice, &r, 1000000));
    ck_assert_uint_eq(r.n, 1);
    ck_assert_int_eq(r.kind[0], EF_NOTICE_ETW_LOSS);
    ck_assert_str_eq(r.subject[0], "main");
    ck_assert_uint_eq(r.count[0], 25);
    /* The interval in seconds: stats_interval = 1s, give or take a loaded machine's delay. */
    ck_assert_msg(atoi(r.detail[0]) >= 1 && atoi(r.detail[0]) <= 2, "%s", r.detail[0]);

    /* 10 in the next interval is not above 10; nothing in the one after either. */
    add_events_lost(10);
    wait_stats_events(&r, 2);
    ck_assert_uint_eq(r.n, 1);

    /* 11 is. */
    add_events_lost(11);
    wait_stats_events(&r, 1);
    ck_assert_uint_eq(r.n, 2);
    ck_assert_int_eq(r.kind[1], EF_NOTICE_ETW_LOSS);
    ck_assert_uint_eq(r.count[1], 11);
    finish(&r);
    ck_assert_uint_eq(r.n, 2);
}
END_TEST

/* A loss under the default threshold (0) is noticed too: any loss. */
START_TEST(any_loss_by_default)
{
    struct run r;

    start(&r, "stats_interval = 1s\n",
          "[session:main]\nkind = realtime\ntdh = false\n" HTTP_PROVIDER "\n");
    r.want = 20;
    ck_assert(th_run_until(&r.loop, all_pushed, &r, 1000000));
    add_events_lost(1);
    ck_assert(th_run_until(&r.loop, has_notice, &r, 1000000));
    ck_assert_int_eq(r.kind[0], EF_NOTICE_ETW_LOSS);
    ck_assert_uint_eq(r.count[0], 1);
    finish(&r);
}
END_TEST

START_TEST(watchdog_restart_is_noticed)
{
    struct ef_source_stats ss;
    struct run r;

    fake_trace.external_stop_after = 25; /* `logman stop` after 25 events */
    start(&r, "stats_interval = 1h\n",
          "[session:main]\nkind = realtime\ntdh = false\n"
          "reconnect_min = 100ms\nreconnect_max = 1s\n" HTTP_PROVIDER "\n");
    ck_assert(th_run_until(&r.loop, has_notice, &r, 1000000));
    ck_assert_uint_eq(r.n, 1);
    ck_assert_int_eq(r.kind[0], EF_NOTICE_WATCHDOG_RESTART);
    ck_assert_str_eq(r.subject[0], "main");
    ck_assert_msg(strstr(r.detail[0], "ProcessTrace returned") != NULL, "%s", r.detail[0]);
    ck_assert_uint_ge(r.count[0], 100); /* reconnect_min */
    /* It is the gap the session's counters have: one restart, one gap. */
    ef_pipeline_session_stats(r.p, 0, &ss);
    ck_assert_uint_eq(ss.reconnects, 1);
    ck_assert_uint_eq(ss.gap_ms, r.count[0]);
    finish(&r);
    ck_assert_uint_eq(r.n, 1);
}
END_TEST

TCase *ef_live_notice_case(void);
TCase *ef_live_notice_case(void)
{
    TCase *tc = tcase_create("live_notice");

    tcase_add_checked_fixture(tc, live_setup, live_teardown);
    tcase_add_test(tc, loss_above_threshold_is_noticed);
    tcase_add_test(tc, any_loss_by_default);
    tcase_add_test(tc, watchdog_restart_is_noticed);
    tcase_set_timeout(tc, 120);
    return tc;
}

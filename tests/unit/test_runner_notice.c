/*
 * test_runner_notice.c - the pipeline's notices (runner/notice.h) through
 * ef_pipeline_options.on_notice: a real HTTP sink against a receiver on the
 * test's own loop that answers 503 (Retry-After: 1) five times and then 200
 * gives exactly one "sink failing" and then one "sink recovered"; a live
 * session's loss above loss_alert_events gives one loss notice with the
 * interval's count (the counters set by hand after a file run, as
 * test_runner_metrics.c does; test_live_notice_win.c does it through the
 * fake ETW).
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "pipe_helpers.h"
#include "runner/notice.h"
#include "runner/pipeline.h"
#include "runner/pipeline_int.h"

#define REFUSALS 5

static char dir[1024];

static void setup(void)
{
    th_mkdtemp(dir, sizeof(dir));
}

static void teardown(void)
{
    th_rmtree(dir);
}

/* The notices received, in order. */
struct seen {
    enum ef_notice_kind kind[16];
    char subject[16][64];
    char detail[16][256];
    uint64_t count[16];
    unsigned n;
    int stopped;
};

static void on_notice(void *ud, const struct ef_notice *n)
{
    struct seen *s = ud;

    ck_assert_uint_lt(s->n, 16);
    s->kind[s->n] = n->kind;
    snprintf(s->subject[s->n], sizeof(s->subject[0]), "%s", n->subject);
    snprintf(s->detail[s->n], sizeof(s->detail[0]), "%s", n->detail);
    s->count[s->n] = n->count;
    s->n++;
}

static void on_stopped(void *ud)
{
    ((struct seen *)ud)->stopped = 1;
}

static int is_stopped(void *ud)
{
    return ((struct seen *)ud)->stopped;
}

/* --- the receiver: HTTP/1.1 on the test's loop -------------------------- */

struct conn {
    uv_tcp_t tcp;
    char buf[1 << 16];
    size_t len;
};

static uv_tcp_t server;
static unsigned requests;

static void on_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    struct conn *c = h->data;

    (void)hint;
    b->base = c->buf + c->len;
    b->len = sizeof(c->buf) - c->len;
}

static void on_written(uv_write_t *w, int status)
{
    (void)status;
    free(w);
}

/* Answers every complete request in c->buf: 503 for the first REFUSALS, then 200. */
static void answer(struct conn *c)
{
    static const char refuse[] = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
                                 "Content-Length: 4\r\n\r\nbusy";
    static const char accept[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

    for (;;) {
        const char *end, *cl;
        size_t head, body = 0, total;
        uv_write_t *w;
        uv_buf_t b;

        if (c->len >= sizeof(c->buf))
            c->len = 0; /* a request larger than the buffer: not from this test */
        c->buf[c->len < sizeof(c->buf) ? c->len : sizeof(c->buf) - 1] = '\0';
        end = strstr(c->buf, "\r\n\r\n");
        if (!end)
            return;
        head = (size_t)(end - c->buf) + 4;
        cl = strstr(c->buf, "Content-Length:");
        if (!cl)
            cl = strstr(c->buf, "content-length:");
        if (cl && cl < end)
            body = (size_t)strtoul(cl + 15, NULL, 10);
        total = head + body;
        if (c->len < total)
            return;
        requests++;
        w = malloc(sizeof(*w));
        b = requests <= REFUSALS ? uv_buf_init((char *)refuse, sizeof(refuse) - 1)
                                 : uv_buf_init((char *)accept, sizeof(accept) - 1);
        ck_assert_int_eq(uv_write(w, (uv_stream_t *)&c->tcp, &b, 1, on_written), 0);
        memmove(c->buf, c->buf + total, c->len - total);
        c->len -= total;
    }
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct conn *c = s->data;

    (void)b;
    if (n < 0) {
        uv_close((uv_handle_t *)s, on_closed);
        return;
    }
    c->len += (size_t)n;
    answer(c);
}

static void on_connection(uv_stream_t *srv, int status)
{
    struct conn *c;

    ck_assert_int_eq(status, 0);
    c = calloc(1, sizeof(*c) + 1);
    ck_assert_ptr_nonnull(c);
    uv_tcp_init(srv->loop, &c->tcp);
    c->tcp.data = c;
    ck_assert_int_eq(uv_accept(srv, (uv_stream_t *)&c->tcp), 0);
    /* The receiver must not keep the loop alive once the pipeline stopped. */
    uv_unref((uv_handle_t *)&c->tcp);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static int listen_local(uv_loop_t *loop)
{
    struct sockaddr_in a;
    struct sockaddr_storage got;
    int len = sizeof(got);

    ck_assert_int_eq(uv_tcp_init(loop, &server), 0);
    ck_assert_int_eq(uv_ip4_addr("127.0.0.1", 0, &a), 0);
    ck_assert_int_eq(uv_tcp_bind(&server, (const struct sockaddr *)&a, 0), 0);
    ck_assert_int_eq(uv_listen((uv_stream_t *)&server, 16, on_connection), 0);
    uv_unref((uv_handle_t *)&server);
    ck_assert_int_eq(uv_tcp_getsockname(&server, (struct sockaddr *)&got, &len), 0);
    return ntohs(((struct sockaddr_in *)&got)->sin_port);
}

static struct ef_pipeline *run_file(uv_loop_t *loop, const char *extra_sink, struct seen *s,
                                    struct ef_config **cfg)
{
    char trace[1024], conf[8192];
    struct ef_config_errors errs = {0};
    struct ef_pipeline_options po;
    struct ef_pipeline *p = NULL;
    int n;

    ef_test_shared_path("testdata/etl/perfview/SelfDescribingSingleEvent.etl", trace,
                        sizeof(trace));
    n = snprintf(conf, sizeof(conf),
                 "[service]\nstate_dir = %s\nspool = memory\nmetrics_listen =\n"
                 "stats_interval = 1h\nloss_alert_events = 100\n\n"
                 "[session:tl]\nkind = file\npath = %s\n\n%s",
                 dir, trace, extra_sink);
    ck_assert_int_lt(n, (int)sizeof(conf));
    ck_assert_int_eq(ef_config_load_string(conf, (size_t)n, "test.ini", cfg, &errs), 0);
    memset(&po, 0, sizeof(po));
    po.cfg = *cfg;
    po.on_stopped = on_stopped;
    po.ud = s;
    po.on_notice = on_notice;
    po.notice_ud = s;
    ck_assert_int_eq(ef_pipeline_start(loop, &po, &p), 0);
    return p;
}

START_TEST(sink_refusing_then_accepting)
{
    struct seen s;
    struct ef_config *cfg = NULL;
    struct ef_pipeline *p;
    uv_loop_t loop;
    char sink[512];
    int port;

    memset(&s, 0, sizeof(s));
    requests = 0;
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    port = listen_local(&loop);
    snprintf(sink, sizeof(sink),
             "[sink:siem]\ntype = http\nurl = http://127.0.0.1:%d/ingest\n"
             "batch_max_age = 10ms\n",
             port);
    p = run_file(&loop, sink, &s, &cfg);
    /* follow = 0: it stops once the receiver took everything (~REFUSALS s of Retry-After). */
    ck_assert(th_run_until(&loop, is_stopped, &s, 1000000));
    ck_assert_uint_ge(requests, REFUSALS + 1);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_int_eq(s.kind[0], EF_NOTICE_SINK_FAILING);
    ck_assert_str_eq(s.subject[0], "siem");
    ck_assert_uint_eq(s.count[0], REFUSALS);
    ck_assert_msg(strstr(s.detail[0], "503"), "detail: %s", s.detail[0]);
    ck_assert_int_eq(s.kind[1], EF_NOTICE_SINK_RECOVERED);
    ck_assert_str_eq(s.subject[1], "siem");
    ck_assert_uint_eq(s.count[1], REFUSALS);
    ck_assert_str_eq(s.detail[1], "");
    ck_assert_int_eq(ef_pipeline_failed(p), 0);
    ef_pipeline_free(p);
    ef_config_free(cfg);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
}
END_TEST

/*
 * Loss: only a live session's EventsLost counts, only above the threshold
 * (100 here), and each notice carries that interval's loss, not the total.
 */
START_TEST(loss_above_threshold)
{
    struct seen s;
    struct ef_config *cfg = NULL;
    struct ef_pipeline *p;
    uv_loop_t loop;
    char sink[1200];

    memset(&s, 0, sizeof(s));
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    snprintf(sink, sizeof(sink), "[sink:out]\ntype = file\npath = %s/out.ndjson\n", dir);
    p = run_file(&loop, sink, &s, &cfg);
    ck_assert(th_run_until(&loop, is_stopped, &s, 1000000));
    ck_assert_uint_eq(s.n, 0);

    /* A file session's EventsLost (from a trace's header) is not ETW losing events now. */
    p->sessions[0].last.etw_events_lost = 5000;
    ef_pipeline_emit_stats(p);
    ck_assert_uint_eq(s.n, 0);
    p->sessions[0].last.live = 1;
    p->sessions[0].last.etw_events_lost = 0;
    p->sessions[0].notice_lost = 0;
    /* Exactly the threshold is not above it. */
    p->sessions[0].last.etw_events_lost = 100;
    ef_pipeline_emit_stats(p);
    ck_assert_uint_eq(s.n, 0);
    /* 101 more in the next interval: a notice with 101. */
    p->sessions[0].last.etw_events_lost = 201;
    ef_pipeline_emit_stats(p);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_int_eq(s.kind[0], EF_NOTICE_ETW_LOSS);
    ck_assert_str_eq(s.subject[0], "tl");
    ck_assert_uint_eq(s.count[0], 101);
    /* Nothing lost since: nothing said. */
    ef_pipeline_emit_stats(p);
    ck_assert_uint_eq(s.n, 1);
    ef_pipeline_free(p);
    ef_config_free(cfg);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
}
END_TEST

TCase *ef_runner_notice_case(void);
TCase *ef_runner_notice_case(void)
{
    TCase *tc = tcase_create("notice");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, sink_refusing_then_accepting);
    tcase_add_test(tc, loss_above_threshold);
    tcase_set_timeout(tc, 120);
    return tc;
}

/*
 * test_sink_syslog_net.c - the syslog sink's transports against receivers
 * in this process on 127.0.0.1 (libuv TCP and UDP servers), through the
 * sink driver and the real spool in memory mode: every event arrives once
 * in order over TCP (both framings) and UDP, a server that closes the
 * connection is reconnected to, a refused connection is retried through
 * the pipeline's backoff (fake clock) until the server is back, an
 * oversize event is refused into the dead-letter file and counted, and a
 * TLS sink with a missing CA file does not open.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "pipe_helpers.h"
#include "pipeline/sinkdrv.h"
#include "pipeline/spool.h"
#include "sinks/syslog.h"
#include "util/buf.h"
#include "util/error.h"

#define MAX_EVENTS 2000

struct rx {
    uv_tcp_t srv;
    uv_udp_t udp;
    int is_udp, listening;
    uv_tcp_t *clients[16];
    int n_clients;
    struct ef_buf data; /* TCP: the byte stream; UDP: each datagram octet-counted */
    size_t close_after; /* close the client once this many bytes came (0: never) */
    int closed_one;
};

struct fx {
    uv_loop_t loop;
    uv_timer_t tick; /* wakes the loop so a wait never blocks on I/O alone */
    struct ef_clock clock;
    struct ef_spool *sp;
    struct ef_sink *s;
    struct ef_sink_cfg cfg;
    struct rx rx;
    char dir[1024], addr[64];
    uint64_t last_seq;
    int stopped;
    size_t want; /* messages expected at the receiver */
};

static void on_tick(uv_timer_t *t)
{
    (void)t;
}

static void rx_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    (void)h;
    buf->base = malloc(hint);
    buf->len = buf->base ? hint : 0;
}

static void on_client_closed(uv_handle_t *h)
{
    free(h);
}

static void rx_close_client(struct rx *r, int i)
{
    uv_close((uv_handle_t *)r->clients[i], on_client_closed);
    r->clients[i] = r->clients[--r->n_clients];
}

static void rx_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    struct rx *r = st->data;
    int i;

    if (n > 0)
        ck_assert_int_eq(ef_buf_append(&r->data, buf->base, (size_t)n), 0);
    free(buf->base);
    for (i = 0; i < r->n_clients; i++) {
        if ((uv_stream_t *)r->clients[i] != st)
            continue;
        if (n < 0 || (r->close_after && r->data.len >= r->close_after && !r->closed_one)) {
            if (n >= 0)
                r->closed_one = 1;
            rx_close_client(r, i);
        }
        break;
    }
}

static void rx_accept(uv_stream_t *srv, int status)
{
    struct rx *r = srv->data;
    uv_tcp_t *c = malloc(sizeof(*c));

    ck_assert_int_eq(status, 0);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(uv_tcp_init(srv->loop, c), 0);
    c->data = r;
    ck_assert_int_eq(uv_accept(srv, (uv_stream_t *)c), 0);
    ck_assert_int_lt(r->n_clients, 16);
    r->clients[r->n_clients++] = c;
    ck_assert_int_eq(uv_read_start((uv_stream_t *)c, rx_alloc, rx_read), 0);
}

static void rx_udp(uv_udp_t *u, ssize_t n, const uv_buf_t *buf, const struct sockaddr *a,
                   unsigned flags)
{
    struct rx *r = u->data;

    (void)a;
    (void)flags;
    if (n > 0)
        ck_assert_int_eq(ef_buf_appendf(&r->data, "%zd %.*s", n, (int)n, buf->base), 0);
    free(buf->base);
}

/* Listens on 127.0.0.1:port (0: any free port); returns the port. */
static int rx_listen(struct fx *x, int udp, int port)
{
    struct rx *r = &x->rx;
    struct sockaddr_in a;
    struct sockaddr_storage got;
    int len = sizeof(got);

    ck_assert_int_eq(uv_ip4_addr("127.0.0.1", port, &a), 0);
    r->is_udp = udp;
    if (udp) {
        ck_assert_int_eq(uv_udp_init(&x->loop, &r->udp), 0);
        r->udp.data = r;
        ck_assert_int_eq(uv_udp_bind(&r->udp, (const struct sockaddr *)&a, 0), 0);
        ck_assert_int_eq(uv_udp_recv_start(&r->udp, rx_alloc, rx_udp), 0);
        ck_assert_int_eq(uv_udp_getsockname(&r->udp, (struct sockaddr *)&got, &len), 0);
    } else {
        ck_assert_int_eq(uv_tcp_init(&x->loop, &r->srv), 0);
        r->srv.data = r;
        ck_assert_int_eq(uv_tcp_bind(&r->srv, (const struct sockaddr *)&a, 0), 0);
        ck_assert_int_eq(uv_listen((uv_stream_t *)&r->srv, 16, rx_accept), 0);
        ck_assert_int_eq(uv_tcp_getsockname(&r->srv, (struct sockaddr *)&got, &len), 0);
    }
    r->listening = 1;
    return ntohs(((struct sockaddr_in *)&got)->sin_port);
}

static void rx_stop(struct fx *x)
{
    struct rx *r = &x->rx;

    while (r->n_clients)
        rx_close_client(r, 0);
    if (r->listening)
        uv_close(r->is_udp ? (uv_handle_t *)&r->udp : (uv_handle_t *)&r->srv, NULL);
    r->listening = 0;
}

static void fx_init(struct fx *x, int transport, int framing)
{
    memset(x, 0, sizeof(*x));
    ck_assert_int_eq(uv_loop_init(&x->loop), 0);
    ck_assert_int_eq(uv_timer_init(&x->loop, &x->tick), 0);
    ck_assert_int_eq(uv_timer_start(&x->tick, on_tick, 1, 1), 0);
    ef_clock_init_fake(&x->clock, 5000);
    th_mkdtemp(x->dir, sizeof(x->dir));
    ef_buf_init(&x->rx.data, 1 << 26);
    x->cfg.name = "siem";
    x->cfg.type = EF_SINK_SYSLOG;
    x->cfg.address = x->addr;
    x->cfg.transport = transport;
    x->cfg.framing = framing;
    x->cfg.rfc = EF_SYSLOG_RFC5424;
    x->cfg.facility = 16;
    x->cfg.max_message_size = 8192;
    x->cfg.oversize = EF_OVERSIZE_TRUNCATE;
    x->cfg.tls_verify = 1;
    x->cfg.batch_max_events = 100;
    x->cfg.batch_max_bytes = 1 << 20;
    x->cfg.batch_max_age_ms = 1000;
    x->cfg.in_flight = 2;
}

static int fx_open(struct fx *x, int port)
{
    static const char *const sinks[] = {"siem"};
    struct ef_spool_options so = {0};
    struct ef_sinkdrv_options o = {0};

    snprintf(x->addr, sizeof(x->addr), "127.0.0.1:%d", port);
    so.mode = EF_SPOOL_MODE_MEMORY;
    so.sinks = sinks;
    so.n_sinks = 1;
    ck_assert_int_eq(ef_spool_open(&so, &x->sp, NULL), 0);
    ef_sinkdrv_options_from_cfg(&o, &x->cfg);
    o.ops = &ef_sink_syslog_ops;
    o.spool_index = 0;
    ef_backoff_init(&o.backoff, 7);
    o.dead_letter_dir = x->dir;
    return ef_sinkdrv_open(&x->loop, &x->clock, x->sp, &o, &x->s);
}

static void on_stopped(void *ud)
{
    ((struct fx *)ud)->stopped = 1;
}

static int is_stopped(void *ud)
{
    return ((struct fx *)ud)->stopped;
}

static void fx_fini(struct fx *x)
{
    if (x->s) {
        ef_sinkdrv_stop(x->s, on_stopped, x);
        ck_assert(th_run_until(&x->loop, is_stopped, x, 100000));
    }
    if (x->sp)
        ef_spool_close(x->sp);
    rx_stop(x);
    uv_close((uv_handle_t *)&x->tick, NULL);
    ef_clock_close(&x->clock, NULL);
    ck_assert_int_eq(th_loop_fini(&x->loop), 0);
    ef_buf_free(&x->rx.data);
    th_rmtree(x->dir);
}

static void append_events(struct fx *x, int from, int n, size_t pad)
{
    char *ev = malloc(pad + 200);
    int i;

    ck_assert_ptr_nonnull(ev);
    for (i = from; i < from + n; i++) {
        int len = snprintf(ev, pad + 200,
                           "{\"System\":{\"EventID\":%d,\"Level\":{\"Value\":2},\"Computer\":"
                           "\"tst\"},\"EventData\":{\"n\":%d,\"pad\":\"%*s\"}}",
                           i % 7, i, (int)pad, "");

        ck_assert_int_eq(ef_spool_append(x->sp, ev, (uint32_t)len, &x->last_seq), 0);
    }
    free(ev);
    ck_assert_int_eq(ef_spool_commit(x->sp), 0);
    ef_sinkdrv_notify(x->s);
    ef_sinkdrv_flush(x->s);
}

/*
 * Splits the received octet-counted stream (or LF lines) into messages and
 * counts them per "n". Plain checks, no ck_assert: this runs on every loop
 * turn while waiting. *bad gets a description of the first problem.
 */
static size_t parse_rx(struct fx *x, int lf, int *seen, int max_n, const char **bad)
{
    const char *p = x->rx.data.data, *end = p + x->rx.data.len;
    size_t count = 0;
    int last = -1;

    *bad = NULL;
    while (p && p < end) {
        const char *msg, *q;
        size_t len;
        int n;

        if (lf) {
            q = memchr(p, '\n', (size_t)(end - p));
            if (!q) {
                /* Every message here is far below 4 KiB: no LF that far is a framing error. */
                if (end - p > 4096)
                    *bad = "no LF within 4096 bytes";
                break;
            }
            msg = p;
            len = (size_t)(q - p);
            p = q + 1;
        } else {
            char *sp;
            unsigned long l = strtoul(p, &sp, 10);

            if (sp >= end || *sp != ' ' || (size_t)(end - sp - 1) < l)
                break;
            msg = sp + 1;
            len = l;
            p = msg + len;
        }
        if (len <= 7 || memcmp(msg, "<131>1 ", 7) != 0) {
            *bad = "a message without <131>1";
            break;
        }
        q = strstr(msg, "\"n\":");
        n = q && q < msg + len ? atoi(q + 4) : -1;
        if (n < 0 || n >= max_n) {
            *bad = "a message without a valid n";
            break;
        }
        seen[n]++;
        if (n <= last)
            *bad = "out of order";
        last = n;
        count++;
    }
    return count;
}

struct wait_rx {
    struct fx *x;
    int lf;
    size_t parsed_len; /* rx bytes at the last parse */
    size_t count;
    const char *bad; /* the stream's first problem: stop waiting, check_once reports it */
};

static int rx_has_all(void *ud)
{
    struct wait_rx *w = ud;
    static int seen[MAX_EVENTS];
    const char *bad;

    if (w->x->rx.data.len != w->parsed_len) {
        memset(seen, 0, sizeof(seen));
        w->count = parse_rx(w->x, w->lf, seen, MAX_EVENTS, &bad);
        w->parsed_len = w->x->rx.data.len;
        w->bad = bad;
    }
    /*
     * A stream that does not parse (wrong octet count, a missing LF) will
     * never reach the count: waiting on would only end at Check's timeout.
     */
    if (w->bad)
        return 1;
    return ef_spool_cursor(w->x->sp, 0) >= w->x->last_seq && w->count >= w->x->want;
}

/* Parses everything received and checks each of events 0..n-1 came once, in order. */
static void check_once(struct fx *x, int lf, int n, int skip)
{
    static int seen[MAX_EVENTS];
    const char *bad;
    int i;

    memset(seen, 0, sizeof(seen));
    ck_assert_uint_eq(parse_rx(x, lf, seen, MAX_EVENTS, &bad), (size_t)(skip >= 0 ? n - 1 : n));
    ck_assert_msg(bad == NULL, "%s", bad ? bad : "");
    for (i = 0; i < n; i++)
        ck_assert_int_eq(seen[i], i == skip ? 0 : 1);
}

static struct ef_syslog_sink_stats sstats(struct fx *x)
{
    struct ef_syslog_sink_stats st;

    ef_syslog_sink_get_stats(ef_sinkdrv_state(x->s), &st);
    return st;
}

static const struct {
    int transport, framing;
} transports[] = {
    {EF_SYSLOG_TCP, EF_SYSLOG_OCTET_COUNTING},
    {EF_SYSLOG_TCP, EF_SYSLOG_LF},
    {EF_SYSLOG_UDP, EF_SYSLOG_OCTET_COUNTING},
};

START_TEST(delivers_each_event_once)
{
    struct fx x;
    struct wait_rx w = {&x, 0, 0, 0};
    int port, n = transports[_i].transport == EF_SYSLOG_UDP ? 200 : 1500;

    fx_init(&x, transports[_i].transport, transports[_i].framing);
    if (transports[_i].transport == EF_SYSLOG_UDP) {
        /* Small bursts: a datagram the receiver's buffer cannot hold is gone. */
        x.cfg.batch_max_events = 10;
        x.cfg.in_flight = 1;
    }
    w.lf = transports[_i].transport == EF_SYSLOG_TCP && transports[_i].framing == EF_SYSLOG_LF;
    port = rx_listen(&x, transports[_i].transport == EF_SYSLOG_UDP, 0);
    ck_assert_int_eq(fx_open(&x, port), 0);
    append_events(&x, 0, n, 100);
    x.want = (size_t)n;
    ck_assert(th_run_until(&x.loop, rx_has_all, &w, 1000000));
    check_once(&x, w.lf, n, -1);
    ck_assert_uint_eq(sstats(&x).messages, (uint64_t)n);
    ck_assert_uint_eq(sstats(&x).connects, 1);
    fx_fini(&x);
}
END_TEST

static int sink_disconnected(void *ud)
{
    struct fx *x = ud;

    return sstats(x).disconnects >= 1;
}

START_TEST(reconnects_after_server_closes)
{
    struct fx x;
    struct wait_rx w = {&x, 0, 0, 0};
    int port;

    fx_init(&x, EF_SYSLOG_TCP, EF_SYSLOG_OCTET_COUNTING);
    port = rx_listen(&x, 0, 0);
    ck_assert_int_eq(fx_open(&x, port), 0);
    x.rx.close_after = 1;
    append_events(&x, 0, 50, 10);
    x.want = 50;
    ck_assert(th_run_until(&x.loop, rx_has_all, &w, 1000000));
    ck_assert_int_eq(x.rx.closed_one, 1);
    /* The sink notices the close (EOF) and connects again for the next batch. */
    ck_assert(th_run_until(&x.loop, sink_disconnected, &x, 1000000));
    append_events(&x, 50, 50, 10);
    x.want = 100;
    ck_assert(th_run_until(&x.loop, rx_has_all, &w, 1000000));
    check_once(&x, 0, 100, -1);
    ck_assert_uint_eq(sstats(&x).connects, 2);
    fx_fini(&x);
}
END_TEST

static int attempt_over(void *ud)
{
    struct fx *x = ud;
    struct ef_sink_stats st;

    ef_sinkdrv_get_stats(x->s, &st);
    return st.backlog == 0 || (st.waiting_retry > 0 && st.waiting_retry == st.in_flight);
}

START_TEST(refused_is_retried_until_the_server_is_back)
{
    struct fx x;
    struct wait_rx w = {&x, 0, 0, 0};
    struct ef_sink_stats st;
    int port, rounds;

    fx_init(&x, EF_SYSLOG_TCP, EF_SYSLOG_OCTET_COUNTING);
    /* A port that was just free: nothing listens there now. */
    port = rx_listen(&x, 0, 0);
    rx_stop(&x);
    uv_run(&x.loop, UV_RUN_NOWAIT);
    ck_assert_int_eq(fx_open(&x, port), 0);
    append_events(&x, 0, 30, 10);
    for (rounds = 0; rounds < 3; rounds++) {
        ck_assert(th_run_until(&x.loop, attempt_over, &x, 1000000));
        ef_sinkdrv_get_stats(x.s, &st);
        ck_assert_uint_gt(st.waiting_retry, 0);
        ef_clock_advance(&x.clock, ef_clock_next_due(&x.clock) - ef_clock_now(&x.clock));
    }
    ck_assert_uint_ge(sstats(&x).connect_errors, 3);
    ck_assert_uint_eq(x.rx.data.len, 0);
    /* The receiver comes back on the same port; the next retry delivers everything. */
    ck_assert_int_eq(rx_listen(&x, 0, port), port);
    ck_assert(th_run_until(&x.loop, attempt_over, &x, 1000000));
    ef_clock_advance(&x.clock, ef_clock_next_due(&x.clock) - ef_clock_now(&x.clock));
    x.want = 30;
    ck_assert(th_run_until(&x.loop, rx_has_all, &w, 1000000));
    check_once(&x, 0, 30, -1);
    ef_sinkdrv_get_stats(x.s, &st);
    ck_assert_uint_gt(st.retried, 0);
    fx_fini(&x);
}
END_TEST

START_TEST(oversize_is_dead_lettered)
{
    struct fx x;
    struct wait_rx w = {&x, 0, 0, 0};
    struct ef_sink_stats st;
    char path[1200];
    char *dl;
    size_t len;
    int port;

    fx_init(&x, EF_SYSLOG_TCP, EF_SYSLOG_OCTET_COUNTING);
    x.cfg.max_message_size = 600;
    x.cfg.oversize = EF_OVERSIZE_DROP;
    port = rx_listen(&x, 0, 0);
    ck_assert_int_eq(fx_open(&x, port), 0);
    append_events(&x, 0, 5, 10);
    append_events(&x, 5, 1, 2000); /* over 600 bytes */
    append_events(&x, 6, 4, 10);
    x.want = 9;
    ck_assert(th_run_until(&x.loop, rx_has_all, &w, 1000000));
    check_once(&x, 0, 10, 5);
    ck_assert_uint_eq(sstats(&x).oversize_rejected, 1);
    ef_sinkdrv_get_stats(x.s, &st);
    ck_assert_uint_eq(st.dead_lettered, 1);
    snprintf(path, sizeof(path), "%s/siem.ndjson", x.dir);
    dl = th_read_file(path, &len);
    ck_assert_ptr_nonnull(dl);
    ck_assert_ptr_nonnull(strstr(dl, "max_message_size"));
    ck_assert_ptr_nonnull(strstr(dl, "\"n\":5,"));
    free(dl);
    fx_fini(&x);
}
END_TEST

START_TEST(tls_with_missing_ca_does_not_open)
{
    struct fx x;

    fx_init(&x, EF_SYSLOG_TLS, EF_SYSLOG_OCTET_COUNTING);
    x.cfg.ca_file = "/nonexistent/ca.pem";
    ck_assert_int_eq(fx_open(&x, 6514), EF_ECONFIG);
    x.s = NULL;
    fx_fini(&x);
}
END_TEST

START_TEST(tls_client_cert_checked_at_open)
{
    struct fx x;

    fx_init(&x, EF_SYSLOG_TLS, EF_SYSLOG_OCTET_COUNTING);
    x.cfg.client_cert = "/nonexistent/client.pem";
    x.cfg.client_key = "/nonexistent/client.key";
#ifdef _WIN32
    /* The Schannel backend has no client certificates yet: refused, never ignored. */
    ck_assert_int_eq(fx_open(&x, 6514), EF_ENOTSUP);
#else
    ck_assert_int_eq(fx_open(&x, 6514), EF_ECONFIG);
#endif
    x.s = NULL;
    fx_fini(&x);
}
END_TEST

TCase *ef_sink_syslog_net_case(void);
TCase *ef_sink_syslog_net_case(void)
{
    TCase *tc = tcase_create("syslog_net");

    tcase_add_loop_test(tc, delivers_each_event_once, 0,
                        sizeof(transports) / sizeof(transports[0]));
    tcase_add_test(tc, reconnects_after_server_closes);
    tcase_add_test(tc, refused_is_retried_until_the_server_is_back);
    tcase_add_test(tc, oversize_is_dead_lettered);
    tcase_add_test(tc, tls_with_missing_ca_does_not_open);
    tcase_add_test(tc, tls_client_cert_checked_at_open);
    return tc;
}

/*
 * test_runner_http.c - the /metrics and /health listener
 * (runner/metrics_http.h) on a fresh uv loop: a libuv client on the same
 * loop sends raw requests and reads the answer until the server closes.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "pipe_helpers.h"
#include "runner/metrics_http.h"
#include "util/attr.h"
#include "util/error.h"

struct client {
    uv_tcp_t tcp;
    uv_connect_t conn;
    uv_write_t wr;
    const char *req;
    size_t req_len;
    char resp[16384];
    size_t len;
    int done;
};

struct fixture {
    uv_loop_t loop;
    struct ef_http_server *srv;
    int port;
    char last_path[256]; /* what the handler was asked for */
    int calls;
};

static struct fixture fx;

/* The handler under test: the pipeline's routes, with fixed bodies. */
static int handler(void *ud, const char *path, struct ef_buf *body, const char **ctype)
{
    struct fixture *f = ud;

    f->calls++;
    snprintf(f->last_path, sizeof(f->last_path), "%s", path);
    if (strcmp(path, "/metrics") == 0) {
        *ctype = "text/plain; version=0.0.4; charset=utf-8";
        ef_buf_append_str(body, "etwfwd_up 1\n");
        return 200;
    }
    if (strcmp(path, "/health") == 0) {
        *ctype = "application/json";
        ef_buf_append_str(body, "{\"status\":\"unhealthy\"}\n");
        return 503;
    }
    ef_buf_append_str(body, "not found\n");
    return 404;
}

static void setup(void)
{
    memset(&fx, 0, sizeof(fx));
    ck_assert_int_eq(uv_loop_init(&fx.loop), 0);
    ck_assert_int_eq(ef_http_server_start(&fx.loop, "127.0.0.1:0", handler, &fx, &fx.srv, &fx.port),
                     0);
    ck_assert_int_gt(fx.port, 0);
}

static int closed_done;

static void on_server_closed(void *ud)
{
    (void)ud;
    closed_done = 1;
}

static int is_closed(void *ud)
{
    (void)ud;
    return closed_done;
}

static void teardown(void)
{
    closed_done = 0;
    if (fx.srv)
        ef_http_server_close(fx.srv, on_server_closed, NULL);
    ck_assert(th_run_until(&fx.loop, is_closed, NULL, 1000));
    ck_assert_int_eq(th_loop_fini(&fx.loop), 0);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct client *c = h->data;

    (void)suggested;
    *buf = uv_buf_init(c->resp + c->len, (unsigned)(sizeof(c->resp) - 1 - c->len));
}

static void on_closed(uv_handle_t *h)
{
    struct client *c = h->data;

    c->done = 1;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct client *c = s->data;

    (void)buf;
    if (n > 0) {
        c->len += (size_t)n;
        c->resp[c->len] = '\0';
        if (c->len < sizeof(c->resp) - 1)
            return;
    }
    if (n < 0 || c->len >= sizeof(c->resp) - 1)
        uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void on_written(uv_write_t *wr, int status)
{
    (void)wr;
    (void)status; /* the server may answer and close before it read everything */
}

static void on_connect(uv_connect_t *cr, int status)
{
    struct client *c = cr->data;
    uv_buf_t b = uv_buf_init((char *)c->req, (unsigned)c->req_len);

    ck_assert_int_eq(status, 0);
    ck_assert_int_eq(uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read), 0);
    ck_assert_int_eq(uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_written), 0);
}

static int client_done(void *ud)
{
    return ((struct client *)ud)->done;
}

/* Sends req (len bytes) and returns the whole answer (static client). */
static struct client *ask(const char *req, size_t len)
{
    static struct client c;
    struct sockaddr_in sa;

    memset(&c, 0, sizeof(c));
    c.req = req;
    c.req_len = len;
    c.tcp.data = c.conn.data = &c;
    ck_assert_int_eq(uv_ip4_addr("127.0.0.1", fx.port, &sa), 0);
    ck_assert_int_eq(uv_tcp_init(&fx.loop, &c.tcp), 0);
    c.tcp.data = &c;
    ck_assert_int_eq(uv_tcp_connect(&c.conn, &c.tcp, (const struct sockaddr *)&sa, on_connect), 0);
    ck_assert_msg(th_run_until(&fx.loop, client_done, &c, 100000), "no answer");
    return &c;
}

static int status_of(const struct client *c)
{
    int st = 0;

    ck_assert_msg(sscanf(c->resp, "HTTP/1.1 %d ", &st) == 1, "answer: %s", c->resp);
    return st;
}

static const char *body_of(const struct client *c)
{
    const char *b = strstr(c->resp, "\r\n\r\n");

    ck_assert_ptr_nonnull(b);
    return b + 4;
}

START_TEST(routes_and_statuses)
{
    static const struct {
        const char *req;
        int status;
        const char *path; /* what the handler sees; NULL: not called */
        const char *body;
    } rows[] = {
        {"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200, "/metrics", "etwfwd_up 1\n"},
        {"GET /metrics?name=x HTTP/1.0\r\n\r\n", 200, "/metrics", "etwfwd_up 1\n"},
        {"GET /health HTTP/1.1\r\n\r\n", 503, "/health", "{\"status\":\"unhealthy\"}\n"},
        {"GET /nothing HTTP/1.1\r\n\r\n", 404, "/nothing", "not found\n"},
        {"HEAD /metrics HTTP/1.1\r\n\r\n", 200, "/metrics", ""},
        {"GET /metrics HTTP/1.1\n\n", 200, "/metrics", "etwfwd_up 1\n"}, /* bare LF */
        {"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405, NULL, "only GET\n"},
        {"hello\r\n\r\n", 400, NULL, "bad request\n"},
        {"GET /metrics SMTP/1.1\r\n\r\n", 400, NULL, "bad request\n"},
        {"\r\n\r\n", 400, NULL, "bad request\n"},
    };
    struct client *c = ask(rows[_i].req, strlen(rows[_i].req));

    ck_assert_int_eq(status_of(c), rows[_i].status);
    ck_assert_str_eq(body_of(c), rows[_i].body);
    /* One request per connection, said in the answer. */
    ck_assert_ptr_nonnull(strstr(c->resp, "\r\nConnection: close\r\n"));
    if (rows[_i].path) {
        ck_assert_int_eq(fx.calls, 1);
        ck_assert_str_eq(fx.last_path, rows[_i].path);
    } else {
        ck_assert_int_eq(fx.calls, 0);
    }
}
END_TEST

START_TEST(content_length_and_type)
{
    static const char req[] = "HEAD /health HTTP/1.1\r\n\r\n";
    struct client *c = ask(req, sizeof(req) - 1);

    ck_assert_int_eq(status_of(c), 503);
    /* HEAD: the length of the body a GET would get, and no body. */
    ck_assert_ptr_nonnull(strstr(c->resp, "\r\nContent-Length: 23\r\n"));
    ck_assert_ptr_nonnull(strstr(c->resp, "\r\nContent-Type: application/json\r\n"));
    ck_assert_str_eq(body_of(c), "");
}
END_TEST

START_TEST(request_too_long)
{
    size_t len = EF_HTTP_MAX_REQUEST + 100;
    char *req = malloc(len);
    struct client *c;

    ck_assert_ptr_nonnull(req);
    memcpy(req, "GET /metrics HTTP/1.1\r\nX-Pad: ", 30);
    memset(req + 30, 'a', len - 30); /* the headers never end */
    c = ask(req, len);
    ck_assert_int_eq(status_of(c), 413);
    ck_assert_int_eq(fx.calls, 0);
    free(req);
}
END_TEST

START_TEST(many_requests_in_a_row)
{
    static const char req[] = "GET /metrics HTTP/1.1\r\n\r\n";
    int i;

    for (i = 0; i < 20; i++)
        ck_assert_int_eq(status_of(ask(req, sizeof(req) - 1)), 200);
    ck_assert_int_eq(fx.calls, 20);
}
END_TEST

START_TEST(port_in_use)
{
    char listen[64];
    struct ef_http_server *second = NULL;

    snprintf(listen, sizeof(listen), "127.0.0.1:%d", fx.port);
    ck_assert_int_eq(ef_http_server_start(&fx.loop, listen, handler, &fx, &second, NULL), EF_ECONN);
    ck_assert_ptr_null(second);
    ck_assert_int_eq(ef_http_server_start(&fx.loop, "nohost", handler, &fx, &second, NULL),
                     EF_EINVAL);
}
END_TEST

START_TEST(parse_listen)
{
    static const struct {
        const char *in;
        int rc;
        const char *host;
        int port;
    } rows[] = {
        {"127.0.0.1:9464", 0, "127.0.0.1", 9464},
        {"[::1]:9464", 0, "::1", 9464},
        {"localhost:0", 0, "127.0.0.1", 0},
        {"0.0.0.0:65535", 0, "0.0.0.0", 65535},
        {"nohost", EF_EINVAL, NULL, 0},
        {":9464", EF_EINVAL, NULL, 0},
        {"h:65536", EF_EINVAL, NULL, 0},
        {"h:-1", EF_EINVAL, NULL, 0},
        {"h:", EF_EINVAL, NULL, 0},
        {"h:12x", EF_EINVAL, NULL, 0},
        {"[::1]9464", EF_EINVAL, NULL, 0},
        {"[::1", EF_EINVAL, NULL, 0},
    };
    char host[64];
    size_t i;
    int port;

    for (i = 0; i < EF_ARRAY_LEN(rows); i++) {
        port = -5;
        ck_assert_msg(ef_http_parse_listen(rows[i].in, host, sizeof(host), &port) == rows[i].rc,
                      "%s", rows[i].in);
        if (rows[i].rc == 0) {
            ck_assert_str_eq(host, rows[i].host);
            ck_assert_int_eq(port, rows[i].port);
        }
    }
    /* A host longer than the caller's buffer is refused, not cut. */
    ck_assert_int_eq(ef_http_parse_listen("abcdefgh:1", host, 4, &port), EF_EINVAL);
}
END_TEST

TCase *ef_runner_http_case(void);
TCase *ef_runner_http_case(void)
{
    TCase *tc = tcase_create("metrics_http");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, routes_and_statuses, 0, 10);
    tcase_add_test(tc, content_length_and_type);
    tcase_add_test(tc, request_too_long);
    tcase_add_test(tc, many_requests_in_a_row);
    tcase_add_test(tc, port_in_use);
    tcase_add_test(tc, parse_listen);
    return tc;
}

/*
 * metrics_http.c - a deliberately small HTTP/1.1 server: GET only, one
 * request per connection, answered from the handler and closed.
 */
#include "runner/metrics_http.h"

#include "util/error.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A client that does not finish its request in this time is dropped. */
#define REQUEST_TIMEOUT_MS 10000

struct conn {
    uv_tcp_t tcp; /* first: the handle's address is the connection's */
    uv_timer_t timer;
    struct ef_http_server *srv;
    struct conn *prev, *next;
    char req[EF_HTTP_MAX_REQUEST];
    size_t len;
    int closing, handles;
    uv_write_t wr;
    struct ef_buf resp;
};

struct ef_http_server {
    uv_loop_t *loop;
    uv_tcp_t listener;
    ef_http_handler_fn handler;
    void *ud;
    struct conn *conns;
    int closing, pending;
    void (*done)(void *ud);
    void *done_ud;
};

int ef_http_parse_listen(const char *listen, char *host, size_t hostcap, int *port)
{
    const char *colon, *h = listen;
    size_t hlen;
    char *end;
    long p;

    if (listen[0] == '[') {
        const char *rb = strchr(listen, ']');

        if (!rb || rb[1] != ':')
            return EF_EINVAL;
        h = listen + 1;
        hlen = (size_t)(rb - h);
        colon = rb + 1;
    } else {
        colon = strrchr(listen, ':');
        if (!colon)
            return EF_EINVAL;
        hlen = (size_t)(colon - listen);
    }
    if (hlen == 0 || hlen >= hostcap)
        return EF_EINVAL;
    p = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || p < 0 || p > 65535)
        return EF_EINVAL;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (strcmp(host, "localhost") == 0)
        snprintf(host, hostcap, "127.0.0.1");
    *port = (int)p;
    return 0;
}

static void maybe_done(struct ef_http_server *srv)
{
    if (srv->closing && srv->pending == 0) {
        void (*done)(void *) = srv->done;
        void *ud = srv->done_ud;

        free(srv);
        if (done)
            done(ud);
    }
}

static void on_conn_handle_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    struct ef_http_server *srv = c->srv;

    if (--c->handles > 0)
        return;
    ef_buf_free(&c->resp);
    free(c);
    srv->pending--;
    maybe_done(srv);
}

static void conn_close(struct conn *c)
{
    struct ef_http_server *srv = c->srv;

    if (c->closing)
        return;
    c->closing = 1;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    uv_close((uv_handle_t *)&c->timer, on_conn_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
}

static void on_written(uv_write_t *wr, int status)
{
    struct conn *c = wr->data;

    (void)status;
    conn_close(c);
}

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Content Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

static void respond(struct conn *c, int status, const char *ctype, const struct ef_buf *body,
                    int head_only)
{
    uv_buf_t b;

    ef_buf_reset(&c->resp);
    ef_buf_appendf(&c->resp,
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                   "Connection: close\r\nCache-Control: no-store\r\n\r\n",
                   status, reason(status), ctype, body ? body->len : 0);
    if (body && body->len && !head_only)
        ef_buf_append(&c->resp, body->data, body->len);
    uv_timer_stop(&c->timer);
    uv_read_stop((uv_stream_t *)&c->tcp);
    b = uv_buf_init(c->resp.data ? c->resp.data : (char *)"", (unsigned)c->resp.len);
    c->wr.data = c;
    if (uv_write(&c->wr, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0)
        conn_close(c);
}

static void respond_text(struct conn *c, int status, const char *text)
{
    struct ef_buf body;

    ef_buf_init(&body, 4096);
    ef_buf_append_str(&body, text);
    respond(c, status, "text/plain; charset=utf-8", &body, 0);
    ef_buf_free(&body);
}

/* Parses the request line once the headers are complete and answers. */
static void handle(struct conn *c)
{
    char method[16], target[1024], path[1024];
    const char *ctype = "text/plain; charset=utf-8";
    struct ef_buf body;
    int status, head, end = 0;
    char *q, minor;

    c->req[c->len] = '\0';
    /*
     * sscanf counts conversions only, so the literal "HTTP/1." is checked
     * through the %n after it: a line like "GET / SMTP/1.1" is refused.
     */
    if (sscanf(c->req, "%15s %1023s HTTP/1.%c%n", method, target, &minor, &end) != 3 ||
        (minor != '0' && minor != '1') || (c->req[end] != '\r' && c->req[end] != '\n')) {
        respond_text(c, 400, "bad request\n");
        return;
    }
    head = strcmp(method, "HEAD") == 0;
    if (strcmp(method, "GET") != 0 && !head) {
        respond_text(c, 405, "only GET\n");
        return;
    }
    snprintf(path, sizeof(path), "%s", target);
    if ((q = strchr(path, '?')) != NULL)
        *q = '\0';
    ef_buf_init(&body, 64u << 20);
    status = c->srv->handler(c->srv->ud, path, &body, &ctype);
    respond(c, status, ctype, &body, head);
    ef_buf_free(&body);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct conn *c = h->data;

    (void)suggested;
    /* One byte is kept for the terminating NUL. */
    *buf = uv_buf_init(c->req + c->len, (unsigned)(sizeof(c->req) - 1 - c->len));
}

static void on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    struct conn *c = st->data;

    (void)buf;
    if (n < 0) {
        conn_close(c);
        return;
    }
    c->len += (size_t)n;
    c->req[c->len] = '\0';
    if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n"))
        handle(c);
    else if (c->len >= sizeof(c->req) - 1)
        respond_text(c, 413, "request too large\n");
}

static void on_timeout(uv_timer_t *t)
{
    conn_close(t->data);
}

static void on_connection(uv_stream_t *ls, int status)
{
    struct ef_http_server *srv = ls->data;
    struct conn *c;

    if (status < 0 || srv->closing)
        return;
    c = calloc(1, sizeof(*c));
    if (!c)
        return;
    c->srv = srv;
    ef_buf_init(&c->resp, 65u << 20);
    uv_tcp_init(srv->loop, &c->tcp);
    uv_timer_init(srv->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->handles = 2;
    srv->pending++;
    c->next = srv->conns;
    if (c->next)
        c->next->prev = c;
    srv->conns = c;
    if (uv_accept(ls, (uv_stream_t *)&c->tcp) != 0 ||
        uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
        conn_close(c);
        return;
    }
    uv_timer_start(&c->timer, on_timeout, REQUEST_TIMEOUT_MS, 0);
}

static void on_listener_closed(uv_handle_t *h)
{
    struct ef_http_server *srv = h->data;

    srv->pending--;
    maybe_done(srv);
}

int ef_http_server_start(uv_loop_t *loop, const char *listen, ef_http_handler_fn handler, void *ud,
                         struct ef_http_server **out, int *port_out)
{
    struct ef_http_server *srv;
    struct sockaddr_storage ss;
    char host[256];
    int port, rc, len;

    *out = NULL;
    if (ef_http_parse_listen(listen, host, sizeof(host), &port) < 0)
        return EF_EINVAL;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) != 0)
        return EF_EINVAL;
    srv = calloc(1, sizeof(*srv));
    if (!srv)
        return EF_ENOMEM;
    srv->loop = loop;
    srv->handler = handler;
    srv->ud = ud;
    uv_tcp_init(loop, &srv->listener);
    srv->listener.data = srv;
    srv->pending = 1;
    rc = uv_tcp_bind(&srv->listener, (const struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&srv->listener, 64, on_connection);
    if (rc != 0) {
        ef_log_error("metrics", "cannot listen on %s: %s", listen, uv_strerror(rc));
        srv->closing = 1;
        uv_close((uv_handle_t *)&srv->listener, on_listener_closed);
        return EF_ECONN;
    }
    if (port_out) {
        len = sizeof(ss);
        *port_out = port;
        if (uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&ss, &len) == 0)
            *port_out = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                                 : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    *out = srv;
    return 0;
}

void ef_http_server_close(struct ef_http_server *srv, void (*done)(void *ud), void *ud)
{
    srv->closing = 1;
    srv->done = done;
    srv->done_ud = ud;
    while (srv->conns)
        conn_close(srv->conns);
    uv_close((uv_handle_t *)&srv->listener, on_listener_closed);
}

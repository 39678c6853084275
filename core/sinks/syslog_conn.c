/*
 * syslog_conn.c - the syslog sink's connection on libuv: resolving the
 * address, connecting (a connected UDP socket, or TCP), the TLS handshake
 * through tls.h, reading what the server sends, and the failure path.
 *
 * Any failure (resolution, connect, handshake, write error, the server
 * closing, a connect or write timeout on the pipeline's clock) closes the
 * connection and completes every job of it with RETRY: the pipeline resends
 * them after its backoff, and that resend connects again. Reconnecting thus
 * follows the pipeline's backoff; the sink keeps no timer of its own
 * beyond the timeouts. The jobs and their writing are in syslog_write.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "pipeline/clock.h"
#include "sinks/syslog_int.h"
#include "sinks/tls.h"
#include "util/error.h"
#include "util/log.h"

#define LOG_EVERY_N 100

/* A raw write (TLS handshake bytes) owning its data. */
struct rawreq {
    uv_write_t w;
    size_t n;
    char data[];
};

static void on_conn_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    struct slsink *s = c->s;

    ef_tls_free(c->tls);
    free(c);
    s->conns_alive--;
    ef_syslog_maybe_closed(s);
}

void ef_syslog_drop_conn(struct slsink *s, struct conn *c)
{
    c->dead = 1;
    if (s->conn == c)
        s->conn = NULL;
    ef_timer_stop(s->clock, &s->timer);
    if (c->has_handle) {
        if (!uv_is_closing(&c->u.h))
            uv_close(&c->u.h, on_conn_closed);
    } else {
        ef_tls_free(c->tls);
        free(c);
        s->conns_alive--;
    }
}

/*
 * Completes every job not being written with RETRY. They are taken out of
 * the queue first: a completion may send a new batch, which must wait for
 * the next connection rather than fail with this one.
 */
static void fail_queued(struct slsink *s, const char *why)
{
    struct job *todo = NULL, **tail = &todo, **pp = &s->q_head, *j;

    s->q_tail = NULL;
    while ((j = *pp)) {
        if (j->writing) {
            s->q_tail = j;
            pp = &j->next;
            continue;
        }
        *pp = j->next;
        j->next = NULL;
        *tail = j;
        tail = &j->next;
    }
    while ((j = todo)) {
        todo = j->next;
        j->next = NULL;
        ef_syslog_finish(s, j, 0, why);
    }
}

void ef_syslog_fail_conn(struct slsink *s, int rc, const char *why)
{
    char reason[600];

    snprintf(reason, sizeof(reason), "syslog %s:%s: %s (%s)", s->host, s->port, why,
             ef_strerror(rc));
    EF_LOG_EVERY(s->log_count, LOG_EVERY_N, EF_LOG_WARN, EF_SYSLOG_MOD, "sink %s: %s",
                 ef_sink_name(s->sink), reason);
    s->st.disconnects++;
    if (s->conn)
        ef_syslog_drop_conn(s, s->conn);
    ef_timer_stop(s->clock, &s->timer);
    if (s->resolving)
        s->resolve_stale = 1;
    /* Jobs being written complete from their write callbacks (cancelled by the close). */
    fail_queued(s, reason);
}

int ef_syslog_from_uv(int err)
{
    switch (err) {
    case UV_ENOMEM:
        return EF_ENOMEM;
    case UV_ETIMEDOUT:
        return EF_ETIMEDOUT;
    case UV_ECANCELED:
        return EF_ECANCELED;
    case UV_EACCES:
    case UV_EPERM:
        return EF_EACCES;
    default:
        return EF_ECONN;
    }
}

void ef_syslog_on_timeout(struct ef_timer *t)
{
    struct slsink *s = t->data;

    ef_syslog_fail_conn(s, EF_ETIMEDOUT,
                        s->conn && s->conn->ready ? "write timed out" : "connect timed out");
}

static void on_raw_written(uv_write_t *w, int status)
{
    (void)status; /* a failure shows up on the read side or the next write */
    free(w);
}

/* Sends the TLS engine's pending output. */
static int flush_tls(struct conn *c)
{
    struct ef_buf tmp;
    struct rawreq *r;
    uv_buf_t buf;
    int rc;

    ef_buf_init(&tmp, EF_SYSLOG_OUT_MAX);
    rc = ef_tls_take_output(c->tls, &tmp);
    if (rc < 0 || tmp.len == 0)
        goto out;
    r = malloc(sizeof(*r) + tmp.len);
    if (!r) {
        rc = EF_ENOMEM;
        goto out;
    }
    memcpy(r->data, tmp.data, tmp.len);
    r->n = tmp.len;
    buf = uv_buf_init(r->data, (unsigned)r->n);
    rc = uv_write(&r->w, &c->u.st, &buf, 1, on_raw_written);
    if (rc < 0) {
        free(r);
        rc = ef_syslog_from_uv(rc);
    }
out:
    ef_buf_free(&tmp);
    return rc;
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    struct conn *c = h->data;

    (void)hint;
    *buf = uv_buf_init(c->rbuf, sizeof(c->rbuf));
}

static void conn_ready(struct slsink *s, struct conn *c)
{
    c->ready = 1;
    s->st.connects++;
    ef_timer_stop(s->clock, &s->timer);
    ef_log_debug(EF_SYSLOG_MOD, "sink %s: connected to %s:%s", ef_sink_name(s->sink), s->host,
                 s->port);
    ef_syslog_pump(s);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = st->data;
    struct slsink *s = c->s;
    int rc;

    if (c->dead)
        return;
    if (nread < 0) {
        ef_syslog_fail_conn(s, EF_ECONN,
                            nread == UV_EOF ? "closed by the server" : uv_strerror((int)nread));
        return;
    }
    if (!c->tls || nread == 0)
        return; /* a syslog server sends nothing; ignore what it might */
    rc = ef_tls_feed(c->tls, buf->base, (size_t)nread);
    if (rc == 0 && !c->ready) {
        rc = ef_tls_handshake(c->tls);
        if (rc == 0 || rc == EF_EAGAIN) {
            int frc = flush_tls(c);

            if (frc < 0)
                rc = frc;
        }
        if (rc == 0) {
            conn_ready(s, c);
            return;
        }
        if (rc == EF_EAGAIN)
            return;
        s->st.tls_errors++;
        if (rc == EF_EREJECTED)
            ef_log_error(EF_SYSLOG_MOD, "sink %s: %s:%s: %s", ef_sink_name(s->sink), s->host,
                         s->port, ef_tls_error(c->tls));
        ef_syslog_fail_conn(s, rc, ef_tls_error(c->tls));
        return;
    }
    if (rc == 0)
        rc = ef_tls_drain(c->tls);
    if (rc == 0)
        rc = flush_tls(c);
    if (rc < 0)
        ef_syslog_fail_conn(s, rc, ef_tls_error(c->tls));
}

static void on_connect(uv_connect_t *req, int status)
{
    struct conn *c = req->data;
    struct slsink *s = c->s;
    int rc;

    if (c->dead)
        return;
    if (status < 0) {
        s->st.connect_errors++;
        ef_syslog_fail_conn(s, ef_syslog_from_uv(status), uv_strerror(status));
        return;
    }
    rc = uv_read_start(&c->u.st, on_alloc, on_read);
    if (rc < 0) {
        ef_syslog_fail_conn(s, ef_syslog_from_uv(rc), uv_strerror(rc));
        return;
    }
    if (!s->tls_ctx) {
        conn_ready(s, c);
        return;
    }
    rc = ef_tls_new(s->tls_ctx, s->host, &c->tls);
    if (rc == 0)
        rc = flush_tls(c);
    if (rc < 0) {
        s->st.tls_errors++;
        ef_syslog_fail_conn(s, rc, "TLS setup");
    }
}

static void connect_addr(struct slsink *s, const struct sockaddr *addr)
{
    struct conn *c = calloc(1, sizeof(*c));
    int rc;

    if (!c) {
        ef_syslog_fail_conn(s, EF_ENOMEM, "connect");
        return;
    }
    c->s = s;
    c->creq.data = c;
    c->u.h.data = c;
    s->conn = c;
    s->conns_alive++;
    if (s->transport == EF_SYSLOG_UDP) {
        rc = uv_udp_init(s->loop, &c->u.udp);
        if (rc == 0) {
            c->has_handle = 1;
            c->u.h.data = c;
            rc = uv_udp_connect(&c->u.udp, addr);
        }
        if (rc < 0) {
            s->st.connect_errors++;
            ef_syslog_fail_conn(s, ef_syslog_from_uv(rc), uv_strerror(rc));
            return;
        }
        conn_ready(s, c);
        return;
    }
    rc = uv_tcp_init(s->loop, &c->u.tcp);
    if (rc == 0) {
        c->has_handle = 1;
        c->u.h.data = c;
        (void)uv_tcp_nodelay(&c->u.tcp, 1);
        rc = uv_tcp_connect(&c->creq, &c->u.tcp, addr, on_connect);
    }
    if (rc < 0) {
        s->st.connect_errors++;
        ef_syslog_fail_conn(s, ef_syslog_from_uv(rc), uv_strerror(rc));
    }
}

static void on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct slsink *s = req->data;
    int stale = s->resolve_stale;

    s->resolving = 0;
    s->resolve_stale = 0;
    if (s->closing || stale) {
        uv_freeaddrinfo(res);
        if (s->closing)
            ef_syslog_maybe_closed(s);
        else
            ef_syslog_pump(s);
        return;
    }
    if (status < 0 || !res) {
        s->st.connect_errors++;
        ef_syslog_fail_conn(s, EF_ECONN, status < 0 ? uv_strerror(status) : "no address");
        uv_freeaddrinfo(res);
        return;
    }
    connect_addr(s, res->ai_addr);
    uv_freeaddrinfo(res);
}

void ef_syslog_start_connect(struct slsink *s)
{
    struct sockaddr_storage ss;
    struct addrinfo hints;
    int rc, port = atoi(s->port);

    ef_timer_start(s->clock, &s->timer, s->connect_timeout_ms);
    if (uv_ip4_addr(s->host, port, (struct sockaddr_in *)&ss) == 0 ||
        uv_ip6_addr(s->host, port, (struct sockaddr_in6 *)&ss) == 0) {
        connect_addr(s, (const struct sockaddr *)&ss);
        return;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = s->transport == EF_SYSLOG_UDP ? SOCK_DGRAM : SOCK_STREAM;
    s->gai.data = s;
    rc = uv_getaddrinfo(s->loop, &s->gai, on_resolved, s->host, s->port, &hints);
    if (rc < 0) {
        s->st.connect_errors++;
        ef_syslog_fail_conn(s, EF_ECONN, uv_strerror(rc));
        return;
    }
    s->resolving = 1;
}

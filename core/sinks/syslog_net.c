/*
 * syslog_net.c - the syslog sink's transports on libuv: UDP datagrams, TCP
 * streams with RFC 6587 framing, and TLS (RFC 5425) through tls.h.
 *
 * DESIGN. send() formats a whole batch into one buffer (a "job") and puts
 * it in a FIFO. One connection at a time: while there is none, the first
 * send resolves the address and connects; queued jobs are written in order
 * once it is ready (after the TLS handshake for tls). A job is acknowledged
 * when libuv reports its bytes written: for TCP and TLS the uv_write
 * callback, i.e. every byte is in the kernel's socket buffer; for UDP every
 * datagram was handed to the kernel. That is what "flushed" means here:
 * plain syslog has no application acknowledgement, so bytes in flight when
 * the receiver dies are lost to it (docs/sinks-syslog.md).
 *
 * Any failure (resolution, connect, handshake, write error, the server
 * closing, a connect or write timeout on the pipeline's clock) closes the
 * connection and completes every job of it with RETRY: the pipeline resends
 * them after its backoff, and that resend connects again. Reconnecting thus
 * follows the pipeline's backoff; the sink keeps no timer of its own
 * beyond the timeouts.
 */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "pipeline/clock.h"
#include "sinks/syslog.h"
#include "sinks/tls.h"
#include "util/error.h"
#include "util/log.h"

#define MOD          "syslog"
#define OUT_MAX      (1u << 30)
#define LOG_EVERY_N  100
#define READ_BUF     16384
#define DEF_CONNECT  10000
#define DEF_TIMEOUT  30000
#define DEF_MAX_SIZE 65536

struct slsink;

struct conn {
    struct slsink *s;
    union {
        uv_handle_t h;
        uv_stream_t st;
        uv_tcp_t tcp;
        uv_udp_t udp;
    } u;
    uv_connect_t creq;
    struct ef_tls *tls;
    int ready, dead, has_handle;
    unsigned writes; /* write requests outstanding */
    char rbuf[READ_BUF];
};

struct job {
    struct job *next;
    struct slsink *s;
    struct ef_batch *b;
    struct ef_buf out;  /* framed messages, plaintext */
    struct ef_buf wire; /* TLS: the ciphertext of out */
    size_t *ends;       /* UDP: end offset of each message in out */
    size_t n_msgs, cap_msgs, next_msg;
    uint8_t *verdict; /* per event; NULL when none was rejected */
    const char **reasons;
    size_t cap_ev;
    uint64_t truncated;
    int writing;
    int sent; /* UDP: every datagram went out; completes from the defer handle */
    uv_write_t wreq;
    uv_udp_send_t ureq;
};

/* A raw write (TLS handshake bytes) owning its data. */
struct rawreq {
    uv_write_t w;
    size_t n;
    char data[];
};

struct slsink {
    struct ef_sink *sink;
    uv_loop_t *loop;
    struct ef_clock *clock;
    int transport;
    char host[256], port[8];
    struct ef_syslog_fmt fmt;
    struct ef_tls_ctx *tls_ctx;
    uint64_t connect_timeout_ms, timeout_ms;

    struct conn *conn; /* the current connection, NULL when none */
    unsigned conns_alive;
    uv_getaddrinfo_t gai;
    int resolving, resolve_stale;
    struct ef_timer timer;
    uv_idle_t defer; /* completes synchronously sent UDP jobs on the loop's next turn */
    int defer_open;

    struct job *q_head, *q_tail; /* jobs in order, queued or writing */
    struct job *free_jobs;
    int pumping, pump_again;

    int closing;
    void (*closed_cb)(struct ef_sink *sink);
    struct ef_syslog_sink_stats st;
    uint64_t log_count;
};

static const char REASON_OVERSIZE[] = "message over max_message_size (oversize = drop)";

static void pump(struct slsink *s);
static void fail_conn(struct slsink *s, int rc, const char *why);
static void maybe_closed(struct slsink *s);

/* ---- jobs ---------------------------------------------------------------- */

static struct job *job_get(struct slsink *s)
{
    struct job *j = s->free_jobs;

    if (j) {
        s->free_jobs = j->next;
    } else {
        j = calloc(1, sizeof(*j));
        if (!j)
            return NULL;
        j->s = s;
        ef_buf_init(&j->out, OUT_MAX);
        ef_buf_init(&j->wire, OUT_MAX);
    }
    j->next = NULL;
    j->b = NULL;
    ef_buf_reset(&j->out);
    ef_buf_reset(&j->wire);
    j->n_msgs = j->next_msg = 0;
    j->truncated = 0;
    j->writing = 0;
    j->sent = 0;
    if (j->verdict)
        free(j->verdict);
    free(j->reasons);
    j->verdict = NULL;
    j->reasons = NULL;
    j->cap_ev = 0;
    return j;
}

static void job_free(struct job *j)
{
    ef_buf_free(&j->out);
    ef_buf_free(&j->wire);
    free(j->ends);
    free(j->verdict);
    free(j->reasons);
    free(j);
}

static void job_put(struct slsink *s, struct job *j)
{
    j->next = s->free_jobs;
    s->free_jobs = j;
}

static void unlink_job(struct slsink *s, struct job *j)
{
    struct job **pp = &s->q_head, *prev = NULL;

    while (*pp && *pp != j) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = j->next;
    if (s->q_tail == j)
        s->q_tail = prev;
    j->next = NULL;
}

/* Completes a job and recycles it. The completion may call send() again. */
static void finish(struct slsink *s, struct job *j, int ok, const char *why)
{
    struct ef_sink_result r = {0};
    struct ef_batch *b = j->b;
    size_t i;

    unlink_job(s, j);
    if (ok) {
        s->st.messages += j->n_msgs;
        s->st.bytes += j->out.len;
        s->st.truncated += j->truncated;
        r.verdict = EF_SINK_ACK;
        if (j->verdict) {
            r.per_event = j->verdict;
            r.per_event_reason = (const char *const *)j->reasons;
            for (i = 0; i < b->count; i++)
                s->st.oversize_rejected += j->verdict[i] == EF_SINK_REJECT;
        }
    } else {
        r.verdict = EF_SINK_RETRY;
        r.reason = why;
    }
    /* The result points into the job: recycle it only after the completion. */
    ef_sink_complete(s->sink, b, &r);
    job_put(s, j);
}

static int note_message_end(struct job *j)
{
    if (j->n_msgs == j->cap_msgs) {
        size_t cap = j->cap_msgs ? j->cap_msgs * 2 : 64;
        size_t *e = realloc(j->ends, cap * sizeof(*e));

        if (!e)
            return EF_ENOMEM;
        j->ends = e;
        j->cap_msgs = cap;
    }
    j->ends[j->n_msgs++] = j->out.len;
    return 0;
}

static int reject_event(struct job *j, size_t i, size_t count)
{
    if (!j->verdict) {
        j->verdict = calloc(count, 1);
        j->reasons = calloc(count, sizeof(*j->reasons));
        if (!j->verdict || !j->reasons)
            return EF_ENOMEM;
        j->cap_ev = count;
    }
    j->verdict[i] = EF_SINK_REJECT;
    j->reasons[i] = REASON_OVERSIZE;
    return 0;
}

/* Formats every event of the batch into j->out. */
static int build(struct slsink *s, struct job *j, struct ef_batch *b)
{
    size_t i;
    int rc = 0, flags;

    for (i = 0; i < b->count && rc == 0; i++) {
        const struct ef_batch_event *e = &b->events[i];

        rc = ef_syslog_format(&s->fmt, b->data.data + e->off, e->len, &j->out, &flags);
        if (rc == EF_ELIMIT && (flags & EF_SYSLOG_REFUSED)) {
            /* Over max_message_size with oversize = drop: refused, counted, dead-lettered. */
            rc = reject_event(j, i, b->count);
            continue;
        }
        if (rc == 0) {
            j->truncated += (flags & EF_SYSLOG_TRUNCATED) != 0;
            rc = note_message_end(j);
        }
    }
    return rc;
}

/* ---- connection -------------------------------------------------------- */

static void on_conn_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    struct slsink *s = c->s;

    ef_tls_free(c->tls);
    free(c);
    s->conns_alive--;
    maybe_closed(s);
}

static void drop_conn(struct slsink *s, struct conn *c)
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
        finish(s, j, 0, why);
    }
}

static void fail_conn(struct slsink *s, int rc, const char *why)
{
    char reason[600];

    snprintf(reason, sizeof(reason), "syslog %s:%s: %s (%s)", s->host, s->port, why,
             ef_strerror(rc));
    EF_LOG_EVERY(s->log_count, LOG_EVERY_N, EF_LOG_WARN, MOD, "sink %s: %s", ef_sink_name(s->sink),
                 reason);
    s->st.disconnects++;
    if (s->conn)
        drop_conn(s, s->conn);
    ef_timer_stop(s->clock, &s->timer);
    if (s->resolving)
        s->resolve_stale = 1;
    /* Jobs being written complete from their write callbacks (cancelled by the close). */
    fail_queued(s, reason);
}

static int from_uv(int err)
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

static void on_timeout(struct ef_timer *t)
{
    struct slsink *s = t->data;

    fail_conn(s, EF_ETIMEDOUT, s->conn && s->conn->ready ? "write timed out" : "connect timed out");
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

    ef_buf_init(&tmp, OUT_MAX);
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
        rc = from_uv(rc);
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
    ef_log_debug(MOD, "sink %s: connected to %s:%s", ef_sink_name(s->sink), s->host, s->port);
    pump(s);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = st->data;
    struct slsink *s = c->s;
    int rc;

    if (c->dead)
        return;
    if (nread < 0) {
        fail_conn(s, EF_ECONN, nread == UV_EOF ? "closed by the server" : uv_strerror((int)nread));
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
            ef_log_error(MOD, "sink %s: %s:%s: %s", ef_sink_name(s->sink), s->host, s->port,
                         ef_tls_error(c->tls));
        fail_conn(s, rc, ef_tls_error(c->tls));
        return;
    }
    if (rc == 0)
        rc = ef_tls_drain(c->tls);
    if (rc == 0)
        rc = flush_tls(c);
    if (rc < 0)
        fail_conn(s, rc, ef_tls_error(c->tls));
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
        fail_conn(s, from_uv(status), uv_strerror(status));
        return;
    }
    rc = uv_read_start(&c->u.st, on_alloc, on_read);
    if (rc < 0) {
        fail_conn(s, from_uv(rc), uv_strerror(rc));
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
        fail_conn(s, rc, "TLS setup");
    }
}

static void connect_addr(struct slsink *s, const struct sockaddr *addr)
{
    struct conn *c = calloc(1, sizeof(*c));
    int rc;

    if (!c) {
        fail_conn(s, EF_ENOMEM, "connect");
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
            fail_conn(s, from_uv(rc), uv_strerror(rc));
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
        fail_conn(s, from_uv(rc), uv_strerror(rc));
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
            maybe_closed(s);
        else
            pump(s);
        return;
    }
    if (status < 0 || !res) {
        s->st.connect_errors++;
        fail_conn(s, EF_ECONN, status < 0 ? uv_strerror(status) : "no address");
        uv_freeaddrinfo(res);
        return;
    }
    connect_addr(s, res->ai_addr);
    uv_freeaddrinfo(res);
}

static void start_connect(struct slsink *s)
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
        fail_conn(s, EF_ECONN, uv_strerror(rc));
        return;
    }
    s->resolving = 1;
}

/* ---- writing ------------------------------------------------------------- */

static void write_done(struct slsink *s, struct conn *c, struct job *j, int status)
{
    c->writes--;
    if (status < 0) {
        char why[400];

        snprintf(why, sizeof(why), "syslog %s:%s: write failed (%s)", s->host, s->port,
                 uv_strerror(status));
        if (!c->dead) {
            s->st.write_errors++;
            fail_conn(s, from_uv(status), "write failed");
        }
        finish(s, j, 0, why);
        return;
    }
    if (!c->dead) {
        if (c->writes)
            ef_timer_start(s->clock, &s->timer, s->timeout_ms);
        else
            ef_timer_stop(s->clock, &s->timer);
    }
    finish(s, j, 1, NULL);
}

static void on_written(uv_write_t *w, int status)
{
    struct job *j = w->data;

    write_done(j->s, w->handle->data, j, status);
}

static void udp_continue(struct slsink *s, struct conn *c, struct job *j);

/*
 * An idle handle, not a 0 ms timer: a timer started from a timer callback
 * runs in the same pass, so the receiver would never get a turn; idle
 * callbacks started now run on the next turn, after the loop polled I/O.
 */
static void on_defer(uv_idle_t *h)
{
    struct slsink *s = h->data;
    struct job *j;
    size_t n = 0;

    uv_idle_stop(h);
    /*
     * In order: the sent jobs at the head of the queue, only those sent
     * before this turn (a completion sends the next batch at once).
     */
    for (j = s->q_head; j && j->sent; j = j->next)
        n++;
    while (n-- > 0 && (j = s->q_head) && j->sent)
        finish(s, j, 1, NULL);
}

static void on_udp_sent(uv_udp_send_t *r, int status)
{
    struct job *j = r->data;
    struct conn *c = r->handle->data;
    struct slsink *s = j->s;

    if (status < 0 || c->dead) {
        write_done(s, c, j, status < 0 ? status : UV_ECANCELED);
        return;
    }
    c->writes--;
    j->next_msg++;
    udp_continue(s, c, j);
}

/* Sends the job's datagrams from next_msg on, synchronously while the kernel takes them. */
static void udp_continue(struct slsink *s, struct conn *c, struct job *j)
{
    while (j->next_msg < j->n_msgs) {
        size_t from = j->next_msg ? j->ends[j->next_msg - 1] : 0;
        uv_buf_t buf = uv_buf_init(j->out.data + from, (unsigned)(j->ends[j->next_msg] - from));
        int rc = uv_udp_try_send(&c->u.udp, &buf, 1, NULL);

        if (rc >= 0) {
            j->next_msg++;
            continue;
        }
        c->writes++;
        if (rc == UV_EAGAIN || rc == UV_ENOSYS) {
            j->ureq.data = j;
            rc = uv_udp_send(&j->ureq, &c->u.udp, &buf, 1, NULL, on_udp_sent);
            if (rc == 0) {
                ef_timer_start(s->clock, &s->timer, s->timeout_ms);
                return;
            }
        }
        write_done(s, c, j, rc);
        return;
    }
    if (!c->writes)
        ef_timer_stop(s->clock, &s->timer);
    /*
     * Completing here would recurse (the completion sends the next batch,
     * which completes at once...) and starve the receiver on loopback; the
     * loop's next turn completes it instead.
     */
    j->sent = 1;
    uv_idle_start(&s->defer, on_defer);
}

static void start_write(struct slsink *s, struct conn *c, struct job *j)
{
    uv_buf_t buf;
    int rc;

    j->writing = 1;
    if (s->transport == EF_SYSLOG_UDP) {
        udp_continue(s, c, j);
        return;
    }
    if (c->tls) {
        rc = ef_tls_write(c->tls, j->out.data, j->out.len);
        if (rc == 0)
            rc = ef_tls_take_output(c->tls, &j->wire);
        if (rc < 0) {
            j->writing = 0;
            fail_conn(s, rc, ef_tls_error(c->tls));
            return;
        }
        buf = uv_buf_init(j->wire.data, (unsigned)j->wire.len);
    } else {
        buf = uv_buf_init(j->out.data, (unsigned)j->out.len);
    }
    j->wreq.data = j;
    rc = uv_write(&j->wreq, &c->u.st, &buf, 1, on_written);
    if (rc < 0) {
        j->writing = 0;
        s->st.write_errors++;
        fail_conn(s, from_uv(rc), uv_strerror(rc));
        return;
    }
    if (c->writes++ == 0)
        ef_timer_start(s->clock, &s->timer, s->timeout_ms);
}

/* Writes queued jobs in order, connecting first when needed. */
static void pump(struct slsink *s)
{
    if (s->pumping) {
        s->pump_again = 1;
        return;
    }
    s->pumping = 1;
    do {
        struct job *j;

        s->pump_again = 0;
        if (s->closing || !s->q_head)
            break;
        if (!s->conn) {
            if (!s->resolving)
                start_connect(s);
            continue;
        }
        if (!s->conn->ready)
            break;
        for (j = s->q_head; j && j->writing; j = j->next)
            ;
        if (j) {
            start_write(s, s->conn, j);
            s->pump_again = 1;
        }
    } while (s->pump_again);
    s->pumping = 0;
}

/* ---- the sink ops --------------------------------------------------------- */

static int syslog_send(void *state, struct ef_batch *b)
{
    struct slsink *s = state;
    struct job *j;
    int rc;

    if (s->closing)
        return EF_ECANCELED;
    j = job_get(s);
    if (!j)
        return EF_ENOMEM;
    rc = build(s, j, b);
    if (rc < 0) {
        job_put(s, j);
        return rc;
    }
    j->b = b;
    if (s->q_tail)
        s->q_tail->next = j;
    else
        s->q_head = j;
    s->q_tail = j;
    if (j->n_msgs == 0) {
        /* Every event was refused: nothing to write. */
        finish(s, j, 1, NULL);
        return 0;
    }
    pump(s);
    return 0;
}

static void free_sink(struct slsink *s)
{
    struct job *j;

    while ((j = s->free_jobs)) {
        s->free_jobs = j->next;
        job_free(j);
    }
    while ((j = s->q_head)) {
        s->q_head = j->next;
        job_free(j);
    }
    ef_buf_free(&s->fmt.hdr);
    ef_tls_ctx_free(s->tls_ctx);
    free(s);
}

static void maybe_closed(struct slsink *s)
{
    void (*done)(struct ef_sink * sink);
    struct ef_sink *sink;

    if (!s->closing || s->resolving || s->conns_alive || s->defer_open)
        return;
    done = s->closed_cb;
    sink = s->sink;
    free_sink(s);
    if (done)
        done(sink);
}

static void on_defer_closed(uv_handle_t *h)
{
    struct slsink *s = h->data;

    s->defer_open = 0;
    maybe_closed(s);
}

static void syslog_close(void *state, void (*done)(struct ef_sink *sink))
{
    struct slsink *s = state;

    if (s->closing)
        return;
    s->closing = 1;
    s->closed_cb = done;
    ef_timer_stop(s->clock, &s->timer);
    if (s->resolving)
        (void)uv_cancel((uv_req_t *)&s->gai);
    if (s->conn)
        drop_conn(s, s->conn);
    if (s->defer_open)
        uv_close((uv_handle_t *)&s->defer, on_defer_closed);
    maybe_closed(s);
}

static void machine_name(char *out, size_t cap)
{
    char name[UV_MAXHOSTNAMESIZE];
    size_t size = sizeof(name), i, o = 0;

    out[0] = 0;
    if (uv_os_gethostname(name, &size) != 0)
        return;
    for (i = 0; name[i] && o + 1 < cap; i++)
        out[o++] = (unsigned char)name[i] >= 33 && (unsigned char)name[i] <= 126 ? name[i] : '_';
    out[o] = 0;
}

static int syslog_open(struct ef_sink *sink, const struct ef_sink_cfg *cfg, uv_loop_t *loop,
                       void **state)
{
    struct slsink *s;
    int rc;

    *state = NULL;
    s = calloc(1, sizeof(*s));
    if (!s)
        return EF_ENOMEM;
    s->sink = sink;
    s->loop = loop;
    s->clock = ef_sink_clock(sink);
    s->transport = cfg->transport;
    ef_buf_init(&s->fmt.hdr, 64 * 1024);
    ef_timer_init(&s->timer, on_timeout, s);
    rc = ef_syslog_split_address(cfg->address, s->host, sizeof(s->host), s->port, sizeof(s->port));
    if (rc < 0) {
        ef_log_error(MOD, "sink %s: address \"%s\" is not host:port", cfg->name,
                     cfg->address ? cfg->address : "");
        rc = EF_ECONFIG;
        goto out;
    }
    s->fmt.rfc = cfg->rfc;
    s->fmt.facility = cfg->facility >= 0 && cfg->facility <= 23 ? cfg->facility : 1;
    s->fmt.framing = cfg->transport == EF_SYSLOG_UDP ? EF_SYSLOG_FRAME_NONE : cfg->framing;
    s->fmt.max_size = cfg->max_message_size ? (size_t)cfg->max_message_size : DEF_MAX_SIZE;
    if (cfg->transport == EF_SYSLOG_UDP && s->fmt.max_size > 65507)
        s->fmt.max_size = 65507;
    s->fmt.oversize = cfg->oversize;
    machine_name(s->fmt.hostname, sizeof(s->fmt.hostname));
    s->fmt.self_pid = (unsigned long)uv_os_getpid();
    s->connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : DEF_CONNECT;
    s->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DEF_TIMEOUT;
    if (cfg->transport == EF_SYSLOG_TLS) {
        struct ef_tls_options o = {0};
        char err[300];

        o.verify = cfg->tls_verify;
        o.ca_file = cfg->ca_file;
        o.ca_path = cfg->ca_path;
        o.client_cert = cfg->client_cert;
        o.client_key = cfg->client_key;
        rc = ef_tls_ctx_new(&o, &s->tls_ctx, err, sizeof(err));
        if (rc < 0) {
            ef_log_error(MOD, "sink %s: %s", cfg->name, err);
            goto out;
        }
        if (!cfg->tls_verify)
            ef_log_warn(MOD,
                        "sink %s: tls_verify = false: the server's certificate is not checked, "
                        "anyone in the path can read and change the events",
                        cfg->name);
    }
    /* Last: from here on the sink owns a handle and only close() frees it. */
    rc = uv_idle_init(loop, &s->defer);
    if (rc < 0) {
        rc = EF_ESYS;
        goto out;
    }
    s->defer.data = s;
    s->defer_open = 1;
    *state = s;
    s = NULL;
out:
    if (s)
        free_sink(s);
    return rc;
}

static void syslog_stats(void *state, struct ef_buf *out)
{
    struct slsink *s = state;
    const char *n = ef_sink_name(s->sink);

    ef_buf_appendf(out,
                   "etwfwd_syslog_messages_total{sink=\"%s\"} %llu\n"
                   "etwfwd_syslog_bytes_total{sink=\"%s\"} %llu\n"
                   "etwfwd_syslog_truncated_total{sink=\"%s\"} %llu\n"
                   "etwfwd_syslog_oversize_rejected_total{sink=\"%s\"} %llu\n"
                   "etwfwd_syslog_connects_total{sink=\"%s\"} %llu\n"
                   "etwfwd_syslog_connect_errors_total{sink=\"%s\"} %llu\n"
                   "etwfwd_syslog_disconnects_total{sink=\"%s\"} %llu\n"
                   "etwfwd_syslog_write_errors_total{sink=\"%s\"} %llu\n"
                   "etwfwd_syslog_tls_errors_total{sink=\"%s\"} %llu\n",
                   n, (unsigned long long)s->st.messages, n, (unsigned long long)s->st.bytes, n,
                   (unsigned long long)s->st.truncated, n,
                   (unsigned long long)s->st.oversize_rejected, n,
                   (unsigned long long)s->st.connects, n, (unsigned long long)s->st.connect_errors,
                   n, (unsigned long long)s->st.disconnects, n,
                   (unsigned long long)s->st.write_errors, n, (unsigned long long)s->st.tls_errors);
}

void ef_syslog_sink_get_stats(void *state, struct ef_syslog_sink_stats *st)
{
    struct slsink *s = state;

    *st = s->st;
}

const struct ef_sink_ops ef_sink_syslog_ops = {
    .type = "syslog",
    .open = syslog_open,
    .send = syslog_send,
    .close = syslog_close,
    .stats = syslog_stats,
};

/*
 * syslog_net.c - the syslog sink on libuv: its ops (open, send, close,
 * stats) over UDP datagrams, TCP streams with RFC 6587 framing, and TLS
 * (RFC 5425) through tls.h. The connection is in syslog_conn.c, the jobs
 * and their writing in syslog_write.c, the shared state in syslog_int.h.
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
 * Any failure closes the connection and completes every job of it with
 * RETRY; the pipeline's resend after its backoff connects again, so the
 * sink keeps no reconnect timer of its own (syslog_conn.c says more).
 */
#include <stdlib.h>
#include <uv.h>

#include "config/config.h"
#include "pipeline/clock.h"
#include "sinks/syslog_int.h"
#include "sinks/tls.h"
#include "util/error.h"
#include "util/log.h"

#define DEF_CONNECT  10000
#define DEF_TIMEOUT  30000
#define DEF_MAX_SIZE 65536

/* ---- the sink ops --------------------------------------------------------- */

static int syslog_send(void *state, struct ef_batch *b)
{
    struct slsink *s = state;
    struct job *j;
    int rc;

    if (s->closing)
        return EF_ECANCELED;
    j = ef_syslog_job_get(s);
    if (!j)
        return EF_ENOMEM;
    rc = ef_syslog_build(s, j, b);
    if (rc < 0) {
        ef_syslog_job_put(s, j);
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
        ef_syslog_finish(s, j, 1, NULL);
        return 0;
    }
    ef_syslog_pump(s);
    return 0;
}

static void free_sink(struct slsink *s)
{
    struct job *j;

    while ((j = s->free_jobs)) {
        s->free_jobs = j->next;
        ef_syslog_job_free(j);
    }
    while ((j = s->q_head)) {
        s->q_head = j->next;
        ef_syslog_job_free(j);
    }
    ef_buf_free(&s->fmt.hdr);
    ef_tls_ctx_free(s->tls_ctx);
    free(s);
}

void ef_syslog_maybe_closed(struct slsink *s)
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
    ef_syslog_maybe_closed(s);
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
        ef_syslog_drop_conn(s, s->conn);
    if (s->defer_open)
        uv_close((uv_handle_t *)&s->defer, on_defer_closed);
    ef_syslog_maybe_closed(s);
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
    ef_timer_init(&s->timer, ef_syslog_on_timeout, s);
    rc = ef_syslog_split_address(cfg->address, s->host, sizeof(s->host), s->port, sizeof(s->port));
    if (rc < 0) {
        ef_log_error(EF_SYSLOG_MOD, "sink %s: address \"%s\" is not host:port", cfg->name,
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
            ef_log_error(EF_SYSLOG_MOD, "sink %s: %s", cfg->name, err);
            goto out;
        }
        if (!cfg->tls_verify)
            ef_log_warn(EF_SYSLOG_MOD,
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

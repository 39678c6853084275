/*
 * syslog_int.h - the syslog sink's internal pieces, shared by its network
 * files: the sink state (syslog_net.c: open, send, close, stats), the
 * connection (syslog_conn.c: resolve, connect, TLS handshake, failure) and
 * the jobs with their writing (syslog_write.c: build, TCP/TLS stream
 * writes, UDP datagrams, completion). The design is described at the top
 * of syslog_net.c. Everything here runs on the loop thread of the sink.
 */
#ifndef EF_SINKS_SYSLOG_INT_H
#define EF_SINKS_SYSLOG_INT_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "pipeline/clock.h"
#include "pipeline/sink.h"
#include "sinks/syslog.h"
#include "util/buf.h"

#define EF_SYSLOG_MOD      "syslog"
#define EF_SYSLOG_OUT_MAX  (1u << 30)
#define EF_SYSLOG_READ_BUF 16384

struct ef_tls;
struct ef_tls_ctx;
struct slsink;

/* One connection; the sink has at most one current one (slsink.conn). */
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
    char rbuf[EF_SYSLOG_READ_BUF];
};

/* One batch formatted into one buffer, queued or being written. */
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

/* The state of one syslog sink. */
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

/* --- the sink (syslog_net.c) --- */

/* Frees the sink once it is closing and nothing of it is in flight any more. */
void ef_syslog_maybe_closed(struct slsink *s);

/* --- the connection (syslog_conn.c) --- */

/* Resolves the address (unless it is an IP literal) and connects, under the connect timeout. */
void ef_syslog_start_connect(struct slsink *s);
/* Marks c dead and closes its handle; on_conn_closed frees it. */
void ef_syslog_drop_conn(struct slsink *s, struct conn *c);
/*
 * Closes the current connection and completes every job not being written
 * with RETRY, the reason built from why and rc; counted and logged every
 * Nth time.
 */
void ef_syslog_fail_conn(struct slsink *s, int rc, const char *why);
/* The timer's callback: the connect or write timeout expired. */
void ef_syslog_on_timeout(struct ef_timer *t);
/* A libuv error as an EF_E* code. Any thread. */
int ef_syslog_from_uv(int err);

/* --- jobs and writing (syslog_write.c) --- */

/* A job from the free list or a new one, reset; NULL when out of memory. */
struct job *ef_syslog_job_get(struct slsink *s);
/* Returns a job to the free list. */
void ef_syslog_job_put(struct slsink *s, struct job *j);
/* Frees a job and its buffers. */
void ef_syslog_job_free(struct job *j);
/* Formats every event of the batch into j->out. Returns 0 or EF_E*. */
int ef_syslog_build(struct slsink *s, struct job *j, struct ef_batch *b);
/* Completes a job (ACK when ok, else RETRY with why) and recycles it. */
void ef_syslog_finish(struct slsink *s, struct job *j, int ok, const char *why);
/* Writes queued jobs in order, connecting first when needed. */
void ef_syslog_pump(struct slsink *s);

#endif

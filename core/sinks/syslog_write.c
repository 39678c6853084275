/*
 * syslog_write.c - the syslog sink's jobs and their writing: a batch
 * formatted into one buffer (a job), the FIFO of jobs, TCP and TLS stream
 * writes with RFC 6587 framing already in the buffer, UDP datagrams, and
 * the completion of each job towards the pipeline.
 *
 * A job is acknowledged when libuv reports its bytes written: for TCP and
 * TLS the uv_write callback, i.e. every byte is in the kernel's socket
 * buffer; for UDP every datagram was handed to the kernel (see the DESIGN
 * paragraph of syslog_net.c). The connection these writes go to is made and
 * failed in syslog_conn.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "config/config.h"
#include "pipeline/clock.h"
#include "sinks/syslog_int.h"
#include "sinks/tls.h"
#include "util/error.h"

static const char REASON_OVERSIZE[] = "message over max_message_size (oversize = drop)";

/* ---- jobs ---------------------------------------------------------------- */

struct job *ef_syslog_job_get(struct slsink *s)
{
    struct job *j = s->free_jobs;

    if (j) {
        s->free_jobs = j->next;
    } else {
        j = calloc(1, sizeof(*j));
        if (!j)
            return NULL;
        j->s = s;
        ef_buf_init(&j->out, EF_SYSLOG_OUT_MAX);
        ef_buf_init(&j->wire, EF_SYSLOG_OUT_MAX);
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

void ef_syslog_job_free(struct job *j)
{
    ef_buf_free(&j->out);
    ef_buf_free(&j->wire);
    free(j->ends);
    free(j->verdict);
    free(j->reasons);
    free(j);
}

void ef_syslog_job_put(struct slsink *s, struct job *j)
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
void ef_syslog_finish(struct slsink *s, struct job *j, int ok, const char *why)
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
    ef_syslog_job_put(s, j);
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
int ef_syslog_build(struct slsink *s, struct job *j, struct ef_batch *b)
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
            ef_syslog_fail_conn(s, ef_syslog_from_uv(status), "write failed");
        }
        ef_syslog_finish(s, j, 0, why);
        return;
    }
    if (!c->dead) {
        if (c->writes)
            ef_timer_start(s->clock, &s->timer, s->timeout_ms);
        else
            ef_timer_stop(s->clock, &s->timer);
    }
    ef_syslog_finish(s, j, 1, NULL);
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
        ef_syslog_finish(s, j, 1, NULL);
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
            ef_syslog_fail_conn(s, rc, ef_tls_error(c->tls));
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
        ef_syslog_fail_conn(s, ef_syslog_from_uv(rc), uv_strerror(rc));
        return;
    }
    if (c->writes++ == 0)
        ef_timer_start(s->clock, &s->timer, s->timeout_ms);
}

/* Writes queued jobs in order, connecting first when needed. */
void ef_syslog_pump(struct slsink *s)
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
                ef_syslog_start_connect(s);
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

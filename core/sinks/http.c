/*
 * http.c - the HTTP sink: batches to requests, responses to verdicts. See
 * http.h and docs/sinks-http.md.
 *
 * DESIGN. A batch becomes one "job" (struct hbatch) holding a verdict per
 * event, and one or more requests (struct hreq) each covering a range of
 * the batch's events. A request whose body is over max_body_size after
 * compression, or that the receiver answers 413, is replaced by two
 * requests for the two halves of its range; a single event still too large
 * is rejected. Each finished request writes the verdicts of its range; when
 * the last request of a job finishes, the job completes the batch once: one
 * verdict when all events agree, per-event verdicts otherwise (the pipeline
 * then resends only the RETRY events and dead-letters the REJECT ones).
 * Retries and their timing belong to the pipeline; this file only passes on
 * the receiver's Retry-After. Building curl handles and headers and the
 * status classes live in http_request.c; secrets (token, password, header
 * values) go into curl's options and nowhere else.
 */
#include "sinks/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "pipeline/clock.h"
#include "sinks/http_int.h"
#include "util/error.h"
#include "util/log.h"

#define RAW_MAX         (1024u * 1024 * 1024) /* a formatted body before gzip */
#define RESP_MAX        (16u * 1024 * 1024)   /* the response kept (bulk item results) */
#define VERDICT_PENDING 255

struct hsink;

struct hbatch {
    struct hsink *hs;
    struct ef_batch *b;
    uint8_t *verdict;    /* per event */
    const char **reason; /* per event, pointing into strs */
    char **strs;         /* reasons owned by the job */
    size_t n_strs, cap_strs;
    unsigned pending;     /* requests not finished */
    uint64_t retry_after; /* the largest Retry-After of its requests */
    struct hbatch *prev, *next;
};

struct hreq {
    struct hbatch *hb;
    size_t from, to;
    CURL *easy;
    struct ef_buf body, resp;
    int gzipped;
    int ack_poll; /* this transfer polls /services/collector/ack */
    uint64_t ack_id;
    unsigned polls;
    struct ef_timer poll_timer;
    char errbuf[CURL_ERROR_SIZE];
    struct hreq *prev, *next;
};

struct hsink {
    struct ef_sink *sink;
    uv_loop_t *loop;
    struct ef_clock *clock;
    struct ef_http_multi *multi;
    struct ef_http_fmt fmt;
    char host[256];
    char *url, *ack_url, *index;
    struct ef_http_conn conn;
    int gzip, hec_ack;
    uint64_t max_body;
    struct curl_slist *headers;    /* every request */
    struct curl_slist *headers_gz; /* ... plus Content-Encoding: gzip */
    struct hbatch *jobs;
    struct hreq *reqs; /* transfers running or waiting for an ack poll */
    struct ef_buf fmtbuf;
    void (*closed_cb)(struct ef_sink *sink);
    struct ef_http_sink_stats st;
    uint64_t log_auth, log_conn, log_reject;
};

static void job_finish_one(struct hbatch *hb);
static void start_range(struct hbatch *hb, size_t from, size_t to);

static char *dup_or_null(const char *s)
{
    return s && s[0] ? strdup(s) : NULL;
}

/* --- verdicts --- */

static const char *job_str(struct hbatch *hb, const char *s)
{
    char *c;

    if (!s)
        return NULL;
    if (hb->n_strs == hb->cap_strs) {
        size_t cap = hb->cap_strs ? hb->cap_strs * 2 : 4;
        char **p = realloc(hb->strs, cap * sizeof(*p));

        if (!p)
            return "out of memory";
        hb->strs = p;
        hb->cap_strs = cap;
    }
    c = strdup(s);
    if (!c)
        return "out of memory";
    hb->strs[hb->n_strs++] = c;
    return c;
}

static void set_range(struct hbatch *hb, size_t from, size_t to, int verdict, const char *why)
{
    const char *r = job_str(hb, why);
    size_t i;

    for (i = from; i < to; i++) {
        hb->verdict[i] = (uint8_t)verdict;
        hb->reason[i] = r;
    }
}

static void job_free(struct hbatch *hb)
{
    size_t i;

    for (i = 0; i < hb->n_strs; i++)
        free(hb->strs[i]);
    free(hb->strs);
    free(hb->verdict);
    free(hb->reason);
    free(hb);
}

static void job_unlink(struct hbatch *hb)
{
    struct hsink *hs = hb->hs;

    if (hb->prev)
        hb->prev->next = hb->next;
    else
        hs->jobs = hb->next;
    if (hb->next)
        hb->next->prev = hb->prev;
}

/* The last request of the job finished: one completion for the batch. */
static void job_complete(struct hbatch *hb)
{
    struct hsink *hs = hb->hs;
    struct ef_sink_result r;
    size_t i, n = hb->b->count;
    int mixed = 0;

    memset(&r, 0, sizeof(r));
    for (i = 0; i < n; i++) {
        /* Cannot happen (every range gets a verdict); if it did, resend, never drop. */
        if (hb->verdict[i] == VERDICT_PENDING)
            hb->verdict[i] = EF_SINK_RETRY;
    }
    for (i = 1; i < n; i++) {
        if (hb->verdict[i] != hb->verdict[0])
            mixed = 1;
    }
    r.retry_after_ms = hb->retry_after;
    if (mixed) {
        r.per_event = hb->verdict;
        r.per_event_reason = hb->reason;
        for (i = 0; i < n && !r.reason; i++)
            r.reason = hb->reason[i];
    } else {
        r.verdict = n ? hb->verdict[0] : EF_SINK_ACK;
        r.reason = n ? hb->reason[0] : NULL;
    }
    job_unlink(hb);
    ef_sink_complete(hs->sink, hb->b, &r);
    job_free(hb);
}

static void job_finish_one(struct hbatch *hb)
{
    if (--hb->pending == 0)
        job_complete(hb);
}

/* --- requests --- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct hreq *rq = ud;
    size_t len = size * n;

    /* Past the cap the rest is dropped, not an error: the status still counts. */
    if (rq->resp.len < RESP_MAX)
        ef_buf_append(&rq->resp, p, len < RESP_MAX - rq->resp.len ? len : RESP_MAX - rq->resp.len);
    return len;
}

static void req_unlink(struct hreq *rq)
{
    struct hsink *hs = rq->hb->hs;

    if (rq->prev)
        rq->prev->next = rq->next;
    else
        hs->reqs = rq->next;
    if (rq->next)
        rq->next->prev = rq->prev;
}

static void req_free(struct hreq *rq)
{
    struct hsink *hs = rq->hb->hs;

    ef_timer_stop(hs->clock, &rq->poll_timer);
    if (rq->easy)
        curl_easy_cleanup(rq->easy);
    ef_buf_free(&rq->body);
    ef_buf_free(&rq->resp);
    free(rq);
}

static int launch(struct hsink *hs, struct hreq *rq, const char *url)
{
    int rc;

    ef_buf_reset(&rq->resp);
    if (rq->easy) {
        curl_easy_cleanup(rq->easy);
        rq->easy = NULL;
    }
    rc = ef_http_easy_new(&hs->conn, url, &rq->body, rq->gzipped ? hs->headers_gz : hs->headers,
                          on_body, rq, rq->errbuf, (void **)&rq->easy);
    if (rc == 0)
        rc = ef_http_multi_add(hs->multi, rq->easy);
    if (rc == 0)
        hs->st.active++;
    return rc;
}

/* Builds the body of [from, to): EF_ELIMIT when it is over max_body_size. */
static int build_body(struct hsink *hs, struct hreq *rq)
{
    struct ef_buf *raw = hs->gzip ? &hs->fmtbuf : &rq->body;
    int rc;

    ef_buf_reset(raw);
    rc = ef_http_format_body(&hs->fmt, rq->hb->b, rq->from, rq->to, raw);
    if (rc == 0 && hs->gzip) {
        rc = ef_http_gzip(raw->data, raw->len, 1, &rq->body);
        rq->gzipped = 1;
    }
    if (rc == 0 && rq->body.len > hs->max_body)
        rc = EF_ELIMIT;
    if (rc == 0) {
        hs->st.raw_bytes += raw->len;
        hs->st.body_bytes += rq->body.len;
    }
    return rc;
}

static void split(struct hbatch *hb, size_t from, size_t to)
{
    size_t mid = from + (to - from) / 2;

    hb->hs->st.splits++;
    start_range(hb, from, mid);
    start_range(hb, mid, to);
}

/*
 * Starts the request(s) for [from, to). Never fails: a range that cannot be
 * sent gets its verdict here (RETRY, or REJECT for an event too large), so
 * every event of the job always ends with a verdict.
 */
static void start_range(struct hbatch *hb, size_t from, size_t to)
{
    struct hsink *hs = hb->hs;
    struct hreq *rq = calloc(1, sizeof(*rq));
    int rc;

    if (!rq) {
        set_range(hb, from, to, EF_SINK_RETRY, ef_strerror(EF_ENOMEM));
        return;
    }
    rq->hb = hb;
    rq->from = from;
    rq->to = to;
    ef_buf_init(&rq->body, (size_t)hs->max_body);
    ef_buf_init(&rq->resp, RESP_MAX);
    ef_timer_init(&rq->poll_timer, NULL, rq);
    rc = build_body(hs, rq);
    if (rc == EF_ELIMIT) {
        req_free(rq);
        if (to - from > 1) {
            split(hb, from, to);
            return;
        }
        hs->st.too_large++;
        set_range(hb, from, to, EF_SINK_REJECT, "event larger than max_body_size");
        return;
    }
    if (rc == 0) {
        hs->st.requests++;
        rc = launch(hs, rq, hs->url);
    }
    if (rc < 0) {
        set_range(hb, from, to, EF_SINK_RETRY, ef_strerror(rc));
        req_free(rq);
        return;
    }
    rq->next = hs->reqs;
    if (hs->reqs)
        hs->reqs->prev = rq;
    hs->reqs = rq;
    hb->pending++;
}

/* --- responses --- */

static void on_bulk(struct hsink *hs, struct hreq *rq)
{
    struct hbatch *hb = rq->hb;
    size_t n = rq->to - rq->from, i;
    uint8_t *v = malloc(n ? n : 1);
    char **why = calloc(n ? n : 1, sizeof(*why));
    int rc = v && why ? ef_http_bulk_parse(rq->resp.data, rq->resp.len, n, v, why) : EF_ENOMEM;

    if (rc < 0) {
        /* Not a bulk response for these items: no item is known to be stored. */
        set_range(hb, rq->from, rq->to, EF_SINK_RETRY,
                  rc == EF_EFORMAT ? "unreadable _bulk response" : ef_strerror(rc));
    } else {
        for (i = 0; i < n; i++) {
            hb->verdict[rq->from + i] = v[i];
            hb->reason[rq->from + i] = why[i] ? job_str(hb, why[i]) : NULL;
            if (v[i] == EF_SINK_RETRY)
                hs->st.item_retries++;
            else if (v[i] == EF_SINK_REJECT)
                hs->st.item_rejects++;
            free(why[i]);
        }
        if (hs->st.item_rejects)
            EF_LOG_EVERY(hs->log_reject, 100, EF_LOG_WARN, "http", "%s: bulk items rejected",
                         ef_sink_name(hs->sink));
    }
    free(v);
    free(why);
}

static void on_poll_timer(struct ef_timer *t);

/* HEC answered 200 with an ackId: wait for Splunk to index it. */
static int start_ack_wait(struct hsink *hs, struct hreq *rq, uint64_t ack_id)
{
    int rc;

    rq->ack_poll = 1;
    rq->ack_id = ack_id;
    rq->polls = 0;
    ef_buf_reset(&rq->body);
    rq->gzipped = 0;
    rc = ef_buf_appendf(&rq->body, "{\"acks\":[%llu]}", (unsigned long long)ack_id);
    if (rc < 0)
        return rc;
    hs->st.waiting_ack++;
    rq->poll_timer.cb = on_poll_timer;
    ef_timer_start(hs->clock, &rq->poll_timer, EF_HTTP_HEC_POLL_MS);
    return 0;
}

static void on_poll_timer(struct ef_timer *t)
{
    struct hreq *rq = t->data;
    struct hsink *hs = rq->hb->hs;

    hs->st.waiting_ack--;
    hs->st.hec_ack_polls++;
    rq->polls++;
    if (launch(hs, rq, hs->ack_url) < 0) {
        set_range(rq->hb, rq->from, rq->to, EF_SINK_RETRY, "cannot poll the HEC ack");
        req_unlink(rq);
        job_finish_one(rq->hb);
        req_free(rq);
    }
}

/* Returns 1 when rq lives on (an ack poll was armed). */
static int on_hec(struct hsink *hs, struct hreq *rq)
{
    struct hbatch *hb = rq->hb;
    uint64_t ack_id;
    int code, has_ack, acked;

    if (rq->ack_poll) {
        if (ef_http_hec_ack_parse(rq->resp.data, rq->resp.len, rq->ack_id, &acked) < 0 || !acked) {
            if (rq->polls < EF_HTTP_HEC_POLL_MAX) {
                hs->st.waiting_ack++;
                ef_timer_start(hs->clock, &rq->poll_timer, EF_HTTP_HEC_POLL_MS);
                return 1;
            }
            /* Splunk never confirmed: send again (HEC with acks is at-least-once). */
            hs->st.hec_ack_timeouts++;
            set_range(hb, rq->from, rq->to, EF_SINK_RETRY, "no HEC acknowledgement");
            return 0;
        }
        set_range(hb, rq->from, rq->to, EF_SINK_ACK, NULL);
        return 0;
    }
    if (ef_http_hec_parse(rq->resp.data, rq->resp.len, &code, &ack_id, &has_ack) < 0)
        code = 0; /* a 2xx without a readable body: Splunk stored it */
    if (code > 0) {
        char why[256];

        snprintf(why, sizeof(why), "HEC code %d", code);
        set_range(hb, rq->from, rq->to, code == 9 ? EF_SINK_RETRY : EF_SINK_REJECT, why);
        return 0;
    }
    if (hs->hec_ack && has_ack && start_ack_wait(hs, rq, ack_id) == 0)
        return 1;
    set_range(hb, rq->from, rq->to, EF_SINK_ACK, NULL);
    return 0;
}

/* Maps a finished request; returns 1 when rq lives on (a HEC ack poll). */
static int on_response(struct hsink *hs, struct hreq *rq, int code)
{
    struct hbatch *hb = rq->hb;
    long status = 0;
    char why[EF_HTTP_BODY_KIB + 64];
    uint64_t ra;
    int cls;

    if (code != CURLE_OK) {
        hs->st.conn_errors++;
        snprintf(why, sizeof(why), "%s: %s", curl_easy_strerror((CURLcode)code),
                 rq->errbuf[0] ? rq->errbuf : "no detail");
        EF_LOG_EVERY(hs->log_conn, 100, EF_LOG_WARN, "http", "%s: %s", ef_sink_name(hs->sink), why);
        set_range(hb, rq->from, rq->to, EF_SINK_RETRY, why);
        return 0;
    }
    curl_easy_getinfo(rq->easy, CURLINFO_RESPONSE_CODE, &status);
    cls = ef_http_classify(status, !rq->ack_poll && rq->to - rq->from > 1);
    if (cls == EF_HTTP_C_ACK) {
        hs->st.status_2xx++;
        if (hs->fmt.format == EF_HTTP_ES_BULK)
            on_bulk(hs, rq);
        else if (hs->fmt.format == EF_HTTP_SPLUNK_HEC)
            return on_hec(hs, rq);
        else
            set_range(hb, rq->from, rq->to, EF_SINK_ACK, NULL);
        return 0;
    }
    if (status >= 500)
        hs->st.status_5xx++;
    else if (status >= 400)
        hs->st.status_4xx++;
    else
        hs->st.status_other++;
    ef_http_status_reason(status, rq->resp.data, rq->resp.len, why, sizeof(why));
    switch (cls) {
    case EF_HTTP_C_SPLIT:
        split(hb, rq->from, rq->to);
        break;
    case EF_HTTP_C_AUTH:
        hs->st.auth_failures++;
        EF_LOG_EVERY(hs->log_auth, 10, EF_LOG_ERROR, "http",
                     "%s: the receiver refuses our credentials (HTTP %ld); check token, user, "
                     "password and headers. Retrying every %d s.",
                     ef_sink_name(hs->sink), status, EF_HTTP_AUTH_RETRY_MS / 1000);
        if (hb->retry_after < EF_HTTP_AUTH_RETRY_MS)
            hb->retry_after = EF_HTTP_AUTH_RETRY_MS;
        set_range(hb, rq->from, rq->to, EF_SINK_RETRY, why);
        break;
    case EF_HTTP_C_RETRY:
        ra = ef_http_retry_after_ms(rq->easy);
        if (ra > hb->retry_after)
            hb->retry_after = ra;
        set_range(hb, rq->from, rq->to, EF_SINK_RETRY, why);
        break;
    default:
        EF_LOG_EVERY(hs->log_reject, 100, EF_LOG_WARN, "http", "%s: rejected: %s",
                     ef_sink_name(hs->sink), why);
        set_range(hb, rq->from, rq->to, EF_SINK_REJECT, why);
        if (status == 413)
            hs->st.too_large++;
        break;
    }
    return 0;
}

static void on_done(void *easy, int code, void *ud)
{
    struct hreq *rq = ud;
    struct hsink *hs = rq->hb->hs;
    struct hbatch *hb = rq->hb;

    (void)easy;
    hs->st.active--;
    if (on_response(hs, rq, code))
        return;
    req_unlink(rq);
    req_free(rq);
    job_finish_one(hb);
}

/* --- the sink --- */

static void hsink_free(struct hsink *hs)
{
    curl_slist_free_all(hs->headers);
    curl_slist_free_all(hs->headers_gz);
    ef_http_conn_free(&hs->conn);
    free(hs->url);
    free(hs->ack_url);
    free(hs->index);
    ef_buf_free(&hs->fmtbuf);
    free(hs);
}

static int http_open(struct ef_sink *sink, const struct ef_sink_cfg *cfg, uv_loop_t *loop,
                     void **state)
{
    struct hsink *hs = calloc(1, sizeof(*hs));
    size_t hn;
    int rc = EF_ENOMEM;

    if (!hs)
        return EF_ENOMEM;
    hs->sink = sink;
    hs->loop = loop;
    hs->clock = ef_sink_clock(sink);
    hs->conn.tls_verify = cfg->tls_verify;
    /* The loader settles auto; a hand-made cfg (tests, bench) may still hold it. */
    hs->gzip = cfg->compress == EF_COMPRESS_GZIP ||
               (cfg->compress == EF_COMPRESS_AUTO &&
                (cfg->format == EF_HTTP_ES_BULK || cfg->format == EF_HTTP_SPLUNK_HEC));
    hs->hec_ack = cfg->hec_ack && cfg->format == EF_HTTP_SPLUNK_HEC;
    hs->conn.connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 10000;
    hs->conn.timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 30000;
    hs->max_body = cfg->max_body_size ? cfg->max_body_size : 10u * 1024 * 1024;
    ef_buf_init(&hs->fmtbuf, RAW_MAX);
    hn = sizeof(hs->host);
    if (uv_os_gethostname(hs->host, &hn) < 0)
        snprintf(hs->host, sizeof(hs->host), "localhost");
    if (!cfg->url || !cfg->url[0]) {
        rc = EF_ECONFIG;
        goto out;
    }
    hs->url = strdup(cfg->url);
    hs->index = dup_or_null(cfg->index);
    hs->conn.ca_file = dup_or_null(cfg->ca_file);
    hs->conn.ca_path = dup_or_null(cfg->ca_path);
    hs->conn.client_cert = dup_or_null(cfg->client_cert);
    hs->conn.client_key = dup_or_null(cfg->client_key);
    /* proxy = "" (set but empty) means no proxy at all, not the environment's. */
    hs->conn.proxy = cfg->proxy ? strdup(cfg->proxy) : NULL;
    hs->conn.no_proxy = dup_or_null(cfg->no_proxy);
    if (!hs->url || (cfg->proxy && !hs->conn.proxy))
        goto out;
    if (cfg->user && cfg->user[0]) {
        size_t n = strlen(cfg->user) + (cfg->password ? strlen(cfg->password) : 0) + 2;

        hs->conn.userpwd = malloc(n);
        if (!hs->conn.userpwd)
            goto out;
        snprintf(hs->conn.userpwd, n, "%s:%s", cfg->user, cfg->password ? cfg->password : "");
    }
    hs->fmt.format = cfg->format;
    hs->fmt.index = hs->index;
    hs->fmt.host = hs->host;
    rc = ef_http_headers(cfg, &hs->headers, &hs->headers_gz);
    if (rc == 0 && hs->hec_ack) {
        rc = ef_http_ack_url(hs->url, &hs->ack_url);
        if (rc == EF_ECONFIG)
            ef_log_error("http", "%s: hec_ack needs a url with /services/collector",
                         ef_sink_name(sink));
    }
    if (rc == 0)
        rc = ef_http_multi_open(loop, on_done, &hs->multi);
    if (rc < 0)
        goto out;
    if (!hs->conn.tls_verify)
        ef_log_warn("http",
                    "%s: tls_verify = false: the server's certificate is NOT checked; anyone on "
                    "the path can read and change the events",
                    ef_sink_name(sink));
    *state = hs;
out:
    if (rc < 0)
        hsink_free(hs);
    return rc;
}

static int http_send(void *state, struct ef_batch *batch)
{
    struct hsink *hs = state;
    struct hbatch *hb = calloc(1, sizeof(*hb));
    size_t n = batch->count ? batch->count : 1, i;

    if (!hb)
        return EF_ENOMEM;
    hb->verdict = malloc(n);
    hb->reason = calloc(n, sizeof(*hb->reason));
    if (!hb->verdict || !hb->reason) {
        job_free(hb);
        return EF_ENOMEM;
    }
    for (i = 0; i < n; i++)
        hb->verdict[i] = VERDICT_PENDING;
    hb->hs = hs;
    hb->b = batch;
    hb->next = hs->jobs;
    if (hs->jobs)
        hs->jobs->prev = hb;
    hs->jobs = hb;
    /* Holds the job open while its first requests start (and maybe split). */
    hb->pending = 1;
    if (batch->count > 0)
        start_range(hb, 0, batch->count);
    job_finish_one(hb);
    return 0;
}

static void on_multi_closed(void *ud)
{
    struct hsink *hs = ud;
    void (*cb)(struct ef_sink *) = hs->closed_cb;
    struct ef_sink *sink = hs->sink;

    hsink_free(hs);
    if (cb)
        cb(sink);
}

static void http_close(void *state, void (*done)(struct ef_sink *sink))
{
    struct hsink *hs = state;

    /*
     * The driver waits for sends in progress before closing, so normally
     * nothing is left; anything that is (an ack poll) is abandoned without
     * a completion: its events stay in the spool for the next start.
     */
    while (hs->reqs) {
        struct hreq *rq = hs->reqs;

        req_unlink(rq);
        if (rq->easy)
            ef_http_multi_remove(hs->multi, rq->easy);
        req_free(rq);
    }
    while (hs->jobs) {
        struct hbatch *hb = hs->jobs;

        job_unlink(hb);
        job_free(hb);
    }
    hs->closed_cb = done;
    ef_http_multi_close(hs->multi, on_multi_closed, hs);
}

static void http_stats(void *state, struct ef_buf *out)
{
    struct hsink *hs = state;
    const char *n = ef_sink_name(hs->sink);
    const struct ef_http_sink_stats *s = &hs->st;

    ef_buf_appendf(out,
                   "etwfwd_http_requests_total{sink=\"%s\"} %llu\n"
                   "etwfwd_http_body_bytes_total{sink=\"%s\"} %llu\n"
                   "etwfwd_http_raw_bytes_total{sink=\"%s\"} %llu\n"
                   "etwfwd_http_responses_total{sink=\"%s\",class=\"2xx\"} %llu\n"
                   "etwfwd_http_responses_total{sink=\"%s\",class=\"4xx\"} %llu\n"
                   "etwfwd_http_responses_total{sink=\"%s\",class=\"5xx\"} %llu\n"
                   "etwfwd_http_responses_total{sink=\"%s\",class=\"other\"} %llu\n"
                   "etwfwd_http_connection_errors_total{sink=\"%s\"} %llu\n"
                   "etwfwd_http_auth_failures_total{sink=\"%s\"} %llu\n"
                   "etwfwd_http_splits_total{sink=\"%s\"} %llu\n"
                   "etwfwd_http_too_large_total{sink=\"%s\"} %llu\n"
                   "etwfwd_http_bulk_item_retries_total{sink=\"%s\"} %llu\n"
                   "etwfwd_http_bulk_item_rejects_total{sink=\"%s\"} %llu\n"
                   "etwfwd_http_hec_ack_polls_total{sink=\"%s\"} %llu\n"
                   "etwfwd_http_hec_ack_timeouts_total{sink=\"%s\"} %llu\n",
                   n, (unsigned long long)s->requests, n, (unsigned long long)s->body_bytes, n,
                   (unsigned long long)s->raw_bytes, n, (unsigned long long)s->status_2xx, n,
                   (unsigned long long)s->status_4xx, n, (unsigned long long)s->status_5xx, n,
                   (unsigned long long)s->status_other, n, (unsigned long long)s->conn_errors, n,
                   (unsigned long long)s->auth_failures, n, (unsigned long long)s->splits, n,
                   (unsigned long long)s->too_large, n, (unsigned long long)s->item_retries, n,
                   (unsigned long long)s->item_rejects, n, (unsigned long long)s->hec_ack_polls, n,
                   (unsigned long long)s->hec_ack_timeouts);
}

void ef_http_sink_get_stats(void *state, struct ef_http_sink_stats *st)
{
    struct hsink *hs = state;

    *st = hs->st;
}

const struct ef_sink_ops ef_sink_http_ops = {
    .type = "http",
    .open = http_open,
    .send = http_send,
    .close = http_close,
    .stats = http_stats,
};

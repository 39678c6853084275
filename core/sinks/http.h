/*
 * http.h - the HTTP sink: batches POSTed to a SIEM as ndjson, a JSON array,
 * Elasticsearch _bulk or Splunk HEC, through libcurl's multi interface on
 * the pipeline's libuv loop (docs/sinks-http.md).
 *
 * A batch is one request, or several when its body is over max_body_size
 * (after gzip) or the receiver answered 413: the sink then splits it in
 * halves and reports per-event verdicts. 2xx acknowledges (es-bulk: per
 * item; splunk-hec with hec_ack: once Splunk acknowledges the ackId);
 * 408, 429, 5xx and connection errors are RETRY with the Retry-After;
 * 401/403 are logged loudly and RETRY after 5 minutes; other statuses are
 * REJECT with the status and the first KiB of the body.
 */
#ifndef EF_SINKS_HTTP_H
#define EF_SINKS_HTTP_H

#include <stdint.h>

#include "pipeline/sink.h"

extern const struct ef_sink_ops ef_sink_http_ops;

/* The wait after a 401/403: long, since a person has to fix the credentials. */
#define EF_HTTP_AUTH_RETRY_MS 300000
/* How often a splunk-hec batch's ackId is polled, and for how long at most. */
#define EF_HTTP_HEC_POLL_MS  1000
#define EF_HTTP_HEC_POLL_MAX 120

struct ef_http_sink_stats {
    uint64_t requests;   /* POSTs started (not counting ack polls) */
    uint64_t body_bytes; /* bytes sent, after compression */
    uint64_t raw_bytes;  /* the same bodies before compression */
    uint64_t status_2xx, status_4xx, status_5xx, status_other;
    uint64_t conn_errors;      /* no HTTP status: connect, reset, timeout, TLS */
    uint64_t auth_failures;    /* 401 and 403 */
    uint64_t splits;           /* a request split in halves (413 or over max_body_size) */
    uint64_t too_large;        /* single events rejected as larger than the receiver takes */
    uint64_t item_retries;     /* es-bulk items answered 429/5xx */
    uint64_t item_rejects;     /* es-bulk items answered with another failure */
    uint64_t item_conflicts;   /* es-bulk items answered 409: already stored */
    uint64_t hec_ack_polls;    /* splunk-hec ack requests */
    uint64_t hec_ack_timeouts; /* ackIds never acknowledged: resent */
    unsigned active;           /* transfers running now */
    unsigned waiting_ack;      /* splunk-hec requests waiting for their ack poll */
};

/* The sink's counters; state is what ef_sink_http_ops.open made. Loop thread. */
void ef_http_sink_get_stats(void *state, struct ef_http_sink_stats *st);

#endif

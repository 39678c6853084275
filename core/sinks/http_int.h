/*
 * http_int.h - the HTTP sink's internal pieces, shared by its files and
 * reachable by the tests and the fuzz target: body formats (http_format.c),
 * gzip (http_format.c), response parsers (http_bulk.c) and the curl-multi
 * glue on libuv (http_curl.c). Everything runs on the loop thread unless
 * said otherwise; the pure functions (formats, parsers) on any thread.
 */
#ifndef EF_SINKS_HTTP_INT_H
#define EF_SINKS_HTTP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "pipeline/sink.h"
#include "util/buf.h"

/* How a body is laid out; format is enum ef_http_format from config.h. */
struct ef_http_fmt {
    int format;
    const char *index;      /* es-bulk/splunk-hec index, may hold %Y %m %d; "" or NULL: none */
    const char *host;       /* this machine's name, for events that carry none */
    const char *sourcetype; /* splunk-hec; NULL: "etwfwd:json" */
};

/*
 * Appends the body for events [from, to) of batch b to out: ndjson lines, a
 * JSON array, Elasticsearch _bulk action+source pairs or Splunk HEC event
 * objects. Returns 0, EF_ELIMIT (out's cap) or EF_ENOMEM. Any thread.
 */
int ef_http_format_body(const struct ef_http_fmt *f, const struct ef_batch *b, size_t from,
                        size_t to, struct ef_buf *out);

/*
 * The deterministic Elasticsearch _id of one event: a hash of the event's
 * host (System.Computer, else f->host), session (System.Session) and
 * timestamp, then the spool sequence. Writes a NUL-terminated id of at most
 * 40 bytes into out. Any thread.
 */
void ef_http_event_id(const struct ef_http_fmt *f, const char *ev, size_t len, uint64_t seq,
                      char out[48]);

/*
 * Expands %Y, %m, %d and %% of pattern with the event's UTC date
 * (System.TimeCreated.SystemTime or @timestamp; the wall clock now when
 * the event has none) into out (cap bytes). Returns 0 or EF_ELIMIT. Any thread.
 */
int ef_http_index_name(const char *pattern, const char *ev, size_t len, char *out, size_t cap);

/* Gzips len bytes of in into out (replacing its contents). 0, EF_ELIMIT or EF_ENOMEM. */
int ef_http_gzip(const void *in, size_t len, int level, struct ef_buf *out);

/*
 * Reads an Elasticsearch _bulk response for n items, in request order:
 * verdicts[i] gets EF_SINK_ACK (2xx, and 409: the document already exists,
 * which is what a resend of a created event looks like), EF_SINK_RETRY
 * (429, 5xx) or EF_SINK_REJECT (anything else); reasons[i] gets a malloc'd
 * "status N: type: reason" for the non-ACK items (NULL for ACK), which the
 * caller frees. Returns 0, or EF_EFORMAT when the response is not a bulk
 * response for n items (the caller then retries the whole request). Any thread.
 */
int ef_http_bulk_parse(const char *resp, size_t len, size_t n, uint8_t *verdicts, char **reasons);

/*
 * Reads a Splunk HEC response {"text":..,"code":N,"ackId":M}. *code gets
 * the HEC code (-1 if absent), *ack_id the ackId (*has_ack 1) when there is
 * one. Returns 0 or EF_EFORMAT. Any thread.
 */
int ef_http_hec_parse(const char *resp, size_t len, int *code, uint64_t *ack_id, int *has_ack);

/*
 * Reads a HEC ack-poll response {"acks":{"7":true,...}}: *acked gets 1 when
 * ack_id is true. Returns 0 or EF_EFORMAT. Any thread.
 */
int ef_http_hec_ack_parse(const char *resp, size_t len, uint64_t ack_id, int *acked);

/* --- requests and status classes (http_request.c) --- */

/* Of an error response, this much of the body goes into the reason. */
#define EF_HTTP_BODY_KIB 1024

struct curl_slist;
struct ef_sink_cfg;

/* A sink's connection options, owned (ef_http_conn_free wipes userpwd). */
struct ef_http_conn {
    char *ca_file, *ca_path, *client_cert, *client_key, *proxy, *no_proxy;
    char *userpwd; /* "user:password" for basic authentication, NULL: none */
    int tls_verify;
    uint64_t connect_timeout_ms, timeout_ms;
};

/* curl's write callback: size * n bytes of the response at p. */
typedef size_t (*ef_http_write_fn)(char *p, size_t size, size_t n, void *ud);

/*
 * A new curl easy handle (CURL *, into *out) POSTing body to url with the
 * connection options of c and headers; ud is its CURLOPT_PRIVATE and the
 * write callback's data, errbuf (CURL_ERROR_SIZE bytes) its error buffer.
 * body, headers and errbuf must outlive the transfer. 0 or EF_ENOMEM. Loop thread.
 */
int ef_http_easy_new(const struct ef_http_conn *c, const char *url, const struct ef_buf *body,
                     struct curl_slist *headers, ef_http_write_fn on_body, void *ud, char *errbuf,
                     void **out);
/* Frees c's strings, wiping the password first. Any thread. */
void ef_http_conn_free(struct ef_http_conn *c);

/*
 * The two header lists of a sink: Content-Type, authentication (Bearer or
 * Splunk token), X-Splunk-Request-Channel (a new random UUID), the
 * configured headers; gz has the same plus Content-Encoding: gzip. The
 * caller frees both with curl_slist_free_all, also on error. 0 or EF_ENOMEM.
 * Loop thread.
 */
int ef_http_headers(const struct ef_sink_cfg *cfg, struct curl_slist **plain,
                    struct curl_slist **gz);

/* The HEC ack URL of a .../services/collector... URL (malloc'd). 0, EF_ECONFIG, EF_ENOMEM. */
int ef_http_ack_url(const char *url, char **out);

/* "HTTP N: <first KiB of the body>" with control bytes as spaces, into out. Any thread. */
void ef_http_status_reason(long status, const char *body, size_t len, char *out, size_t cap);

/* What an HTTP status means for the events of the request (before format-specific reading). */
enum ef_http_class {
    EF_HTTP_C_ACK,    /* 2xx: delivered (es-bulk and HEC then read the body) */
    EF_HTTP_C_SPLIT,  /* 413 for several events: send each half again */
    EF_HTTP_C_AUTH,   /* 401, 403: retry slowly, loudly */
    EF_HTTP_C_RETRY,  /* 408, 429, 5xx: retry with the Retry-After */
    EF_HTTP_C_REJECT, /* anything else: dead-letter with the status and body */
};
/* The class of status; can_split: the request holds more than one event. Any thread. */
int ef_http_classify(long status, int can_split);

/* The Retry-After of a finished transfer (CURL *) in ms, 0 if none. Loop thread. */
uint64_t ef_http_retry_after_ms(void *easy);

/* --- curl multi on libuv (http_curl.c) --- */

struct ef_http_multi;
/* Called once per finished transfer with curl's result code. */
typedef void (*ef_http_done_fn)(void *easy, int curl_code, void *ud);

/* Creates the multi handle driven by loop. Returns 0, EF_ENOMEM or EF_ESYS. Loop thread. */
int ef_http_multi_open(uv_loop_t *loop, ef_http_done_fn done, struct ef_http_multi **out);
/* Adds an easy handle (CURL *); its CURLOPT_PRIVATE is the ud handed to done. */
int ef_http_multi_add(struct ef_http_multi *m, void *easy);
/* Takes a running transfer out (before the caller cleans it up). */
void ef_http_multi_remove(struct ef_http_multi *m, void *easy);
/* Removes and cleans up every handle; calls closed(ud) once the uv handles are closed. */
void ef_http_multi_close(struct ef_http_multi *m, void (*closed)(void *ud), void *ud);

#endif

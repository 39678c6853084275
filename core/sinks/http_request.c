/*
 * http_request.c - the HTTP sink's requests and the first reading of their
 * answers: curl easy handles with the sink's connection options, the header
 * lists (authentication, Splunk channel, gzip), the HEC ack URL, and the
 * status classes that decide ACK, split, retry or reject (http.c turns them
 * into per-event verdicts).
 *
 * DESIGN. Everything here is either pure (classification, reasons, URLs) or
 * touches only one curl handle, so it can be tested without a loop or a
 * receiver. Secrets (token, password, header values) go into curl's options
 * and nowhere else: our temporary copies are wiped, nothing is logged, and
 * curl's verbose mode is never turned on.
 */
#include "sinks/http_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/error.h"

int ef_http_easy_new(const struct ef_http_conn *c, const char *url, const struct ef_buf *body,
                     struct curl_slist *headers, ef_http_write_fn on_body, void *ud, char *errbuf,
                     void **out)
{
    CURL *e = curl_easy_init();

    *out = NULL;
    if (!e)
        return EF_ENOMEM;
    errbuf[0] = '\0';
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, ud);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body->data ? body->data : "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, ud);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, c->tls_verify ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->tls_verify ? 2L : 0L);
    if (c->ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
    if (c->ca_path)
        curl_easy_setopt(e, CURLOPT_CAPATH, c->ca_path);
    if (c->client_cert)
        curl_easy_setopt(e, CURLOPT_SSLCERT, c->client_cert);
    if (c->client_key)
        curl_easy_setopt(e, CURLOPT_SSLKEY, c->client_key);
    if (c->proxy)
        curl_easy_setopt(e, CURLOPT_PROXY, c->proxy);
    if (c->no_proxy)
        curl_easy_setopt(e, CURLOPT_NOPROXY, c->no_proxy);
    if (c->userpwd) {
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(e, CURLOPT_USERPWD, c->userpwd);
    }
    *out = e;
    return 0;
}

void ef_http_conn_free(struct ef_http_conn *c)
{
    if (c->userpwd) {
        memset(c->userpwd, 0, strlen(c->userpwd));
        free(c->userpwd);
    }
    free(c->ca_file);
    free(c->ca_path);
    free(c->client_cert);
    free(c->client_key);
    free(c->proxy);
    free(c->no_proxy);
    memset(c, 0, sizeof(*c));
}

void ef_http_status_reason(long status, const char *body, size_t len, char *out, size_t cap)
{
    size_t n = len < EF_HTTP_BODY_KIB ? len : EF_HTTP_BODY_KIB, i;
    int k = snprintf(out, cap, "HTTP %ld: ", status);

    if (k < 0 || (size_t)k >= cap)
        return;
    for (i = 0; i < n && (size_t)k + 1 < cap; i++) {
        unsigned char c = (unsigned char)body[i];

        out[k++] = c < 0x20 ? ' ' : (char)c;
    }
    out[k] = '\0';
}

int ef_http_classify(long status, int can_split)
{
    if (status >= 200 && status < 300)
        return EF_HTTP_C_ACK;
    /* The receiver's limit is below ours: halve until it fits. */
    if (status == 413 && can_split)
        return EF_HTTP_C_SPLIT;
    if (status == 401 || status == 403)
        return EF_HTTP_C_AUTH;
    if (status == 408 || status == 429 || status >= 500)
        return EF_HTTP_C_RETRY;
    return EF_HTTP_C_REJECT;
}

uint64_t ef_http_retry_after_ms(void *easy)
{
    curl_off_t s = 0;

    if (curl_easy_getinfo((CURL *)easy, CURLINFO_RETRY_AFTER, &s) != CURLE_OK || s <= 0)
        return 0;
    return (uint64_t)s * 1000;
}

static int add_header(struct curl_slist **l, const char *h)
{
    struct curl_slist *n = curl_slist_append(*l, h);

    if (!n)
        return EF_ENOMEM;
    *l = n;
    return 0;
}

static int add_headerf(struct curl_slist **l, const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *h = malloc(n);
    int rc;

    if (!h)
        return EF_ENOMEM;
    snprintf(h, n, "%s%s", a, b);
    rc = add_header(l, h);
    /* The header may hold a secret: wipe our copy (curl keeps its own). */
    memset(h, 0, n);
    free(h);
    return rc;
}

/* A random channel id for X-Splunk-Request-Channel (a UUID, version 4). */
static void make_channel(char out[40])
{
    unsigned char r[16];
    size_t i;

    if (uv_random(NULL, NULL, r, sizeof(r), 0, NULL) < 0) {
        uint64_t t = uv_hrtime();
        for (i = 0; i < sizeof(r); i++)
            r[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)(i * 37);
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0],
             r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
             r[14], r[15]);
}

int ef_http_headers(const struct ef_sink_cfg *cfg, struct curl_slist **plain,
                    struct curl_slist **gz)
{
    const char *ctype = cfg->format == EF_HTTP_JSON || cfg->format == EF_HTTP_SPLUNK_HEC
                            ? "Content-Type: application/json"
                            : "Content-Type: application/x-ndjson";
    struct curl_slist **l = plain;
    char channel[40];
    size_t i;
    int rc, pass;

    for (pass = 0; pass < 2; pass++) {
        rc = add_header(l, ctype);
        /* No "Expect: 100-continue" round trip before each large body. */
        if (rc == 0)
            rc = add_header(l, "Expect:");
        if (rc == 0 && cfg->token && cfg->token[0])
            rc = add_headerf(l,
                             cfg->format == EF_HTTP_SPLUNK_HEC ? "Authorization: Splunk "
                                                               : "Authorization: Bearer ",
                             cfg->token);
        if (rc == 0 && cfg->format == EF_HTTP_SPLUNK_HEC) {
            /* One channel per sink start: both lists carry the same one. */
            if (pass == 0)
                make_channel(channel);
            rc = add_headerf(l, "X-Splunk-Request-Channel: ", channel);
        }
        for (i = 0; rc == 0 && i < cfg->headers.n; i++)
            rc = add_header(l, cfg->headers.v[i]);
        if (rc < 0)
            return rc;
        l = gz;
    }
    return add_header(l, "Content-Encoding: gzip");
}

int ef_http_ack_url(const char *url, char **out)
{
    const char *p = strstr(url, "/services/collector");
    size_t n;

    *out = NULL;
    if (!p)
        return EF_ECONFIG;
    n = (size_t)(p - url) + strlen("/services/collector/ack") + 1;
    *out = malloc(n);
    if (!*out)
        return EF_ENOMEM;
    snprintf(*out, n, "%.*s/services/collector/ack", (int)(p - url), url);
    return 0;
}

/*
 * http_bench.c - throughput of the HTTP sink through the sink driver
 * (memory spool, real clock) to a receiver on loopback.
 *
 * Usage: http_bench URL [FORMAT [GZIP [EVENTS [EVENT_BYTES [IN_FLIGHT [BATCH]]]]]]
 * FORMAT is ndjson (default), json, es-bulk or splunk-hec; GZIP 0 or 1.
 * Appends EVENTS (default 1,000,000) native-format events of about
 * EVENT_BYTES bytes (default 400) to the spool in slices of 20,000, keeping
 * at most two slices unacknowledged, and POSTs them to URL in batches of
 * BATCH events (default 1000) with IN_FLIGHT requests at once (default 2).
 * Prints events/s, MB/s of events, and the body bytes sent. The receiver
 * should answer 200 quickly (nginx `return 200`, or the test harness
 * tests/harness/http_receiver.py for a slower reference); for es-bulk a
 * plain 200 without items counts as "unreadable" and is retried, so use
 * ndjson or json against a receiver that does not speak _bulk.
 */
#include "bench_sink.h"
#include "config/config.h"
#include "pipeline/sinkdrv.h"
#include "pipeline/spool.h"
#include "sinks/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static int parse_format(const char *s)
{
    if (strcmp(s, "json") == 0)
        return EF_HTTP_JSON;
    if (strcmp(s, "es-bulk") == 0)
        return EF_HTTP_ES_BULK;
    if (strcmp(s, "splunk-hec") == 0)
        return EF_HTTP_SPLUNK_HEC;
    return EF_HTTP_NDJSON;
}

/* One native-looking event of about len bytes, numbered i. */
static size_t make_event(char *out, size_t cap, uint64_t i, size_t len)
{
    int n = snprintf(out, cap,
                     "{\"System\":{\"Provider\":{\"Name\":\"Bench\"},\"EventID\":1,"
                     "\"TimeCreated\":{\"SystemTime\":\"2026-11-26T06:05:38.1234567Z\"},"
                     "\"Computer\":\"HOST\",\"Session\":\"main\"},\"EventData\":{\"N\":%llu,"
                     "\"Pad\":\"",
                     (unsigned long long)i);
    size_t k = (size_t)n;

    for (; k + 3 < len && k + 3 < cap; k++)
        out[k] = (char)('a' + (k % 26));
    memcpy(out + k, "\"}}", 3);
    return k + 3;
}

int main(int argc, char **argv)
{
    static const char *const names[] = {"bench"};
    const char *url = argc > 1 ? argv[1] : NULL;
    int format = argc > 2 ? parse_format(argv[2]) : EF_HTTP_NDJSON;
    int gz = argc > 3 ? atoi(argv[3]) : 0;
    uint64_t n = argc > 4 ? strtoull(argv[4], NULL, 10) : 1000000;
    size_t len = argc > 5 ? strtoul(argv[5], NULL, 10) : 400;
    int64_t inflight = argc > 6 ? atoi(argv[6]) : 2;
    int64_t batch = argc > 7 ? atoi(argv[7]) : 1000;
    struct ef_spool_options so = {.mode = EF_SPOOL_MODE_MEMORY, .sinks = names, .n_sinks = 1};
    struct ef_sink_cfg cfg = {0};
    struct ef_sink_stats st;
    struct ef_clock clock;
    struct ef_spool *sp;
    struct ef_sink *s;
    uv_loop_t loop;
    char ev[65536];
    uint64_t t0, t1;
    double secs;
    int rc;

    if (!url || len >= sizeof(ev)) {
        fprintf(stderr, "usage: http_bench URL [FORMAT [GZIP [EVENTS [EVENT_BYTES "
                        "[IN_FLIGHT [BATCH]]]]]]\n");
        return 2;
    }
    uv_loop_init(&loop);
    ef_clock_init_uv(&clock, &loop);
    if (ef_spool_open(&so, &sp, NULL) < 0)
        return 1;
    cfg.name = "bench";
    cfg.type = EF_SINK_HTTP;
    cfg.url = (char *)url;
    cfg.format = format;
    cfg.compress = gz ? EF_COMPRESS_GZIP : EF_COMPRESS_NONE;
    cfg.tls_verify = 1;
    cfg.in_flight = inflight;
    cfg.batch_max_events = batch;
    cfg.batch_max_bytes = 64u * 1024 * 1024;
    cfg.batch_max_age_ms = 1000;
    rc = ef_bench_open_sink(&loop, &clock, sp, &cfg, &ef_sink_http_ops, "http-bench-dead-letter",
                            &s);
    if (rc < 0) {
        fprintf(stderr, "http_bench: %d\n", rc);
        return 1;
    }
    t0 = uv_hrtime();
    (void)ef_bench_feed(&loop, sp, s, n, len, make_event, ev, sizeof(ev), UINT64_MAX);
    t1 = uv_hrtime();
    secs = (double)(t1 - t0) / 1e9;
    ef_sinkdrv_get_stats(s, &st);
    printf("http_bench %s gzip=%d events=%llu bytes/event=%zu in_flight=%lld batch=%lld: "
           "%.0f events/s, %.1f MB/s of events, acked=%llu dead=%llu retried=%llu\n",
           argc > 2 ? argv[2] : "ndjson", gz, (unsigned long long)n, len, (long long)inflight,
           (long long)batch, (double)n / secs, (double)st.acked_bytes / secs / 1e6,
           (unsigned long long)st.acked, (unsigned long long)st.dead_lettered,
           (unsigned long long)st.retried);
    ef_bench_stop_sink(&loop, s);
    ef_spool_close(sp);
    ef_clock_close(&clock, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return st.acked == n ? 0 : 1;
}

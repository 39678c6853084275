/*
 * syslog_bench.c - throughput of the syslog sink: through the sink driver
 * (memory spool, real clock) to a receiver on loopback, or of the message
 * formatting alone. bench/syslog_bench.sh runs it against rsyslog over TCP
 * next to syslog-ng's loggen sending the same messages.
 *
 * Usage:
 *   syslog_bench send ADDRESS [EVENTS [EVENT_BYTES [BATCH [FRAMING [TRANSPORT]]]]]
 *     Appends EVENTS (default 1,000,000) native-format events of about
 *     EVENT_BYTES bytes (default 400) to the spool in slices of 20,000,
 *     keeping at most two unacknowledged, and sends them in batches of
 *     BATCH (default 1000) with FRAMING octet-counting (default) or lf over
 *     TRANSPORT tcp (default), udp or tls (tls_verify off). Prints events/s.
 *   syslog_bench format [EVENTS [EVENT_BYTES]]
 *     Formats the events into RFC 5424 messages only (no spool, no socket).
 *   syslog_bench dump FILE [EVENTS [EVENT_BYTES]]
 *     Writes the messages the sink would send, one a line (LF framing),
 *     for loggen --read-file --dont-parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "bench_sink.h"
#include "config/config.h"
#include "pipeline/sinkdrv.h"
#include "pipeline/spool.h"
#include "sinks/syslog.h"

/*
 * The pipeline's clock does not keep the loop alive (its uv timer is
 * unreferenced), so while the driver only waits for a retry, uv_run would
 * return at once and never run that timer: this timer keeps the loop alive.
 */
static void on_keepalive(uv_timer_t *t)
{
    (void)t;
}

/* One native event of about len bytes, numbered i, with every header field set. */
static size_t make_event(char *out, size_t cap, uint64_t i, size_t len)
{
    int n = snprintf(out, cap,
                     "{\"System\":{\"Provider\":{\"Name\":\"Microsoft-Windows-Kernel-Process\","
                     "\"Guid\":\"{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}\"},\"EventID\":%u,"
                     "\"Version\":2,\"Level\":{\"Value\":4},\"Task\":1,"
                     "\"TimeCreated\":{\"SystemTime\":\"2026-11-26T06:05:38.1234567Z\"},"
                     "\"Execution\":{\"ProcessID\":%u,\"ThreadID\":8},"
                     "\"Computer\":\"HOST\",\"Session\":\"main\"},\"EventData\":{\"N\":%llu,"
                     "\"Pad\":\"",
                     (unsigned)(i % 7), (unsigned)(1000 + i % 5000), (unsigned long long)i);
    size_t k = (size_t)n;

    for (; k + 3 < len && k + 3 < cap; k++)
        out[k] = (char)('a' + (k % 26));
    memcpy(out + k, "\"}}", 3);
    return k + 3;
}

static void fmt_init(struct ef_syslog_fmt *f, int framing)
{
    memset(f, 0, sizeof(*f));
    f->rfc = EF_SYSLOG_RFC5424;
    f->facility = 16;
    f->framing = framing;
    f->max_size = 65536;
    f->oversize = EF_OVERSIZE_TRUNCATE;
    snprintf(f->hostname, sizeof(f->hostname), "benchhost");
    f->self_pid = 1;
    ef_buf_init(&f->hdr, 64 * 1024);
}

/* format and dump: the messages without spool or socket. */
static int format_only(FILE *dump, uint64_t n, size_t len)
{
    struct ef_syslog_fmt f;
    struct ef_buf out;
    char ev[65536];
    uint64_t i, t0, bytes = 0;
    double secs;
    int flags, rc = 0;

    fmt_init(&f, dump ? EF_SYSLOG_LF : EF_SYSLOG_OCTET_COUNTING);
    ef_buf_init(&out, 1u << 30);
    t0 = uv_hrtime();
    for (i = 0; i < n && rc == 0; i++) {
        size_t l = make_event(ev, sizeof(ev), i, len);

        rc = ef_syslog_format(&f, ev, l, &out, &flags);
        /* Flush every ~1 MB as the sink would write a batch. */
        if (out.len >= (1u << 20) || i + 1 == n) {
            if (dump && fwrite(out.data, 1, out.len, dump) != out.len)
                rc = -1;
            bytes += out.len;
            ef_buf_reset(&out);
        }
    }
    secs = (double)(uv_hrtime() - t0) / 1e9;
    if (!dump)
        printf("syslog_bench format events=%llu bytes/event=%zu: %.0f events/s, %.1f MB/s of "
               "messages\n",
               (unsigned long long)n, len, (double)n / secs, (double)bytes / secs / 1e6);
    ef_buf_free(&out);
    ef_buf_free(&f.hdr);
    return rc == 0 ? 0 : 1;
}

static int send_all(const char *addr, uint64_t n, size_t len, int64_t batch, int framing,
                    int transport)
{
    static const char *const names[] = {"bench"};
    struct ef_spool_options so = {.mode = EF_SPOOL_MODE_MEMORY, .sinks = names, .n_sinks = 1};
    struct ef_sink_cfg cfg = {0};
    struct ef_sink_stats st;
    struct ef_clock clock;
    struct ef_spool *sp;
    struct ef_sink *s;
    uv_loop_t loop;
    uv_timer_t keepalive;
    static char ev[65536];
    uint64_t t0, t1;
    double secs;
    int rc;

    uv_loop_init(&loop);
    uv_timer_init(&loop, &keepalive);
    uv_timer_start(&keepalive, on_keepalive, 100, 100);
    ef_clock_init_uv(&clock, &loop);
    if (ef_spool_open(&so, &sp, NULL) < 0)
        return 1;
    cfg.name = "bench";
    cfg.type = EF_SINK_SYSLOG;
    cfg.address = (char *)addr;
    cfg.transport = transport;
    cfg.framing = framing;
    cfg.rfc = EF_SYSLOG_RFC5424;
    cfg.facility = 16;
    cfg.max_message_size = 65000;
    cfg.oversize = EF_OVERSIZE_TRUNCATE;
    cfg.tls_verify = 0;
    cfg.in_flight = 2;
    cfg.batch_max_events = batch;
    cfg.batch_max_bytes = 64u * 1024 * 1024;
    cfg.batch_max_age_ms = 1000;
    rc = ef_bench_open_sink(&loop, &clock, sp, &cfg, &ef_sink_syslog_ops,
                            "syslog-bench-dead-letter", &s);
    if (rc < 0) {
        fprintf(stderr, "syslog_bench: open: %d\n", rc);
        return 1;
    }
    t0 = uv_hrtime();
    if (ef_bench_feed(&loop, sp, s, n, len, make_event, ev, sizeof(ev), 20) < 0)
        fprintf(stderr, "syslog_bench: %s is not taking the events, giving up\n", addr);
    t1 = uv_hrtime();
    secs = (double)(t1 - t0) / 1e9;
    ef_sinkdrv_get_stats(s, &st);
    printf("syslog_bench send %s events=%llu bytes/event=%zu batch=%lld: %.0f events/s, "
           "%.1f MB/s of events, acked=%llu dead=%llu retried=%llu\n",
           addr, (unsigned long long)n, len, (long long)batch, (double)n / secs,
           (double)st.acked_bytes / secs / 1e6, (unsigned long long)st.acked,
           (unsigned long long)st.dead_lettered, (unsigned long long)st.retried);
    ef_bench_stop_sink(&loop, s);
    ef_spool_close(sp);
    ef_clock_close(&clock, NULL);
    uv_close((uv_handle_t *)&keepalive, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return st.acked == n ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    FILE *f;
    int rc;

    if (strcmp(mode, "format") == 0)
        return format_only(NULL, argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000,
                           argc > 3 ? strtoul(argv[3], NULL, 10) : 400);
    if (strcmp(mode, "dump") == 0 && argc > 2) {
        f = fopen(argv[2], "wb");
        if (!f) {
            perror(argv[2]);
            return 1;
        }
        rc = format_only(f, argc > 3 ? strtoull(argv[3], NULL, 10) : 1000000,
                         argc > 4 ? strtoul(argv[4], NULL, 10) : 400);
        return fclose(f) == 0 ? rc : 1;
    }
    if (strcmp(mode, "send") == 0 && argc > 2) {
        const char *fr = argc > 6 ? argv[6] : "octet-counting";
        const char *tr = argc > 7 ? argv[7] : "tcp";

        return send_all(argv[2], argc > 3 ? strtoull(argv[3], NULL, 10) : 1000000,
                        argc > 4 ? strtoul(argv[4], NULL, 10) : 400,
                        argc > 5 ? atoi(argv[5]) : 1000,
                        strcmp(fr, "lf") == 0 ? EF_SYSLOG_LF : EF_SYSLOG_OCTET_COUNTING,
                        strcmp(tr, "udp") == 0   ? EF_SYSLOG_UDP
                        : strcmp(tr, "tls") == 0 ? EF_SYSLOG_TLS
                                                 : EF_SYSLOG_TCP);
    }
    fprintf(stderr, "usage: syslog_bench send ADDRESS [EVENTS [EVENT_BYTES [BATCH [FRAMING "
                    "[TRANSPORT]]]]]\n"
                    "       syslog_bench format [EVENTS [EVENT_BYTES]]\n"
                    "       syslog_bench dump FILE [EVENTS [EVENT_BYTES]]\n");
    return 2;
}

/*
 * syslog_send.c - sends the events of an NDJSON file through the syslog
 * sink, driven by the real sink driver and a memory spool on a real clock,
 * and exits once every event is acknowledged. The receiver tests
 * (test_syslog_receivers.py) run it natively and through Wine against
 * rsyslog and syslog-ng on loopback.
 *
 * usage: syslog_send ADDRESS TRANSPORT FRAMING RFC EVENTS.ndjson [CA_FILE [VERIFY [DEADLINE_MS]]]
 *   TRANSPORT udp|tcp|tls, FRAMING octet-counting|lf, RFC 5424|3164, VERIFY 0|1.
 * Prints "acked N retried R dead D" and exits 0 when all N were acknowledged,
 * 1 when they were not within the deadline (default 60 s), 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "pipeline/clock.h"
#include "pipeline/sinkdrv.h"
#include "pipeline/spool.h"
#include "sinks/syslog.h"
#include "util/error.h"
#include "util/file.h"

struct run {
    uv_loop_t loop;
    uv_timer_t poll;
    struct ef_clock clock;
    struct ef_spool *sp;
    struct ef_sink *s;
    uint64_t last_seq, started, deadline_ms;
    int done, stopped, timed_out;
};

static void on_poll(uv_timer_t *t)
{
    struct run *r = t->data;
    struct ef_sink_stats st;

    ef_sinkdrv_get_stats(r->s, &st);
    if (ef_spool_cursor(r->sp, 0) >= r->last_seq && st.in_flight == 0) {
        r->done = 1;
        uv_timer_stop(t);
    } else if (uv_now(&r->loop) - r->started > r->deadline_ms) {
        r->timed_out = 1;
        uv_timer_stop(t);
    }
}

static void on_stop_tick(uv_timer_t *t)
{
    (void)t;
}

static void on_stopped(void *ud)
{
    ((struct run *)ud)->stopped = 1;
}

static int pick(const char *v, const char *const *names, int *out)
{
    int i;

    for (i = 0; names[i]; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    return EF_EINVAL;
}

int main(int argc, char **argv)
{
    static const char *const transports[] = {"udp", "tcp", "tls", NULL};
    static const char *const framings[] = {"octet-counting", "lf", NULL};
    static const char *const rfcs[] = {"5424", "3164", NULL};
    static const char *const sinks[] = {"siem"};
    struct ef_spool_options so = {0};
    struct ef_sinkdrv_options o = {0};
    struct ef_sink_cfg cfg;
    struct ef_sink_stats st;
    struct run r;
    char *data = NULL, *p, *end;
    size_t len;
    uint64_t n = 0, stop_started;
    int rc;

    if (argc < 6) {
        fprintf(stderr, "usage: syslog_send ADDRESS udp|tcp|tls octet-counting|lf 5424|3164 "
                        "EVENTS.ndjson [CA_FILE [VERIFY]]\n");
        return 2;
    }
    memset(&cfg, 0, sizeof(cfg));
    memset(&r, 0, sizeof(r));
    cfg.name = "siem";
    cfg.type = EF_SINK_SYSLOG;
    cfg.address = argv[1];
    if (pick(argv[2], transports, &cfg.transport) || pick(argv[3], framings, &cfg.framing) ||
        pick(argv[4], rfcs, &cfg.rfc)) {
        fprintf(stderr, "syslog_send: bad transport, framing or rfc\n");
        return 2;
    }
    cfg.facility = 16; /* local0 */
    cfg.max_message_size = 65000;
    cfg.oversize = EF_OVERSIZE_TRUNCATE;
    cfg.tls_verify = argc > 7 ? atoi(argv[7]) : 1;
    cfg.ca_file = argc > 6 && argv[6][0] ? argv[6] : NULL;
    cfg.batch_max_events = cfg.transport == EF_SYSLOG_UDP ? 20 : 500;
    cfg.batch_max_bytes = 1 << 20;
    cfg.batch_max_age_ms = 50;
    cfg.in_flight = cfg.transport == EF_SYSLOG_UDP ? 1 : 2;
    cfg.connect_timeout_ms = 5000;
    cfg.timeout_ms = 10000;

    rc = ef_read_file(argv[5], 1u << 30, &data, &len);
    if (rc < 0) {
        fprintf(stderr, "syslog_send: %s: %s\n", argv[5], ef_strerror(rc));
        return 2;
    }
    uv_loop_init(&r.loop);
    ef_clock_init_uv(&r.clock, &r.loop);
    so.mode = EF_SPOOL_MODE_MEMORY;
    so.sinks = sinks;
    so.n_sinks = 1;
    rc = ef_spool_open(&so, &r.sp, NULL);
    for (p = data, end = data + len; rc == 0 && p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (l > 0) {
            rc = ef_spool_append(r.sp, p, (uint32_t)l, &r.last_seq);
            n++;
        }
        p = nl ? nl + 1 : end;
    }
    if (rc == 0)
        rc = ef_spool_commit(r.sp);
    if (rc < 0) {
        fprintf(stderr, "syslog_send: spool: %s\n", ef_strerror(rc));
        return 1;
    }
    ef_sinkdrv_options_from_cfg(&o, &cfg);
    o.ops = &ef_sink_syslog_ops;
    o.dead_letter_dir = ".";
    ef_backoff_init(&o.backoff, 1);
    o.backoff.base_ms = 100; /* a quick test: retry soon */
    o.backoff.max_ms = 1000;
    rc = ef_sinkdrv_open(&r.loop, &r.clock, r.sp, &o, &r.s);
    if (rc < 0) {
        fprintf(stderr, "syslog_send: open: %s\n", ef_strerror(rc));
        return 1;
    }
    ef_sinkdrv_notify(r.s);
    ef_sinkdrv_flush(r.s);
    uv_timer_init(&r.loop, &r.poll);
    r.poll.data = &r;
    r.started = uv_now(&r.loop);
    r.deadline_ms = argc > 8 ? strtoull(argv[8], NULL, 10) : 60000;
    uv_timer_start(&r.poll, on_poll, 10, 10);
    while (!r.done && !r.timed_out)
        uv_run(&r.loop, UV_RUN_ONCE);
    ef_sinkdrv_get_stats(r.s, &st);
    printf("acked %llu retried %llu dead %llu of %llu\n", (unsigned long long)st.acked,
           (unsigned long long)st.retried, (unsigned long long)st.dead_lettered,
           (unsigned long long)n);
    /*
     * The poll timer keeps ticking while the sink stops, so uv_run blocks in
     * the poll instead of spinning when the sink's own handles are unref'd,
     * and a stop that never finishes fails within 10 s instead of hanging.
     */
    ef_sinkdrv_stop(r.s, on_stopped, &r);
    stop_started = uv_now(&r.loop);
    uv_timer_start(&r.poll, on_stop_tick, 10, 10);
    while (!r.stopped) {
        uv_run(&r.loop, UV_RUN_ONCE);
        if (uv_now(&r.loop) - stop_started > 10000) {
            fprintf(stderr, "syslog_send: the sink did not stop within 10 s\n");
            return 1;
        }
    }
    uv_close((uv_handle_t *)&r.poll, NULL);
    ef_spool_close(r.sp);
    ef_clock_close(&r.clock, NULL);
    uv_run(&r.loop, UV_RUN_DEFAULT);
    uv_loop_close(&r.loop);
    free(data);
    return r.done ? 0 : 1;
}

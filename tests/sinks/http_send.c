/*
 * http_send.c - sends events through the HTTP sink, driven by the real sink
 * driver over a memory spool and a fake clock, and prints what happened.
 *
 * Usage: http_send CONFIG EVENTS OUTDIR [MAX_SIM_SECONDS [OUTAGE_SECONDS]]
 *
 * CONFIG is an etwfwd configuration; its first http sink is used (so every
 * option goes through the real loader, ${ENV} included). EVENTS holds one
 * JSON event per line. Rejected events go to OUTDIR/dead-letter/<sink>.ndjson.
 * The program runs the loop while transfers are running; when none is and
 * events are still undelivered, the pipeline waits for a backoff timer on
 * the fake clock, so the program advances the clock straight to it (no
 * sleeping) and notes the delay. It stops when every event is acknowledged
 * or dead-lettered, or when MAX_SIM_SECONDS (default 36000) of simulated
 * time passed. It prints "key=value" lines (the Python tests in
 * tests/sinks/test_http.py read them) and exits 0 when everything was
 * delivered or dead-lettered, 3 when events are still undelivered, 1 on
 * errors, 2 on usage errors. Runs natively and as .exe under Wine.
 *
 * With OUTAGE_SECONDS (the outage test), the spool is a real disk spool in
 * OUTDIR/spool and the events arrive one by one, spread evenly over the
 * first OUTAGE_SECONDS of simulated time, while the receiver is expected to
 * be down. When the clock reaches the end of the outage the program prints
 * "outage_over", then waits for a line on stdin (the test starts the
 * receiver) before going on. Every timer any part of the pipeline schedules
 * is recorded with its delay ("scheduled=", "max_scheduled_ms=" and
 * OUTDIR/delays.txt, one delay in ms a line), so the test can check that the
 * backoff never waited longer than its cap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "pipeline/backoff.h"
#include "pipeline/clock.h"
#include "pipeline/sinkdrv.h"
#include "pipeline/spool.h"
#include "sinks/http.h"
#include "util/error.h"
#include "util/file.h"

static void *sink_state; /* the http sink's state, caught at open */

static int wrapped_open(struct ef_sink *sink, const struct ef_sink_cfg *cfg, uv_loop_t *loop,
                        void **state)
{
    int rc = ef_sink_http_ops.open(sink, cfg, loop, state);

    if (rc == 0)
        sink_state = *state;
    return rc;
}

static int stopped;

static void on_stopped(void *ud)
{
    (void)ud;
    stopped = 1;
}

struct events {
    char *data;
    const char **at;
    uint32_t *len;
    size_t n, next; /* next: the first not yet in the spool */
};

/* Reads EVENTS: one JSON event a line (CRLF and empty lines tolerated). */
static int read_events(const char *path, struct events *ev)
{
    char *p, *end, *nl;
    size_t len = 0, cap = 0;
    int rc = ef_read_file(path, 256u * 1024 * 1024, &ev->data, &len);

    if (rc < 0)
        return rc;
    for (p = ev->data, end = ev->data + len; p < end; p = nl + 1) {
        size_t l;

        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        l = (size_t)(nl - p);
        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (l == 0)
            continue;
        if (ev->n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            const char **a = realloc(ev->at, nc * sizeof(*a));
            uint32_t *b = a ? realloc(ev->len, nc * sizeof(*b)) : NULL;

            if (a)
                ev->at = a;
            if (!a || !b)
                return EF_ENOMEM;
            ev->len = b;
            cap = nc;
        }
        ev->at[ev->n] = p;
        ev->len[ev->n++] = (uint32_t)l;
    }
    return 0;
}

/* Appends events [ev->next, upto) to the spool and commits them. */
static int append_events(struct ef_spool *sp, struct events *ev, size_t upto)
{
    uint64_t seq;
    int rc = 0;

    for (; ev->next < upto && rc == 0; ev->next++)
        rc = ef_spool_append(sp, ev->at[ev->next], ev->len[ev->next], &seq);
    return rc == 0 ? ef_spool_commit(sp) : rc;
}

/*
 * Notes every timer armed since the last look, with the delay it was armed
 * for. The fake clock stands still between a callback arming a timer and
 * this scan, so due - now is exactly the delay asked for.
 */
struct timer_log {
    const struct ef_timer *seen[256];
    uint64_t seen_due[256];
    size_t n_seen;
    uint64_t count, max_ms;
    FILE *out;
};

static void log_timers(struct timer_log *tl, struct ef_clock *clk)
{
    const struct ef_timer *now_t[256];
    uint64_t now_due[256], now = ef_clock_now(clk);
    const struct ef_timer *t;
    size_t n = 0, i;

    for (t = clk->head; t && n < 256; t = t->next, n++) {
        int old = 0;

        for (i = 0; i < tl->n_seen && !old; i++)
            old = tl->seen[i] == t && tl->seen_due[i] == t->due;
        now_t[n] = t;
        now_due[n] = t->due;
        if (old)
            continue;
        tl->count++;
        if (t->due - now > tl->max_ms)
            tl->max_ms = t->due - now;
        if (tl->out)
            fprintf(tl->out, "%llu\n", (unsigned long long)(t->due - now));
    }
    memcpy(tl->seen, now_t, n * sizeof(now_t[0]));
    memcpy(tl->seen_due, now_due, n * sizeof(now_due[0]));
    tl->n_seen = n;
}

int main(int argc, char **argv)
{
    struct ef_config *cfg = NULL;
    struct ef_config_errors errs = {0};
    const struct ef_sink_cfg *scfg = NULL;
    struct ef_sink_ops ops = ef_sink_http_ops;
    struct ef_spool_options so;
    struct ef_spool *sp = NULL;
    struct ef_sinkdrv_options opt;
    struct ef_sink *sink = NULL;
    struct ef_sink_stats st;
    struct ef_http_sink_stats hst;
    struct ef_clock clk;
    uv_loop_t loop;
    const char *names[1];
    char dl_dir[4096];
    char spool_dir[4096], delays_path[4096];
    struct events ev;
    struct timer_log tl;
    uint64_t n_events = 0, start, max_sim, max_delay = 0, waits = 0, outage_ms;
    int rc, exit_code = 1, outage_over;
    size_t i;

    if (argc < 4 || argc > 6) {
        fprintf(stderr,
                "usage: http_send CONFIG EVENTS OUTDIR [MAX_SIM_SECONDS [OUTAGE_SECONDS]]\n");
        return 2;
    }
    max_sim = (argc >= 5 ? strtoull(argv[4], NULL, 10) : 36000) * 1000;
    outage_ms = (argc == 6 ? strtoull(argv[5], NULL, 10) : 0) * 1000;
    outage_over = outage_ms == 0;
    memset(&ev, 0, sizeof(ev));
    memset(&tl, 0, sizeof(tl));
    rc = ef_config_load_file(argv[1], &cfg, &errs);
    if (rc < 0) {
        for (i = 0; i < errs.n; i++)
            fprintf(stderr, "%s\n", errs.msgs[i]);
        ef_config_errors_free(&errs);
        return 2;
    }
    for (i = 0; i < cfg->n_sinks && !scfg; i++) {
        if (cfg->sinks[i]->type == EF_SINK_HTTP)
            scfg = cfg->sinks[i];
    }
    if (!scfg) {
        fprintf(stderr, "http_send: no http sink in %s\n", argv[1]);
        ef_config_free(cfg);
        return 2;
    }
    uv_loop_init(&loop);
    ef_clock_init_fake(&clk, 1000000);
    start = ef_clock_now(&clk);
    memset(&so, 0, sizeof(so));
    names[0] = scfg->name;
    so.mode = outage_ms ? EF_SPOOL_MODE_DISK : EF_SPOOL_MODE_MEMORY;
    snprintf(spool_dir, sizeof(spool_dir), "%s/spool", argv[3]);
    so.dir = spool_dir;
    so.segment_size = 64u * 1024 * 1024;
    so.on_full = EF_SPOOL_ON_FULL_BLOCK;
    so.sync = EF_SPOOL_SYNC_OFF;
    so.sinks = names;
    so.n_sinks = 1;
    rc = ef_spool_open(&so, &sp, NULL);
    if (rc == 0)
        rc = read_events(argv[2], &ev);
    /* Without an outage every event is there at the start; with one, the first. */
    if (rc == 0)
        rc = append_events(sp, &ev, outage_ms ? (ev.n ? 1 : 0) : ev.n);
    n_events = ev.n;
    snprintf(delays_path, sizeof(delays_path), "%s/delays.txt", argv[3]);
    tl.out = ef_fopen(delays_path, "w");
    if (rc < 0) {
        fprintf(stderr, "http_send: spool: %s\n", ef_strerror(rc));
        goto out;
    }
    snprintf(dl_dir, sizeof(dl_dir), "%s/dead-letter", argv[3]);
    memset(&opt, 0, sizeof(opt));
    ef_sinkdrv_options_from_cfg(&opt, scfg);
    opt.name = scfg->name;
    opt.spool_index = 0;
    ops.open = wrapped_open;
    opt.ops = &ops;
    opt.cfg = scfg;
    opt.dead_letter_dir = dl_dir;
    ef_backoff_init(&opt.backoff, 42);
    rc = ef_sinkdrv_open(&loop, &clk, sp, &opt, &sink);
    if (rc < 0) {
        fprintf(stderr, "http_send: open: %s\n", ef_strerror(rc));
        goto out;
    }
    ef_sinkdrv_notify(sink);
    ef_sinkdrv_flush(sink);
    for (;;) {
        uint64_t due, now, arrive = UINT64_MAX;

        log_timers(&tl, &clk);
        ef_sinkdrv_get_stats(sink, &st);
        ef_http_sink_get_stats(sink_state, &hst);
        if (st.backlog == 0 && st.in_flight == 0 && ev.next == ev.n && outage_over)
            break;
        if (hst.active > 0) {
            uv_run(&loop, UV_RUN_ONCE);
            continue;
        }
        /* Callbacks that are ready (closes, finished work) run first. */
        uv_run(&loop, UV_RUN_NOWAIT);
        ef_sinkdrv_get_stats(sink, &st);
        ef_http_sink_get_stats(sink_state, &hst);
        log_timers(&tl, &clk);
        if (hst.active > 0 ||
            (st.backlog == 0 && st.in_flight == 0 && ev.next == ev.n && outage_over))
            continue;
        if (hst.waiting_ack == 0 && st.in_flight > st.waiting_retry && uv_loop_alive(&loop)) {
            /*
             * A batch is being dead-lettered on the threadpool: wait for it.
             * (With in_flight > 1 a finished batch may also just wait for an
             * earlier one to be acknowledged first; then nothing is alive in
             * the loop and only the clock can move things on.)
             */
            uv_run(&loop, UV_RUN_ONCE);
            continue;
        }
        due = ef_clock_next_due(&clk);
        now = ef_clock_now(&clk);
        if (ev.next < ev.n)
            arrive = start + ev.next * outage_ms / ev.n;
        if (!outage_over && arrive > start + outage_ms)
            arrive = start + outage_ms;
        if (arrive <= now) {
            /* An event arrives (or the outage ends) before the next timer. */
            if (ev.next < ev.n && start + ev.next * outage_ms / ev.n <= now) {
                rc = append_events(sp, &ev, ev.next + 1);
                if (rc < 0) {
                    fprintf(stderr, "http_send: spool: %s\n", ef_strerror(rc));
                    break;
                }
                ef_sinkdrv_notify(sink);
            } else {
                char line[64];

                outage_over = 1;
                printf("outage_over\n");
                fflush(stdout);
                if (!fgets(line, sizeof(line), stdin))
                    break;
            }
            continue;
        }
        if (arrive < due)
            due = arrive;
        if (due == UINT64_MAX || due - start > max_sim)
            break;
        if (due > now) {
            if (due - now > max_delay)
                max_delay = due - now;
            waits++;
            ef_clock_advance(&clk, due - now);
        } else {
            ef_clock_fire_due(&clk);
        }
    }
    ef_sinkdrv_get_stats(sink, &st);
    ef_http_sink_get_stats(sink_state, &hst);
    printf("events=%llu\nacked=%llu\nretried=%llu\nretried_batches=%llu\ndead_lettered=%llu\n"
           "backlog=%llu\nsent_batches=%llu\nwaits=%llu\nmax_delay_ms=%llu\nsim_ms=%llu\n",
           (unsigned long long)n_events, (unsigned long long)st.acked,
           (unsigned long long)st.retried, (unsigned long long)st.retried_batches,
           (unsigned long long)st.dead_lettered, (unsigned long long)st.backlog,
           (unsigned long long)st.sent_batches, (unsigned long long)waits,
           (unsigned long long)max_delay, (unsigned long long)(ef_clock_now(&clk) - start));
    if (outage_ms)
        printf("scheduled=%llu\nmax_scheduled_ms=%llu\narrived=%llu\n",
               (unsigned long long)tl.count, (unsigned long long)tl.max_ms,
               (unsigned long long)ev.next);
    printf("requests=%llu\nstatus_2xx=%llu\nstatus_4xx=%llu\nstatus_5xx=%llu\nconn_errors=%llu\n"
           "auth_failures=%llu\nsplits=%llu\ntoo_large=%llu\nitem_retries=%llu\n"
           "item_rejects=%llu\nhec_ack_polls=%llu\nbody_bytes=%llu\nraw_bytes=%llu\n",
           (unsigned long long)hst.requests, (unsigned long long)hst.status_2xx,
           (unsigned long long)hst.status_4xx, (unsigned long long)hst.status_5xx,
           (unsigned long long)hst.conn_errors, (unsigned long long)hst.auth_failures,
           (unsigned long long)hst.splits, (unsigned long long)hst.too_large,
           (unsigned long long)hst.item_retries, (unsigned long long)hst.item_rejects,
           (unsigned long long)hst.hec_ack_polls, (unsigned long long)hst.body_bytes,
           (unsigned long long)hst.raw_bytes);
    fflush(stdout);
    exit_code =
        st.backlog == 0 && ev.next == ev.n && st.acked + st.dead_lettered == n_events ? 0 : 3;
    ef_sinkdrv_stop(sink, on_stopped, NULL);
    while (!stopped)
        uv_run(&loop, UV_RUN_ONCE);
out:
    if (sp)
        ef_spool_close(sp);
    ef_clock_close(&clk, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&loop) != 0) {
        fprintf(stderr, "http_send: handles left open\n");
        exit_code = 1;
    }
    if (tl.out)
        fclose(tl.out);
    free(ev.data);
    free(ev.at);
    free(ev.len);
    ef_config_free(cfg);
    return exit_code;
}

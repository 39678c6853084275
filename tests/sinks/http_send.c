/*
 * http_send.c - sends events through the HTTP sink, driven by the real sink
 * driver over a memory spool and a fake clock, and prints what happened.
 *
 * Usage: http_send CONFIG EVENTS OUTDIR [MAX_SIM_SECONDS]
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

static int load_events(struct ef_spool *sp, const char *path, uint64_t *n)
{
    char *data = NULL, *p, *end, *nl;
    size_t len = 0;
    uint64_t seq;
    int rc = ef_read_file(path, 256u * 1024 * 1024, &data, &len);

    if (rc < 0)
        return rc;
    *n = 0;
    for (p = data, end = data + len; p < end && rc == 0; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        if (nl > p && nl[-1] == '\r')
            nl[-1] = '\0';
        if (nl - p > 1 || (nl - p == 1 && *p != '\r')) {
            size_t l = (size_t)(nl - p);

            if (p[l - 1] == '\0')
                l--;
            rc = ef_spool_append(sp, p, (uint32_t)l, &seq);
            (*n)++;
        }
    }
    if (rc == 0)
        rc = ef_spool_commit(sp);
    free(data);
    return rc;
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
    uint64_t n_events = 0, start, max_sim, max_delay = 0, waits = 0;
    int rc, exit_code = 1;
    size_t i;

    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: http_send CONFIG EVENTS OUTDIR [MAX_SIM_SECONDS]\n");
        return 2;
    }
    max_sim = (argc == 5 ? strtoull(argv[4], NULL, 10) : 36000) * 1000;
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
    so.mode = EF_SPOOL_MODE_MEMORY;
    so.segment_size = 64u * 1024 * 1024;
    so.on_full = EF_SPOOL_ON_FULL_BLOCK;
    so.sync = EF_SPOOL_SYNC_OFF;
    so.sinks = names;
    so.n_sinks = 1;
    rc = ef_spool_open(&so, &sp, NULL);
    if (rc == 0)
        rc = load_events(sp, argv[2], &n_events);
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
        uint64_t due, now;

        ef_sinkdrv_get_stats(sink, &st);
        ef_http_sink_get_stats(sink_state, &hst);
        if (st.backlog == 0 && st.in_flight == 0)
            break;
        if (hst.active > 0) {
            uv_run(&loop, UV_RUN_ONCE);
            continue;
        }
        /* Callbacks that are ready (closes, finished work) run first. */
        uv_run(&loop, UV_RUN_NOWAIT);
        ef_sinkdrv_get_stats(sink, &st);
        ef_http_sink_get_stats(sink_state, &hst);
        if (hst.active > 0 || (st.backlog == 0 && st.in_flight == 0))
            continue;
        if (hst.waiting_ack == 0 && st.in_flight > st.waiting_retry) {
            /* A batch is being dead-lettered on the threadpool: wait for it. */
            uv_run(&loop, UV_RUN_ONCE);
            continue;
        }
        due = ef_clock_next_due(&clk);
        now = ef_clock_now(&clk);
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
    exit_code = st.backlog == 0 && st.acked + st.dead_lettered == n_events ? 0 : 3;
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
    ef_config_free(cfg);
    return exit_code;
}

/*
 * test_runner_metrics.c - the Prometheus text of a real pipeline (a small
 * TraceLogging trace replayed through a memory spool into a file sink): every
 * name docs/pipeline.md lists is there with its type, and the counters agree
 * with what the sink wrote. Also the /metrics, /health and 404 routes.
 */
#include "runner.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "pipe_helpers.h"
#include "runner/pipeline.h"
#include "runner/pipeline_int.h"
#include "util/attr.h"
#include "util/buf.h"

static char dir[1024];

static void setup(void)
{
    th_mkdtemp(dir, sizeof(dir));
}

static void teardown(void)
{
    th_rmtree(dir);
}

static int stopped;

static void on_stopped(void *ud)
{
    (void)ud;
    stopped = 1;
}

static int is_stopped(void *ud)
{
    (void)ud;
    return stopped;
}

/* The value of the sample line that starts with sample (name and labels), or -1. */
static long long sample(const char *text, const char *name_labels)
{
    size_t n = strlen(name_labels);
    const char *p = text;

    while ((p = strstr(p, name_labels)) != NULL) {
        if ((p == text || p[-1] == '\n') && p[n] == ' ')
            return atoll(p + n + 1);
        p += n;
    }
    return -1;
}

static size_t count_lines(const char *s)
{
    size_t n = 0;

    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* The live sessions' counters: stats event key, Prometheus name, a field of the stats. */
static const struct {
    const char *key, *metric;
    size_t off;
} live[] = {
    {"etw_log_buffers_lost", "etwfwd_session_etw_log_buffers_lost_total",
     offsetof(struct ef_source_stats, etw_log_buffers_lost)},
    {"etw_buffers_written", "etwfwd_session_etw_buffers_written_total",
     offsetof(struct ef_source_stats, etw_buffers_written)},
    {"etw_free_buffers", "etwfwd_session_etw_free_buffers",
     offsetof(struct ef_source_stats, etw_free_buffers)},
    {"rt_lost_event_records", "etwfwd_session_rt_lost_event_records_total",
     offsetof(struct ef_source_stats, rt_lost_event_records)},
    {"rt_lost_buffer_records", "etwfwd_session_rt_lost_buffer_records_total",
     offsetof(struct ef_source_stats, rt_lost_buffer_records)},
    {"rt_lost_file_records", "etwfwd_session_rt_lost_file_records_total",
     offsetof(struct ef_source_stats, rt_lost_file_records)},
    {"etw_buffers_read", "etwfwd_session_etw_buffers_read_total",
     offsetof(struct ef_source_stats, etw_buffers_read)},
    {"reconnects", "etwfwd_session_reconnects_total", offsetof(struct ef_source_stats, reconnects)},
    {"gap_ms", "etwfwd_session_gap_ms_total", offsetof(struct ef_source_stats, gap_ms)},
    {"queries_failed", "etwfwd_session_queries_failed_total",
     offsetof(struct ef_source_stats, queries_failed)},
    {"ext_items_dropped", "etwfwd_session_ext_items_dropped_total",
     offsetof(struct ef_source_stats, ext_items_dropped)},
};

/* What ef_pipeline_print_summary prints. */
static void summary(struct ef_pipeline *p, char *out, size_t cap)
{
    FILE *f = tmpfile();
    size_t n;

    ck_assert_ptr_nonnull(f);
    ef_pipeline_print_summary(p, f);
    rewind(f);
    n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
}

START_TEST(names_types_and_values)
{
    static const struct {
        const char *name, *type;
    } names[] = {
        {"etwfwd_events_total", "counter"},
        {"etwfwd_etw_events_lost_total", "counter"},
        {"etwfwd_etw_buffers_lost_total", "counter"},
        {"etwfwd_source_read_errors_total", "counter"},
        {"etwfwd_session_etw_log_buffers_lost_total", "counter"},
        {"etwfwd_session_etw_buffers_written_total", "counter"},
        {"etwfwd_session_etw_free_buffers", "gauge"},
        {"etwfwd_session_rt_lost_event_records_total", "counter"},
        {"etwfwd_session_rt_lost_buffer_records_total", "counter"},
        {"etwfwd_session_rt_lost_file_records_total", "counter"},
        {"etwfwd_session_etw_buffers_read_total", "counter"},
        {"etwfwd_session_reconnects_total", "counter"},
        {"etwfwd_session_gap_ms_total", "counter"},
        {"etwfwd_session_queries_failed_total", "counter"},
        {"etwfwd_session_ext_items_dropped_total", "counter"},
        {"etwfwd_source_files_total", "counter"},
        {"etwfwd_queue_events", "gauge"},
        {"etwfwd_queue_bytes", "gauge"},
        {"etwfwd_queue_dropped_total", "counter"},
        {"etwfwd_queue_blocked_total", "counter"},
        {"etwfwd_spool_bytes", "gauge"},
        {"etwfwd_spool_segments", "gauge"},
        {"etwfwd_spool_memory", "gauge"},
        {"etwfwd_spool_events_total", "counter"},
        {"etwfwd_spool_read_errors_total", "counter"},
        {"etwfwd_sink_events_total", "counter"},
        {"etwfwd_sink_bytes_total", "counter"},
        {"etwfwd_sink_backlog_events", "gauge"},
        {"etwfwd_sink_in_flight_batches", "gauge"},
        {"etwfwd_sink_dead_letter_errors_total", "counter"},
        {"etwfwd_sink_last_delivery_age_seconds", "gauge"},
        {"etwfwd_sink_healthy", "gauge"},
        {"etwfwd_stats_events_total", "counter"},
        {"etwfwd_uptime_seconds", "gauge"},
    };
    char trace[1024], conf[8192], outpath[1200], typeline[200];
    const char *stats_line;
    char sum[8192];
    struct ef_config_errors errs = {0};
    struct ef_pipeline_options po;
    struct ef_config *cfg = NULL;
    struct ef_pipeline *p = NULL;
    const char *ctype = NULL;
    struct ef_buf m, body;
    uv_loop_t loop;
    const char *mem;
    char *out;
    size_t i, len, lines;
    long long in, acked, stats;
    int n;

    ef_test_shared_path("testdata/etl/perfview/SelfDescribingSingleEvent.etl", trace,
                        sizeof(trace));
    snprintf(outpath, sizeof(outpath), "%s/out.ndjson", dir);
    n = snprintf(conf, sizeof(conf),
                 "[service]\nstate_dir = %s\nspool = memory\nmetrics_listen =\n"
                 "stats_interval = 1h\n\n[session:tl]\nkind = file\npath = %s\n\n"
                 "[sink:out]\ntype = file\npath = %s\n",
                 dir, trace, outpath);
    ck_assert_int_lt(n, (int)sizeof(conf));
    ck_assert_int_eq(ef_config_load_string(conf, (size_t)n, "test.ini", &cfg, &errs), 0);
    ck_assert_int_eq(uv_loop_init(&loop), 0);
    memset(&po, 0, sizeof(po));
    po.cfg = cfg;
    po.on_stopped = on_stopped;
    stopped = 0;
    ck_assert_int_eq(ef_pipeline_start(&loop, &po, &p), 0);
    /* follow = 0: the pipeline stops once the trace is read and delivered. */
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert(is_stopped(NULL));

    ef_buf_init(&m, 1u << 20);
    ef_pipeline_metrics(p, &m);
    ck_assert_int_eq(ef_buf_append_byte(&m, '\0'), 0);
    for (i = 0; i < EF_ARRAY_LEN(names); i++) {
        snprintf(typeline, sizeof(typeline), "# TYPE %s %s\n", names[i].name, names[i].type);
        ck_assert_msg(strstr(m.data, typeline), "missing: %s", typeline);
    }
    out = th_read_file(outpath, &len);
    ck_assert_ptr_nonnull(out);
    lines = count_lines(out);
    in = sample(m.data, "etwfwd_events_total{session=\"tl\",stage=\"in\"}");
    acked = sample(m.data, "etwfwd_sink_events_total{sink=\"out\",result=\"acked\"}");
    stats = sample(m.data, "etwfwd_stats_events_total");
    ck_assert_int_gt(in, 0);
    ck_assert_int_ge(stats, 0);
    /* Every event read was delivered, plus the stats events. */
    ck_assert_int_eq(acked, (long long)lines);
    ck_assert_int_eq(in + stats, (long long)lines);
    ck_assert_int_eq(sample(m.data, "etwfwd_events_total{session=\"tl\",stage=\"queued\"}"), in);
    ck_assert_int_eq(sample(m.data, "etwfwd_source_files_total{session=\"tl\",result=\"done\"}"),
                     1);
    ck_assert_int_eq(sample(m.data, "etwfwd_sink_backlog_events{sink=\"out\"}"), 0);
    /* A file session has the live sessions' counters too, at 0: one shape for every kind. */
    for (i = 0; i < EF_ARRAY_LEN(live); i++) {
        snprintf(typeline, sizeof(typeline), "%s{session=\"tl\"}", live[i].metric);
        ck_assert_msg(sample(m.data, typeline) == 0, "%s", typeline);
    }
    /* ... and so has the stats event written at the stop. */
    stats_line = strstr(out, "\"kind\":\"stats\"");
    ck_assert_ptr_nonnull(stats_line);
    ck_assert_ptr_nonnull(strstr(stats_line, "\"live\":0,"));
    for (i = 0; i < EF_ARRAY_LEN(live); i++) {
        snprintf(typeline, sizeof(typeline), "\"%s\":0", live[i].key);
        ck_assert_msg(strstr(stats_line, typeline), "missing in the stats event: %s", typeline);
    }
    /* spool = memory says so (the label is the spool's folder). */
    mem = strstr(m.data, "\netwfwd_spool_memory{");
    ck_assert_ptr_nonnull(mem);
    mem = strstr(mem, "} ");
    ck_assert_ptr_nonnull(mem);
    ck_assert_int_eq(atoi(mem + 2), 1);

    /* The routes the listener serves. */
    ef_buf_init(&body, 1u << 20);
    ck_assert_int_eq(ef_pipeline_http_handler(p, "/metrics", &body, &ctype), 200);
    ck_assert_str_eq(ctype, "text/plain; version=0.0.4; charset=utf-8");
    ef_buf_reset(&body);
    /* Stopped: not healthy, and it says why. */
    ck_assert_int_eq(ef_pipeline_http_handler(p, "/health", &body, &ctype), 503);
    ck_assert_str_eq(ctype, "application/json");
    ck_assert_int_eq(ef_buf_append_byte(&body, '\0'), 0);
    ck_assert_ptr_nonnull(strstr(body.data, "\"status\":\"unhealthy\""));
    ef_buf_reset(&body);
    ck_assert_int_eq(ef_pipeline_http_handler(p, "/metricsx", &body, &ctype), 404);

    /* The summary of a file session leaves the live counters out... */
    summary(p, sum, sizeof(sum));
    ck_assert_ptr_nonnull(strstr(sum, "session tl: "));
    ck_assert_ptr_null(strstr(sum, "(live)"));
    /* ... and a live session's reach /metrics and the summary, each under its own name. */
    p->sessions[0].last.live = 1;
    for (i = 0; i < EF_ARRAY_LEN(live); i++)
        *(uint64_t *)((char *)&p->sessions[0].last + live[i].off) = 1000 + i;
    ef_buf_reset(&m);
    ef_pipeline_metrics(p, &m);
    ck_assert_int_eq(ef_buf_append_byte(&m, '\0'), 0);
    for (i = 0; i < EF_ARRAY_LEN(live); i++) {
        snprintf(typeline, sizeof(typeline), "%s{session=\"tl\"}", live[i].metric);
        ck_assert_msg(sample(m.data, typeline) == (long long)(1000 + i), "%s", typeline);
    }
    summary(p, sum, sizeof(sum));
    ck_assert_msg(strstr(sum, "session tl (live): 1000 log buffers lost, 1001 buffers written, "
                              "1002 free buffers, RT_LostEvent records: 1003 events, 1004 "
                              "buffers, 1005 file; 1006 buffers read, 1007 reconnects, 1008 ms "
                              "without a consumer, 1009 failed queries, 1010 extended items "
                              "dropped\n"),
                  "%s", sum);

    ef_buf_free(&body);
    ef_buf_free(&m);
    free(out);
    ef_pipeline_free(p);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
    ef_config_free(cfg);
}
END_TEST

TCase *ef_runner_metrics_case(void);
TCase *ef_runner_metrics_case(void)
{
    TCase *tc = tcase_create("metrics");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, names_types_and_values);
    return tc;
}

/*
 * test_live_win.c - live sessions end to end under Wine: `run`'s pipeline
 * with realtime, kernel and existing sessions, driven through the fake ETW
 * (fake_trace.h) that feeds the shared traces to the real consumer.
 *
 * What a user relies on: every event of a trace reaches the file sink with
 * the JSON `replay` gives for it (the same renderer options: Computer and
 * Session are what a live session adds, docs/etw.md); loss counters equal
 * what ETW reported; on_exists, existing sessions and the watchdog do what
 * the configuration says; a stop ends in bounded time, also when ETW does
 * not let ProcessTrace return.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "etw/etw_api.h"
#include "fake_etw.h"
#include "fake_trace.h"
#include "live_fixture.h"
#include "pipe_helpers.h"
#include "runner/pipeline.h"
#include "runner/pipeline_int.h"
#include "source/tracefile.h"
#include "util/buf.h"

#define HOST "testhost"
/* How the pipeline's stats events start (pipeline_stats.c). */
#define STATS_PREFIX "{\"System\":{\"Provider\":{\"Name\":\"etwfwd\"}"

struct run {
    uv_loop_t loop;
    struct ef_config *cfg;
    struct ef_pipeline *p;
    int stopped;
    uint64_t want; /* events (not stats) the sink must have acknowledged */
};

static void on_stopped(void *ud)
{
    ((struct run *)ud)->stopped = 1;
}

static int is_stopped(void *ud)
{
    return ((struct run *)ud)->stopped;
}

/* The sink acknowledged `want` lines beyond the stats events. */
static int delivered(void *ud)
{
    struct run *r = ud;
    struct ef_source_stats ss;
    struct ef_sink_stats st;

    ef_pipeline_sink_stats(r->p, 0, &st);
    ef_pipeline_session_stats(r->p, 0, &ss);
    return st.acked >= r->want && ss.pushed >= r->want;
}

static int start(struct run *r, const char *session_ini)
{
    struct ef_config_errors errs = {0};
    struct ef_pipeline_options po;
    char conf[8192];
    size_t i;
    int n, rc;

    memset(r, 0, sizeof(*r));
    n = snprintf(conf, sizeof(conf),
                 "[service]\nstate_dir = %s\nspool = memory\nmetrics_listen =\n"
                 "stats_interval = 1h\nhostname = " HOST "\nshutdown_timeout = 5s\n\n%s\n"
                 "[sink:out]\ntype = file\npath = %s/out.ndjson\nbatch_max_age = 10ms\n",
                 live_dir, session_ini, live_dir);
    ck_assert_int_lt(n, (int)sizeof(conf));
    rc = ef_config_load_string(conf, (size_t)n, "live.ini", &r->cfg, &errs);
    for (i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.msgs[i]);
    ck_assert_int_eq(rc, 0);
    ef_config_errors_free(&errs);
    ck_assert_int_eq(uv_loop_init(&r->loop), 0);
    memset(&po, 0, sizeof(po));
    po.cfg = r->cfg;
    po.follow = 1;
    po.on_stopped = on_stopped;
    po.ud = r;
    return ef_pipeline_start(&r->loop, &po, &r->p);
}

static void stop(struct run *r)
{
    ef_pipeline_stop(r->p);
    ck_assert(th_run_until(&r->loop, is_stopped, r, 100000));
}

static void finish(struct run *r)
{
    if (!r->stopped)
        ck_assert(th_run_until(&r->loop, is_stopped, r, 100000));
    ef_pipeline_free(r->p);
    ck_assert_int_eq(th_loop_fini(&r->loop), 0);
    ef_config_free(r->cfg);
}

/* --- every event as replay gives it ----------------------------------------- */

struct expect {
    struct ef_buf all; /* the lines, each with '\n' */
    uint64_t n;
};

/* Marks the log-file header event: real-time consumers never see it (ETW-NOTES §5). */
static void on_event(void *ud, const struct ef_event *ev, int rc)
{
    (void)rc;
    *(int *)ud = ev->rec->kind == EF_REC_LOGFILE_HEADER;
}

/* What `replay` gives for rel, with the renderer options a live session named main uses. */
static void expected_lines(const char *rel, const char *manifest, struct expect *e)
{
    char trace[1024], man[1024];
    const char *mans[1];
    struct ef_tracefile_opts to;
    struct ef_tracefile_error err;
    struct ef_tracefile *tf;
    struct ef_buf line;
    uint64_t ts;
    int rc, header = 0;

    memset(&to, 0, sizeof(to));
    ef_test_shared_path(rel, trace, sizeof(trace));
    if (manifest) {
        mans[0] = ef_test_shared_path(manifest, man, sizeof(man));
        to.manifests = mans;
        to.n_manifests = 1;
    }
    to.render.format = 0;
    to.render.event_data_strings = 1; /* replay's default, and run's (typed_event_data = false) */
    to.render.computer = HOST;
    to.render.session = "main";
    to.on_event = on_event;
    to.ud = &header;
    ck_assert_int_eq(ef_tracefile_open(trace, &to, &tf, &err), 0);
    ef_buf_init(&line, 16u << 20);
    ef_buf_init(&e->all, 1u << 30);
    e->n = 0;
    while ((rc = ef_tracefile_next(tf, &line, &ts)) == 1) {
        if (header)
            continue;
        ck_assert_int_eq(ef_buf_append(&e->all, line.data, line.len), 0);
        ck_assert_int_eq(ef_buf_append_byte(&e->all, '\n'), 0);
        e->n++;
    }
    ck_assert_int_eq(rc, 0);
    ef_buf_free(&line);
    ef_tracefile_close(tf);
}

/* The sink's file without the stats events. */
static char *delivered_lines(size_t *n_lines)
{
    char path[1200], *out, *w, *p;
    size_t len;

    snprintf(path, sizeof(path), "%s/out.ndjson", live_dir);
    out = th_read_file(path, &len);
    ck_assert_ptr_nonnull(out);
    *n_lines = 0;
    for (p = w = out; *p;) {
        char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p + 1) : strlen(p);

        if (strncmp(p, STATS_PREFIX, strlen(STATS_PREFIX)) != 0) {
            memmove(w, p, l);
            w += l;
            (*n_lines)++;
        }
        p += l;
    }
    *w = '\0';
    return out;
}

static const struct {
    const char *trace, *manifest, *ini;
} traces[] = {
    {"testdata/etl/tx/HTTP_Server.etl", "testdata/etl/tx/HTTP_Server.man",
     "kind = realtime\n" HTTP_PROVIDER "\n"},
    {"testdata/etl/perfview/SelfDescribingSingleEvent.etl", NULL,
     "kind = realtime\nprovider = {00000000-0000-0000-0000-000000000001}\n"},
    {"testdata/etl/perfview/gcevents.etl", "testdata/etl/perfview/ClrEtwAll.man",
     "kind = realtime\nprovider = Microsoft-Windows-DotNETRuntime\n"},
    {"testdata/etl/etl-parser/lxcore_kernel.etl", NULL,
     "kind = kernel\nkernel_flags = process,thread\n"},
};

START_TEST(live_equals_replay)
{
    char ini[2048], man[1024];
    struct expect e;
    struct run r;
    size_t n;
    char *got;

    expected_lines(traces[_i].trace, traces[_i].manifest, &e);
    ck_assert_uint_gt(e.n, 0);
    fake_trace.trace = traces[_i].trace;
    fake_trace.events_per_buffer = 7;
    snprintf(ini, sizeof(ini), "[session:main]\n%stdh = false\n%s%s\n", traces[_i].ini,
             traces[_i].manifest ? "manifest = " : "",
             traces[_i].manifest ? ef_test_shared_path(traces[_i].manifest, man, sizeof(man)) : "");
    ck_assert_int_eq(start(&r, ini), 0);
    r.want = e.n;
    ck_assert_msg(th_run_until(&r.loop, delivered, &r, 1000000), "only part of %s arrived",
                  traces[_i].trace);
    stop(&r);
    got = delivered_lines(&n);
    ck_assert_uint_eq(n, e.n);
    ck_assert_msg(strcmp(got, e.all.data ? e.all.data : "") == 0, "%s: the JSON differs",
                  traces[_i].trace);
    free(got);
    ef_buf_free(&e.all);
    finish(&r);
}
END_TEST

/* --- decoded through TDH --------------------------------------------------------- */

/*
 * The EventData object of a rendered line (from its '{' to the matching
 * '}', strings skipped), as a pointer into line and a length; NULL when the
 * line has none.
 */
static const char *event_data(const char *line, size_t len, size_t *out_len)
{
    static const char key[] = "\"EventData\":";
    const char *p = NULL, *end = line + len;
    int depth = 0, in_str = 0;
    size_t i;

    for (i = 0; i + sizeof(key) - 1 <= len; i++)
        if (memcmp(line + i, key, sizeof(key) - 1) == 0) {
            p = line + i + sizeof(key) - 1;
            break;
        }
    if (!p || *p != '{')
        return NULL;
    for (i = 0; p + i < end; i++) {
        char c = p[i];

        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{') {
            depth++;
        } else if (c == '}' && --depth == 0) {
            *out_len = i + 1;
            return p;
        }
    }
    return NULL;
}

/* The next line of the provider guid (its text, in braces) from *pos, or NULL at the end. */
static const char *next_of(const char *all, size_t *pos, const char *guid, size_t *len)
{
    char want[80];

    size_t wl, i;

    wl = (size_t)snprintf(want, sizeof(want), "\"Guid\":\"%s\"", guid);
    while (all[*pos]) {
        const char *line = all + *pos, *nl = strchr(line, '\n');
        size_t l = nl ? (size_t)(nl - line) : strlen(line);

        *pos += l + (nl ? 1 : 0);
        /* Within the line only: a search to the end of the file at every line is quadratic. */
        for (i = 0; i + wl <= l; i++) {
            if (memcmp(line + i, want, wl) == 0) {
                *len = l;
                return line;
            }
        }
    }
    return NULL;
}

#define NET_TRACE    "testdata/etl/perfview/net.4.5.2.x86.etl"
#define CLR_MANIFEST "testdata/etl/perfview/ClrEtwAll.man"
#define CLR_GUID     "{E13C0D23-CCBC-4E12-931B-D9CC2EEE27E4}"

/* Everything arrived, or the queue dropped some (then it never will). */
static int delivered_or_dropped(void *ud)
{
    struct run *r = ud;
    struct ef_source_stats ss;

    ef_pipeline_session_stats(r->p, 0, &ss);
    return ss.queue_dropped > 0 || delivered(ud);
}

START_TEST(live_tdh_decodes_as_the_manifest)
{
    struct ef_source_stats ss;
    struct expect e;
    struct run r;
    size_t n, pe = 0, pg = 0, la, lb, da, db, compared = 0;
    const char *a, *b;
    char *got;

    /*
     * The trace carries what TDH answered on the machine that recorded it
     * (KernelTraceControl MetaData records); the fake TDH serves those blobs,
     * so the session decodes the CLR's events through TDH, with no manifest.
     */
    ck_assert_uint_gt(fake_etw_load(NET_TRACE, NULL), 0);
    fake_etw_api(&live_api);
    fake_trace_api(&live_api);
    ef_etw_api_override(&live_api);
    expected_lines(NET_TRACE, CLR_MANIFEST, &e);
    fake_trace.trace = NET_TRACE;
    fake_trace.max_events = 80000;
    /* Buffers spaced as a 1 s flush timer would, scaled down: the handoff queue never fills. */
    fake_trace.events_per_buffer = 500;
    fake_trace.buffer_pause_ms = 20;
    ck_assert_int_eq(start(&r, "[session:main]\nkind = realtime\ntdh = true\n"
                               "provider = Microsoft-Windows-DotNETRuntime\n"),
                     0);
    r.want = 80000;
    ck_assert(th_run_until(&r.loop, delivered_or_dropped, &r, 2000000));
    stop(&r);
    ef_pipeline_session_stats(r.p, 0, &ss);
    ck_assert_uint_eq(ss.queue_dropped, 0);
    ck_assert_uint_gt(fake_etw.event_calls, 0);
    got = delivered_lines(&n);
    ck_assert_uint_eq(n, 80000);
    /* Every CLR event delivered has replay-with-the-manifest's EventData, in the same order. */
    while ((a = next_of(got, &pg, CLR_GUID, &la)) != NULL) {
        const char *ga, *gb;

        b = next_of(e.all.data, &pe, CLR_GUID, &lb);
        ck_assert_ptr_nonnull(b);
        ga = event_data(a, la, &da);
        gb = event_data(b, lb, &db);
        ck_assert_msg(ga != NULL, "a CLR event without EventData: %.*s", (int)(la < 400 ? la : 400),
                      a);
        ck_assert_ptr_nonnull(gb);
        ck_assert_msg(da == db && memcmp(ga, gb, da) == 0, "TDH: %.*s\nmanifest: %.*s", (int)da, ga,
                      (int)db, gb);
        compared++;
    }
    /* 7673 of the first 80000 records are the CLR's (replay counts them the same). */
    ck_assert_uint_ge(compared, 7000);
    free(got);
    ef_buf_free(&e.all);
    finish(&r);
    fake_etw_unload();
}
END_TEST

/* --- loss ------------------------------------------------------------------------ */

static int all_pushed(void *ud)
{
    struct run *r = ud;
    struct ef_source_stats ss;

    ef_pipeline_session_stats(r->p, 0, &ss);
    return ss.events_in >= r->want;
}

/* Starts the pipeline with session_ini and runs it until the session took want events. */
static void start_until_pushed(struct run *r, const char *session_ini, uint64_t want)
{
    ck_assert_int_eq(start(r, session_ini), 0);
    r->want = want;
    ck_assert(th_run_until(&r->loop, all_pushed, r, 1000000));
}

START_TEST(loss_counted_by_kind)
{
    struct ef_source_stats ss;
    struct run r;

    /* Two lost events before event 3, a lost buffer before 10, a lost file before 11. */
    static const struct fake_lost lost[] = {{3, 32}, {3, 32}, {10, 33}, {11, 34}};

    memcpy(fake_trace.lost, lost, sizeof(lost));
    fake_trace.n_lost = sizeof(lost) / sizeof(lost[0]);
    start_until_pushed(&r, "[session:main]\nkind = realtime\ntdh = false\n" HTTP_PROVIDER "\n", 20);
    /* ETW's counters grow after the start: only the growth is ours. */
    EnterCriticalSection(&fake_trace.lock);
    fake_trace.events_lost += 5;
    fake_trace.rt_buffers_lost += 2;
    fake_trace.log_buffers_lost += 1;
    fake_trace.buffers_written += 40;
    fake_trace.free_buffers = 9;
    LeaveCriticalSection(&fake_trace.lock);
    stop(&r);
    ef_pipeline_session_stats(r.p, 0, &ss);
    ck_assert_uint_eq(ss.rt_lost_event_records, 2);
    ck_assert_uint_eq(ss.rt_lost_buffer_records, 1);
    ck_assert_uint_eq(ss.rt_lost_file_records, 1);
    ck_assert_uint_eq(ss.etw_events_lost, 5);
    ck_assert_uint_eq(ss.etw_buffers_lost, 2);
    ck_assert_uint_eq(ss.etw_log_buffers_lost, 1);
    ck_assert_uint_eq(ss.etw_buffers_written, 40);
    ck_assert_uint_eq(ss.etw_free_buffers, 9);
    /* RT_LostEvent records are counted, not forwarded as events. */
    ck_assert_uint_eq(ss.events_in, fake_trace.delivered);
    finish(&r);
}
END_TEST

START_TEST(damaged_record_counted_not_forwarded)
{
    struct ef_source_stats ss;
    struct run r;

    /* The 5th EVENT_RECORD claims 16 bytes of user data and has none. */
    fake_trace.damage_at = 5;
    start_until_pushed(&r, "[session:main]\nkind = realtime\ntdh = false\n" HTTP_PROVIDER "\n", 20);
    stop(&r);
    ef_pipeline_session_stats(r.p, 0, &ss);
    ck_assert_uint_eq(ss.read_errors, 1);
    ck_assert_uint_eq(ss.events_in, fake_trace.delivered - 1);
    finish(&r);
}
END_TEST

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

START_TEST(ext_items_past_32_counted)
{
    struct ef_source_stats ss;
    char sum[4096], path[1200], *out;
    size_t len;
    struct run r;

    /* The 4th event carries 41 extended items: a record keeps 32, so 9 are dropped. */
    fake_trace.ext_pad_at = 4;
    fake_trace.ext_total = 41;
    start_until_pushed(&r, "[session:main]\nkind = realtime\ntdh = false\n" HTTP_PROVIDER "\n", 20);
    stop(&r);
    ef_pipeline_session_stats(r.p, 0, &ss);
    ck_assert_uint_eq(ss.ext_items_dropped, 9);
    /* The event itself went on: nothing was counted as damage, every event arrived. */
    ck_assert_uint_eq(ss.read_errors, 0);
    ck_assert_uint_eq(ss.events_in, fake_trace.delivered);
    summary(r.p, sum, sizeof(sum));
    ck_assert_msg(strstr(sum, " failed queries, 9 extended items dropped\n") != NULL, "%s", sum);
    finish(&r);
    /* The stats event at stop carries it too. */
    snprintf(path, sizeof(path), "%s/out.ndjson", live_dir);
    out = th_read_file(path, &len);
    ck_assert_ptr_nonnull(out);
    ck_assert_msg(strstr(out, "\"ext_items_dropped\":9}") != NULL, "no stats event with 9");
    free(out);
}
END_TEST

/* --- sessions: on_exists, existing, the watchdog --------------------------------- */

START_TEST(on_exists_fail_refuses)
{
    struct fake_session *old = fake_trace_seed("etwfwd-main", 0x100);
    struct run r;

    ck_assert_int_lt(
        start(&r, "[session:main]\nkind = realtime\ntdh = false\non_exists = fail\n" HTTP_PROVIDER
                  "\n"),
        0);
    ck_assert(old->running);
    ck_assert_uint_eq(old->stops, 0);
    finish(&r);
}
END_TEST

START_TEST(on_exists_restart_replaces)
{
    struct fake_session *old = fake_trace_seed("etwfwd-main", 0x100), *s;
    struct run r;

    ck_assert_int_eq(
        start(&r, "[session:main]\nkind = realtime\ntdh = false\n" HTTP_PROVIDER ":4::0x10\n"), 0);
    s = fake_trace_find("etwfwd-main");
    ck_assert_ptr_nonnull(s);
    ck_assert(s->running);
    ck_assert(s->ours);
    ck_assert_uint_ge(old->stops + (s != old ? 0u : 1u), 1);
    ck_assert_uint_eq(s->log_file_mode & 0x08000100u, 0x08000100u);
    stop(&r);
    /* Our providers are disabled before our session stops, and it is stopped. */
    {
        static const struct ef_guid http = {
            0xDD5EF90A, 0x6398, 0x47A4, {0xAD, 0x34, 0x4D, 0xCE, 0xCD, 0xEF, 0x79, 0x5F}};
        struct fake_enabled *en = fake_trace_enabled(s, &http);

        ck_assert_ptr_nonnull(en);
        ck_assert_uint_eq(en->enables, 1);
        ck_assert_uint_eq(en->disables, 1);
        ck_assert_uint_eq(en->level, 4);
        ck_assert_uint_eq(en->match_any, 0x10);
    }
    ck_assert(!s->running);
    finish(&r);
}
END_TEST

/* Someone else's session: still running, never stopped, no provider enabled by us. */
static void assert_untouched(const struct fake_session *s)
{
    ck_assert(s->running);
    ck_assert_uint_eq(s->stops, 0);
    ck_assert_uint_eq(s->n_enabled, 0);
}

START_TEST(existing_is_never_changed)
{
    struct fake_session *sec = fake_trace_seed("EventLog-Security", 0x100);
    struct ef_source_stats ss;
    struct run r;

    start_until_pushed(
        &r, "[session:sec]\nkind = existing\ntrace_name = EventLog-Security\ntdh = false\n", 10);
    stop(&r);
    ef_pipeline_session_stats(r.p, 0, &ss);
    ck_assert_uint_ge(ss.events_in, 10);
    assert_untouched(sec);
    finish(&r);
}
END_TEST

static int reconnected(void *ud)
{
    struct run *r = ud;
    struct ef_source_stats ss;

    ef_pipeline_session_stats(r->p, 0, &ss);
    return ss.reconnects >= 1 && ss.events_in >= r->want;
}

START_TEST(watchdog_restarts_a_stopped_session)
{
    struct ef_source_stats ss;
    struct fake_session *s;
    struct run r;

    fake_trace.external_stop_after = 25; /* `logman stop` after 25 events */
    ck_assert_int_eq(start(&r, "[session:main]\nkind = realtime\ntdh = false\n"
                               "reconnect_min = 100ms\nreconnect_max = 1s\n" HTTP_PROVIDER "\n"),
                     0);
    r.want = 30; /* more than the first consumer got: the second one delivered */
    ck_assert(th_run_until(&r.loop, reconnected, &r, 1000000));
    s = fake_trace_find("etwfwd-main");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_ge(s->starts, 2);
    stop(&r);
    ef_pipeline_session_stats(r.p, 0, &ss);
    ck_assert_uint_ge(ss.reconnects, 1);
    ck_assert_uint_ge(ss.gap_ms, 100);
    finish(&r);
}
END_TEST

/* --- stopping in bounded time ------------------------------------------------------ */

START_TEST(stop_under_full_load_is_bounded)
{
    struct ef_source_stats ss;
    uint64_t t0;
    struct run r;

    fake_trace.repeat = 1000000; /* a firehose: the small queue drops */
    start_until_pushed(&r, "[session:main]\nkind = realtime\ntdh = false\n" HTTP_PROVIDER "\n",
                       5000);
    t0 = uv_hrtime();
    stop(&r);
    ck_assert_uint_lt((uv_hrtime() - t0) / 1000000, 10000);
    ef_pipeline_session_stats(r.p, 0, &ss);
    ck_assert_uint_ge(ss.pushed, 5000);
    finish(&r);
}
END_TEST

/* The fake delivered the whole trace and waits, as a real-time ProcessTrace does. */
static int fake_waiting(void *ud)
{
    int w;

    (void)ud;
    EnterCriticalSection(&fake_trace.lock);
    w = fake_trace.waiting > 0;
    LeaveCriticalSection(&fake_trace.lock);
    return w;
}

START_TEST(stuck_consumer_does_not_hang_the_stop)
{
    uint64_t t0, ms;
    struct run r;

    fake_trace.ignore_close = 1;
    /* The session is ours: stopping it would end ProcessTrace, so make it existing. */
    fake_trace_seed("Stuck-Session", 0x100);
    ck_assert_int_eq(
        start(&r, "[session:st]\nkind = existing\ntrace_name = Stuck-Session\ntdh = false\n"), 0);
    /*
     * Every buffer delivered: no BufferCallback is left to end ProcessTrace, and the
     * fake's CloseTrace answers 7007 without ending it, as a stuck ETW would.
     */
    ck_assert(th_run_until(&r.loop, fake_waiting, &r, 1000000));
    t0 = uv_hrtime();
    stop(&r);
    ms = (uv_hrtime() - t0) / 1000000;
    /* shutdown_timeout is 5 s: the stop waited that long for the consumer, not forever. */
    ck_assert_uint_ge(ms, 4900);
    ck_assert_uint_lt(ms, 15000);
    /* The fake's ProcessTrace is still running: the consumer was left behind, not joined. */
    ck_assert_uint_eq(fake_trace.processing, 1);
    finish(&r);
}
END_TEST

/* --- the real API under Wine: a clear failure, no hang ------------------------------- */

START_TEST(wine_real_etw_fails_clearly)
{
    struct run r;

    ef_etw_api_override(NULL);
    ck_assert_int_lt(start(&r, "[session:main]\nkind = realtime\ntdh = false\n" HTTP_PROVIDER "\n"),
                     0);
    finish(&r);
}
END_TEST

/* --- the examples, against the fake ------------------------------------------------- */

/* The [session:*] and [provider:*] sections of examples/NAME: their service and sinks are
 * replaced by the test's (a memory spool, a file sink). */
static void example_sessions(const char *name, char *out, size_t cap)
{
    const char *src = getenv("EF_SOURCE_DIR");
    char path[1200], line[1024];
    size_t used = 0;
    int keep = 0;
    FILE *f;

    ck_assert_ptr_nonnull(src);
    snprintf(path, sizeof(path), "%s/examples/%s", src, name);
    f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '[')
            keep = strncmp(line, "[session:", 9) == 0 || strncmp(line, "[provider:", 10) == 0;
        if (keep) {
            size_t n = strlen(line);

            ck_assert_uint_lt(used + n, cap);
            memcpy(out + used, line, n);
            used += n;
        }
    }
    out[used] = '\0';
    fclose(f);
}

static const struct ef_guid kernel_process = {
    0x22FB2CD6, 0x0E7B, 0x422B, {0xA0, 0xC7, 0x2F, 0xAD, 0x1F, 0xD0, 0xE7, 0x16}};
static const struct ef_guid kernel_file = {
    0xEDD08927, 0x9CC4, 0x4E65, {0xB9, 0x70, 0xC2, 0x56, 0x0F, 0xB5, 0xC2, 0x89}};
static const struct ef_guid powershell = {
    0xA0C1853B, 0x5C40, 0x4B15, {0x87, 0x66, 0x3C, 0xF1, 0xC5, 0x8F, 0x98, 0x5A}};

START_TEST(example_realtime)
{
    char ini[8192];
    struct fake_enabled *en;
    struct fake_session *s;
    struct run r;

    example_sessions("realtime.ini", ini, sizeof(ini));
    start_until_pushed(&r, ini, 20);
    s = fake_trace_find("etwfwd-main");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->buffer_size, 256);
    ck_assert_uint_eq(s->clock, 1);
    ck_assert_uint_eq(s->n_enabled, 4);
    /* Microsoft-Windows-Kernel-Process:0x04::0x10 */
    en = fake_trace_enabled(s, &kernel_process);
    ck_assert_ptr_nonnull(en);
    ck_assert_uint_eq(en->level, 4);
    ck_assert_uint_eq(en->match_any, 0x10);
    ck_assert_uint_eq(en->filter_count, 0);
    /* Microsoft-Windows-Kernel-File:0xff:12,14:0x80:0x00: EVENT_FILTER_EVENT_ID {TRUE, 0, 2, 12,
     * 14} */
    en = fake_trace_enabled(s, &kernel_file);
    ck_assert_ptr_nonnull(en);
    ck_assert_uint_eq(en->level, 0xff);
    ck_assert_uint_eq(en->match_any, 0x80);
    ck_assert_uint_eq(en->filter_count, 1);
    ck_assert_uint_eq(en->filters[0].type, 0x80000200u);
    ck_assert_uint_eq(en->filters[0].size, 8);
    {
        static const unsigned char want[8] = {1, 0, 2, 0, 12, 0, 14, 0};

        ck_assert_mem_eq(en->filters[0].data, want, 8);
    }
    /* [provider:powershell]: level verbose, event IDs 4103 and 4104, the SID attached. */
    en = fake_trace_enabled(s, &powershell);
    ck_assert_ptr_nonnull(en);
    ck_assert_uint_eq(en->level, 5);
    ck_assert_uint_eq(en->enable_property, 0x1);
    ck_assert_uint_eq(en->filter_count, 1);
    {
        static const unsigned char want[8] = {1, 0, 2, 0, 0x07, 0x10, 0x08, 0x10};

        ck_assert_mem_eq(en->filters[0].data, want, 8);
    }
    stop(&r);
    ck_assert(!s->running);
    finish(&r);
}
END_TEST

START_TEST(example_kernel)
{
    char ini[8192];
    struct fake_session *s;
    struct run r;

    example_sessions("kernel.ini", ini, sizeof(ini));
    start_until_pushed(&r, ini, 20);
    /* A private system logger of our own, with the flags by name: process 0x1, thread 0x2,
     * image_load 0x4, network_tcpip 0x10000. */
    s = fake_trace_find("etwfwd-kernel");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->log_file_mode & 0x02000100u, 0x02000100u);
    ck_assert_uint_eq(s->enable_flags, 0x10007u);
    ck_assert_uint_eq(s->buffer_size, 1024);
    ck_assert_uint_eq(s->max_buffers, 128);
    ck_assert_ptr_null(fake_trace_find("NT Kernel Logger"));
    /* Once the consumer ran, the kernel's rundown was asked into this session by its handle. */
    {
        static const struct ef_guid kernel = {
            0x9e814aad, 0x3204, 0x11d2, {0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39}};
        struct fake_enabled *en = fake_trace_enabled(s, &kernel);
        TRACEHANDLE named;

        ck_assert_ptr_nonnull(en);
        ck_assert_uint_eq(en->captures, 1);
        ck_assert_uint_eq(en->capture_filter_type, 0x80000002u);
        ck_assert_uint_eq(en->capture_filter_size, 8);
        memcpy(&named, en->capture_filter_data, 8);
        ck_assert_uint_eq(named, s->handle);
    }
    stop(&r);
    ck_assert(!s->running);
    finish(&r);
}
END_TEST

START_TEST(example_existing)
{
    struct fake_session *sec = fake_trace_seed("EventLog-Security", 0x100);
    char ini[8192];
    struct run r;

    example_sessions("existing.ini", ini, sizeof(ini));
    start_until_pushed(&r, ini, 20);
    stop(&r);
    assert_untouched(sec);
    finish(&r);
}
END_TEST

TCase *ef_live_case(void);
TCase *ef_live_case(void)
{
    TCase *tc = tcase_create("live");

    tcase_add_checked_fixture(tc, live_setup, live_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, live_equals_replay, 0, (int)(sizeof(traces) / sizeof(traces[0])));
    tcase_add_test(tc, live_tdh_decodes_as_the_manifest);
    tcase_add_test(tc, loss_counted_by_kind);
    tcase_add_test(tc, damaged_record_counted_not_forwarded);
    tcase_add_test(tc, ext_items_past_32_counted);
    tcase_add_test(tc, on_exists_fail_refuses);
    tcase_add_test(tc, on_exists_restart_replaces);
    tcase_add_test(tc, existing_is_never_changed);
    tcase_add_test(tc, watchdog_restarts_a_stopped_session);
    tcase_add_test(tc, stop_under_full_load_is_bounded);
    tcase_add_test(tc, stuck_consumer_does_not_hang_the_stop);
    tcase_add_test(tc, wine_real_etw_fails_clearly);
    tcase_add_test(tc, example_realtime);
    tcase_add_test(tc, example_kernel);
    tcase_add_test(tc, example_existing);
    return tc;
}

/*
 * pipeline_stats.c - the pipeline's counters as stats events in the
 * stream, as Prometheus text on /metrics, as /health, and as the summary
 * `etwfwd run` prints at its end. Names are documented in docs/pipeline.md
 * ("Runner: statistics").
 */
#include "runner/pipeline_int.h"

#include "render/jsonw.h"
#include "util/attr.h"
#include "util/error.h"
#include "util/log.h"
#include "util/timefmt.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

void ef_pipeline_session_stats(struct ef_pipeline *p, unsigned i, struct ef_source_stats *st)
{
    struct psession *ps = &p->sessions[i];

    if (ps->src)
        ps->ops->get_stats(ps->src, &ps->last);
    *st = ps->last;
}

void ef_pipeline_sink_stats(struct ef_pipeline *p, unsigned i, struct ef_sink_stats *st)
{
    struct psink *s = &p->sinks[i];

    if (s->drv)
        ef_sinkdrv_get_stats(s->drv, &s->last);
    *st = s->last;
}

static uint64_t now_ms(struct ef_pipeline *p)
{
    return p->state == P_STOPPED || p->state == P_CLOSING ? p->started_ms : ef_clock_now(&p->clock);
}

static void spool_stats(struct ef_pipeline *p, unsigned g, struct ef_spool_stats *st)
{
    if (p->groups[g].spool)
        ef_spool_get_stats(p->groups[g].spool, st);
    else
        *st = p->groups[g].final_stats;
}

/*
 * The counters only a live ETW session moves (docs/etw.md, "Loss"). Every
 * session shows all of them, a file session with 0, so a consumer of the
 * stats events or of /metrics sees one shape whatever the kind. key is the
 * stats event's name, metric the Prometheus one.
 */
/* A per-session number: its stats event key (NULL: written elsewhere) and its metric. */
struct session_number {
    const char *key, *metric, *type, *help;
    size_t off; /* of a uint64_t in struct ef_source_stats */
};

static const struct session_number live_counters[] = {
    {"etw_log_buffers_lost", "etwfwd_session_etw_log_buffers_lost_total", "counter",
     "Buffers ETW could not write to the session's log file (LogBuffersLost).",
     offsetof(struct ef_source_stats, etw_log_buffers_lost)},
    {"etw_buffers_written", "etwfwd_session_etw_buffers_written_total", "counter",
     "Buffers ETW wrote for the session (BuffersWritten).",
     offsetof(struct ef_source_stats, etw_buffers_written)},
    {"etw_free_buffers", "etwfwd_session_etw_free_buffers", "gauge",
     "Free buffers of the session at the last query (FreeBuffers).",
     offsetof(struct ef_source_stats, etw_free_buffers)},
    {"rt_lost_event_records", "etwfwd_session_rt_lost_event_records_total", "counter",
     "RT_LostEvent records saying events were lost (opcode 32).",
     offsetof(struct ef_source_stats, rt_lost_event_records)},
    {"rt_lost_buffer_records", "etwfwd_session_rt_lost_buffer_records_total", "counter",
     "RT_LostEvent records saying buffers were lost (opcode 33).",
     offsetof(struct ef_source_stats, rt_lost_buffer_records)},
    {"rt_lost_file_records", "etwfwd_session_rt_lost_file_records_total", "counter",
     "RT_LostEvent records saying the backing log file was lost (opcode 34).",
     offsetof(struct ef_source_stats, rt_lost_file_records)},
    {"etw_buffers_read", "etwfwd_session_etw_buffers_read_total", "counter",
     "ETW buffers the session's consumer was given (BufferCallback).",
     offsetof(struct ef_source_stats, etw_buffers_read)},
    {"reconnects", "etwfwd_session_reconnects_total", "counter",
     "Times the watchdog restarted or re-attached the session.",
     offsetof(struct ef_source_stats, reconnects)},
    {"gap_ms", "etwfwd_session_gap_ms_total", "counter",
     "Milliseconds the session had no consumer between reconnects.",
     offsetof(struct ef_source_stats, gap_ms)},
    {"queries_failed", "etwfwd_session_queries_failed_total", "counter",
     "ControlTrace QUERY calls on the session that failed.",
     offsetof(struct ef_source_stats, queries_failed)},
    {"ext_items_dropped", "etwfwd_session_ext_items_dropped_total", "counter",
     "Extended data items of events past the 32 one event keeps (the events were forwarded).",
     offsetof(struct ef_source_stats, ext_items_dropped)},
};

static uint64_t number_value(const struct ef_source_stats *st, const struct session_number *n)
{
    return *(const uint64_t *)((const char *)st + n->off);
}

/* --- stats events ------------------------------------------------------ */

static void jkey(struct ef_jw *w, const char *k)
{
    ef_jw_string(w, k, strlen(k));
}

static void jnum(struct ef_jw *w, const char *k, uint64_t v)
{
    char num[32];
    int n = snprintf(num, sizeof(num), "%" PRIu64, v);

    jkey(w, k);
    ef_jw_number(w, num, (size_t)n);
}

static void wall_time(char out[EF_TIME_STR_SIZE])
{
    uv_timeval64_t tv;
    uint64_t ft = 0;

    if (uv_gettimeofday(&tv) == 0)
        ft = ((uint64_t)tv.tv_sec + 11644473600ull) * 10000000ull + (uint64_t)tv.tv_usec * 10;
    ef_filetime_format(ft, out);
}

static void jstr(struct ef_jw *w, const char *k, const char *v)
{
    jkey(w, k);
    ef_jw_string(w, v, strlen(v));
}

/*
 * The counters, under "etwfwd" in both formats. Names of sessions, spools
 * and sinks are values in arrays of objects, never keys: a key per name
 * would add fields to the SIEM's mapping with every new name.
 */
static void stats_body(struct ef_pipeline *p, struct ef_jw *w)
{
    struct ef_queue_stats qs;
    unsigned i;
    size_t k;

    jkey(w, "etwfwd");
    ef_jw_map_open(w);
    jstr(w, "kind", "stats");
    jnum(w, "uptime_ms", now_ms(p) - p->started_ms);
    jnum(w, "stats_events", p->stats_events + 1);
    jkey(w, "sessions");
    ef_jw_array_open(w);
    for (i = 0; i < p->n_sessions; i++) {
        struct ef_source_stats st;

        ef_pipeline_session_stats(p, i, &st);
        ef_jw_map_open(w);
        jstr(w, "name", p->sessions[i].name);
        jnum(w, "events_in", st.events_in);
        jnum(w, "decoded", st.decoded);
        jnum(w, "no_schema", st.no_schema);
        jnum(w, "decode_errors", st.decode_errors);
        jnum(w, "render_errors", st.render_errors);
        jnum(w, "read_errors", st.read_errors);
        jnum(w, "queued", st.pushed - st.queue_dropped);
        jnum(w, "queue_dropped", st.queue_dropped);
        jnum(w, "queue_blocked", st.queue_blocked);
        jnum(w, "spool_refused", p->sessions[i].spool_refused);
        jnum(w, "etw_events_lost", st.etw_events_lost);
        jnum(w, "etw_buffers_lost", st.etw_buffers_lost);
        jnum(w, "files", st.files);
        jnum(w, "files_failed", st.files_failed);
        jnum(w, "live", (uint64_t)st.live);
        for (k = 0; k < EF_ARRAY_LEN(live_counters); k++)
            jnum(w, live_counters[k].key, number_value(&st, &live_counters[k]));
        ef_jw_map_close(w);
    }
    ef_jw_array_close(w);
    jkey(w, "queue");
    ef_jw_map_open(w);
    qs = p->queue_final;
    if (p->queue)
        ef_queue_get_stats(p->queue, &qs);
    jnum(w, "accepted", qs.accepted);
    jnum(w, "dropped", qs.dropped);
    jnum(w, "blocked", qs.blocked);
    jnum(w, "drained", qs.drained);
    jnum(w, "events", qs.events);
    jnum(w, "bytes", qs.bytes);
    ef_jw_map_close(w);
    jkey(w, "spools");
    ef_jw_array_open(w);
    for (i = 0; i < p->n_groups; i++) {
        struct ef_spool_stats ss;

        spool_stats(p, i, &ss);
        ef_jw_map_open(w);
        jstr(w, "path", p->groups[i].dir);
        jstr(w, "mode", ss.memory ? "memory" : "disk");
        jnum(w, "appended", ss.appended);
        jnum(w, "appended_bytes", ss.appended_bytes);
        jnum(w, "dropped_oldest", ss.dropped_oldest);
        jnum(w, "dropped_newest", ss.dropped_newest);
        jnum(w, "blocked", ss.blocked);
        jnum(w, "size_bytes", ss.size_bytes);
        jnum(w, "segments", ss.segments);
        jnum(w, "fsyncs", ss.fsyncs);
        jnum(w, "read_errors", ss.read_errors);
        ef_jw_map_close(w);
    }
    ef_jw_array_close(w);
    jkey(w, "sinks");
    ef_jw_array_open(w);
    for (i = 0; i < p->n_sinks; i++) {
        struct ef_sink_stats st;
        struct psink *s = &p->sinks[i];

        ef_pipeline_sink_stats(p, i, &st);
        ef_jw_map_open(w);
        jstr(w, "name", s->cfg->name);
        jnum(w, "sent", st.sent);
        jnum(w, "acked", st.acked);
        jnum(w, "acked_bytes", st.acked_bytes);
        jnum(w, "retried", st.retried);
        jnum(w, "dead_lettered", st.dead_lettered);
        jnum(w, "dead_letter_errors", st.dead_letter_errors);
        jnum(w, "spool_dropped",
             p->groups[s->group].spool
                 ? ef_spool_sink_dropped(p->groups[s->group].spool, s->spool_index)
                 : 0);
        jnum(w, "backlog", st.backlog);
        jnum(w, "cursor", st.cursor);
        ef_jw_map_close(w);
    }
    ef_jw_array_close(w);
    ef_jw_map_close(w);
}

/* A value with its name, as events carry Level and the like in the native format. */
static void value_name(struct ef_jw *w, const char *k, uint64_t v, const char *name)
{
    jkey(w, k);
    ef_jw_map_open(w);
    jnum(w, "Value", v);
    if (name)
        jstr(w, "Name", name);
    ef_jw_map_close(w);
}

/*
 * The stats event in the configured format, with the fields every event of
 * that format has, typed the same way (docs/pipeline.md, "Statistics").
 */
static int stats_json(struct ef_pipeline *p, struct ef_buf *out)
{
    char t[EF_TIME_STR_SIZE];
    struct ef_jw w;

    wall_time(t);
    ef_jw_reset(&w, out);
    ef_jw_map_open(&w);
    if (p->cfg->service.format == EF_FORMAT_ECS) {
        jstr(&w, "@timestamp", t);
        jkey(&w, "event");
        ef_jw_map_open(&w);
        jstr(&w, "kind", "metric");
        jstr(&w, "code", "1");
        jstr(&w, "provider", "etwfwd");
        jnum(&w, "severity", 4);
        jstr(&w, "module", "etwfwd");
        jstr(&w, "dataset", "etwfwd.stats");
        jstr(&w, "created", t);
        ef_jw_map_close(&w);
        jkey(&w, "ecs");
        ef_jw_map_open(&w);
        jstr(&w, "version", "8.11.0");
        ef_jw_map_close(&w);
        jkey(&w, "log");
        ef_jw_map_open(&w);
        jstr(&w, "level", "information");
        ef_jw_map_close(&w);
        jkey(&w, "host");
        ef_jw_map_open(&w);
        jstr(&w, "name", p->hostname);
        ef_jw_map_close(&w);
        jstr(&w, "message", "etwfwd statistics");
    } else {
        jkey(&w, "System");
        ef_jw_map_open(&w);
        jkey(&w, "Provider");
        ef_jw_map_open(&w);
        jstr(&w, "Name", "etwfwd");
        ef_jw_map_close(&w);
        jnum(&w, "EventID", 1);
        jnum(&w, "Version", 0);
        value_name(&w, "Level", 4, "Information");
        value_name(&w, "Task", 0, NULL);
        value_name(&w, "Opcode", 0, "Info");
        jkey(&w, "Keywords");
        ef_jw_map_open(&w);
        jstr(&w, "Value", "0x0");
        ef_jw_map_close(&w);
        jkey(&w, "TimeCreated");
        ef_jw_map_open(&w);
        jstr(&w, "SystemTime", t);
        ef_jw_map_close(&w);
        jstr(&w, "Computer", p->hostname);
        ef_jw_map_close(&w);
    }
    stats_body(p, &w);
    ef_jw_map_close(&w);
    return w.err;
}

/* --- notices (runner/notice.h) ------------------------------------------- */

void ef_pipeline_notice(struct ef_pipeline *p, enum ef_notice_kind kind, const char *subject,
                        const char *detail, uint64_t count)
{
    struct ef_notice n;

    if (!p->o.on_notice)
        return;
    n.kind = kind;
    n.subject = subject ? subject : "";
    n.detail = detail ? detail : "";
    n.count = count;
    p->o.on_notice(p->o.notice_ud, &n);
}

void ef_pipeline_sink_health(void *ud, const char *sink, int failing, uint64_t attempts,
                             const char *reason)
{
    ef_pipeline_notice(ud, failing ? EF_NOTICE_SINK_FAILING : EF_NOTICE_SINK_RECOVERED, sink,
                       failing ? reason : "", attempts);
}

static void forward_notice(void *ud, const struct ef_notice *n)
{
    struct ef_pipeline *p = ud;

    if (p->o.on_notice)
        p->o.on_notice(p->o.notice_ud, n);
}

void ef_pipeline_poll_notices(struct ef_pipeline *p)
{
    unsigned i;

    for (i = 0; i < p->n_sessions; i++) {
        struct psession *ps = &p->sessions[i];

        if (ps->src && ps->ops->notices)
            ps->ops->notices(ps->src, forward_notice, p);
    }
}

/*
 * ETW's loss of each live session since the last check (the previous stats
 * event): more than loss_alert_events is a notice. The counters were just
 * refreshed by the sources' tick, so this interval's loss is in them.
 */
static void check_loss(struct ef_pipeline *p)
{
    uint64_t limit = (uint64_t)p->cfg->service.loss_alert_events, now = now_ms(p);
    unsigned i;

    for (i = 0; i < p->n_sessions; i++) {
        struct psession *ps = &p->sessions[i];
        struct ef_source_stats st;
        uint64_t lost, since = ps->notice_ms ? ps->notice_ms : p->started_ms, secs;
        char detail[24];

        ef_pipeline_session_stats(p, i, &st);
        if (!st.live)
            continue;
        /* A restarted source (reload) counts from 0 again. */
        lost = st.etw_events_lost >= ps->notice_lost ? st.etw_events_lost - ps->notice_lost
                                                     : st.etw_events_lost;
        ps->notice_lost = st.etw_events_lost;
        ps->notice_ms = now;
        if (lost <= limit)
            continue;
        secs = now > since ? (now - since + 500) / 1000 : 0;
        snprintf(detail, sizeof(detail), "%llu", (unsigned long long)(secs ? secs : 1));
        ef_log_warn("pipeline",
                    "session %s: ETW lost %llu events in the last %s s (loss_alert_events = %llu)",
                    ps->name, (unsigned long long)lost, detail, (unsigned long long)limit);
        ef_pipeline_notice(p, EF_NOTICE_ETW_LOSS, ps->name, detail, lost);
    }
}

void ef_pipeline_emit_stats(struct ef_pipeline *p)
{
    struct ef_buf b;
    unsigned g;

    check_loss(p);
    ef_buf_init(&b, EF_SPOOL_MAX_EVENT);
    if (stats_json(p, &b) < 0 || b.len == 0) {
        ef_log_error("pipeline", "the stats event does not fit in %u bytes", EF_SPOOL_MAX_EVENT);
        goto out;
    }
    p->stats_events++;
    for (g = 0; g < p->n_groups; g++) {
        uint64_t seq;

        if (!p->groups[g].spool)
            continue;
        if (ef_spool_append(p->groups[g].spool, b.data, (uint32_t)b.len, &seq) < 0)
            p->groups[g].stats_dropped++;
        else
            p->dirty = 1;
    }
out:
    ef_buf_free(&b);
}

/* --- /metrics ---------------------------------------------------------- */

static void label(struct ef_buf *o, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            ef_buf_appendf(o, "\\%c", *v);
        else if (*v == '\n')
            ef_buf_append_str(o, "\\n");
        else
            ef_buf_append_byte(o, *v);
    }
}

/* Per-session counters that are one number each, in /metrics order (the live ones follow). */
static const struct session_number session_counters[] = {
    {NULL, "etwfwd_etw_events_lost_total", "counter",
     "Events ETW lost (file: EventsLost of a trace's header; live: EventsLost of QUERY).",
     offsetof(struct ef_source_stats, etw_events_lost)},
    {NULL, "etwfwd_etw_buffers_lost_total", "counter",
     "Buffers ETW lost (file: BuffersLost of a trace's header; live: RealTimeBuffersLost).",
     offsetof(struct ef_source_stats, etw_buffers_lost)},
    {NULL, "etwfwd_source_read_errors_total", "counter",
     "Damaged parts of trace files the reader skipped.",
     offsetof(struct ef_source_stats, read_errors)},
};

static void head(struct ef_buf *o, const char *name, const char *type, const char *help)
{
    ef_buf_appendf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void metric(struct ef_buf *o, const char *name, const char *k1, const char *v1,
                   const char *k2, const char *v2, uint64_t value)
{
    ef_buf_append_str(o, name);
    if (k1) {
        ef_buf_appendf(o, "{%s=\"", k1);
        label(o, v1);
        if (k2) {
            ef_buf_appendf(o, "\",%s=\"", k2);
            label(o, v2);
        }
        ef_buf_append_str(o, "\"}");
    }
    ef_buf_appendf(o, " %" PRIu64 "\n", value);
}

/* One metric per row of rows, a sample per session. */
static void number_metrics(struct ef_pipeline *p, struct ef_buf *o,
                           const struct ef_source_stats *all, const struct session_number *rows,
                           size_t n)
{
    unsigned i;
    size_t k;

    for (k = 0; k < n; k++) {
        head(o, rows[k].metric, rows[k].type, rows[k].help);
        for (i = 0; i < p->n_sessions; i++)
            metric(o, rows[k].metric, "session", p->sessions[i].name, NULL, NULL,
                   number_value(&all[i], &rows[k]));
    }
}

static void session_metrics(struct ef_pipeline *p, struct ef_buf *o)
{
    static const char *const stages[] = {
        "in",           "decoded", "no_schema",     "decode_error",
        "render_error", "queued",  "queue_dropped", "spool_refused"};
    struct ef_source_stats all[MAX_SESSIONS];
    unsigned i, k;

    /* Each session's counters once: a live session's take locks. */
    for (i = 0; i < p->n_sessions; i++)
        ef_pipeline_session_stats(p, i, &all[i]);
    head(o, "etwfwd_events_total", "counter",
         "Events of a session by stage: read (in), decoded, no schema, decode or render "
         "error, queued, dropped by a full queue, refused by a full spool.");
    for (i = 0; i < p->n_sessions; i++) {
        const struct ef_source_stats *st = &all[i];
        uint64_t v[8];

        v[0] = st->events_in;
        v[1] = st->decoded;
        v[2] = st->no_schema;
        v[3] = st->decode_errors;
        v[4] = st->render_errors;
        v[5] = st->pushed - st->queue_dropped;
        v[6] = st->queue_dropped;
        v[7] = p->sessions[i].spool_refused;
        for (k = 0; k < 8; k++)
            metric(o, "etwfwd_events_total", "session", p->sessions[i].name, "stage", stages[k],
                   v[k]);
    }
    number_metrics(p, o, all, session_counters, EF_ARRAY_LEN(session_counters));
    number_metrics(p, o, all, live_counters, EF_ARRAY_LEN(live_counters));
    head(o, "etwfwd_source_files_total", "counter", "Trace files replayed, by result.");
    for (i = 0; i < p->n_sessions; i++) {
        metric(o, "etwfwd_source_files_total", "session", p->sessions[i].name, "result", "done",
               all[i].files);
        metric(o, "etwfwd_source_files_total", "session", p->sessions[i].name, "result", "failed",
               all[i].files_failed);
    }
}

static void queue_spool_metrics(struct ef_pipeline *p, struct ef_buf *o)
{
    struct ef_queue_stats qs;
    unsigned g;

    qs = p->queue_final;
    if (p->queue)
        ef_queue_get_stats(p->queue, &qs);
    head(o, "etwfwd_queue_events", "gauge", "Events in the handoff queue now.");
    metric(o, "etwfwd_queue_events", NULL, NULL, NULL, NULL, qs.events);
    head(o, "etwfwd_queue_bytes", "gauge", "Bytes in the handoff queue now.");
    metric(o, "etwfwd_queue_bytes", NULL, NULL, NULL, NULL, qs.bytes);
    head(o, "etwfwd_queue_dropped_total", "counter", "Events dropped by a full queue.");
    metric(o, "etwfwd_queue_dropped_total", NULL, NULL, NULL, NULL, qs.dropped);
    head(o, "etwfwd_queue_blocked_total", "counter", "Times a source waited for queue room.");
    metric(o, "etwfwd_queue_blocked_total", NULL, NULL, NULL, NULL, qs.blocked);

    head(o, "etwfwd_spool_bytes", "gauge", "Bytes held in the spool.");
    for (g = 0; g < p->n_groups; g++) {
        struct ef_spool_stats ss;

        spool_stats(p, g, &ss);
        metric(o, "etwfwd_spool_bytes", "spool", p->groups[g].dir, NULL, NULL, ss.size_bytes);
    }
    head(o, "etwfwd_spool_segments", "gauge", "Segments held in the spool.");
    for (g = 0; g < p->n_groups; g++) {
        struct ef_spool_stats ss;

        spool_stats(p, g, &ss);
        metric(o, "etwfwd_spool_segments", "spool", p->groups[g].dir, NULL, NULL, ss.segments);
    }
    head(o, "etwfwd_spool_memory", "gauge", "1 when the spool is in memory (spool = memory).");
    for (g = 0; g < p->n_groups; g++) {
        struct ef_spool_stats ss;

        spool_stats(p, g, &ss);
        metric(o, "etwfwd_spool_memory", "spool", p->groups[g].dir, NULL, NULL,
               (uint64_t)ss.memory);
    }
    head(o, "etwfwd_spool_events_total", "counter",
         "Spool appends by result: appended, dropped_oldest, dropped_newest, blocked.");
    for (g = 0; g < p->n_groups; g++) {
        struct ef_spool_stats ss;
        const char *d = p->groups[g].dir;

        spool_stats(p, g, &ss);
        metric(o, "etwfwd_spool_events_total", "spool", d, "result", "appended", ss.appended);
        metric(o, "etwfwd_spool_events_total", "spool", d, "result", "dropped_oldest",
               ss.dropped_oldest);
        metric(o, "etwfwd_spool_events_total", "spool", d, "result", "dropped_newest",
               ss.dropped_newest);
        metric(o, "etwfwd_spool_events_total", "spool", d, "result", "blocked", ss.blocked);
    }
    head(o, "etwfwd_spool_read_errors_total", "counter", "Damage met while reading the spool.");
    for (g = 0; g < p->n_groups; g++) {
        struct ef_spool_stats ss;

        spool_stats(p, g, &ss);
        metric(o, "etwfwd_spool_read_errors_total", "spool", p->groups[g].dir, NULL, NULL,
               ss.read_errors);
    }
}

/* --- /health ----------------------------------------------------------- */

/*
 * A sink is unhealthy once every delivery attempt has failed for
 * health_failing_after without pause (the driver's failing_since_ms: the
 * first failed attempt of the episode; any attempt the receiver takes ends
 * it). Otherwise it is healthy while it has nothing to deliver, or
 * delivered within health_max_age, or its backlog shrank since the
 * previous check within that age. Returns 1 when healthy; reason gets why
 * not.
 */
static int sink_health(struct ef_pipeline *p, unsigned i, char *reason, size_t cap)
{
    struct psink *s = &p->sinks[i];
    uint64_t now = now_ms(p), max_age = p->cfg->service.health_max_age_ms, ref;
    uint64_t failing_after = p->cfg->service.health_failing_after_ms;
    struct ef_sink_stats st;

    if (!max_age)
        max_age = 300000;
    if (!failing_after)
        failing_after = 60000;
    ef_pipeline_sink_stats(p, i, &st);
    if (st.backlog < s->health_backlog)
        s->health_ms = now;
    s->health_backlog = st.backlog;
    if (st.failed_attempts && now >= st.failing_since_ms &&
        now - st.failing_since_ms >= failing_after) {
        snprintf(reason, cap,
                 "every delivery attempt failed for %" PRIu64 " s (%" PRIu64
                 " attempts, health_failing_after = %" PRIu64 " s)",
                 (now - st.failing_since_ms) / 1000, st.failed_attempts, failing_after / 1000);
        return 0;
    }
    if (st.backlog == 0)
        return 1;
    ref = st.last_delivery_ms > s->health_ms ? st.last_delivery_ms : s->health_ms;
    if (ref < p->started_ms)
        ref = p->started_ms;
    if (now - ref <= max_age)
        return 1;
    snprintf(reason, cap,
             "no delivery for %" PRIu64 " s and %" PRIu64 " events waiting, not shrinking",
             (now - ref) / 1000, st.backlog);
    return 0;
}

static void sink_metrics(struct ef_pipeline *p, struct ef_buf *o)
{
    static const char *const results[] = {"sent", "acked", "retried", "dead_lettered",
                                          "spool_dropped"};
    uint64_t now = now_ms(p);
    unsigned i, k;

    head(o, "etwfwd_sink_events_total", "counter",
         "Events of a sink by result: sent (first time), acked, retried, dead_lettered, "
         "spool_dropped (deleted by a full spool before this sink had them).");
    for (i = 0; i < p->n_sinks; i++) {
        struct psink *s = &p->sinks[i];
        struct ef_sink_stats st;
        uint64_t v[5];

        ef_pipeline_sink_stats(p, i, &st);
        v[0] = st.sent;
        v[1] = st.acked;
        v[2] = st.retried;
        v[3] = st.dead_lettered;
        v[4] = p->groups[s->group].spool
                   ? ef_spool_sink_dropped(p->groups[s->group].spool, s->spool_index)
                   : 0;
        for (k = 0; k < 5; k++)
            metric(o, "etwfwd_sink_events_total", "sink", s->cfg->name, "result", results[k], v[k]);
    }
    head(o, "etwfwd_sink_bytes_total", "counter", "Bytes of events acknowledged by a sink.");
    for (i = 0; i < p->n_sinks; i++) {
        struct ef_sink_stats st;

        ef_pipeline_sink_stats(p, i, &st);
        metric(o, "etwfwd_sink_bytes_total", "sink", p->sinks[i].cfg->name, NULL, NULL,
               st.acked_bytes);
    }
    head(o, "etwfwd_sink_backlog_events", "gauge", "Events held that a sink has not acknowledged.");
    for (i = 0; i < p->n_sinks; i++) {
        struct ef_sink_stats st;

        ef_pipeline_sink_stats(p, i, &st);
        metric(o, "etwfwd_sink_backlog_events", "sink", p->sinks[i].cfg->name, NULL, NULL,
               st.backlog);
    }
    head(o, "etwfwd_sink_in_flight_batches", "gauge", "Batches a sink is sending now.");
    for (i = 0; i < p->n_sinks; i++) {
        struct ef_sink_stats st;

        ef_pipeline_sink_stats(p, i, &st);
        metric(o, "etwfwd_sink_in_flight_batches", "sink", p->sinks[i].cfg->name, NULL, NULL,
               st.in_flight);
    }
    head(o, "etwfwd_sink_dead_letter_errors_total", "counter",
         "Failed writes of the dead-letter file (retried).");
    for (i = 0; i < p->n_sinks; i++) {
        struct ef_sink_stats st;

        ef_pipeline_sink_stats(p, i, &st);
        metric(o, "etwfwd_sink_dead_letter_errors_total", "sink", p->sinks[i].cfg->name, NULL, NULL,
               st.dead_letter_errors);
    }
    head(o, "etwfwd_sink_last_delivery_age_seconds", "gauge",
         "Seconds since a sink's last acknowledgement (since the start if none).");
    for (i = 0; i < p->n_sinks; i++) {
        struct ef_sink_stats st;
        uint64_t ref;

        ef_pipeline_sink_stats(p, i, &st);
        ref = st.last_delivery_ms ? st.last_delivery_ms : p->started_ms;
        metric(o, "etwfwd_sink_last_delivery_age_seconds", "sink", p->sinks[i].cfg->name, NULL,
               NULL, now > ref ? (now - ref) / 1000 : 0);
    }
    head(o, "etwfwd_sink_healthy", "gauge", "1 while /health counts the sink as healthy.");
    for (i = 0; i < p->n_sinks; i++) {
        char reason[200];

        metric(o, "etwfwd_sink_healthy", "sink", p->sinks[i].cfg->name, NULL, NULL,
               (uint64_t)sink_health(p, i, reason, sizeof(reason)));
    }
}

void ef_pipeline_metrics(struct ef_pipeline *p, struct ef_buf *o)
{
    unsigned i;

    head(o, "etwfwd_uptime_seconds", "gauge", "Seconds since the pipeline started.");
    metric(o, "etwfwd_uptime_seconds", NULL, NULL, NULL, NULL, (now_ms(p) - p->started_ms) / 1000);
    head(o, "etwfwd_stats_events_total", "counter", "Stats events put into the stream.");
    metric(o, "etwfwd_stats_events_total", NULL, NULL, NULL, NULL, p->stats_events);
    session_metrics(p, o);
    queue_spool_metrics(p, o);
    sink_metrics(p, o);
    for (i = 0; i < p->n_sinks; i++)
        if (p->sinks[i].drv && p->sinks[i].ops->stats)
            p->sinks[i].ops->stats(ef_sinkdrv_state(p->sinks[i].drv), o);
}

static int health(struct ef_pipeline *p, struct ef_buf *o)
{
    char reason[200];
    struct ef_jw w;
    unsigned i;
    int ok = 1, h;

    ef_jw_reset(&w, o);
    ef_jw_map_open(&w);
    jkey(&w, "sinks");
    ef_jw_array_open(&w);
    for (i = 0; i < p->n_sinks; i++) {
        reason[0] = '\0';
        h = sink_health(p, i, reason, sizeof(reason));
        ok &= h;
        ef_jw_map_open(&w);
        jkey(&w, "sink");
        ef_jw_string(&w, p->sinks[i].cfg->name, strlen(p->sinks[i].cfg->name));
        jkey(&w, "healthy");
        ef_jw_bool(&w, h);
        if (!h) {
            jkey(&w, "reason");
            ef_jw_string(&w, reason, strlen(reason));
        }
        ef_jw_map_close(&w);
    }
    ef_jw_array_close(&w);
    if (p->state != P_RUNNING) {
        ok = 0;
        jkey(&w, "reason");
        ef_jw_string(&w, "stopping", 8);
    }
    jkey(&w, "status");
    ef_jw_string(&w, ok ? "ok" : "unhealthy", ok ? 2 : 9);
    ef_jw_map_close(&w);
    ef_buf_append_byte(o, '\n');
    return ok ? 200 : 503;
}

int ef_pipeline_http_handler(void *ud, const char *path, struct ef_buf *body,
                             const char **content_type)
{
    struct ef_pipeline *p = ud;

    if (strcmp(path, "/metrics") == 0) {
        *content_type = "text/plain; version=0.0.4; charset=utf-8";
        ef_pipeline_metrics(p, body);
        return 200;
    }
    if (strcmp(path, "/health") == 0) {
        *content_type = "application/json";
        return health(p, body);
    }
    ef_buf_append_str(body, "not found: try /metrics or /health\n");
    return 404;
}

/* --- the summary ------------------------------------------------------- */

void ef_pipeline_print_summary(struct ef_pipeline *p, FILE *f)
{
    struct ef_queue_stats qs;
    unsigned i;

    for (i = 0; i < p->n_sessions; i++) {
        struct ef_source_stats st;

        ef_pipeline_session_stats(p, i, &st);
        fprintf(f,
                "session %s: %" PRIu64 " events in, %" PRIu64 " decoded, %" PRIu64
                " no schema, %" PRIu64 " decode errors, %" PRIu64 " queued, %" PRIu64
                " queue drops, %" PRIu64 " spool refused; ETW lost %" PRIu64 " events, %" PRIu64
                " buffers; %" PRIu64 " files, %" PRIu64 " failed\n",
                p->sessions[i].name, st.events_in, st.decoded, st.no_schema, st.decode_errors,
                st.pushed - st.queue_dropped, st.queue_dropped, p->sessions[i].spool_refused,
                st.etw_events_lost, st.etw_buffers_lost, st.files, st.files_failed);
        if (st.live)
            fprintf(f,
                    "session %s (live): %" PRIu64 " log buffers lost, %" PRIu64
                    " buffers written, %" PRIu64 " free buffers, RT_LostEvent records: %" PRIu64
                    " events, %" PRIu64 " buffers, %" PRIu64 " file; %" PRIu64
                    " buffers read, %" PRIu64 " reconnects, %" PRIu64
                    " ms without a consumer, %" PRIu64 " failed queries, %" PRIu64
                    " extended items dropped\n",
                    p->sessions[i].name, st.etw_log_buffers_lost, st.etw_buffers_written,
                    st.etw_free_buffers, st.rt_lost_event_records, st.rt_lost_buffer_records,
                    st.rt_lost_file_records, st.etw_buffers_read, st.reconnects, st.gap_ms,
                    st.queries_failed, st.ext_items_dropped);
    }
    qs = p->queue_final;
    if (p->queue)
        ef_queue_get_stats(p->queue, &qs);
    for (i = 0; i < p->n_sinks; i++) {
        struct ef_sink_stats st;

        ef_pipeline_sink_stats(p, i, &st);
        fprintf(f,
                "sink %s: %" PRIu64 " sent, %" PRIu64 " acknowledged, %" PRIu64 " retried, %" PRIu64
                " dead-lettered, %" PRIu64 " not yet delivered\n",
                p->sinks[i].cfg->name, st.sent, st.acked, st.retried, st.dead_lettered, st.backlog);
    }
    fprintf(f,
            "stats events: %" PRIu64 "; queued at stop and refused by a full spool: %" PRIu64 "\n",
            p->stats_events, p->shutdown_lost);
}

uint64_t ef_pipeline_acked_total(struct ef_pipeline *p)
{
    uint64_t sum = 0;
    unsigned i;

    for (i = 0; i < p->n_sinks; i++) {
        struct ef_sink_stats st;

        ef_pipeline_sink_stats(p, i, &st);
        sum += st.acked;
    }
    return sum;
}

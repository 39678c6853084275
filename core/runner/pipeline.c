/*
 * pipeline.c - starts the pipeline, runs it on the loop (the queue drained
 * into the spools, commits, ticks) and stops it cleanly. pipeline_build.c
 * makes its parts from the configuration; pipeline_stats.c has its
 * statistics; pipeline_reload.c applies a new configuration.
 */
#include "runner/pipeline_int.h"

#include "pipeline/fsutil.h"
#include "util/error.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

#if __has_include("sinks/file.h")
#include "sinks/file.h"
#define HAVE_FILE_SINK 1
#endif
#if __has_include("sinks/http.h")
#include "sinks/http.h"
#define HAVE_HTTP_SINK 1
#endif
#if __has_include("sinks/syslog.h")
#include "sinks/syslog.h"
#define HAVE_SYSLOG_SINK 1
#endif

/* The sink types this build has, by enum ef_sink_type. */
static const struct ef_sink_ops *sink_ops(int type)
{
    switch (type) {
#ifdef HAVE_FILE_SINK
    case EF_SINK_FILE:
        return &ef_sink_file_ops;
#endif
#ifdef HAVE_HTTP_SINK
    case EF_SINK_HTTP:
        return &ef_sink_http_ops;
#endif
#ifdef HAVE_SYSLOG_SINK
    case EF_SINK_SYSLOG:
        return &ef_sink_syslog_ops;
#endif
    default:
        return NULL;
    }
}

const struct ef_sink_ops *ef_pipeline_sink_ops(int type)
{
    return sink_ops(type);
}

#ifndef _WIN32
/* On Windows: statedir_win.c. */
const char *ef_pipeline_default_state_dir(void)
{
    return "/var/lib/etwfwd";
}
#endif

char *ef_pipeline_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);

    if (s) {
        memcpy(s, a, la);
        s[la] = '/';
        memcpy(s + la + 1, b, lb + 1);
    }
    return s;
}

static void handle_closed(struct ef_pipeline *p)
{
    if (--p->handles_open == 0) {
        p->state = P_STOPPED;
        if (p->o.on_stopped)
            p->o.on_stopped(p->o.ud);
    }
}

static void on_uv_closed(uv_handle_t *h)
{
    handle_closed(h->data);
}

static void on_queue_closed(void *ud)
{
    handle_closed(ud);
}

static void on_http_closed(void *ud)
{
    handle_closed(ud);
}

static void on_clock_closed(struct ef_clock *c)
{
    struct ef_pipeline *p = (struct ef_pipeline *)((char *)c - offsetof(struct ef_pipeline, clock));

    handle_closed(p);
}

/* Every handle is closed; on_stopped runs when the last one is. */
static void close_all(struct ef_pipeline *p)
{
    unsigned g;

    p->state = P_CLOSING;
    for (g = 0; g < p->n_groups; g++) {
        if (p->groups[g].spool) {
            ef_spool_commit(p->groups[g].spool);
            /* /metrics and the summary still report the spool once it is closed. */
            ef_spool_get_stats(p->groups[g].spool, &p->groups[g].final_stats);
            ef_spool_close(p->groups[g].spool);
            p->groups[g].spool = NULL;
        }
    }
    ef_timer_stop(&p->clock, &p->tick);
    ef_timer_stop(&p->clock, &p->stats_timer);
    ef_timer_stop(&p->clock, &p->shutdown_timer);
    p->handles_open = 4 + (p->http != NULL) + (p->queue != NULL);
    if (p->queue) {
        ef_queue_get_stats(p->queue, &p->queue_final);
        ef_queue_close(p->queue, on_queue_closed, p);
        p->queue = NULL;
    }
    if (p->http) {
        ef_http_server_close(p->http, on_http_closed, p);
        p->http = NULL;
    }
    ef_clock_close(&p->clock, on_clock_closed);
    uv_close((uv_handle_t *)&p->check, on_uv_closed);
    uv_close((uv_handle_t *)&p->source_done, on_uv_closed);
    /* One count stands for close_all itself, so nothing finishes before every close started. */
    handle_closed(p);
}

static void on_sink_stopped(void *ud)
{
    struct ef_pipeline *p = ud;

    if (--p->sinks_open == 0)
        close_all(p);
}

void ef_pipeline_sink_stopped(void *p)
{
    on_sink_stopped(p);
}

static void stop_sinks(struct ef_pipeline *p)
{
    unsigned i, n = 0;

    if (p->state != P_DRAINING)
        return;
    p->state = P_STOPPING_SINKS;
    ef_timer_stop(&p->clock, &p->shutdown_timer);
    /* A sink a reload is restarting calls ef_pipeline_sink_stopped once its old driver stopped. */
    for (i = 0; i < p->n_sinks; i++)
        n += p->sinks[i].drv != NULL || p->sinks[i].restarting;
    p->sinks_open = (int)n + 1;
    for (i = 0; i < p->n_sinks; i++) {
        struct psink *s = &p->sinks[i];

        if (!s->drv)
            continue;
        ef_sinkdrv_get_stats(s->drv, &s->last);
        if (s->last.backlog)
            ef_log_warn("pipeline",
                        "sink %s: %llu events not delivered at stop; they stay in "
                        "the spool for the next start",
                        s->cfg->name, (unsigned long long)s->last.backlog);
        ef_sinkdrv_stop(s->drv, on_sink_stopped, p);
        s->drv = NULL;
    }
    on_sink_stopped(p);
}

static int all_delivered(struct ef_pipeline *p)
{
    struct ef_queue_stats qs;
    struct ef_sink_stats st;
    unsigned i;

    if (p->queue) {
        ef_queue_get_stats(p->queue, &qs);
        if (qs.events)
            return 0;
    }
    for (i = 0; i < p->n_sinks; i++) {
        if (p->sinks[i].restarting)
            return 0;
        if (!p->sinks[i].drv)
            continue;
        ef_sinkdrv_get_stats(p->sinks[i].drv, &st);
        if (st.backlog || st.in_flight)
            return 0;
    }
    return 1;
}

static void flush_sinks(struct ef_pipeline *p)
{
    unsigned i;

    for (i = 0; i < p->n_sinks; i++)
        if (p->sinks[i].drv)
            ef_sinkdrv_flush(p->sinks[i].drv);
}

static void commit(struct ef_pipeline *p)
{
    unsigned i;
    int failed = 0;

    if (!p->dirty)
        return;
    p->dirty = 0;
    for (i = 0; i < p->n_groups; i++) {
        if (p->groups[i].spool && ef_spool_commit(p->groups[i].spool) < 0) {
            EF_LOG_EVERY(p->spool_error_log, 100, EF_LOG_ERROR, "pipeline",
                         "spool %s: commit failed", p->groups[i].dir);
            failed = 1;
        }
    }
    /* Only what the spools hold durably moves a checkpoint. */
    for (i = 0; i < p->n_sessions && !failed; i++) {
        if (p->sessions[i].ckpt) {
            ef_ckpt_accepted(p->sessions[i].ckpt, p->sessions[i].accepted_pos);
            ef_ckpt_save(p->sessions[i].ckpt);
        }
    }
    for (i = 0; i < p->n_sinks; i++)
        if (p->sinks[i].drv)
            ef_sinkdrv_notify(p->sinks[i].drv);
}

static uint64_t sum_cursors(struct ef_pipeline *p)
{
    uint64_t sum = 0;
    unsigned i;

    for (i = 0; i < p->n_sinks; i++) {
        struct psink *s = &p->sinks[i];

        sum += ef_spool_cursor(p->groups[s->group].spool, s->spool_index);
    }
    return sum;
}

/*
 * Back pressure from the sinks (docs/pipeline.md, "Tail cache"): 1 when
 * appending an event of len bytes to group g would push events that one of
 * its sinks has not read yet out of the spool's memory, so that sink would
 * read them back from the file. Only where every session waits when the
 * queue is full (file sessions with queue_full = block): a real-time
 * session is never made to drop for it. A sink that cannot read on by
 * itself (waiting for a retry) is not waited for.
 */
static int tail_blocked(struct ef_pipeline *p, unsigned g, uint32_t len)
{
    const struct pgroup *gr = &p->groups[g];
    uint64_t evicts, low = UINT64_MAX;
    unsigned i;

    if (!p->tail_guard || p->state != P_RUNNING)
        return 0;
    evicts = ef_spool_tail_evicts(gr->spool, len);
    if (evicts == 0)
        return 0;
    for (i = 0; i < gr->n_sinks; i++) {
        struct ef_sink *drv = p->sinks[gr->sinks[i]].drv;
        uint64_t from = drv ? ef_sinkdrv_reading_from(drv) : UINT64_MAX;

        if (from < low)
            low = from;
    }
    return low <= evicts;
}

/* After every loop iteration: commit what was appended, resume a paused queue, finish. */
static void on_check(uv_check_t *h)
{
    struct ef_pipeline *p = h->data;

    if (p->state >= P_STOPPING_SINKS)
        return;
    commit(p);
    if (p->paused && sum_cursors(p) != p->pause_acks) {
        p->paused = 0;
        ef_queue_resume(p->queue);
    }
    if (p->tail_paused && !tail_blocked(p, p->tail_group, p->tail_len)) {
        p->tail_paused = 0;
        ef_queue_resume(p->queue);
    }
    if (p->state == P_RUNNING && p->all_file && !p->o.follow && p->sources_left == 0 &&
        all_delivered(p)) {
        ef_log_info("pipeline", "every file session finished and every sink has its events");
        ef_pipeline_stop(p);
    } else if (p->state == P_DRAINING && all_delivered(p)) {
        stop_sinks(p);
    }
}

/* The queue's drain function: one event into each spool of its session's groups. */
static int drain(void *ud, uint32_t session, const void *data, uint32_t len)
{
    struct ef_pipeline *p = ud;
    struct psession *ps = &p->sessions[session];
    uint64_t seq;
    unsigned g;
    int rc;

    for (g = 0; g < p->n_groups; g++) {
        uint64_t bit = 1ull << g;

        if (!(ps->groups & bit) || (p->pending_done & bit))
            continue;
        if (tail_blocked(p, g, len)) {
            /* on_check resumes once the sinks read on. */
            p->tail_paused = 1;
            p->tail_group = g;
            p->tail_len = len;
            commit(p);
            return EF_EAGAIN;
        }
        rc = ef_spool_append(p->groups[g].spool, data, len, &seq);
        if (rc == EF_EAGAIN) {
            /* spool_full = block: resume when a sink's cursor moves. */
            if (!p->paused) {
                ef_spool_tick(p->groups[g].spool, ef_clock_now(&p->clock));
                p->pause_acks = sum_cursors(p);
            }
            p->paused = 1;
            commit(p);
            return EF_EAGAIN;
        }
        if (rc == EF_ENOSPC || rc == EF_ELIMIT) {
            ps->spool_refused++;
        } else if (rc < 0) {
            p->spool_errors++;
            EF_LOG_EVERY(p->spool_error_log, 1000, EF_LOG_ERROR, "pipeline",
                         "spool %s: append failed: %s (%llu so far)", p->groups[g].dir,
                         ef_strerror(rc), (unsigned long long)p->spool_errors);
        }
        p->pending_done |= bit;
        p->dirty = 1;
    }
    p->pending_done = 0;
    /* Taken or refused (and counted), it is behind the session's checkpoint now. */
    if (ps->ckpt)
        ps->accepted_pos = ef_queue_position(p->queue);
    return 0;
}

/* How long stopping may take: sources waiting for ETW and the sinks' last delivery. */
uint64_t ef_pipeline_shutdown_timeout(const struct ef_pipeline *p)
{
    return p->cfg->service.shutdown_timeout_ms ? p->cfg->service.shutdown_timeout_ms : 30000;
}

/*
 * Lets every running source refresh its counters before a stats event is
 * built (a live session queries ETW here, so the event carries this
 * interval's loss).
 */
static void tick_sources(struct ef_pipeline *p)
{
    unsigned i;

    for (i = 0; i < p->n_sessions; i++)
        if (p->sessions[i].src && p->sessions[i].ops->tick)
            p->sessions[i].ops->tick(p->sessions[i].src);
}

/* Asks every running source to stop; returns at once. */
static void stop_sources(struct ef_pipeline *p)
{
    unsigned i;

    for (i = 0; p->sessions && i < p->n_sessions; i++)
        if (p->sessions[i].src)
            p->sessions[i].ops->stop(p->sessions[i].src);
}

static void on_tick(struct ef_timer *t)
{
    struct ef_pipeline *p = t->data;
    uint64_t now = ef_clock_now(&p->clock), every;
    unsigned g;

    for (g = 0; g < p->n_groups; g++)
        if (p->groups[g].spool)
            ef_spool_tick(p->groups[g].spool, now);
    if (p->paused && p->queue) {
        /* The tick's ledger write may have freed segments. */
        p->paused = 0;
        ef_queue_resume(p->queue);
    }
    ef_pipeline_poll_notices(p);
    every = p->cfg->service.spool_sync_interval_ms;
    ef_timer_start(&p->clock, &p->tick, every && every < 1000 ? every : 1000);
}

static void on_stats_timer(struct ef_timer *t)
{
    struct ef_pipeline *p = t->data;

    tick_sources(p);
    ef_pipeline_emit_stats(p);
    commit(p);
    ef_timer_start(&p->clock, &p->stats_timer,
                   p->cfg->service.stats_interval_ms ? p->cfg->service.stats_interval_ms : 60000);
}

static void on_shutdown_timeout(struct ef_timer *t)
{
    struct ef_pipeline *p = t->data;

    ef_log_warn("pipeline", "shutdown_timeout reached: stopping the sinks now");
    stop_sinks(p);
}

/* Joins a finished source (or every source, when stopping) and keeps its counters. */
static void reap_sources(struct ef_pipeline *p, int all)
{
    unsigned i;
    int natural;

    for (i = 0; i < p->n_sessions; i++) {
        struct psession *ps = &p->sessions[i];

        if (!ps->src)
            continue;
        ps->ops->get_stats(ps->src, &ps->last);
        if (!ps->last.done && !all)
            continue;
        natural = ps->last.done && p->state == P_RUNNING;
        ps->ops->free(ps->src, ef_pipeline_shutdown_timeout(p), &ps->last);
        ps->src = NULL;
        ps->last.done = 1;
        p->sources_left--;
        if (natural && ps->cfg->kind == EF_SESSION_FILE && ps->last.files == 0) {
            /* Nothing was read: a script running `run` must not see success. */
            ef_log_error("pipeline", "session %s: no trace was replayed (%s)", ps->name,
                         ps->last.files_failed ? "every file failed" : "no file matches");
            p->failed = 1;
        }
    }
}

static void on_source_done(uv_async_t *a)
{
    struct ef_pipeline *p = a->data;

    reap_sources(p, 0);
    ef_pipeline_reload_reaped(p);
    if (p->sources_left == 0 && p->state == P_RUNNING) {
        ef_log_info("pipeline", "every session finished");
        if (p->all_file && !p->o.follow) {
            ef_queue_drain_now(p->queue);
            commit(p);
            flush_sinks(p);
        }
    }
}

void ef_pipeline_source_finished(void *ud)
{
    struct ef_pipeline *p = ud;

    uv_async_send(&p->source_done);
}

void ef_pipeline_stop(struct ef_pipeline *p)
{
    struct ef_queue_stats qs;

    if (p->state != P_RUNNING)
        return;
    p->state = P_DRAINING;
    ef_log_info("pipeline", "stopping: draining the queue and delivering what is held");
    /* The final stats event's counters: a live session can only be queried while it runs. */
    tick_sources(p);
    stop_sources(p);
    ef_queue_cancel(p->queue);
    reap_sources(p, 1);
    p->paused = 0;
    p->tail_paused = 0;
    ef_queue_resume(p->queue);
    ef_queue_drain_now(p->queue);
    ef_queue_get_stats(p->queue, &qs);
    if (qs.events) {
        p->shutdown_lost = qs.events;
        ef_log_warn("pipeline", "%llu queued events were not accepted: the spool is full",
                    (unsigned long long)qs.events);
    }
    ef_pipeline_emit_stats(p);
    p->dirty = 1;
    commit(p);
    flush_sinks(p);
    ef_timer_start(&p->clock, &p->shutdown_timer, ef_pipeline_shutdown_timeout(p));
    /* The check handle finishes the stop once every sink delivered; wake the loop for it. */
    uv_async_send(&p->source_done);
}

/*
 * The events the spools hold that some sink has not acknowledged: per
 * group the largest backlog of its sinks (they read the same spool).
 */
static uint64_t undelivered(struct ef_pipeline *p)
{
    uint64_t sum = 0;
    unsigned g, i;

    for (g = 0; g < p->n_groups; g++) {
        uint64_t most = 0;

        for (i = 0; i < p->groups[g].n_sinks; i++) {
            struct psink *s = &p->sinks[p->groups[g].sinks[i]];
            struct ef_sink_stats st;

            if (!s->drv)
                continue;
            ef_sinkdrv_get_stats(s->drv, &st);
            if (st.backlog > most)
                most = st.backlog;
        }
        sum += most;
    }
    return sum;
}

void ef_pipeline_stop_now(struct ef_pipeline *p, uint64_t *held)
{
    *held = 0;
    /* The queue still goes into the spool first: the sources' events are not dropped. */
    if (p->state == P_RUNNING)
        ef_pipeline_stop(p);
    if (p->state != P_DRAINING)
        return;
    *held = undelivered(p);
    ef_log_warn("pipeline", "stopping now: not waiting for shutdown_timeout");
    /* stop_sinks stops the shutdown timer; close_all then writes each spool's ledger. */
    stop_sinks(p);
}

static int start_handles(struct ef_pipeline *p)
{
    struct ef_queue_options qo;
    int rc;

    if (ef_clock_init_uv(&p->clock, p->loop) < 0)
        return EF_ESYS;
    p->handles_inited = 1;
    uv_check_init(p->loop, &p->check);
    p->check.data = p;
    uv_check_start(&p->check, on_check);
    uv_async_init(p->loop, &p->source_done, on_source_done);
    p->source_done.data = p;
    ef_timer_init(&p->tick, on_tick, p);
    ef_timer_init(&p->stats_timer, on_stats_timer, p);
    ef_timer_init(&p->shutdown_timer, on_shutdown_timeout, p);
    memset(&qo, 0, sizeof(qo));
    qo.max_events =
        p->cfg->service.queue_max_events > 0 ? (uint64_t)p->cfg->service.queue_max_events : 0;
    qo.max_bytes = p->cfg->service.queue_max_bytes;
    qo.drain = drain;
    qo.drain_ud = p;
    rc = ef_queue_new(p->loop, &qo, &p->queue);
    if (rc < 0)
        return rc;
    p->started_ms = ef_clock_now(&p->clock);
    return 0;
}

int ef_pipeline_start(uv_loop_t *loop, const struct ef_pipeline_options *opt,
                      struct ef_pipeline **out)
{
    const struct ef_service_cfg *sv = &opt->cfg->service;
    struct ef_pipeline *p;
    size_t hn;
    unsigned i;
    int rc;

    *out = NULL;
    p = calloc(1, sizeof(*p));
    if (!p)
        return EF_ENOMEM;
    *out = p;
    p->loop = loop;
    p->o = *opt;
    p->cfg = opt->cfg;
    p->state = P_RUNNING;
    p->state_dir =
        strdup(sv->state_dir && *sv->state_dir ? sv->state_dir : ef_pipeline_default_state_dir());
    p->dead_letter_dir = p->state_dir ? ef_pipeline_join(p->state_dir, "dead-letter") : NULL;
    if (!p->dead_letter_dir)
        return EF_ENOMEM;
    hn = sizeof(p->hostname);
    if (sv->hostname && *sv->hostname)
        snprintf(p->hostname, sizeof(p->hostname), "%s", sv->hostname);
    else if (uv_os_gethostname(p->hostname, &hn) != 0)
        snprintf(p->hostname, sizeof(p->hostname), "localhost");
    if ((rc = start_handles(p)) < 0)
        goto fail;
    if ((rc = ef_pipeline_configure(p)) < 0)
        goto fail;
    p->all_file = 1;
    p->tail_guard = 1;
    for (i = 0; i < p->n_sessions; i++) {
        p->all_file &= p->sessions[i].cfg->kind == EF_SESSION_FILE;
        p->tail_guard &= p->sessions[i].cfg->queue_full != EF_QUEUE_FULL_DROP;
    }
    p->tail_guard &= p->all_file;
    if (sv->spool != EF_SPOOL_MEMORY && (rc = ef_fs_mkdir_p(p->state_dir)) < 0) {
        ef_log_error("pipeline", "state_dir %s: %s", p->state_dir, ef_strerror(rc));
        goto fail;
    }
    /*
     * The listener first: a start that fails (a port in use) must fail
     * before a sink is opened, since an opened driver sends what the spool
     * holds at once. Nothing answers before the loop runs, after this
     * function, so /health never sees a half-built pipeline.
     */
    if (sv->metrics_listen && *sv->metrics_listen) {
        rc = ef_http_server_start(loop, sv->metrics_listen, ef_pipeline_http_handler, p, &p->http,
                                  &p->http_port);
        if (rc < 0) {
            ef_log_error("pipeline", "metrics_listen %s: %s", sv->metrics_listen,
                         rc == EF_EINVAL ? "not a host:port" : "cannot listen there");
            goto fail;
        }
        ef_log_info("pipeline", "/metrics and /health on %s (port %d)", sv->metrics_listen,
                    p->http_port);
    }
    if ((rc = ef_pipeline_open_outputs(p)) < 0)
        goto fail;
    ef_timer_start(&p->clock, &p->tick, 1000);
    ef_timer_start(&p->clock, &p->stats_timer,
                   sv->stats_interval_ms ? sv->stats_interval_ms : 60000);
    if ((rc = ef_pipeline_start_sources(p)) < 0)
        goto fail;
    if (p->sources_left == 0)
        uv_async_send(&p->source_done);
    return 0;
fail:
    p->failed = 1;
    /* Stop what was started; on_stopped reports the end as usual. */
    if (p->handles_inited) {
        stop_sources(p);
        if (p->queue)
            ef_queue_cancel(p->queue);
        reap_sources(p, 1);
        p->state = P_DRAINING;
        stop_sinks(p);
    } else {
        p->state = P_STOPPED;
        if (p->o.on_stopped)
            p->o.on_stopped(p->o.ud);
    }
    return rc;
}

int ef_pipeline_failed(const struct ef_pipeline *p)
{
    return p->failed;
}

void ef_pipeline_free(struct ef_pipeline *p)
{
    unsigned g;

    if (!p)
        return;
    for (g = 0; g < p->n_groups; g++)
        free(p->groups[g].dir);
    for (g = 0; g < p->n_sessions; g++)
        ef_ckpt_free(p->sessions[g].ckpt);
    free(p->sinks);
    free(p->sessions);
    free(p->state_dir);
    free(p->dead_letter_dir);
    free(p);
}

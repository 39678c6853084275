/*
 * source_file.c - the thread of a `kind = file` session: traces in, JSON
 * lines into the handoff queue, paced by replay_speed. The pipeline reaches
 * it through ef_source_file_ops (source/source.h).
 *
 * DESIGN. One thread per session. It keeps its counters in a local struct
 * and copies them under mu every PUBLISH_EVERY events and at the end of
 * each file, so get_stats from the loop thread never waits for a decode;
 * mu also guards stop, which the pacing wait sleeps on (cond).
 */
#include "source/source_file.h"

#include "source/pathglob.h"
#include "source/tracefile.h"
#include "util/error.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* Publish counters and flush the queue chunk at least this often. */
#define PUBLISH_EVERY 512
/* The longest line a source renders, as `etwfwd replay`. */
#define MAX_LINE (16u << 20)

struct ef_source_file {
    struct ef_source_options o;
    const char *path;     /* the session's file or wildcard pattern */
    int64_t replay_speed; /* 0: as fast as possible; N: N times real time */
    struct ef_queue_producer *prod;
    uv_thread_t thread;
    uv_mutex_t mu; /* guards st and stop */
    uv_cond_t cond;
    int stop;
    struct ef_source_stats st;
    uint64_t queued; /* events handed to the queue: ef_queue_position's count (thread) */
};

static int stopping(struct ef_source_file *s)
{
    int stop;

    uv_mutex_lock(&s->mu);
    stop = s->stop;
    uv_mutex_unlock(&s->mu);
    return stop;
}

/* Waits until the monotonic time reaches due_ns or stop is asked. Returns 1 when stopping. */
static int wait_until(struct ef_source_file *s, uint64_t due_ns)
{
    int stop;

    uv_mutex_lock(&s->mu);
    while (!s->stop) {
        uint64_t now = uv_hrtime();

        if (now >= due_ns)
            break;
        (void)uv_cond_timedwait(&s->cond, &s->mu, due_ns - now);
    }
    stop = s->stop;
    uv_mutex_unlock(&s->mu);
    return stop;
}

/* Copies the thread's view of the counters where other threads read them. */
static void publish(struct ef_source_file *s, const struct ef_source_stats *base,
                    const struct ef_tracefile_stats *tst)
{
    struct ef_queue_producer_stats ps;

    ef_queue_producer_get_stats(s->prod, &ps);
    uv_mutex_lock(&s->mu);
    s->st.events_in = base->events_in + (tst ? tst->events : 0);
    s->st.decoded = base->decoded + (tst ? tst->decoded : 0);
    s->st.no_schema = base->no_schema + (tst ? tst->no_schema : 0);
    s->st.decode_errors = base->decode_errors + (tst ? tst->decode_errors : 0);
    s->st.render_errors = base->render_errors + (tst ? tst->render_errors : 0);
    s->st.read_errors = base->read_errors + (tst ? tst->read_errors : 0);
    s->st.pushed = ps.pushed;
    s->st.queue_dropped = ps.dropped;
    s->st.queue_blocked = ps.blocked;
    s->st.etw_events_lost = base->etw_events_lost;
    s->st.etw_buffers_lost = base->etw_buffers_lost;
    s->st.files = base->files;
    s->st.files_failed = base->files_failed;
    uv_mutex_unlock(&s->mu);
}

struct fill {
    struct ef_tracefile *tf;
    uint64_t *ts;
};

#define END_OF_TRACE 2 /* fill_window: no event left */

static int fill_window(void *ud, struct ef_buf *win)
{
    struct fill *f = ud;
    int rc = ef_tracefile_next_append(f->tf, win, 0, f->ts);

    return rc == 1 ? 0 : rc == EF_ENOSPC ? EF_ELIMIT : rc == 0 ? END_OF_TRACE : rc;
}

/*
 * The next event of tf, rendered straight into the queue chunk and queued
 * (*queued = 1) when it fits there, else into line (*queued = 0: the caller
 * pushes it). Paced replays always use line: they may publish the chunk
 * while waiting, which a half-written window must not be part of.
 */
static int next_event(struct ef_source_file *s, struct ef_tracefile *tf, struct ef_buf *line,
                      uint64_t *ts, int *queued)
{
    struct fill f = {tf, ts};
    int rc;

    *queued = 0;
    if (s->replay_speed == 0) {
        rc = ef_queue_append(s->prod, fill_window, &f);
        if (rc == END_OF_TRACE)
            return 0;
        if (rc != 0) {
            *queued = rc == 1;
            return rc;
        }
        /* Larger than a whole chunk: through line and ef_queue_push. */
    }
    return ef_tracefile_next(tf, line, ts);
}

/* Replays one trace. Returns 0, EF_ECANCELED when stopping, or an error (logged). */
static int replay_one(struct ef_source_file *s, struct ef_tracefile_schemas *schemas,
                      const char *path, struct ef_source_stats *base, struct ef_buf *line)
{
    struct ef_tracefile_opts to = {
        s->o.manifests, s->o.n_manifests, s->o.mofs, s->o.n_mofs, s->o.render, NULL, NULL};
    struct ef_tracefile *tf = NULL;
    struct ef_tracefile_error err;
    struct ef_tracefile_stats tst;
    const struct ef_etl_header *h;
    uint64_t ts, first_ts = 0, start_ns = 0, n = 0, skip = 0;
    int rc, queued, more = 1;

    if (s->o.ckpt) {
        rc = ef_ckpt_begin_file(s->o.ckpt, path, s->queued, &skip);
        if (rc == 1) {
            ef_log_info("source", "session %s: %s: already forwarded (checkpoint), skipped",
                        s->o.name, path);
            base->files++;
            return 0;
        }
    }
    rc = ef_tracefile_open_with(path, schemas, &to, &tf, &err);
    if (rc < 0) {
        ef_log_error("source", "session %s: %s", s->o.name, err.msg);
        base->files_failed++;
        return rc;
    }
    h = ef_tracefile_header(tf);
    base->etw_events_lost += h->events_lost;
    base->etw_buffers_lost += h->buffers_lost;
    if (h->events_lost || h->buffers_lost)
        ef_log_warn("source",
                    "session %s: %s: the trace lost %u events and %u buffers when "
                    "it was recorded",
                    s->o.name, path, h->events_lost, h->buffers_lost);
    ef_log_info("source", "session %s: replaying %s", s->o.name, path);
    rc = 0;
    if (skip) {
        /* Decoded again (stream state such as EventSource manifests) but not queued. */
        for (n = 0; n < skip && (rc = ef_tracefile_next(tf, line, &ts)) == 1; n++)
            ;
        ef_log_info("source", "session %s: %s: resuming after %llu events forwarded before",
                    s->o.name, path, (unsigned long long)n);
        n = 0;
        more = rc == 1;
    }
    while (more && (rc = next_event(s, tf, line, &ts, &queued)) == 1) {
        if (s->replay_speed > 0) {
            /* FILETIME ticks are 100 ns; an event never waits for one before it. */
            if (n == 0 || ts < first_ts) {
                if (n == 0) {
                    first_ts = ts;
                    start_ns = uv_hrtime();
                }
            } else {
                uint64_t due = start_ns + (ts - first_ts) * 100 / (uint64_t)s->replay_speed;

                if (due > uv_hrtime() + 1000000) {
                    /* Publish what is held before waiting, so the sinks are not behind. */
                    ef_queue_flush(s->prod);
                    if (wait_until(s, due)) {
                        rc = EF_ECANCELED;
                        break;
                    }
                }
            }
        }
        if (!queued && (rc = ef_queue_push(s->prod, line->data, (uint32_t)line->len)) < 0)
            break;
        s->queued++;
        if (++n % PUBLISH_EVERY == 0) {
            ef_tracefile_get_stats(tf, &tst);
            publish(s, base, &tst);
            if (stopping(s)) {
                rc = EF_ECANCELED;
                break;
            }
        }
    }
    if (rc == 0)
        rc = ef_queue_flush(s->prod);
    if (rc == 0 && s->o.ckpt)
        ef_ckpt_end_file(s->o.ckpt, s->queued);
    ef_tracefile_get_stats(tf, &tst);
    base->events_in += tst.events;
    base->decoded += tst.decoded;
    base->no_schema += tst.no_schema;
    base->decode_errors += tst.decode_errors;
    base->render_errors += tst.render_errors;
    base->read_errors += tst.read_errors;
    if (rc == 0) {
        base->files++;
        ef_log_info("source",
                    "session %s: %s: %llu events (%llu decoded, %llu no schema, "
                    "%llu decode errors)",
                    s->o.name, path, (unsigned long long)tst.events,
                    (unsigned long long)tst.decoded, (unsigned long long)tst.no_schema,
                    (unsigned long long)tst.decode_errors);
    } else if (rc != EF_ECANCELED) {
        base->files_failed++;
        ef_log_error("source", "session %s: %s: %s", s->o.name, path, ef_strerror(rc));
    }
    ef_tracefile_close(tf);
    publish(s, base, NULL);
    return rc;
}

static void run(void *arg)
{
    struct ef_source_file *s = arg;
    struct ef_tracefile_opts to = {
        s->o.manifests, s->o.n_manifests, s->o.mofs, s->o.n_mofs, s->o.render, NULL, NULL};
    struct ef_tracefile_schemas *schemas = NULL;
    struct ef_tracefile_error err;
    struct ef_source_stats base;
    struct ef_buf line;
    char **paths = NULL;
    size_t n = 0, i;
    int rc;

    memset(&base, 0, sizeof(base));
    ef_buf_init(&line, MAX_LINE);
    rc = ef_pathglob_expand(s->path, &paths, &n);
    if (rc < 0)
        ef_log_error("source", "session %s: %s: %s", s->o.name, s->path, ef_strerror(rc));
    else if (n == 0)
        ef_log_warn("source", "session %s: no file matches %s", s->o.name, s->path);
    /*
     * The manifests and MOFs are parsed once for all the session's files
     * (source/tracefile.h). When one does not load, no file is replayed:
     * each counts as failed, as when every file parsed them itself.
     */
    if (n > 0 && ef_tracefile_schemas_new(&to, &schemas, &err) < 0) {
        ef_log_error("source", "session %s: %s", s->o.name, err.msg);
        base.files_failed += n;
    }
    for (i = 0; schemas && i < n; i++) {
        if (replay_one(s, schemas, paths[i], &base, &line) == EF_ECANCELED || stopping(s))
            break;
    }
    ef_tracefile_schemas_free(schemas);
    ef_pathglob_free(paths, n);
    ef_buf_free(&line);
    ef_queue_flush(s->prod);
    if (s->o.ckpt)
        ef_ckpt_source_ended(s->o.ckpt, s->queued);
    publish(s, &base, NULL);
    uv_mutex_lock(&s->mu);
    s->st.done = 1;
    uv_mutex_unlock(&s->mu);
    if (s->o.on_done)
        s->o.on_done(s->o.ud);
}

/* Starts the thread. opt and the session's configuration must outlive the source. */
static int file_start(const struct ef_source_options *opt, void **out)
{
    struct ef_source_file *s;
    int rc;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (!s)
        return EF_ENOMEM;
    s->o = *opt;
    s->path = opt->cfg->path ? opt->cfg->path : "";
    s->replay_speed = opt->cfg->replay_speed;
    if (uv_mutex_init(&s->mu) != 0) {
        free(s);
        return EF_ESYS;
    }
    if (uv_cond_init(&s->cond) != 0) {
        uv_mutex_destroy(&s->mu);
        free(s);
        return EF_ESYS;
    }
    rc = ef_queue_producer_new(opt->queue, opt->index, opt->policy, &s->prod);
    if (rc == 0 && opt->ckpt) {
        s->queued = ef_ckpt_base(opt->ckpt);
        ef_queue_producer_set_base(s->prod, s->queued);
    }
    if (rc == 0 && uv_thread_create(&s->thread, run, s) != 0) {
        ef_queue_producer_free(s->prod);
        rc = EF_ESYS;
    }
    if (rc < 0) {
        uv_cond_destroy(&s->cond);
        uv_mutex_destroy(&s->mu);
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Asks the thread to stop at the next event (a wait for pacing ends at once). */
static void file_stop(void *ctx)
{
    struct ef_source_file *s = ctx;

    uv_mutex_lock(&s->mu);
    s->stop = 1;
    uv_cond_broadcast(&s->cond);
    uv_mutex_unlock(&s->mu);
}

/*
 * Joins the thread: a file source has no ETW call to hang in, so the
 * timeout is not needed (the thread ends at its next event, or at once
 * when the queue was cancelled).
 */
static void file_get_stats(void *ctx, struct ef_source_stats *st);

static void file_free(void *ctx, uint64_t timeout_ms, struct ef_source_stats *final)
{
    struct ef_source_file *s = ctx;

    (void)timeout_ms;
    if (!s)
        return;
    uv_thread_join(&s->thread);
    file_get_stats(s, final);
    ef_queue_producer_free(s->prod);
    uv_cond_destroy(&s->cond);
    uv_mutex_destroy(&s->mu);
    free(s);
}

static void file_get_stats(void *ctx, struct ef_source_stats *st)
{
    struct ef_source_file *s = ctx;

    uv_mutex_lock(&s->mu);
    *st = s->st;
    uv_mutex_unlock(&s->mu);
    if (s->prod) {
        struct ef_queue_producer_stats ps;

        ef_queue_producer_get_stats(s->prod, &ps);
        st->pushed = ps.pushed;
        st->queue_dropped = ps.dropped;
        st->queue_blocked = ps.blocked;
    }
}

const struct ef_source_ops ef_source_file_ops = {
    .kind = "file",
    .start = file_start,
    .stop = file_stop,
    .free = file_free,
    .get_stats = file_get_stats,
};

/*
 * source_live_win.c - a live ETW session as a source: `realtime`,
 * `kernel` and `existing` sessions of the configuration.
 *
 * DESIGN. Three threads meet here:
 *   - the loop thread starts the source (the first session start, the
 *     provider enables and OpenTrace happen there, so `run` fails at once
 *     with a clear message when ETW refuses), queries ETW's counters at
 *     every stats interval (tick), reads the counters, stops and frees;
 *   - the consumer thread (core/etw/consumer.c) sits in ProcessTrace and
 *     runs the event path (source/eventpath.h) for every event: decode,
 *     render, push into the handoff queue without blocking;
 *   - a watchdog thread per session waits for a stop or for ProcessTrace
 *     to return by itself (the session was stopped from outside, or the
 *     session we attached to disappeared). It then reconnects with
 *     backoff from reconnect_min to reconnect_max: our sessions are
 *     started again, attached ones waited for, and each gap is counted.
 *     On stop it disables our providers, stops our session, closes the
 *     trace and joins the consumer with a bound, in that order.
 * The event path moves from one consumer thread to the next only after
 * the previous one was joined, so it is never used by two threads.
 * mu guards the session and consumer pointers (tick queries the session
 * while the watchdog may be replacing it) and the counters below.
 */
#include "source/source.h"

#include "etw/consumer.h"
#include "etw/etw_api.h"
#include "etw/etw_defs.h"
#include "etw/providers.h"
#include "etw/session.h"
#include "etw/tdh_source.h"
#include "source/eventpath.h"
#include "util/error.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define DEFAULT_STOP_MS 10000
/* Watchdog restarts waiting for the pipeline's poll (about a second); more are only counted. */
#define MAX_PENDING_NOTICES 8

/* A watchdog restart the pipeline has not been told about yet. */
struct pending_restart {
    uint64_t gap_ms;
    char reason[160];
};

struct live {
    struct ef_source_options o;
    const struct ef_session_cfg *cfg;
    const struct ef_etw_api *api;
    char name[EF_ETW_MAX_NAME * 3]; /* the ETW session's name, UTF-8 */
    char hostname[256];
    struct ef_etw_session_opts so;
    struct ef_guid *guids; /* the providers' resolved GUIDs, by index */
    struct ef_eventpath *ep;

    uv_thread_t watchdog;
    uv_mutex_t mu;
    uv_cond_t cond;
    int stop;     /* asked */
    int ended;    /* the current consumer's ProcessTrace returned */
    int finished; /* the watchdog thread ended */
    int leaked;   /* a consumer did not stop in time: its memory is left alone */
    struct ef_etw_session *sess;
    struct ef_etw_consumer *cons;
    struct ef_etw_query last;  /* the counters of the current session at the last query */
    struct ef_source_stats st; /* the live-only counters, freed consumers' included */
    uint64_t query_log;
    uint32_t end_status; /* what the last ProcessTrace returned */
    struct pending_restart pending[MAX_PENDING_NOTICES];
    unsigned n_pending;
};

static uint64_t stop_ms(const struct live *l)
{
    return l->o.stop_timeout_ms ? l->o.stop_timeout_ms : DEFAULT_STOP_MS;
}

/* --- the consumer thread's callbacks ------------------------------------- */

/*
 * 1 once the consumer was given up on (it did not stop in time): the queue
 * its event path pushes into is gone, so its callbacks must not touch it.
 */
static int abandoned(struct live *l)
{
    return __atomic_load_n(&l->leaked, __ATOMIC_ACQUIRE);
}

static void on_record(void *ud, const struct ef_record *r)
{
    struct live *l = ud;

    /* A cancelled queue (stopping) refuses quietly; nothing else can fail here. */
    if (!abandoned(l))
        (void)ef_eventpath_push(l->ep, r);
}

static void on_buffer(void *ud)
{
    struct live *l = ud;

    if (!abandoned(l))
        (void)ef_eventpath_flush(l->ep);
}

static void on_end(void *ud, uint32_t status)
{
    struct live *l = ud;

    if (!abandoned(l))
        (void)ef_eventpath_flush(l->ep);
    uv_mutex_lock(&l->mu);
    l->ended = 1;
    l->end_status = status;
    if (!l->stop)
        ef_log_warn("source",
                    "session %s: ProcessTrace returned (status %lu) while running: the "
                    "session was stopped from outside or ended",
                    l->o.name, (unsigned long)status);
    uv_cond_broadcast(&l->cond);
    uv_mutex_unlock(&l->mu);
}

/* --- connecting ---------------------------------------------------------- */

static void log_applied(const struct live *l, const struct ef_etw_query *q, int owned)
{
    ef_log_info("source",
                "session %s: %s ETW session \"%s\": buffers %u KiB, %u..%u (%u now, %u free), "
                "flush %u s, mode 0x%x, clock %u",
                l->o.name, owned ? "started" : "attached to", l->so.name, q->buffer_size_kb,
                q->min_buffers, q->max_buffers, q->number_of_buffers, q->free_buffers,
                q->flush_timer_s, q->log_file_mode, q->clock);
}

/* Enables the session's providers on s, then asks for the rundowns. */
static int enable_providers(struct live *l, struct ef_etw_session *s, char *err, size_t errlen)
{
    const struct ef_provider_list *pl = &l->cfg->providers;
    size_t i;
    int rc;

    for (i = 0; i < pl->n; i++) {
        rc = ef_etw_session_enable(s, &pl->v[i], &l->guids[i], err, errlen);
        if (rc < 0)
            return rc;
    }
    for (i = 0; i < pl->n; i++) {
        if (!pl->v[i].rundown)
            continue;
        rc = ef_etw_session_rundown(s, &l->guids[i], err, errlen);
        if (rc < 0)
            ef_log_warn("source", "session %s: provider %s: no rundown: %s", l->o.name,
                        pl->v[i].name, err);
    }
    return 0;
}

/* Starts or attaches to the session, enables the providers and starts a consumer on it. */
static int connect_session(struct live *l, char *err, size_t errlen)
{
    struct ef_etw_consumer_opts co;
    struct ef_etw_consumer *cons = NULL;
    struct ef_etw_session *sess = NULL;
    struct ef_etw_query applied;
    int rc, owned;

    memset(&applied, 0, sizeof(applied));
    rc = ef_etw_session_start(&l->so, &sess, &applied, err, errlen);
    if (rc < 0)
        return rc;
    owned = ef_etw_session_owned(sess);
    log_applied(l, &applied, owned);
    if (owned && l->cfg->kind == EF_SESSION_REALTIME) {
        rc = enable_providers(l, sess, err, errlen);
    } else if (!owned && l->cfg->kind != EF_SESSION_EXISTING && l->cfg->providers.n) {
        ef_log_warn("source",
                    "session %s: attached to a running session (on_exists = attach): its "
                    "providers stay as they are",
                    l->o.name);
    }
    if (rc == 0) {
        memset(&co, 0, sizeof(co));
        co.api = l->api;
        co.logger_name = ef_etw_session_wname(sess);
        co.on_record = on_record;
        co.on_buffer = on_buffer;
        co.on_end = on_end;
        co.ud = l;
        uv_mutex_lock(&l->mu);
        l->ended = 0;
        uv_mutex_unlock(&l->mu);
        rc = ef_etw_consumer_start(&co, &cons, err, errlen);
    }
    if (rc == 0 && owned && l->cfg->kind == EF_SESSION_KERNEL) {
        /*
         * The state the kernel already holds (running processes, threads,
         * loaded images, as kernel_flags select), into this session only, now
         * that a consumer reads it; after a reconnect it covers the gap. A
         * refusal (before Windows 10) costs the state, not the session.
         */
        char why[512];

        if (ef_etw_session_kernel_rundown(sess, why, sizeof(why)) < 0)
            ef_log_warn("source", "session %s: no kernel rundown: %s", l->o.name, why);
    }
    if (rc < 0) {
        if (owned)
            (void)ef_etw_session_stop(sess);
        ef_etw_session_free(sess);
        return rc;
    }
    uv_mutex_lock(&l->mu);
    l->sess = sess;
    l->cons = cons;
    l->last = applied; /* counters count from here: an attached session's past is not ours */
    uv_mutex_unlock(&l->mu);
    return 0;
}

/* Adds the QUERY counters' growth since the last query. mu held. */
static void add_deltas(struct live *l, const struct ef_etw_query *q)
{
#define DELTA(field, stat)                                                                         \
    l->st.stat += q->field >= l->last.field ? q->field - l->last.field : q->field
    DELTA(events_lost, etw_events_lost);
    DELTA(rt_buffers_lost, etw_buffers_lost);
    DELTA(log_buffers_lost, etw_log_buffers_lost);
    DELTA(buffers_written, etw_buffers_written);
#undef DELTA
    l->st.etw_free_buffers = q->free_buffers;
    l->last = *q;
}

/* Queries the current session. mu held. */
static void query_locked(struct live *l)
{
    struct ef_etw_query q;
    int rc;

    if (!l->sess)
        return;
    rc = ef_etw_session_query(l->sess, &q);
    if (rc == 0) {
        add_deltas(l, &q);
        return;
    }
    l->st.queries_failed++;
    EF_LOG_EVERY(l->query_log, 100, EF_LOG_WARN, "source", "session %s: query failed: %s",
                 l->o.name, ef_strerror(rc));
}

/* Adds a consumer's counters to st. */
static void add_consumer(struct ef_source_stats *st, const struct ef_etw_consumer_stats *cs)
{
    st->rt_lost_event_records += cs->lost_events;
    st->rt_lost_buffer_records += cs->lost_buffers;
    st->rt_lost_file_records += cs->lost_files;
    st->etw_buffers_read += cs->buffers;
    /* EVENT_RECORDs with impossible lengths: skipped, so counted as damage read over. */
    st->read_errors += cs->convert_errors;
    /* Extended items past the 32 a record keeps: the event is forwarded without them. */
    st->ext_items_dropped += cs->ext_items_dropped;
}

/*
 * Stops what connect_session started: our providers and session, then the
 * trace, then the consumer thread, with a bound. Returns 0, or
 * EF_ETIMEDOUT when the consumer did not end (it is then left running).
 */
static int disconnect(struct live *l)
{
    struct ef_etw_consumer_stats cs;
    struct ef_etw_consumer *cons;
    struct ef_etw_session *sess;
    int rc;

    uv_mutex_lock(&l->mu);
    query_locked(l);
    sess = l->sess;
    cons = l->cons;
    l->sess = NULL;
    uv_mutex_unlock(&l->mu);
    if (sess && ef_etw_session_owned(sess) && (rc = ef_etw_session_stop(sess)) < 0)
        ef_log_warn("source", "session %s: stopping \"%s\": %s", l->o.name, l->so.name,
                    ef_strerror(rc));
    ef_etw_session_free(sess);
    if (!cons)
        return 0;
    (void)ef_etw_consumer_close(cons);
    rc = ef_etw_consumer_join(cons, stop_ms(l));
    if (rc < 0) {
        __atomic_store_n(&l->leaked, 1, __ATOMIC_RELEASE);
        ef_log_error("source",
                     "session %s did not stop cleanly: ProcessTrace did not return within "
                     "%llu ms of CloseTrace; its thread is left behind",
                     l->o.name, (unsigned long long)stop_ms(l));
        return rc;
    }
    ef_etw_consumer_get_stats(cons, &cs);
    uv_mutex_lock(&l->mu);
    add_consumer(&l->st, &cs);
    l->cons = NULL;
    uv_mutex_unlock(&l->mu);
    ef_etw_consumer_free(cons);
    return 0;
}

/* --- the watchdog thread -------------------------------------------------- */

/* Waits up to ms or until stop is asked. Returns 1 when stopping. mu held. */
static int wait_locked(struct live *l, uint64_t ms)
{
    uint64_t due = uv_hrtime() + ms * 1000000;

    while (!l->stop) {
        uint64_t now = uv_hrtime();

        if (now >= due)
            break;
        (void)uv_cond_timedwait(&l->cond, &l->mu, due - now);
    }
    return l->stop;
}

static void reconnect(struct live *l)
{
    uint64_t lo = l->cfg->reconnect_min_ms ? l->cfg->reconnect_min_ms : 1000;
    uint64_t hi = l->cfg->reconnect_max_ms ? l->cfg->reconnect_max_ms : 60000;
    uint64_t wait = lo, gap0 = uv_hrtime(), tries = 0, gap;
    char err[512];
    int rc;

    if (disconnect(l) == EF_ETIMEDOUT)
        return; /* the event path is still the stuck consumer's: no new one may use it */
    for (;;) {
        uv_mutex_lock(&l->mu);
        rc = wait_locked(l, wait);
        uv_mutex_unlock(&l->mu);
        if (rc)
            return;
        tries++;
        rc = connect_session(l, err, sizeof(err));
        if (rc == 0)
            break;
        wait = wait * 2 < hi ? wait * 2 : hi;
        ef_log_warn("source", "session %s: reconnect %llu failed: %s (next in %llu ms)", l->o.name,
                    (unsigned long long)tries, err, (unsigned long long)wait);
    }
    gap = (uv_hrtime() - gap0) / 1000000;
    uv_mutex_lock(&l->mu);
    l->st.reconnects++;
    l->st.gap_ms += gap;
    if (l->n_pending < MAX_PENDING_NOTICES) {
        struct pending_restart *r = &l->pending[l->n_pending++];

        r->gap_ms = gap;
        snprintf(r->reason, sizeof(r->reason),
                 "ProcessTrace returned %lu: the ETW session was stopped from outside or ended",
                 (unsigned long)l->end_status);
    }
    uv_mutex_unlock(&l->mu);
    ef_log_info("source", "session %s: reconnected after %llu ms without a consumer", l->o.name,
                (unsigned long long)gap);
}

static void watchdog(void *arg)
{
    struct live *l = arg;

    for (;;) {
        uv_mutex_lock(&l->mu);
        while (!l->stop && !l->ended)
            uv_cond_wait(&l->cond, &l->mu);
        if (l->stop || l->leaked) {
            uv_mutex_unlock(&l->mu);
            break;
        }
        uv_mutex_unlock(&l->mu);
        reconnect(l);
    }
    if (!l->leaked)
        (void)disconnect(l);
    uv_mutex_lock(&l->mu);
    l->finished = 1;
    uv_cond_broadcast(&l->cond);
    uv_mutex_unlock(&l->mu);
    if (l->o.on_done)
        l->o.on_done(l->o.ud);
}

/* --- building ------------------------------------------------------------- */

static void session_opts(struct live *l)
{
    const struct ef_session_cfg *c = l->cfg;
    struct ef_etw_session_opts *so = &l->so;

    memset(so, 0, sizeof(*so));
    so->api = l->api;
    so->kind = c->kind;
    so->on_exists = c->on_exists;
    so->buffer_size_kb = (uint32_t)c->buffer_size_kb;
    so->min_buffers = (uint32_t)c->min_buffers;
    so->max_buffers = (uint32_t)c->max_buffers;
    so->flush_timer_s = (uint32_t)((c->flush_timer_ms + 999) / 1000);
    so->clock = (uint32_t)c->clock + 1; /* enum order: qpc, system, cycles */
    so->enable_flags = (uint32_t)c->kernel_flags;
    so->nt_kernel_logger =
        c->kind == EF_SESSION_KERNEL && c->kernel_session == EF_KERNEL_NT_KERNEL_LOGGER;
    so->name = ef_session_etw_name(c, l->name, sizeof(l->name));
}

/* Resolves every provider name to a GUID; the registered providers are listed once, if needed. */
static int resolve_providers(struct live *l)
{
    const struct ef_provider_list *pl = &l->cfg->providers;
    struct ef_etw_provider_list tdh = {NULL, 0};
    int listed = 0, rc = 0, how = 0;
    char err[512];
    size_t i;

    l->guids = calloc(pl->n ? pl->n : 1, sizeof(*l->guids));
    if (!l->guids)
        return EF_ENOMEM;
    for (i = 0; i < pl->n && rc == 0; i++) {
        const struct ef_provider_cfg *p = &pl->v[i];
        char g[EF_GUID_STR_SIZE];

        if (p->guid_source != EF_GUID_UNRESOLVED) {
            l->guids[i] = p->guid;
            continue;
        }
        if (!listed) {
            listed = 1;
            if (ef_etw_providers_enumerate(l->api, &tdh, err, sizeof(err)) < 0)
                ef_log_warn("source",
                            "session %s: the registered providers cannot be listed (%s): "
                            "names are resolved without them",
                            l->o.name, err);
        }
        rc = ef_etw_resolve_provider(&tdh, p->name, &l->guids[i], &how);
        if (rc < 0) {
            ef_log_error("source", "session %s: provider %s: %s", l->o.name, p->name,
                         ef_strerror(rc));
            break;
        }
        ef_guid_format(&l->guids[i], g);
        ef_log_info("source", "session %s: provider %s is %s (%s)", l->o.name, p->name, g,
                    ef_etw_resolved_name(how));
    }
    ef_etw_providers_free(&tdh);
    return rc;
}

static int make_eventpath(struct live *l)
{
    struct ef_eventpath_opts eo;
    char err[1024];
    size_t hn = sizeof(l->hostname);
    int rc;

    memset(&eo, 0, sizeof(eo));
    eo.manifests = l->o.manifests;
    eo.n_manifests = l->o.n_manifests;
    eo.mofs = l->o.mofs;
    eo.n_mofs = l->o.n_mofs;
    eo.render = l->o.render;
    /* Live events happen here: Computer is this machine unless configured. */
    if (!eo.render.computer) {
        if (uv_os_gethostname(l->hostname, &hn) != 0)
            snprintf(l->hostname, sizeof(l->hostname), "localhost");
        eo.render.computer = l->hostname;
    }
    if (!eo.render.session)
        eo.render.session = l->o.name;
    if (l->cfg->tdh) {
        rc = ef_tdh_source_create(l->api, 0, &eo.extra);
        if (rc < 0)
            ef_log_warn("source", "session %s: no TDH schemas: %s", l->o.name, ef_strerror(rc));
    }
    eo.queue = l->o.queue;
    eo.session = l->o.index;
    eo.policy = l->o.policy;
    rc = ef_eventpath_new(&eo, &l->ep, err, sizeof(err));
    if (rc < 0)
        ef_log_error("source", "session %s: %s", l->o.name, err);
    return rc;
}

static void live_destroy(struct live *l)
{
    ef_eventpath_free(l->ep);
    free(l->guids);
    uv_cond_destroy(&l->cond);
    uv_mutex_destroy(&l->mu);
    free(l);
}

static int live_start(const struct ef_source_options *opt, void **out)
{
    struct live *l;
    char err[1024];
    int rc;

    *out = NULL;
    l = calloc(1, sizeof(*l));
    if (!l)
        return EF_ENOMEM;
    l->o = *opt;
    l->cfg = opt->cfg;
    l->st.live = 1;
    if (uv_mutex_init(&l->mu) != 0) {
        free(l);
        return EF_ESYS;
    }
    if (uv_cond_init(&l->cond) != 0) {
        uv_mutex_destroy(&l->mu);
        free(l);
        return EF_ESYS;
    }
    l->api = ef_etw_api_get(&rc);
    if (!l->api) {
        ef_log_error("source", "session %s: the ETW functions are missing: %s", opt->name,
                     ef_strerror(rc));
        live_destroy(l);
        return rc < 0 ? rc : EF_ENOTSUP;
    }
    session_opts(l);
    if ((rc = resolve_providers(l)) < 0 || (rc = make_eventpath(l)) < 0) {
        live_destroy(l);
        return rc;
    }
    rc = connect_session(l, err, sizeof(err));
    if (rc < 0) {
        ef_log_error("source", "session %s: %s", opt->name, err);
        live_destroy(l);
        return rc;
    }
    if (uv_thread_create(&l->watchdog, watchdog, l) != 0) {
        (void)disconnect(l);
        if (!l->leaked)
            live_destroy(l);
        return EF_ESYS;
    }
    *out = l;
    return 0;
}

static void live_stop(void *ctx)
{
    struct live *l = ctx;

    uv_mutex_lock(&l->mu);
    l->stop = 1;
    uv_cond_broadcast(&l->cond);
    uv_mutex_unlock(&l->mu);
}

static void live_get_stats(void *ctx, struct ef_source_stats *st);

static void live_free(void *ctx, uint64_t timeout_ms, struct ef_source_stats *final)
{
    struct live *l = ctx;
    uint64_t bound, due, now;
    int finished;

    if (!l)
        return;
    /* The watchdog's own waits are bounded by stop_timeout: wait a little longer than that. */
    bound = (timeout_ms ? timeout_ms : stop_ms(l)) + stop_ms(l);
    live_stop(l);
    uv_mutex_lock(&l->mu);
    due = uv_hrtime() + bound * 1000000;
    while (!l->finished && (now = uv_hrtime()) < due)
        (void)uv_cond_timedwait(&l->cond, &l->mu, due - now);
    finished = l->finished;
    uv_mutex_unlock(&l->mu);
    if (finished)
        uv_thread_join(&l->watchdog);
    live_get_stats(l, final);
    if (!finished || l->leaked) {
        ef_log_error("source",
                     "session %s: left behind: it did not stop cleanly within %llu ms (its "
                     "ProcessTrace did not return); its memory is kept until the process ends",
                     l->o.name, (unsigned long long)bound);
        return;
    }
    live_destroy(l);
}

/* Hands the watchdog's restarts since the last call to fn, outside mu. */
static void live_notices(void *ctx, void (*fn)(void *ud, const struct ef_notice *n), void *ud)
{
    struct live *l = ctx;
    struct pending_restart got[MAX_PENDING_NOTICES];
    unsigned i, n;

    uv_mutex_lock(&l->mu);
    n = l->n_pending;
    memcpy(got, l->pending, n * sizeof(got[0]));
    l->n_pending = 0;
    uv_mutex_unlock(&l->mu);
    for (i = 0; i < n; i++) {
        struct ef_notice nt = {EF_NOTICE_WATCHDOG_RESTART, l->o.name, got[i].reason, got[i].gap_ms};

        fn(ud, &nt);
    }
}

static void live_get_stats(void *ctx, struct ef_source_stats *st)
{
    struct live *l = ctx;
    struct ef_etw_consumer_stats cs;
    struct ef_eventpath_stats es;

    ef_eventpath_get_stats(l->ep, &es);
    uv_mutex_lock(&l->mu);
    *st = l->st;
    if (l->cons) {
        ef_etw_consumer_get_stats(l->cons, &cs);
        add_consumer(st, &cs);
    }
    st->done = l->finished;
    uv_mutex_unlock(&l->mu);
    st->events_in = es.events;
    st->decoded = es.decoded;
    st->no_schema = es.no_schema;
    st->decode_errors = es.decode_errors;
    st->render_errors = es.render_errors;
    st->pushed = es.pushed;
    st->queue_dropped = es.dropped;
}

static void live_tick(void *ctx)
{
    struct live *l = ctx;

    uv_mutex_lock(&l->mu);
    query_locked(l);
    uv_mutex_unlock(&l->mu);
}

const struct ef_source_ops ef_source_live_ops = {
    .kind = "live",
    .start = live_start,
    .stop = live_stop,
    .free = live_free,
    .get_stats = live_get_stats,
    .tick = live_tick,
    .notices = live_notices,
};

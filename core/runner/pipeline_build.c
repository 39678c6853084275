/*
 * pipeline_build.c - the pipeline's parts from a configuration: sessions
 * and sinks by name, the spool groups routes make, the spools and sink
 * drivers, and each session's source with what it is started with
 * (checkpoints, render options). pipeline.c runs and stops them; reload
 * (pipeline_reload.c) restarts single parts through the same functions.
 *
 * Routes meet the spool like this: sinks fed by the same set of sessions
 * share one spool, and a session's event is appended to each spool of a
 * group it is routed to. With no [route:NAME] there is one group and one
 * spool, state_dir/spool. Sink drivers read their group's spool whole, so
 * no event is stored with a per-sink mask and the spool and drivers stay
 * unaware of routing.
 */
#include "runner/pipeline_int.h"

#include "pipeline/fsutil.h"
#include "util/error.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {"file", "http", "syslog"};

/* Which sessions feed sink j: a mask over p->sessions. */
static uint64_t sink_sessions(struct ef_pipeline *p, const struct ef_sink_cfg *sk)
{
    uint64_t mask = 0;
    size_t r, a, b;
    unsigned i;

    if (p->o.replay_file)
        return 1;
    for (r = 0; r < p->cfg->n_routes; r++) {
        const struct ef_route_cfg *rt = p->cfg->routes[r];
        int has = 0;

        for (b = 0; b < rt->sinks.n; b++)
            has |= strcmp(rt->sinks.v[b], sk->name) == 0;
        if (!has)
            continue;
        for (a = 0; a < rt->sessions.n; a++)
            for (i = 0; i < p->n_sessions; i++)
                if (strcmp(rt->sessions.v[a], p->sessions[i].name) == 0)
                    mask |= 1ull << i;
    }
    return mask;
}

static void sanitize(char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '_'))
            *s = '_';
}

static int build_groups(struct ef_pipeline *p)
{
    uint64_t masks[EF_SPOOL_MAX_SINKS];
    unsigned i, g;

    for (i = 0; i < p->n_sinks; i++) {
        masks[i] = sink_sessions(p, p->sinks[i].cfg);
        for (g = 0; g < p->n_groups && p->groups[g].sessions != masks[i]; g++)
            ;
        if (g == p->n_groups) {
            p->groups[g].sessions = masks[i];
            p->n_groups++;
        }
        p->sinks[i].group = g;
        p->sinks[i].spool_index = p->groups[g].n_sinks;
        p->groups[g].sinks[p->groups[g].n_sinks++] = i;
    }
    for (g = 0; g < p->n_groups; g++) {
        struct pgroup *gr = &p->groups[g];

        if (p->n_groups == 1) {
            gr->dir = ef_pipeline_join(p->state_dir, "spool");
        } else {
            char name[200];

            snprintf(name, sizeof(name), "spool-%s", p->sinks[gr->sinks[0]].cfg->name);
            sanitize(name);
            gr->dir = ef_pipeline_join(p->state_dir, name);
        }
        if (!gr->dir)
            return EF_ENOMEM;
        for (i = 0; i < p->n_sessions; i++)
            if (gr->sessions & (1ull << i))
                p->sessions[i].groups |= 1ull << g;
    }
    for (i = 0; i < p->n_sessions; i++)
        if (!p->sessions[i].groups)
            ef_log_warn("pipeline", "session %s: no sink takes its events", p->sessions[i].name);
    return 0;
}

static int open_spools(struct ef_pipeline *p)
{
    const struct ef_service_cfg *sv = &p->cfg->service;
    static const int full[] = {EF_SPOOL_ON_FULL_DROP_OLDEST, EF_SPOOL_ON_FULL_DROP_NEWEST,
                               EF_SPOOL_ON_FULL_BLOCK};
    static const int sync[] = {EF_SPOOL_SYNC_EVERY, EF_SPOOL_SYNC_PERIODIC, EF_SPOOL_SYNC_OFF};
    unsigned g, i;
    int rc;

    for (g = 0; g < p->n_groups; g++) {
        struct pgroup *gr = &p->groups[g];
        const char *names[EF_SPOOL_MAX_SINKS];
        struct ef_spool_options so;
        struct ef_spool_recovery rec;

        for (i = 0; i < gr->n_sinks; i++)
            names[i] = p->sinks[gr->sinks[i]].cfg->name;
        memset(&so, 0, sizeof(so));
        so.dir = gr->dir;
        so.mode = sv->spool == EF_SPOOL_MEMORY ? EF_SPOOL_MODE_MEMORY : EF_SPOOL_MODE_DISK;
        so.segment_size = sv->spool_segment_size;
        so.max_size = sv->spool_max_size;
        so.on_full = (unsigned)sv->spool_full < 3 ? full[sv->spool_full] : 0;
        so.sync = (unsigned)sv->spool_sync < 3 ? sync[sv->spool_sync] : 1;
        so.sync_interval_ms = sv->spool_sync_interval_ms;
        so.sinks = names;
        so.n_sinks = gr->n_sinks;
        so.background = 1; /* the loop never waits for the disk (spool.h) */
        rc = ef_spool_open(&so, &gr->spool, &rec);
        if (rc < 0) {
            ef_log_error("pipeline", "spool %s: %s", gr->dir, ef_strerror(rc));
            return rc;
        }
        ef_log_info("pipeline",
                    "spool %s: %s, %llu events held in %llu segments; repaired: %llu bytes "
                    "cut, %llu bad records%s%s",
                    gr->dir, so.mode == EF_SPOOL_MODE_MEMORY ? "memory" : "disk",
                    (unsigned long long)rec.events, (unsigned long long)rec.segments,
                    (unsigned long long)rec.truncated_bytes, (unsigned long long)rec.bad_records,
                    rec.ledger_missing ? ", ledger missing (held events are sent again)" : "",
                    rec.ledger_ahead ? ", a cursor was past the end" : "");
    }
    return 0;
}

int ef_pipeline_open_sink(struct ef_pipeline *p, unsigned i)
{
    struct psink *s = &p->sinks[i];
    struct ef_sinkdrv_options o;
    int rc;

    memset(&o, 0, sizeof(o));
    ef_sinkdrv_options_from_cfg(&o, s->cfg);
    o.name = s->cfg->name;
    o.spool_index = s->spool_index;
    o.ops = s->ops;
    o.cfg = s->cfg;
    o.dead_letter_dir = p->dead_letter_dir;
    o.on_health = ef_pipeline_sink_health;
    o.health_ud = p;
    ef_backoff_init(&o.backoff, uv_hrtime() ^ (uint64_t)i);
    rc = ef_sinkdrv_open(p->loop, &p->clock, p->groups[s->group].spool, &o, &s->drv);
    if (rc < 0) {
        ef_log_error("pipeline", "sink %s: cannot open: %s", s->cfg->name, ef_strerror(rc));
        s->drv = NULL;
    }
    return rc;
}

static int open_sinks(struct ef_pipeline *p)
{
    unsigned i;
    int rc;

    for (i = 0; i < p->n_sinks; i++)
        if ((rc = ef_pipeline_open_sink(p, i)) < 0)
            return rc;
    return 0;
}

static int set_sessions(struct ef_pipeline *p)
{
    size_t i;

    if (p->o.replay_file) {
        struct ef_session_cfg *rs = &p->replay_session;

        rs->name = (char *)"replay";
        rs->kind = EF_SESSION_FILE;
        rs->path = (char *)p->o.replay_file;
        rs->queue_full = EF_QUEUE_FULL_BLOCK;
        p->sessions = calloc(1, sizeof(*p->sessions));
        if (!p->sessions)
            return EF_ENOMEM;
        p->sessions[0].cfg = rs;
        p->sessions[0].name = rs->name;
        p->sessions[0].ops = &ef_source_file_ops;
        p->n_sessions = 1;
        return 0;
    }
    if (p->cfg->n_sessions > MAX_SESSIONS) {
        ef_log_error("pipeline", "more than %d sessions", MAX_SESSIONS);
        return EF_ECONFIG;
    }
    /*
     * Every slot a reload may fill, so the array never moves: a running
     * source keeps pointers into its slot (ps->so).
     */
    p->sessions = calloc(MAX_SESSIONS, sizeof(*p->sessions));
    if (!p->sessions)
        return EF_ENOMEM;
    for (i = 0; i < p->cfg->n_sessions; i++) {
        const struct ef_session_cfg *sc = p->cfg->sessions[i];

        p->sessions[i].ops = ef_source_ops_for(sc->kind);
        if (!p->sessions[i].ops) {
            ef_log_error("pipeline",
                         "session %s: only kind = file sessions run in this build "
                         "(live ETW sessions - realtime, kernel, existing - need Windows)",
                         sc->name);
            return EF_ECONFIG;
        }
        p->sessions[i].cfg = sc;
        p->sessions[i].name = sc->name;
    }
    p->n_sessions = (unsigned)p->cfg->n_sessions;
    return 0;
}

static int set_sinks(struct ef_pipeline *p)
{
    size_t i;

    if (p->cfg->n_sinks == 0 || p->cfg->n_sinks > EF_SPOOL_MAX_SINKS) {
        ef_log_error("pipeline", "the configuration needs 1 to %d [sink:NAME] sections",
                     EF_SPOOL_MAX_SINKS);
        return EF_ECONFIG;
    }
    p->sinks = calloc(p->cfg->n_sinks, sizeof(*p->sinks));
    if (!p->sinks)
        return EF_ENOMEM;
    for (i = 0; i < p->cfg->n_sinks; i++) {
        const struct ef_sink_cfg *sc = p->cfg->sinks[i];

        p->sinks[i].cfg = sc;
        p->sinks[i].ops = ef_pipeline_sink_ops(sc->type);
        if (!p->sinks[i].ops) {
            ef_log_error("pipeline", "sink %s: type %s is not in this build", sc->name,
                         (unsigned)sc->type < 3 ? type_names[sc->type] : "?");
            return EF_ECONFIG;
        }
    }
    p->n_sinks = (unsigned)p->cfg->n_sinks;
    return 0;
}

/*
 * A file session of `run` keeps checkpoints in state_dir/checkpoints, so a
 * restart resumes where the spool stopped taking its events. Not for
 * `replay -c` (stateless) nor with spool = memory, whose events do not
 * survive a restart either: a checkpoint there would skip them.
 */
static int open_checkpoints(struct ef_pipeline *p, struct psession *ps)
{
    char name[300], *file;
    int rc;

    if (ps->ckpt || ps->cfg->kind != EF_SESSION_FILE || p->o.replay_file ||
        p->cfg->service.spool == EF_SPOOL_MEMORY)
        return 0;
    snprintf(name, sizeof(name), "checkpoints/%s.ckpt", ps->name);
    sanitize(name + strlen("checkpoints/"));
    file = ef_pipeline_join(p->state_dir, name);
    if (!file)
        return EF_ENOMEM;
    rc = ef_ckpt_open(file, ps->name, &ps->ckpt);
    free(file);
    return rc;
}

/*
 * ECS event.dataset: "etw." and the session's name in lower case, other
 * characters than letters, digits and '_' made '_' (Elasticsearch's data
 * stream names allow no more).
 */
static void set_dataset(struct psession *ps)
{
    char *c;

    snprintf(ps->dataset, sizeof(ps->dataset), "etw.%s", ps->name);
    for (c = ps->dataset + 4; *c; c++) {
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
        else if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
            *c = '_';
    }
}

int ef_pipeline_start_source(struct ef_pipeline *p, unsigned i)
{
    const struct ef_service_cfg *sv = &p->cfg->service;
    struct psession *ps = &p->sessions[i];
    const struct ef_session_cfg *sc = ps->cfg;
    struct ef_source_options *so = &ps->so;
    int rc;

    if (!ps->groups)
        return 0;
    memset(so, 0, sizeof(*so));
    so->cfg = sc;
    so->name = ps->name;
    so->index = i;
    if (p->o.replay_file) {
        so->manifests = p->o.replay_manifests;
        so->n_manifests = p->o.n_replay_manifests;
        so->mofs = p->o.replay_mofs;
        so->n_mofs = p->o.n_replay_mofs;
    } else {
        so->manifests = (const char *const *)sc->manifests.v;
        so->n_manifests = sc->manifests.n;
        so->mofs = (const char *const *)sc->mofs.v;
        so->n_mofs = sc->mofs.n;
    }
    so->render.format = sv->format == EF_FORMAT_ECS ? EF_RENDER_ECS : EF_RENDER_NATIVE;
    so->render.int64_as_string = sv->int64_as_string;
    so->render.event_data_strings = !sv->typed_event_data;
    set_dataset(ps);
    so->render.dataset = ps->dataset;
    /* Every event says which host forwarded it: the SIEM's host.name / Computer. */
    so->render.computer = p->hostname;
    so->policy = sc->queue_full == EF_QUEUE_FULL_DROP ? EF_QUEUE_DROP : EF_QUEUE_BLOCK;
    so->queue = p->queue;
    so->stop_timeout_ms = ef_pipeline_shutdown_timeout(p);
    if ((rc = open_checkpoints(p, ps)) < 0)
        return rc;
    so->ckpt = ps->ckpt;
    so->on_done = ef_pipeline_source_finished;
    so->ud = p;
    rc = ps->ops->start(so, &ps->src);
    if (rc < 0) {
        ef_log_error("pipeline", "session %s: cannot start: %s", ps->name, ef_strerror(rc));
        return rc;
    }
    p->sources_left++;
    return 0;
}

int ef_pipeline_start_sources(struct ef_pipeline *p)
{
    unsigned i;
    int rc;

    for (i = 0; i < p->n_sessions; i++)
        if ((rc = ef_pipeline_start_source(p, i)) < 0)
            return rc;
    return 0;
}

int ef_pipeline_configure(struct ef_pipeline *p)
{
    int rc;

    if ((rc = set_sessions(p)) < 0 || (rc = set_sinks(p)) < 0)
        return rc;
    return build_groups(p);
}

int ef_pipeline_open_outputs(struct ef_pipeline *p)
{
    int rc = open_spools(p);

    return rc < 0 ? rc : open_sinks(p);
}

/*
 * pipeline_reload.c - applies a newly loaded configuration to the running
 * pipeline: `etwfwd reload`, SIGHUP and the service's PARAMCHANGE all end
 * here (docs/pipeline.md, "Reload").
 *
 * DESIGN. A reload is planned, then applied. The plan compares the new
 * configuration with the running one by session and sink name, key by key
 * through the option table (config/options.h), so every key a section can
 * have is compared and named in the log without a list of its own here.
 * Whatever cannot be applied live refuses the whole reload before anything
 * changed, so a reload is all or nothing. Applying it:
 * - a changed sink: its driver is stopped (sends in progress finish and are
 *   acknowledged, batches waiting for a retry stay in the spool) and, once
 *   it reports stopped, a new driver opens with the new settings on the
 *   same spool and sink index, so it reads on after the sink's cursor:
 *   nothing acknowledged is sent again, nothing unacknowledged is skipped.
 *   psink.restarting covers the gap; a stop meanwhile counts that sink.
 * - a changed or removed session: its source is asked to stop and is
 *   joined by the usual reaping once it finished (on_source_done), never
 *   by blocking the loop: a file source waiting on a full queue only ends
 *   when the loop drains it. ef_pipeline_reload_reaped then starts the new
 *   source in the same slot. A removed session's slot keeps its groups, so
 *   its events still queued reach the spool, and its final counters stay
 *   in the stats until the run ends.
 * - a new session takes a free slot. Slots never move (a running source
 *   keeps pointers into its own) and the queue's session number is the
 *   slot, so at most MAX_SESSIONS sessions can exist over a run.
 */
#include "runner/pipeline_int.h"

#include "config/options.h"
#include "util/attr.h"
#include "util/error.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum reload_action { RA_NONE, RA_RESTART, RA_REMOVE };

/*
 * [service] keys a running pipeline applies (all but the first two are read
 * from p->cfg where they are used): the others need a restart of etwfwd.
 */
static const char *const live_service_keys[] = {
    "log_level",      "stats_interval",       "shutdown_timeout",
    "health_max_age", "health_failing_after", "loss_alert_events"};

#define WHY_CAP 160

struct plan {
    unsigned sink_old[EF_SPOOL_MAX_SINKS]; /* new sink k -> index in p->sinks */
    char sink_why[EF_SPOOL_MAX_SINKS][WHY_CAP];
    int ses_slot[MAX_SESSIONS];        /* new session j -> its slot; -1: a new slot */
    uint64_t ses_groups[MAX_SESSIONS]; /* the groups new session j feeds */
    char ses_why[MAX_SESSIONS][WHY_CAP];
    unsigned ses_changed[MAX_SESSIONS];
    char service_why[WHY_CAP];
};

/* --- comparing two sections through the option table ----------------------------------- */

/* NULL and "" both mean "unset". */
static int str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int list_eq(const struct ef_str_list *a, const struct ef_str_list *b)
{
    size_t i;

    if (a->n != b->n)
        return 0;
    for (i = 0; i < a->n; i++)
        if (!str_eq(a->v[i], b->v[i]))
            return 0;
    return 1;
}

static int u32_eq(const struct ef_u32_list *a, const struct ef_u32_list *b)
{
    return a->n == b->n && memcmp(a->v, b->v, a->n * sizeof(a->v[0])) == 0;
}

/* Everything that decides what ETW enables; not where it was written (section, line). */
static int provider_eq(const struct ef_provider_cfg *a, const struct ef_provider_cfg *b)
{
    return str_eq(a->name, b->name) && memcmp(&a->guid, &b->guid, sizeof(a->guid)) == 0 &&
           a->guid_source == b->guid_source && a->level == b->level &&
           a->match_any == b->match_any && a->match_all == b->match_all &&
           u32_eq(&a->event_ids, &b->event_ids) && a->event_ids_exclude == b->event_ids_exclude &&
           u32_eq(&a->pids, &b->pids) && str_eq(a->exe_names, b->exe_names) &&
           a->stack_trace == b->stack_trace && a->sid == b->sid && a->ts_id == b->ts_id &&
           a->process_start_key == b->process_start_key &&
           a->ignore_keyword_0 == b->ignore_keyword_0 && a->rundown == b->rundown;
}

static int providers_eq(const struct ef_provider_list *a, const struct ef_provider_list *b)
{
    size_t i;

    if (a->n != b->n)
        return 0;
    for (i = 0; i < a->n; i++)
        if (!provider_eq(&a->v[i], &b->v[i]))
            return 0;
    return 1;
}

/* 1 when the option's value is the same in both structs (the types of options.h). */
static int value_eq(const struct ef_option *o, const void *sa, const void *sb)
{
    const char *a = (const char *)sa + o->offset, *b = (const char *)sb + o->offset;

    switch (o->type) {
    case EF_T_BOOL:
    case EF_T_ENUM:
        return *(const int *)a == *(const int *)b;
    case EF_T_INT:
        return *(const int64_t *)a == *(const int64_t *)b;
    case EF_T_SIZE:
    case EF_T_DURATION:
    case EF_T_HEXMASK:
    case EF_T_KERNEL_FLAGS:
        return *(const uint64_t *)a == *(const uint64_t *)b;
    case EF_T_LEVEL:
        return *(const unsigned *)a == *(const unsigned *)b;
    case EF_T_GUID:
        return memcmp(a, b, sizeof(struct ef_guid)) == 0;
    case EF_T_STRING:
    case EF_T_PATH:
    case EF_T_HOSTPORT:
    case EF_T_URL:
        if (o->flags & EF_F_REPEAT)
            return list_eq((const struct ef_str_list *)a, (const struct ef_str_list *)b);
        return str_eq(*(char *const *)a, *(char *const *)b);
    case EF_T_HEADER:
    case EF_T_NAMELIST:
        return list_eq((const struct ef_str_list *)a, (const struct ef_str_list *)b);
    case EF_T_PROVIDER:
        return providers_eq((const struct ef_provider_list *)a, (const struct ef_provider_list *)b);
    case EF_T_IDLIST:
    case EF_T_PIDLIST:
        return u32_eq((const struct ef_u32_list *)a, (const struct ef_u32_list *)b);
    default:
        return 0; /* a type this file does not know: treat it as changed, never as equal */
    }
}

/*
 * The keys of a section kind whose values differ between a and b, as
 * "k1, k2" in why (names only: a secret's value never reaches the log).
 * skip (may be NULL) lists keys left out. Returns how many differ.
 */
static unsigned diff_keys(int section, const void *a, const void *b, const char *const *skip,
                          size_t n_skip, char *why, size_t cap)
{
    const struct ef_option *opts;
    size_t n, i, k, len = 0;
    unsigned count = 0;

    why[0] = '\0';
    opts = ef_config_options(&n);
    for (i = 0; i < n; i++) {
        int skipped = 0;

        if (opts[i].section != section || value_eq(&opts[i], a, b))
            continue;
        for (k = 0; k < n_skip; k++)
            skipped |= strcmp(skip[k], opts[i].key) == 0;
        if (skipped)
            continue;
        if (len < cap)
            len += (size_t)snprintf(why + len, cap - len, "%s%s", count ? ", " : "", opts[i].key);
        count++;
    }
    return count;
}

/* --- the plan --------------------------------------------------------------------------- */

/* Which sessions of cfg feed the sink named sink: a mask over cfg->sessions. */
static uint64_t cfg_sink_sessions(const struct ef_config *cfg, const char *sink)
{
    uint64_t mask = 0;
    size_t r, a, b, i;

    for (r = 0; r < cfg->n_routes; r++) {
        const struct ef_route_cfg *rt = cfg->routes[r];
        int has = 0;

        for (b = 0; b < rt->sinks.n; b++)
            has |= strcmp(rt->sinks.v[b], sink) == 0;
        if (!has)
            continue;
        for (a = 0; a < rt->sessions.n; a++)
            for (i = 0; i < cfg->n_sessions; i++)
                if (strcmp(rt->sessions.v[a], cfg->sessions[i]->name) == 0)
                    mask |= 1ull << i;
    }
    return mask;
}

/* The spool folder pipeline.c gives a group whose first sink is first (build_groups). */
static void group_dir(const struct ef_pipeline *p, unsigned n_groups, const char *first, char *out,
                      size_t cap)
{
    char *s;
    size_t base;

    if (n_groups == 1) {
        snprintf(out, cap, "%s/spool", p->state_dir);
        return;
    }
    base = strlen(p->state_dir) + 1;
    snprintf(out, cap, "%s/spool-%s", p->state_dir, first);
    for (s = out + (base < cap ? base : 0); *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '-' || *s == '_'))
            *s = '_';
}

static int find_sink(const struct ef_pipeline *p, const char *name)
{
    unsigned i;

    for (i = 0; i < p->n_sinks; i++)
        if (strcmp(p->sinks[i].cfg->name, name) == 0)
            return (int)i;
    return -1;
}

static int find_slot(const struct ef_pipeline *p, const char *name)
{
    unsigned i;

    for (i = 0; i < p->n_sessions; i++)
        if (strcmp(p->sessions[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int in_config(const struct ef_config *cfg, const char *session)
{
    size_t j;

    for (j = 0; j < cfg->n_sessions; j++)
        if (strcmp(cfg->sessions[j]->name, session) == 0)
            return 1;
    return 0;
}

#define CFG_PATH(c) ((c)->path ? (c)->path : "the configuration")

#define REFUSE(rc_, ...)                                                                           \
    do {                                                                                           \
        ef_log_error("reload", __VA_ARGS__);                                                       \
        return (rc_);                                                                              \
    } while (0)

/* [service]: only the keys of live_service_keys may change. */
static int plan_service(struct ef_pipeline *p, const struct ef_config *cfg, struct plan *pl)
{
    char why[WHY_CAP];

    if (diff_keys(EF_SEC_SERVICE, &p->cfg->service, &cfg->service, live_service_keys,
                  EF_ARRAY_LEN(live_service_keys), why, sizeof(why)))
        REFUSE(EF_ENOTSUP,
               "%s: refused, the running configuration stays: [service] %s changed, which "
               "needs a restart of etwfwd",
               CFG_PATH(cfg), why);
    diff_keys(EF_SEC_SERVICE, &p->cfg->service, &cfg->service, NULL, 0, pl->service_why,
              sizeof(pl->service_why));
    return 0;
}

/* Sinks: the same names (a spool's sink list is fixed while it is open), types this build has. */
static int plan_sinks(struct ef_pipeline *p, const struct ef_config *cfg, struct plan *pl)
{
    unsigned k;
    int i;

    for (k = 0; k < p->n_sinks; k++) {
        size_t j;
        int found = 0;

        for (j = 0; j < cfg->n_sinks; j++)
            found |= strcmp(cfg->sinks[j]->name, p->sinks[k].cfg->name) == 0;
        if (!found)
            REFUSE(EF_ENOTSUP,
                   "%s: refused, the running configuration stays: [sink:%s] was removed; "
                   "adding or removing a sink changes its spool and needs a restart of etwfwd",
                   CFG_PATH(cfg), p->sinks[k].cfg->name);
    }
    for (k = 0; k < cfg->n_sinks; k++) {
        const struct ef_sink_cfg *sc = cfg->sinks[k];

        i = find_sink(p, sc->name);
        if (i < 0)
            REFUSE(EF_ENOTSUP,
                   "%s: refused, the running configuration stays: [sink:%s] is new; adding "
                   "or removing a sink changes its spool and needs a restart of etwfwd",
                   CFG_PATH(cfg), sc->name);
        if (!ef_pipeline_sink_ops(sc->type))
            REFUSE(EF_ECONFIG,
                   "%s: refused, the running configuration stays: [sink:%s]: its type is not "
                   "in this build",
                   CFG_PATH(cfg), sc->name);
        pl->sink_old[k] = (unsigned)i;
        diff_keys(EF_SEC_SINK, p->sinks[i].cfg, sc, NULL, 0, pl->sink_why[k],
                  sizeof(pl->sink_why[k]));
    }
    return 0;
}

/*
 * Routes: sinks must share spools as they do now, under the same folder
 * names, and each kept session must feed the same spools. A fresh start
 * with the new file then finds every spool where this run keeps it.
 */
static int plan_groups(struct ef_pipeline *p, const struct ef_config *cfg, struct plan *pl,
                       uint64_t *masks)
{
    unsigned k, l, n_groups = 0;

    for (k = 0; k < cfg->n_sinks; k++)
        masks[k] = cfg_sink_sessions(cfg, cfg->sinks[k]->name);
    for (k = 0; k < cfg->n_sinks; k++) {
        int first = 1;

        for (l = 0; l < cfg->n_sinks; l++) {
            int same_new = masks[k] == masks[l];
            int same_old = p->sinks[pl->sink_old[k]].group == p->sinks[pl->sink_old[l]].group;

            if (same_new != same_old)
                REFUSE(EF_ENOTSUP,
                       "%s: refused, the running configuration stays: the routes would make "
                       "sinks %s and %s %s a spool, which needs a restart of etwfwd",
                       CFG_PATH(cfg), cfg->sinks[k]->name, cfg->sinks[l]->name,
                       same_new ? "share" : "no longer share");
            if (l < k && same_new)
                first = 0;
        }
        n_groups += first;
    }
    for (k = 0; k < cfg->n_sinks; k++) {
        char dir[4200];
        int first = 1;

        for (l = 0; l < k; l++)
            first &= masks[l] != masks[k];
        if (!first)
            continue;
        group_dir(p, n_groups, cfg->sinks[k]->name, dir, sizeof(dir));
        if (strcmp(dir, p->groups[p->sinks[pl->sink_old[k]].group].dir) != 0)
            REFUSE(EF_ENOTSUP,
                   "%s: refused, the running configuration stays: the spool of sink %s would "
                   "be %s instead of %s (the first sink of a group names it), which needs a "
                   "restart of etwfwd",
                   CFG_PATH(cfg), cfg->sinks[k]->name, dir,
                   p->groups[p->sinks[pl->sink_old[k]].group].dir);
    }
    return 0;
}

static int plan_sessions(struct ef_pipeline *p, const struct ef_config *cfg, struct plan *pl,
                         const uint64_t *masks)
{
    unsigned j, k, slots = p->n_sessions;

    if (cfg->n_sessions > MAX_SESSIONS)
        REFUSE(EF_ENOTSUP, "%s: refused, the running configuration stays: more than %d sessions",
               CFG_PATH(cfg), MAX_SESSIONS);
    for (j = 0; j < cfg->n_sessions; j++) {
        const struct ef_session_cfg *sc = cfg->sessions[j];
        uint64_t gm = 0;
        int slot;

        if (!ef_source_ops_for(sc->kind))
            REFUSE(EF_ECONFIG,
                   "%s: refused, the running configuration stays: session %s: only kind = file "
                   "sessions run in this build",
                   CFG_PATH(cfg), sc->name);
        for (k = 0; k < cfg->n_sinks; k++)
            if (masks[k] & (1ull << j))
                gm |= 1ull << p->sinks[pl->sink_old[k]].group;
        pl->ses_groups[j] = gm;
        slot = find_slot(p, sc->name);
        pl->ses_slot[j] = slot;
        if (slot < 0) {
            if (++slots > MAX_SESSIONS)
                REFUSE(EF_ENOTSUP,
                       "%s: refused, the running configuration stays: session %s would be the "
                       "%dth session of this run, which needs a restart of etwfwd",
                       CFG_PATH(cfg), sc->name, MAX_SESSIONS + 1);
            continue;
        }
        if (p->sessions[slot].removed) {
            pl->ses_changed[j] = 1;
            continue;
        }
        if (gm != p->sessions[slot].groups)
            REFUSE(EF_ENOTSUP,
                   "%s: refused, the running configuration stays: the routes change the sinks "
                   "session %s feeds, which needs a restart of etwfwd",
                   CFG_PATH(cfg), sc->name);
        pl->ses_changed[j] = diff_keys(EF_SEC_SESSION, p->sessions[slot].cfg, sc, NULL, 0,
                                       pl->ses_why[j], sizeof(pl->ses_why[j]));
    }
    return 0;
}

static int plan_reload(struct ef_pipeline *p, const struct ef_config *cfg, struct plan *pl)
{
    uint64_t masks[EF_SPOOL_MAX_SINKS];
    unsigned i;
    int rc;

    if (p->state != P_RUNNING)
        REFUSE(EF_EAGAIN, "%s: refused: etwfwd is stopping", CFG_PATH(cfg));
    if (p->o.replay_file)
        REFUSE(EF_ENOTSUP, "%s: refused: `replay -c` runs one trace, it does not reload",
               CFG_PATH(cfg));
    for (i = 0; i < p->n_sinks; i++)
        if (p->sinks[i].restarting)
            REFUSE(EF_EAGAIN,
                   "%s: refused: sink %s is still restarting after the previous reload; try "
                   "again",
                   CFG_PATH(cfg), p->sinks[i].cfg->name);
    for (i = 0; i < p->n_sessions; i++)
        if (p->sessions[i].reload_action)
            REFUSE(EF_EAGAIN,
                   "%s: refused: session %s is still stopping after the previous reload; try "
                   "again",
                   CFG_PATH(cfg), p->sessions[i].name);
    if (cfg->n_sinks == 0 || cfg->n_sinks > EF_SPOOL_MAX_SINKS)
        REFUSE(EF_ECONFIG, "%s: refused: the configuration needs 1 to %d [sink:NAME] sections",
               CFG_PATH(cfg), EF_SPOOL_MAX_SINKS);
    if ((rc = plan_service(p, cfg, pl)) < 0 || (rc = plan_sinks(p, cfg, pl)) < 0 ||
        (rc = plan_groups(p, cfg, pl, masks)) < 0 || (rc = plan_sessions(p, cfg, pl, masks)) < 0)
        return rc;
    return 0;
}

/* --- applying it ------------------------------------------------------------------------ */

/* The old driver of a restarting sink has stopped: open the new one, unless we are stopping. */
static void on_old_driver_stopped(void *ud)
{
    struct psink *s = ud;
    struct ef_pipeline *p = s->owner;
    unsigned i = (unsigned)(s - p->sinks);

    s->restarting = 0;
    if (p->state >= P_STOPPING_SINKS) {
        /* stop_sinks counted this sink: it is stopped now. */
        ef_pipeline_sink_stopped(p);
        return;
    }
    if (ef_pipeline_open_sink(p, i) < 0) {
        ef_log_error("reload",
                     "sink %s: its new settings do not open; its events wait in the spool "
                     "until a reload or a restart fixes it",
                     s->cfg->name);
        return;
    }
    ef_sinkdrv_notify(s->drv);
    if (p->state == P_DRAINING)
        ef_sinkdrv_flush(s->drv);
}

static void restart_sink(struct ef_pipeline *p, unsigned i, const struct ef_sink_cfg *sc,
                         const char *why)
{
    struct psink *s = &p->sinks[i];
    struct ef_sink *drv = s->drv;

    ef_log_info("reload", "sink %s restarted: %s changed", sc->name, why);
    s->cfg = sc;
    s->ops = ef_pipeline_sink_ops(sc->type);
    s->owner = p;
    if (!drv) {
        /* Its driver failed to open after an earlier reload: try the new settings now. */
        s->restarting = 1;
        on_old_driver_stopped(s);
        return;
    }
    ef_sinkdrv_get_stats(drv, &s->last);
    s->restarting = 1;
    /* drv first, since the stop may call back at once when nothing is in flight. */
    s->drv = NULL;
    ef_sinkdrv_stop(drv, on_old_driver_stopped, s);
}

/* Starts slot i's source with reload_cfg (its old source is gone). */
static void start_slot(struct ef_pipeline *p, unsigned i)
{
    struct psession *ps = &p->sessions[i];

    ps->cfg = ps->reload_cfg;
    ps->name = ps->cfg->name;
    ps->ops = ef_source_ops_for(ps->cfg->kind);
    ps->reload_action = RA_NONE;
    ps->reload_cfg = NULL;
    ps->removed = 0;
    /* A new source counts from 0 (a counter reset for Prometheus). */
    memset(&ps->last, 0, sizeof(ps->last));
    if (!ps->groups)
        ef_log_warn("reload", "session %s: no sink takes its events", ps->name);
    if (ef_pipeline_start_source(p, i) < 0)
        ps->last.done = 1;
}

void ef_pipeline_reload_reaped(struct ef_pipeline *p)
{
    unsigned i;

    for (i = 0; i < p->n_sessions; i++) {
        struct psession *ps = &p->sessions[i];

        if (ps->src || !ps->reload_action)
            continue;
        if (ps->reload_action == RA_RESTART && p->state == P_RUNNING) {
            start_slot(p, i);
            continue;
        }
        ps->reload_action = RA_NONE;
        ps->reload_cfg = NULL;
    }
}

static void apply_service(struct ef_pipeline *p, const struct ef_config *old,
                          const struct ef_config *cfg, const struct plan *pl)
{
    const struct ef_service_cfg *sv = &cfg->service;

    if (!pl->service_why[0])
        return;
    ef_log_info("reload", "[service] %s changed: applied", pl->service_why);
    if (sv->log_level != old->service.log_level)
        ef_log_set_level((enum ef_log_level)sv->log_level);
    if (sv->stats_interval_ms != old->service.stats_interval_ms) {
        ef_timer_stop(&p->clock, &p->stats_timer);
        ef_timer_start(&p->clock, &p->stats_timer,
                       sv->stats_interval_ms ? sv->stats_interval_ms : 60000);
    }
    /* shutdown_timeout, health_max_age and loss_alert_events are read from p->cfg. */
}

static void apply_sessions(struct ef_pipeline *p, const struct ef_config *cfg,
                           const struct plan *pl)
{
    unsigned i, j, g;

    for (i = 0; i < p->n_sessions; i++) {
        struct psession *ps = &p->sessions[i];

        if (ps->removed || in_config(cfg, ps->name))
            continue;
        ef_log_info("reload", "session %s stopped: removed from the configuration", ps->name);
        ps->removed = 1;
        if (ps->src) {
            ps->reload_action = RA_REMOVE;
            ps->ops->stop(ps->src);
        }
    }
    for (j = 0; j < cfg->n_sessions; j++) {
        const struct ef_session_cfg *sc = cfg->sessions[j];
        struct psession *ps;
        int slot = pl->ses_slot[j];

        if (slot >= 0 && !pl->ses_changed[j])
            continue;
        if (slot < 0) {
            slot = (int)p->n_sessions++;
            ef_log_info("reload", "session %s started: new in the configuration", sc->name);
        } else if (p->sessions[slot].removed) {
            ef_log_info("reload", "session %s started: back in the configuration", sc->name);
        } else {
            ef_log_info("reload", "session %s restarted: %s changed", sc->name, pl->ses_why[j]);
        }
        ps = &p->sessions[slot];
        ps->reload_cfg = sc;
        ps->groups = pl->ses_groups[j];
        for (g = 0; g < p->n_groups; g++)
            if (ps->groups & (1ull << g))
                p->groups[g].sessions |= 1ull << slot;
        if (ps->src) {
            /* Started again in ef_pipeline_reload_reaped, once the old source ended. */
            ps->reload_action = RA_RESTART;
            ps->ops->stop(ps->src);
        } else {
            start_slot(p, (unsigned)slot);
        }
    }
}

int ef_pipeline_reload(struct ef_pipeline *p, const struct ef_config *cfg)
{
    const struct ef_config *old = p->cfg;
    struct plan *pl;
    unsigned i, k, changes = 0;
    int rc;

    pl = calloc(1, sizeof(*pl));
    if (!pl)
        return EF_ENOMEM;
    rc = plan_reload(p, cfg, pl);
    if (rc < 0) {
        free(pl);
        return rc;
    }
    /* From here nothing fails: the new configuration is the running one. */
    p->cfg = cfg;
    p->o.cfg = cfg;
    apply_service(p, old, cfg, pl);
    changes += pl->service_why[0] != '\0';
    for (k = 0; k < cfg->n_sinks; k++) {
        if (!pl->sink_why[k][0])
            continue;
        restart_sink(p, pl->sink_old[k], cfg->sinks[k], pl->sink_why[k]);
        changes++;
    }
    for (i = 0; i < p->n_sessions; i++)
        changes += !p->sessions[i].removed && !in_config(cfg, p->sessions[i].name);
    for (k = 0; k < cfg->n_sessions; k++)
        changes += pl->ses_slot[k] < 0 || pl->ses_changed[k] != 0;
    apply_sessions(p, cfg, pl);
    /* What back pressure and the end of a replay-only run assume about every session. */
    p->all_file = 1;
    p->tail_guard = 1;
    for (i = 0; i < p->n_sessions; i++) {
        const struct psession *ps = &p->sessions[i];

        if (ps->removed && !ps->src)
            continue;
        p->all_file &= ps->cfg->kind == EF_SESSION_FILE;
        p->tail_guard &= ps->cfg->queue_full != EF_QUEUE_FULL_DROP;
        if (ps->reload_cfg) {
            p->all_file &= ps->reload_cfg->kind == EF_SESSION_FILE;
            p->tail_guard &= ps->reload_cfg->queue_full != EF_QUEUE_FULL_DROP;
        }
    }
    p->tail_guard &= p->all_file;
    ef_log_info("reload", "%s: applied, %u change%s", CFG_PATH(cfg), changes,
                changes == 1 ? "" : "s");
    free(pl);
    /* on_check and on_source_done look again (a restarted source, a sink's new backlog). */
    uv_async_send(&p->source_done);
    return 0;
}

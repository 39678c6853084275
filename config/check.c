/*
 * check.c - validation across sections, once the whole file is read.
 *
 * Required keys, keys that do not apply to a session's kind or a sink's type,
 * sessions without providers, providers in kernel and existing sessions,
 * references to sessions and sinks that do not exist, and the defaults that
 * depend on other keys (queue_full, in_flight, compress = auto) are settled
 * here. Long-form [provider:NAME] sections are copied into the sessions they
 * name, so later modules see one list.
 *
 * ETW's documented limits (ETW-NOTES sections 1, 2 and 4) are refused here,
 * at load and `validate`, so that the session code never has to truncate a
 * name or drop a filter: session names and executable-name filters measured
 * in UTF-16 as Windows will see them, one NT Kernel Logger per machine, two
 * of our sessions whose names differ only in case (ETW names ignore case).
 */
#include "loader.h"
#include "values.h"

#include "etw/etw_defs.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t row_index(const struct ef_option *o)
{
    size_t n;

    return (size_t)(o - ef_config_options(&n));
}

static unsigned set_line(const struct ef_cfg_sec *sec, const char *key)
{
    const struct ef_option *o = ef_config_option_find(sec->kind, key);

    return o ? sec->set_line[row_index(o)] : 0;
}

/* The session kind or sink type of a section, -1 when unknown or not applicable. */
static int variant_of(const struct ef_cfg_sec *sec)
{
    if (sec->kind == EF_SEC_SESSION)
        return ((struct ef_session_cfg *)sec->obj)->kind;
    if (sec->kind == EF_SEC_SINK)
        return ((struct ef_sink_cfg *)sec->obj)->type;
    return -1;
}

static const char kernel_no_providers[] =
    "kind = kernel takes kernel flags, not manifest providers (expected kernel_flags = "
    "process,thread,... or a kind = realtime session)";
static const char existing_no_providers[] =
    "kind = existing reads a session someone else controls, and etwfwd never changes it "
    "(expected no providers here: enable them in a kind = realtime session)";

/* Required keys and keys that do not apply to this kind or type. */
static void check_rows(struct ef_cfg_loader *ld, const struct ef_cfg_sec *sec)
{
    const struct ef_option *opts;
    int variant = variant_of(sec);
    const char *what = sec->kind == EF_SEC_SESSION ? "kind" : "type";
    const char *const *vnames =
        sec->kind == EF_SEC_SESSION ? ef_session_kind_names : ef_sink_type_names;
    size_t n, i;

    opts = ef_config_options(&n);
    for (i = 0; i < n; i++) {
        const struct ef_option *o = &opts[i];
        int applies = !o->variants || (variant >= 0 && ((o->variants >> variant) & 1));
        struct ef_buf b;

        if (o->section != sec->kind)
            continue;
        if (o->variants && variant < 0)
            continue; /* the missing kind/type is reported on its own */
        ef_buf_init(&b, 1024);
        if (sec->set_line[i] && !applies && o->type == EF_T_PROVIDER &&
            (variant == EF_SESSION_KERNEL || variant == EF_SESSION_EXISTING)) {
            const struct ef_provider_list *l = (const void *)((char *)sec->obj + o->offset);
            for (size_t k = 0; k < l->n; k++)
                ef_cfg_error(ld, l->v[k].line, sec, o->key, "%s",
                             variant == EF_SESSION_KERNEL ? kernel_no_providers
                                                          : existing_no_providers);
        } else if (sec->set_line[i] && !applies) {
            ef_config_variants_text(o, &b);
            ef_cfg_error(ld, sec->set_line[i], sec, o->key,
                         "does not apply to %s = %s (expected only with %s)", what, vnames[variant],
                         b.data ? b.data : "");
        } else if (!sec->set_line[i] && applies && (o->flags & EF_F_REQUIRED)) {
            ef_config_expected_text(o, &b);
            ef_cfg_error(ld, sec->line, sec, NULL, "missing %s (expected %s = %s)", o->key, o->key,
                         b.data ? b.data : "");
        }
        ef_buf_free(&b);
    }
}

static struct ef_session_cfg *find_session(struct ef_config *c, const char *name)
{
    size_t i;

    for (i = 0; i < c->n_sessions; i++) {
        if (strcmp(c->sessions[i]->name, name) == 0)
            return c->sessions[i];
    }
    return NULL;
}

static int find_sink(struct ef_config *c, const char *name)
{
    size_t i;

    for (i = 0; i < c->n_sinks; i++) {
        if (strcmp(c->sinks[i]->name, name) == 0)
            return 1;
    }
    return 0;
}

/* An error for a name that matches no [kind:NAME], with the closest one. */
static void unknown_ref(struct ef_cfg_loader *ld, const struct ef_cfg_sec *sec, const char *key,
                        unsigned line, const char *name, int kind)
{
    const char *names[256];
    size_t n = 0, i;
    const char *hint;

    for (i = 0; i < ld->n_secs && n < 256; i++) {
        if (ld->secs[i].kind == kind)
            names[n++] = ld->secs[i].name;
    }
    hint = ef_cfg_suggest(name, names, n);
    ef_cfg_error(ld, line, sec, key, "no [%s:%s] section (expected the NAME of one%s%s%s)",
                 ef_config_section_name(kind), name, hint ? "; did you mean " : "",
                 hint ? hint : "", hint ? "?" : "");
}

/* UTF-16 code units of valid UTF-8 text: one per character, two above U+FFFF. */
static size_t utf16_units(const char *s)
{
    size_t n = 0;

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c & 0xC0) != 0x80)
            n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

/*
 * EnableTraceEx2 takes the executable names as one NUL-terminated UTF-16
 * string in one filter descriptor, which holds at most
 * MAX_EVENT_FILTER_DATA_SIZE bytes (ETW-NOTES section 4).
 */
static void check_exe_names(struct ef_cfg_loader *ld, const struct ef_cfg_sec *sec, const char *exe)
{
    size_t bytes;

    if (!exe)
        return;
    bytes = (utf16_units(exe) + 1) * 2;
    if (bytes > EF_ETW_MAX_FILTER_DATA_SIZE)
        ef_cfg_error(ld, set_line(sec, "exe_names"), sec, "exe_names",
                     "%zu bytes as UTF-16 with its NUL (expected at most %u: ETW's limit for one "
                     "filter; list fewer executables)",
                     bytes, EF_ETW_MAX_FILTER_DATA_SIZE);
}

/* Copies a [provider:NAME] into the sessions it names. */
static void attach_provider(struct ef_cfg_loader *ld, const struct ef_cfg_sec *sec)
{
    struct ef_provider_section *ps = sec->obj;
    struct ef_provider_cfg *p = &ps->p;
    unsigned sline = set_line(sec, "session");
    size_t i;

    check_exe_names(ld, sec, p->exe_names);

    if (!p->name && !(p->name = strdup(ps->name))) {
        ld->oom = 1;
        return;
    }
    if (set_line(sec, "guid")) {
        p->guid = ps->guid;
        p->guid_source = EF_GUID_GIVEN;
    } else {
        struct ef_provider_cfg tmp;
        char why[200];
        int prc = EF_EFORMAT;
        snprintf(why, sizeof(why), "':' in a name");
        if (!strchr(p->name, ':'))
            prc = ef_provider_spec_parse(p->name, &tmp, why, sizeof(why));
        if (prc < 0) {
            ef_cfg_error(ld, set_line(sec, "name") ? set_line(sec, "name") : sec->line, sec, "name",
                         "'%.80s': %s (expected a provider name or {GUID})", p->name, why);
            return;
        } else {
            free(p->name);
            p->name = tmp.name;
            tmp.name = NULL;
            p->guid = tmp.guid;
            p->guid_source = tmp.guid_source;
            ef_provider_cfg_free(&tmp);
        }
    }
    for (i = 0; i < ps->sessions.n; i++) {
        struct ef_session_cfg *s = find_session(ld->cfg, ps->sessions.v[i]);
        struct ef_provider_cfg *v;
        if (!s) {
            unknown_ref(ld, sec, "session", sline, ps->sessions.v[i], EF_SEC_SESSION);
            continue;
        }
        if (s->kind == EF_SESSION_KERNEL) {
            ef_cfg_error(ld, sline, sec, "session",
                         "session %s is kind = kernel, which takes kernel flags, not manifest "
                         "providers (expected a kind = realtime session)",
                         s->name);
            continue;
        }
        if (s->kind == EF_SESSION_EXISTING) {
            ef_cfg_error(ld, sline, sec, "session", "session %s: %s", s->name,
                         existing_no_providers);
            continue;
        }
        if (s->kind != EF_SESSION_REALTIME) {
            if (s->kind >= 0)
                ef_cfg_error(ld, sline, sec, "session",
                             "session %s is kind = %s, which enables no providers (expected a "
                             "kind = realtime session)",
                             s->name, ef_session_kind_names[s->kind]);
            continue;
        }
        v = realloc(s->providers.v, (s->providers.n + 1) * sizeof(*v));
        if (!v) {
            ld->oom = 1;
            return;
        }
        s->providers.v = v;
        if (ef_provider_cfg_copy(&v[s->providers.n], p) < 0 ||
            !(v[s->providers.n].section = strdup(ps->name))) {
            ld->oom = 1;
            return;
        }
        v[s->providers.n].line = sec->line;
        s->providers.n++;
    }
}

static int same_provider(const struct ef_provider_cfg *a, const struct ef_provider_cfg *b)
{
    if (a->guid_source != EF_GUID_UNRESOLVED && b->guid_source != EF_GUID_UNRESOLVED)
        return ef_guid_equal(&a->guid, &b->guid);
    return strcasecmp(a->name, b->name) == 0;
}

/* Whether etwfwd starts (and so names) this session itself. */
static int owned(const struct ef_session_cfg *s)
{
    return s->kind == EF_SESSION_REALTIME ||
           (s->kind == EF_SESSION_KERNEL && s->kernel_session == EF_KERNEL_PRIVATE);
}

const char *ef_session_etw_name(const struct ef_session_cfg *s, char *buf, size_t cap)
{
    if (owned(s)) {
        snprintf(buf, cap, "%s%s", EF_ETW_SESSION_PREFIX, s->name);
        return buf;
    }
    if (s->kind == EF_SESSION_KERNEL)
        return EF_ETW_KERNEL_LOGGER_NAME;
    if (s->kind == EF_SESSION_EXISTING)
        return s->trace_name;
    return NULL;
}

/*
 * Session names ETW cannot hold, and conflicts with the sessions above this
 * one: a second NT Kernel Logger, or a name StartTrace would take for the
 * same session (names ignore case) so that one on_exists = restart would stop
 * the other.
 */
static void check_etw_names(struct ef_cfg_loader *ld, const struct ef_cfg_sec *sec)
{
    const struct ef_session_cfg *s = sec->obj, *t;
    const struct ef_cfg_sec *prev;
    char mine[128], theirs[128];
    const char *name = ef_session_etw_name(s, mine, sizeof(mine));
    size_t units;

    if (!name)
        return;
    units = utf16_units(name);
    if (units + 1 > EF_ETW_MAX_NAME) {
        int ours = s->kind != EF_SESSION_EXISTING;
        /* Section names are at most 64 characters, so ours can only fail if that changes. */
        ef_cfg_error(ld, ours ? sec->line : set_line(sec, "trace_name"), sec,
                     ours ? NULL : "trace_name",
                     "the ETW session name%s is %zu UTF-16 units (expected at most %u: ETW "
                     "names hold %u with the NUL)",
                     ours ? " with its " EF_ETW_SESSION_PREFIX " prefix" : "", units,
                     EF_ETW_MAX_NAME - 1, EF_ETW_MAX_NAME);
    }
    for (prev = ld->secs; prev < sec; prev++) {
        if (prev->kind != EF_SEC_SESSION)
            continue;
        t = prev->obj;
        if (s->kind == EF_SESSION_KERNEL && t->kind == EF_SESSION_KERNEL &&
            s->kernel_session == EF_KERNEL_NT_KERNEL_LOGGER &&
            t->kernel_session == EF_KERNEL_NT_KERNEL_LOGGER) {
            ef_cfg_error(ld, set_line(sec, "kernel_session"), sec, "kernel_session",
                         "session %s already uses the NT Kernel Logger (at line %u; expected "
                         "kernel_session = private: Windows has only one NT Kernel Logger)",
                         t->name, t->line);
            return;
        }
        if (owned(s) && owned(t) &&
            strcasecmp(name, ef_session_etw_name(t, theirs, sizeof(theirs))) == 0) {
            ef_cfg_error(ld, sec->line, sec, NULL,
                         "its ETW session %s is the same as session %s's at line %u (expected "
                         "names that differ in more than case: ETW names ignore case)",
                         name, t->name, t->line);
            return;
        }
    }
}

/* The watchdog's backoff cannot start above its ceiling. */
static void check_reconnect(struct ef_cfg_loader *ld, const struct ef_cfg_sec *sec)
{
    const struct ef_session_cfg *s = sec->obj;
    struct ef_buf lo, hi;
    unsigned max_line = set_line(sec, "reconnect_max");

    if (s->kind != EF_SESSION_REALTIME && s->kind != EF_SESSION_KERNEL &&
        s->kind != EF_SESSION_EXISTING)
        return;
    if (s->reconnect_min_ms <= s->reconnect_max_ms)
        return;
    ef_buf_init(&lo, 64);
    ef_buf_init(&hi, 64);
    ef_cfg_format_duration(s->reconnect_min_ms, &lo);
    ef_cfg_format_duration(s->reconnect_max_ms, &hi);
    /* Blame the key the user wrote: max if given, else min against the default max. */
    if (max_line)
        ef_cfg_error(ld, max_line, sec, "reconnect_max",
                     "%s is less than reconnect_min %s (expected at least reconnect_min)",
                     hi.data ? hi.data : "?", lo.data ? lo.data : "?");
    else
        ef_cfg_error(ld, set_line(sec, "reconnect_min"), sec, "reconnect_min",
                     "%s is more than reconnect_max %s, its default (expected at most "
                     "reconnect_max, or reconnect_max set too)",
                     lo.data ? lo.data : "?", hi.data ? hi.data : "?");
    ef_buf_free(&lo);
    ef_buf_free(&hi);
}

static void check_session(struct ef_cfg_loader *ld, const struct ef_cfg_sec *sec)
{
    struct ef_session_cfg *s = sec->obj;
    size_t i, j;

    check_etw_names(ld, sec);
    check_reconnect(ld, sec);

    if (s->kind == EF_SESSION_REALTIME && s->providers.n == 0 && !set_line(sec, "provider"))
        ef_cfg_error(ld, sec->line, sec, NULL,
                     "a realtime session without providers (expected provider = Name lines or "
                     "a [provider:NAME] section with session = %s)",
                     s->name);
    if (s->kind == EF_SESSION_KERNEL && !set_line(sec, "kernel_flags"))
        ef_cfg_error(ld, sec->line, sec, NULL,
                     "a kernel session without kernel flags (expected kernel_flags = "
                     "process,thread,image_load or similar)");
    if (s->min_buffers > s->max_buffers)
        ef_cfg_error(ld, set_line(sec, "max_buffers") ? set_line(sec, "max_buffers") : sec->line,
                     sec, "max_buffers",
                     "%lld is less than min_buffers %lld (expected at least "
                     "min_buffers)",
                     (long long)s->max_buffers, (long long)s->min_buffers);
    if (s->flush_timer_ms % 1000)
        ef_cfg_error(ld, set_line(sec, "flush_timer"), sec, "flush_timer",
                     "not whole seconds (expected a duration in s, m or h: ETW counts seconds)");
    if (s->queue_full < 0)
        s->queue_full = s->kind == EF_SESSION_FILE ? EF_QUEUE_FULL_BLOCK : EF_QUEUE_FULL_DROP;
    if (s->kind == EF_SESSION_KERNEL)
        return; /* its providers are refused whole by check_rows */
    for (i = 1; i < s->providers.n; i++) {
        for (j = 0; j < i; j++) {
            if (!same_provider(&s->providers.v[i], &s->providers.v[j]))
                continue;
            ef_cfg_error(ld, s->providers.v[i].line, sec, "provider",
                         "%s is enabled twice in this session (first at line %u; expected each "
                         "provider once)",
                         s->providers.v[i].name, s->providers.v[j].line);
            break;
        }
    }
}

static void check_sink(struct ef_cfg_loader *ld, const struct ef_cfg_sec *sec)
{
    static const char *const tls_keys[] = {"tls_verify", "ca_file", "ca_path", "client_cert",
                                           "client_key"};
    struct ef_sink_cfg *k = sec->obj;
    size_t i;

    /* Per-type defaults, which one table row cannot express (see queue_full). */
    if (k->in_flight == 0)
        k->in_flight = k->type == EF_SINK_HTTP ? 2 : 1;
    if (k->compress == EF_COMPRESS_AUTO)
        k->compress = k->type == EF_SINK_HTTP &&
                              (k->format == EF_HTTP_ES_BULK || k->format == EF_HTTP_SPLUNK_HEC)
                          ? EF_COMPRESS_GZIP
                          : EF_COMPRESS_NONE;
    if (k->type == EF_SINK_HTTP && k->hec_ack && k->format != EF_HTTP_SPLUNK_HEC)
        ef_cfg_error(ld, set_line(sec, "hec_ack"), sec, "hec_ack",
                     "only for Splunk (expected format = splunk-hec)");
    if ((k->type == EF_SINK_HTTP || k->type == EF_SINK_SYSLOG) && !k->client_cert != !k->client_key)
        ef_cfg_error(ld, set_line(sec, k->client_cert ? "client_cert" : "client_key"), sec,
                     k->client_cert ? "client_cert" : "client_key",
                     "given without %s (expected client_cert and client_key together)",
                     k->client_cert ? "client_key" : "client_cert");
    if (k->type == EF_SINK_SYSLOG && k->transport != EF_SYSLOG_TLS) {
        for (i = 0; i < sizeof(tls_keys) / sizeof(tls_keys[0]); i++) {
            if (set_line(sec, tls_keys[i]))
                ef_cfg_error(ld, set_line(sec, tls_keys[i]), sec, tls_keys[i],
                             "does not apply to transport = %s (expected transport = tls)",
                             k->transport == EF_SYSLOG_UDP ? "udp" : "tcp");
        }
    }
    if (k->type == EF_SINK_SYSLOG && k->transport == EF_SYSLOG_UDP && k->max_message_size > 65507)
        ef_cfg_error(
            ld, set_line(sec, "max_message_size") ? set_line(sec, "max_message_size") : sec->line,
            sec, "max_message_size",
            "larger than a UDP datagram (expected at most 65507 bytes with transport = "
            "udp)");
}

static void check_route(struct ef_cfg_loader *ld, const struct ef_cfg_sec *sec)
{
    struct ef_route_cfg *r = sec->obj;
    size_t i;

    for (i = 0; i < r->sessions.n; i++) {
        if (!find_session(ld->cfg, r->sessions.v[i]))
            unknown_ref(ld, sec, "session", set_line(sec, "session"), r->sessions.v[i],
                        EF_SEC_SESSION);
    }
    for (i = 0; i < r->sinks.n; i++) {
        if (!find_sink(ld->cfg, r->sinks.v[i]))
            unknown_ref(ld, sec, "sink", set_line(sec, "sink"), r->sinks.v[i], EF_SEC_SINK);
    }
}

/* With no [route:NAME], one implicit route takes every session to every sink. */
static void routes(struct ef_cfg_loader *ld)
{
    struct ef_config *c = ld->cfg;
    struct ef_route_cfg *r, **v;
    size_t i, j, k;
    int found;

    if (c->n_routes == 0 && c->n_sessions && c->n_sinks) {
        v = malloc(sizeof(*v));
        r = calloc(1, sizeof(*r));
        if (!v || !r || !(r->name = strdup("default"))) {
            free(v);
            free(r);
            ld->oom = 1;
            return;
        }
        c->routes = v;
        c->routes[c->n_routes++] = r;
        r->implicit = 1;
        for (i = 0; i < c->n_sessions && !ld->oom; i++)
            ld->oom |= ef_cfg_list_add(&r->sessions, c->sessions[i]->name) < 0;
        for (i = 0; i < c->n_sinks && !ld->oom; i++)
            ld->oom |= ef_cfg_list_add(&r->sinks, c->sinks[i]->name) < 0;
        return;
    }
    for (i = 0; i < c->n_sessions; i++) {
        found = 0;
        for (j = 0; j < c->n_routes && !found; j++) {
            for (k = 0; k < c->routes[j]->sessions.n && !found; k++)
                found = strcmp(c->routes[j]->sessions.v[k], c->sessions[i]->name) == 0;
        }
        if (!found) {
            for (j = 0; j < ld->n_secs; j++) {
                if (ld->secs[j].obj == c->sessions[i])
                    ef_cfg_error(ld, c->sessions[i]->line, &ld->secs[j], NULL,
                                 "no [route:NAME] takes this session's events (expected it in "
                                 "a route, or no routes at all: then every session goes to "
                                 "every sink)");
            }
        }
    }
}

void ef_cfg_check(struct ef_cfg_loader *ld)
{
    struct ef_service_cfg *svc = &ld->cfg->service;
    size_t i;

    for (i = 0; i < ld->n_secs; i++) {
        if (ld->secs[i].kind >= 0)
            check_rows(ld, &ld->secs[i]);
    }
    for (i = 0; i < ld->n_secs && !ld->oom; i++) {
        if (ld->secs[i].kind == EF_SEC_PROVIDER)
            attach_provider(ld, &ld->secs[i]);
    }
    for (i = 0; i < ld->n_secs && !ld->oom; i++) {
        switch (ld->secs[i].kind) {
        case EF_SEC_SESSION:
            check_session(ld, &ld->secs[i]);
            break;
        case EF_SEC_SINK:
            check_sink(ld, &ld->secs[i]);
            break;
        case EF_SEC_ROUTE:
            check_route(ld, &ld->secs[i]);
            break;
        case EF_SEC_SERVICE:
            if (svc->spool_segment_size > svc->spool_max_size)
                ef_cfg_error(ld, set_line(&ld->secs[i], "spool_max_size"), &ld->secs[i],
                             "spool_max_size",
                             "smaller than spool_segment_size (expected at least one segment)");
            break;
        default:
            break;
        }
    }
    if (ld->cfg->n_sessions == 0)
        ef_cfg_error(ld, 0, NULL, NULL,
                     "no [session:NAME] section (expected at least one: nothing to collect)");
    if (ld->cfg->n_sinks == 0)
        ef_cfg_error(ld, 0, NULL, NULL,
                     "no [sink:NAME] section (expected at least one: events would go nowhere)");
    if (!ld->oom)
        routes(ld);
}

/*
 * session_win.c - controlling one ETW session through struct ef_etw_api:
 * StartTraceW (with on_exists), ControlTraceW (QUERY, STOP) and
 * EnableTraceEx2 (enable, capture state, disable).
 *
 * DESIGN. A session is owned (we started it), attached (kind = existing,
 * or on_exists = attach found one running) or stopped.
 *   start:   kind existing -> QUERY by name: running -> attached, 4201 -> EF_ENOENT.
 *            otherwise StartTrace -> 0: owned; 183 -> on_exists:
 *              restart: STOP by name (0, 4201, 234 = stopped), StartTrace once more;
 *              attach:  attached (never stopped, changed or enabled into);
 *              fail:    EF_EEXIST naming the session and the option.
 *            Then QUERY, and *applied gets what ETW applied.
 *   enable:  owned only; the provider joins s->enabled (a GUID list).
 *   stop:    owned: DISABLE every provider of s->enabled, then STOP
 *            (0, 4201, 234 and 2402 = stopped); attached: nothing.
 * Every ControlTrace and StartTrace gets a fresh properties block from
 * ef_etw_props_init(): ControlTrace overwrites the block it is given, so a
 * reused block would carry ETW's answers (and a LogFileNameOffset) into
 * the next call (ETW-NOTES §1). The caller serializes calls on one session.
 */
#include "etw/session.h"

#include "etw/error_win.h"
#include "etw/etw_defs.h"
#include "etw/filter.h"
#include "util/attr.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The struct, then room for two names (session, log file) of EF_ETW_MAX_NAME units. */
#define PROPS_SIZE (sizeof(EVENT_TRACE_PROPERTIES) + 2 * EF_ETW_MAX_NAME * sizeof(WCHAR))

/* A properties block with the struct's alignment. */
union props {
    EVENT_TRACE_PROPERTIES p;
    unsigned char b[PROPS_SIZE];
};

struct ef_etw_session {
    const struct ef_etw_api *api;
    struct ef_etw_session_opts o; /* o.name points at name */
    char *name;
    WCHAR wname[EF_ETW_MAX_NAME];
    TRACEHANDLE handle; /* 0 when attached: control calls go by name */
    int owned;
    int stopped;
    GUID *enabled; /* the providers we enabled, disabled again at stop */
    size_t n_enabled, cap_enabled;
};

/* ---- names and properties ---- */

static const char *session_name(const struct ef_etw_session_opts *o)
{
    if (o->kind == EF_SESSION_KERNEL && o->nt_kernel_logger)
        return EF_ETW_KERNEL_LOGGER_NAME;
    return o->name;
}

/* UTF-8 to UTF-16 with the NUL, at most cap units. Returns the units or -1. */
static int to_wide(const char *s, WCHAR *out, int cap)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);

    if (n <= 0 || n > cap)
        return -1;
    return MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, out, cap) == n ? n : -1;
}

static uint32_t default_mode(const struct ef_etw_session_opts *o)
{
    switch (o->kind) {
    case EF_SESSION_REALTIME:
        return EF_ETW_REAL_TIME_MODE | EF_ETW_INDEPENDENT_SESSION;
    case EF_SESSION_KERNEL:
        /* The NT Kernel Logger is a system logger by its name and GUID. */
        return o->nt_kernel_logger ? EF_ETW_REAL_TIME_MODE
                                   : EF_ETW_REAL_TIME_MODE | EF_ETW_SYSTEM_LOGGER_MODE;
    default:
        /* kind = existing: the block only names the session for QUERY. */
        return 0;
    }
}

size_t ef_etw_props_init(void *buf, size_t cap, const struct ef_etw_session_opts *o)
{
    static const GUID kernel_guid = EF_ETW_SYSTEM_TRACE_CONTROL_GUID;
    EVENT_TRACE_PROPERTIES *p = buf;
    const char *name = session_name(o);

    if (!buf || cap < PROPS_SIZE || !name)
        return 0;
    memset(buf, 0, PROPS_SIZE);
    if (to_wide(name, (WCHAR *)((unsigned char *)buf + sizeof(*p)), EF_ETW_MAX_NAME) < 0)
        return 0;
    p->Wnode.BufferSize = (ULONG)PROPS_SIZE;
    p->Wnode.Flags = EF_WNODE_FLAG_TRACED_GUID;
    p->Wnode.ClientContext = o->clock ? o->clock : EF_ETW_CLOCK_QPC;
    /*
     * GUID_NULL lets ETW make one up; only the NT Kernel Logger has a fixed
     * GUID, and ETW refuses it under any other name (87).
     */
    if (o->kind == EF_SESSION_KERNEL && o->nt_kernel_logger)
        p->Wnode.Guid = kernel_guid;
    p->BufferSize = o->buffer_size_kb;
    p->MinimumBuffers = o->min_buffers;
    p->MaximumBuffers = o->max_buffers;
    p->FlushTimer = o->flush_timer_s;
    p->LogFileMode = o->log_file_mode ? o->log_file_mode : default_mode(o);
    p->EnableFlags = o->kind == EF_SESSION_KERNEL ? o->enable_flags : 0;
    /* Real time only: no log file, the session name right after the struct. */
    p->LogFileNameOffset = 0;
    p->LoggerNameOffset = (ULONG)sizeof(*p);
    return PROPS_SIZE;
}

/* ---- errors ---- */

static const struct {
    unsigned long code;
    const char *text;
} win_errors[] = {
    {0, "0 ERROR_SUCCESS"},
    {5, "5 ERROR_ACCESS_DENIED: insufficient rights"},
    {6, "6 ERROR_INVALID_HANDLE: not a valid session handle"},
    {24, "24 ERROR_BAD_LENGTH: the properties buffer is too small"},
    {87, "87 ERROR_INVALID_PARAMETER: bad properties, offsets, modes or filters"},
    {122, "122 ERROR_INSUFFICIENT_BUFFER: the buffer is too small"},
    {161, "161 ERROR_BAD_PATHNAME: no log file and no real-time mode, or the file is in use"},
    {183, "183 ERROR_ALREADY_EXISTS: a session of that name or GUID already runs"},
    {234, "234 ERROR_MORE_DATA: the properties have no room for two names"},
    {998, "998 ERROR_NOACCESS: a callback raised an exception"},
    {1223, "1223 ERROR_CANCELLED: processing was cancelled"},
    {1450, "1450 ERROR_NO_SYSTEM_RESOURCES: too many sessions"},
    {1460, "1460 ERROR_TIMEOUT: the provider did not answer in time"},
    {2402, "2402 ERROR_ACTIVE_CONNECTIONS: the session is already stopping"},
    {4201, "4201 ERROR_WMI_INSTANCE_NOT_FOUND: no such session is running"},
    {7007, "7007 ERROR_CTX_CLOSE_PENDING: the trace closes once ProcessTrace drains it"},
};

const char *ef_etw_win_error_name(unsigned long code)
{
    static _Thread_local char unknown[48];
    size_t i;

    for (i = 0; i < EF_ARRAY_LEN(win_errors); i++)
        if (win_errors[i].code == code)
            return win_errors[i].text;
    snprintf(unknown, sizeof(unknown), "%lu (a Win32 error)", code);
    return unknown;
}

/* What to do about a refused StartTrace or EnableTraceEx2, as far as the code tells. */
static const char *advice(ULONG st, const struct ef_etw_session *s)
{
    switch (st) {
    case ERROR_ACCESS_DENIED:
        return s->o.kind == EF_SESSION_KERNEL
                   ? "run etwfwd as administrator or as LocalSystem (kernel sessions need it)"
                   : "run etwfwd as administrator or as a member of Performance Log Users";
    case ERROR_NO_SYSTEM_RESOURCES:
        return "too many ETW sessions run (64 by default; since Windows 10 1709 the "
               "EtwMaxLoggers value under HKLM\\SYSTEM\\CurrentControlSet\\Control\\WMI, "
               "read at boot; at most 8 system loggers): stop unused sessions "
               "(logman query -ets) or raise EtwMaxLoggers";
    case ERROR_INVALID_PARAMETER:
        return s->o.kind == EF_SESSION_KERNEL
                   ? "check the kernel options (SYSTEM_LOGGER_MODE needs Windows 8 or later)"
                   : "check the session options";
    default:
        return "";
    }
}

/* ---- control calls ---- */

static int fresh_props(const struct ef_etw_session *s, union props *pr)
{
    return ef_etw_props_init(pr, sizeof(*pr), &s->o) ? 0 : EF_EINVAL;
}

static ULONG control(struct ef_etw_session *s, ULONG code, union props *pr)
{
    if (fresh_props(s, pr) < 0)
        return ERROR_INVALID_PARAMETER;
    /* The name overrides the handle; both are given, so an attached session works too. */
    return s->api->control_trace(s->handle, s->wname, &pr->p, code);
}

static void read_query(const EVENT_TRACE_PROPERTIES *p, struct ef_etw_query *q)
{
    memset(q, 0, sizeof(*q));
    q->buffer_size_kb = p->BufferSize;
    q->min_buffers = p->MinimumBuffers;
    q->max_buffers = p->MaximumBuffers;
    q->number_of_buffers = p->NumberOfBuffers;
    q->free_buffers = p->FreeBuffers;
    q->flush_timer_s = p->FlushTimer;
    q->log_file_mode = p->LogFileMode;
    q->clock = p->Wnode.ClientContext;
    q->events_lost = p->EventsLost;
    q->buffers_written = p->BuffersWritten;
    q->log_buffers_lost = p->LogBuffersLost;
    q->rt_buffers_lost = p->RealTimeBuffersLost;
    q->logger_thread_id = (uint32_t)(uintptr_t)p->LoggerThreadId;
}

static ULONG query(struct ef_etw_session *s, struct ef_etw_query *q)
{
    union props pr;
    ULONG st = control(s, EF_ETW_CONTROL_QUERY, &pr);

    if (st == 0)
        read_query(&pr.p, q);
    return st;
}

/* STOP by name; 4201 (gone already), 234 (stopped, struct too small), 2402 (stopping). */
static ULONG stop_call(struct ef_etw_session *s)
{
    union props pr;
    ULONG st = control(s, EF_ETW_CONTROL_STOP, &pr);

    if (st == ERROR_WMI_INSTANCE_NOT_FOUND || st == ERROR_MORE_DATA ||
        st == ERROR_ACTIVE_CONNECTIONS)
        st = 0;
    return st;
}

/* ---- start ---- */

static int attach_existing(struct ef_etw_session *s, char *err, size_t errlen)
{
    struct ef_etw_query q;
    ULONG st = query(s, &q);

    if (st == ERROR_WMI_INSTANCE_NOT_FOUND) {
        snprintf(err, errlen,
                 "no session named %s is running (kind = existing attaches to a running "
                 "session; list them with `etwfwd sessions` or `logman query -ets`)",
                 s->name);
        return EF_ENOENT;
    }
    if (st != 0) {
        snprintf(err, errlen, "ControlTrace(QUERY, %s): %s%s%s", s->name, ef_etw_win_error_name(st),
                 advice(st, s)[0] ? "; " : "", advice(st, s));
        return ef_from_win32(st);
    }
    return 0;
}

static int on_exists_restart(struct ef_etw_session *s, char *err, size_t errlen)
{
    ULONG st = stop_call(s);

    if (st == 0)
        return 0;
    snprintf(err, errlen,
             "session %s already runs and could not be stopped for on_exists = restart: %s; "
             "%s, or set on_exists = attach to read from it",
             s->name, ef_etw_win_error_name(st),
             st == ERROR_ACCESS_DENIED ? "it belongs to another user or service: run etwfwd "
                                         "as administrator"
                                       : "stop it by hand (logman stop NAME -ets)");
    return ef_from_win32(st);
}

static int start_own(struct ef_etw_session *s, char *err, size_t errlen)
{
    int attempt, rc;

    for (attempt = 0; attempt < 2; attempt++) {
        union props pr;
        TRACEHANDLE h = 0;
        ULONG st;

        if (fresh_props(s, &pr) < 0) {
            snprintf(err, errlen, "session %s: cannot build its properties", s->name);
            return EF_EINVAL;
        }
        st = s->api->start_trace(&h, s->wname, &pr.p);
        if (st == 0) {
            /* The handle comes back both ways; Wnode.HistoricalContext is the documented one. */
            s->handle = h ? h : pr.p.Wnode.HistoricalContext;
            s->owned = 1;
            return 0;
        }
        if (st != ERROR_ALREADY_EXISTS) {
            snprintf(err, errlen, "StartTrace(%s): %s%s%s", s->name, ef_etw_win_error_name(st),
                     advice(st, s)[0] ? "; " : "", advice(st, s));
            return ef_from_win32(st);
        }
        if (attempt > 0) {
            snprintf(err, errlen,
                     "session %s runs again right after it was stopped for on_exists = "
                     "restart (another etwfwd or tool restarting it?)",
                     s->name);
            return EF_EEXIST;
        }
        switch (s->o.on_exists) {
        case EF_ON_EXISTS_RESTART:
            rc = on_exists_restart(s, err, errlen);
            if (rc < 0)
                return rc;
            break;
        case EF_ON_EXISTS_ATTACH:
            /* Someone's session (maybe a crashed etwfwd's): read it, never stop or change it. */
            s->owned = 0;
            s->handle = 0;
            return 0;
        default:
            snprintf(err, errlen,
                     "session %s already runs (left by a crashed etwfwd or started by another "
                     "tool) and on_exists = fail; set on_exists = restart to replace it or "
                     "on_exists = attach to read from it",
                     s->name);
            return EF_EEXIST;
        }
    }
    return EF_EEXIST; /* not reached: the loop returns */
}

int ef_etw_session_start(const struct ef_etw_session_opts *o, struct ef_etw_session **out,
                         struct ef_etw_query *applied, char *err, size_t errlen)
{
    struct ef_etw_session *s;
    struct ef_etw_query q;
    const char *name = session_name(o);
    ULONG st;
    int rc;

    *out = NULL;
    if (errlen)
        err[0] = 0;
    if (!o->api || !o->api->start_trace || !o->api->control_trace || !o->api->enable_trace_ex2 ||
        !name || !name[0]) {
        snprintf(err, errlen, "session: no ETW API table or no session name");
        return EF_EINVAL;
    }
    if (o->kind != EF_SESSION_REALTIME && o->kind != EF_SESSION_KERNEL &&
        o->kind != EF_SESSION_EXISTING) {
        snprintf(err, errlen, "session %s: kind %d is not a live ETW session", name, o->kind);
        return EF_EINVAL;
    }
    s = calloc(1, sizeof(*s));
    if (!s || !(s->name = strdup(name))) {
        free(s);
        snprintf(err, errlen, "session %s: out of memory", name);
        return EF_ENOMEM;
    }
    s->api = o->api;
    s->o = *o;
    s->o.name = s->name;
    if (to_wide(s->name, s->wname, EF_ETW_MAX_NAME) < 0) {
        snprintf(err, errlen,
                 "session name %s is not valid UTF-8 or longer than ETW's %u UTF-16 units", s->name,
                 EF_ETW_MAX_NAME - 1);
        rc = EF_EINVAL;
        goto fail;
    }

    rc = o->kind == EF_SESSION_EXISTING ? attach_existing(s, err, errlen)
                                        : start_own(s, err, errlen);
    if (rc < 0)
        goto fail;
    /* What ETW applied (buffer sizes and counts are adjusted), and proof that it runs. */
    st = query(s, &q);
    if (st != 0) {
        snprintf(err, errlen, "ControlTrace(QUERY, %s) after the start: %s", s->name,
                 ef_etw_win_error_name(st));
        rc = ef_from_win32(st);
        if (s->owned)
            (void)stop_call(s);
        goto fail;
    }
    if (applied)
        *applied = q;
    *out = s;
    return 0;

fail:
    ef_etw_session_free(s);
    return rc;
}

int ef_etw_session_owned(const struct ef_etw_session *s)
{
    return s->owned;
}

const wchar_t *ef_etw_session_wname(const struct ef_etw_session *s)
{
    return s->wname;
}

/* ---- providers ---- */

static void to_guid(const struct ef_guid *g, GUID *out)
{
    out->Data1 = g->data1;
    out->Data2 = g->data2;
    out->Data3 = g->data3;
    memcpy(out->Data4, g->data4, 8);
}

/* Only our own running session is changed: an attached one belongs to someone else. */
static int refuse_attached(const struct ef_etw_session *s, char *err, size_t errlen)
{
    if (s->owned && !s->stopped)
        return 0;
    snprintf(err, errlen, "session %s: %s", s->name,
             s->owned ? "already stopped"
                      : "attached, not started by etwfwd, so its providers are never changed");
    return EF_EINVAL;
}

static int remember(struct ef_etw_session *s, const GUID *g)
{
    size_t i;

    for (i = 0; i < s->n_enabled; i++)
        if (memcmp(&s->enabled[i], g, sizeof(*g)) == 0)
            return 0;
    if (s->n_enabled == s->cap_enabled) {
        size_t cap = s->cap_enabled ? 2 * s->cap_enabled : 8;
        GUID *v = realloc(s->enabled, cap * sizeof(*v));

        if (!v)
            return EF_ENOMEM;
        s->enabled = v;
        s->cap_enabled = cap;
    }
    s->enabled[s->n_enabled++] = *g;
    return 0;
}

int ef_etw_session_enable(struct ef_etw_session *s, const struct ef_provider_cfg *p,
                          const struct ef_guid *guid, char *err, size_t errlen)
{
    struct ef_etw_filters f;
    char gs[EF_GUID_STR_SIZE];
    GUID g;
    ULONG st;
    int rc;

    if (errlen)
        err[0] = 0;
    rc = refuse_attached(s, err, errlen);
    if (rc < 0)
        return rc;
    rc = ef_etw_filters_build(p, &f, err, errlen);
    if (rc < 0)
        return rc;
    to_guid(guid, &g);
    /* Room first, so that a provider is never enabled without being remembered. */
    rc = remember(s, &g);
    if (rc < 0) {
        snprintf(err, errlen, "session %s: out of memory", s->name);
        return rc;
    }
    /* Timeout 0: asynchronous, as the anchors do; the provider's callback runs later. */
    st = s->api->enable_trace_ex2(s->handle, &g, EF_ETW_ENABLE, (UCHAR)p->level, p->match_any,
                                  p->match_all, 0, &f.params);
    if (st == 0)
        return 0;
    ef_guid_format(guid, gs);
    if (st == ERROR_NO_SYSTEM_RESOURCES)
        snprintf(err, errlen,
                 "EnableTraceEx2(%s %s, session %s): %s; 8 sessions already enable this "
                 "provider (the most ETW allows): stop one of them",
                 p->name ? p->name : "", gs, s->name, ef_etw_win_error_name(st));
    else
        snprintf(err, errlen, "EnableTraceEx2(%s %s, session %s): %s%s%s", p->name ? p->name : "",
                 gs, s->name, ef_etw_win_error_name(st), advice(st, s)[0] ? "; " : "",
                 advice(st, s));
    return ef_from_win32(st);
}

/*
 * The kernel's rundown is not asked of a provider but of SystemTraceControlGuid,
 * and names the session it goes to in an EVENT_FILTER_TYPE_TRACEHANDLE filter
 * whose data is that session's TRACEHANDLE (ETW-NOTES §8, EFD). Without the
 * filter ETW does not know which session wants the state.
 */
static ULONG kernel_rundown(struct ef_etw_session *s, const GUID *kernel)
{
    TRACEHANDLE target = s->handle;
    EVENT_FILTER_DESCRIPTOR d;
    ENABLE_TRACE_PARAMETERS p;

    memset(&d, 0, sizeof(d));
    d.Ptr = (ULONGLONG)(uintptr_t)&target;
    d.Size = EF_ETW_TRACEHANDLE_FILTER_SIZE;
    d.Type = EF_ETW_FILTER_TRACEHANDLE;
    memset(&p, 0, sizeof(p));
    p.Version = EF_ETW_ENABLE_PARAMS_VERSION_2;
    p.EnableFilterDesc = &d;
    p.FilterDescCount = 1;
    return s->api->enable_trace_ex2(s->handle, kernel, EF_ETW_CAPTURE_STATE, 0, 0, 0, 0, &p);
}

int ef_etw_session_rundown(struct ef_etw_session *s, const struct ef_guid *guid, char *err,
                           size_t errlen)
{
    static const GUID kernel = EF_ETW_SYSTEM_TRACE_CONTROL_GUID;
    char gs[EF_GUID_STR_SIZE];
    GUID g;
    ULONG st;
    int rc;

    if (errlen)
        err[0] = 0;
    rc = refuse_attached(s, err, errlen);
    if (rc < 0)
        return rc;
    to_guid(guid, &g);
    if (memcmp(&g, &kernel, sizeof(g)) == 0)
        st = kernel_rundown(s, &kernel);
    else
        st = s->api->enable_trace_ex2(s->handle, &g, EF_ETW_CAPTURE_STATE, 0, 0, 0, 0, NULL);
    if (st == 0)
        return 0;
    ef_guid_format(guid, gs);
    snprintf(err, errlen, "EnableTraceEx2(CAPTURE_STATE %s, session %s): %s%s", gs, s->name,
             ef_etw_win_error_name(st),
             st == ERROR_INVALID_PARAMETER && memcmp(&g, &kernel, sizeof(g)) == 0
                 ? "; the kernel's rundown to one session needs Windows 10 or later"
                 : "");
    return ef_from_win32(st);
}

int ef_etw_session_kernel_rundown(struct ef_etw_session *s, char *err, size_t errlen)
{
    static const struct ef_guid kernel = {
        0x9e814aad, 0x3204, 0x11d2, {0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39}};

    return ef_etw_session_rundown(s, &kernel, err, errlen);
}

/* ---- query, stop ---- */

int ef_etw_session_query(struct ef_etw_session *s, struct ef_etw_query *q)
{
    ULONG st = query(s, q);

    return st == 0 ? 0 : ef_from_win32(st); /* 4201 gives EF_ENOENT */
}

int ef_etw_session_stop(struct ef_etw_session *s)
{
    ULONG st;
    size_t i;

    if (!s || s->stopped)
        return 0;
    if (!s->owned) {
        /* Attached: someone else's session, left running as it was. */
        s->stopped = 1;
        return 0;
    }
    /*
     * An enable persists after its controller exits (ETW-NOTES §4), so each
     * is undone explicitly while the session still runs. A failure here
     * changes nothing about the stop that follows.
     */
    for (i = 0; i < s->n_enabled; i++)
        (void)s->api->enable_trace_ex2(s->handle, &s->enabled[i], EF_ETW_DISABLE, 0, 0, 0, 0, NULL);
    st = stop_call(s);
    if (st != 0)
        return ef_from_win32(st);
    s->stopped = 1;
    return 0;
}

void ef_etw_session_free(struct ef_etw_session *s)
{
    if (!s)
        return;
    free(s->enabled);
    free(s->name);
    free(s);
}

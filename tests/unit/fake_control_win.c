/*
 * fake_control_win.c - the controller half of the fake ETW (fake_trace.h):
 * StartTraceW, ControlTraceW, EnableTraceEx2 and QueryAllTracesW.
 *
 * Each call first checks its arguments the way ../shared/ETW-NOTES.md
 * §1-4 and §7 describe them, byte by byte, and refuses a bad one with the
 * documented code, writing why into fake_trace.last_error (scripted
 * answers and state answers such as 183 or 4201 leave it empty, so a test
 * can tell "ETW said no" from "the caller built a bad block"). Then it
 * answers from fake_trace's script, or behaves:
 *   StartTraceW    applies and writes back the buffer sizes (2 buffers per
 *                  CPU at least), the clock, a GUID for GUID_NULL and the
 *                  handle (Wnode.HistoricalContext), and copies the name in;
 *   ControlTraceW  overwrites the block it is given with the session's
 *                  properties and counters (the trap of ETW-NOTES §1: its
 *                  Wnode.Flags and LogFileNameOffset are no longer valid
 *                  input afterwards); STOP marks the session stopped;
 *   EnableTraceEx2 records level, keywords, properties and a copy of each
 *                  filter's bytes; an ENABLE replaces the provider's filters.
 * All state is fake_trace's, under fake_trace.lock.
 */
#include "fake_trace.h"

#include "etw/etw_defs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* ControlTrace needs room for a session name and a file name of 1024 units each. */
#define NAME_ROOM          (2 * EF_ETW_MAX_NAME * sizeof(WCHAR))
#define MAX_SYSTEM_LOGGERS 8
#define USE_PAGED_MEMORY   0x01000000u
#define PRIVATE_LOGGER     0x00000800u
#define PARAMS_VERSION_2   2u
/* ETW's BufferSize range, in KB (ETW-NOTES §1), and the fake's default for 0 (UNCONFIRMED). */
#define MIN_BUFFER_KB     4u
#define MAX_BUFFER_KB     16384u
#define DEFAULT_BUFFER_KB 64u

static const GUID kernel_guid = EF_ETW_SYSTEM_TRACE_CONTROL_GUID;
static const WCHAR kernel_name[] = L"NT Kernel Logger";

/* An argument check failed: say why, answer code. */
static ULONG refuse(ULONG code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(fake_trace.last_error, sizeof(fake_trace.last_error), fmt, ap);
    va_end(ap);
    return code;
}

static int guid_is_zero(const GUID *g)
{
    static const GUID zero;

    return memcmp(g, &zero, sizeof(*g)) == 0;
}

/* Units before the NUL, or max + 1 when there is none within max units. */
static size_t wlen(const WCHAR *s, size_t max)
{
    size_t i;

    for (i = 0; i < max; i++)
        if (!s[i])
            return i;
    return max + 1;
}

static struct fake_session *find_handle(TRACEHANDLE h)
{
    unsigned i;

    for (i = 0; i < FAKE_MAX_SESSIONS; i++) {
        struct fake_session *s = &fake_trace.sessions[i];

        if (s->used && h != 0 && s->handle == h)
            return s;
    }
    return NULL;
}

static unsigned cpus(void)
{
    SYSTEM_INFO si;

    GetSystemInfo(&si);
    return si.dwNumberOfProcessors ? si.dwNumberOfProcessors : 1;
}

static int is_system_logger(const struct fake_session *s)
{
    return (s->log_file_mode & EF_ETW_SYSTEM_LOGGER_MODE) || _wcsicmp(s->name, kernel_name) == 0;
}

/*
 * The checks every call taking an EVENT_TRACE_PROPERTIES block shares
 * (ETW-NOTES §1): the size covers the struct, Wnode.Flags has
 * WNODE_FLAG_TRACED_GUID, the name offsets lie inside the block, after the
 * struct, the session name before the file name.
 */
static ULONG check_block(const EVENT_TRACE_PROPERTIES *p, const char *call)
{
    ULONG size = p->Wnode.BufferSize;

    if (size < sizeof(*p))
        return refuse(ERROR_BAD_LENGTH,
                      "%s: Wnode.BufferSize %lu < sizeof(EVENT_TRACE_PROPERTIES) %u", call,
                      (unsigned long)size, (unsigned)sizeof(*p));
    if (!(p->Wnode.Flags & EF_WNODE_FLAG_TRACED_GUID))
        return refuse(ERROR_INVALID_PARAMETER, "%s: Wnode.Flags 0x%lx lacks WNODE_FLAG_TRACED_GUID",
                      call, (unsigned long)p->Wnode.Flags);
    if (p->LoggerNameOffset < sizeof(*p) || p->LoggerNameOffset >= size || p->LoggerNameOffset % 2)
        return refuse(
            ERROR_INVALID_PARAMETER, "%s: LoggerNameOffset %lu is not inside the block [%u, %lu)",
            call, (unsigned long)p->LoggerNameOffset, (unsigned)sizeof(*p), (unsigned long)size);
    if (p->LogFileNameOffset != 0 && (p->LogFileNameOffset <= p->LoggerNameOffset ||
                                      p->LogFileNameOffset >= size || p->LogFileNameOffset % 2))
        return refuse(ERROR_INVALID_PARAMETER,
                      "%s: LogFileNameOffset %lu is not inside the block after the session name "
                      "(LoggerNameOffset %lu, size %lu)",
                      call, (unsigned long)p->LogFileNameOffset, (unsigned long)p->LoggerNameOffset,
                      (unsigned long)size);
    return 0;
}

static WCHAR *at(EVENT_TRACE_PROPERTIES *p, ULONG off)
{
    return (WCHAR *)((unsigned char *)p + off);
}

/*
 * Writes the session's properties over p, as ControlTrace and
 * QueryAllTraces do: the counters come from the script, the names go to
 * the caller's offsets (a file-name offset is set if there was none, as
 * ETW's answer has one). Wnode.Flags comes back without
 * WNODE_FLAG_TRACED_GUID: what ETW leaves there is UNCONFIRMED, and the
 * notes say to reset it before reusing the block, so reuse fails here.
 * Returns 0, or ERROR_MORE_DATA when the names do not fit.
 */
static ULONG fill(EVENT_TRACE_PROPERTIES *p, const struct fake_session *s)
{
    ULONG size = p->Wnode.BufferSize, name_off = p->LoggerNameOffset;
    ULONG file_off = p->LogFileNameOffset;
    size_t len = wlen(s->name, EF_ETW_MAX_NAME);

    if (!file_off)
        file_off = name_off + EF_ETW_MAX_NAME * sizeof(WCHAR);
    if ((size_t)name_off + (len + 1) * sizeof(WCHAR) > size ||
        (size_t)file_off + sizeof(WCHAR) > size || file_off < name_off + (len + 1) * sizeof(WCHAR))
        return ERROR_MORE_DATA;
    memset(p, 0, sizeof(*p));
    p->Wnode.BufferSize = size;
    p->Wnode.Flags = 0;
    p->Wnode.Guid = s->guid;
    p->Wnode.HistoricalContext = s->handle;
    p->Wnode.ClientContext = s->clock;
    p->BufferSize = s->buffer_size;
    p->MinimumBuffers = s->min_buffers;
    p->MaximumBuffers = s->max_buffers;
    p->LogFileMode = s->log_file_mode;
    p->FlushTimer = s->flush_timer;
    p->EnableFlags = s->enable_flags;
    p->NumberOfBuffers = s->min_buffers;
    p->FreeBuffers = fake_trace.free_buffers;
    p->EventsLost = fake_trace.events_lost;
    p->BuffersWritten = fake_trace.buffers_written;
    p->LogBuffersLost = fake_trace.log_buffers_lost;
    p->RealTimeBuffersLost = fake_trace.rt_buffers_lost;
    p->LoggerThreadId = (HANDLE)(uintptr_t)(0x4000u + (unsigned)(s - fake_trace.sessions));
    p->LoggerNameOffset = name_off;
    p->LogFileNameOffset = file_off;
    memcpy(at(p, name_off), s->name, (len + 1) * sizeof(WCHAR));
    at(p, file_off)[0] = 0;
    return 0;
}

/* ---- StartTraceW ---- */

static ULONG check_start(LPCWSTR name, const EVENT_TRACE_PROPERTIES *p)
{
    size_t len = wlen(name, EF_ETW_MAX_NAME);
    ULONG mode = p->LogFileMode;
    ULONG st = check_block(p, "StartTraceW");
    int kguid, kname;

    if (st)
        return st;
    if (len == 0 || len >= EF_ETW_MAX_NAME)
        return refuse(ERROR_INVALID_PARAMETER,
                      "StartTraceW: the session name has %s units (1..1023 allowed)",
                      len == 0 ? "0" : "1024 or more");
    if ((size_t)p->LoggerNameOffset + (len + 1) * sizeof(WCHAR) > p->Wnode.BufferSize)
        return refuse(ERROR_BAD_LENGTH,
                      "StartTraceW: Wnode.BufferSize %lu has no room for the %u-unit name at "
                      "LoggerNameOffset %lu",
                      (unsigned long)p->Wnode.BufferSize, (unsigned)len + 1,
                      (unsigned long)p->LoggerNameOffset);
    /* The fake runs real-time sessions only; a stale offset from a reused block lands here. */
    if (p->LogFileNameOffset != 0)
        return refuse(ERROR_BAD_PATHNAME,
                      "StartTraceW: LogFileNameOffset %lu, but a real-time session has none "
                      "(the fake has no log files)",
                      (unsigned long)p->LogFileNameOffset);
    if (!(mode & EF_ETW_REAL_TIME_MODE))
        return refuse(ERROR_BAD_PATHNAME,
                      "StartTraceW: LogFileMode 0x%lx without REAL_TIME_MODE and no log file",
                      (unsigned long)mode);
    kguid = memcmp(&p->Wnode.Guid, &kernel_guid, sizeof(GUID)) == 0;
    kname = _wcsicmp(name, kernel_name) == 0;
    if (kguid && !kname)
        return refuse(ERROR_INVALID_PARAMETER,
                      "StartTraceW: SystemTraceControlGuid needs the name \"NT Kernel Logger\"");
    if ((mode & EF_ETW_SYSTEM_LOGGER_MODE) && (mode & USE_PAGED_MEMORY))
        return refuse(ERROR_INVALID_PARAMETER,
                      "StartTraceW: a system logger cannot use paged memory");
    if (p->Wnode.ClientContext > EF_ETW_CLOCK_CYCLES)
        return refuse(ERROR_INVALID_PARAMETER, "StartTraceW: Wnode.ClientContext %lu is no clock",
                      (unsigned long)p->Wnode.ClientContext);
    return 0;
}

static struct fake_session *slot_for(LPCWSTR name)
{
    struct fake_session *s = fake_trace_find_w(name);
    unsigned i;

    if (s)
        return s; /* not running (checked before): the same name starts again */
    for (i = 0; i < FAKE_MAX_SESSIONS; i++)
        if (!fake_trace.sessions[i].used)
            return &fake_trace.sessions[i];
    return NULL;
}

static void apply(struct fake_session *s, LPCWSTR name, EVENT_TRACE_PROPERTIES *p)
{
    unsigned idx = (unsigned)(s - fake_trace.sessions);
    unsigned min_buffers = 2 * cpus();
    ULONG kb = p->BufferSize;
    HANDLE ev = s->stopped, qev = s->queued;
    unsigned starts = s->starts, stops = s->stops;
    struct fake_queued *q;

    /* What an earlier run of the name left unread is gone with it. */
    while ((q = fake_trace_queue_pop(s)) != NULL)
        fake_trace_queued_free(q);
    memset(s, 0, sizeof(*s));
    s->used = 1;
    s->running = 1;
    s->ours = 1;
    s->starts = starts + 1;
    s->stops = stops;
    /* A consumer of an earlier run may still hold the events: they are reset, not replaced. */
    s->stopped = ev;
    s->queued = qev;
    fake_trace_session_init_events(s);
    memcpy(s->name, name, (wlen(name, EF_ETW_MAX_NAME) + 1) * sizeof(WCHAR));
    s->handle = 0x2000u + ((TRACEHANDLE)fake_trace.start_calls << 4) + idx;
    s->guid = p->Wnode.Guid;
    if (guid_is_zero(&s->guid)) {
        /* GUID_NULL: ETW makes one up. */
        s->guid.Data1 = 0xfa4e0000u + fake_trace.start_calls;
        s->guid.Data2 = 0x7e57;
        s->guid.Data3 = (USHORT)idx;
    }
    s->buffer_size = kb == 0              ? DEFAULT_BUFFER_KB
                     : kb < MIN_BUFFER_KB ? MIN_BUFFER_KB
                     : kb > MAX_BUFFER_KB ? MAX_BUFFER_KB
                                          : kb;
    s->min_buffers = p->MinimumBuffers > min_buffers ? p->MinimumBuffers : min_buffers;
    s->max_buffers = p->MaximumBuffers > s->min_buffers ? p->MaximumBuffers : s->min_buffers;
    s->flush_timer = p->FlushTimer;
    s->log_file_mode = p->LogFileMode;
    s->enable_flags = p->EnableFlags;
    s->clock = p->Wnode.ClientContext ? p->Wnode.ClientContext : EF_ETW_CLOCK_QPC;

    /* What ETW writes back: the applied values, the GUID, the handle and the name. */
    p->BufferSize = s->buffer_size;
    p->MinimumBuffers = s->min_buffers;
    p->MaximumBuffers = s->max_buffers;
    p->NumberOfBuffers = s->min_buffers;
    p->Wnode.ClientContext = s->clock;
    p->Wnode.Guid = s->guid;
    p->Wnode.HistoricalContext = s->handle;
    memcpy(at(p, p->LoggerNameOffset), s->name, (wlen(s->name, EF_ETW_MAX_NAME) + 1) * 2);
}

static ULONG start_locked(PTRACEHANDLE h, LPCWSTR name, PEVENT_TRACE_PROPERTIES p)
{
    struct fake_session *s;
    ULONG st;
    unsigned i, system = 0;

    if (!h || !name || !p)
        return refuse(ERROR_INVALID_PARAMETER, "StartTraceW: a NULL argument");
    *h = 0; /* on failure the handle is 0 (ETW-NOTES §2) */
    st = check_start(name, p);
    if (st)
        return st;
    if (fake_trace.n_start_status) {
        st = fake_trace.start_status[0];
        fake_trace.n_start_status--;
        memmove(fake_trace.start_status, fake_trace.start_status + 1,
                fake_trace.n_start_status * sizeof(fake_trace.start_status[0]));
        if (st)
            return st;
    }
    for (i = 0; i < FAKE_MAX_SESSIONS; i++) {
        struct fake_session *o = &fake_trace.sessions[i];

        if (!o->used || !o->running)
            continue;
        if (_wcsicmp(o->name, name) == 0)
            return ERROR_ALREADY_EXISTS;
        if (!guid_is_zero(&p->Wnode.Guid) && memcmp(&o->guid, &p->Wnode.Guid, sizeof(GUID)) == 0)
            return ERROR_ALREADY_EXISTS;
        system += is_system_logger(o);
    }
    if (((p->LogFileMode & EF_ETW_SYSTEM_LOGGER_MODE) || _wcsicmp(name, kernel_name) == 0) &&
        system >= MAX_SYSTEM_LOGGERS)
        return ERROR_NO_SYSTEM_RESOURCES;
    s = slot_for(name);
    if (!s)
        return ERROR_NO_SYSTEM_RESOURCES; /* the logger limit of the fake */
    apply(s, name, p);
    *h = s->handle;
    return 0;
}

static ULONG WINAPI fake_start_trace(PTRACEHANDLE h, LPCWSTR name, PEVENT_TRACE_PROPERTIES p)
{
    ULONG st;

    fake_trace_lock();
    fake_trace.start_calls++;
    st = start_locked(h, name, p);
    fake_trace_unlock();
    return st;
}

/* ---- ControlTraceW ---- */

static ULONG control_locked(TRACEHANDLE h, LPCWSTR name, PEVENT_TRACE_PROPERTIES p, ULONG code)
{
    struct fake_session *s;
    ULONG st;

    if (code == EF_ETW_CONTROL_STOP)
        fake_trace.stop_calls++;
    if (!p)
        return refuse(ERROR_INVALID_PARAMETER, "ControlTraceW: no properties");
    st = check_block(p, "ControlTraceW");
    if (st)
        return st;
    if (code > EF_ETW_CONTROL_FLUSH)
        return refuse(ERROR_INVALID_PARAMETER, "ControlTraceW: code %lu is not faked",
                      (unsigned long)code);
    /* A name, if given, overrides the handle (ETW-NOTES §3). */
    s = name && name[0] ? fake_trace_find_w(name) : find_handle(h);
    if (!s || !s->running)
        return ERROR_WMI_INSTANCE_NOT_FOUND;
    if (code == EF_ETW_CONTROL_STOP && fake_trace.stop_status) {
        st = fake_trace.stop_status;
        fake_trace.stop_status = 0;
        return st;
    }
    if (p->Wnode.BufferSize < sizeof(*p) + NAME_ROOM) {
        /* On STOP the session is stopped anyway; only the answer did not fit. */
        if (code == EF_ETW_CONTROL_STOP)
            fake_trace_session_stopped(s);
        return refuse(ERROR_MORE_DATA,
                      "ControlTraceW: Wnode.BufferSize %lu has no room for two %u-unit names",
                      (unsigned long)p->Wnode.BufferSize, EF_ETW_MAX_NAME);
    }
    if (code == EF_ETW_CONTROL_UPDATE) {
        /* The few things UPDATE may change on a real-time session. */
        if (p->FlushTimer)
            s->flush_timer = p->FlushTimer;
        if (p->MaximumBuffers > s->max_buffers)
            s->max_buffers = p->MaximumBuffers;
        if (is_system_logger(s))
            s->enable_flags = p->EnableFlags;
    }
    st = fill(p, s);
    if (code == EF_ETW_CONTROL_STOP)
        fake_trace_session_stopped(s);
    if (st)
        return refuse(st, "ControlTraceW: the names do not fit at the block's offsets");
    return 0;
}

static ULONG WINAPI fake_control_trace(TRACEHANDLE h, LPCWSTR name, PEVENT_TRACE_PROPERTIES p,
                                       ULONG code)
{
    ULONG st;

    fake_trace_lock();
    st = control_locked(h, name, p, code);
    fake_trace_unlock();
    return st;
}

/* ---- EnableTraceEx2 ---- */

static ULONG check_filter(const EVENT_FILTER_DESCRIPTOR *d)
{
    const unsigned char *b = (const unsigned char *)(uintptr_t)d->Ptr;
    ULONG size = d->Size;

    if (!b || size == 0)
        return refuse(ERROR_INVALID_PARAMETER, "EnableTraceEx2: filter 0x%lx has no data",
                      (unsigned long)d->Type);
    switch (d->Type) {
    case EF_ETW_FILTER_TRACEHANDLE:
        /* One TRACEHANDLE, the session the kernel's rundown goes to (EFD). */
        if (size != EF_ETW_TRACEHANDLE_FILTER_SIZE)
            return refuse(ERROR_INVALID_PARAMETER,
                          "EnableTraceEx2: TRACEHANDLE filter of %lu bytes (want one TRACEHANDLE, "
                          "8)",
                          (unsigned long)size);
        return 0;
    case EF_ETW_FILTER_EVENT_ID: {
        USHORT count;

        if (size < 4)
            return refuse(ERROR_INVALID_PARAMETER, "EnableTraceEx2: EVENT_ID filter of %lu bytes",
                          (unsigned long)size);
        memcpy(&count, b + 2, 2);
        if (b[0] > 1 || b[1] != 0 || count == 0 || count > EF_ETW_MAX_EVENT_ID_COUNT ||
            size != 4u + 2u * count)
            return refuse(ERROR_INVALID_PARAMETER,
                          "EnableTraceEx2: EVENT_ID filter FilterIn %u Reserved %u Count %u in %lu "
                          "bytes (want 4+2*Count, Count 1..64)",
                          b[0], b[1], count, (unsigned long)size);
        return 0;
    }
    case EF_ETW_FILTER_PID:
        if (size % 4 || size / 4 > EF_ETW_MAX_PID_COUNT)
            return refuse(ERROR_INVALID_PARAMETER,
                          "EnableTraceEx2: PID filter of %lu bytes (4 per PID, at most 8)",
                          (unsigned long)size);
        return 0;
    case EF_ETW_FILTER_EXECUTABLE_NAME: {
        const WCHAR *w = (const WCHAR *)(const void *)b;
        size_t n = size / 2;

        if (size % 2 || size < 4 || size > EF_ETW_MAX_FILTER_DATA_SIZE)
            return refuse(ERROR_INVALID_PARAMETER,
                          "EnableTraceEx2: EXECUTABLE_NAME filter of %lu bytes (UTF-16, at most "
                          "1024)",
                          (unsigned long)size);
        if (wlen(w, n) != n - 1)
            return refuse(ERROR_INVALID_PARAMETER,
                          "EnableTraceEx2: EXECUTABLE_NAME filter is not one NUL-terminated "
                          "UTF-16 string of its size");
        return 0;
    }
    default:
        if (size > FAKE_MAX_FILTER)
            return refuse(ERROR_INVALID_PARAMETER,
                          "EnableTraceEx2: filter 0x%lx of %lu bytes (the fake keeps %u)",
                          (unsigned long)d->Type, (unsigned long)size, FAKE_MAX_FILTER);
        return 0;
    }
}

static ULONG check_params(const ENABLE_TRACE_PARAMETERS *p)
{
    ULONG i, j, st;

    if (p->Version != PARAMS_VERSION_2)
        return refuse(ERROR_INVALID_PARAMETER,
                      "EnableTraceEx2: ENABLE_TRACE_PARAMETERS.Version %lu (want 2)",
                      (unsigned long)p->Version);
    if (p->ControlFlags != 0)
        return refuse(ERROR_INVALID_PARAMETER, "EnableTraceEx2: ControlFlags 0x%lx is reserved",
                      (unsigned long)p->ControlFlags);
    if (p->FilterDescCount > EF_ETW_MAX_FILTERS_COUNT ||
        (p->FilterDescCount && !p->EnableFilterDesc))
        return refuse(ERROR_INVALID_PARAMETER,
                      "EnableTraceEx2: FilterDescCount %lu (at most %u, with descriptors)",
                      (unsigned long)p->FilterDescCount, EF_ETW_MAX_FILTERS_COUNT);
    for (i = 0; i < p->FilterDescCount; i++) {
        for (j = 0; j < i; j++)
            if (p->EnableFilterDesc[j].Type == p->EnableFilterDesc[i].Type)
                return refuse(ERROR_INVALID_PARAMETER,
                              "EnableTraceEx2: filter type 0x%lx appears twice",
                              (unsigned long)p->EnableFilterDesc[i].Type);
        st = check_filter(&p->EnableFilterDesc[i]);
        if (st)
            return st;
    }
    return 0;
}

/* The params' filter of type, or NULL. */
static const EVENT_FILTER_DESCRIPTOR *filter_of(const ENABLE_TRACE_PARAMETERS *p, ULONG type)
{
    ULONG i;

    for (i = 0; p && i < p->FilterDescCount; i++)
        if (p->EnableFilterDesc[i].Type == type)
            return &p->EnableFilterDesc[i];
    return NULL;
}

/*
 * The kernel's rundown (ETW-NOTES §8, EFD): SystemTraceControlGuid is only
 * ever asked for CAPTURE_STATE, with one TRACEHANDLE filter naming a running
 * session; a TRACEHANDLE filter means nothing anywhere else. What Windows
 * answers to each wrong shape is UNCONFIRMED; 87 is its answer to bad
 * EnableTraceEx2 arguments.
 */
static ULONG check_kernel_rundown(LPCGUID provider, ULONG code, const ENABLE_TRACE_PARAMETERS *p)
{
    const EVENT_FILTER_DESCRIPTOR *th = filter_of(p, EF_ETW_FILTER_TRACEHANDLE);
    int kernel = memcmp(provider, &kernel_guid, sizeof(GUID)) == 0;
    struct fake_session *target;
    TRACEHANDLE h;

    if (th && (!kernel || code != EF_ETW_CAPTURE_STATE))
        return refuse(ERROR_INVALID_PARAMETER,
                      "EnableTraceEx2: a TRACEHANDLE filter is only for CAPTURE_STATE of "
                      "SystemTraceControlGuid (code %lu, %s provider)",
                      (unsigned long)code, kernel ? "the kernel" : "another");
    if (!kernel)
        return 0;
    if (code != EF_ETW_CAPTURE_STATE)
        return refuse(ERROR_INVALID_PARAMETER,
                      "EnableTraceEx2: SystemTraceControlGuid takes only CAPTURE_STATE (code %lu); "
                      "kernel events are chosen by EnableFlags",
                      (unsigned long)code);
    if (!th || p->FilterDescCount != 1)
        return refuse(ERROR_INVALID_PARAMETER,
                      "EnableTraceEx2: the kernel's CAPTURE_STATE needs exactly one TRACEHANDLE "
                      "filter naming the session (%lu filters given)",
                      p ? (unsigned long)p->FilterDescCount : 0ul);
    memcpy(&h, (const void *)(uintptr_t)th->Ptr, sizeof(h));
    target = find_handle(h);
    if (!target || !target->running)
        return refuse(ERROR_INVALID_PARAMETER,
                      "EnableTraceEx2: the TRACEHANDLE filter names 0x%llx, no running session",
                      (unsigned long long)h);
    return 0;
}

static void record_capture(struct fake_enabled *e, const ENABLE_TRACE_PARAMETERS *p)
{
    e->captures++;
    e->capture_filter_count = p ? p->FilterDescCount : 0;
    e->capture_filter_type = e->capture_filter_size = 0;
    memset(e->capture_filter_data, 0, sizeof(e->capture_filter_data));
    if (e->capture_filter_count) {
        const EVENT_FILTER_DESCRIPTOR *d = &p->EnableFilterDesc[0];

        e->capture_filter_type = d->Type;
        e->capture_filter_size = d->Size;
        memcpy(e->capture_filter_data, (const void *)(uintptr_t)d->Ptr,
               d->Size < sizeof(e->capture_filter_data) ? d->Size : sizeof(e->capture_filter_data));
    }
}

static struct fake_enabled *enabled_slot(struct fake_session *s, LPCGUID provider)
{
    struct fake_enabled *e = fake_trace_enabled(s, (const struct ef_guid *)(const void *)provider);

    if (e || s->n_enabled == FAKE_MAX_ENABLED)
        return e;
    e = &s->enabled[s->n_enabled++];
    memset(e, 0, sizeof(*e));
    e->provider = *provider;
    return e;
}

/* ENABLE replaces everything the provider had in this session, filters included. */
static void record_enable(struct fake_enabled *e, UCHAR level, ULONGLONG any, ULONGLONG all,
                          const ENABLE_TRACE_PARAMETERS *p)
{
    ULONG i;

    e->level = level;
    e->match_any = any;
    e->match_all = all;
    e->has_params = p != NULL;
    e->version = p ? p->Version : 0;
    e->enable_property = p ? p->EnableProperty : 0;
    e->filter_count = p ? p->FilterDescCount : 0;
    memset(e->filters, 0, sizeof(e->filters));
    for (i = 0; i < e->filter_count; i++) {
        const EVENT_FILTER_DESCRIPTOR *d = &p->EnableFilterDesc[i];

        e->filters[i].type = d->Type;
        e->filters[i].size = d->Size;
        memcpy(e->filters[i].data, (const void *)(uintptr_t)d->Ptr, d->Size);
    }
    e->enables++;
}

static ULONG enable_locked(TRACEHANDLE h, LPCGUID provider, ULONG code, UCHAR level, ULONGLONG any,
                           ULONGLONG all, PENABLE_TRACE_PARAMETERS params)
{
    struct fake_session *s;
    struct fake_enabled *e;
    ULONG st;

    if (!provider)
        return refuse(ERROR_INVALID_PARAMETER, "EnableTraceEx2: no provider GUID");
    s = find_handle(h);
    if (!s)
        return refuse(ERROR_INVALID_HANDLE, "EnableTraceEx2: no session has handle 0x%llx",
                      (unsigned long long)h);
    /* The code for a stopped session's handle is UNCONFIRMED; 4201 is "not running". */
    if (!s->running)
        return refuse(ERROR_WMI_INSTANCE_NOT_FOUND,
                      "EnableTraceEx2: the session of handle 0x%llx is not running",
                      (unsigned long long)h);
    if (code > EF_ETW_CAPTURE_STATE)
        return refuse(ERROR_INVALID_PARAMETER, "EnableTraceEx2: ControlCode %lu",
                      (unsigned long)code);
    if (params) {
        st = check_params(params);
        if (st)
            return st;
    }
    st = check_kernel_rundown(provider, code, params);
    if (st)
        return st;
    if (code == EF_ETW_ENABLE && fake_trace.enable_status)
        return fake_trace.enable_status;
    e = enabled_slot(s, provider);
    if (!e)
        return ERROR_NO_SYSTEM_RESOURCES;
    e->code = code;
    if (code == EF_ETW_ENABLE) {
        record_enable(e, level, any, all, params);
        e->on = 1;
    } else if (code == EF_ETW_DISABLE) {
        e->disables++;
        e->on = 0;
    } else {
        record_capture(e, params);
    }
    return 0;
}

static ULONG WINAPI fake_enable_trace_ex2(TRACEHANDLE h, LPCGUID provider, ULONG code, UCHAR level,
                                          ULONGLONG any, ULONGLONG all, ULONG timeout,
                                          PENABLE_TRACE_PARAMETERS params)
{
    ULONG st;

    fake_trace_lock();
    fake_trace.enable_calls++;
    (void)timeout; /* the fake keeps no record of it */
    st = enable_locked(h, provider, code, level, any, all, params);
    fake_trace_unlock();
    return st;
}

/* ---- QueryAllTracesW ---- */

static ULONG query_all_locked(PEVENT_TRACE_PROPERTIES *props, ULONG count, PULONG found)
{
    ULONG n = 0, st;
    unsigned i;

    if (!props || !found || count == 0)
        return refuse(ERROR_INVALID_PARAMETER, "QueryAllTracesW: no array, no count or no found");
    *found = 0;
    for (i = 0; i < FAKE_MAX_SESSIONS; i++) {
        const struct fake_session *s = &fake_trace.sessions[i];

        /* Private sessions are not listed (ETW-NOTES §7). */
        if (!s->used || !s->running || (s->log_file_mode & PRIVATE_LOGGER))
            continue;
        if (n == count) {
            *found = n;
            return ERROR_MORE_DATA; /* more sessions run than the array holds */
        }
        if (!props[n])
            return refuse(ERROR_INVALID_PARAMETER, "QueryAllTracesW: props[%lu] is NULL",
                          (unsigned long)n);
        st = check_block(props[n], "QueryAllTracesW");
        if (st)
            return st;
        if (props[n]->Wnode.BufferSize < sizeof(EVENT_TRACE_PROPERTIES) + NAME_ROOM ||
            fill(props[n], s) != 0)
            return refuse(ERROR_INVALID_PARAMETER,
                          "QueryAllTracesW: props[%lu] has no room for two 1024-unit names",
                          (unsigned long)n);
        n++;
    }
    *found = n;
    return 0;
}

static ULONG WINAPI fake_query_all_traces(PEVENT_TRACE_PROPERTIES *props, ULONG count, PULONG found)
{
    ULONG st;

    fake_trace_lock();
    st = query_all_locked(props, count, found);
    fake_trace_unlock();
    return st;
}

void fake_trace_install_control(struct ef_etw_api *api)
{
    api->start_trace = fake_start_trace;
    api->control_trace = fake_control_trace;
    api->enable_trace_ex2 = fake_enable_trace_ex2;
    api->query_all_traces = fake_query_all_traces;
}

/*
 * fake_consume_win.c - the consumer half of the fake ETW (fake_trace.h):
 * OpenTraceW, ProcessTrace and CloseTrace, as ../shared/ETW-NOTES.md §5-6
 * documents them, feeding the real callbacks EVENT_RECORDs built from a
 * shared .etl read with the portable reader (core/etl).
 *
 * DESIGN. Each OpenTraceW that succeeds takes a slot (`opens`) with a
 * handle of its own, the caller's callbacks and Context, and a copy of its
 * EVENT_TRACE_LOGFILEW: ETW passes its own copy to the BufferCallback, so
 * a consumer that reads anything but Context from it is caught. A slot
 * lives until CloseTrace; the handle numbers never repeat.
 *
 * ProcessTrace runs on the caller's thread: for each record of the trace
 * (the log-file header excepted: real-time consumers never receive it) it
 * delivers the scripted RT_LostEvent records due before that event, then
 * the event; after every events_per_buffer events a BufferCallback (FALSE
 * ends it with 1223 ERROR_CANCELLED). When the trace is delivered (or
 * max_events reached), a partial buffer is flushed as ETW's flush timer
 * would, and ProcessTrace waits, as a real-time session never ends by
 * itself, for one of two events: the slot's `closed` (CloseTrace, unless
 * ignore_close) or the session's `stopped` (a stop from outside). While it
 * waits it delivers what providers write into the session
 * (fake_provider_win.c queues it and sets the session's `queued`), in
 * buffers as above; a close or a stop delivers what is still queued first.
 * CloseTrace during delivery lets the current buffer finish (ETW drains
 * what is queued), then ProcessTrace returns.
 *
 * Return values: 0 after CloseTrace; after a stop from outside 4201
 * ERROR_WMI_INSTANCE_NOT_FOUND. Windows' code after a stop is UNCONFIRMED
 * (ETW-NOTES §5; PerfView accepts 0 and 1223); 4201 is the documented code
 * for a session that is missing, and it differs from the close answer, so
 * a consumer that relies on 0 after a stop is caught.
 *
 * OpenTraceW rewrites ProcessTraceMode, as Windows does (ETW-NOTES §5,
 * from PerfView); what Windows writes there is UNCONFIRMED, so the fake
 * clears PROCESS_TRACE_MODE_EVENT_RECORD, which breaks a consumer that
 * reuses the struct without setting the mode again.
 *
 * fake_trace.delivered counts the trace's events given to the callback
 * (scripted RT_LostEvent records are not counted there): max_events,
 * external_stop_after and fake_lost.before are in the same numbers.
 */
#include "fake_trace.h"

#include "etl/etl.h"
#include "etw/etw_defs.h"
#include "runner.h"
#include "util/record.h"

#include <stdio.h>
#include <string.h>

#define MAX_OPENS 16
#define MAX_EXT   64

struct fake_open {
    int used;
    TRACEHANDLE handle;
    struct fake_session *session;
    EVENT_TRACE_LOGFILEW lf; /* the caller's, as OpenTraceW saw it; ETW's copy */
    HANDLE closed;           /* manual-reset: CloseTrace was honoured */
    int processing, close_called;
};

static struct fake_open opens[MAX_OPENS];
static TRACEHANDLE next_handle = 0x7000;

/* Lock held. */
static struct fake_open *find_open(TRACEHANDLE h)
{
    unsigned i;

    for (i = 0; i < MAX_OPENS; i++)
        if (opens[i].used && opens[i].handle == h)
            return &opens[i];
    return NULL;
}

/* Lock held. */
static void release_open(struct fake_open *op)
{
    if (op->closed)
        CloseHandle(op->closed);
    memset(op, 0, sizeof(*op));
}

/* Lock held. A free slot, or NULL. */
static struct fake_open *free_open(void)
{
    unsigned i;

    for (i = 0; i < MAX_OPENS; i++)
        if (!opens[i].used)
            return &opens[i];
    return NULL;
}

/* Lock held. The running session named name (any case), or NULL. */
static struct fake_session *find_running(const WCHAR *name)
{
    struct fake_session *s = fake_trace_find_w(name);

    return s && s->running ? s : NULL;
}

/* The log file header's values the fake reports: the trace's, else fixed ones. */
static void fill_header(const struct fake_session *s, TRACE_LOGFILE_HEADER *h)
{
    struct ef_etl_reader *rd = NULL;
    char path[1024];

    memset(h, 0, sizeof(*h));
    h->PointerSize = 8;
    h->ReservedFlags = s->clock;
    h->BufferSize = s->buffer_size * 1024;
    h->PerfFreq.QuadPart = 10000000;
    h->TimerResolution = 156250;
    h->CpuSpeedInMHz = 2400;
    h->NumberOfProcessors = 2;
    h->LogFileMode = s->log_file_mode;
    GetSystemTimeAsFileTime((FILETIME *)&h->StartTime);
    if (fake_trace.trace &&
        ef_etl_open_file(ef_test_shared_path(fake_trace.trace, path, sizeof(path)), NULL, &rd) ==
            0) {
        const struct ef_etl_header *eh = ef_etl_header(rd);

        h->PerfFreq.QuadPart = eh->perf_freq;
        h->StartTime.QuadPart = (LONGLONG)eh->start_time;
        h->TimerResolution = eh->timer_resolution;
        h->CpuSpeedInMHz = eh->cpu_mhz;
        h->NumberOfProcessors = eh->cpus;
        ef_etl_close(rd);
    }
}

static TRACEHANDLE WINAPI fake_open_trace(PEVENT_TRACE_LOGFILEW lf)
{
    const TRACEHANDLE invalid = (TRACEHANDLE)EF_ETW_INVALID_PROCESSTRACE_HANDLE;
    struct fake_session *s;
    struct fake_open *op = NULL;
    DWORD fail = 0;

    fake_trace_lock();
    fake_trace.open_calls++;
    if (!lf || !lf->LoggerName || lf->LogFileName ||
        (lf->ProcessTraceMode & PROCESS_TRACE_MODE_REAL_TIME) == 0 ||
        (lf->ProcessTraceMode & PROCESS_TRACE_MODE_EVENT_RECORD) == 0) {
        snprintf(fake_trace.last_error, sizeof(fake_trace.last_error),
                 "OpenTraceW: want LoggerName, no LogFileName, mode REAL_TIME|EVENT_RECORD "
                 "(got 0x%lx)",
                 lf ? (unsigned long)lf->ProcessTraceMode : 0ul);
        fail = ERROR_INVALID_PARAMETER;
    } else if (fake_trace.open_error) {
        fail = fake_trace.open_error;
    } else if (!(s = find_running(lf->LoggerName))) {
        fail = ERROR_WMI_INSTANCE_NOT_FOUND;
    } else if (!(op = free_open())) {
        fail = ERROR_NO_SYSTEM_RESOURCES;
    } else {
        fill_header(s, &lf->LogfileHeader);
        lf->ProcessTraceMode &= ~(ULONG)PROCESS_TRACE_MODE_EVENT_RECORD;
        op->used = 1;
        op->handle = next_handle++;
        op->session = s;
        op->lf = *lf;
        op->closed = CreateEventW(NULL, TRUE, FALSE, NULL);
    }
    fake_trace_unlock();
    if (fail) {
        SetLastError(fail);
        return invalid;
    }
    return op->handle;
}

int fake_trace_build_event(const struct ef_record *r, EVENT_RECORD *er,
                           EVENT_HEADER_EXTENDED_DATA_ITEM *ext, unsigned cap)
{
    EVENT_HEADER *h = &er->EventHeader;
    unsigned i;

    if (r->user_data_len > 0xFFFF || r->ext_count > cap)
        return -1;
    memset(er, 0, sizeof(*er));
    /* The record's size as ETW reports it: header plus user data, capped. */
    h->Size =
        (USHORT)(sizeof(*h) + r->user_data_len > 0xFFFF ? 0xFFFF : sizeof(*h) + r->user_data_len);
    h->Flags = r->flags;
    h->EventProperty = r->event_property;
    h->ThreadId = r->tid;
    h->ProcessId = r->pid;
    h->TimeStamp.QuadPart = (LONGLONG)r->timestamp;
    memcpy(&h->ProviderId, &r->provider, sizeof(GUID));
    h->EventDescriptor.Id = r->id;
    h->EventDescriptor.Version = r->version;
    h->EventDescriptor.Channel = r->channel;
    h->EventDescriptor.Level = r->level;
    h->EventDescriptor.Opcode = r->opcode;
    h->EventDescriptor.Task = r->task;
    h->EventDescriptor.Keyword = r->keywords;
    if (r->flags & (EF_HDR_FLAG_PRIVATE_SESSION | EF_HDR_FLAG_NO_CPUTIME)) {
        h->ProcessorTime = r->processor_time;
    } else {
        h->KernelTime = r->kernel_time;
        h->UserTime = r->user_time;
    }
    memcpy(&h->ActivityId, &r->activity_id, sizeof(GUID));
    er->BufferContext.ProcessorIndex = r->processor;
    er->ExtendedDataCount = r->ext_count;
    er->ExtendedData = r->ext_count ? ext : NULL;
    for (i = 0; i < r->ext_count; i++) {
        memset(&ext[i], 0, sizeof(ext[i]));
        ext[i].ExtType = r->ext[i].type;
        ext[i].Linkage = i + 1 < r->ext_count;
        ext[i].DataSize = r->ext[i].size;
        ext[i].DataPtr = (ULONGLONG)(uintptr_t)r->ext[i].data;
    }
    er->UserDataLength = (USHORT)r->user_data_len;
    er->UserData = (PVOID)r->user_data;
    return 0;
}

/*
 * Pads er's extended items up to fake_trace.ext_total with PROCESS_START_KEY
 * items (ETW-NOTES §8: type 13, a ULONG64), chained by Linkage as ETW
 * chains an event's items. ext has MAX_EXT room.
 */
static void pad_ext(EVENT_RECORD *er, EVENT_HEADER_EXTENDED_DATA_ITEM *ext)
{
    static const ULONG64 start_key = 0x5ca1ab1e00000001ull;
    unsigned i, n = er->ExtendedDataCount, total = fake_trace.ext_total;

    if (total > MAX_EXT)
        total = MAX_EXT;
    for (i = n; i < total; i++) {
        memset(&ext[i], 0, sizeof(ext[i]));
        ext[i].ExtType = 13; /* EVENT_HEADER_EXT_TYPE_PROCESS_START_KEY */
        ext[i].DataSize = sizeof(start_key);
        ext[i].DataPtr = (ULONGLONG)(uintptr_t)&start_key;
    }
    for (i = 0; i < total; i++)
        ext[i].Linkage = i + 1 < total;
    if (total > n) {
        er->ExtendedDataCount = (USHORT)total;
        er->ExtendedData = ext;
    }
}

/* One ProcessTrace call's state. */
struct run {
    struct fake_open *op;
    struct fake_session *s;
    EVENT_TRACE_LOGFILEW lf; /* what the BufferCallback gets: "ETW's copy" */
    unsigned per_buffer, in_buffer;
    unsigned lost_done[FAKE_MAX_LOST];
};

/* 1 when CloseTrace was honoured (not ignored). */
static int close_honoured(const struct run *rn)
{
    return WaitForSingleObject(rn->op->closed, 0) == WAIT_OBJECT_0;
}

static int session_stopped(const struct run *rn)
{
    int stopped;

    fake_trace_lock();
    stopped = !rn->s->running;
    fake_trace_unlock();
    return stopped;
}

/* A BufferCallback. Returns 1 to go on, 0 when the consumer said FALSE. */
static int buffer_done(struct run *rn)
{
    ULONG ok;

    rn->in_buffer = 0;
    rn->lf.BuffersRead++;
    ok = rn->lf.BufferCallback ? rn->lf.BufferCallback(&rn->lf) : TRUE;
    return ok != FALSE;
}

/* The RT_LostEvent records scripted before event number n. */
static void deliver_lost(struct run *rn, uint64_t n)
{
    static const GUID lost_guid = EF_ETW_RT_LOST_EVENT_GUID;
    unsigned i;

    for (i = 0; i < fake_trace.n_lost; i++) {
        EVENT_RECORD er;

        if (rn->lost_done[i] || fake_trace.lost[i].before != n)
            continue;
        rn->lost_done[i] = 1;
        memset(&er, 0, sizeof(er));
        er.EventHeader.Size = sizeof(er.EventHeader);
        er.EventHeader.Flags = EVENT_HEADER_FLAG_64_BIT_HEADER;
        GetSystemTimeAsFileTime((FILETIME *)&er.EventHeader.TimeStamp);
        er.EventHeader.ProviderId = lost_guid;
        er.EventHeader.EventDescriptor.Opcode = fake_trace.lost[i].opcode;
        er.UserContext = rn->lf.Context;
        if (fake_trace.damage_at && n + 1 == fake_trace.damage_at) {
            er.UserData = NULL;
            er.UserDataLength = 16;
        }
        rn->lf.EventRecordCallback(&er);
    }
}

/*
 * Delivers the trace once. Returns 1 to go on, 0 when delivery is over
 * (max_events reached: wait), or a ProcessTrace status + 0x10000 to
 * return at once.
 */
#define RETURN_WITH(st) (0x10000 | (st))

static ULONG deliver_trace(struct run *rn)
{
    struct ef_etl_reader *rd = NULL;
    const struct ef_record *rec;
    EVENT_HEADER_EXTENDED_DATA_ITEM ext[MAX_EXT];
    char path[1024];
    ULONG ret = 1;
    int rc;

    if (ef_etl_open_file(ef_test_shared_path(fake_trace.trace, path, sizeof(path)), NULL, &rd) <
        0) {
        fake_trace_lock();
        snprintf(fake_trace.last_error, sizeof(fake_trace.last_error),
                 "ProcessTrace: cannot read %s", path);
        fake_trace_unlock();
        return RETURN_WITH(ERROR_FILE_NOT_FOUND);
    }
    while ((rc = ef_etl_next(rd, &rec)) == 1) {
        EVENT_RECORD er;
        uint64_t n;

        if (rec->kind == EF_REC_LOGFILE_HEADER)
            continue;
        fake_trace_lock();
        n = fake_trace.delivered;
        fake_trace_unlock();
        if (fake_trace.max_events && n >= fake_trace.max_events) {
            ret = 0;
            break;
        }
        if (fake_trace.external_stop_after && n == fake_trace.external_stop_after) {
            /* Once: the session a watchdog starts again is not stopped again. */
            fake_trace_lock();
            fake_trace.external_stop_after = 0;
            fake_trace_unlock();
            fake_trace_stop_external(rn->s);
            ret = RETURN_WITH(ERROR_WMI_INSTANCE_NOT_FOUND);
            break;
        }
        if (session_stopped(rn)) {
            ret = RETURN_WITH(ERROR_WMI_INSTANCE_NOT_FOUND);
            break;
        }
        deliver_lost(rn, n);
        if (fake_trace_build_event(rec, &er, ext, MAX_EXT) < 0) {
            fake_trace_lock();
            snprintf(fake_trace.last_error, sizeof(fake_trace.last_error),
                     "ProcessTrace: record %llu cannot be an EVENT_RECORD", (unsigned long long)n);
            fake_trace_unlock();
            continue;
        }
        er.UserContext = rn->lf.Context;
        if (fake_trace.damage_at && n + 1 == fake_trace.damage_at) {
            er.UserData = NULL;
            er.UserDataLength = 16;
        }
        if (fake_trace.ext_pad_at && n + 1 == fake_trace.ext_pad_at)
            pad_ext(&er, ext);
        rn->lf.EventRecordCallback(&er);
        fake_trace_lock();
        fake_trace.delivered++;
        fake_trace_unlock();
        if (++rn->in_buffer == rn->per_buffer) {
            if (!buffer_done(rn)) {
                ret = RETURN_WITH(ERROR_CANCELLED);
                break;
            }
            if (fake_trace.buffer_pause_ms)
                Sleep(fake_trace.buffer_pause_ms);
            if (close_honoured(rn)) {
                ret = RETURN_WITH(ERROR_SUCCESS);
                break;
            }
        }
    }
    if (rc < 0 && ret == 1)
        ret = RETURN_WITH(ERROR_READ_FAULT);
    ef_etl_close(rd);
    return ret;
}

/*
 * Delivers the events providers wrote into the session (fake_provider_win.c),
 * oldest first, with a BufferCallback after every per_buffer events and
 * after the last one (the flush of a partial buffer). Returns 1 to go on,
 * 0 when the BufferCallback said FALSE.
 */
static int drain_written(struct run *rn)
{
    for (;;) {
        struct fake_queued *q;
        EVENT_RECORD *er;

        fake_trace_lock();
        q = fake_trace_queue_pop(rn->s);
        fake_trace_unlock();
        if (!q)
            break;
        er = fake_trace_queued_record(q);
        er->UserContext = rn->lf.Context;
        rn->lf.EventRecordCallback(er);
        fake_trace_queued_free(q);
        fake_trace_lock();
        fake_trace.queued_delivered++;
        fake_trace_unlock();
        if (++rn->in_buffer == rn->per_buffer && !buffer_done(rn))
            return 0;
    }
    return rn->in_buffer ? buffer_done(rn) : 1;
}

static ULONG process(struct run *rn)
{
    uint64_t times = fake_trace.repeat ? fake_trace.repeat : 1, t;
    HANDLE ev[3];
    DWORD w;
    ULONG r = 1;

    for (t = 0; fake_trace.trace && t < times && r == 1; t++)
        r = deliver_trace(rn);
    if (r & 0x10000)
        return r & 0xFFFF;
    /* Scripted losses after the last event, then ETW's flush of a partial buffer. */
    fake_trace_lock();
    t = fake_trace.delivered;
    fake_trace_unlock();
    deliver_lost(rn, t);
    if (rn->in_buffer && !buffer_done(rn))
        return ERROR_CANCELLED;

    /*
     * Then what providers write, as it comes, until a close or a stop; both
     * deliver what is queued first (ETW drains on CloseTrace and flushes its
     * buffers to the consumer when the session stops).
     */
    ev[0] = rn->op->closed;
    ev[1] = rn->s->stopped;
    ev[2] = rn->s->queued;
    for (;;) {
        if (!drain_written(rn))
            return ERROR_CANCELLED;
        fake_trace_lock();
        fake_trace.waiting++;
        fake_trace_unlock();
        w = WaitForMultipleObjects(3, ev, FALSE, INFINITE);
        fake_trace_lock();
        fake_trace.waiting--;
        fake_trace_unlock();
        if (w == WAIT_OBJECT_0 + 2)
            continue;
        if (!drain_written(rn))
            return ERROR_CANCELLED;
        return w == WAIT_OBJECT_0 ? ERROR_SUCCESS : ERROR_WMI_INSTANCE_NOT_FOUND;
    }
}

static ULONG WINAPI fake_process_trace(PTRACEHANDLE handles, ULONG count, LPFILETIME start,
                                       LPFILETIME end)
{
    struct run rn;
    ULONG status;

    (void)start;
    (void)end;
    memset(&rn, 0, sizeof(rn));
    fake_trace_lock();
    fake_trace.process_calls++;
    if (!handles || count != 1) {
        fake_trace_unlock();
        return ERROR_INVALID_PARAMETER; /* one real-time handle per call */
    }
    rn.op = find_open(handles[0]);
    if (!rn.op || rn.op->processing || rn.op->close_called) {
        fake_trace_unlock();
        return ERROR_INVALID_HANDLE;
    }
    rn.s = rn.op->session;
    if (!rn.s->running || !(rn.s->log_file_mode & EF_ETW_REAL_TIME_MODE)) {
        fake_trace_unlock();
        return ERROR_WMI_INSTANCE_NOT_FOUND;
    }
    rn.op->processing = 1;
    rn.lf = rn.op->lf;
    fake_trace.processing++;
    rn.per_buffer = fake_trace.events_per_buffer ? fake_trace.events_per_buffer : 64;
    fake_trace_unlock();

    status = process(&rn);

    fake_trace_lock();
    fake_trace.processing--;
    rn.op->processing = 0;
    if (rn.op->close_called)
        release_open(rn.op);
    fake_trace_unlock();
    return status;
}

static ULONG WINAPI fake_close_trace(TRACEHANDLE h)
{
    struct fake_open *op;
    ULONG status;

    fake_trace_lock();
    fake_trace.close_calls++;
    op = find_open(h);
    if (!op || op->close_called) {
        status = ERROR_INVALID_HANDLE;
    } else if (op->processing) {
        /* ProcessTrace drains and returns; the slot goes when it does. */
        op->close_called = 1;
        if (!fake_trace.ignore_close)
            SetEvent(op->closed);
        status = ERROR_CTX_CLOSE_PENDING;
    } else {
        release_open(op);
        status = ERROR_SUCCESS;
    }
    fake_trace_unlock();
    return status;
}

void fake_trace_install_consume(struct ef_etw_api *api)
{
    api->open_trace = fake_open_trace;
    api->process_trace = fake_process_trace;
    api->close_trace = fake_close_trace;
}

/*
 * consumer_win.c - one real-time ETW session read on a thread of its own
 * (consumer.h): OpenTraceW on the caller's thread, ProcessTrace on ours.
 *
 * DESIGN. States: started (OpenTraceW succeeded, the thread runs
 * ProcessTrace) -> closing (close asked: CloseTrace called once, the
 * BufferCallback answers FALSE) -> ended (ProcessTrace returned: final
 * counters published, on_end called, the thread exits) -> joined (the
 * owner saw the thread end; free releases everything). A join that times
 * out leaves the consumer allocated for good: the thread may still be in
 * ProcessTrace, and ETW may still call back into this memory
 * (tekert/golang-etw crashed when it freed it early).
 *
 * Counting: the EventRecordCallback runs once per event and takes no lock:
 * it bumps counters only the consumer thread writes (`hot`). The
 * BufferCallback, once per buffer, and the end of ProcessTrace copy them
 * into `pub` under the lock, where ef_etw_consumer_get_stats reads them.
 * So the stats lag by at most one buffer while the session runs.
 */
#include "etw/consumer.h"

#include "etw/error_win.h"
#include "etw/etw_defs.h"
#include "etw/record.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct ef_etw_consumer {
    struct ef_etw_consumer_opts o;
    WCHAR name[EF_ETW_MAX_NAME];
    EVENT_TRACE_LOGFILEW lf;
    TRACE_LOGFILE_HEADER header;
    TRACEHANDLE handle;
    unsigned pointer_size;
    HANDLE thread;
    volatile LONG close_asked; /* set once by ef_etw_consumer_close */
    int joined;                /* the owner saw the thread end */

    /* Consumer thread only: the record being delivered and the counters. */
    struct ef_etw_record rec;
    struct ef_etw_consumer_stats hot;

    CRITICAL_SECTION lock; /* guards pub */
    struct ef_etw_consumer_stats pub;
};

/* Consumer thread: makes the counters visible to get_stats. */
static void publish(struct ef_etw_consumer *c)
{
    EnterCriticalSection(&c->lock);
    c->pub = c->hot;
    LeaveCriticalSection(&c->lock);
}

/* ETW's EventRecordCallback, on the consumer thread: no lock, no wait. */
static VOID WINAPI on_event(PEVENT_RECORD er)
{
    struct ef_etw_consumer *c = er->UserContext;
    unsigned opcode;

    if (ef_etw_record_is_lost(er, &opcode)) {
        /* RT_LostEvent has no payload, so no count: one record is one
           report of a loss. Other opcodes are not documented; they are
           not forwarded either, since they are no provider's event. */
        if (opcode == EF_ETW_RT_LOST_EVENT)
            c->hot.lost_events++;
        else if (opcode == EF_ETW_RT_LOST_BUFFER)
            c->hot.lost_buffers++;
        else if (opcode == EF_ETW_RT_LOST_FILE)
            c->hot.lost_files++;
        return;
    }
    if (ef_etw_record_from(er, c->pointer_size, &c->rec) < 0) {
        c->hot.convert_errors++;
        return;
    }
    c->hot.events++;
    /* The event goes on without them: counted, so the loss shows in the session's stats. */
    c->hot.ext_items_dropped += c->rec.ext_dropped;
    c->o.on_record(c->o.ud, &c->rec.r);
}

/* ETW's BufferCallback, on the consumer thread. lf is ETW's copy; Context is ours. */
static ULONG WINAPI on_buffer(PEVENT_TRACE_LOGFILEW lf)
{
    struct ef_etw_consumer *c = lf->Context;

    c->hot.buffers++;
    publish(c);
    if (c->o.on_buffer)
        c->o.on_buffer(c->o.ud);
    return InterlockedCompareExchange(&c->close_asked, 0, 0) ? FALSE : TRUE;
}

static DWORD WINAPI consumer_main(LPVOID arg)
{
    struct ef_etw_consumer *c = arg;
    TRACEHANDLE h = c->handle;
    ULONG status;

    /* One real-time handle per ProcessTrace (ETW-NOTES §5). */
    status = c->o.api->process_trace(&h, 1, NULL, NULL);
    c->hot.process_status = status;
    c->hot.ended = 1;
    publish(c);
    if (c->o.on_end)
        c->o.on_end(c->o.ud, status);
    return 0;
}

/* The session name in UTF-8, for messages. */
static void name_utf8(const WCHAR *w, char *out, int cap)
{
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, out, cap, NULL, NULL) <= 0)
        snprintf(out, (size_t)cap, "?");
}

static int open_failed(struct ef_etw_consumer *c, DWORD code, char *err, size_t errlen)
{
    char name[256];

    name_utf8(c->name, name, (int)sizeof(name));
    if (code == ERROR_ACCESS_DENIED)
        snprintf(err, errlen,
                 "OpenTraceW(\"%s\"): access denied (5): reading a real-time session needs "
                 "an elevated administrator, Performance Log Users or LocalSystem; under Wine "
                 "this needs a real Windows ETW (Wine's OpenTraceW is a stub)",
                 name);
    else if (code == ERROR_WMI_INSTANCE_NOT_FOUND)
        snprintf(err, errlen, "OpenTraceW(\"%s\"): no such real-time session is running (4201)",
                 name);
    else
        snprintf(err, errlen, "OpenTraceW(\"%s\"): Win32 error %lu", name, (unsigned long)code);
    return code ? ef_from_win32(code) : EF_ESYS;
}

int ef_etw_consumer_start(const struct ef_etw_consumer_opts *o, struct ef_etw_consumer **out,
                          char *err, size_t errlen)
{
    struct ef_etw_consumer *c;
    size_t len;
    int rc;

    *out = NULL;
    if (errlen)
        err[0] = 0;
    if (!o->api || !o->logger_name || !o->on_record) {
        snprintf(err, errlen, "consumer: api, logger_name and on_record are required");
        return EF_EINVAL;
    }
    len = wcslen(o->logger_name);
    if (len == 0 || len >= EF_ETW_MAX_NAME) {
        snprintf(err, errlen, "consumer: the session name must have 1 to %u characters",
                 EF_ETW_MAX_NAME - 1);
        return EF_EINVAL;
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(err, errlen, "consumer: out of memory");
        return EF_ENOMEM;
    }
    c->o = *o;
    memcpy(c->name, o->logger_name, (len + 1) * sizeof(WCHAR));
    InitializeCriticalSection(&c->lock);

    c->lf.LoggerName = c->name;
    c->lf.LogFileName = NULL;
    c->lf.ProcessTraceMode = PROCESS_TRACE_MODE_REAL_TIME | PROCESS_TRACE_MODE_EVENT_RECORD;
    c->lf.EventRecordCallback = on_event;
    c->lf.BufferCallback = on_buffer;
    c->lf.Context = c;

    SetLastError(0);
    c->handle = c->o.api->open_trace(&c->lf);
    /* Not mingw's INVALID_PROCESSTRACE_HANDLE: wrong on x86 (ETW-NOTES §5). */
    if ((uint64_t)c->handle == EF_ETW_INVALID_PROCESSTRACE_HANDLE) {
        rc = open_failed(c, GetLastError(), err, errlen);
        DeleteCriticalSection(&c->lock);
        free(c);
        return rc;
    }
    c->header = c->lf.LogfileHeader;
    c->pointer_size =
        c->header.PointerSize == 4 || c->header.PointerSize == 8 ? c->header.PointerSize : 0;

    c->thread = CreateThread(NULL, 0, consumer_main, c, 0, NULL);
    if (!c->thread) {
        DWORD code = GetLastError();

        snprintf(err, errlen, "consumer: cannot start its thread (Win32 error %lu)",
                 (unsigned long)code);
        c->o.api->close_trace(c->handle);
        DeleteCriticalSection(&c->lock);
        free(c);
        return EF_ESYS;
    }
    *out = c;
    return 0;
}

const TRACE_LOGFILE_HEADER *ef_etw_consumer_header(const struct ef_etw_consumer *c)
{
    return &c->header;
}

int ef_etw_consumer_close(struct ef_etw_consumer *c)
{
    ULONG status;

    if (InterlockedExchange(&c->close_asked, 1))
        return 0; /* CloseTrace was called already */
    status = c->o.api->close_trace(c->handle);
    /* 7007 ERROR_CTX_CLOSE_PENDING: ProcessTrace drains and returns. */
    if (status == ERROR_SUCCESS || status == ERROR_CTX_CLOSE_PENDING)
        return 0;
    return ef_from_win32(status);
}

int ef_etw_consumer_join(struct ef_etw_consumer *c, uint64_t timeout_ms)
{
    DWORD ms = timeout_ms >= INFINITE ? INFINITE - 1 : (DWORD)timeout_ms;

    if (c->joined)
        return 0;
    switch (WaitForSingleObject(c->thread, ms)) {
    case WAIT_OBJECT_0:
        c->joined = 1;
        return 0;
    case WAIT_TIMEOUT:
        return EF_ETIMEDOUT;
    default:
        return ef_from_win32(GetLastError());
    }
}

void ef_etw_consumer_get_stats(struct ef_etw_consumer *c, struct ef_etw_consumer_stats *st)
{
    EnterCriticalSection(&c->lock);
    *st = c->pub;
    LeaveCriticalSection(&c->lock);
}

void ef_etw_consumer_free(struct ef_etw_consumer *c)
{
    if (!c)
        return;
    /* A thread that may still run keeps its memory: ETW may call back into it. */
    if (!c->joined && WaitForSingleObject(c->thread, 0) != WAIT_OBJECT_0)
        return;
    /* A session stopped from outside still needs its CloseTrace (ETW-NOTES §3). */
    (void)ef_etw_consumer_close(c);
    CloseHandle(c->thread);
    DeleteCriticalSection(&c->lock);
    free(c);
}

/*
 * providers_win.c - TdhEnumerateProviders' list, and provider name -> GUID.
 *
 * DESIGN: the enumeration is a short loop (ask for the size, allocate, ask
 * again while the answer is 122 because a provider registered meanwhile),
 * bounded in tries and bytes. The one call into tdh.dll runs on a thread
 * of its own, watched by a vectored exception handler: Wine's tdh.dll
 * exports TdhEnumerateProviders as a stub that raises 0x80000100, and an
 * unhandled exception ends the whole process. The handler, which acts only
 * on that thread, points the thread at ExitThread instead of unwinding (no
 * SEH in mingw C); the waiting caller sees the thread's exit code and
 * reports EF_ENOTSUP. Nothing inside tdh.dll holds our locks, so dropping
 * that thread's stack loses nothing but the call. One guarded call runs at
 * a time (a lock), which is plenty: a source enumerates once per start.
 */
#include "etw/providers.h"

#include "config/config.h"
#include "etw/error_win.h"
#include "etw/etw_defs.h"
#include "util/attr.h"
#include "util/error.h"
#include "util/log.h"
#include "util/utf16.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* PROVIDER_ENUMERATION_INFO: {ULONG NumberOfProviders; ULONG Reserved; TRACE_PROVIDER_INFO[]}. */
#define ENUM_HEADER 8u
/* TRACE_PROVIDER_INFO: {GUID ProviderGuid; ULONG SchemaSource; ULONG ProviderNameOffset}. */
#define INFO_SIZE 24u

/* The exit code of a guarded thread whose call raised an exception. */
#define GUARD_RAISED 0xEF0E0001u

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

const char *ef_etw_schema_source_name(uint32_t source)
{
    switch (source) {
    case EF_ETW_SCHEMA_MANIFEST:
        return "manifest";
    case EF_ETW_SCHEMA_MOF:
        return "mof";
    default:
        return "unknown";
    }
}

const char *ef_etw_resolved_name(int how)
{
    switch (how) {
    case EF_ETW_RESOLVED_GUID:
        return "guid";
    case EF_ETW_RESOLVED_WELL_KNOWN:
        return "well-known";
    case EF_ETW_RESOLVED_TDH:
        return "tdh";
    case EF_ETW_RESOLVED_TLG_HASH:
        return "tracelogging-hash";
    default:
        return "unresolved";
    }
}

void ef_etw_providers_free(struct ef_etw_provider_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i].name);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* Converts the NUL-terminated UTF-16 name at off into a new UTF-8 string. */
static int copy_name(const uint8_t *buf, size_t size, uint32_t off, char **out)
{
    size_t units, cap;
    int found;
    char *s;

    if (off < ENUM_HEADER || off >= size)
        return EF_EFORMAT;
    units = ef_utf16le_find_nul(buf + off, size - off, &found);
    if (!found)
        return EF_EFORMAT; /* a name that runs off the end of the buffer */
    cap = EF_UTF8_MAX_FOR_UTF16(units) + 1;
    s = malloc(cap);
    if (!s)
        return EF_ENOMEM;
    ef_utf16le_to_utf8(buf + off, units, 0, s, cap, NULL, NULL);
    *out = s;
    return 0;
}

int ef_etw_providers_parse(const void *buf, size_t size, struct ef_etw_provider_list *out)
{
    const uint8_t *b = buf;
    struct ef_etw_provider_list l = {0};
    uint32_t n, i;
    int rc = 0;

    out->v = NULL;
    out->n = 0;
    if (size < ENUM_HEADER)
        return EF_EFORMAT;
    n = rd32(b);
    if (n > (size - ENUM_HEADER) / INFO_SIZE)
        return EF_EFORMAT;
    if (n == 0)
        return 0;
    l.v = calloc(n, sizeof(*l.v));
    if (!l.v)
        return EF_ENOMEM;
    for (i = 0; i < n; i++) {
        const uint8_t *info = b + ENUM_HEADER + (size_t)i * INFO_SIZE;
        struct ef_etw_provider *p = &l.v[l.n];

        ef_guid_read(info, &p->guid);
        p->schema_source = rd32(info + 16);
        if ((rc = copy_name(b, size, rd32(info + 20), &p->name)) < 0)
            goto out;
        l.n++;
    }
out:
    if (rc < 0)
        ef_etw_providers_free(&l);
    else
        *out = l;
    return rc;
}

/* One guarded call: its arguments, its answer, and how the thread ended. */
struct guarded {
    const struct ef_etw_api *api;
    void *buf;
    ULONG size;
    ULONG status;
    DWORD tid;
    DWORD code; /* the exception's code when the call raised */
};

static SRWLOCK guard_lock = SRWLOCK_INIT;
static struct guarded *volatile guard_now;

static void WINAPI guard_exit(void)
{
    ExitThread(GUARD_RAISED);
}

/*
 * Runs first for every exception in the process; acts only on the guarded
 * thread. The stack pointer is moved below the faulting frame and aligned
 * as at a function's entry (with room for the x64 shadow space), so
 * guard_exit runs as if called.
 */
static LONG CALLBACK guard_handler(PEXCEPTION_POINTERS ep)
{
    struct guarded *g = guard_now;

    if (!g || GetCurrentThreadId() != g->tid)
        return EXCEPTION_CONTINUE_SEARCH;
    g->code = ep->ExceptionRecord->ExceptionCode;
#if defined(__x86_64__) || defined(_M_X64)
    ep->ContextRecord->Rsp = ((ep->ContextRecord->Rsp - 512) & ~(DWORD64)15) - 8;
    ep->ContextRecord->Rip = (DWORD64)(uintptr_t)guard_exit;
#elif defined(__i386__) || defined(_M_IX86)
    ep->ContextRecord->Esp = ((ep->ContextRecord->Esp - 512) & ~(DWORD)15) - 4;
    ep->ContextRecord->Eip = (DWORD)(uintptr_t)guard_exit;
#else
#error "guard_handler: unsupported architecture"
#endif
    return EXCEPTION_CONTINUE_EXECUTION;
}

static DWORD WINAPI guard_thread(LPVOID arg)
{
    struct guarded *g = arg;

    g->status = g->api->enumerate_providers(g->buf, &g->size);
    return 0;
}

/*
 * Calls api->enumerate_providers(g->buf, &g->size) on a guarded thread.
 * Returns 0 (g->status holds the answer), EF_ENOTSUP when the call raised
 * an exception, or EF_ESYS when the thread could not be run.
 */
static int call_guarded(struct guarded *g)
{
    PVOID veh;
    HANDLE th;
    DWORD exit_code = 0;
    int rc = 0;

    AcquireSRWLockExclusive(&guard_lock);
    veh = AddVectoredExceptionHandler(1, guard_handler);
    if (!veh) {
        rc = EF_ESYS;
        goto out;
    }
    /* Suspended, so the handler knows the thread's id before it runs. */
    th = CreateThread(NULL, 0, guard_thread, g, CREATE_SUSPENDED, &g->tid);
    if (!th) {
        rc = EF_ESYS;
        goto out_veh;
    }
    guard_now = g;
    ResumeThread(th);
    WaitForSingleObject(th, INFINITE);
    guard_now = NULL;
    if (!GetExitCodeThread(th, &exit_code))
        rc = EF_ESYS;
    else if (exit_code == GUARD_RAISED)
        rc = EF_ENOTSUP;
    CloseHandle(th);
out_veh:
    RemoveVectoredExceptionHandler(veh);
out:
    ReleaseSRWLockExclusive(&guard_lock);
    return rc;
}

static void say(char *err, size_t errlen, const char *fmt, ...) EF_PRINTF(3, 4);
static void say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int ef_etw_providers_enumerate(const struct ef_etw_api *api, struct ef_etw_provider_list *out,
                               char *err, size_t errlen)
{
    struct guarded g = {.api = api};
    int tries, rc;

    out->v = NULL;
    out->n = 0;
    if (err && errlen)
        err[0] = '\0';
    if (!api->enumerate_providers) {
        say(err, errlen, "TdhEnumerateProviders is not available");
        return EF_ENOTSUP;
    }
    /* The first call asks for the size: no buffer, size 0. */
    for (tries = 0; tries < EF_ETW_PROVIDERS_MAX_TRIES; tries++) {
        if ((rc = call_guarded(&g)) < 0) {
            if (rc == EF_ENOTSUP)
                say(err, errlen,
                    "TdhEnumerateProviders raised exception 0x%08lX (Wine implements it as a "
                    "stub)",
                    (unsigned long)g.code);
            else
                say(err, errlen, "cannot run TdhEnumerateProviders on a thread of its own");
            goto out;
        }
        if (g.status != EF_WIN_INSUFFICIENT_BUFFER)
            break;
        if (g.size > EF_ETW_PROVIDERS_MAX_BYTES || g.size < ENUM_HEADER) {
            say(err, errlen, "TdhEnumerateProviders asks for %lu bytes (limit %lu)",
                (unsigned long)g.size, (unsigned long)EF_ETW_PROVIDERS_MAX_BYTES);
            rc = g.size < ENUM_HEADER ? EF_EFORMAT : EF_ELIMIT;
            goto out;
        }
        free(g.buf);
        g.buf = malloc(g.size);
        if (!g.buf) {
            rc = EF_ENOMEM;
            goto out;
        }
    }
    if (g.status == EF_WIN_INSUFFICIENT_BUFFER) {
        say(err, errlen, "TdhEnumerateProviders still answers 122 after %lu calls",
            (unsigned long)EF_ETW_PROVIDERS_MAX_TRIES);
        rc = EF_ELIMIT;
        goto out;
    }
    if (g.status != EF_WIN_SUCCESS) {
        say(err, errlen, "TdhEnumerateProviders failed: Win32 error %lu", (unsigned long)g.status);
        rc = ef_from_win32(g.status);
        goto out;
    }
    if (!g.buf) {
        /* Success on the size query: nothing is registered. */
        rc = 0;
        goto out;
    }
    if ((rc = ef_etw_providers_parse(g.buf, g.size, out)) == EF_EFORMAT)
        say(err, errlen, "TdhEnumerateProviders' answer (%lu bytes) is malformed",
            (unsigned long)g.size);
out:
    free(g.buf);
    return rc;
}

int ef_etw_resolve_provider(const struct ef_etw_provider_list *list, const char *name,
                            struct ef_guid *guid, int *how)
{
    size_t len, i;
    int by;

    if (!name || !(len = strlen(name)))
        return EF_EINVAL;
    if (ef_guid_parse(name, len, guid) == 0) {
        by = EF_ETW_RESOLVED_GUID;
        goto done;
    }
    if (ef_provider_well_known(name, guid) == 0) {
        by = EF_ETW_RESOLVED_WELL_KNOWN;
        goto done;
    }
    for (i = 0; list && i < list->n; i++) {
        if (strcasecmp(list->v[i].name, name) == 0) {
            *guid = list->v[i].guid;
            by = EF_ETW_RESOLVED_TDH;
            goto done;
        }
    }
    if (ef_guid_from_provider_name(name, len, guid) < 0)
        return EF_EINVAL;
    by = EF_ETW_RESOLVED_TLG_HASH;
    {
        char g[EF_GUID_STR_SIZE];

        ef_guid_format(guid, g);
        ef_log_warn("etw",
                    "provider \"%s\" is not registered (TDH lists %zu providers): using the "
                    "TraceLogging/EventSource name hash %s; check the spelling if it is a "
                    "manifest provider",
                    name, list ? list->n : (size_t)0, g);
    }
done:
    if (how)
        *how = by;
    return 0;
}

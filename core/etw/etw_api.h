/*
 * etw_api.h - every ETW and TDH call etwfwd makes, behind one table.
 *
 * DESIGN: the session, consumer and TDH code call Windows only through a
 * struct ef_etw_api, never by name. ef_etw_api_real() fills it from the
 * system DLLs; tests fill it with scripted fakes (Wine's tdh.dll aborts on
 * TdhGetEventInformation, and no test can start a real session), so the
 * code around the calls runs under Wine exactly as it will on Windows.
 *
 * Windows only: this header includes <windows.h>, <evntrace.h>,
 * <evntcons.h> and <tdh.h>; include it only from core/etw and tests' *_win.c.
 */
#ifndef EF_ETW_ETW_API_H
#define EF_ETW_ETW_API_H

#include <windows.h>

#include <evntcons.h>
#include <evntprov.h>
#include <evntrace.h>
#include <tdh.h>

struct ef_etw_api {
    /* advapi32: controllers (sessions) */
    ULONG(WINAPI *start_trace)(PTRACEHANDLE handle, LPCWSTR name, PEVENT_TRACE_PROPERTIES props);
    ULONG(WINAPI *control_trace)
    (TRACEHANDLE handle, LPCWSTR name, PEVENT_TRACE_PROPERTIES props, ULONG code);
    ULONG(WINAPI *enable_trace_ex2)
    (TRACEHANDLE handle, LPCGUID provider, ULONG code, UCHAR level, ULONGLONG any, ULONGLONG all,
     ULONG timeout, PENABLE_TRACE_PARAMETERS params);
    /* advapi32: consumers */
    TRACEHANDLE(WINAPI *open_trace)(PEVENT_TRACE_LOGFILEW logfile);
    ULONG(WINAPI *process_trace)
    (PTRACEHANDLE handles, ULONG count, LPFILETIME start, LPFILETIME end);
    ULONG(WINAPI *close_trace)(TRACEHANDLE handle);
    /* advapi32: `etwfwd sessions` lists the running sessions */
    ULONG(WINAPI *query_all_traces)
    (PEVENT_TRACE_PROPERTIES *props, ULONG count, PULONG found);
    /* advapi32: providers, for `etwfwd selftest`'s own TraceLogging provider */
    ULONG(WINAPI *event_register)
    (LPCGUID provider, PENABLECALLBACK cb, PVOID ctx, PREGHANDLE handle);
    ULONG(WINAPI *event_unregister)(REGHANDLE handle);
    ULONG(WINAPI *event_set_information)
    (REGHANDLE handle, EVENT_INFO_CLASS cls, PVOID info, ULONG len);
    ULONG(WINAPI *event_write_transfer)
    (REGHANDLE handle, PCEVENT_DESCRIPTOR desc, LPCGUID activity, LPCGUID related, ULONG count,
     PEVENT_DATA_DESCRIPTOR data);
    /* tdh: schemas */
    ULONG(WINAPI *get_event_information)
    (PEVENT_RECORD event, ULONG context_count, PTDH_CONTEXT context, PTRACE_EVENT_INFO buf,
     ULONG *size);
    ULONG(WINAPI *get_event_map_information)
    (PEVENT_RECORD event, LPWSTR map_name, PEVENT_MAP_INFO buf, ULONG *size);
    ULONG(WINAPI *enumerate_providers)(PPROVIDER_ENUMERATION_INFO buf, ULONG *size);
};

/*
 * Fills api from the system: the advapi32 calls are linked directly (the
 * executable imports advapi32 anyway); the tdh calls are looked up with
 * GetProcAddress in System32's tdh.dll, which stays loaded (the table may
 * be copied anywhere), so that etwfwd.exe starts even on a system whose
 * tdh.dll lacks one of them. Returns 0, or EF_ENOTSUP when tdh.dll or one
 * of its calls is missing (api is then zeroed). Any thread.
 */
int ef_etw_api_real(struct ef_etw_api *api);

/*
 * The table live sessions and the ETW commands use: the real one, filled
 * on first use, unless a test installed another with ef_etw_api_override
 * (tests drive `run` and `selftest` through a fake this way). Returns
 * NULL, with rc (may be NULL) set, when the real table cannot be had.
 * Any thread; override before any session starts.
 */
const struct ef_etw_api *ef_etw_api_get(int *rc);
void ef_etw_api_override(const struct ef_etw_api *api);

#endif

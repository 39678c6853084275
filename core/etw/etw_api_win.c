/*
 * etw_api_win.c - the real ETW/TDH API table, filled from the system DLLs.
 *
 * DESIGN: advapi32 is linked directly (every build imports it). tdh.dll is
 * loaded from System32 only (never from the executable's folder, so a
 * planted DLL is not picked up) and its calls are looked up by name, so a
 * missing export is an EF_ENOTSUP at run time instead of a loader error at
 * start-up. The module is never unloaded: the table may be copied anywhere.
 */
#include "etw/etw_api.h"

#include "util/error.h"

#include <string.h>

/* GetProcAddress returns FARPROC; casting through void (*)(void) keeps -Wcast-function-type quiet.
 */
#define LOOKUP(mod, dst, name)                                                                     \
    ((dst) = (__typeof__(dst))(void (*)(void))GetProcAddress((mod), (name)), (dst) != NULL)

int ef_etw_api_real(struct ef_etw_api *api)
{
    HMODULE tdh;

    memset(api, 0, sizeof(*api));
    tdh = LoadLibraryExW(L"tdh.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!tdh)
        return EF_ENOTSUP;
    if (!LOOKUP(tdh, api->get_event_information, "TdhGetEventInformation") ||
        !LOOKUP(tdh, api->get_event_map_information, "TdhGetEventMapInformation") ||
        !LOOKUP(tdh, api->enumerate_providers, "TdhEnumerateProviders")) {
        memset(api, 0, sizeof(*api));
        return EF_ENOTSUP;
    }
    api->start_trace = StartTraceW;
    api->control_trace = ControlTraceW;
    api->enable_trace_ex2 = EnableTraceEx2;
    api->open_trace = OpenTraceW;
    api->process_trace = ProcessTrace;
    api->close_trace = CloseTrace;
    api->query_all_traces = QueryAllTracesW;
    api->event_register = EventRegister;
    api->event_unregister = EventUnregister;
    api->event_set_information = EventSetInformation;
    api->event_write_transfer = EventWriteTransfer;
    return 0;
}

static struct ef_etw_api real_api;
static const struct ef_etw_api *current;
static INIT_ONCE real_once = INIT_ONCE_STATIC_INIT;
static int real_rc;

static BOOL CALLBACK init_real(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    (void)once;
    (void)param;
    (void)ctx;
    real_rc = ef_etw_api_real(&real_api);
    return TRUE;
}

const struct ef_etw_api *ef_etw_api_get(int *rc)
{
    if (current) {
        if (rc)
            *rc = 0;
        return current;
    }
    InitOnceExecuteOnce(&real_once, init_real, NULL, NULL);
    if (rc)
        *rc = real_rc;
    return real_rc == 0 ? &real_api : NULL;
}

void ef_etw_api_override(const struct ef_etw_api *api)
{
    current = api;
}

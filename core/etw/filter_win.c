/*
 * filter_win.c - one provider's configuration as EnableTraceEx2's
 * ENABLE_TRACE_PARAMETERS: the enable properties, and the event-ID, PID and
 * executable-name EVENT_FILTER_DESCRIPTORs with their data.
 *
 * Every documented limit (ETW-NOTES §4: 64 event IDs, 8 PIDs, 1024 bytes
 * of filter data) is refused here with EF_ELIMIT and a message naming the
 * provider and the limit: a truncated filter would silently forward events
 * the user asked to drop, or drop events they asked for. Config validation
 * enforces the same limits earlier (config/config.h, etw_defs.h); this is
 * the last word before the call.
 */
#include "etw/filter.h"

#include "util/attr.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

/* ENABLE_TRACE_PARAMETERS_VERSION_2: the version that has FilterDescCount. */
#define PARAMS_VERSION_2 2u

static const char *pname(const struct ef_provider_cfg *p)
{
    return p->name ? p->name : "(unnamed)";
}

static void add_desc(struct ef_etw_filters *f, const void *data, ULONG size, ULONG type)
{
    EVENT_FILTER_DESCRIPTOR *d = &f->desc[f->params.FilterDescCount++];

    d->Ptr = (ULONGLONG)(uintptr_t)data;
    d->Size = size;
    d->Type = type;
}

/* EVENT_FILTER_EVENT_ID: {BOOLEAN FilterIn; UCHAR Reserved; USHORT Count; USHORT Events[]}. */
static int build_event_ids(const struct ef_provider_cfg *p, struct ef_etw_filters *f, char *err,
                           size_t errlen)
{
    unsigned n = p->event_ids.n, i;
    USHORT count;

    if (n == 0)
        return 0;
    /* Checked before any id is read: n is all that is trusted about the list. */
    if (n > EF_ETW_MAX_EVENT_ID_COUNT) {
        snprintf(err, errlen,
                 "provider %s: %u event IDs, but ETW's event-ID filter takes at most %u "
                 "(MAX_EVENT_FILTER_EVENT_ID_COUNT); split the provider or filter fewer IDs",
                 pname(p), n, EF_ETW_MAX_EVENT_ID_COUNT);
        return EF_ELIMIT;
    }
    for (i = 0; i < n; i++) {
        if (p->event_ids.v[i] > 0xFFFFu) {
            snprintf(err, errlen, "provider %s: event ID %lu does not fit ETW's 16-bit event IDs",
                     pname(p), (unsigned long)p->event_ids.v[i]);
            return EF_EINVAL;
        }
    }
    count = (USHORT)n;
    f->event_ids[0] = p->event_ids_exclude ? 0 : 1; /* FilterIn: TRUE includes the IDs */
    f->event_ids[1] = 0;
    memcpy(&f->event_ids[2], &count, 2);
    for (i = 0; i < n; i++) {
        USHORT id = (USHORT)p->event_ids.v[i];

        memcpy(&f->event_ids[4 + 2 * i], &id, 2);
    }
    add_desc(f, f->event_ids, 4 + 2 * (ULONG)n, EF_ETW_FILTER_EVENT_ID);
    return 0;
}

static int build_pids(const struct ef_provider_cfg *p, struct ef_etw_filters *f, char *err,
                      size_t errlen)
{
    unsigned n = p->pids.n, i;

    if (n == 0)
        return 0;
    if (n > EF_ETW_MAX_PID_COUNT) {
        snprintf(err, errlen,
                 "provider %s: %u PIDs, but ETW's PID filter takes at most %u "
                 "(MAX_EVENT_FILTER_PID_COUNT)",
                 pname(p), n, EF_ETW_MAX_PID_COUNT);
        return EF_ELIMIT;
    }
    for (i = 0; i < n; i++)
        f->pids[i] = (ULONG)p->pids.v[i];
    add_desc(f, f->pids, (ULONG)(sizeof(ULONG) * n), EF_ETW_FILTER_PID);
    return 0;
}

/* The list goes as written ("a.exe;b.exe"), as UTF-16 with its NUL. */
static int build_exe_names(const struct ef_provider_cfg *p, struct ef_etw_filters *f, char *err,
                           size_t errlen)
{
    const int cap = (int)EF_ARRAY_LEN(f->exe_names);
    int units;

    if (!p->exe_names || !p->exe_names[0])
        return 0;
    /* Measured first, so that an over-long list is reported with its size. */
    units = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, p->exe_names, -1, NULL, 0);
    if (units <= 0) {
        snprintf(err, errlen, "provider %s: the executable names are not valid UTF-8", pname(p));
        return EF_EINVAL;
    }
    if (units > cap) {
        snprintf(err, errlen,
                 "provider %s: the executable-name list is %d bytes as UTF-16, but ETW takes at "
                 "most %u (MAX_EVENT_FILTER_DATA_SIZE); list fewer executables",
                 pname(p), units * 2, EF_ETW_MAX_FILTER_DATA_SIZE);
        return EF_ELIMIT;
    }
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, p->exe_names, -1, f->exe_names, cap) !=
        units) {
        snprintf(err, errlen, "provider %s: the executable names could not be converted", pname(p));
        return EF_EINVAL;
    }
    add_desc(f, f->exe_names, (ULONG)units * 2, EF_ETW_FILTER_EXECUTABLE_NAME);
    return 0;
}

int ef_etw_filters_build(const struct ef_provider_cfg *p, struct ef_etw_filters *f, char *err,
                         size_t errlen)
{
    ULONG prop = 0;
    int rc;

    memset(f, 0, sizeof(*f));
    if (errlen)
        err[0] = 0;
    if (p->sid)
        prop |= EF_ETW_PROP_SID;
    if (p->ts_id)
        prop |= EF_ETW_PROP_TS_ID;
    if (p->stack_trace)
        prop |= EF_ETW_PROP_STACK_TRACE;
    if (p->process_start_key)
        prop |= EF_ETW_PROP_PROCESS_START_KEY;
    if (p->ignore_keyword_0)
        prop |= EF_ETW_PROP_IGNORE_KEYWORD_0;
    /* SourceId stays zero (ETW uses the session's), ControlFlags is reserved (0). */
    f->params.Version = PARAMS_VERSION_2;
    f->params.EnableProperty = prop;

    rc = build_event_ids(p, f, err, errlen);
    if (rc == 0)
        rc = build_pids(p, f, err, errlen);
    if (rc == 0)
        rc = build_exe_names(p, f, err, errlen);
    if (rc < 0) {
        memset(f, 0, sizeof(*f));
        return rc;
    }
    /* No descriptors: a NULL pointer with count 0, which clears earlier filters. */
    f->params.EnableFilterDesc = f->params.FilterDescCount ? f->desc : NULL;
    return 0;
}

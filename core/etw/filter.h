/*
 * filter.h - a provider's configuration as EnableTraceEx2's
 * ENABLE_TRACE_PARAMETERS: enable properties and the event-ID, PID and
 * executable-name EVENT_FILTER_DESCRIPTORs, with their documented limits.
 *
 * Windows only. The descriptors point into struct ef_etw_filters, which
 * must stay put while EnableTraceEx2 runs. Each EnableTraceEx2 call
 * replaces the provider's filters in that session, so all of a provider's
 * filters go in one call (ETW-NOTES §4).
 */
#ifndef EF_ETW_FILTER_H
#define EF_ETW_FILTER_H

#include <stddef.h>

#include "config/config.h"
#include "etw/etw_api.h"
#include "etw/etw_defs.h"

struct ef_etw_filters {
    ENABLE_TRACE_PARAMETERS params;
    EVENT_FILTER_DESCRIPTOR desc[4];
    /* EVENT_FILTER_EVENT_ID: {BOOLEAN FilterIn; UCHAR Reserved; USHORT Count; USHORT Events[]} */
    unsigned char event_ids[4 + 2 * EF_ETW_MAX_EVENT_ID_COUNT];
    ULONG pids[EF_ETW_MAX_PID_COUNT];
    wchar_t exe_names[EF_ETW_MAX_FILTER_DATA_SIZE / 2];
};

/*
 * Fills f from p. Returns 0, or EF_ELIMIT / EF_EINVAL with err filled when
 * p exceeds a documented limit (more than 64 event IDs or 8 PIDs, an
 * executable-name list over 1024 bytes as UTF-16) — never truncated.
 * Any thread.
 */
int ef_etw_filters_build(const struct ef_provider_cfg *p, struct ef_etw_filters *f, char *err,
                         size_t errlen);

#endif

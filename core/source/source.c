/*
 * source.c - which table of operations runs a session kind in this build:
 * the pipeline asks here, so the one place that knows which kinds a
 * platform has is this switch.
 */
#include "source/source.h"

#include "config/config.h"

#include <stddef.h>

const struct ef_source_ops *ef_source_ops_for(int kind)
{
    switch (kind) {
    case EF_SESSION_FILE:
        return &ef_source_file_ops;
    case EF_SESSION_REALTIME:
    case EF_SESSION_KERNEL:
    case EF_SESSION_EXISTING:
#ifdef _WIN32
        return &ef_source_live_ops;
#else
        return NULL; /* ETW exists only on Windows */
#endif
    default:
        return NULL;
    }
}

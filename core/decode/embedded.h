/*
 * embedded.h - the schema source fed by schemas embedded in a trace.
 *
 * Merged traces (xperf, PerfView, WPR) carry, for each manifest provider
 * whose events they hold, the TDH view of each event as classic records of
 * the KernelTraceControl MetaData task: EventInfo (a TRACE_EVENT_INFO blob)
 * and EventMapInfo (a provider GUID followed by an EVENT_MAP_INFO blob).
 * observe() keeps copies of them as they stream by; lookup() answers for
 * later events of those providers, with the maps attached by name, so a
 * trace decodes with no manifest at hand.
 */
#ifndef EF_DECODE_EMBEDDED_H
#define EF_DECODE_EMBEDDED_H

#include <stddef.h>

#include "decode/source.h"

/* The MetaData task GUID {BBCCF6C1-6CD1-48C4-80FF-839482E37671} and its opcodes. */
#define EF_EMBEDDED_METADATA_GUID                                                                  \
    {                                                                                              \
        0xbbccf6c1, 0x6cd1, 0x48c4,                                                                \
        {                                                                                          \
            0x80, 0xff, 0x83, 0x94, 0x82, 0xe3, 0x76, 0x71                                         \
        }                                                                                          \
    }
#define EF_EMBEDDED_OP_EVENTINFO    32
#define EF_EMBEDDED_OP_EVENTMAPINFO 33

/* Memory an embedded source may use when the caller does not say. */
#define EF_EMBEDDED_DEFAULT_MAX (64u * 1024 * 1024)

/*
 * Creates an embedded-schema source whose copies and schemas use at most
 * max_bytes (0 = EF_EMBEDDED_DEFAULT_MAX); past it, observe() returns
 * EF_ELIMIT for new records. Returns 0 or EF_ENOMEM. Free it with
 * out->ops->destroy(out->ctx). The decoding thread.
 */
int ef_embedded_source_create(size_t max_bytes, struct ef_schema_source *out);

#endif

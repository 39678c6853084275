/*
 * source.h - schema sources behind one table of function pointers.
 *
 * Like curl's TLS backends: every source (TraceLogging, manifests, MOF,
 * embedded TRACE_EVENT_INFO, TDH, EventSource) fills a struct
 * ef_schema_source_ops, and the decoder asks its sources in order of
 * preference (DESIGN.md "Decoding"). The decoder caches what they answer,
 * so a source's lookup may be slow; observe() must be cheap, because every
 * record passes through it.
 *
 * Sources are used by the one thread that decodes a trace.
 */
#ifndef EF_DECODE_SOURCE_H
#define EF_DECODE_SOURCE_H

#include "decode/schema.h"
#include "util/record.h"

struct ef_schema_source_ops {
    const char *name; /* "tracelogging", "manifest", "mof", "embedded", "tdh", "eventsource" */

    /*
     * Finds the schema for r. Returns 0 with *out set, EF_ENOENT when this
     * source has none (the next source is asked), or another EF_E* code when
     * the source has one but it is broken (counted; the next source is asked).
     * The schema stays valid as long as the source.
     */
    int (*lookup)(void *ctx, const struct ef_record *r, const struct ef_schema **out);

    /*
     * Optional. Sees every record before lookups, so sources that learn from
     * the stream (embedded schemas, EventSource manifests) can take them.
     * Returns 1 when the record was schema data that the source consumed
     * (it is still delivered), 0 otherwise, or a negative EF_E* code when the
     * record claimed to be schema data but could not be read.
     */
    int (*observe)(void *ctx, const struct ef_record *r);

    /* Frees the source and every schema it handed out. */
    void (*destroy)(void *ctx);
};

struct ef_schema_source {
    const struct ef_schema_source_ops *ops;
    void *ctx;
};

#endif

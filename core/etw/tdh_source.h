/*
 * tdh_source.h - the Windows TDH schema source.
 *
 * On Windows, TDH knows the schema of every event whose provider is
 * registered on the machine (manifests, MOF classes, TraceLogging). This
 * source asks it, through the struct ef_etw_api table, with the record's
 * native EVENT_RECORD, and translates the TRACE_EVENT_INFO and
 * EVENT_MAP_INFO blobs with the same reader as the embedded source
 * (core/decode/tei.h). It only answers records that carry an EVENT_RECORD
 * (ef_record.native), that is those of a real-time session or of
 * ProcessTrace on a file; .etl files read by core/etl have none.
 *
 * The header is portable (struct ef_etw_api stays opaque here); the source
 * is built on Windows only.
 */
#ifndef EF_ETW_TDH_SOURCE_H
#define EF_ETW_TDH_SOURCE_H

#include <stddef.h>

#include "decode/source.h"

struct ef_etw_api;

/* Memory the source may use when the caller does not say, and the largest blob it accepts. */
#define EF_TDH_DEFAULT_MAX (64u * 1024 * 1024)
#define EF_TDH_MAX_BLOB    (4u * 1024 * 1024)

/*
 * Creates a TDH source calling through api (copied; NULL = ef_etw_api_real()).
 * Its schemas, maps and names use at most max_bytes (0 = EF_TDH_DEFAULT_MAX);
 * past it, lookups of new events return EF_ELIMIT. Returns 0, EF_ENOMEM, or
 * EF_ENOTSUP when api lacks the TDH calls. Free it with
 * out->ops->destroy(out->ctx). The decoding thread.
 */
int ef_tdh_source_create(const struct ef_etw_api *api, size_t max_bytes,
                         struct ef_schema_source *out);

#endif

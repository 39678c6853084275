/*
 * tlg_source.h - the TraceLogging schema source.
 *
 * Answers lookups for records that carry an EVENT_SCHEMA_TL extended item,
 * from that item alone (with the provider name from PROV_TRAITS). Parsed
 * schemas are kept, keyed by the metadata bytes and the event descriptor,
 * so an event seen again after the decoder's cache evicted it costs a hash
 * and a compare, not a parse; broken metadata is remembered too.
 */
#ifndef EF_DECODE_TLG_SOURCE_H
#define EF_DECODE_TLG_SOURCE_H

#include <stddef.h>

#include "decode/source.h"

/* Memory a TraceLogging source may use when the caller does not say. */
#define EF_TLG_SOURCE_DEFAULT_MAX (64u * 1024 * 1024)

/*
 * Creates a TraceLogging source whose schemas use at most max_bytes of
 * memory (0 = EF_TLG_SOURCE_DEFAULT_MAX); past it, lookups of new layouts
 * return EF_ELIMIT. Returns 0 or EF_ENOMEM. Free it with
 * out->ops->destroy(out->ctx). The decoding thread.
 */
int ef_tlg_source_create(size_t max_bytes, struct ef_schema_source *out);

#endif

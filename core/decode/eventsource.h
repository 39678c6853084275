/*
 * eventsource.h - the schema source fed by EventSource in-band manifests.
 *
 * A .NET EventSource that is not self-describing writes its manifest into
 * the trace as "ManifestData" events (id 0xFFFE, task 0xFFFE, opcode 0xFE):
 * each payload is an 8-byte envelope (Format, MajorVersion, MinorVersion,
 * Magic 0x5B, TotalChunks u16, ChunkNumber u16) followed by one chunk of
 * the manifest's UTF-8 XML. observe() puts the chunks of each provider back
 * together; a complete manifest is loaded with the manifest loader into a
 * manifest source of that provider, which lookup() then answers from. The
 * ManifestData events themselves decode with a small built-in schema of the
 * envelope (docs/schemas.md "EventSource manifests").
 */
#ifndef EF_DECODE_EVENTSOURCE_H
#define EF_DECODE_EVENTSOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "decode/source.h"

/* The ManifestData event descriptor EventSource writes its manifest with. */
#define EF_ES_MANIFEST_ID     0xFFFE
#define EF_ES_MANIFEST_TASK   0xFFFE
#define EF_ES_MANIFEST_OPCODE 0xFE
#define EF_ES_ENVELOPE_SIZE   8
#define EF_ES_FORMAT_XML      1
#define EF_ES_MAGIC           0x5B

/* Bounds when the caller does not say (0 in the options). */
#define EF_ES_DEFAULT_MAX_MANIFEST  (8u << 20)  /* XML bytes of one provider's manifest */
#define EF_ES_DEFAULT_MAX_TOTAL     (64u << 20) /* all chunks held plus all XML loaded */
#define EF_ES_DEFAULT_MAX_PROVIDERS 1024

struct ef_es_opts {
    size_t max_manifest;    /* bytes of one manifest; a bigger one is dropped (EF_ELIMIT) */
    size_t max_total;       /* chunks being assembled plus XML loaded, over all providers */
    uint32_t max_providers; /* providers tracked */
};

struct ef_es_stats {
    uint64_t chunks;       /* ManifestData records accepted */
    uint64_t bad_envelope; /* too short, wrong magic, unknown format, bad chunk numbers */
    uint64_t resets;       /* an assembly abandoned: a chunk missing or out of order */
    uint64_t skipped;      /* later chunks of an abandoned assembly, up to the next chunk 0 */
    uint64_t oversize;     /* manifests dropped for max_manifest, max_total or max_providers */
    uint64_t manifests;    /* complete manifests loaded (first time or changed) */
    uint64_t repeats;      /* complete manifests identical to the one loaded: skipped */
    uint64_t replaced;     /* loads that replaced a provider's earlier manifest */
    uint64_t load_errors;  /* complete manifests the loader refused */
    uint32_t providers;    /* providers tracked */
    size_t bytes;          /* bytes counted against max_total now */
};

/*
 * Creates an EventSource manifest source (opts may be NULL) and fills out;
 * out->ctx is what ef_es_source_stats() takes. Returns 0 or EF_ENOMEM. Free
 * it with out->ops->destroy(out->ctx) (or let a decoder own it). The
 * decoding thread.
 */
int ef_es_source_create(const struct ef_es_opts *opts, struct ef_schema_source *out);

/* Copies the counters of a source made by ef_es_source_create. The decoding thread. */
void ef_es_source_stats(const void *ctx, struct ef_es_stats *out);

/*
 * The last loader error text of the source ("" if none), for diagnostics:
 * it names the provider and the loader's "name:line: what" message. The
 * decoding thread; valid until the next observe().
 */
const char *ef_es_source_last_error(const void *ctx);

#endif

/*
 * decoder.h - struct ef_decoder: records in, decoded events out.
 *
 * A decoder holds its schema sources in order of preference (DESIGN.md
 * "Decoding": TraceLogging, manifests, TDH or embedded TRACE_EVENT_INFO,
 * MOF), the plan cache and the workspace the interpreter writes into. Every
 * record gives an event: decoded, decoded up to a field that did not fit,
 * or flagged as having no schema (its payload then goes out as hex).
 *
 * A decoder belongs to the one thread that decodes a trace; it is not
 * shared. Its memory grows while it warms up and then stays put: decoding
 * allocates nothing in the steady state (bench/decode_bench.c measures it).
 */
#ifndef EF_DECODE_DECODER_H
#define EF_DECODE_DECODER_H

#include <stdint.h>

#include "decode/cache.h"
#include "decode/event.h"
#include "decode/source.h"

#define EF_DECODER_MAX_SOURCES 8

struct ef_decoder;

struct ef_decoder_opts {
    uint32_t cache_capacity; /* plans kept (LRU); 0 = 4096 */
    uint32_t max_values;     /* values one event may have; 0 = 65536 */
};

struct ef_decoder_stats {
    uint64_t events;          /* records decoded */
    uint64_t decoded;         /* with a schema and no error */
    uint64_t no_schema;       /* no source knew them */
    uint64_t decode_errors;   /* a field did not fit the payload */
    uint64_t bad_schema;      /* a source's schema was inconsistent, or the source failed */
    uint64_t truncated;       /* more values than max_values */
    uint64_t fallback;        /* decoded with an older version's schema (EF_EVT_SCHEMA_FALLBACK) */
    uint64_t layout_mismatch; /* of those, payloads not ending where that layout ends */
    uint64_t schema_records;  /* records a source took schemas from */
    uint64_t observe_errors;  /* schema records that could not be read */
    uint64_t by_source[8];    /* events decoded, by enum ef_schema_kind */
    struct ef_cache_stats cache;
};

/* Makes an empty decoder (opts may be NULL). Returns 0 or EF_ENOMEM. Any thread. */
int ef_decoder_new(const struct ef_decoder_opts *opts, struct ef_decoder **out);

/*
 * Appends a schema source; sources are asked in the order they were added.
 * The decoder owns it from now on, also on failure (it is then destroyed).
 * Returns 0 or EF_ELIMIT (more than EF_DECODER_MAX_SOURCES). The owning thread.
 */
int ef_decoder_add_source(struct ef_decoder *d, struct ef_schema_source src);

/*
 * Decodes r into out, which stays valid until the next call (and as long as
 * r). Returns 0 when the event was decoded, or the reason it was not fully
 * decoded (EF_ENOENT: no schema; EF_ETRUNC/EF_EFORMAT/...: decode error;
 * the error of a broken schema): out is filled and flagged in every case,
 * so the caller renders it either way. The owning thread.
 */
int ef_decoder_decode(struct ef_decoder *d, const struct ef_record *r, struct ef_event *out);

/* Copies the counters. The owning thread. */
void ef_decoder_stats(const struct ef_decoder *d, struct ef_decoder_stats *out);

/*
 * The outcome of every record so far, as a source of events reports it:
 * decoded, without a schema (none known or a broken one: the payload goes
 * out as hex), or decoded up to a field that did not fit. The owning thread.
 */
struct ef_decoder_outcomes {
    uint64_t events, decoded, no_schema, decode_errors;
};
void ef_decoder_get_outcomes(const struct ef_decoder *d, struct ef_decoder_outcomes *out);

/* Frees the decoder, its cache and its sources. The owning thread. */
void ef_decoder_free(struct ef_decoder *d);

#endif

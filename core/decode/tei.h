/*
 * tei.h - the TRACE_EVENT_INFO and EVENT_MAP_INFO reader.
 *
 * TdhGetEventInformation returns an event's schema as a TRACE_EVENT_INFO
 * blob, and TdhGetEventMapInformation a value map as an EVENT_MAP_INFO blob.
 * Merged traces embed the same blobs (KernelTraceControl MetaData records),
 * so this reader serves both the embedded source on any OS and the TDH
 * source on Windows. Blobs are untrusted bytes: every offset, index and
 * count is checked, and a blob that lies is an error, never a crash.
 *
 * Layouts (all little-endian, strings UTF-16LE and NUL-terminated at
 * offsets from the blob's start) are in docs/schemas-binary.md.
 */
#ifndef EF_DECODE_TEI_H
#define EF_DECODE_TEI_H

#include <stddef.h>
#include <stdint.h>

#include "decode/schema.h"
#include "util/arena.h"
#include "util/guid.h"

/* Deepest struct nesting accepted in a TRACE_EVENT_INFO. */
#define EF_TEI_MAX_DEPTH 32

/* Size of TRACE_EVENT_INFO up to its property array, and of one EVENT_PROPERTY_INFO. */
#define EF_TEI_HEADER_SIZE   112
#define EF_TEI_PROPERTY_SIZE 24
/* Size of EVENT_MAP_INFO up to its entries, and of one EVENT_MAP_ENTRY. */
#define EF_TEI_MAP_HEADER_SIZE 16
#define EF_TEI_MAP_ENTRY_SIZE  8

/* DECODING_SOURCE. */
enum ef_tei_decoding_source {
    EF_TEI_DS_XML = 0,  /* a manifest */
    EF_TEI_DS_WBEM = 1, /* MOF (classic providers, the kernel) */
    EF_TEI_DS_WPP = 2,
    EF_TEI_DS_TLG = 3, /* TraceLogging */
};

/* PROPERTY_FLAGS. */
enum ef_tei_property_flags {
    EF_TEI_PROP_STRUCT = 0x1,
    EF_TEI_PROP_PARAM_LENGTH = 0x2,
    EF_TEI_PROP_PARAM_COUNT = 0x4,
    EF_TEI_PROP_WBEM_XML_FRAGMENT = 0x8,
    EF_TEI_PROP_PARAM_FIXED_LENGTH = 0x10,
    EF_TEI_PROP_PARAM_FIXED_COUNT = 0x20,
    EF_TEI_PROP_HAS_TAGS = 0x40,
    EF_TEI_PROP_HAS_CUSTOM_SCHEMA = 0x80,
};

/* MAP_FLAGS. */
enum ef_tei_map_flags {
    EF_TEI_MAP_MANIFEST_VALUEMAP = 1,
    EF_TEI_MAP_MANIFEST_BITMAP = 2,
    EF_TEI_MAP_MANIFEST_PATTERNMAP = 4,
    EF_TEI_MAP_WBEM_VALUEMAP = 8,
    EF_TEI_MAP_WBEM_BITMAP = 16,
    EF_TEI_MAP_WBEM_FLAG = 32,
    EF_TEI_MAP_WBEM_NO_MAP = 64,
};

/* The fixed part of a TRACE_EVENT_INFO: what a schema is matched on. */
struct ef_tei_header {
    struct ef_guid provider;
    struct ef_guid event_guid; /* MOF events: the event class GUID */
    uint16_t id;
    uint8_t version;
    uint8_t channel;
    uint8_t level;
    uint8_t opcode;
    uint16_t task;
    uint64_t keywords;
    uint32_t decoding_source; /* enum ef_tei_decoding_source */
    uint32_t property_count;
    uint32_t top_count;
};

/* How the reader finds what a blob only names. Both callbacks may be NULL. */
struct ef_tei_env {
    /* The map a field names (MapNameOffset), or NULL to leave the field without one. */
    const struct ef_map *(*find_map)(void *ctx, const struct ef_guid *provider, const char *name);
    /* A shared provider info for the blob's provider, or NULL to allocate one from the arena. */
    const struct ef_provider_info *(*provider)(void *ctx, const struct ef_guid *guid,
                                               const char *name);
    void *ctx;
};

/*
 * Reads the fixed header of a TRACE_EVENT_INFO blob of len bytes, checking
 * only that it is there. Returns 0 or EF_ETRUNC. Any thread.
 */
int ef_tei_header(const void *blob, size_t len, struct ef_tei_header *h);

/*
 * Parses a TRACE_EVENT_INFO blob into a schema allocated from a, with every
 * offset, struct range, nesting depth and count/length reference checked
 * (references must name an earlier integer field: a sibling, or a
 * top-level field before the referring field's top-level ancestor).
 * env (optional) resolves map names and shares provider infos.
 * Returns 0, EF_ETRUNC, EF_EFORMAT or EF_ENOMEM. The thread that owns a.
 */
int ef_tei_parse(const void *blob, size_t len, struct ef_arena *a, const struct ef_tei_env *env,
                 const struct ef_schema **out);

/*
 * Parses an EVENT_MAP_INFO blob into a map allocated from a: entry names
 * without the trailing spaces TDH appends, VALUE maps sorted by value,
 * WBEM_NO_MAP entries numbered by their index, string-valued entries kept
 * when they read as numbers. Returns 0, EF_ETRUNC, EF_EFORMAT or EF_ENOMEM.
 * The thread that owns a.
 */
int ef_tei_parse_map(const void *blob, size_t len, struct ef_arena *a, const struct ef_map **out);

#endif

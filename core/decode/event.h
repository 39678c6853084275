/*
 * event.h - a decoded event: the record, its schema and its typed values.
 *
 * The decoder turns a record's payload into a flat array of typed values in
 * payload order. Structs and arrays are container values followed by their
 * elements: a container's `span` says how many of the following values are
 * inside it (at any depth), so a renderer walks the array once, without
 * recursion into pointers. Nothing here is allocated per event: the values
 * and the text of converted strings live in the decoder's workspace, which
 * is reused, and raw bytes (binary, SIDs, ANSI strings that were already
 * valid UTF-8) point into the record's payload. An event is therefore valid
 * until the next ef_decoder_decode() on the same decoder, and only as long
 * as the record is.
 */
#ifndef EF_DECODE_EVENT_H
#define EF_DECODE_EVENT_H

#include <stdint.h>

#include "decode/schema.h"
#include "util/guid.h"
#include "util/record.h"
#include "util/timefmt.h"

enum ef_value_kind {
    EF_V_INT = 1,       /* signed integer: v.i */
    EF_V_UINT = 2,      /* unsigned integer: v.u */
    EF_V_DOUBLE = 3,    /* float or double: v.d */
    EF_V_BOOL = 4,      /* v.u is 0 or 1 */
    EF_V_STRING = 5,    /* UTF-8 text: v.s (not NUL-terminated) */
    EF_V_GUID = 6,      /* v.guid */
    EF_V_FILETIME = 7,  /* v.u: 100 ns since 1601 */
    EF_V_SYSTIME = 8,   /* v.st */
    EF_V_SID = 9,       /* v.s: the binary SID; len 0 for a NULL SID */
    EF_V_BINARY = 10,   /* v.s: raw bytes, rendered as hex */
    EF_V_IPV4 = 11,     /* v.u: the four bytes as stored (network order), low byte first */
    EF_V_IPV6 = 12,     /* v.s: 16 bytes */
    EF_V_SOCKADDR = 13, /* v.s: a SOCKADDR_IN / SOCKADDR_IN6 (or other family, as hex) */
    EF_V_STRUCT = 14,   /* container: span members follow */
    EF_V_ARRAY = 15,    /* container: span values follow (count elements at depth + 1) */
};

/* Value flags. */
enum {
    EF_VAL_HEX = 0x01,       /* an integer rendered as "0x..." (pointers, HEXINT, format("x")) */
    EF_VAL_TRUNCATED = 0x02, /* the field ran past the payload: what was there is kept */
    EF_VAL_64BIT = 0x04,     /* read from 8 bytes (the "64-bit integers as strings" option) */
    EF_VAL_CHAR = 0x08,      /* a single character (UNICODECHAR / ANSICHAR) */
};

struct ef_value {
    const char *name;             /* the field's name; NULL for array elements */
    const struct ef_field *field; /* its field (map, outtype); enrich.h: maybe not in schema */
    uint8_t kind;                 /* enum ef_value_kind */
    uint8_t depth;                /* 0 for top-level fields */
    uint8_t flags;                /* EF_VAL_* */
    uint16_t outtype;             /* the effective enum ef_outtype */
    uint32_t span;                /* containers: how many values follow inside */
    uint32_t count;               /* arrays: element count; structs: member count */
    union {
        int64_t i;
        uint64_t u;
        double d;
        struct ef_guid guid;
        struct ef_systemtime st;
        struct {
            const char *p;
            uint32_t len;
        } s;
    } v;
};

/* Event flags. */
enum {
    EF_EVT_NO_SCHEMA = 0x01,    /* no source knew the event: payload as hex */
    EF_EVT_DECODE_ERROR = 0x02, /* a field did not fit: error_field, rest as hex */
    EF_EVT_TRUNCATED = 0x04,    /* more values than the workspace allows */
    EF_EVT_BAD_SCHEMA = 0x08,   /* the schema could not be compiled (or its source failed) */
    /* Decoded with a schema of an older version than the record's (MOF fallback). */
    EF_EVT_SCHEMA_FALLBACK = 0x10,
    /*
     * With EF_EVT_SCHEMA_FALLBACK: the payload does not end where the older
     * layout ends (bytes left over, or fields missing). The decoded fields
     * are kept; left-over bytes start at rest_offset (not a decode error).
     */
    EF_EVT_LAYOUT_MISMATCH = 0x20,
};

struct ef_plan;

struct ef_event {
    const struct ef_record *rec;
    const struct ef_schema *schema; /* NULL with EF_EVT_NO_SCHEMA / EF_EVT_BAD_SCHEMA */
    const struct ef_plan *plan;     /* the plan that decoded it (pre-escaped keys); may be NULL */
    const struct ef_value *values;
    uint32_t count;
    uint32_t flags;          /* EF_EVT_* */
    const char *error_field; /* EF_EVT_DECODE_ERROR: the field where it happened */
    uint32_t error_offset;   /* payload offset where that field started */
    uint32_t rest_offset;    /* bytes from here to the payload's end were not decoded */
};

#endif

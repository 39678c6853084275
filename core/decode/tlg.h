/*
 * tlg.h - TraceLogging metadata: the schema an event carries with it.
 *
 * A TraceLogging event describes itself in two extended data items:
 * EVENT_SCHEMA_TL (type 11) holds the event name and its fields, and
 * PROV_TRAITS (type 12) the provider name. These functions read those
 * bytes, which come from the trace and are untrusted: every read is bounds
 * checked and a malformed item is an error, never a crash.
 *
 * The byte layout and the TlgIn/TlgOut to TDH type mapping are described
 * in docs/schemas-binary.md.
 */
#ifndef EF_DECODE_TLG_H
#define EF_DECODE_TLG_H

#include <stddef.h>
#include <stdint.h>

#include "decode/schema.h"
#include "util/arena.h"

/* Deepest struct nesting accepted in TraceLogging metadata. */
#define EF_TLG_MAX_DEPTH 32

/* TlgIn_t values (TraceLoggingProvider.h): the low 5 bits of a field's InType byte. */
enum ef_tlg_in {
    EF_TLG_IN_NULL = 0,
    EF_TLG_IN_UNICODESTRING = 1,
    EF_TLG_IN_ANSISTRING = 2,
    EF_TLG_IN_INT8 = 3,
    EF_TLG_IN_UINT8 = 4,
    EF_TLG_IN_INT16 = 5,
    EF_TLG_IN_UINT16 = 6,
    EF_TLG_IN_INT32 = 7,
    EF_TLG_IN_UINT32 = 8,
    EF_TLG_IN_INT64 = 9,
    EF_TLG_IN_UINT64 = 10,
    EF_TLG_IN_FLOAT = 11,
    EF_TLG_IN_DOUBLE = 12,
    EF_TLG_IN_BOOL32 = 13,
    EF_TLG_IN_BINARY = 14, /* u16 byte count in the payload, then the bytes */
    EF_TLG_IN_GUID = 15,
    EF_TLG_IN_POINTER_UNSUPPORTED = 16,
    EF_TLG_IN_FILETIME = 17,
    EF_TLG_IN_SYSTEMTIME = 18,
    EF_TLG_IN_SID = 19,
    EF_TLG_IN_HEXINT32 = 20,
    EF_TLG_IN_HEXINT64 = 21,
    EF_TLG_IN_COUNTEDSTRING = 22,     /* u16 byte count, then UTF-16 */
    EF_TLG_IN_COUNTEDANSISTRING = 23, /* u16 byte count, then 8-bit chars */
    EF_TLG_IN_STRUCT = 24,            /* the OutType byte holds the member count */
    EF_TLG_IN_COUNTEDBINARY = 25,     /* u16 byte count, then the bytes */

    EF_TLG_IN_TYPE_MASK = 0x1F,
    EF_TLG_IN_CCOUNT = 0x20, /* constant array: a u16 count follows in the metadata */
    EF_TLG_IN_VCOUNT = 0x40, /* variable array: a u16 count precedes the values */
    EF_TLG_IN_CUSTOM = 0x60, /* u16 schema size + schema in metadata; u16 size + data */
    EF_TLG_IN_COUNT_MASK = 0x60,
    EF_TLG_IN_CHAIN = 0x80, /* an OutType byte follows */
};

/* TlgOut_t values: the low 7 bits of a field's OutType byte. */
enum ef_tlg_out {
    EF_TLG_OUT_NULL = 0,
    EF_TLG_OUT_NOPRINT = 1,
    EF_TLG_OUT_STRING = 2,
    EF_TLG_OUT_BOOLEAN = 3,
    EF_TLG_OUT_HEX = 4,
    EF_TLG_OUT_PID = 5,
    EF_TLG_OUT_TID = 6,
    EF_TLG_OUT_PORT = 7,
    EF_TLG_OUT_IPV4 = 8,
    EF_TLG_OUT_IPV6 = 9,
    EF_TLG_OUT_SOCKETADDRESS = 10,
    EF_TLG_OUT_XML = 11,
    EF_TLG_OUT_JSON = 12,
    EF_TLG_OUT_WIN32ERROR = 13,
    EF_TLG_OUT_NTSTATUS = 14,
    EF_TLG_OUT_HRESULT = 15,
    EF_TLG_OUT_FILETIME = 16,
    EF_TLG_OUT_SIGNED = 17,
    EF_TLG_OUT_UNSIGNED = 18,
    EF_TLG_OUT_DATETIME_CULTURE_INSENSITIVE = 33,
    EF_TLG_OUT_UTF8 = 35,
    EF_TLG_OUT_PKCS7_WITH_TYPE_INFO = 36,
    EF_TLG_OUT_CODE_POINTER = 37,
    EF_TLG_OUT_DATETIME_UTC = 38,

    EF_TLG_OUT_TYPE_MASK = 0x7F,
    EF_TLG_OUT_CHAIN = 0x80, /* field tags follow */
};

/*
 * Finds the event name in an EVENT_SCHEMA_TL item of len bytes without
 * allocating: *name points into meta, *name_len excludes the NUL. Returns 0,
 * EF_ETRUNC or EF_EFORMAT. Meant for building cache keys. Any thread.
 */
int ef_tlg_event_name(const void *meta, size_t len, const char **name, size_t *name_len);

/*
 * Finds the provider name in a PROV_TRAITS item, like ef_tlg_event_name.
 * Any thread.
 */
int ef_tlg_provider_name(const void *traits, size_t len, const char **name, size_t *name_len);

/*
 * A 64-bit FNV-1a hash of the metadata bytes the item declares, so that a
 * cache can tell apart two events that share a name but not a layout.
 * Any thread.
 */
uint64_t ef_tlg_hash(const void *meta, size_t len);

/*
 * Parses an EVENT_SCHEMA_TL item into s: event_name, fields, field_count and
 * top_count, with everything allocated from a; the other members of s are
 * left as they were. Returns 0, EF_ETRUNC (the item ends inside a field),
 * EF_EFORMAT (a bad type, a struct with missing members, nesting deeper than
 * EF_TLG_MAX_DEPTH), EF_ENOTSUP (the obsolete pointer type) or EF_ENOMEM.
 * The thread that owns a.
 */
int ef_tlg_parse(const void *meta, size_t len, struct ef_arena *a, struct ef_schema *s);

#endif

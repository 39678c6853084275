/*
 * schema.h - the schema model: what one event's payload looks like.
 *
 * Every schema source (TraceLogging metadata, manifest XML, kernel MOF text,
 * TRACE_EVENT_INFO blobs embedded in traces or returned by TDH, EventSource
 * in-band manifests) produces the same model, so the decoder and renderer
 * never know where a schema came from.
 *
 * The field list mirrors TRACE_EVENT_INFO's EVENT_PROPERTY_INFO array: one
 * flat array, the first top_count entries are the event's top-level fields
 * in payload order; a struct field names its members as a contiguous run
 * [struct_first, struct_first + struct_count) of the same array. Lengths and
 * counts taken from another field refer to that field's index in the array
 * (always an earlier top-level or sibling field).
 *
 * All memory of a schema (names, fields, maps) belongs to its source's arena
 * and lives as long as the source.
 */
#ifndef EF_DECODE_SCHEMA_H
#define EF_DECODE_SCHEMA_H

#include <stdint.h>

#include "util/guid.h"
#include "util/record.h"

/* TDH _TDH_IN_TYPE values. */
enum ef_intype {
    EF_IN_NULL = 0,
    EF_IN_UNICODESTRING = 1,
    EF_IN_ANSISTRING = 2,
    EF_IN_INT8 = 3,
    EF_IN_UINT8 = 4,
    EF_IN_INT16 = 5,
    EF_IN_UINT16 = 6,
    EF_IN_INT32 = 7,
    EF_IN_UINT32 = 8,
    EF_IN_INT64 = 9,
    EF_IN_UINT64 = 10,
    EF_IN_FLOAT = 11,
    EF_IN_DOUBLE = 12,
    EF_IN_BOOLEAN = 13, /* 4 bytes */
    EF_IN_BINARY = 14,
    EF_IN_GUID = 15,
    EF_IN_POINTER = 16, /* the record's pointer size */
    EF_IN_FILETIME = 17,
    EF_IN_SYSTEMTIME = 18,
    EF_IN_SID = 19,
    EF_IN_HEXINT32 = 20,
    EF_IN_HEXINT64 = 21,
    EF_IN_MANIFEST_COUNTEDSTRING = 22,
    EF_IN_MANIFEST_COUNTEDANSISTRING = 23,
    EF_IN_RESERVED24 = 24,
    EF_IN_MANIFEST_COUNTEDBINARY = 25,
    EF_IN_COUNTEDSTRING = 300,
    EF_IN_COUNTEDANSISTRING = 301,
    EF_IN_REVERSEDCOUNTEDSTRING = 302,
    EF_IN_REVERSEDCOUNTEDANSISTRING = 303,
    EF_IN_NONNULLTERMINATEDSTRING = 304,
    EF_IN_NONNULLTERMINATEDANSISTRING = 305,
    EF_IN_UNICODECHAR = 306,
    EF_IN_ANSICHAR = 307,
    EF_IN_SIZET = 308,
    EF_IN_HEXDUMP = 309,
    EF_IN_WBEMSID = 310,
};

/* TDH _TDH_OUT_TYPE values. */
enum ef_outtype {
    EF_OUT_NULL = 0,
    EF_OUT_STRING = 1,
    EF_OUT_DATETIME = 2,
    EF_OUT_BYTE = 3,
    EF_OUT_UNSIGNEDBYTE = 4,
    EF_OUT_SHORT = 5,
    EF_OUT_UNSIGNEDSHORT = 6,
    EF_OUT_INT = 7,
    EF_OUT_UNSIGNEDINT = 8,
    EF_OUT_LONG = 9,
    EF_OUT_UNSIGNEDLONG = 10,
    EF_OUT_FLOAT = 11,
    EF_OUT_DOUBLE = 12,
    EF_OUT_BOOLEAN = 13,
    EF_OUT_GUID = 14,
    EF_OUT_HEXBINARY = 15,
    EF_OUT_HEXINT8 = 16,
    EF_OUT_HEXINT16 = 17,
    EF_OUT_HEXINT32 = 18,
    EF_OUT_HEXINT64 = 19,
    EF_OUT_PID = 20,
    EF_OUT_TID = 21,
    EF_OUT_PORT = 22,
    EF_OUT_IPV4 = 23,
    EF_OUT_IPV6 = 24,
    EF_OUT_SOCKETADDRESS = 25,
    EF_OUT_CIMDATETIME = 26,
    EF_OUT_ETWTIME = 27,
    EF_OUT_XML = 28,
    EF_OUT_ERRORCODE = 29,
    EF_OUT_WIN32ERROR = 30,
    EF_OUT_NTSTATUS = 31,
    EF_OUT_HRESULT = 32,
    EF_OUT_CULTURE_INSENSITIVE_DATETIME = 33,
    EF_OUT_JSON = 34,
    EF_OUT_UTF8 = 35,
    EF_OUT_PKCS7_WITH_TYPE_INFO = 36,
    EF_OUT_CODE_POINTER = 37,
    EF_OUT_DATETIME_UTC = 38,
    EF_OUT_REDUCEDSTRING = 300,
    EF_OUT_NOPRINT = 301,
};

/* A value map or bit map (manifest <valueMap>/<bitMap>, EVENT_MAP_INFO). */
enum ef_map_kind {
    EF_MAP_VALUE = 0,   /* the value equals one entry */
    EF_MAP_BITMAP = 1,  /* each set entry bit contributes a name */
    EF_MAP_PATTERN = 2, /* EVENTMAP_INFO_FLAG_WBEM_VALUEMAP / pattern maps: treated as VALUE */
};

struct ef_map_entry {
    uint32_t value;
    const char *name;
};

struct ef_map {
    const char *name;
    uint8_t kind; /* enum ef_map_kind */
    uint32_t count;
    const struct ef_map_entry *entries; /* sorted by value for VALUE maps */
};

enum ef_field_flags {
    EF_FIELD_STRUCT = 0x0001,      /* members at struct_first..; intype ignored */
    EF_FIELD_COUNT_FIXED = 0x0002, /* an array of `count` elements */
    EF_FIELD_COUNT_REF = 0x0004,   /* an array whose count is the value of field count_ref */
    EF_FIELD_LENGTH_REF = 0x0008,  /* length (bytes or chars) is the value of field length_ref */
    EF_FIELD_LENGTH_FIXED = 0x0010, /* length is `length` (strings in chars, binary in bytes) */
    EF_FIELD_WBEM_SID = 0x0020,    /* SID preceded by a TOKEN_USER (pointer-sized x2) */
    EF_FIELD_HEX = 0x0040,         /* render integers as hex (MOF format("x")) */
    EF_FIELD_ARRAY_UNBOUNDED = 0x0080, /* elements until the payload ends (TraceLogging/MOF) */
    /* An array whose u16 element count precedes the elements in the payload
     * (TraceLogging TlgInVcount): no count field exists in the schema. */
    EF_FIELD_COUNT_PREFIX = 0x0100,
};

struct ef_field {
    const char *name;
    uint16_t intype;  /* enum ef_intype */
    uint16_t outtype; /* enum ef_outtype; 0 = the intype's default */
    uint16_t flags;   /* enum ef_field_flags */
    uint16_t count;   /* EF_FIELD_COUNT_FIXED: element count */
    uint16_t count_ref;
    uint16_t length; /* EF_FIELD_LENGTH_FIXED: length */
    uint16_t length_ref;
    uint16_t struct_first; /* EF_FIELD_STRUCT: index of the first member */
    uint16_t struct_count;
    const struct ef_map *map; /* NULL if none */
};

/* Where a schema came from; kept in stats and in the output's flags. */
/* (Named _kind: the tag ef_schema_source is struct ef_schema_source in source.h.) */
enum ef_schema_kind {
    EF_SCHEMA_TRACELOGGING = 1,
    EF_SCHEMA_MANIFEST = 2,
    EF_SCHEMA_MOF = 3,
    EF_SCHEMA_EMBEDDED_TEI = 4, /* KernelTraceControl MetaData/EventInfo in the trace */
    EF_SCHEMA_TDH = 5,
    EF_SCHEMA_EVENTSOURCE = 6,
};

/* A provider's keyword bit names, shared by its events. */
struct ef_keyword_name {
    uint64_t mask;
    const char *name;
};

/* What every event of one provider shares. */
struct ef_provider_info {
    struct ef_guid guid;
    const char *name;
    uint32_t keyword_count;
    const struct ef_keyword_name *keywords;
};

enum ef_schema_flags {
    /*
     * The version is the layout's own, stated by the source (a MOF class's
     * EventVersion): a record of a higher version that the source answers
     * with this schema is decoded by fallback, and the event says so.
     */
    EF_SCHEMA_VERSIONED = 0x01,
    /*
     * The payload may end at any top-level field boundary: the fields after
     * it are absent, not an error (MOF classes such as StackWalk_Event list
     * Stack1..Stack32 while events carry only the frames there are).
     */
    EF_SCHEMA_END_AT_FIELD = 0x02,
};

struct ef_schema {
    const struct ef_provider_info *provider;

    /* The descriptor the schema is for (what a record is matched on). */
    uint16_t id;
    uint8_t version;
    uint8_t opcode;
    uint8_t level;
    uint8_t channel;
    uint16_t task;
    uint64_t keywords;

    /* Names; NULL when the source has none. */
    const char *event_name; /* TraceLogging/EventSource event name, manifest symbol or MOF class */
    const char *task_name;
    const char *opcode_name;
    const char *level_name;
    const char *channel_name;
    const char *message; /* message template with %1..%n for top-level fields */

    uint8_t source; /* enum ef_schema_kind */
    uint8_t flags;  /* enum ef_schema_flags */
    uint16_t field_count;
    uint16_t top_count;
    const struct ef_field *fields;
};

#endif

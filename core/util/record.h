/*
 * record.h - struct ef_record, the portable view of one ETW event.
 *
 * Every source produces it (the .etl reader in core/etl, the real-time
 * consumer in core/etw) and the decoder consumes it. It mirrors the
 * EVENT_RECORD a Windows consumer receives, with the timestamp already
 * converted to FILETIME. It points into the source's memory: the payload and
 * extended items are valid only until the source delivers the next record,
 * and nothing is copied to build it.
 */
#ifndef EF_UTIL_RECORD_H
#define EF_UTIL_RECORD_H

#include <stdint.h>

#include "guid.h"

/* EVENT_HEADER.Flags, as Windows synthesizes them for consumers. */
enum {
    EF_HDR_FLAG_EXTENDED_INFO = 0x0001,
    EF_HDR_FLAG_PRIVATE_SESSION = 0x0002,
    EF_HDR_FLAG_STRING_ONLY = 0x0004,
    EF_HDR_FLAG_TRACE_MESSAGE = 0x0008,
    EF_HDR_FLAG_NO_CPUTIME = 0x0010,
    EF_HDR_FLAG_32_BIT_HEADER = 0x0020,
    EF_HDR_FLAG_64_BIT_HEADER = 0x0040,
    EF_HDR_FLAG_DECODE_GUID = 0x0080,
    EF_HDR_FLAG_CLASSIC_HEADER = 0x0100,
    EF_HDR_FLAG_PROCESSOR_INDEX = 0x0200,
};

/* EVENT_HEADER.EventProperty. */
enum {
    EF_PROP_XML = 0x0001,
    EF_PROP_FORWARDED_XML = 0x0002,
    EF_PROP_LEGACY_EVENTLOG = 0x0004,
    EF_PROP_RELOGGABLE = 0x0008,
};

/* EVENT_HEADER_EXTENDED_DATA_ITEM.ExtType. */
enum {
    EF_EXT_RELATED_ACTIVITYID = 1,
    EF_EXT_SID = 2,
    EF_EXT_TS_ID = 3,
    EF_EXT_INSTANCE_INFO = 4,
    EF_EXT_STACK_TRACE32 = 5,
    EF_EXT_STACK_TRACE64 = 6,
    EF_EXT_PEBS_INDEX = 7,
    EF_EXT_PMC_COUNTERS = 8,
    EF_EXT_PSM_KEY = 9,
    EF_EXT_EVENT_KEY = 10,
    EF_EXT_EVENT_SCHEMA_TL = 11,
    EF_EXT_PROV_TRAITS = 12,
    EF_EXT_PROCESS_START_KEY = 13,
    EF_EXT_CONTROL_GUID = 14,
    EF_EXT_QPC_DELTA = 15,
    EF_EXT_CONTAINER_ID = 16,
    EF_EXT_STACK_KEY32 = 17,
    EF_EXT_STACK_KEY64 = 18,
};

/* Which kind of record the event came from; decides how it is decoded. */
enum ef_record_kind {
    EF_REC_EVENT = 0,   /* EVENT_HEADER: manifest, TraceLogging, EventSource */
    EF_REC_CLASSIC = 1, /* EVENT_TRACE_HEADER with a GUID (MOF providers) */
    EF_REC_KERNEL = 2,  /* SYSTEM / COMPACT / PERFINFO headers (NT kernel logger) */
    EF_REC_INSTANCE = 3,
    EF_REC_WPP = 4,     /* TRACE_MESSAGE (WPP software tracing) */
    EF_REC_LOGFILE_HEADER = 5, /* the TRACE_LOGFILE_HEADER event */
};

struct ef_ext_item {
    uint16_t type; /* EF_EXT_* */
    uint16_t size;
    const uint8_t *data;
};

struct ef_record {
    struct ef_guid provider; /* provider GUID; kernel and classic: the event's class GUID */
    uint16_t id;             /* EVENT_DESCRIPTOR.Id; 0 for classic and kernel records */
    uint8_t version;         /* classic and kernel: the header's class version */
    uint8_t channel;
    uint8_t level;
    uint8_t opcode; /* classic and kernel: the event type */
    uint16_t task;
    uint64_t keywords;

    uint16_t flags; /* EF_HDR_FLAG_* */
    uint16_t event_property;
    uint32_t pid;
    uint32_t tid;
    uint64_t timestamp;     /* FILETIME, UTC */
    uint64_t raw_timestamp; /* as stored (QPC, cycles or system time) */
    uint32_t kernel_time;   /* in ticks, 0 when EF_HDR_FLAG_NO_CPUTIME */
    uint32_t user_time;
    uint64_t processor_time; /* private sessions: ProcessorTime */
    uint16_t processor;      /* processor index */
    uint8_t pointer_size;    /* 4 or 8: how pointer-sized fields in the payload are read */
    uint8_t kind;            /* enum ef_record_kind */
    uint16_t header_type;    /* the on-disk header type, for diagnostics */
    struct ef_guid activity_id;

    const uint8_t *user_data;
    uint32_t user_data_len;

    const struct ef_ext_item *ext;
    uint16_t ext_count;

    /* WPP: the message GUID / component id and sequence; zero otherwise. */
    uint32_t sequence;

    const void *native; /* the Windows EVENT_RECORD for TDH, NULL off Windows */
};

/* Finds the first extended item of a type, or NULL. Any thread. */
static inline const struct ef_ext_item *ef_record_ext(const struct ef_record *r, uint16_t type)
{
    uint16_t i;

    for (i = 0; i < r->ext_count; i++) {
        if (r->ext[i].type == type)
            return &r->ext[i];
    }
    return 0;
}

#endif

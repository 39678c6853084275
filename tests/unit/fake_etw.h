/*
 * fake_etw.h - a scripted TDH behind struct ef_etw_api, for the etw suite.
 *
 * Wine's tdh.dll aborts on TdhGetEventInformation, so the TDH source is
 * tested against this fake. It serves REAL blobs: the TRACE_EVENT_INFO and
 * EVENT_MAP_INFO blobs that a merged trace embeds (KernelTraceControl
 * MetaData/EventInfo and EventMapInfo records, read with core/etl), picked
 * by the provider (or MOF class), id (or opcode) and version of the
 * EVENT_RECORD it is given, as TDH would answer for a registered provider.
 * It answers ERROR_INSUFFICIENT_BUFFER with the needed size when the buffer
 * is short, like TDH, and the script can make it fail or lie.
 *
 * Windows only (the API table uses Windows types). One fake per process:
 * the table holds plain functions, so the fake's state is global.
 */
#ifndef EF_TESTS_FAKE_ETW_H
#define EF_TESTS_FAKE_ETW_H

#include "decode/source.h"
#include "etw/etw_api.h"

#include <stddef.h>
#include <stdint.h>

/* How the fake misbehaves; FAKE_HONEST answers as TDH does. */
enum fake_lie {
    FAKE_HONEST = 0,
    FAKE_HUGE,       /* ERROR_INSUFFICIENT_BUFFER asking for ~4 GiB */
    FAKE_FOREVER,    /* ERROR_INSUFFICIENT_BUFFER every time, one byte more than given */
    FAKE_SMALLER,    /* ERROR_INSUFFICIENT_BUFFER asking for no more than it was given */
    FAKE_TRUNCATED,  /* ERROR_SUCCESS with only the first half of the blob */
    FAKE_OVERSTATED, /* ERROR_SUCCESS reporting more bytes than the buffer holds */
};

struct fake_etw {
    /* The script, for TdhGetEventInformation and TdhGetEventMapInformation. */
    ULONG event_status; /* non-zero: returned instead of an answer */
    ULONG map_status;
    enum fake_lie event_lie;

    /* What the source did. */
    unsigned event_calls;
    unsigned event_short; /* answers ERROR_INSUFFICIENT_BUFFER */
    unsigned map_calls;
    unsigned map_short;
    unsigned map_repeats; /* map calls for a {provider, name} answered before */
};

extern struct fake_etw fake_etw;

/* One EventInfo blob of the loaded trace. */
struct fake_event {
    struct ef_guid provider;
    struct ef_guid event_guid;
    uint16_t id;
    uint8_t version;
    uint8_t opcode;
    int mof; /* DecodingSource WBEM: matched on {event_guid, opcode, version} */
    const uint8_t *blob;
    size_t len;
};

/*
 * Reads the MetaData records of an .etl file (a path under the shared data)
 * and serves them from now on; every record is also shown to embedded (may be
 * NULL), so a test can compare with the embedded source. Resets the script
 * and the counters. Returns the number of EventInfo blobs.
 */
size_t fake_etw_load(const char *rel, struct ef_schema_source *embedded);

/* Frees what fake_etw_load() kept. */
void fake_etw_unload(void);

/* The i-th EventInfo blob (the first copy of each key). */
const struct fake_event *fake_etw_event(size_t i);

/* The table pointing at the fake's functions. */
void fake_etw_api(struct ef_etw_api *api);

/* Fills an EVENT_RECORD and an ef_record pointing at it, as a consumer would for e. */
void fake_etw_record(const struct fake_event *e, EVENT_RECORD *er, struct ef_record *r);

#endif

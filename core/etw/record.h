/*
 * record.h - an EVENT_RECORD seen as a struct ef_record, without copying.
 *
 * Windows only. The consumer's callback calls this for every event: the
 * ef_record points at the EVENT_RECORD's payload and extended data, which
 * ETW keeps valid during the callback. Real-time consumers get timestamps
 * as FILETIME (no PROCESS_TRACE_MODE_RAW_TIMESTAMP), so both timestamp
 * fields get EventHeader.TimeStamp.
 */
#ifndef EF_ETW_RECORD_H
#define EF_ETW_RECORD_H

#include "etw/etw_api.h"
#include "util/record.h"

/* Extended items one event may have converted; more are counted as dropped. */
#define EF_ETW_MAX_EXT 32

struct ef_etw_record {
    struct ef_record r;
    struct ef_ext_item ext[EF_ETW_MAX_EXT];
    unsigned ext_dropped; /* extended items past EF_ETW_MAX_EXT, not converted */
};

/*
 * Fills out from er: the header (kind from its flags: classic, 32/64-bit
 * header, trace message), descriptor, pid/tid, processor, times, activity
 * id, payload and extended items. pointer_size is the trace's (from the
 * logfile header), used when the header carries neither 32- nor 64-bit
 * flag (the flags win, as TDH reads them per event; 0 and no flag = 8).
 * r.native = er.
 * Returns 0, or EF_EFORMAT when er's lengths are impossible (UserDataLength
 * with a NULL UserData, an extended item with no data). Any thread.
 */
int ef_etw_record_from(const EVENT_RECORD *er, unsigned pointer_size, struct ef_etw_record *out);

/* 1 when er is an RT_LostEvent record; *opcode gets its opcode. */
int ef_etw_record_is_lost(const EVENT_RECORD *er, unsigned *opcode);

#endif

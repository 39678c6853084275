/*
 * fake_trace.h - a scripted ETW controller and real-time consumer behind
 * struct ef_etw_api, faithful to ../shared/ETW-NOTES.md.
 *
 * Wine's StartTraceW/EnableTraceEx2/ControlTraceW return success and do
 * nothing and its OpenTraceW fails, so every live-session test runs
 * against this fake. Two files implement it, sharing the state below:
 *   - fake_control_win.c: StartTraceW, ControlTraceW, EnableTraceEx2,
 *     QueryAllTracesW. They check their arguments byte by byte (Wnode
 *     flags and BufferSize, name offsets and room, LogFileMode, filter
 *     descriptors and their data), return the documented errors when
 *     scripted (183, 5, 1450, 4201, 234, 87), write the applied values
 *     back into the properties like ETW, and record what was enabled.
 *   - fake_consume_win.c: OpenTraceW (fills the logfile header: PerfFreq,
 *     StartTime, PointerSize, ReservedFlags, TimerResolution...),
 *     ProcessTrace (on the caller's thread: EVENT_RECORDs built from a
 *     shared .etl with the portable reader, header, extended items and
 *     user data, in buffer-sized groups with a BufferCallback after each;
 *     scripted RT_LostEvent records; then it waits, as a real-time
 *     session does, until CloseTrace or a stop) and CloseTrace (answers
 *     7007 while ProcessTrace runs, as Windows does).
 *   - fake_provider_win.c: EventRegister, EventSetInformation,
 *     EventWriteTransfer, EventUnregister. A write of a registered
 *     provider that a running real-time session enables (level and
 *     keywords match) is queued in that session as the EVENT_RECORD a
 *     consumer gets (TraceLogging metadata descriptors become the
 *     EVENT_SCHEMA_TL and PROV_TRAITS extended items); ProcessTrace
 *     delivers the queue on the consumer's thread.
 *
 * One fake per process (the table holds plain functions): the state is
 * global and guarded by fake_trace.lock. fake_trace_reset() clears it.
 */
#ifndef EF_TESTS_FAKE_TRACE_H
#define EF_TESTS_FAKE_TRACE_H

#include "etw/etw_api.h"
#include "util/guid.h"

#include <stddef.h>
#include <stdint.h>

#define FAKE_MAX_SESSIONS  8
#define FAKE_MAX_ENABLED   32
#define FAKE_MAX_LOST      16
#define FAKE_MAX_FILTER    2048 /* bytes of one filter's data kept */
#define FAKE_MAX_PROVIDERS 8
#define FAKE_MAX_TRAITS    256

/* One provider as the last EnableTraceEx2 call for it left it. */
struct fake_enabled {
    GUID provider;
    ULONG code; /* last ControlCode: 0 disable, 1 enable, 2 capture state */
    int on;     /* enabled now: the last ENABLE was not followed by a DISABLE */
    UCHAR level;
    ULONGLONG match_any, match_all;
    int has_params;
    ULONG version, enable_property, filter_count;
    struct {
        ULONG type, size;
        unsigned char data[FAKE_MAX_FILTER];
    } filters[8];
    unsigned enables, disables, captures; /* calls by code */
    /* The last CAPTURE_STATE's filters: count, and the first one's type, size and bytes. */
    ULONG capture_filter_count, capture_filter_type, capture_filter_size;
    unsigned char capture_filter_data[16];
};

/* A running session of the fake. */
struct fake_session {
    int used, running;
    WCHAR name[1024];
    GUID guid;
    TRACEHANDLE handle;
    ULONG buffer_size, min_buffers, max_buffers, flush_timer, log_file_mode, enable_flags;
    ULONG clock; /* Wnode.ClientContext */
    int ours;    /* started through the fake's StartTraceW (not pre-seeded as someone else's) */
    struct fake_enabled enabled[FAKE_MAX_ENABLED];
    unsigned n_enabled;
    HANDLE stopped; /* manual-reset event, set when the session stops (ProcessTrace returns) */
    unsigned starts, stops;
    /* Events providers wrote into the session, oldest first, until a ProcessTrace takes them. */
    struct fake_queued *q_head, *q_tail;
    unsigned q_len;
    HANDLE queued; /* auto-reset event, set when a write queued an event */
};

/* A provider registered through the fake's EventRegister. */
struct fake_provider {
    int used;
    REGHANDLE handle;
    GUID guid;
    /* EventSetInformation(EventProviderSetTraits): the blob, and that Type is respected. */
    unsigned char traits[FAKE_MAX_TRAITS];
    USHORT traits_len;
    int use_types;
    uint64_t writes; /* EventWriteTransfer calls that succeeded */
};

/* An RT_LostEvent record ProcessTrace delivers before event number `before` (0-based). */
struct fake_lost {
    uint64_t before;
    UCHAR opcode; /* 32, 33 or 34 */
};

struct fake_trace {
    CRITICAL_SECTION lock;

    /* --- script --- */
    /* Status of the next StartTraceW calls, in order (0: behave); after them, behave. */
    ULONG start_status[4];
    unsigned n_start_status;
    ULONG stop_status;   /* ControlTraceW(STOP) answers this once, when set (e.g. 5) */
    ULONG enable_status; /* EnableTraceEx2(ENABLE) answers this while set */
    ULONG open_error;    /* OpenTraceW fails with this (GetLastError) while set */
    /* The counters QUERY reports (cumulative, as ETW keeps them). */
    ULONG events_lost, rt_buffers_lost, log_buffers_lost, buffers_written, free_buffers;
    /* ProcessTrace: the trace it delivers (path under the shared data) and how. */
    const char *trace;
    unsigned events_per_buffer; /* a BufferCallback after this many (0: 64) */
    /* A pause after each buffer of the trace, in ms, as a flush timer spaces them (0: none). */
    unsigned buffer_pause_ms;
    uint64_t max_events; /* deliver at most this many (0: all), then wait */
    uint64_t repeat;     /* deliver the trace this many times (0: once) */
    struct fake_lost lost[FAKE_MAX_LOST];
    unsigned n_lost;
    /* After this many events, the session is stopped from outside, once (0: never): logman stop. */
    uint64_t external_stop_after;
    int ignore_close; /* CloseTrace answers 7007 but ProcessTrace goes on (a stuck ETW) */
    /* Event number damage_at - 1 arrives with UserDataLength but no UserData (0: none). */
    uint64_t damage_at;
    /*
     * Event number ext_pad_at - 1 arrives with ext_total extended data items
     * (0: none): its own, then PROCESS_START_KEY items of 8 bytes (at most 64).
     */
    uint64_t ext_pad_at;
    unsigned ext_total;
    /*
     * Provider writes that a session enables are numbered from 0; those in
     * [write_drop_from, write_drop_from + write_drop_count) are discarded
     * as ETW discards events when no buffer is free, and counted in
     * events_lost (what QUERY reports).
     */
    uint64_t write_drop_from, write_drop_count;

    /* --- what happened --- */
    struct fake_session sessions[FAKE_MAX_SESSIONS];
    unsigned start_calls, enable_calls, open_calls, process_calls, close_calls, stop_calls;
    uint64_t delivered; /* EVENT_RECORDs given to EventRecordCallback */
    struct fake_provider providers[FAKE_MAX_PROVIDERS];
    uint64_t writes_enabled;   /* provider writes some session enabled (dropped ones too) */
    uint64_t writes_dropped;   /* of which write_drop_* discarded */
    uint64_t queued_delivered; /* written events ProcessTrace gave to the callback */
    unsigned processing;       /* ProcessTrace calls running now */
    unsigned waiting;          /* of those, how many delivered all and wait for a close or stop */
    char last_error[256];      /* why the fake refused a call (an argument check), "" if none */
};

extern struct fake_trace fake_trace;

/* Clears the script, the sessions and the counters (stops nothing: call between tests). */
void fake_trace_reset(void);

/* Fills the controller and consumer entries of api with the fake's; the TDH entries stay. */
void fake_trace_api(struct ef_etw_api *api);

/*
 * Seeds a running session that someone else started (kind = existing,
 * on_exists tests): it is listed by QueryAllTraces and can be opened.
 */
struct fake_session *fake_trace_seed(const char *name, ULONG log_file_mode);

/* The session named name (any case), or NULL. Caller holds no lock; returns a stable pointer. */
struct fake_session *fake_trace_find(const char *name);

/* The enable record of provider in s, or NULL. */
struct fake_enabled *fake_trace_enabled(struct fake_session *s, const struct ef_guid *provider);

/* Stops s as `logman stop` would: it stops running and its ProcessTrace returns. */
void fake_trace_stop_external(struct fake_session *s);

/*
 * Builds the EVENT_RECORD a real-time consumer would get for r (header,
 * descriptor, times, processor, activity id, user data, extended items in
 * ext[0..cap)), pointing into r's memory; UserContext is NULL. Returns 0,
 * or -1 when r cannot be one (user data over 65535 bytes, more than cap
 * extended items). Any thread.
 */
struct ef_record;
int fake_trace_build_event(const struct ef_record *r, EVENT_RECORD *er,
                           EVENT_HEADER_EXTENDED_DATA_ITEM *ext, unsigned cap);

/* Internal to the two fake files. */
void fake_trace_install_control(struct ef_etw_api *api);
void fake_trace_install_consume(struct ef_etw_api *api);
void fake_trace_install_provider(struct ef_etw_api *api);
/* Lock held: creates s's events if missing, resets them, empties its queue. */
void fake_trace_session_init_events(struct fake_session *s);
/* Lock held: unlinks and returns s's oldest queued event, or NULL. */
struct fake_queued *fake_trace_queue_pop(struct fake_session *s);
/* The EVENT_RECORD of a queued event (pointing into it), and freeing it. */
EVENT_RECORD *fake_trace_queued_record(struct fake_queued *q);
void fake_trace_queued_free(struct fake_queued *q);
void fake_trace_lock(void);
void fake_trace_unlock(void);
void fake_trace_session_stopped(struct fake_session *s); /* lock held: marks it, sets the event */
/* The session named name (any case), or NULL; fake_trace_find for a UTF-16 name. */
struct fake_session *fake_trace_find_w(const WCHAR *name);

#endif

/*
 * consumer.h - reading one real-time ETW session on a thread of its own.
 *
 * ef_etw_consumer_start opens the trace (OpenTraceW, on the caller's
 * thread, so a failure is reported at once) and starts a thread blocked
 * in ProcessTrace, where ETW calls our callbacks:
 *   - EventRecordCallback: the EVENT_RECORD becomes a struct ef_record
 *     pointing into ETW's buffer (record.h, no copy) and goes to on_record;
 *     RT_LostEvent records are counted by opcode and not forwarded.
 *   - BufferCallback: counts the buffer, calls on_buffer (the event path
 *     flushes its queue chunk there), and returns FALSE once stop was asked.
 * Windows only. The callbacks never block.
 *
 * DESIGN. Stopping: ef_etw_consumer_close calls CloseTrace (7007,
 * ERROR_CTX_CLOSE_PENDING, is success: ProcessTrace drains what is queued
 * and returns); ef_etw_consumer_join waits for the thread with a bound, so
 * a ProcessTrace that never returns cannot hang `run` (the thread is then
 * left behind, reported, and its memory kept until the process ends).
 * The consumer's memory outlives ProcessTrace: callbacks may run until it
 * returned (tekert/golang-etw crashed when it did not).
 */
#ifndef EF_ETW_CONSUMER_H
#define EF_ETW_CONSUMER_H

#include <stdint.h>

#include "etw/etw_api.h"
#include "util/record.h"

struct ef_etw_consumer_stats {
    uint64_t events;            /* records delivered to on_record */
    uint64_t buffers;           /* BufferCallback calls */
    uint64_t lost_events;       /* RT_LostEvent opcode 32 records */
    uint64_t lost_buffers;      /* opcode 33 */
    uint64_t lost_files;        /* opcode 34 */
    uint64_t convert_errors;    /* EVENT_RECORDs that could not be converted (counted, skipped) */
    uint64_t ext_items_dropped; /* extended items past the record's EF_ETW_MAX_EXT, summed */
    uint32_t process_status;    /* ProcessTrace's return value, once ended */
    int ended;                  /* ProcessTrace returned */
};

struct ef_etw_consumer_opts {
    const struct ef_etw_api *api; /* must outlive the consumer */
    const wchar_t *logger_name;   /* the real-time session to read */
    /* On the consumer thread, for every event but RT_LostEvent. r is valid during the call. */
    void (*on_record)(void *ud, const struct ef_record *r);
    /* On the consumer thread, after each buffer (may be NULL). */
    void (*on_buffer)(void *ud);
    /* On the consumer thread, once ProcessTrace returned, with its status (may be NULL). */
    void (*on_end)(void *ud, uint32_t status);
    void *ud;
};

struct ef_etw_consumer;

/*
 * Opens the session and starts the thread. Returns 0, or EF_E* with err
 * filled when OpenTraceW fails (Wine answers access denied: err says that
 * this needs a real Windows ETW) or the thread cannot start. Any thread.
 */
int ef_etw_consumer_start(const struct ef_etw_consumer_opts *o, struct ef_etw_consumer **out,
                          char *err, size_t errlen);

/* The header OpenTrace filled in (clock, pointer size...). Valid after start. */
const TRACE_LOGFILE_HEADER *ef_etw_consumer_header(const struct ef_etw_consumer *c);

/* CloseTrace: ProcessTrace returns once it delivered what was queued. Any thread; twice is fine. */
int ef_etw_consumer_close(struct ef_etw_consumer *c);

/*
 * Waits up to timeout_ms for ProcessTrace to return and the thread to end.
 * Returns 0, or EF_ETIMEDOUT (the thread is still running; free then leaks
 * it on purpose). Any thread but the consumer's.
 */
int ef_etw_consumer_join(struct ef_etw_consumer *c, uint64_t timeout_ms);

/*
 * A copy of the counters as of the last BufferCallback (or ProcessTrace's
 * end): the per-event path takes no lock, so they lag by at most one
 * buffer while the session runs. Any thread.
 */
void ef_etw_consumer_get_stats(struct ef_etw_consumer *c, struct ef_etw_consumer_stats *st);

/* Frees a joined consumer (one whose join timed out is left allocated). NULL is fine. */
void ef_etw_consumer_free(struct ef_etw_consumer *c);

#endif

/*
 * etlwriter.h - a small .etl writer for tests only.
 *
 * Builds trace files in memory with chosen records, buffer sizes, per-CPU
 * interleaving (each CPU fills its own buffer; a buffer goes to the file when
 * it is full or flushed, so the test decides the order of buffers), 32- or
 * 64-bit headers, and XPRESS-compressed buffers. Tests damage the bytes it
 * returns to exercise the reader's error paths. Not part of etwfwd itself.
 */
#ifndef EF_TESTS_ETLWRITER_H
#define EF_TESTS_ETLWRITER_H

#include <stddef.h>
#include <stdint.h>

#include "util/guid.h"

struct ef_etlw_opts {
    uint32_t buffer_size; /* default 0x2000 */
    uint8_t pointer_size; /* 4 or 8 (default 8) */
    uint32_t cpus;        /* default 4 */
    int compress;         /* 1: XPRESS buffers, compressed log file mode */
    int64_t perf_freq;    /* default 10^7 */
    uint64_t start_time;  /* FILETIME of start_raw; default 2021-01-01 */
    int64_t start_raw;    /* the header record's QPC timestamp; default 1000 */
    uint32_t events_lost;
};

/* An EVENT_HEADER record's fields. */
struct ef_etlw_event {
    struct ef_guid provider;
    uint16_t id;
    uint8_t version, channel, level, opcode;
    uint16_t task;
    uint64_t keywords;
    uint16_t flags; /* as stored; EXTENDED_INFO is set when ext_len > 0 */
    uint32_t pid, tid;
    int64_t ts;
    struct ef_guid activity;
    const void *ext; /* pre-built extended items (see ef_etlw_ext_item) */
    size_t ext_len;
    const void *data;
    size_t data_len;
};

struct ef_etlw;

int ef_etlw_new(const struct ef_etlw_opts *o, struct ef_etlw **out);
void ef_etlw_free(struct ef_etlw *w);

/* Appends len bytes of a record to cpu's buffer (8-byte aligned), flushing it first when full. */
int ef_etlw_add(struct ef_etlw *w, unsigned cpu, const void *rec, size_t len);
/* Writes cpu's buffer to the file now (nothing when it is empty). */
int ef_etlw_flush(struct ef_etlw *w, unsigned cpu);
/* Flushes every CPU in order and hands over the file (malloc'd; the caller frees it). */
int ef_etlw_finish(struct ef_etlw *w, uint8_t **data, size_t *len);

/* Record builders: write into out (cap bytes), return the record's size or 0 if too small. */
size_t ef_etlw_event_rec(uint8_t *out, size_t cap, uint8_t ptr, const struct ef_etlw_event *ev);
size_t ef_etlw_system_rec(uint8_t *out, size_t cap, uint8_t header_type, uint16_t hook,
                          uint16_t version, uint32_t tid, uint32_t pid, int64_t ts,
                          const void *data, size_t len);
size_t ef_etlw_classic_rec(uint8_t *out, size_t cap, uint8_t ptr, const struct ef_guid *g,
                           uint8_t type, uint8_t level, uint16_t version, uint32_t tid,
                           uint32_t pid, int64_t ts, const void *data, size_t len);
/* One extended item (header + data, padded to 8); last=1 for the chain's end. */
size_t ef_etlw_ext_item(uint8_t *out, size_t cap, uint16_t type, const void *data, uint16_t len,
                        int last);

/* XPRESS compression (MS-XCA 2.3 plain LZ77) of len bytes; returns the size or 0. */
size_t ef_etlw_xpress(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

#endif

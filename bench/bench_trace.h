/*
 * bench_trace.h - a trace's records read once with the portable reader and
 * deep-copied into memory, so a benchmark replays them without the disk or
 * the reader (decode_bench --etl, live_bench).
 *
 * Main thread of a benchmark.
 */
#ifndef EF_BENCH_TRACE_H
#define EF_BENCH_TRACE_H

#include <stddef.h>

#include "util/record.h"

struct ef_bench_trace {
    struct ef_record *recs; /* each with its own copy of the payload and extended items */
    size_t n, cap;
};

/* Appends path's records to t (zeroed first by the caller). Returns 0 or EF_E* (printed). */
int ef_bench_trace_load(const char *path, struct ef_bench_trace *t);

/* Frees the records and their copies. */
void ef_bench_trace_free(struct ef_bench_trace *t);

#endif

/*
 * bench_sink.h - the loop the sink benchmarks (http_bench, syslog_bench)
 * share: feed a memory spool in slices and wait for the sink driver to
 * acknowledge everything, then stop the driver. Main (loop) thread.
 */
#ifndef EF_BENCH_SINK_H
#define EF_BENCH_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "pipeline/sinkdrv.h"
#include "pipeline/spool.h"

/* Events appended per slice; at most two slices wait unacknowledged. */
#define EF_BENCH_SLICE 20000

/* Writes event number i, of about len bytes, into out (cap bytes); returns its length. */
typedef size_t (*ef_bench_event_fn)(char *out, size_t cap, uint64_t i, size_t len);

/*
 * Appends n events made by make (in ev, cap bytes) to sp, keeping at most
 * two slices unacknowledged, and runs loop until s has acknowledged them
 * all. Returns 0, or -1 once the sink has retried more than max_retried
 * times (UINT64_MAX: never give up).
 */
int ef_bench_feed(uv_loop_t *loop, struct ef_spool *sp, struct ef_sink *s, uint64_t n, size_t len,
                  ef_bench_event_fn make, char *ev, size_t cap, uint64_t max_retried);
/*
 * Opens a sink driver for cfg with ops on sp: the batch limits come from
 * cfg, retries start after 1 ms, dead letters go to dead_letter_dir.
 */
int ef_bench_open_sink(uv_loop_t *loop, struct ef_clock *clock, struct ef_spool *sp,
                       const struct ef_sink_cfg *cfg, const struct ef_sink_ops *ops,
                       const char *dead_letter_dir, struct ef_sink **out);
/* Stops s and runs loop until it has stopped. */
void ef_bench_stop_sink(uv_loop_t *loop, struct ef_sink *s);

#endif

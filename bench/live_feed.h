/*
 * live_feed.h - what feeds the live session of live_pipeline_bench: a
 * source that pushes events into the real pipeline at a fixed rate.
 *
 * Two implementations, one per platform, behind these calls:
 *   - live_feed_paced.c (not Windows): a paced source that stands in for
 *     the live source after its EVENT_RECORD conversion. It runs the same
 *     event path (source/eventpath.h) a consumer thread runs, on a thread
 *     of its own, one flush per 128 events as a consumer flushes once per
 *     ETW buffer, with `queue_full = drop`.
 *   - live_feed_fake_win.c (Windows, run under Wine): the real live source
 *     (core/source/source_live_win.c) on a session of the fake ETW of
 *     tests/unit (fake_trace.h), whose ProcessTrace feeds HTTP_Server.etl's
 *     events to the real consumer; the pace is kept in a shim between the
 *     fake's ProcessTrace and the consumer's EventRecordCallback.
 *
 * Main thread of the benchmark (the feed's own work runs on the source's
 * thread).
 */
#ifndef EF_BENCH_LIVE_FEED_H
#define EF_BENCH_LIVE_FEED_H

#include <stddef.h>

/* What the feed is, for the report. */
extern const char *const ef_bench_feed_name;

/*
 * Prepares the feed for one run at rate events/s (0: as fast as it can):
 * the trace shared_dir/testdata/etl/tx/HTTP_Server.etl, and writes into
 * ini the lines of the [session:live] section (kind, provider, manifest).
 * Returns 0 or -1 (printed). Before ef_pipeline_start.
 */
int ef_bench_feed_setup(const char *shared_dir, double rate, char *ini, size_t cap);

/* Releases what setup kept. After the pipeline stopped. */
void ef_bench_feed_teardown(void);

#endif

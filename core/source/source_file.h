/*
 * source_file.h - a `kind = file` session: .etl files replayed on a thread,
 * behind the sources' table of operations (source/source.h).
 *
 * The thread expands the session's path (a file or a wildcard pattern),
 * decodes and renders each trace (source/tracefile.h) and pushes the lines
 * into the handoff queue with the session's queue_full policy, flushing
 * its chunk every 512 events, before a pacing wait and at the end of each
 * file. The session's replay_speed paces it: 0 as fast as possible, 1 real
 * time by the events' timestamps, N N times that. Pacing uses the monotonic
 * clock (uv_hrtime) and an interruptible wait on the source's own condition
 * variable: the pipeline's ef_clock belongs to the loop thread, and stop
 * must not wait for a long gap between events.
 *
 * ef_source_file_ops.start reads the path and replay_speed from opt->cfg;
 * free joins the thread whatever the timeout (a file source stops at the
 * next event, or at once when blocked on a cancelled queue). Call stop (and
 * ef_queue_cancel, in case it is blocked on a full queue) before free
 * unless the source is done.
 */
#ifndef EF_RUNNER_SOURCE_FILE_H
#define EF_RUNNER_SOURCE_FILE_H

#include "source/source.h"

#endif

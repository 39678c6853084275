/*
 * checkpoint.h - how far a file session got, kept in state_dir so that a
 * restart resumes after the last event the spool accepted and a finished
 * trace is not read again (docs/pipeline.md, "File sessions across
 * restarts").
 *
 * A trace is known by its path, its size and the SHA-1 of its first 64 KiB
 * (the buffer with the log file header, which holds the trace's start
 * time); a file that changed in any of these is a new trace, read from its
 * start. Its position is a count of the events the session handed to the
 * queue from that file, in the file's order: rendering is deterministic,
 * so the first N events of a restart are the N already forwarded, and are
 * decoded again (an EventSource stream's manifests are state) but not
 * queued.
 *
 * DESIGN. The source thread says where each file begins and ends in its
 * own count of queued events (ef_queue_position's numbering). The loop
 * thread learns from the queue how far the spool accepted that count, and
 * writes the file after each spool commit, so a checkpoint never claims an
 * event the spool could still lose. An object is shared by those two
 * threads under its own lock, and outlives the source (events are drained
 * after the source's thread ended).
 */
#ifndef EF_RUNNER_CHECKPOINT_H
#define EF_RUNNER_CHECKPOINT_H

#include <stdint.h>

struct ef_ckpt;

/*
 * Loads the checkpoints kept in file (a missing file: none yet; a damaged
 * one is logged and ignored, so its traces are read again: duplicates, not
 * losses). Entries of traces that no longer exist are dropped. Returns 0
 * or EF_ENOMEM. Loop thread.
 */
int ef_ckpt_open(const char *file, const char *session, struct ef_ckpt **out);

/*
 * Source thread, before reading path: first is the session's count of
 * queued events so far. Sets *skip to the events of this trace already
 * forwarded (0 for a new or changed trace) and returns 1 when the whole
 * trace was (then nothing is to be read, and ef_ckpt_end_file is not
 * called), 0, or a negative error when the file cannot be read (it is then
 * read as usual, to report the error).
 */
int ef_ckpt_begin_file(struct ef_ckpt *c, const char *path, uint64_t first, uint64_t *skip);

/* Source thread: the trace begun last ended; end is the count of queued events after it. */
void ef_ckpt_end_file(struct ef_ckpt *c, uint64_t end);

/*
 * Source thread: the count the session's queued events continue from, so
 * that a restarted source (reload) numbers its events after those of the
 * one before (ef_queue_producer_set_base); and, when a source ends, how
 * far its count went.
 */
uint64_t ef_ckpt_base(struct ef_ckpt *c);
void ef_ckpt_source_ended(struct ef_ckpt *c, uint64_t queued);

/* Loop thread: the spool accepted the session's events up to this count (ef_queue_position). */
void ef_ckpt_accepted(struct ef_ckpt *c, uint64_t pos);

/*
 * Loop thread, after a spool commit: writes the file (atomically, durably)
 * when something changed. Returns 0 or the error (logged once per run).
 */
int ef_ckpt_save(struct ef_ckpt *c);

/* NULL is fine. Loop thread, once the source is freed. */
void ef_ckpt_free(struct ef_ckpt *c);

#endif

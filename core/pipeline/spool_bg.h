/*
 * spool_bg.h - the spool's own background thread for the disk waits.
 *
 * With spool_sync = interval or never, the spool hands the work that waits
 * for the disk (fsync of a segment, closing a segment, fsync of the folder,
 * the ledger write, deleting delivered segments) to one thread of its own,
 * in order, so the loop thread never stalls behind the disk: a real-time
 * source keeps being drained while a second's worth of appends is being
 * written back. Like Redis's bio thread, it takes jobs from a FIFO and the
 * owner polls for what finished. Only the spool (spool.c, spool_open.c)
 * uses it.
 */
#ifndef EF_PIPELINE_SPOOL_BG_H
#define EF_PIPELINE_SPOOL_BG_H

#include <stddef.h>
#include <stdint.h>

struct ef_spool_bg;

/* What finished since the last poll. */
struct ef_spool_bg_done {
    uint64_t fsyncs;        /* file and folder fsyncs done (the ledger's included) */
    int ledger_written;     /* a ledger write finished: cursors holds what it says */
    int ledger_failed;      /* a ledger write failed: it must be queued again */
    uint64_t *cursors;      /* n_sinks values, filled when ledger_written */
    int error;              /* the first failure (an EF_E* code), 0 if none */
    const char *error_what; /* "fsync", "ledger" or "delete", for the log */
};

/* Starts the thread. Returns 0, EF_ENOMEM or EF_ESYS. The spool's owner thread. */
int ef_spool_bg_start(const char *dir, const char *const *names, unsigned n_sinks,
                      struct ef_spool_bg **out);

/* Finishes every queued job, then joins and frees. Owner thread. */
void ef_spool_bg_stop(struct ef_spool_bg *bg);

/*
 * Queues work and returns 0. Without the memory to queue it, the job is
 * done at once, after those queued before it, and its result returned (an
 * EF_E* code; its fsyncs and a ledger it wrote are polled as usual). Owner
 * thread.
 *  sync_file: fsync fd (when sync) and then close it (when close_after).
 *  sync_dir:  fsync the spool's folder.
 *  ledger:    write the ledger with these cursors (copied), durable when sync.
 *  remove:    delete the file at path (copied).
 */
int ef_spool_bg_sync_file(struct ef_spool_bg *bg, int fd, int sync, int close_after);
int ef_spool_bg_sync_dir(struct ef_spool_bg *bg);
int ef_spool_bg_ledger(struct ef_spool_bg *bg, const uint64_t *cursors, int sync);
int ef_spool_bg_remove(struct ef_spool_bg *bg, const char *path);

/* 1 while a file fsync or a ledger write is queued or running. Owner thread. */
int ef_spool_bg_file_sync_pending(struct ef_spool_bg *bg);
int ef_spool_bg_ledger_pending(struct ef_spool_bg *bg);

/* Takes what finished (done->cursors must have room for n_sinks). Owner thread. */
void ef_spool_bg_poll(struct ef_spool_bg *bg, struct ef_spool_bg_done *done);

/* Waits until every queued job finished. Owner thread. */
void ef_spool_bg_wait(struct ef_spool_bg *bg);

#endif

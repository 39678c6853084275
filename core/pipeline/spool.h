/*
 * spool.h - the durable spool: every accepted event, until every sink has it.
 *
 * Events (rendered JSON, opaque bytes here) are appended to segment files
 * under DIR/: records of {length, CRC32C, sequence number, bytes}. Each sink
 * has a cursor (the highest sequence it acknowledged) kept in a ledger file
 * replaced atomically (write temp, fsync, rename; FlushFileBuffers and
 * MoveFileEx on Windows). A segment is deleted only after every sink's cursor
 * has passed it and the ledger saying so is durable. On open, damage is cut
 * off and counted, never fatal: a truncated last record, a bad CRC (the good
 * records after it in the same segment are kept), a missing ledger (every
 * sink starts at the oldest event: at-least-once), a ledger past the end.
 * In memory mode the same interface keeps the events in RAM only.
 *
 * The spool is synchronous and owned by one thread (the pipeline's loop
 * thread calls it; its writes are buffered and its fsyncs follow the sync
 * policy, see docs/pipeline.md).
 */
#ifndef EF_PIPELINE_SPOOL_H
#define EF_PIPELINE_SPOOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EF_SPOOL_MAX_SINKS 64
#define EF_SPOOL_MAX_EVENT (16u * 1024 * 1024)

enum ef_spool_mode_opt { EF_SPOOL_MODE_DISK = 0, EF_SPOOL_MODE_MEMORY = 1 };
enum ef_spool_full_opt {
    EF_SPOOL_ON_FULL_DROP_OLDEST = 0, /* the oldest segment goes, counted per sink that lacked it */
    EF_SPOOL_ON_FULL_DROP_NEWEST = 1, /* the new event is refused, counted */
    EF_SPOOL_ON_FULL_BLOCK = 2, /* ef_spool_append says EF_EAGAIN; the caller waits for acks */
};
enum ef_spool_sync_opt {
    EF_SPOOL_SYNC_EVERY = 0,    /* fsync after every append batch (ef_spool_commit) */
    EF_SPOOL_SYNC_PERIODIC = 1, /* fsync when ef_spool_tick sees sync_interval_ms passed */
    EF_SPOOL_SYNC_OFF = 2,      /* leave it to the OS */
};

struct ef_spool_options {
    const char *dir;       /* DIR: created if missing (disk mode) */
    int mode;              /* enum ef_spool_mode_opt */
    uint64_t segment_size; /* a segment is closed when it reaches this size */
    uint64_t max_size;     /* 0 = unlimited; total bytes of segments */
    int on_full;           /* enum ef_spool_full_opt */
    int sync;              /* enum ef_spool_sync_opt */
    uint64_t sync_interval_ms;
    const char *const *sinks; /* the sinks' names: cursors are kept by name */
    unsigned n_sinks;
    /*
     * 1: with sync = interval or never, the waits for the disk (fsyncs,
     * closing a segment, the ledger write, deleting delivered segments) run
     * on a thread of the spool's own, in order, and ef_spool_tick only
     * queues them, so the owner thread never stalls behind the disk. The
     * guarantees stay the same (a segment is deleted only after a ledger
     * that lets it go is durable); what a tick queued shows in the stats,
     * and deleted segments disappear, by a later tick or ef_spool_settle.
     * 0: all of it is done in the calls themselves (tools, tests).
     */
    int background;
};

/* What open found and repaired. */
struct ef_spool_recovery {
    uint64_t segments;
    uint64_t events;          /* events still in the spool */
    uint64_t truncated_bytes; /* cut off a damaged tail */
    uint64_t bad_records;     /* CRC or framing errors skipped */
    int ledger_missing;
    int ledger_ahead; /* a cursor was past the end and was pulled back */
};

struct ef_spool_stats {
    uint64_t appended;
    uint64_t appended_bytes;
    uint64_t dropped_oldest; /* events deleted unsent because the spool was full */
    uint64_t dropped_newest; /* events refused because the spool was full */
    uint64_t size_bytes;     /* bytes on disk (or in memory) now */
    uint64_t segments;
    uint64_t first_seq, next_seq; /* what is held: [first_seq, next_seq) */
    uint64_t fsyncs;
    uint64_t blocked;     /* appends refused with EF_EAGAIN (spool_full = block) */
    uint64_t read_errors; /* damage met while reading (the rest of that segment is skipped) */
    uint64_t file_reads;  /* reads that went back to a segment file (not the tail in memory) */
    int memory;           /* 1 in memory mode: nothing survives a restart */
};

/* One event handed to a reader. data is valid only during the visit call. */
struct ef_spool_event {
    uint64_t seq;
    const void *data;
    uint32_t len;
};

struct ef_spool;

/*
 * Opens (creating DIR if needed) and recovers a spool; rec (may be NULL)
 * says what was repaired. EF_EINVAL for bad options (a sink name must be
 * 1-128 bytes without blanks or control characters, names unique, max_size
 * 0 or at least 4096). Loop thread (or the thread that will own the spool).
 */
int ef_spool_open(const struct ef_spool_options *opt, struct ef_spool **out,
                  struct ef_spool_recovery *rec);
/* Flushes, fsyncs (disk mode), writes the ledger and frees. Owner thread. */
void ef_spool_close(struct ef_spool *sp);

/*
 * Appends one event and gives its sequence number. Returns 0, EF_ENOSPC when
 * the event was dropped (drop_newest), EF_EAGAIN (block: nothing written;
 * retry after acks), EF_ELIMIT (len > EF_SPOOL_MAX_EVENT) or EF_EIO (after
 * a write error the spool refuses appends until it is reopened, which cuts
 * the torn record off). An event that could never fit in max_size is
 * EF_ENOSPC and counted as dropped_newest whatever the policy. Owner thread.
 */
int ef_spool_append(struct ef_spool *sp, const void *data, uint32_t len, uint64_t *seq);

/*
 * Hands the appended events to the OS (they then survive the process being
 * killed) and fsyncs them when sync = always. Call after each batch of
 * appends. Owner thread.
 */
int ef_spool_commit(struct ef_spool *sp);

/*
 * Periodic work, due every sync_interval_ms of now_ms (the pipeline's
 * clock): the interval fsync, and the ledger write (with the deletions it
 * allows) when sync is not always. Owner thread.
 */
int ef_spool_tick(struct ef_spool *sp, uint64_t now_ms);

/*
 * Reads the events starting at sequence from (a sink starts at its
 * ef_spool_cursor() + 1, or past what it has in flight), at most
 * max_events / max_bytes (at least one event whatever its size), calling
 * visit for each. visit returns 0 to go on, > 0 to stop after this event,
 * < 0 to stop and make ef_spool_read return that code. *next gets the
 * sequence after the last visited event. Returns the number of events
 * visited (0 at the end) or an EF_E* code. Owner thread.
 */
typedef int (*ef_spool_visit_fn)(void *ud, const struct ef_spool_event *ev);
int ef_spool_read(struct ef_spool *sp, uint64_t from, size_t max_events, size_t max_bytes,
                  ef_spool_visit_fn visit, void *ud, uint64_t *next);

/*
 * Back pressure for readers that keep up: the newest sequence whose bytes
 * appending an event of len bytes would push out of the in-memory tail
 * cache (0: none would go). A caller whose readers have not read that far
 * yet may wait for them instead of appending, so they read from memory
 * rather than back from the file. Owner thread.
 */
uint64_t ef_spool_tail_evicts(const struct ef_spool *sp, uint32_t len);

/* The highest sequence sink `sink` acknowledged (0 if none). Owner thread. */
uint64_t ef_spool_cursor(const struct ef_spool *sp, unsigned sink);

/* Events sink `sink` never got because drop_oldest deleted them. Owner thread. */
uint64_t ef_spool_sink_dropped(const struct ef_spool *sp, unsigned sink);

/*
 * Moves sink's cursor to upto (never backwards; clamped to the newest
 * event). With sync = always (and in memory mode) it writes the ledger
 * durably and deletes the segments every sink has passed at once; otherwise
 * ef_spool_tick does (and a full spool does before it drops or blocks).
 * Owner thread.
 */
int ef_spool_ack(struct ef_spool *sp, unsigned sink, uint64_t upto);

void ef_spool_get_stats(const struct ef_spool *sp, struct ef_spool_stats *st);

/*
 * Waits for the background thread's queued work and takes its results
 * (fsync counts, the ledger written, deletions); nothing without one.
 * Owner thread.
 */
void ef_spool_settle(struct ef_spool *sp);

/*
 * Offline tools for `etwfwd spool verify|dump`: verify checks every segment
 * and the ledger without changing anything and reports what open would
 * repair (0 clean, EF_ECORRUPT damage found, other codes: could not read);
 * dump prints every good event, one per line: "seq<TAB>STATE<TAB>bytes",
 * control bytes written as \xNN, STATE being "acked" (every sink of the
 * ledger acknowledged it), "pending" (none did, or there is no ledger) or
 * "acked-by:NAME[,NAME...]"; it returns EF_ECORRUPT after the good events
 * when records were damaged (*rec says how much). Both return EF_EFORMAT
 * for a folder whose entries are not a spool's (an empty folder is an empty
 * spool). Any thread, on a spool no process has open.
 */
int ef_spool_verify(const char *dir, struct ef_spool_recovery *rec, FILE *report);
int ef_spool_dump(const char *dir, struct ef_spool_recovery *rec, FILE *out);

#endif

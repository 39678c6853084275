/*
 * spool_priv.h - the spool object, shared by spool.c (append, ack),
 * spool_read.c (reading) and spool_open.c (open, recovery, close). Not for
 * use outside those files.
 */
#ifndef EF_PIPELINE_SPOOL_PRIV_H
#define EF_PIPELINE_SPOOL_PRIV_H

#include "spool.h"
#include "spool_bg.h"
#include "spool_int.h"

#define EF_SPOOL_TAILBUF     (2u * 1024 * 1024) /* each of the two write buffers */
#define EF_SPOOL_MEM_SEGMENT (1024u * 1024)     /* memory mode's largest segment */
#define EF_SPOOL_READERS     4  /* open segment readers kept (a few sinks reading apart) */
#define EF_SPOOL_POSITIONS   32 /* remembered read positions (sinks times in-flight batches) */

/* One segment: on disk DIR/<name>.seg, or in memory. */
struct ef_seg {
    uint64_t name;               /* the sequence it was created for */
    uint64_t first, last, count; /* its records; first = last = 0 when empty */
    uint64_t size;               /* bytes, the header included (buffered ones too) */
    uint8_t *mem;                /* memory mode */
    size_t cap;
};

/*
 * One of the two write buffers: appends go to the current one; when it is
 * full it is written out and the other one, emptied, takes over. The full
 * one stays as a tail cache of what it holds, so a sink up to a buffer
 * behind the appends reads from memory. A record never spans two buffers.
 */
struct ef_tailbuf {
    uint8_t *mem;
    uint64_t seg;                 /* the segment its bytes belong to */
    uint64_t base;                /* the offset of mem[0] in that segment */
    size_t len;                   /* bytes appended */
    size_t written;               /* of which handed to the OS */
    uint64_t first_seq, last_seq; /* its records; 0: none */
    int valid;
};

struct ef_reader_slot {
    uint64_t name; /* segment */
    int fd;        /* -1: free */
    uint64_t used; /* for least-recently-used replacement */
    struct ef_segreader r;
};

/* Where a read stopped: the record of sequence seq starts at off in segment name. */
struct ef_read_pos {
    uint64_t seq; /* 0: unused */
    uint64_t name;
    uint64_t off;
};

struct ef_spool {
    char *dir;
    int memory, on_full, sync, failed;
    uint64_t seg_limit, max_size, sync_interval_ms;

    unsigned n_sinks;
    char *names[EF_SPOOL_MAX_SINKS];
    uint64_t cursor[EF_SPOOL_MAX_SINKS];        /* acknowledged, in memory */
    uint64_t ledger_cursor[EF_SPOOL_MAX_SINKS]; /* as last written to the ledger */
    uint64_t dropped[EF_SPOOL_MAX_SINKS];       /* drop_oldest losses per sink */
    int ledger_dirty;

    struct ef_seg *segs; /* oldest first; the last is the active one */
    size_t nsegs, capsegs;
    uint64_t total; /* bytes of all segments */
    uint64_t next_seq;
    uint64_t fresh_from; /* the first sequence this process appended (spool_read.c) */

    int wfd;                 /* active segment (disk) */
    struct ef_tailbuf tb[2]; /* disk mode: tb[tcur] takes the appends */
    unsigned tcur;
    uint64_t wfile; /* bytes of the active segment already in the file */
    int unsynced;   /* written since the last fsync */

    struct ef_reader_slot readers[EF_SPOOL_READERS];
    uint64_t reader_clock;
    struct ef_read_pos pos[EF_SPOOL_POSITIONS];
    unsigned pos_next;

    struct ef_spool_bg *bg; /* the disk waits' thread, or NULL (spool_bg.h) */

    struct ef_spool_stats st;
    uint64_t write_errors, drop_logs, read_logs, bg_errors;
    uint64_t last_tick_ms;
    int ticked;
};

/* The oldest sequence still held (next_seq when empty). */
uint64_t ef_spool_first_held(const struct ef_spool *sp);
/* Hands buffered appends to the OS. */
int ef_spool_flush(struct ef_spool *sp);
/* Starts a new active segment named next_seq. */
int ef_spool_new_segment(struct ef_spool *sp);
/* Writes the ledger and deletes the segments it lets go. */
int ef_spool_write_ledger(struct ef_spool *sp);
/* Takes the background thread's results: fsyncs, errors, the ledger written. */
void ef_spool_bg_apply(struct ef_spool *sp);

#endif

/*
 * reader_int.h - the reader's state, shared by reader.c (merge, delivery)
 * and index.c (file access, buffer index, resynchronisation). Not for use
 * outside core/etl.
 */
#ifndef EF_ETL_READER_INT_H
#define EF_ETL_READER_INT_H

#include <stdio.h>

#include "util/udiv.h"

#include "etl_int.h"
#include "util/attr.h"

/* One buffer of the file, as found by the index walk. */
struct ef_etl_bufent {
    uint64_t off;   /* file offset of its WMI_BUFFER_HEADER */
    uint32_t size;  /* bytes present in the file (less than its size when truncated) */
    uint32_t index; /* buffer index in file order */
    uint16_t cpu;
    uint8_t compressed;
    uint8_t truncated; /* the file ends inside it */
};

/* One CPU's stream of buffers and its current record. */
struct ef_etl_stream {
    uint32_t *bufs; /* index entries of this CPU, in file order */
    uint32_t nbufs, capbufs, next;
    uint8_t *data;       /* decoded buffer (file source or compressed buffers) */
    const uint8_t *view; /* the current buffer: data or the caller's memory */
    uint32_t pos, end;
    uint32_t cur;     /* index entry of the current buffer */
    uint32_t rec_pos; /* offset of the current record in the buffer */
    int truncated;    /* the current buffer was cut by the file's end */
    int64_t key;      /* merge key: the raw timestamp, INT64_MIN for the log header */
    struct ef_record rec;
    struct ef_ext_item ext[EF_ETL_EXT_MAX];
};

struct ef_etl_reader {
    FILE *f;
    uint64_t fpos;           /* where the next fread of f reads; UINT64_MAX when unknown */
    struct ef_udiv freq_div; /* division by the clock frequency (to_filetime) */
    const uint8_t *mem;
    uint8_t *own_mem; /* a small file read whole (ef_etl_open_file), freed at close */
    uint64_t size;
    struct ef_etl_options opt;
    struct ef_etl_header hdr;
    uint32_t bufsize;    /* decompressed buffer size */
    uint32_t max_plain;  /* largest uncompressed buffer in the index */
    uint32_t max_packed; /* largest compressed buffer in the index */
    uint16_t logger_id;
    int fixed_size; /* plain file: every buffer is exactly bufsize bytes */
    int fatal;      /* a fatal error (EF_EIO) ended the read */

    struct ef_etl_bufent *index;
    uint32_t nindex, capindex;

    struct ef_etl_stream *streams;
    unsigned nstreams;
    unsigned *heap;
    unsigned nheap;
    int last; /* stream of the record delivered last, -1 none */
    uint8_t *zbuf;

    struct ef_etl_stats stats;
    struct ef_etl_error errs[EF_ETL_ERRORS_KEPT];
    unsigned nerrs;
};

/* Records a problem: kept, counted, passed to the callback. */
void ef_etl_report(struct ef_etl_reader *r, uint64_t off, uint32_t buffer, int code,
                   const char *fmt, ...) EF_PRINTF(5, 6);

/* Reads len bytes at off; returns the bytes read (short at the end), or -1 on I/O error. */
int64_t ef_etl_read_at(struct ef_etl_reader *r, uint64_t off, void *dst, size_t len);

/*
 * Reads and checks the first buffer and its log file header into r->hdr.
 * Returns 0, EF_EFORMAT (not an .etl file), EF_EIO or EF_ENOMEM.
 */
int ef_etl_read_first(struct ef_etl_reader *r);

/* Walks every buffer header into r->index. Returns 0, EF_EIO or EF_ENOMEM. */
int ef_etl_build_index(struct ef_etl_reader *r);

#endif

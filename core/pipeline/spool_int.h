/*
 * spool_int.h - what the spool's files share: the on-disk format, a
 * windowed segment reader, the segment scanner and the ledger.
 *
 * Segment file DIR/NNNNNNNNNNNNNNNNNNNN.seg (the first sequence it was
 * created for, 20 decimal digits):
 *   header  "EFSPOOL1" | u32 version (1) | u32 crc32c of the 12 bytes before
 *   records u32 len | u32 crc32c(u64 seq LE || data) | u64 seq | data[len]
 * All little-endian, no padding. Sequences only grow inside a segment and
 * from one segment to the next. Not for use outside core/pipeline/spool*.c.
 */
#ifndef EF_PIPELINE_SPOOL_INT_H
#define EF_PIPELINE_SPOOL_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EF_SEG_MAGIC    "EFSPOOL1"
#define EF_SEG_VERSION  1u
#define EF_SEG_HDR      16u
#define EF_REC_HDR      16u
#define EF_SEG_NAME_LEN 24 /* 20 digits + ".seg" */
#define EF_SEG_WINDOW   (256u * 1024)
#define EF_SEQ_MAX      (UINT64_C(1) << 62) /* far beyond any real count; bounds parsing */

/* Reads a segment through a window (disk) or straight from memory. */
struct ef_segreader {
    int fd;             /* -1 in memory */
    const uint8_t *mem; /* memory: the segment's bytes from offset base on */
    uint64_t base;      /* memory: the offset of mem[0] (0 unless a tail) */
    uint64_t size;      /* bytes that may be read */
    /*
     * Records of this sequence and later are not checked against their CRC,
     * only framed: this process appended them and computed their CRC
     * itself, so reading them back (from the tail cache, or from the page
     * cache) re-verifies nothing. UINT64_MAX (ef_segreader_init's default):
     * every record is checked, as recovery, `spool verify` and reads of
     * what an earlier run wrote need.
     */
    uint64_t trust_from;
    uint8_t *buf;
    size_t cap;
    uint64_t boff; /* the window holds [boff, boff + blen) */
    size_t blen;
};

void ef_segreader_init(struct ef_segreader *r, int fd, const uint8_t *mem, uint64_t size);
/* Forgets the window (the file changed under it). */
void ef_segreader_drop(struct ef_segreader *r);
void ef_segreader_free(struct ef_segreader *r);
/* Points *p at n bytes at off: 0, EF_ETRUNC (past size), EF_EIO or EF_ENOMEM. */
int ef_segreader_peek(struct ef_segreader *r, uint64_t off, size_t n, const uint8_t **p);

struct ef_rec {
    uint64_t seq;
    uint32_t len;
    const uint8_t *data; /* valid until the next peek */
};

/*
 * Parses the record at off, accepting sequences in [min_seq, max_seq]:
 * 0, EF_ETRUNC (it runs past the end), EF_EFORMAT (bad length or
 * sequence), EF_ECORRUPT (CRC mismatch), or an I/O error.
 */
int ef_seg_record_at(struct ef_segreader *r, uint64_t off, uint64_t min_seq, uint64_t max_seq,
                     struct ef_rec *rec);

void ef_seg_put_header(uint8_t hdr[EF_SEG_HDR]);
/* Fills a record header for seq and data. */
void ef_seg_put_rec(uint8_t hdr[EF_REC_HDR], uint64_t seq, const void *data, uint32_t len);
/* "DIR/NNNN.seg" into out. */
void ef_seg_path(char *out, size_t cap, const char *dir, uint64_t name);
/* Parses a segment file name; 0 or EF_EFORMAT. */
int ef_seg_parse_name(const char *name, uint64_t *seq);

/* What a scan of one segment found. */
struct ef_seg_scan {
    uint64_t first, last, count; /* good records; first = last = 0 when none */
    uint64_t good_end;           /* end of the last good record (or of the header) */
    uint64_t bad_records;        /* records lost in damaged regions before good ones */
    uint64_t bad_regions;
    uint64_t tail_bytes; /* damaged bytes after the last good record */
    int header_bad;
};

/*
 * Scans a whole segment created for sequence name, calling visit (may be
 * NULL) with each good record in order; a non-zero return stops the scan
 * and is returned. Damage is skipped as described in docs/pipeline.md.
 */
typedef int (*ef_seg_visit_fn)(void *ud, uint64_t off, const struct ef_rec *rec);
int ef_seg_scan(struct ef_segreader *r, uint64_t name, struct ef_seg_scan *out,
                ef_seg_visit_fn visit, void *ud);

/* The segments of a folder, sorted by name. */
int ef_seg_list(const char *dir, uint64_t **names, size_t *n);

/* One ledger line. */
struct ef_ledger_entry {
    char name[129];
    uint64_t seq;
};

#define EF_LEDGER_FILE        "ledger"
#define EF_LEDGER_MAX_ENTRIES 1024

/*
 * Reads DIR/ledger: 0, EF_ENOENT (missing), EF_EFORMAT or EF_ECORRUPT
 * (unreadable: treated as missing). *ents is malloc'd.
 */
int ef_ledger_read(const char *dir, struct ef_ledger_entry **ents, size_t *n);
/* Writes DIR/ledger through DIR/ledger.tmp; durable unless sync is 0. */
int ef_ledger_write(const char *dir, const char *const *names, const uint64_t *seqs, size_t n,
                    int sync);
/* 1 if a sink name can go into the ledger (no blanks or control bytes). */
int ef_ledger_name_ok(const char *name);

#endif

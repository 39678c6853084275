/*
 * spool_seg.c - the spool's segment format: writing record headers, reading
 * a segment through a window, and scanning one for damage.
 *
 * DESIGN: a scan walks records in order. At a record that does not parse
 * (bad length, sequence or CRC) it looks for the next byte offset where a
 * record does parse, with a sequence above the last good one and no further
 * ahead than the skipped bytes allow (every record takes at least 16 bytes),
 * and a matching CRC. If one is found, the records in between are counted as
 * lost and scanning goes on, so one flipped bit costs one record, not the
 * rest of the segment. If none is found, everything from the damage on is a
 * damaged tail (a crash in the middle of a write, or a zero-filled end).
 */
#include "spool_int.h"

#include "spool.h"

#include "fsutil.h"
#include "util/bytes.h"
#include "util/crc32c.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void ef_segreader_init(struct ef_segreader *r, int fd, const uint8_t *mem, uint64_t size)
{
    memset(r, 0, sizeof(*r));
    r->fd = fd;
    r->mem = mem;
    r->size = size;
    r->trust_from = UINT64_MAX;
}

void ef_segreader_drop(struct ef_segreader *r)
{
    r->blen = 0;
    r->boff = 0;
}

void ef_segreader_free(struct ef_segreader *r)
{
    free(r->buf);
    r->buf = NULL;
    r->cap = 0;
    r->blen = 0;
}

int ef_segreader_peek(struct ef_segreader *r, uint64_t off, size_t n, const uint8_t **p)
{
    size_t want, got;
    int rc;

    if (off > r->size || n > r->size - off)
        return EF_ETRUNC;
    if (r->fd < 0) {
        if (off < r->base)
            return EF_ETRUNC; /* before a tail's start: the caller reads the file */
        *p = r->mem + (off - r->base);
        return 0;
    }
    if (off >= r->boff && off + n <= r->boff + r->blen) {
        *p = r->buf + (off - r->boff);
        return 0;
    }
    want = n > EF_SEG_WINDOW ? n : EF_SEG_WINDOW;
    if (want > r->cap) {
        uint8_t *nb = realloc(r->buf, want);

        if (!nb)
            return EF_ENOMEM;
        r->buf = nb;
        r->cap = want;
    }
    if (r->size - off < r->cap)
        want = (size_t)(r->size - off);
    else
        want = r->cap;
    r->blen = 0;
    rc = ef_fs_pread(r->fd, r->buf, want, off, &got);
    if (rc < 0)
        return rc;
    r->boff = off;
    r->blen = got;
    if (got < n)
        return EF_ETRUNC; /* the file is shorter than it said */
    *p = r->buf;
    return 0;
}

static uint32_t rec_crc(uint64_t seq, const void *data, uint32_t len)
{
    uint8_t s[8];

    ef_put_le64(s, seq);
    return ef_crc32c(ef_crc32c(0, s, 8), data, len);
}

void ef_seg_put_header(uint8_t hdr[EF_SEG_HDR])
{
    memcpy(hdr, EF_SEG_MAGIC, 8);
    ef_put_le32(hdr + 8, EF_SEG_VERSION);
    ef_put_le32(hdr + 12, ef_crc32c(0, hdr, 12));
}

void ef_seg_put_rec(uint8_t hdr[EF_REC_HDR], uint64_t seq, const void *data, uint32_t len)
{
    ef_put_le32(hdr, len);
    ef_put_le32(hdr + 4, rec_crc(seq, data, len));
    ef_put_le64(hdr + 8, seq);
}

void ef_seg_path(char *out, size_t cap, const char *dir, uint64_t name)
{
    snprintf(out, cap, "%s/%020" PRIu64 ".seg", dir, name);
}

int ef_seg_parse_name(const char *name, uint64_t *seq)
{
    uint64_t v = 0;
    int i;

    if (strlen(name) != EF_SEG_NAME_LEN || strcmp(name + 20, ".seg") != 0)
        return EF_EFORMAT;
    for (i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9')
            return EF_EFORMAT;
        if (v > (UINT64_MAX - 9) / 10)
            return EF_EFORMAT;
        v = v * 10 + (uint64_t)(name[i] - '0');
    }
    if (v == 0 || v >= EF_SEQ_MAX)
        return EF_EFORMAT;
    *seq = v;
    return 0;
}

int ef_seg_record_at(struct ef_segreader *r, uint64_t off, uint64_t min_seq, uint64_t max_seq,
                     struct ef_rec *rec)
{
    const uint8_t *h, *d;
    uint32_t len, crc;
    uint64_t seq;
    int rc;

    rc = ef_segreader_peek(r, off, EF_REC_HDR, &h);
    if (rc < 0)
        return rc;
    len = ef_le32(h);
    crc = ef_le32(h + 4);
    seq = ef_le64(h + 8);
    if (seq < min_seq || seq > max_seq || len > EF_SPOOL_MAX_EVENT)
        return EF_EFORMAT;
    rc = ef_segreader_peek(r, off + EF_REC_HDR, len, &d);
    if (rc < 0)
        return rc;
    if (seq < r->trust_from && rec_crc(seq, d, len) != crc)
        return EF_ECORRUPT;
    rec->seq = seq;
    rec->len = len;
    rec->data = d;
    return 0;
}

/* Finds the next good record after damage at off; 0 and *at, or EF_ENOENT. */
static int resync(struct ef_segreader *r, uint64_t off, uint64_t prev, uint64_t *at)
{
    uint64_t q;
    struct ef_rec rec;
    int rc;

    for (q = off + 1; q + EF_REC_HDR <= r->size; q++) {
        const uint8_t *h;
        uint64_t seq, reach;
        uint32_t len;

        rc = ef_segreader_peek(r, q, EF_REC_HDR, &h);
        if (rc < 0)
            return rc;
        len = ef_le32(h);
        seq = ef_le64(h + 8);
        /* Cheap filters first: only a plausible header is worth a CRC. */
        reach = prev + 2 + (q - off) / EF_REC_HDR;
        if (seq <= prev || seq > reach || len > r->size - q - EF_REC_HDR)
            continue;
        rc = ef_seg_record_at(r, q, prev + 1, reach, &rec);
        if (rc == 0) {
            *at = q;
            return 0;
        }
        if (rc != EF_ECORRUPT && rc != EF_EFORMAT && rc != EF_ETRUNC)
            return rc;
    }
    return EF_ENOENT;
}

int ef_seg_scan(struct ef_segreader *r, uint64_t name, struct ef_seg_scan *out,
                ef_seg_visit_fn visit, void *ud)
{
    uint64_t off = EF_SEG_HDR, prev = name - 1, at = 0;
    struct ef_rec rec;
    const uint8_t *h;
    int rc;

    memset(out, 0, sizeof(*out));
    if (r->size < EF_SEG_HDR) {
        /* A crash right after the file was created: nothing to keep. */
        out->header_bad = r->size > 0;
        out->tail_bytes = r->size;
        return 0;
    }
    rc = ef_segreader_peek(r, 0, EF_SEG_HDR, &h);
    if (rc < 0)
        return rc;
    if (memcmp(h, EF_SEG_MAGIC, 8) != 0 || ef_le32(h + 8) != EF_SEG_VERSION ||
        ef_le32(h + 12) != ef_crc32c(0, h, 12))
        out->header_bad = 1; /* the records may still be good: scan them */
    out->good_end = EF_SEG_HDR;
    while (off < r->size) {
        rc = ef_seg_record_at(r, off, prev + 1, EF_SEQ_MAX, &rec);
        if (rc == 0) {
            if (visit) {
                rc = visit(ud, off, &rec);
                if (rc != 0)
                    return rc;
            }
            if (out->count++ == 0)
                out->first = rec.seq;
            out->last = prev = rec.seq;
            off += EF_REC_HDR + rec.len;
            out->good_end = off;
            continue;
        }
        if (rc != EF_ETRUNC && rc != EF_EFORMAT && rc != EF_ECORRUPT)
            return rc;
        rc = resync(r, off, prev, &at);
        if (rc == EF_ENOENT) {
            out->tail_bytes = r->size - off;
            break;
        }
        if (rc < 0)
            return rc;
        /*
         * The record found there tells how many sequences were lost; bytes
         * that were inserted rather than overwritten count as one record.
         */
        {
            const uint8_t *nh;
            uint64_t lost;

            rc = ef_segreader_peek(r, at, EF_REC_HDR, &nh);
            if (rc < 0)
                return rc;
            lost = ef_le64(nh + 8) - prev - 1;
            out->bad_records += lost ? lost : 1;
        }
        out->bad_regions++;
        off = at;
    }
    return 0;
}

struct list_ctx {
    uint64_t *names;
    size_t n, cap;
    int rc;
};

static int list_one(void *ud, const char *name)
{
    struct list_ctx *c = ud;
    uint64_t seq;

    if (ef_seg_parse_name(name, &seq) < 0)
        return 0;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        uint64_t *nn = realloc(c->names, nc * sizeof(*nn));

        if (!nn)
            return EF_ENOMEM;
        c->names = nn;
        c->cap = nc;
    }
    c->names[c->n++] = seq;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

int ef_seg_list(const char *dir, uint64_t **names, size_t *n)
{
    struct list_ctx c = {0};
    int rc = ef_fs_list_dir(dir, list_one, &c);

    if (rc < 0) {
        free(c.names);
        return rc;
    }
    if (c.n)
        qsort(c.names, c.n, sizeof(*c.names), cmp_u64);
    *names = c.names;
    *n = c.n;
    return 0;
}

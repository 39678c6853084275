/*
 * spool_read.c - reading events back for the sinks.
 *
 * DESIGN: a read starts at a sequence: binary search over the segment names
 * gives the segment (a segment holds sequences from its name up to the next
 * segment's name), and the position cache gives the offset when a previous
 * read stopped exactly there, which is the normal case (a sink asks for what
 * follows its last batch). Otherwise the segment is scanned from its start,
 * skipping records by their length only. A sink that keeps up reads from
 * the active segment's tail cache (the write buffer's already written
 * bytes) rather than back from the file. Records read from the file are
 * checked again (CRC and framing); damage that appears while running (a
 * disk going bad) costs the rest of that segment, logged and counted.
 * Records this process appended are only framed, not checked against their
 * CRC again: it computed that CRC itself a moment ago, and a re-read comes
 * from its memory or the page cache. Records of an earlier run were checked
 * by recovery at open and are checked again here.
 */
#include "spool_priv.h"

#include "fsutil.h"
#include "util/bytes.h"
#include "util/error.h"
#include "util/log.h"

#include <string.h>

/* The segment a sequence belongs to: the last one named <= seq. */
static size_t find_segment(const struct ef_spool *sp, uint64_t seq)
{
    size_t lo = 0, hi = sp->nsegs;

    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (sp->segs[mid].name <= seq)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/*
 * A reader for segment i, positioned on its current size, for a read
 * starting at off: from memory when the bytes are there.
 */
static int get_reader(struct ef_spool *sp, size_t i, uint64_t off, struct ef_segreader **out,
                      struct ef_segreader *mem)
{
    struct ef_seg *s = &sp->segs[i];
    struct ef_reader_slot *rs = NULL;
    char path[4096];
    unsigned k;
    int rc;

    if (sp->memory) {
        ef_segreader_init(mem, -1, s->mem, s->size);
        mem->trust_from = 0; /* memory mode: the bytes never left the process */
        *out = mem;
        return 0;
    }
    /* ef_spool_read flushed: what the tail buffers hold is in the file too. */
    for (k = 0; k < 2; k++) {
        const struct ef_tailbuf *t = &sp->tb[k];

        if (t->valid && t->seg == s->name && off >= t->base && off < t->base + t->written) {
            ef_segreader_init(mem, -1, t->mem, t->base + t->written);
            mem->base = t->base;
            mem->trust_from = sp->fresh_from;
            *out = mem;
            return 0;
        }
    }
    for (k = 0; k < EF_SPOOL_READERS; k++) {
        if (sp->readers[k].fd >= 0 && sp->readers[k].name == s->name) {
            rs = &sp->readers[k];
            break;
        }
    }
    if (!rs) {
        rs = &sp->readers[0];
        for (k = 1; k < EF_SPOOL_READERS; k++) {
            struct ef_reader_slot *c = &sp->readers[k];

            if (rs->fd >= 0 && (c->fd < 0 || c->used < rs->used))
                rs = c;
        }
        if (rs->fd >= 0)
            ef_fs_close(rs->fd);
        rs->fd = -1;
        ef_seg_path(path, sizeof(path), sp->dir, s->name);
        rc = ef_fs_open(path, EF_FS_READ, &rs->fd);
        if (rc < 0) {
            ef_log_error("spool", "opening %s: %s", path, ef_strerror(rc));
            return rc;
        }
        rs->name = s->name;
        ef_segreader_drop(&rs->r);
    }
    rs->used = ++sp->reader_clock;
    sp->st.file_reads++;
    rs->r.trust_from = sp->fresh_from;
    rs->r.fd = rs->fd;
    rs->r.mem = NULL;
    /* Only what is in the file: ef_spool_read flushed the write buffer. */
    rs->r.size = (i == sp->nsegs - 1) ? sp->wfile : s->size;
    *out = &rs->r;
    return 0;
}

/*
 * Where to start looking for sequence seq in segment name: where an earlier
 * read stopped at it, else the start of the tail buffer holding it, else
 * the segment's first record.
 */
static uint64_t cached_offset(const struct ef_spool *sp, uint64_t seq, uint64_t name)
{
    unsigned k;

    for (k = 0; k < EF_SPOOL_POSITIONS; k++) {
        if (sp->pos[k].seq == seq && sp->pos[k].name == name)
            return sp->pos[k].off;
    }
    for (k = 0; !sp->memory && k < 2; k++) {
        const struct ef_tailbuf *t = &sp->tb[k];

        if (t->valid && t->seg == name && t->first_seq && t->first_seq <= seq && seq <= t->last_seq)
            return t->base > EF_SEG_HDR ? t->base : EF_SEG_HDR;
    }
    return EF_SEG_HDR;
}

static void remember(struct ef_spool *sp, uint64_t seq, uint64_t name, uint64_t off)
{
    unsigned k;

    for (k = 0; k < EF_SPOOL_POSITIONS; k++) {
        if (sp->pos[k].seq == seq && sp->pos[k].name == name)
            return;
    }
    sp->pos[sp->pos_next] = (struct ef_read_pos){seq, name, off};
    sp->pos_next = (sp->pos_next + 1) % EF_SPOOL_POSITIONS;
}

/*
 * Skips the records before sequence from by their headers alone (no CRC:
 * they are not handed out), leaving *off at the first one to read.
 */
static int skip_before(struct ef_segreader *r, uint64_t *off, uint64_t from)
{
    while (*off < r->size) {
        const uint8_t *h;
        int rc = ef_segreader_peek(r, *off, EF_REC_HDR, &h);

        if (rc < 0)
            return rc;
        if (ef_le64(h + 8) >= from)
            return 0;
        if (ef_le32(h) > EF_SPOOL_MAX_EVENT)
            return EF_EFORMAT;
        *off += EF_REC_HDR + ef_le32(h);
    }
    return 0;
}

int ef_spool_read(struct ef_spool *sp, uint64_t from, size_t max_events, size_t max_bytes,
                  ef_spool_visit_fn visit, void *ud, uint64_t *next)
{
    struct ef_segreader memr, *r;
    uint64_t off, bytes = 0, last = 0, first_held = ef_spool_first_held(sp);
    uint64_t last_off = 0, last_seg = 0;
    size_t i, visited = 0;
    int rc = 0;

    if (from < first_held)
        from = first_held; /* what came before was delivered or dropped */
    *next = from;
    if (from >= sp->next_seq || max_events == 0)
        return 0;
    if (!sp->memory) {
        rc = ef_spool_flush(sp);
        if (rc < 0)
            return rc;
    }
    i = find_segment(sp, from);
    off = cached_offset(sp, from, sp->segs[i].name);
    while (i < sp->nsegs) {
        /* A segment's bytes: in the file, or in one or two tail buffers. */
        uint64_t seg_end = !sp->memory && i == sp->nsegs - 1 ? sp->wfile : sp->segs[i].size;

        if (off >= seg_end) {
            i++;
            off = EF_SEG_HDR;
            continue;
        }
        rc = get_reader(sp, i, off, &r, &memr);
        if (rc < 0)
            return rc;
        while (off < r->size) {
            struct ef_spool_event ev;
            struct ef_rec rec;

            rc = skip_before(r, &off, from);
            if (rc == 0 && off >= r->size)
                break;
            if (rc == 0)
                rc = ef_seg_record_at(r, off, 1, EF_SEQ_MAX, &rec);
            if (rc == EF_ETRUNC || rc == EF_EFORMAT || rc == EF_ECORRUPT) {
                sp->st.read_errors++;
                EF_LOG_EVERY(sp->read_logs, 100, EF_LOG_ERROR, "spool",
                             "segment %llu damaged at offset %llu (%s): skipping its rest",
                             (unsigned long long)sp->segs[i].name, (unsigned long long)off,
                             ef_strerror(rc));
                rc = 0;
                off = seg_end;
                break;
            }
            if (rc < 0)
                return rc;
            if (visited && (visited >= max_events || bytes + rec.len > max_bytes)) {
                remember(sp, rec.seq, sp->segs[i].name, off);
                goto out;
            }
            ev.seq = rec.seq;
            ev.data = rec.data;
            ev.len = rec.len;
            rc = visit(ud, &ev);
            visited++;
            bytes += rec.len;
            last = rec.seq;
            last_off = off;
            last_seg = sp->segs[i].name;
            off += EF_REC_HDR + rec.len;
            if (rc != 0) {
                remember(sp, last + 1, sp->segs[i].name, off);
                goto out;
            }
        }
        /* The segment is done, or the reader ended at a tail buffer's end: its next part. */
    }
    /* Read to the end: the next event will be appended at the active segment's end. */
    remember(sp, sp->next_seq, sp->segs[sp->nsegs - 1].name,
             sp->memory ? sp->segs[sp->nsegs - 1].size : sp->wfile);
out:
    /*
     * A caller whose batch filled up on the last event reads again from
     * that event: remember where it starts too.
     */
    if (visited)
        remember(sp, last, last_seg, last_off);
    *next = visited ? last + 1 : (rc == 0 ? sp->next_seq : from);
    if (rc < 0)
        return rc;
    return (int)(visited > (size_t)0x7FFFFFFF ? 0x7FFFFFFF : visited);
}

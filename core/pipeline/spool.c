/*
 * spool.c - the durable spool: append, read, acknowledge, delete.
 *
 * DESIGN: segments are kept in an array in sequence order; the last one is
 * the active segment appends go to, through a 1 MiB user-space buffer that
 * ef_spool_commit hands to the OS (so a killed process loses nothing
 * committed) and fsyncs as the sync policy says. What was written stays in
 * that buffer until it is needed for new appends: sinks that keep up read
 * fresh events from there instead of back from the file (spool_read.c). Readers find a segment by
 * binary search on the segment names and an offset through a small cache of
 * where previous reads stopped, so a sink reading on sequentially never
 * rescans. Acks move cursors in memory; the ledger is written when the sync
 * policy says (every ack with sync=always, else at the tick), and only a
 * written ledger lets segments be deleted. Memory mode keeps the same
 * segments as heap buffers. Opening and repairing lives in spool_open.c.
 */
#include "spool_priv.h"

#include "fsutil.h"
#include "util/error.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

uint64_t ef_spool_first_held(const struct ef_spool *sp)
{
    size_t i;

    for (i = 0; i < sp->nsegs; i++) {
        if (sp->segs[i].count)
            return sp->segs[i].first;
    }
    return sp->next_seq;
}

static struct ef_seg *active(struct ef_spool *sp)
{
    return &sp->segs[sp->nsegs - 1];
}

/* Drops every reader, cached position and tail buffer that point into segment name. */
static void forget_segment(struct ef_spool *sp, uint64_t name)
{
    unsigned i;

    for (i = 0; i < 2; i++) {
        if (sp->tb[i].seg == name)
            sp->tb[i].valid = 0;
    }
    for (i = 0; i < EF_SPOOL_READERS; i++) {
        struct ef_reader_slot *rs = &sp->readers[i];

        if (rs->fd >= 0 && rs->name == name) {
            ef_fs_close(rs->fd);
            rs->fd = -1;
            ef_segreader_drop(&rs->r);
        }
    }
    for (i = 0; i < EF_SPOOL_POSITIONS; i++) {
        if (sp->pos[i].name == name)
            sp->pos[i].seq = 0;
    }
}

static int write_out(struct ef_spool *sp, const void *p, size_t n)
{
    int rc = ef_fs_pwrite(sp->wfd, p, n, sp->wfile);

    if (rc < 0) {
        EF_LOG_EVERY(sp->write_errors, 100, EF_LOG_ERROR, "spool", "writing %s: %s", sp->dir,
                     ef_strerror(rc));
        return rc == EF_ENOSPC ? EF_EIO : rc;
    }
    sp->wfile += n;
    sp->unsynced = 1;
    return 0;
}

int ef_spool_flush(struct ef_spool *sp)
{
    struct ef_tailbuf *t = &sp->tb[sp->tcur];
    int rc;

    if (sp->memory || t->written == t->len)
        return 0;
    rc = write_out(sp, t->mem + t->written, t->len - t->written);
    if (rc == 0)
        t->written = t->len;
    return rc;
}

/* The other buffer takes the appends from here (the current one is written out). */
static void switch_tailbuf(struct ef_spool *sp)
{
    struct ef_tailbuf *t;

    sp->tcur ^= 1;
    t = &sp->tb[sp->tcur];
    t->seg = active(sp)->name;
    t->base = sp->wfile;
    t->len = t->written = 0;
    t->first_seq = t->last_seq = 0;
    t->valid = 1;
}

/* 1 when a record of need bytes closes the active segment and starts the next. */
static int will_roll(const struct ef_spool *sp, uint64_t need)
{
    const struct ef_seg *a = &sp->segs[sp->nsegs - 1];

    return a->count && a->size + need > sp->seg_limit;
}

uint64_t ef_spool_tail_evicts(const struct ef_spool *sp, uint32_t len)
{
    const struct ef_tailbuf *t = &sp->tb[sp->tcur], *o = &sp->tb[sp->tcur ^ 1];
    uint64_t need = EF_REC_HDR + (uint64_t)len;

    if (sp->memory || !o->valid)
        return 0;
    /* A roll starts a tail buffer, as a record that does not fit does. */
    if (will_roll(sp, need) || need > EF_SPOOL_TAILBUF - t->len)
        return o->last_seq;
    return 0;
}

static int sync_active(struct ef_spool *sp)
{
    int rc;

    if (sp->memory || !sp->unsynced)
        return 0;
    rc = ef_fs_sync_file(sp->wfd);
    if (rc < 0)
        return rc;
    sp->unsynced = 0;
    sp->st.fsyncs++;
    return 0;
}

/* Appends raw bytes to a memory-mode segment. */
static int put_memory(struct ef_spool *sp, const void *p, size_t n)
{
    struct ef_seg *a = active(sp);

    if (a->size + n > a->cap) {
        size_t nc = a->cap ? a->cap : 4096;
        uint8_t *nm;

        while (nc < a->size + n)
            nc *= 2;
        nm = realloc(a->mem, nc);
        if (!nm)
            return EF_ENOMEM;
        a->mem = nm;
        a->cap = nc;
    }
    memcpy(a->mem + a->size, p, n);
    a->size += n;
    return 0;
}

/*
 * Appends p (n bytes) then q (m bytes, may be 0) to the active segment: in
 * memory mode to its buffer, on disk to the current tail buffer (switching
 * to the other one when they do not fit, so a record never spans two), or
 * straight to the file when they are larger than a tail buffer.
 */
static int put_bytes(struct ef_spool *sp, const void *p, size_t n, const void *q, size_t m)
{
    struct ef_tailbuf *t = &sp->tb[sp->tcur];
    size_t total = n + m;
    int rc = 0;

    if (sp->memory) {
        rc = put_memory(sp, p, n);
        if (rc == 0 && m)
            rc = put_memory(sp, q, m);
    } else if (total > EF_SPOOL_TAILBUF - t->len) {
        rc = ef_spool_flush(sp);
        if (rc == 0 && total >= EF_SPOOL_TAILBUF) {
            /* Too large to cache: straight to the file, nothing to buffer. */
            rc = write_out(sp, p, n);
            if (rc == 0 && m)
                rc = write_out(sp, q, m);
            n = m = 0;
        }
        if (rc == 0)
            switch_tailbuf(sp); /* appends go on after what is written */
        t = &sp->tb[sp->tcur];
    }
    if (rc < 0)
        return rc;
    if (!sp->memory) {
        memcpy(t->mem + t->len, p, n);
        if (m)
            memcpy(t->mem + t->len + n, q, m);
        t->len += n + m;
        active(sp)->size += total;
    }
    sp->total += total;
    return 0;
}

int ef_spool_new_segment(struct ef_spool *sp)
{
    struct ef_seg *s;
    uint8_t hdr[EF_SEG_HDR];
    char path[4096];
    int rc;

    if (sp->nsegs == sp->capsegs) {
        size_t nc = sp->capsegs ? sp->capsegs * 2 : 16;
        struct ef_seg *ns = realloc(sp->segs, nc * sizeof(*ns));

        if (!ns)
            return EF_ENOMEM;
        sp->segs = ns;
        sp->capsegs = nc;
    }
    if (!sp->memory) {
        ef_seg_path(path, sizeof(path), sp->dir, sp->next_seq);
        /* Any file of this name is empty: its sequences were never used. */
        rc = ef_fs_open(path, EF_FS_WRITE | EF_FS_CREATE | EF_FS_TRUNC, &sp->wfd);
        if (rc < 0) {
            ef_log_error("spool", "creating %s: %s", path, ef_strerror(rc));
            return rc;
        }
        if (sp->sync != EF_SPOOL_SYNC_OFF) {
            rc = sp->bg ? ef_spool_bg_sync_dir(sp->bg) : ef_fs_sync_dir(sp->dir);
            if (rc < 0)
                return rc;
        }
        sp->wfile = 0;
    }
    s = &sp->segs[sp->nsegs++];
    memset(s, 0, sizeof(*s));
    s->name = sp->next_seq;
    if (!sp->memory)
        switch_tailbuf(sp); /* the previous segment's last bytes stay cached */
    ef_seg_put_header(hdr);
    return put_bytes(sp, hdr, sizeof(hdr), NULL, 0);
}

/* Closes the active segment and starts the next one. */
static int roll(struct ef_spool *sp)
{
    int rc;

    if (!sp->memory) {
        rc = ef_spool_flush(sp);
        if (rc < 0)
            return rc;
        if (sp->bg) {
            /* It closes the file after any fsync queued for it. */
            rc = ef_spool_bg_sync_file(sp->bg, sp->wfd,
                                       sp->sync != EF_SPOOL_SYNC_OFF && sp->unsynced, 1);
            sp->wfd = -1;
        } else if (sp->sync != EF_SPOOL_SYNC_OFF) {
            rc = sync_active(sp);
        }
        if (rc < 0)
            return rc;
        if (sp->wfd >= 0)
            ef_fs_close(sp->wfd);
        sp->wfd = -1;
        sp->unsynced = 0;
    }
    return ef_spool_new_segment(sp);
}

/* Removes the oldest segment (never the active one). */
static int remove_oldest(struct ef_spool *sp)
{
    struct ef_seg *s = &sp->segs[0];
    char path[4096];
    int rc = 0;

    forget_segment(sp, s->name);
    if (sp->memory) {
        free(s->mem);
    } else {
        ef_seg_path(path, sizeof(path), sp->dir, s->name);
        rc = sp->bg ? ef_spool_bg_remove(sp->bg, path) : ef_fs_remove(path);
        if (rc == EF_ENOENT)
            rc = 0;
        if (rc < 0)
            ef_log_warn("spool", "deleting %s: %s", path, ef_strerror(rc));
    }
    sp->total -= s->size;
    memmove(sp->segs, sp->segs + 1, (sp->nsegs - 1) * sizeof(*s));
    sp->nsegs--;
    return rc;
}

/* Deletes the closed segments every cursor in cur has passed. */
static int delete_passed(struct ef_spool *sp, const uint64_t *cur)
{
    uint64_t low = UINT64_MAX;
    unsigned i;
    int rc;

    for (i = 0; i < sp->n_sinks; i++) {
        if (cur[i] < low)
            low = cur[i];
    }
    while (sp->nsegs > 1 && (sp->segs[0].count == 0 || sp->segs[0].last <= low)) {
        rc = remove_oldest(sp);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int ef_spool_write_ledger(struct ef_spool *sp)
{
    int rc;

    if (sp->memory) {
        sp->ledger_dirty = 0;
        return delete_passed(sp, sp->cursor);
    }
    /* Never two ledger writes at once: the queued one finishes first. */
    ef_spool_settle(sp);
    rc = ef_ledger_write(sp->dir, (const char *const *)sp->names, sp->cursor, sp->n_sinks,
                         sp->sync != EF_SPOOL_SYNC_OFF);
    if (rc < 0) {
        ef_log_error("spool", "writing the ledger in %s: %s", sp->dir, ef_strerror(rc));
        return rc;
    }
    if (sp->sync != EF_SPOOL_SYNC_OFF)
        sp->st.fsyncs++;
    memcpy(sp->ledger_cursor, sp->cursor, sizeof(sp->cursor));
    sp->ledger_dirty = 0;
    return delete_passed(sp, sp->ledger_cursor);
}

/* Frees room for need more bytes as the spool_full policy says. */
static int make_room(struct ef_spool *sp, uint64_t need)
{
    int rc;

    if (sp->total + need <= sp->max_size)
        return 0;
    /* Acknowledged segments go first: they cost nothing. */
    if (sp->ledger_dirty) {
        rc = ef_spool_write_ledger(sp);
        if (rc < 0)
            return rc;
    }
    while (sp->total + need > sp->max_size) {
        struct ef_seg *s;
        uint64_t lacked_any = 0;
        unsigned i;

        if (sp->on_full == EF_SPOOL_ON_FULL_DROP_NEWEST) {
            sp->st.dropped_newest++;
            return EF_ENOSPC;
        }
        if (sp->on_full == EF_SPOOL_ON_FULL_BLOCK) {
            sp->st.blocked++;
            return EF_EAGAIN;
        }
        if (sp->nsegs == 1) {
            if (active(sp)->count == 0)
                return EF_ENOSPC; /* cannot happen: append checked the event fits */
            rc = roll(sp);
            if (rc < 0)
                return rc;
            continue;
        }
        s = &sp->segs[0];
        for (i = 0; i < sp->n_sinks; i++) {
            uint64_t c = sp->cursor[i], lacked;

            if (s->count == 0 || c >= s->last)
                lacked = 0;
            else if (c < s->first)
                lacked = s->count;
            else
                lacked = s->last - c < s->count ? s->last - c : s->count;
            sp->dropped[i] += lacked;
            if (lacked > lacked_any)
                lacked_any = lacked;
        }
        sp->st.dropped_oldest += lacked_any;
        if (lacked_any)
            EF_LOG_EVERY(sp->drop_logs, 100, EF_LOG_WARN, "spool",
                         "spool full (%llu bytes): dropped %llu unsent events",
                         (unsigned long long)sp->max_size, (unsigned long long)lacked_any);
        rc = remove_oldest(sp);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int ef_spool_append(struct ef_spool *sp, const void *data, uint32_t len, uint64_t *seq)
{
    uint8_t hdr[EF_REC_HDR];
    uint64_t need = EF_REC_HDR + (uint64_t)len;
    struct ef_seg *a;
    int rc;

    if (len > EF_SPOOL_MAX_EVENT)
        return EF_ELIMIT;
    if (sp->failed)
        return EF_EIO;
    if (sp->max_size && need + EF_SEG_HDR > sp->max_size) {
        sp->st.dropped_newest++; /* it could never fit, whatever the policy */
        return EF_ENOSPC;
    }
    if (will_roll(sp, need)) {
        rc = roll(sp);
        if (rc < 0)
            goto fail;
    }
    if (sp->max_size) {
        rc = make_room(sp, need);
        if (rc == EF_ENOSPC || rc == EF_EAGAIN)
            return rc;
        if (rc < 0)
            goto fail;
    }
    ef_seg_put_rec(hdr, sp->next_seq, data, len);
    rc = put_bytes(sp, hdr, sizeof(hdr), data, len);
    if (rc < 0)
        goto fail;
    if (!sp->memory) {
        struct ef_tailbuf *t = &sp->tb[sp->tcur];

        if (t->first_seq == 0)
            t->first_seq = sp->next_seq;
        t->last_seq = sp->next_seq;
    }
    a = active(sp);
    if (a->count++ == 0)
        a->first = sp->next_seq;
    a->last = sp->next_seq;
    *seq = sp->next_seq++;
    sp->st.appended++;
    sp->st.appended_bytes += len;
    return 0;
fail:
    /*
     * A half-written record cannot be taken back from the OS; the segment is
     * abandoned and the next open cuts the torn tail off. Until then the
     * spool refuses appends rather than number events it may have lost.
     */
    if (rc != EF_ENOMEM)
        sp->failed = 1;
    return rc;
}

int ef_spool_commit(struct ef_spool *sp)
{
    int rc;

    if (sp->memory)
        return 0;
    rc = ef_spool_flush(sp);
    if (rc == 0 && sp->sync == EF_SPOOL_SYNC_EVERY)
        rc = sync_active(sp);
    return rc;
}

void ef_spool_bg_apply(struct ef_spool *sp)
{
    uint64_t cursors[EF_SPOOL_MAX_SINKS];
    struct ef_spool_bg_done d;

    if (!sp->bg)
        return;
    d.cursors = cursors;
    ef_spool_bg_poll(sp->bg, &d);
    sp->st.fsyncs += d.fsyncs;
    if (d.error)
        EF_LOG_EVERY(sp->bg_errors, 100, EF_LOG_ERROR, "spool", "%s in %s: %s", d.error_what,
                     sp->dir, ef_strerror(d.error));
    if (d.ledger_failed)
        sp->ledger_dirty = 1; /* written again at the next tick */
    if (d.ledger_written) {
        memcpy(sp->ledger_cursor, cursors, sp->n_sinks * sizeof(uint64_t));
        if (delete_passed(sp, sp->ledger_cursor) < 0)
            EF_LOG_EVERY(sp->bg_errors, 100, EF_LOG_ERROR, "spool",
                         "%s: deleting delivered segments failed", sp->dir);
    }
}

void ef_spool_settle(struct ef_spool *sp)
{
    if (!sp->bg)
        return;
    ef_spool_bg_wait(sp->bg);
    ef_spool_bg_apply(sp);
    ef_spool_bg_wait(sp->bg); /* the deletions that the ledger written allowed */
}

/*
 * The tick with a background thread: take what it finished, then queue the
 * interval's fsync and the ledger, unless the previous ones are still
 * running (a disk slower than the appends: they run back to back then, and
 * the loop goes on).
 */
static int tick_background(struct ef_spool *sp)
{
    int rc;

    ef_spool_bg_apply(sp);
    rc = ef_spool_flush(sp);
    if (rc < 0)
        return rc;
    if (sp->sync == EF_SPOOL_SYNC_PERIODIC && sp->unsynced &&
        !ef_spool_bg_file_sync_pending(sp->bg)) {
        if (ef_spool_bg_sync_file(sp->bg, sp->wfd, 1, 0) == 0)
            sp->unsynced = 0;
    }
    if (sp->ledger_dirty && !ef_spool_bg_ledger_pending(sp->bg)) {
        if (ef_spool_bg_ledger(sp->bg, sp->cursor, sp->sync != EF_SPOOL_SYNC_OFF) == 0)
            sp->ledger_dirty = 0;
    }
    return 0;
}

int ef_spool_tick(struct ef_spool *sp, uint64_t now_ms)
{
    int rc = 0;

    if (sp->ticked && now_ms - sp->last_tick_ms < sp->sync_interval_ms)
        return 0;
    sp->ticked = 1;
    sp->last_tick_ms = now_ms;
    if (sp->bg)
        return tick_background(sp);
    if (!sp->memory) {
        rc = ef_spool_flush(sp);
        if (rc == 0 && sp->sync == EF_SPOOL_SYNC_PERIODIC)
            rc = sync_active(sp);
        if (rc < 0)
            return rc;
    }
    if (sp->ledger_dirty)
        rc = ef_spool_write_ledger(sp);
    return rc;
}

uint64_t ef_spool_cursor(const struct ef_spool *sp, unsigned sink)
{
    return sink < sp->n_sinks ? sp->cursor[sink] : 0;
}

uint64_t ef_spool_sink_dropped(const struct ef_spool *sp, unsigned sink)
{
    return sink < sp->n_sinks ? sp->dropped[sink] : 0;
}

int ef_spool_ack(struct ef_spool *sp, unsigned sink, uint64_t upto)
{
    if (sink >= sp->n_sinks)
        return EF_EINVAL;
    if (upto >= sp->next_seq)
        upto = sp->next_seq - 1; /* nothing past what was appended can be acknowledged */
    if (upto <= sp->cursor[sink])
        return 0;
    sp->cursor[sink] = upto;
    sp->ledger_dirty = 1;
    if (sp->memory || sp->sync == EF_SPOOL_SYNC_EVERY)
        return ef_spool_write_ledger(sp);
    return 0;
}

void ef_spool_get_stats(const struct ef_spool *sp, struct ef_spool_stats *st)
{
    *st = sp->st;
    st->size_bytes = sp->total;
    st->segments = sp->nsegs;
    st->first_seq = ef_spool_first_held(sp);
    st->next_seq = sp->next_seq;
    st->memory = sp->memory;
}

/*
 * spool_open.c - opening a spool (with recovery) and closing it.
 *
 * DESIGN: open scans every segment (spool_seg.c) and repairs what it finds
 * before anything is appended: a damaged tail is truncated away; a segment
 * with damage in its middle (or a bad header) is rewritten with only its
 * good records, through a temp file and an atomic replace, so readers later
 * see clean files and `spool verify` is clean after a repair. Then the
 * ledger gives the cursors: missing or unreadable means every sink starts at
 * the oldest event (at-least-once), a cursor past the newest event is pulled
 * back to it. The next sequence continues after both the newest event and
 * the newest segment's name, so sequences never repeat even when every
 * segment was emptied and deleted. A new active segment is always started,
 * so nothing is ever appended behind a repaired tail.
 */
#include "spool_priv.h"

#include "fsutil.h"
#include "util/error.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

struct copy_ctx {
    int fd;
    uint64_t off;
};

static int copy_record(void *ud, uint64_t off, const struct ef_rec *rec)
{
    struct copy_ctx *c = ud;
    uint8_t hdr[EF_REC_HDR];
    int rc;

    (void)off;
    ef_seg_put_rec(hdr, rec->seq, rec->data, rec->len);
    rc = ef_fs_pwrite(c->fd, hdr, sizeof(hdr), c->off);
    if (rc == 0)
        rc = ef_fs_pwrite(c->fd, rec->data, rec->len, c->off + sizeof(hdr));
    c->off += sizeof(hdr) + rec->len;
    return rc;
}

/*
 * Copies segment path's good records into path.tmp, durably; gives its
 * size. The caller closes the segment and replaces it (Windows will not
 * rename over a file that is open).
 */
static int rewrite_segment(const char *path, int fd, uint64_t name, uint64_t size,
                           uint64_t *new_size)
{
    char tmp[4200];
    struct ef_segreader r;
    struct ef_seg_scan scan;
    struct copy_ctx c = {-1, EF_SEG_HDR};
    uint8_t hdr[EF_SEG_HDR];
    int rc;

    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    rc = ef_fs_open(tmp, EF_FS_WRITE | EF_FS_CREATE | EF_FS_TRUNC, &c.fd);
    if (rc < 0)
        return rc;
    ef_seg_put_header(hdr);
    rc = ef_fs_pwrite(c.fd, hdr, sizeof(hdr), 0);
    ef_segreader_init(&r, fd, NULL, size);
    if (rc == 0)
        rc = ef_seg_scan(&r, name, &scan, copy_record, &c);
    ef_segreader_free(&r);
    if (rc == 0)
        rc = ef_fs_sync_file(c.fd);
    ef_fs_close(c.fd);
    if (rc < 0) {
        ef_fs_remove(tmp);
        return rc;
    }
    *new_size = c.off;
    return 0;
}

/* Scans and repairs one segment; fills s. */
static int recover_segment(struct ef_spool *sp, uint64_t name, struct ef_seg *s,
                           struct ef_spool_recovery *rec)
{
    char path[4096];
    struct ef_segreader r;
    struct ef_seg_scan scan;
    uint64_t size = 0;
    int fd = -1, rc;

    memset(s, 0, sizeof(*s));
    s->name = name;
    ef_seg_path(path, sizeof(path), sp->dir, name);
    rc = ef_fs_open(path, EF_FS_WRITE, &fd);
    if (rc == 0)
        rc = ef_fs_size(fd, &size);
    if (rc < 0)
        goto out;
    ef_segreader_init(&r, fd, NULL, size);
    rc = ef_seg_scan(&r, name, &scan, NULL, NULL);
    ef_segreader_free(&r);
    if (rc < 0)
        goto out;
    s->first = scan.first;
    s->last = scan.last;
    s->count = scan.count;
    s->size = scan.good_end;
    rec->truncated_bytes += scan.tail_bytes;
    rec->bad_records += scan.bad_records + (uint64_t)scan.header_bad;
    if (scan.header_bad || scan.bad_regions) {
        ef_log_warn("spool", "%s: %llu records lost to damage%s; rewriting it", path,
                    (unsigned long long)scan.bad_records,
                    scan.header_bad ? " and a bad header" : "");
        rc = rewrite_segment(path, fd, name, size, &s->size);
        if (rc == 0) {
            char tmp[4200];

            ef_fs_close(fd);
            fd = -1;
            snprintf(tmp, sizeof(tmp), "%s.tmp", path);
            rc = ef_fs_replace(tmp, path, sp->dir);
        }
    } else if (scan.tail_bytes) {
        ef_log_warn("spool", "%s: cutting off a damaged tail of %llu bytes", path,
                    (unsigned long long)scan.tail_bytes);
        rc = ef_fs_truncate(fd, scan.good_end);
        if (rc == 0)
            rc = ef_fs_sync_file(fd);
    }
out:
    if (fd >= 0)
        ef_fs_close(fd);
    if (rc < 0)
        ef_log_error("spool", "recovering %s: %s", path, ef_strerror(rc));
    return rc;
}

static int remove_tmp(void *ud, const char *name)
{
    const char *dir = ud;
    size_t n = strlen(name);
    char path[4096];

    if (n > 4 && strcmp(name + n - 4, ".tmp") == 0) {
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        ef_fs_remove(path);
    }
    return 0;
}

/* Reads the ledger into the cursors; says what was wrong with it. */
static int load_ledger(struct ef_spool *sp, int have_events, struct ef_spool_recovery *rec)
{
    struct ef_ledger_entry *ents = NULL;
    size_t n = 0, i;
    unsigned k;
    int rc = ef_ledger_read(sp->dir, &ents, &n);

    if (rc == EF_ENOENT || rc == EF_EFORMAT || rc == EF_ECORRUPT) {
        if (have_events) {
            rec->ledger_missing = 1;
            ef_log_warn("spool", "%s: the ledger is %s: every sink gets every held event again",
                        sp->dir, rc == EF_ENOENT ? "missing" : "unreadable");
        }
        return 0;
    }
    if (rc < 0)
        return rc;
    /* Sinks no longer configured are forgotten; new ones start at the oldest event. */
    for (i = 0; i < n; i++) {
        for (k = 0; k < sp->n_sinks; k++) {
            if (strcmp(ents[i].name, sp->names[k]) == 0)
                sp->cursor[k] = ents[i].seq;
        }
    }
    free(ents);
    return 0;
}

static int check_options(const struct ef_spool_options *opt)
{
    unsigned i, j;

    if (opt->n_sinks > EF_SPOOL_MAX_SINKS || (opt->n_sinks && !opt->sinks))
        return EF_EINVAL;
    if (opt->mode != EF_SPOOL_MODE_MEMORY && (!opt->dir || !*opt->dir))
        return EF_EINVAL;
    if (opt->on_full < EF_SPOOL_ON_FULL_DROP_OLDEST || opt->on_full > EF_SPOOL_ON_FULL_BLOCK ||
        opt->sync < EF_SPOOL_SYNC_EVERY || opt->sync > EF_SPOOL_SYNC_OFF)
        return EF_EINVAL;
    if (opt->max_size && opt->max_size < 4096)
        return EF_EINVAL;
    for (i = 0; i < opt->n_sinks; i++) {
        if (!opt->sinks[i] || !ef_ledger_name_ok(opt->sinks[i]))
            return EF_EINVAL;
        for (j = 0; j < i; j++) {
            if (strcmp(opt->sinks[i], opt->sinks[j]) == 0)
                return EF_EINVAL;
        }
    }
    return 0;
}

static int open_disk(struct ef_spool *sp, struct ef_spool_recovery *rec)
{
    uint64_t *names = NULL, last = 0, maxcur = 0, events = 0;
    size_t n = 0, i;
    unsigned k;
    int rc;

    rc = ef_fs_mkdir_p(sp->dir);
    if (rc < 0) {
        ef_log_error("spool", "creating %s: %s", sp->dir, ef_strerror(rc));
        return rc;
    }
    ef_fs_list_dir(sp->dir, remove_tmp, sp->dir);
    rc = ef_seg_list(sp->dir, &names, &n);
    if (rc < 0)
        goto out;
    for (i = 0; i < n; i++) {
        struct ef_seg s;

        rc = recover_segment(sp, names[i], &s, rec);
        if (rc < 0)
            goto out;
        /* Sequences continue after the newest event and the newest name. */
        if (s.last > last)
            last = s.last;
        if (s.name - 1 > last)
            last = s.name - 1;
        events += s.count;
        if (s.count == 0) {
            char path[4096];

            ef_seg_path(path, sizeof(path), sp->dir, s.name);
            ef_fs_remove(path); /* empty: a new active segment replaces it */
            continue;
        }
        if (sp->nsegs == sp->capsegs) {
            size_t nc = sp->capsegs ? sp->capsegs * 2 : 16;
            struct ef_seg *ns = realloc(sp->segs, nc * sizeof(*ns));

            if (!ns) {
                rc = EF_ENOMEM;
                goto out;
            }
            sp->segs = ns;
            sp->capsegs = nc;
        }
        sp->segs[sp->nsegs++] = s;
        sp->total += s.size;
    }
    rc = load_ledger(sp, events > 0, rec);
    if (rc < 0)
        goto out;
    for (k = 0; k < sp->n_sinks; k++) {
        if (sp->cursor[k] > maxcur)
            maxcur = sp->cursor[k];
    }
    if (n == 0 && maxcur > last)
        last = maxcur; /* every segment was delivered and deleted */
    for (k = 0; k < sp->n_sinks; k++) {
        if (sp->cursor[k] > last) {
            ef_log_warn("spool",
                        "%s: sink %s's cursor %llu is past the newest event %llu: "
                        "pulled back",
                        sp->dir, sp->names[k], (unsigned long long)sp->cursor[k],
                        (unsigned long long)last);
            sp->cursor[k] = last;
            rec->ledger_ahead = 1;
        }
    }
    sp->next_seq = last + 1;
    rec->segments = sp->nsegs;
    rec->events = events;
    rc = ef_spool_new_segment(sp);
    if (rc == 0)
        rc = ef_spool_flush(sp);
    if (rc == 0)
        rc = ef_spool_write_ledger(sp);
out:
    free(names);
    return rc;
}

int ef_spool_open(const struct ef_spool_options *opt, struct ef_spool **out,
                  struct ef_spool_recovery *rec)
{
    struct ef_spool_recovery dummy;
    struct ef_spool *sp;
    unsigned i;
    int rc;

    *out = NULL;
    if (!rec)
        rec = &dummy;
    memset(rec, 0, sizeof(*rec));
    rc = check_options(opt);
    if (rc < 0)
        return rc;
    sp = calloc(1, sizeof(*sp));
    if (!sp)
        return EF_ENOMEM;
    sp->wfd = -1;
    for (i = 0; i < EF_SPOOL_READERS; i++)
        sp->readers[i].fd = -1;
    sp->memory = opt->mode == EF_SPOOL_MODE_MEMORY;
    sp->on_full = opt->on_full;
    sp->sync = opt->sync;
    sp->sync_interval_ms = opt->sync_interval_ms ? opt->sync_interval_ms : 1000;
    sp->max_size = opt->max_size;
    sp->seg_limit = opt->segment_size ? opt->segment_size : 64ull * 1024 * 1024;
    /*
     * With a size limit, drop_oldest frees whole segments: keep them at most
     * a quarter of the limit so one drop never takes most of the spool.
     */
    if (sp->max_size && sp->seg_limit > sp->max_size / 4)
        sp->seg_limit = sp->max_size / 4;
    /*
     * In memory a segment is one heap buffer, freed only whole: small ones
     * give delivered events' memory back soon and never realloc much.
     */
    if (sp->memory && sp->seg_limit > EF_SPOOL_MEM_SEGMENT)
        sp->seg_limit = EF_SPOOL_MEM_SEGMENT;
    sp->next_seq = 1;
    sp->n_sinks = opt->n_sinks;
    for (i = 0; i < opt->n_sinks; i++) {
        sp->names[i] = strdup(opt->sinks[i]);
        if (!sp->names[i]) {
            rc = EF_ENOMEM;
            goto out;
        }
    }
    if (!sp->memory) {
        sp->dir = strdup(opt->dir);
        sp->tb[0].mem = malloc(EF_SPOOL_TAILBUF);
        sp->tb[1].mem = malloc(EF_SPOOL_TAILBUF);
        if (!sp->dir || !sp->tb[0].mem || !sp->tb[1].mem) {
            rc = EF_ENOMEM;
            goto out;
        }
        rc = open_disk(sp, rec);
    } else {
        rc = ef_spool_new_segment(sp);
    }
    sp->fresh_from = sp->next_seq; /* what recovery found was checked by it */
    if (rc == 0 && !sp->memory && opt->background && sp->sync != EF_SPOOL_SYNC_EVERY)
        rc = ef_spool_bg_start(sp->dir, (const char *const *)sp->names, sp->n_sinks, &sp->bg);
out:
    if (rc < 0) {
        ef_spool_close(sp);
        return rc;
    }
    *out = sp;
    return 0;
}

void ef_spool_close(struct ef_spool *sp)
{
    size_t i;

    if (!sp)
        return;
    if (sp->bg) {
        /* Its queued fsyncs, closes and deletes first; then it goes. */
        ef_spool_settle(sp);
        ef_spool_bg_stop(sp->bg);
        sp->bg = NULL;
    }
    if (!sp->memory && sp->wfd >= 0 && !sp->failed) {
        /* Best effort: what is not flushed now is sent again after a restart. */
        if (ef_spool_flush(sp) == 0 && sp->sync != EF_SPOOL_SYNC_OFF && sp->unsynced &&
            ef_fs_sync_file(sp->wfd) == 0)
            sp->st.fsyncs++;
        if (sp->ledger_dirty)
            ef_spool_write_ledger(sp);
    }
    if (sp->wfd >= 0)
        ef_fs_close(sp->wfd);
    for (i = 0; i < EF_SPOOL_READERS; i++) {
        if (sp->readers[i].fd >= 0)
            ef_fs_close(sp->readers[i].fd);
        ef_segreader_free(&sp->readers[i].r);
    }
    for (i = 0; i < sp->nsegs; i++)
        free(sp->segs[i].mem);
    for (i = 0; i < sp->n_sinks; i++)
        free(sp->names[i]);
    free(sp->segs);
    free(sp->tb[0].mem);
    free(sp->tb[1].mem);
    free(sp->dir);
    free(sp);
}

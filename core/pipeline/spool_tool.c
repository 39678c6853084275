/*
 * spool_tool.c - offline inspection of a spool: verify and dump.
 *
 * Both read the folder without changing anything (segments are opened
 * read-only, nothing is repaired), so they are safe on the spool of a
 * stopped service and give the same findings open would act on.
 */
#include "spool_priv.h"

#include "fsutil.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef int (*seg_fn)(void *ud, uint64_t name, const struct ef_seg_scan *scan);

struct kinds {
    unsigned spool, other;
};

static int count_kind(void *ud, const char *name)
{
    struct kinds *k = ud;
    size_t len = strlen(name);

    if ((len == EF_SEG_NAME_LEN && memcmp(name + EF_SEG_NAME_LEN - 4, ".seg", 4) == 0) ||
        strcmp(name, EF_LEDGER_FILE) == 0 || strcmp(name, EF_LEDGER_FILE ".tmp") == 0)
        k->spool++;
    else
        k->other++;
    return 0;
}

/*
 * EF_EFORMAT when dir holds entries and none is a segment or the ledger
 * (state_dir itself, a sink's output folder): reporting "0 segments,
 * clean" there would mislead.
 */
static int check_is_spool(const char *dir)
{
    struct kinds k = {0, 0};
    int rc = ef_fs_list_dir(dir, count_kind, &k);

    if (rc < 0)
        return rc;
    return k.other && !k.spool ? EF_EFORMAT : 0;
}

/* Scans every segment of dir, calling visit per record and fn per segment. */
static int scan_all(const char *dir, ef_seg_visit_fn visit, void *vud, seg_fn fn, void *ud)
{
    uint64_t *names = NULL, size;
    size_t n = 0, i;
    int rc;

    rc = ef_seg_list(dir, &names, &n);
    for (i = 0; rc == 0 && i < n; i++) {
        char path[4096];
        struct ef_segreader r;
        struct ef_seg_scan scan;
        int fd;

        ef_seg_path(path, sizeof(path), dir, names[i]);
        rc = ef_fs_open(path, EF_FS_READ, &fd);
        if (rc < 0)
            break;
        rc = ef_fs_size(fd, &size);
        if (rc == 0) {
            ef_segreader_init(&r, fd, NULL, size);
            rc = ef_seg_scan(&r, names[i], &scan, visit, vud);
            ef_segreader_free(&r);
        }
        ef_fs_close(fd);
        if (rc == 0 && fn)
            rc = fn(ud, names[i], &scan);
    }
    free(names);
    return rc;
}

struct verify_ctx {
    struct ef_spool_recovery *rec;
    FILE *report;
    uint64_t last; /* newest sequence, or a segment name - 1 */
    uint64_t prev_last;
    int order_bad;
};

static int verify_seg(void *ud, uint64_t name, const struct ef_seg_scan *scan)
{
    struct verify_ctx *c = ud;

    c->rec->segments++;
    c->rec->events += scan->count;
    c->rec->truncated_bytes += scan->tail_bytes;
    c->rec->bad_records += scan->bad_records + (uint64_t)scan->header_bad;
    if (c->report) {
        fprintf(c->report, "segment %020" PRIu64 ": %" PRIu64 " events", name, scan->count);
        if (scan->count)
            fprintf(c->report, ", seq %" PRIu64 "..%" PRIu64, scan->first, scan->last);
        fprintf(c->report, "\n");
        if (scan->header_bad)
            fprintf(c->report, "  damage: bad segment header\n");
        if (scan->bad_regions)
            fprintf(c->report,
                    "  damage: %" PRIu64 " records lost in %" PRIu64
                    " damaged regions (later records kept)\n",
                    scan->bad_records, scan->bad_regions);
        if (scan->tail_bytes)
            fprintf(c->report,
                    "  damage: %" PRIu64 " bytes of damaged tail at offset %" PRIu64 "\n",
                    scan->tail_bytes, scan->good_end);
    }
    if (scan->count && scan->first <= c->prev_last)
        c->order_bad = 1;
    if (scan->count)
        c->prev_last = scan->last;
    if (scan->last > c->last)
        c->last = scan->last;
    if (name - 1 > c->last)
        c->last = name - 1;
    return 0;
}

int ef_spool_verify(const char *dir, struct ef_spool_recovery *rec, FILE *report)
{
    struct verify_ctx c = {rec, report, 0, 0, 0};
    struct ef_ledger_entry *ents = NULL;
    size_t n = 0, i;
    int rc;

    memset(rec, 0, sizeof(*rec));
    if ((rc = check_is_spool(dir)) < 0)
        return rc;
    rc = scan_all(dir, NULL, NULL, verify_seg, &c);
    if (rc < 0)
        return rc;
    rc = ef_ledger_read(dir, &ents, &n);
    if (rc == EF_ENOENT || rc == EF_EFORMAT || rc == EF_ECORRUPT) {
        if (rec->events)
            rec->ledger_missing = 1;
        if (report)
            fprintf(report, "ledger: %s\n", rc == EF_ENOENT ? "missing" : "unreadable");
    } else if (rc < 0) {
        return rc;
    }
    for (i = 0; i < n; i++) {
        int ahead = rec->segments && ents[i].seq > c.last;

        if (report)
            fprintf(report, "ledger: sink %s at %" PRIu64 "%s\n", ents[i].name, ents[i].seq,
                    ahead ? " (damage: past the newest event)" : "");
        if (ahead)
            rec->ledger_ahead = 1;
    }
    free(ents);
    if (c.order_bad && report)
        fprintf(report, "damage: segments overlap in sequence numbers\n");
    if (report)
        fprintf(report, "%" PRIu64 " segments, %" PRIu64 " events\n", rec->segments, rec->events);
    if (rec->truncated_bytes || rec->bad_records || rec->ledger_missing || rec->ledger_ahead ||
        c.order_bad)
        return EF_ECORRUPT;
    return 0;
}

struct dump_ctx {
    FILE *out;
    struct ef_ledger_entry *ents; /* the ledger's cursors, NULL when it has none */
    size_t n;
    struct ef_spool_recovery *rec;
};

/* Who acknowledged seq, per the ledger's cursors. */
static void print_state(const struct dump_ctx *c, uint64_t seq)
{
    size_t i, acked = 0;
    const char *sep = "";

    for (i = 0; i < c->n; i++)
        acked += c->ents[i].seq >= seq;
    if (c->n && acked == c->n) {
        fputs("acked\t", c->out);
        return;
    }
    if (acked == 0) {
        fputs("pending\t", c->out);
        return;
    }
    fputs("acked-by:", c->out);
    for (i = 0; i < c->n; i++) {
        if (c->ents[i].seq >= seq) {
            fprintf(c->out, "%s%s", sep, c->ents[i].name);
            sep = ",";
        }
    }
    fputc('\t', c->out);
}

static int dump_record(void *ud, uint64_t off, const struct ef_rec *rec)
{
    struct dump_ctx *c = ud;
    FILE *out = c->out;
    uint32_t i, start = 0;

    (void)off;
    fprintf(out, "%" PRIu64 "\t", rec->seq);
    print_state(c, rec->seq);
    /* One line per event: control bytes are shown as \xNN, the rest as is. */
    for (i = 0; i < rec->len; i++) {
        uint8_t b = rec->data[i];

        if (b >= 0x20 && b != 0x7F)
            continue;
        fwrite(rec->data + start, 1, i - start, out);
        fprintf(out, "\\x%02X", b);
        start = i + 1;
    }
    fwrite(rec->data + start, 1, rec->len - start, out);
    fputc('\n', out);
    return ferror(out) ? EF_EIO : 0;
}

static int dump_seg(void *ud, uint64_t name, const struct ef_seg_scan *scan)
{
    struct dump_ctx *c = ud;

    (void)name;
    c->rec->segments++;
    c->rec->events += scan->count;
    c->rec->truncated_bytes += scan->tail_bytes;
    c->rec->bad_records += scan->bad_records + (uint64_t)scan->header_bad;
    return 0;
}

int ef_spool_dump(const char *dir, struct ef_spool_recovery *rec, FILE *out)
{
    struct dump_ctx c = {out, NULL, 0, rec};
    int rc;

    memset(rec, 0, sizeof(*rec));
    if ((rc = check_is_spool(dir)) < 0)
        return rc;
    rc = ef_ledger_read(dir, &c.ents, &c.n);
    if (rc < 0 && rc != EF_ENOENT && rc != EF_EFORMAT && rc != EF_ECORRUPT)
        return rc;
    rec->ledger_missing = rc < 0;
    rc = scan_all(dir, dump_record, &c, dump_seg, &c);
    free(c.ents);
    if (rc == 0 && (rec->truncated_bytes || rec->bad_records))
        rc = EF_ECORRUPT;
    return rc;
}

/*
 * fuzz_spool.c - the spool's readers of untrusted bytes: a segment file and
 * a ledger as found on disk after a crash or a bad disk.
 *
 * The first byte picks the path. Odd: the segment scanner over the bytes in
 * memory. Even: the bytes become a ledger (the first data[1] bytes) and a
 * segment (the rest) in a temporary folder, then `spool verify`, `spool
 * dump`, and a full open (which repairs), reading every event and appending
 * one, and close: recovery must never crash, read out of bounds or leave a
 * spool that verify calls damaged.
 */
#include "pipeline/fsutil.h"
#include "pipeline/spool.h"
#include "pipeline/spool_int.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static FILE *devnull;

static int visit(void *ud, const struct ef_spool_event *ev)
{
    uint64_t *sum = ud;

    if (ev->len)
        *sum += ((const uint8_t *)ev->data)[ev->len - 1];
    return 0;
}

static void put(const char *name, const uint8_t *p, size_t n)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(p, 1, n, f);
    fclose(f);
}

static int remove_one(void *ud, const char *name)
{
    char path[128];

    (void)ud;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    ef_fs_remove(path);
    return 0;
}

static void files_case(const uint8_t *data, size_t size)
{
    static const char *const sinks[] = {"a", "siem"};
    struct ef_spool_options o;
    struct ef_spool_recovery rec;
    struct ef_spool *sp;
    size_t split = size ? data[0] : 0;
    uint64_t next = 1, sum = 0, seq;

    if (split > size - (size ? 1 : 0))
        split = size ? size - 1 : 0;
    if (size) {
        data++;
        size--;
    }
    ef_fs_list_dir(dir, remove_one, NULL);
    put("ledger", data, split);
    put("00000000000000000001.seg", data + split, size - split);
    ef_spool_verify(dir, &rec, devnull);
    ef_spool_dump(dir, &rec, devnull);
    memset(&o, 0, sizeof(o));
    o.dir = dir;
    o.segment_size = 4096;
    o.sync = EF_SPOOL_SYNC_OFF;
    o.sinks = sinks;
    o.n_sinks = 2;
    if (ef_spool_open(&o, &sp, &rec) != 0)
        abort(); /* damage is repaired, never an error */
    while (ef_spool_read(sp, next, 7, 1000, visit, &sum, &next) > 0)
        ;
    if (ef_spool_append(sp, "{}", 2, &seq) != 0 || seq <= ef_spool_cursor(sp, 0) ||
        seq <= ef_spool_cursor(sp, 1))
        abort();
    ef_spool_close(sp);
    if (ef_spool_verify(dir, &rec, NULL) != 0)
        abort(); /* open left damage behind */
}

static void cleanup(void)
{
    ef_fs_list_dir(dir, remove_one, NULL);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ef_segreader r;
    struct ef_seg_scan scan;

    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "/tmp/fuzz-spool-%d", (int)getpid());
        ef_fs_mkdir_p(dir);
        atexit(cleanup);
        devnull = fopen("/dev/null", "w");
    }
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        uint64_t name = size > 1 ? 1 + data[1] : 1;

        ef_segreader_init(&r, -1, data + 1, size - 1);
        ef_seg_scan(&r, name, &scan, NULL, NULL);
        if (scan.good_end > size - 1 || scan.tail_bytes > size - 1)
            __builtin_trap();
    } else {
        files_case(data + 1, size - 1);
    }
    return 0;
}

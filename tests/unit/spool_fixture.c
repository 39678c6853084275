/*
 * spool_fixture.c - temporary folders and deliberate damage for the spool
 * suite. Portable: the same tests run under Wine, where mkdtemp is missing.
 */
#include "spool_fixture.h"

#include "runner.h"

#include "pipeline/fsutil.h"
#include "util/error.h"
#include "util/file.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <direct.h>
#include <io.h>
#else
#include <unistd.h>
#endif

char *ef_tspool_mkdtemp(void)
{
    const char *base = getenv("TMPDIR");
    char *p;

#ifdef _WIN32
    if (!base)
        base = getenv("TEMP");
    if (!base)
        base = ".";
    p = malloc(strlen(base) + 32);
    ck_assert_ptr_nonnull(p);
    for (;;) {
        sprintf(p, "%s\\efspoolXXXXXX", base);
        ck_assert_int_eq(_mktemp_s(p, strlen(p) + 1), 0);
        if (_mkdir(p) == 0)
            break;
    }
#else
    if (!base)
        base = "/tmp";
    p = malloc(strlen(base) + 32);
    ck_assert_ptr_nonnull(p);
    sprintf(p, "%s/efspoolXXXXXX", base);
    ck_assert_ptr_nonnull(mkdtemp(p));
#endif
    return p;
}

static int remove_one(void *ud, const char *name)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", (const char *)ud, name);
    ef_fs_remove(path);
    return 0;
}

void ef_tspool_rmdir(const char *dir)
{
    ef_fs_list_dir(dir, remove_one, (void *)dir);
#ifdef _WIN32
    _rmdir(dir);
#else
    rmdir(dir);
#endif
}

struct segs {
    char names[256][32];
    int n;
};

static int collect(void *ud, const char *name)
{
    struct segs *s = ud;
    size_t n = strlen(name);

    if (n == 24 && strcmp(name + 20, ".seg") == 0 && s->n < 256)
        snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

int ef_tspool_count_segments(const char *dir)
{
    struct segs s;

    s.n = 0;
    ef_fs_list_dir(dir, collect, &s);
    return s.n;
}

int ef_tspool_segment_path(const char *dir, int n, char *out, size_t cap)
{
    struct segs s;

    s.n = 0;
    ef_fs_list_dir(dir, collect, &s);
    if (n >= s.n)
        return -1;
    qsort(s.names, (size_t)s.n, sizeof(s.names[0]), cmp_name);
    snprintf(out, cap, "%s/%s", dir, s.names[n]);
    return 0;
}

long long ef_tspool_file_size(const char *path)
{
    uint64_t size;
    int fd;

    if (ef_fs_open(path, EF_FS_READ, &fd) < 0)
        return -1;
    if (ef_fs_size(fd, &size) < 0)
        size = (uint64_t)-1;
    ef_fs_close(fd);
    return (long long)size;
}

void ef_tspool_patch(const char *path, long long off, const void *data, size_t len)
{
    uint64_t size;
    int fd;

    ck_assert_int_eq(ef_fs_open(path, EF_FS_WRITE, &fd), 0);
    ck_assert_int_eq(ef_fs_size(fd, &size), 0);
    ck_assert_int_eq(ef_fs_pwrite(fd, data, len, off < 0 ? size : (uint64_t)off), 0);
    ef_fs_close(fd);
}

void ef_tspool_truncate(const char *path, long long size)
{
    int fd;

    ck_assert_int_eq(ef_fs_open(path, EF_FS_WRITE, &fd), 0);
    ck_assert_int_eq(ef_fs_truncate(fd, (uint64_t)size), 0);
    ef_fs_close(fd);
}

size_t ef_tspool_payload(uint64_t i, char *out, size_t cap)
{
    size_t pad = (size_t)(i % 300), n;

    n = (size_t)snprintf(out, cap, "{\"n\":%" PRIu64 ",\"pad\":\"", i);
    ck_assert_uint_lt(n + pad + 3, cap);
    memset(out + n, 'a' + (int)(i % 26), pad);
    n += pad;
    memcpy(out + n, "\"}", 3);
    return n + 2;
}

char *ef_tspool_dir;

void ef_tspool_setup(void)
{
    ef_tspool_dir = ef_tspool_mkdtemp();
}

void ef_tspool_teardown(void)
{
    ef_tspool_rmdir(ef_tspool_dir);
    free(ef_tspool_dir);
    ef_tspool_dir = NULL;
}

static int open_with(const char *dir, int mode, uint64_t seg_size, uint64_t max_size, int on_full,
                     int sync, int background, struct ef_spool **sp, struct ef_spool_recovery *rec)
{
    static const char *const sinks[] = {"a", "b"};
    struct ef_spool_options o;

    memset(&o, 0, sizeof(o));
    o.background = background;
    o.dir = dir;
    o.mode = mode;
    o.segment_size = seg_size;
    o.max_size = max_size;
    o.on_full = on_full;
    o.sync = sync;
    o.sync_interval_ms = 1000;
    o.sinks = sinks;
    o.n_sinks = 2;
    return ef_spool_open(&o, sp, rec);
}

int ef_tspool_open(const char *dir, int mode, uint64_t seg_size, uint64_t max_size, int on_full,
                   int sync, struct ef_spool **sp, struct ef_spool_recovery *rec)
{
    return open_with(dir, mode, seg_size, max_size, on_full, sync, 0, sp, rec);
}

int ef_tspool_open_bg(const char *dir, uint64_t seg_size, uint64_t max_size, int on_full, int sync,
                      struct ef_spool **sp, struct ef_spool_recovery *rec)
{
    return open_with(dir, EF_SPOOL_MODE_DISK, seg_size, max_size, on_full, sync, 1, sp, rec);
}

void ef_tspool_append_range(struct ef_spool *sp, uint64_t first, uint64_t last)
{
    char buf[512];
    uint64_t i, seq;

    for (i = first; i <= last; i++) {
        size_t n = ef_tspool_payload(i, buf, sizeof(buf));
        int rc = ef_spool_append(sp, buf, (uint32_t)n, &seq);

        ck_assert_msg(rc == 0, "append %" PRIu64 ": %s", i, ef_strerror(rc));
        ck_assert_uint_eq(seq, i);
    }
    ck_assert_int_eq(ef_spool_commit(sp), 0);
}

struct read_ctx {
    uint64_t count, first, last;
};

static int check_event(void *ud, const struct ef_spool_event *ev)
{
    struct read_ctx *c = ud;
    char want[512];
    size_t n = ef_tspool_payload(ev->seq, want, sizeof(want));

    ck_assert_uint_eq(ev->len, n);
    ck_assert_msg(memcmp(ev->data, want, n) == 0, "payload of %" PRIu64, ev->seq);
    ck_assert_uint_gt(ev->seq, c->last);
    if (c->count++ == 0)
        c->first = ev->seq;
    c->last = ev->seq;
    return 0;
}

uint64_t ef_tspool_read_all(struct ef_spool *sp, uint64_t from, uint64_t *first_seen,
                            uint64_t *last_seen)
{
    struct read_ctx c = {0, 0, 0};
    uint64_t next = from;
    int n, rounds = 0;

    /* Odd batch limits, so batches end in the middle of segments. */
    while ((n = ef_spool_read(sp, next, 37, 5000, check_event, &c, &next)) > 0)
        ck_assert_int_lt(++rounds, 1000000);
    ck_assert_int_eq(n, 0);
    if (first_seen)
        *first_seen = c.first;
    if (last_seen)
        *last_seen = c.last;
    return c.count;
}

/*
 * test_sink_file.c - the file sink through the sink driver and the real
 * spool (memory mode): content equal to the input, rotation by size and by
 * time (fake clock), keep N, gzip read back with zlib, leftovers compressed
 * at start, a bad path refused at open.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "pipe_helpers.h"
#include "pipeline/sinkdrv.h"
#include "pipeline/spool.h"
#include "sinks/file.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/file.h"

struct fx {
    uv_loop_t loop;
    struct ef_clock clock;
    struct ef_spool *sp;
    struct ef_sink *s;
    struct ef_sink_cfg cfg;
    char dir[1024];
    char path[1100];
    struct ef_buf expect; /* every line written so far */
    uint64_t last_seq;
    int stopped;
};

static void fx_init(struct fx *x, uint64_t rotate_size, uint64_t rotate_ms, int64_t keep,
                    int compress, int sync)
{
    memset(x, 0, sizeof(*x));
    ck_assert_int_eq(uv_loop_init(&x->loop), 0);
    ef_clock_init_fake(&x->clock, 5000);
    th_mkdtemp(x->dir, sizeof(x->dir));
    snprintf(x->path, sizeof(x->path), "%s/events.ndjson", x->dir);
    x->cfg.name = "local";
    x->cfg.type = EF_SINK_FILE;
    x->cfg.path = x->path;
    x->cfg.rotate_size = rotate_size;
    x->cfg.rotate_interval_ms = rotate_ms;
    x->cfg.keep = keep;
    x->cfg.compress = compress;
    x->cfg.sync = sync;
    x->cfg.batch_max_events = 64;
    x->cfg.batch_max_bytes = 1 << 20;
    x->cfg.batch_max_age_ms = 1000;
    x->cfg.in_flight = 4;
    ef_buf_init(&x->expect, 1 << 26);
}

static int fx_open(struct fx *x)
{
    static const char *const sinks[] = {"local"};
    struct ef_spool_options so = {0};
    struct ef_sinkdrv_options o = {0};

    so.mode = EF_SPOOL_MODE_MEMORY;
    so.sinks = sinks;
    so.n_sinks = 1;
    ck_assert_int_eq(ef_spool_open(&so, &x->sp, NULL), 0);
    ef_sinkdrv_options_from_cfg(&o, &x->cfg);
    o.ops = &ef_sink_file_ops;
    o.spool_index = 0;
    ef_backoff_init(&o.backoff, 3);
    o.dead_letter_dir = x->dir;
    return ef_sinkdrv_open(&x->loop, &x->clock, x->sp, &o, &x->s);
}

static void on_stopped(void *ud)
{
    ((struct fx *)ud)->stopped = 1;
}

static int is_stopped(void *ud)
{
    return ((struct fx *)ud)->stopped;
}

static void fx_fini(struct fx *x)
{
    if (x->s) {
        ef_sinkdrv_stop(x->s, on_stopped, x);
        ck_assert(th_run_until(&x->loop, is_stopped, x, 100000));
    }
    if (x->sp)
        ef_spool_close(x->sp);
    ef_clock_close(&x->clock, NULL);
    ck_assert_int_eq(th_loop_fini(&x->loop), 0);
    ef_buf_free(&x->expect);
    th_rmtree(x->dir);
}

static int all_acked(void *ud)
{
    struct fx *x = ud;

    return ef_spool_cursor(x->sp, 0) >= x->last_seq;
}

/* Appends events from..from+n (sizes vary), sends them all, waits for the acks. */
static void write_events(struct fx *x, int from, int n)
{
    char ev[600];
    int i;

    for (i = from; i < from + n; i++) {
        int pad = (i * 37) % 500;
        int len =
            snprintf(ev, sizeof(ev), "{\"n\":%d,\"pad\":\"%.*s\"}", i, pad,
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");

        ck_assert_int_eq(ef_spool_append(x->sp, ev, (uint32_t)len, &x->last_seq), 0);
        ck_assert_int_eq(ef_buf_append(&x->expect, ev, (size_t)len), 0);
        ck_assert_int_eq(ef_buf_append_byte(&x->expect, '\n'), 0);
    }
    ck_assert_int_eq(ef_spool_commit(x->sp), 0);
    ef_sinkdrv_flush(x->s);
    ck_assert(th_run_until(&x->loop, all_acked, x, 1000000));
}

static struct ef_file_sink_stats fstats(struct fx *x)
{
    struct ef_file_sink_stats st;

    ef_file_sink_get_stats(ef_sinkdrv_state(x->s), &st);
    return st;
}

/* Concatenates the rotated files (gunzipping .gz) and the current file. */
static char *read_all(struct fx *x, size_t *total, size_t *n_rotated, size_t *n_gz)
{
    char **names;
    size_t n, i, len;
    struct ef_buf all;
    char *part;

    ef_buf_init(&all, 1 << 26);
    ck_assert_int_eq(ef_file_list_rotated(x->path, &names, &n), 0);
    *n_gz = 0;
    for (i = 0; i < n; i++) {
        size_t nl = strlen(names[i]);

        if (nl > 3 && strcmp(names[i] + nl - 3, ".gz") == 0) {
            part = th_read_gzip(names[i], &len);
            (*n_gz)++;
        } else {
            part = th_read_file(names[i], &len);
        }
        ck_assert_msg(part != NULL, "cannot read %s", names[i]);
        ck_assert_int_eq(ef_buf_append(&all, part, len), 0);
        free(part);
    }
    part = th_read_file(x->path, &len);
    ck_assert_ptr_nonnull(part);
    ck_assert_int_eq(ef_buf_append(&all, part, len), 0);
    free(part);
    ef_file_free_list(names, n);
    *n_rotated = n;
    *total = all.len;
    if (!all.data)
        ef_buf_append(&all, "", 0);
    return all.data ? all.data : calloc(1, 1);
}

START_TEST(content_equals_input)
{
    struct fx x;
    size_t len, nr, ngz;
    char *all;

    fx_init(&x, 0, 0, 0, EF_COMPRESS_NONE, _i);
    ck_assert_int_eq(fx_open(&x), 0);
    write_events(&x, 0, 1000);
    write_events(&x, 1000, 7);
    all = read_all(&x, &len, &nr, &ngz);
    ck_assert_uint_eq(nr, 0);
    ck_assert_uint_eq(len, x.expect.len);
    ck_assert(memcmp(all, x.expect.data, len) == 0);
    ck_assert_uint_eq(fstats(&x).events, 1007);
    ck_assert_uint_eq(fstats(&x).bytes, x.expect.len);
    ck_assert_uint_eq(fstats(&x).size, x.expect.len);
    free(all);
    fx_fini(&x);
}
END_TEST

START_TEST(appends_to_existing_file)
{
    struct fx x;
    FILE *f;
    char *text;
    size_t len;

    fx_init(&x, 0, 0, 0, EF_COMPRESS_NONE, 0);
    f = fopen(x.path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("{\"old\":1}\n", f);
    fclose(f);
    ck_assert_int_eq(fx_open(&x), 0);
    write_events(&x, 0, 3);
    text = th_read_file(x.path, &len);
    ck_assert_uint_eq(len, 10 + x.expect.len);
    ck_assert(memcmp(text, "{\"old\":1}\n", 10) == 0);
    ck_assert(memcmp(text + 10, x.expect.data, x.expect.len) == 0);
    free(text);
    fx_fini(&x);
}
END_TEST

START_TEST(rotate_by_size)
{
    struct fx x;
    size_t len, nr, ngz;
    char *all;

    fx_init(&x, 4000, 0, 0, EF_COMPRESS_NONE, 0);
    x.cfg.batch_max_events = 8;
    ck_assert_int_eq(fx_open(&x), 0);
    write_events(&x, 0, 300);
    all = read_all(&x, &len, &nr, &ngz);
    ck_assert_uint_eq(len, x.expect.len);
    ck_assert(memcmp(all, x.expect.data, len) == 0);
    /* Batches of at most 8 events of at most ~530 bytes: each file 4000..8300 bytes. */
    ck_assert_uint_ge(nr, x.expect.len / 8300);
    ck_assert_uint_le(nr, x.expect.len / 4000);
    ck_assert_uint_eq(fstats(&x).rotations, nr);
    ck_assert_uint_lt(fstats(&x).size, 4000);
    free(all);
    fx_fini(&x);
}
END_TEST

/* Appends event n as a line of exactly 100 bytes and waits for its ack. */
static void write_100(struct fx *x, int n)
{
    char ev[128];
    int len = snprintf(ev, sizeof(ev), "{\"n\":%d,\"pad\":\"%083d\"}", n, 0);

    /* By hand: {"n":N,"pad":" is 14 bytes, 83 digits, "} 2: 99, and the newline. */
    ck_assert_int_eq(len, 99);
    ck_assert_int_eq(ef_spool_append(x->sp, ev, (uint32_t)len, &x->last_seq), 0);
    ck_assert_int_eq(ef_spool_commit(x->sp), 0);
    ef_sinkdrv_flush(x->s);
    ck_assert(th_run_until(&x->loop, all_acked, x, 1000000));
}

/*
 * "The file is rotated when it reaches this size" (docs/config.md): with
 * rotate_size = 300 and lines of 100 bytes, the third line reaches it, so
 * the file is rotated then, holding exactly 300 bytes, not after a fourth.
 */
START_TEST(rotate_when_size_reached)
{
    struct fx x;
    char **names;
    size_t n, len = 0;

    fx_init(&x, 300, 0, 0, EF_COMPRESS_NONE, 0);
    x.cfg.batch_max_events = 1;
    x.cfg.in_flight = 1;
    ck_assert_int_eq(fx_open(&x), 0);
    write_100(&x, 0);
    write_100(&x, 1);
    ck_assert_uint_eq(fstats(&x).rotations, 0);
    ck_assert_uint_eq(fstats(&x).size, 200);
    write_100(&x, 2);
    ck_assert_uint_eq(fstats(&x).rotations, 1);
    ck_assert_uint_eq(fstats(&x).size, 0);
    ck_assert_int_eq(ef_file_list_rotated(x.path, &names, &n), 0);
    ck_assert_uint_eq(n, 1);
    free(th_read_file(names[0], &len));
    ck_assert_uint_eq(len, 300);
    ef_file_free_list(names, n);
    fx_fini(&x);
}
END_TEST

struct count_wait {
    struct fx *x;
    size_t want;
    int gz;
};

static int rotated_is(void *ud)
{
    struct count_wait *w = ud;
    char **names;
    size_t n, i, gz = 0;

    if (ef_file_list_rotated(w->x->path, &names, &n) < 0)
        return 0;
    for (i = 0; i < n; i++)
        gz += strlen(names[i]) > 3 && strcmp(names[i] + strlen(names[i]) - 3, ".gz") == 0;
    ef_file_free_list(names, n);
    return n == w->want && (!w->gz || gz == n);
}

START_TEST(keep_newest_n)
{
    struct fx x;
    struct count_wait w = {&x, 3, 0};
    size_t len, nr, ngz;
    char *all;

    fx_init(&x, 3000, 0, 3, EF_COMPRESS_NONE, 0);
    x.cfg.batch_max_events = 4;
    ck_assert_int_eq(fx_open(&x), 0);
    write_events(&x, 0, 200);
    ck_assert_uint_gt(fstats(&x).rotations, 3);
    ck_assert(th_run_until(&x.loop, rotated_is, &w, 100000));
    all = read_all(&x, &len, &nr, &ngz);
    /* What is kept is the newest part of the input, whole lines, in order. */
    ck_assert_uint_eq(nr, 3);
    ck_assert_uint_lt(len, x.expect.len);
    ck_assert(memcmp(all, x.expect.data + x.expect.len - len, len) == 0);
    ck_assert(len == x.expect.len || x.expect.data[x.expect.len - len - 1] == '\n');
    free(all);
    fx_fini(&x);
}
END_TEST

START_TEST(gzip_rotated_files)
{
    struct fx x;
    struct count_wait w = {&x, 0, 1};
    size_t len, nr, ngz;
    char *all;

    fx_init(&x, 5000, 0, 0, EF_COMPRESS_GZIP, 0);
    x.cfg.batch_max_events = 8;
    ck_assert_int_eq(fx_open(&x), 0);
    write_events(&x, 0, 150);
    w.want = (size_t)fstats(&x).rotations;
    ck_assert_uint_gt(w.want, 2);
    ck_assert(th_run_until(&x.loop, rotated_is, &w, 100000));
    all = read_all(&x, &len, &nr, &ngz);
    ck_assert_uint_eq(ngz, nr);
    ck_assert_uint_eq(len, x.expect.len);
    ck_assert(memcmp(all, x.expect.data, len) == 0);
    free(all);
    fx_fini(&x);
}
END_TEST

static int rotations_are(void *ud)
{
    struct count_wait *w = ud;

    return fstats(w->x).rotations == w->want;
}

START_TEST(rotate_by_time)
{
    struct fx x;
    struct count_wait w = {&x, 1, 0};
    size_t len, nr, ngz;
    char *all, *cur;

    fx_init(&x, 0, 60000, 0, EF_COMPRESS_NONE, 0);
    ck_assert_int_eq(fx_open(&x), 0);
    write_events(&x, 0, 10);
    ef_clock_advance(&x.clock, 59999);
    uv_run(&x.loop, UV_RUN_NOWAIT);
    ck_assert_uint_eq(fstats(&x).rotations, 0);
    ef_clock_advance(&x.clock, 1);
    ck_assert(th_run_until(&x.loop, rotations_are, &w, 100000));
    write_events(&x, 10, 5);
    cur = th_read_file(x.path, &len);
    ck_assert_ptr_nonnull(cur);
    ck_assert_msg(strncmp(cur, "{\"n\":10,", 8) == 0, "current file starts with %.20s", cur);
    free(cur);
    /* The interval restarts at the rotation; an empty file is not rotated. */
    w.want = 2;
    ef_clock_advance(&x.clock, 60000);
    ck_assert(th_run_until(&x.loop, rotations_are, &w, 100000));
    ef_clock_advance(&x.clock, 60000);
    uv_run(&x.loop, UV_RUN_NOWAIT);
    ef_clock_advance(&x.clock, 60000);
    uv_run(&x.loop, UV_RUN_NOWAIT);
    ck_assert_uint_eq(fstats(&x).rotations, 2);
    all = read_all(&x, &len, &nr, &ngz);
    ck_assert_uint_eq(nr, 2);
    ck_assert_uint_eq(len, x.expect.len);
    ck_assert(memcmp(all, x.expect.data, len) == 0);
    free(all);
    fx_fini(&x);
}
END_TEST

static int leftover_done(void *ud)
{
    struct fx *x = ud;

    return fstats(x).compressed == 1;
}

START_TEST(compresses_leftovers_at_start)
{
    struct fx x;
    char old[1200], gz[1300];
    size_t len;
    char *text;
    FILE *f;

    fx_init(&x, 0, 0, 0, EF_COMPRESS_GZIP, 0);
    snprintf(old, sizeof(old), "%s.20260101-000000.000", x.path);
    snprintf(gz, sizeof(gz), "%s.gz", old);
    f = fopen(old, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("{\"left\":\"over\"}\n", f);
    fclose(f);
    ck_assert_int_eq(fx_open(&x), 0);
    ck_assert(th_run_until(&x.loop, leftover_done, &x, 100000));
    ck_assert_ptr_null(th_read_file(old, &len));
    text = th_read_gzip(gz, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "{\"left\":\"over\"}\n");
    free(text);
    fx_fini(&x);
}
END_TEST

/* Folders the path names that do not exist yet are created, as rsyslog and Fluent Bit do. */
START_TEST(missing_folders_created_at_open)
{
    struct fx x;
    char path[1200];
    unsigned long long size = 1;

    fx_init(&x, 0, 0, 0, EF_COMPRESS_NONE, 0);
    snprintf(path, sizeof(path), "%s/new/sub/events.ndjson", x.dir);
    x.cfg.path = path;
    ck_assert_int_eq(fx_open(&x), 0);
    ck_assert_int_eq(ef_path_stat(path, &size), 0);
    ck_assert_uint_eq(size, 0);
    fx_fini(&x);
}
END_TEST

/* A folder that cannot be created (a file is in the way) fails the open, not the first write. */
START_TEST(bad_path_refused_at_open)
{
    struct fx x;
    char bad[1200], file[1200];
    FILE *f;

    fx_init(&x, 0, 0, 0, EF_COMPRESS_NONE, 0);
    snprintf(file, sizeof(file), "%s/afile", x.dir);
    f = fopen(file, "wb");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    snprintf(bad, sizeof(bad), "%s/afile/dir/events.ndjson", x.dir);
    x.cfg.path = bad;
    ck_assert_int_lt(fx_open(&x), 0);
    x.s = NULL;
    remove(file);
    fx_fini(&x);
}
END_TEST

struct name_case {
    uint64_t ms;
    const char *want;
};

static const struct name_case names[] = {
    {0, "p.19700101-000000.000"},
    {1785045938123ull, "p.20260726-060538.123"},
    {951782400000ull, "p.20000229-000000.000"},
    {4102444799999ull, "p.20991231-235959.999"},
};

START_TEST(rotated_names)
{
    char out[64];

    ck_assert_int_eq(ef_file_rotated_name("p", names[_i].ms, out, sizeof(out)), 0);
    ck_assert_str_eq(out, names[_i].want);
    ck_assert_int_eq(ef_file_rotated_name("p", names[_i].ms, out, 10), EF_ENOSPC);
}
END_TEST

TCase *ef_sink_file_case(void);
TCase *ef_sink_file_case(void)
{
    TCase *tc = tcase_create("file");

    tcase_add_loop_test(tc, content_equals_input, 0, 2); /* sync off, on */
    tcase_add_test(tc, appends_to_existing_file);
    tcase_add_test(tc, rotate_by_size);
    tcase_add_test(tc, rotate_when_size_reached);
    tcase_add_test(tc, keep_newest_n);
    tcase_add_test(tc, gzip_rotated_files);
    tcase_add_test(tc, rotate_by_time);
    tcase_add_test(tc, compresses_leftovers_at_start);
    tcase_add_test(tc, missing_folders_created_at_open);
    tcase_add_test(tc, bad_path_refused_at_open);
    tcase_add_loop_test(tc, rotated_names, 0, 4);
    return tc;
}

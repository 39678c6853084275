/*
 * test_runner_checkpoint.c - file sessions' checkpoints (source/checkpoint.h):
 * what a restart skips follows what the spool accepted, across files and
 * across a source restart; a changed or damaged checkpoint reads again.
 */
#include "runner.h"

#include "pipe_helpers.h"
#include "source/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ck_fx {
    char dir[1024], file[1100], a[1100], b[1100];
};

static void write_bytes(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void ck_setup(struct ck_fx *x)
{
    th_mkdtemp(x->dir, sizeof(x->dir));
    snprintf(x->file, sizeof(x->file), "%s/checkpoints/s.ckpt", x->dir);
    snprintf(x->a, sizeof(x->a), "%s/a.etl", x->dir);
    snprintf(x->b, sizeof(x->b), "%s/b.etl", x->dir);
    write_bytes(x->a, "trace a");
    write_bytes(x->b, "trace b, longer");
}

/*
 * a holds events 1..10 of the session's count, b 11..25; the spool took 15:
 * a restart skips a whole and the first 5 of b.
 */
START_TEST(restart_skips_what_the_spool_took)
{
    struct ck_fx x;
    struct ef_ckpt *c;
    uint64_t skip = 99;

    ck_setup(&x);
    ck_assert_int_eq(ef_ckpt_open(x.file, "s", &c), 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.a, 0, &skip), 0);
    ck_assert_uint_eq(skip, 0);
    ef_ckpt_end_file(c, 10);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.b, 10, &skip), 0);
    ef_ckpt_end_file(c, 25);
    ef_ckpt_source_ended(c, 25);
    ef_ckpt_accepted(c, 15);
    ck_assert_int_eq(ef_ckpt_save(c), 0);
    ef_ckpt_free(c);

    ck_assert_int_eq(ef_ckpt_open(x.file, "s", &c), 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.a, 0, &skip), 1);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.b, 0, &skip), 0);
    ck_assert_uint_eq(skip, 5);
    /* This run queues b's other 10 events; the spool takes 4: b stands at 9. */
    ef_ckpt_end_file(c, 10);
    ef_ckpt_accepted(c, 4);
    ck_assert_int_eq(ef_ckpt_save(c), 0);
    ef_ckpt_free(c);
    ck_assert_int_eq(ef_ckpt_open(x.file, "s", &c), 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.b, 0, &skip), 0);
    ck_assert_uint_eq(skip, 9);
    ef_ckpt_free(c);
    th_rmtree(x.dir);
}
END_TEST

/* A restarted source (reload) counts on from where the one before stopped. */
START_TEST(restarted_source_continues_the_count)
{
    struct ck_fx x;
    struct ef_ckpt *c;
    uint64_t skip;

    ck_setup(&x);
    ck_assert_int_eq(ef_ckpt_open(x.file, "s", &c), 0);
    ck_assert_uint_eq(ef_ckpt_base(c), 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.a, 0, &skip), 0);
    ef_ckpt_source_ended(c, 7); /* stopped inside a after queuing 7 */
    ck_assert_uint_eq(ef_ckpt_base(c), 7);
    ef_ckpt_accepted(c, 7);
    /* The new source begins a again at position 7 and skips the 7 accepted. */
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.a, 7, &skip), 0);
    ck_assert_uint_eq(skip, 7);
    ef_ckpt_end_file(c, 10);
    ef_ckpt_accepted(c, 10);
    ck_assert_int_eq(ef_ckpt_save(c), 0);
    ef_ckpt_free(c);
    ck_assert_int_eq(ef_ckpt_open(x.file, "s", &c), 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.a, 0, &skip), 1);
    ef_ckpt_free(c);
    th_rmtree(x.dir);
}
END_TEST

/* Another trace under the same path, or a damaged checkpoint: read from the start. */
START_TEST(changed_trace_or_damaged_file_reads_again)
{
    struct ck_fx x;
    struct ef_ckpt *c;
    uint64_t skip;
    size_t len;
    char *text;

    ck_setup(&x);
    ck_assert_int_eq(ef_ckpt_open(x.file, "s", &c), 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.a, 0, &skip), 0);
    ef_ckpt_end_file(c, 3);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.b, 3, &skip), 0);
    ef_ckpt_end_file(c, 6);
    ef_ckpt_accepted(c, 6);
    ck_assert_int_eq(ef_ckpt_save(c), 0);
    ef_ckpt_free(c);
    /* Same size, other bytes. */
    write_bytes(x.a, "trace A");
    ck_assert_int_eq(ef_ckpt_open(x.file, "s", &c), 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.a, 0, &skip), 0);
    ck_assert_uint_eq(skip, 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.b, 0, &skip), 1);
    ef_ckpt_free(c);
    /* One flipped byte in the file: its checksum fails, nothing is trusted. */
    text = th_read_file(x.file, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(strstr(text, "done 3 "));
    text[strstr(text, "done 3 ") - text + 5] = '2';
    write_bytes(x.file, text);
    free(text);
    ck_assert_int_eq(ef_ckpt_open(x.file, "s", &c), 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.b, 0, &skip), 0);
    ck_assert_uint_eq(skip, 0);
    ef_ckpt_free(c);
    th_rmtree(x.dir);
}
END_TEST

/*
 * a holds events 1..10 of the count; the spool took 9 of them. A trace is
 * done only when its last event is in the spool: the restart reads a
 * again, skipping 9 (its 10th would otherwise be lost), and once the spool
 * took all 10 it is done.
 */
START_TEST(one_event_short_is_not_done)
{
    struct ck_fx x;
    struct ef_ckpt *c;
    uint64_t skip = 99;

    ck_setup(&x);
    ck_assert_int_eq(ef_ckpt_open(x.file, "s", &c), 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.a, 0, &skip), 0);
    ef_ckpt_end_file(c, 10);
    ef_ckpt_source_ended(c, 10);
    ef_ckpt_accepted(c, 9);
    ck_assert_int_eq(ef_ckpt_save(c), 0);
    ef_ckpt_free(c);

    ck_assert_int_eq(ef_ckpt_open(x.file, "s", &c), 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.a, 0, &skip), 0);
    ck_assert_uint_eq(skip, 9);
    /* This run queues a's last event (count 1 of this run): the spool takes it. */
    ef_ckpt_end_file(c, 1);
    ef_ckpt_accepted(c, 1);
    ck_assert_int_eq(ef_ckpt_save(c), 0);
    ef_ckpt_free(c);
    ck_assert_int_eq(ef_ckpt_open(x.file, "s", &c), 0);
    ck_assert_int_eq(ef_ckpt_begin_file(c, x.a, 0, &skip), 1);
    ef_ckpt_free(c);
    th_rmtree(x.dir);
}
END_TEST

TCase *ef_runner_checkpoint_case(void);
TCase *ef_runner_checkpoint_case(void)
{
    TCase *tc = tcase_create("checkpoint");

    tcase_add_test(tc, restart_skips_what_the_spool_took);
    tcase_add_test(tc, restarted_source_continues_the_count);
    tcase_add_test(tc, changed_trace_or_damaged_file_reads_again);
    tcase_add_test(tc, one_event_short_is_not_done);
    return tc;
}

/*
 * test_spool_bg.c - the spool with its background thread (background = 1):
 * the same guarantees as when every disk wait is done inline. Segments roll
 * and are closed by the thread, the interval fsync and the ledger are
 * queued by the tick, delivered segments go only once a ledger letting
 * them go was written, and a reopen resumes at those cursors.
 */
#include "runner.h"
#include "spool_fixture.h"

#include "pipeline/spool.h"
#include "util/error.h"
#include "util/file.h"

#include <stdlib.h>
#include <string.h>

static int open_bg(int sync, struct ef_spool **sp, struct ef_spool_recovery *rec)
{
    return ef_tspool_open_bg(ef_tspool_dir, 8192, 0, 0, sync, sp, rec);
}

static char *read_ledger(void)
{
    char path[4096], *text = NULL;
    size_t len;

    snprintf(path, sizeof(path), "%s/ledger", ef_tspool_dir);
    ck_assert_int_eq(ef_read_file(path, 4096, &text, &len), 0);
    return text;
}

/* _i: 0 interval (fsyncs in the thread), 1 never (no fsync, still in the thread). */
START_TEST(deletes_after_the_ledger_is_written)
{
    int sync = _i == 0 ? EF_SPOOL_SYNC_PERIODIC : EF_SPOOL_SYNC_OFF;
    struct ef_spool_recovery rec;
    struct ef_spool_stats st;
    struct ef_spool *sp;
    uint64_t first, last, segs;
    char *ledger;

    ck_assert_int_eq(open_bg(sync, &sp, &rec), 0);
    ef_tspool_append_range(sp, 1, 2000);
    ef_spool_get_stats(sp, &st);
    segs = st.segments;
    ck_assert_uint_gt(segs, 40); /* many rolls, each closed by the thread */
    ck_assert_uint_eq(ef_tspool_read_all(sp, 1, &first, &last), 2000);
    ck_assert_uint_eq(last, 2000);

    ck_assert_int_eq(ef_spool_ack(sp, 0, 2000), 0);
    ck_assert_int_eq(ef_spool_tick(sp, 5000), 0);
    ef_spool_settle(sp);
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), (int)segs); /* b has nothing yet */

    ck_assert_int_eq(ef_spool_ack(sp, 1, 1000), 0);
    ck_assert_int_eq(ef_spool_tick(sp, 6000), 0);
    /* Queued, not written: nothing may go before the ledger says so. */
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_eq(st.segments, segs);
    ef_spool_settle(sp);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_lt(st.segments, segs);
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), (int)st.segments);
    ck_assert_uint_le(st.first_seq, 1001);
    ck_assert_uint_gt(st.first_seq, 900);
    if (sync == EF_SPOOL_SYNC_PERIODIC)
        ck_assert_uint_gt(st.fsyncs, 0);
    else
        ck_assert_uint_eq(st.fsyncs, 0);
    ledger = read_ledger();
    ck_assert_ptr_nonnull(strstr(ledger, "\na 2000\nb 1000\n"));
    free(ledger);
    /* b reads on from its cursor across what is left. */
    ck_assert_uint_eq(ef_tspool_read_all(sp, 1001, &first, &last), 1000);
    ck_assert_uint_eq(first, 1001);
    ef_spool_close(sp);

    /* The close wrote the ledger: a reopen resumes at both cursors. */
    ck_assert_int_eq(open_bg(sync, &sp, &rec), 0);
    ck_assert_uint_eq(rec.truncated_bytes, 0);
    ck_assert_uint_eq(rec.bad_records, 0);
    ck_assert_uint_eq(ef_spool_cursor(sp, 0), 2000);
    ck_assert_uint_eq(ef_spool_cursor(sp, 1), 1000);
    ck_assert_uint_eq(ef_tspool_read_all(sp, 1001, &first, &last), 1000);
    ef_tspool_append_range(sp, 2001, 2100);
    ef_spool_close(sp);
}
END_TEST

/* A tick while the previous fsync and ledger are still queued queues no second ones. */
START_TEST(ticks_do_not_pile_up)
{
    struct ef_spool_stats st;
    struct ef_spool *sp;
    uint64_t t;

    ck_assert_int_eq(open_bg(EF_SPOOL_SYNC_PERIODIC, &sp, NULL), 0);
    for (t = 1; t <= 50; t++) {
        ef_tspool_append_range(sp, t * 10 - 9, t * 10);
        ck_assert_int_eq(ef_spool_ack(sp, 0, t * 10), 0);
        ck_assert_int_eq(ef_spool_ack(sp, 1, t * 10), 0);
        ck_assert_int_eq(ef_spool_tick(sp, t * 1000), 0);
    }
    ef_spool_settle(sp);
    ck_assert_int_eq(ef_spool_tick(sp, 60000), 0);
    ef_spool_settle(sp);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_eq(st.segments, 1); /* every sink has all: the active one is left */
    ck_assert_uint_le(st.fsyncs, 50 * 2 + st.segments + 10);
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), (int)st.segments);
    ef_spool_close(sp);
}
END_TEST

/* A full spool writes the ledger inline (after the queued one) to free space. */
START_TEST(full_spool_frees_with_the_thread_running)
{
    struct ef_spool *sp;
    char buf[512];
    uint64_t i, seq;
    int rc = 0;

    ck_assert_int_eq(ef_tspool_open_bg(ef_tspool_dir, 0, 32768, EF_SPOOL_ON_FULL_BLOCK,
                                       EF_SPOOL_SYNC_PERIODIC, &sp, NULL),
                     0);
    for (i = 1; i <= 5000 && rc == 0; i++) {
        size_t n = ef_tspool_payload(i, buf, sizeof(buf));

        rc = ef_spool_append(sp, buf, (uint32_t)n, &seq);
        if (rc == EF_EAGAIN) {
            /* Both sinks catch up; the next append may then free segments. */
            ck_assert_int_eq(ef_spool_ack(sp, 0, i - 1), 0);
            ck_assert_int_eq(ef_spool_ack(sp, 1, i - 1), 0);
            rc = ef_spool_append(sp, buf, (uint32_t)n, &seq);
        }
        ck_assert_msg(rc == 0, "append %llu: %s", (unsigned long long)i, ef_strerror(rc));
        ck_assert_uint_eq(seq, i);
    }
    ef_spool_close(sp);
}
END_TEST

TCase *ef_spool_bg_case(void);
TCase *ef_spool_bg_case(void)
{
    TCase *tc = tcase_create("background");

    tcase_add_checked_fixture(tc, ef_tspool_setup, ef_tspool_teardown);
    tcase_add_loop_test(tc, deletes_after_the_ledger_is_written, 0, 2);
    tcase_add_test(tc, ticks_do_not_pile_up);
    tcase_add_test(tc, full_spool_frees_with_the_thread_running);
    return tc;
}

/*
 * test_spool_basic.c - the spool working as intended: CRC-32C, append, read
 * and acknowledge across many segments, deletion after durable ledgers,
 * resuming after a reopen, memory mode and the spool_full policies.
 */
#include "runner.h"
#include "spool_fixture.h"

#include "pipeline/spool.h"
#include "util/attr.h"
#include "util/crc32c.h"
#include "util/error.h"
#include "util/file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct crc_case {
    const char *in;
    uint32_t want;
};

static const struct crc_case crc_cases[] = {
    {"", 0x00000000u},
    {"a", 0xC1D04330u},
    {"123456789", 0xE3069283u},
    {"The quick brown fox jumps over the lazy dog", 0x22620404u},
};

START_TEST(crc32c_vectors)
{
    const struct crc_case *c = &crc_cases[_i];
    size_t n = strlen(c->in);

    ck_assert_uint_eq(ef_crc32c(0, c->in, n), c->want);
    ck_assert_uint_eq(ef_crc32c_sw(0, c->in, n), c->want);
    /* Continuing over two pieces gives the same result. */
    ck_assert_uint_eq(ef_crc32c(ef_crc32c(0, c->in, n / 2), c->in + n / 2, n - n / 2), c->want);
}
END_TEST

START_TEST(crc32c_hw_matches_sw)
{
    /* Past 3 x 4 KiB, so every path of the three-stream hardware CRC runs. */
    static uint8_t buf[40000];
    size_t i, len;

    for (i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 131 + 7 + (i >> 9));
    for (len = 0; len < sizeof(buf); len += len < 2000 ? 37 : 1201)
        ck_assert_uint_eq(ef_crc32c(0, buf + 3, len - (len ? 3 : 0)),
                          ef_crc32c_sw(0, buf + 3, len - (len ? 3 : 0)));
    /* Chained calls with a running value. */
    ck_assert_uint_eq(ef_crc32c(ef_crc32c(0, buf, 12345), buf + 12345, 20000),
                      ef_crc32c_sw(0, buf, 32345));
}
END_TEST

START_TEST(append_read_ack_many_segments)
{
    struct ef_spool *sp;
    struct ef_spool_recovery rec;
    struct ef_spool_stats st;
    uint64_t first, last;
    char *ledger;
    size_t len;
    char path[4096];

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 8192, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, &rec),
                     0);
    ck_assert_uint_eq(rec.events, 0);
    ck_assert_int_eq(rec.ledger_missing, 0);
    ef_tspool_append_range(sp, 1, 2000);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_eq(st.appended, 2000);
    ck_assert_uint_gt(st.segments, 40);
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), (int)st.segments);
    ck_assert_uint_eq(ef_tspool_read_all(sp, 1, &first, &last), 2000);
    ck_assert_uint_eq(first, 1);
    ck_assert_uint_eq(last, 2000);
    /* Reading from the middle finds its place without a cached position. */
    ck_assert_uint_eq(ef_tspool_read_all(sp, 1234, &first, &last), 767);
    ck_assert_uint_eq(first, 1234);

    /* Sink a has everything, sink b nothing: no segment may go. */
    ck_assert_int_eq(ef_spool_ack(sp, 0, 2000), 0);
    ck_assert_int_eq(ef_spool_tick(sp, 5000), 0);
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), (int)st.segments);
    /* b passes half: the segments below 1000 go, once the ledger says so. */
    ck_assert_int_eq(ef_spool_ack(sp, 1, 1000), 0);
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), (int)st.segments);
    ck_assert_int_eq(ef_spool_tick(sp, 5500), 0); /* before the interval: nothing */
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), (int)st.segments);
    ck_assert_int_eq(ef_spool_tick(sp, 6000), 0);
    ef_spool_get_stats(sp, &st);
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), (int)st.segments);
    ck_assert_uint_le(st.first_seq, 1001);
    ck_assert_uint_gt(st.first_seq, 900);
    snprintf(path, sizeof(path), "%s/ledger", ef_tspool_dir);
    ck_assert_int_eq(ef_read_file(path, 4096, &ledger, &len), 0);
    ck_assert_ptr_nonnull(strstr(ledger, "\na 2000\nb 1000\n"));
    free(ledger);
    /* Reading for b goes on from its cursor. */
    ck_assert_uint_eq(ef_tspool_read_all(sp, ef_spool_cursor(sp, 1) + 1, &first, &last), 1000);
    ck_assert_uint_eq(first, 1001);
    ck_assert_int_eq(ef_spool_ack(sp, 1, 5000), 0); /* clamped to the newest event */
    ck_assert_uint_eq(ef_spool_cursor(sp, 1), 2000);
    ck_assert_int_eq(ef_spool_tick(sp, 7000), 0);
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), 1); /* the active one */
    ck_assert_int_eq(ef_spool_ack(sp, 2, 1), EF_EINVAL);
    ef_spool_close(sp);
}
END_TEST

struct first_ctx {
    uint64_t seq;
    int n;
};

/* Takes one event and asks the spool to stop, checking its payload. */
static int take_one(void *ud, const struct ef_spool_event *ev)
{
    struct first_ctx *c = ud;
    char want[512];
    size_t n = ef_tspool_payload(ev->seq, want, sizeof(want));

    ck_assert_uint_eq(ev->len, n);
    ck_assert(memcmp(ev->data, want, n) == 0);
    c->seq = ev->seq;
    c->n++;
    return 1;
}

START_TEST(reread_from_any_point)
{
    struct ef_spool *sp;
    struct first_ctx c;
    uint64_t next, from;

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, _i ? EF_SPOOL_MODE_MEMORY : EF_SPOOL_MODE_DISK,
                                    4096, 0, 0, EF_SPOOL_SYNC_PERIODIC, &sp, NULL),
                     0);
    ef_tspool_append_range(sp, 1, 400);
    /* Forward, again from the last event taken, and backwards: always the right event. */
    for (from = 1; from <= 400; from += 7) {
        uint64_t again[] = {from, from + 1, from, from > 3 ? from - 3 : 1};
        unsigned k;

        for (k = 0; k < EF_ARRAY_LEN(again); k++) {
            if (again[k] > 400)
                continue;
            c.n = 0;
            ck_assert_int_eq(ef_spool_read(sp, again[k], 100, 1 << 20, take_one, &c, &next), 1);
            ck_assert_int_eq(c.n, 1);
            ck_assert_uint_eq(c.seq, again[k]);
            ck_assert_uint_eq(next, again[k] + 1);
        }
    }
    ck_assert_int_eq(ef_spool_read(sp, 401, 100, 1 << 20, take_one, &c, &next), 0);
    ck_assert_uint_eq(next, 401);
    ef_spool_close(sp);
}
END_TEST

/*
 * A sink that keeps up reads each commit's events right away (from the
 * active segment's tail cache); more than the cache holds goes by, and then
 * everything is read again from the start (from the file): the same events
 * either way.
 */
START_TEST(tail_cache_and_file_agree)
{
    struct ef_spool_stats st;
    struct ef_spool *sp;
    uint64_t next = 1, first, last, k;

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 64u << 20, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, NULL),
                     0);
    for (k = 0; k < 60; k++) {
        ef_tspool_append_range(sp, k * 200 + 1, k * 200 + 200);
        ck_assert_uint_eq(ef_tspool_read_all(sp, next, &first, &last), 200);
        ck_assert_uint_eq(first, next);
        next = last + 1;
    }
    ck_assert_uint_eq(next, 12001);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_gt(st.appended_bytes, 3u << 20 >> 1); /* more than the 1 MiB cache */
    ck_assert_uint_eq(ef_tspool_read_all(sp, 1, &first, &last), 12000);
    ck_assert_uint_eq(first, 1);
    ck_assert_uint_eq(last, 12000);
    ck_assert_uint_eq(ef_tspool_read_all(sp, 11990, &first, &last), 11);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_eq(st.read_errors, 0);
    ef_spool_close(sp);
}
END_TEST

/*
 * Records of an earlier run are checked against their CRC when read: damage
 * that appears after recovery checked them costs the rest of the segment
 * and is counted.
 */
START_TEST(earlier_run_checked_on_read)
{
    struct ef_spool_stats st;
    struct ef_spool *sp;
    char seg[4096], pay[512];
    long long off = 16;
    uint64_t i, last;

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 64u << 20, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, NULL),
                     0);
    ef_tspool_append_range(sp, 1, 50);
    ef_spool_close(sp);
    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 64u << 20, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, NULL),
                     0);
    /* Flip a byte inside event 10's data, after recovery found it good. */
    for (i = 1; i < 10; i++)
        off += 16 + (long long)ef_tspool_payload(i, pay, sizeof(pay));
    ck_assert_int_eq(ef_tspool_segment_path(ef_tspool_dir, 0, seg, sizeof(seg)), 0);
    ef_tspool_patch(seg, off + 16 + 3, "#", 1);
    ck_assert_uint_eq(ef_tspool_read_all(sp, 1, NULL, &last), 9);
    ck_assert_uint_eq(last, 9);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_ge(st.read_errors, 1); /* every read that meets it counts it */
    ef_spool_close(sp);
}
END_TEST

START_TEST(sync_always_deletes_at_ack)
{
    struct ef_spool *sp;
    struct ef_spool_stats st;

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 4096, 0, 0,
                                    EF_SPOOL_SYNC_EVERY, &sp, NULL),
                     0);
    ef_tspool_append_range(sp, 1, 300);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_gt(st.fsyncs, 0);
    ck_assert_int_eq(ef_spool_ack(sp, 0, 300), 0);
    ck_assert_int_eq(ef_spool_ack(sp, 1, 300), 0);
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), 1);
    ef_spool_close(sp);
}
END_TEST

START_TEST(reopen_resumes_at_cursors)
{
    struct ef_spool *sp;
    struct ef_spool_recovery rec;
    struct ef_spool_stats st;
    uint64_t first, last, seq;
    char buf[512];

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 16384, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, NULL),
                     0);
    ef_tspool_append_range(sp, 1, 500);
    ck_assert_int_eq(ef_spool_ack(sp, 0, 200), 0);
    ck_assert_int_eq(ef_spool_ack(sp, 1, 300), 0);
    ef_spool_close(sp); /* writes the ledger */

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 16384, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, &rec),
                     0);
    ck_assert_uint_eq(rec.truncated_bytes, 0);
    ck_assert_uint_eq(rec.bad_records, 0);
    ck_assert_int_eq(rec.ledger_missing, 0);
    ck_assert_int_eq(rec.ledger_ahead, 0);
    ck_assert_uint_ge(rec.events, 300);
    ck_assert_uint_eq(ef_spool_cursor(sp, 0), 200);
    ck_assert_uint_eq(ef_spool_cursor(sp, 1), 300);
    ck_assert_uint_eq(ef_tspool_read_all(sp, 201, &first, &last), 300);
    ck_assert_uint_eq(first, 201);
    ef_tspool_append_range(sp, 501, 510); /* sequences go on */
    ck_assert_int_eq(ef_spool_ack(sp, 0, 510), 0);
    ck_assert_int_eq(ef_spool_ack(sp, 1, 510), 0);
    ef_spool_close(sp);

    /* Every segment delivered and deleted: the sequence still goes on. */
    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 16384, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, &rec),
                     0);
    ck_assert_uint_eq(rec.events, 10); /* found, and deleted at once: all delivered */
    ck_assert_int_eq(rec.ledger_ahead, 0);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_eq(st.segments, 1);
    ck_assert_uint_eq(st.first_seq, 511);
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), 1);
    ck_assert_int_eq(
        ef_spool_append(sp, buf, (uint32_t)ef_tspool_payload(511, buf, sizeof(buf)), &seq), 0);
    ck_assert_uint_eq(seq, 511);
    ef_spool_close(sp);
}
END_TEST

struct seq_list {
    uint64_t seq[16];
    size_t n;
};

static int note_seq(void *ud, const struct ef_spool_event *ev)
{
    struct seq_list *l = ud;

    ck_assert_uint_lt(l->n, 16);
    l->seq[l->n++] = ev->seq;
    return 0;
}

/*
 * batch_max_events and batch_max_bytes rest on ef_spool_read's limits. The
 * fixture's payload of event i is {"n":i,"pad":"<i % 300 letters>"}: by
 * hand, events 1..4 are 17, 18, 19 and 20 bytes, so 54 bytes hold events
 * 1..3 and 53 bytes only 1..2; the first event is handed out whatever its
 * size, or a batch could never start.
 */
START_TEST(read_limits_events_and_bytes)
{
    static const struct {
        size_t max_events, max_bytes;
        int want;
    } cases[] = {
        {4, SIZE_MAX, 4}, {1, SIZE_MAX, 1}, {10, 54, 3}, {10, 53, 2}, {10, 1, 1}, {3, 54, 3},
    };
    struct ef_spool *sp;
    size_t k;
    int i;

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 8192, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, NULL),
                     0);
    ef_tspool_append_range(sp, 1, 10);
    for (k = 0; k < EF_ARRAY_LEN(cases); k++) {
        struct seq_list l = {{0}, 0};
        uint64_t next = 0;

        ck_assert_int_eq(
            ef_spool_read(sp, 1, cases[k].max_events, cases[k].max_bytes, note_seq, &l, &next),
            cases[k].want);
        ck_assert_uint_eq(l.n, (size_t)cases[k].want);
        for (i = 0; i < cases[k].want; i++)
            ck_assert_uint_eq(l.seq[i], (uint64_t)i + 1);
        ck_assert_uint_eq(next, (uint64_t)cases[k].want + 1);
    }
    ef_spool_close(sp);
}
END_TEST

/*
 * A sink cannot acknowledge what was never appended: a cursor past the last
 * sequence would make the next event look delivered before it was sent.
 */
START_TEST(ack_is_clamped_to_appended)
{
    struct ef_spool *sp;
    struct seq_list l = {{0}, 0};
    uint64_t next = 0;

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 8192, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, NULL),
                     0);
    ef_tspool_append_range(sp, 1, 3);
    /* 4 is the very next sequence, the one easiest to claim by mistake. */
    ck_assert_int_eq(ef_spool_ack(sp, 0, 4), 0);
    ck_assert_uint_eq(ef_spool_cursor(sp, 0), 3);
    ck_assert_int_eq(ef_spool_ack(sp, 1, 10), 0);
    ck_assert_uint_eq(ef_spool_cursor(sp, 1), 3);
    ef_tspool_append_range(sp, 4, 5);
    ck_assert_int_eq(
        ef_spool_read(sp, ef_spool_cursor(sp, 0) + 1, 10, SIZE_MAX, note_seq, &l, &next), 2);
    ck_assert_uint_eq(l.seq[0], 4);
    ck_assert_uint_eq(l.seq[1], 5);
    ck_assert_uint_eq(next, 6);
    ef_spool_close(sp);
}
END_TEST

START_TEST(memory_mode)
{
    struct ef_spool *sp;
    struct ef_spool_stats st;
    uint64_t first, last;

    ck_assert_int_eq(
        ef_tspool_open(NULL, EF_SPOOL_MODE_MEMORY, 4096, 0, 0, EF_SPOOL_SYNC_PERIODIC, &sp, NULL),
        0);
    ef_tspool_append_range(sp, 1, 1000);
    ck_assert_uint_eq(ef_tspool_read_all(sp, 1, &first, &last), 1000);
    ef_spool_get_stats(sp, &st);
    ck_assert_int_eq(st.memory, 1);
    ck_assert_uint_eq(st.fsyncs, 0);
    ck_assert_uint_gt(st.segments, 10);
    ck_assert_int_eq(ef_spool_ack(sp, 0, 1000), 0);
    ck_assert_int_eq(ef_spool_ack(sp, 1, 999), 0);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_le(st.segments, 2);
    ck_assert_uint_eq(ef_tspool_read_all(sp, 1000, &first, &last), 1);
    ef_spool_close(sp);
    ck_assert_int_eq(ef_tspool_count_segments(ef_tspool_dir), 0);
}
END_TEST

START_TEST(full_drop_newest)
{
    struct ef_spool *sp;
    struct ef_spool_stats st;
    char buf[512];
    static char huge[20000];
    uint64_t seq, i, ok = 0;
    int rc = 0;

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, _i ? EF_SPOOL_MODE_MEMORY : EF_SPOOL_MODE_DISK,
                                    0, 16384, EF_SPOOL_ON_FULL_DROP_NEWEST, EF_SPOOL_SYNC_PERIODIC,
                                    &sp, NULL),
                     0);
    for (i = 1; i <= 200; i++) {
        rc = ef_spool_append(sp, buf, (uint32_t)ef_tspool_payload(i, buf, sizeof(buf)), &seq);
        ck_assert(rc == 0 || rc == EF_ENOSPC);
        ok += rc == 0;
    }
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_eq(st.dropped_newest, 200 - ok);
    ck_assert_uint_gt(st.dropped_newest, 0);
    ck_assert_uint_le(st.size_bytes, 16384);
    ck_assert_uint_eq(st.next_seq, ok + 1); /* refused events take no sequence */
    /* Once both sinks have everything, there is room again. */
    ck_assert_int_eq(ef_spool_ack(sp, 0, ok), 0);
    ck_assert_int_eq(ef_spool_ack(sp, 1, ok), 0);
    ck_assert_int_eq(ef_spool_append(sp, "{}", 2, &seq), 0);
    /* An event bigger than the whole limit is refused whatever the policy. */
    ck_assert_int_eq(ef_spool_append(sp, huge, sizeof(huge), &seq), EF_ENOSPC);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_eq(st.dropped_newest, 200 - ok + 1);
    ef_spool_close(sp);
}
END_TEST

START_TEST(full_drop_oldest)
{
    struct ef_spool *sp;
    struct ef_spool_stats st;
    uint64_t first, last, held, i;
    char buf[512];

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, _i ? EF_SPOOL_MODE_MEMORY : EF_SPOOL_MODE_DISK,
                                    0, 16384, EF_SPOOL_ON_FULL_DROP_OLDEST, EF_SPOOL_SYNC_PERIODIC,
                                    &sp, NULL),
                     0);
    /* Sink a keeps up, sink b is stuck. */
    for (i = 1; i <= 1000; i++) {
        uint64_t seq;

        ck_assert_int_eq(
            ef_spool_append(sp, buf, (uint32_t)ef_tspool_payload(i, buf, sizeof(buf)), &seq), 0);
        ck_assert_uint_eq(seq, i);
        ck_assert_int_eq(ef_spool_ack(sp, 0, seq), 0);
    }
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_le(st.size_bytes, 16384);
    ck_assert_uint_gt(st.dropped_oldest, 0);
    ck_assert_uint_eq(ef_spool_sink_dropped(sp, 0), 0);
    ck_assert_uint_eq(ef_spool_sink_dropped(sp, 1), st.dropped_oldest);
    /* b gets what is left, contiguous up to the newest: dropped + held = all. */
    held = ef_tspool_read_all(sp, ef_spool_cursor(sp, 1) + 1, &first, &last);
    ck_assert_uint_eq(last, 1000);
    ck_assert_uint_eq(first, st.first_seq);
    ck_assert_uint_eq(held + ef_spool_sink_dropped(sp, 1), 1000);
    ef_spool_close(sp);
}
END_TEST

START_TEST(full_block)
{
    struct ef_spool *sp;
    struct ef_spool_stats st;
    uint64_t seq = 0, i, last_ok = 0;
    char buf[512];
    int rc = 0;

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, _i ? EF_SPOOL_MODE_MEMORY : EF_SPOOL_MODE_DISK,
                                    0, 16384, EF_SPOOL_ON_FULL_BLOCK, EF_SPOOL_SYNC_PERIODIC, &sp,
                                    NULL),
                     0);
    for (i = 1; i <= 1000; i++) {
        rc = ef_spool_append(sp, buf, (uint32_t)ef_tspool_payload(i, buf, sizeof(buf)), &seq);
        if (rc != 0)
            break;
        last_ok = seq;
    }
    ck_assert_int_eq(rc, EF_EAGAIN);
    ck_assert_uint_gt(last_ok, 10);
    /* Still blocked, and nothing was written or numbered. */
    ck_assert_int_eq(
        ef_spool_append(sp, buf, (uint32_t)ef_tspool_payload(i, buf, sizeof(buf)), &seq),
        EF_EAGAIN);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_eq(st.blocked, 2);
    ck_assert_uint_eq(st.next_seq, last_ok + 1);
    ck_assert_uint_eq(st.dropped_oldest + st.dropped_newest, 0);
    /* One sink's ack is not enough; both free the space. */
    ck_assert_int_eq(ef_spool_ack(sp, 0, last_ok), 0);
    ck_assert_int_eq(
        ef_spool_append(sp, buf, (uint32_t)ef_tspool_payload(i, buf, sizeof(buf)), &seq),
        EF_EAGAIN);
    ck_assert_int_eq(ef_spool_ack(sp, 1, last_ok), 0);
    ck_assert_int_eq(
        ef_spool_append(sp, buf, (uint32_t)ef_tspool_payload(i, buf, sizeof(buf)), &seq), 0);
    ck_assert_uint_eq(seq, i);
    ef_spool_close(sp);
}
END_TEST

START_TEST(bad_arguments)
{
    static const char *const dup[] = {"a", "a"};
    static const char *const blank[] = {"a b"};
    struct ef_spool_options o;
    struct ef_spool *sp;
    uint64_t seq;
    static char big[EF_SPOOL_MAX_EVENT + 1];

    memset(&o, 0, sizeof(o));
    o.dir = ef_tspool_dir;
    o.sinks = dup;
    o.n_sinks = 2;
    ck_assert_int_eq(ef_spool_open(&o, &sp, NULL), EF_EINVAL);
    o.sinks = blank;
    o.n_sinks = 1;
    ck_assert_int_eq(ef_spool_open(&o, &sp, NULL), EF_EINVAL);
    o.sinks = dup;
    o.n_sinks = 1;
    o.max_size = 100;
    ck_assert_int_eq(ef_spool_open(&o, &sp, NULL), EF_EINVAL);
    o.max_size = 0;
    o.dir = NULL;
    ck_assert_int_eq(ef_spool_open(&o, &sp, NULL), EF_EINVAL);
    o.dir = ef_tspool_dir;
    ck_assert_int_eq(ef_spool_open(&o, &sp, NULL), 0);
    ck_assert_int_eq(ef_spool_append(sp, big, sizeof(big), &seq), EF_ELIMIT);
    ck_assert_int_eq(ef_spool_append(sp, big, EF_SPOOL_MAX_EVENT, &seq), 0);
    ck_assert_uint_eq(ef_tspool_read_all(sp, 2, NULL, NULL), 0);
    ef_spool_close(sp);
}
END_TEST

/*
 * The two tail buffers: events are read back from memory, across the switch
 * from one buffer to the other, until a third buffer's worth of appends
 * pushed them out; ef_spool_tail_evicts says which append would.
 */
START_TEST(tail_buffers_serve_readers_that_keep_up)
{
    struct ef_spool_stats st;
    struct ef_spool *sp;
    char buf[512];
    uint64_t seq = 0, first, last, i, evicted;

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 64u << 20, 0, 0,
                                    EF_SPOOL_SYNC_OFF, &sp, NULL),
                     0);
    /* ~186 bytes a record: 15000 fill more than one 2 MiB buffer, less than two. */
    for (i = 1; i <= 15000; i++) {
        size_t n = ef_tspool_payload(i, buf, sizeof(buf));

        /* The first switch pushes nothing out: the other buffer is empty. */
        ck_assert_uint_eq(ef_spool_tail_evicts(sp, (uint32_t)n), 0);
        ck_assert_int_eq(ef_spool_append(sp, buf, (uint32_t)n, &seq), 0);
    }
    ck_assert_int_eq(ef_spool_commit(sp), 0);
    ck_assert_uint_eq(ef_tspool_read_all(sp, 1, &first, &last), 15000);
    ck_assert_uint_eq(ef_tspool_read_all(sp, 11111, &first, &last), 3890);
    ck_assert_uint_eq(first, 11111);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_eq(st.file_reads, 0);
    /* Filling the second buffer: its switch would push the first one's events out. */
    for (;;) {
        size_t n = ef_tspool_payload(i, buf, sizeof(buf));

        evicted = ef_spool_tail_evicts(sp, (uint32_t)n);
        ck_assert_int_eq(ef_spool_append(sp, buf, (uint32_t)n, &seq), 0);
        ck_assert_uint_eq(seq, i++);
        if (evicted)
            break;
    }
    ck_assert_uint_gt(evicted, 5000);
    ck_assert_uint_lt(evicted, 15000);
    ck_assert_int_eq(ef_spool_commit(sp), 0);
    /* What is left in memory is read from memory; the pushed-out events from the file. */
    ck_assert_uint_eq(ef_tspool_read_all(sp, evicted + 1, &first, &last), seq - evicted);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_eq(st.file_reads, 0);
    ck_assert_uint_eq(ef_tspool_read_all(sp, 1, &first, &last), seq);
    ef_spool_get_stats(sp, &st);
    ck_assert_uint_gt(st.file_reads, 0);
    ef_spool_close(sp);
}
END_TEST

TCase *ef_spool_basic_case(void);
TCase *ef_spool_basic_case(void)
{
    TCase *tc = tcase_create("basic");

    tcase_add_checked_fixture(tc, ef_tspool_setup, ef_tspool_teardown);
    tcase_add_loop_test(tc, crc32c_vectors, 0, EF_ARRAY_LEN(crc_cases));
    tcase_add_test(tc, crc32c_hw_matches_sw);
    tcase_add_test(tc, append_read_ack_many_segments);
    tcase_add_loop_test(tc, reread_from_any_point, 0, 2);
    tcase_add_test(tc, tail_cache_and_file_agree);
    tcase_add_test(tc, tail_buffers_serve_readers_that_keep_up);
    tcase_add_test(tc, earlier_run_checked_on_read);
    tcase_add_test(tc, sync_always_deletes_at_ack);
    tcase_add_test(tc, reopen_resumes_at_cursors);
    tcase_add_test(tc, read_limits_events_and_bytes);
    tcase_add_test(tc, ack_is_clamped_to_appended);
    tcase_add_test(tc, memory_mode);
    tcase_add_loop_test(tc, full_drop_newest, 0, 2);
    tcase_add_loop_test(tc, full_drop_oldest, 0, 2);
    tcase_add_loop_test(tc, full_block, 0, 2);
    tcase_add_test(tc, bad_arguments);
    return tc;
}

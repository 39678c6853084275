/*
 * test_spool_damage.c - a damaged spool recovers as specified: truncated
 * tail, bad CRC or length in the middle (later records kept), zero-filled
 * tail, bad segment header, missing or unreadable ledger, ledger past the
 * end, garbage files. Each case checks verify before the repair, the
 * recovery counters, what a sink reads afterwards, and verify after it.
 */
#include "runner.h"
#include "spool_fixture.h"

#include "pipeline/spool.h"
#include "util/bytes.h"
#include "util/crc32c.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes events 1..n into one segment and closes; sinks acked nothing. */
static void make_spool(uint64_t n)
{
    struct ef_spool *sp;

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 0, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, NULL),
                     0);
    ef_tspool_append_range(sp, 1, n);
    ef_spool_close(sp);
}

/* The file offset of event seq in a spool made by make_spool. */
static long long offset_of(uint64_t seq)
{
    char buf[512];
    long long off = 16;
    uint64_t i;

    for (i = 1; i < seq; i++)
        off += 16 + (long long)ef_tspool_payload(i, buf, sizeof(buf));
    return off;
}

static void seg0(char *path, size_t cap)
{
    ck_assert_int_eq(ef_tspool_segment_path(ef_tspool_dir, 0, path, cap), 0);
}

static void assert_verify(int want_damage)
{
    struct ef_spool_recovery rec;
    int rc = ef_spool_verify(ef_tspool_dir, &rec, NULL);

    ck_assert_int_eq(rc, want_damage ? EF_ECORRUPT : 0);
}

/* Reopens, checks the counters, reads everything from 1. */
static struct ef_spool *reopen(struct ef_spool_recovery *rec)
{
    struct ef_spool *sp;

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 0, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, rec),
                     0);
    return sp;
}

struct seqs {
    uint64_t n;
    uint64_t seen[256];
};

static int collect(void *ud, const struct ef_spool_event *ev)
{
    struct seqs *s = ud;
    char want[512];
    size_t n = ef_tspool_payload(ev->seq, want, sizeof(want));

    ck_assert_uint_eq(ev->len, n);
    ck_assert(memcmp(ev->data, want, n) == 0);
    ck_assert_uint_lt(s->n, 256);
    s->seen[s->n++] = ev->seq;
    return 0;
}

static void read_seqs(struct ef_spool *sp, struct seqs *s)
{
    uint64_t next = 1;

    s->n = 0;
    while (ef_spool_read(sp, next, 10, 1 << 20, collect, s, &next) > 0)
        ;
}

START_TEST(truncated_tail)
{
    struct ef_spool_recovery rec;
    struct ef_spool *sp;
    struct seqs s;
    char path[4096];
    long long size;
    uint64_t seq;

    make_spool(100);
    seg0(path, sizeof(path));
    size = ef_tspool_file_size(path);
    ef_tspool_truncate(path, size - 7);
    assert_verify(1);
    sp = reopen(&rec);
    ck_assert_uint_eq(rec.events, 99);
    ck_assert_uint_eq(rec.truncated_bytes, (uint64_t)(size - 7 - offset_of(100)));
    ck_assert_uint_eq(rec.bad_records, 0);
    read_seqs(sp, &s);
    ck_assert_uint_eq(s.n, 99);
    ck_assert_uint_eq(s.seen[98], 99);
    /* The lost event's sequence is used again: it was never delivered. */
    ck_assert_int_eq(ef_spool_append(sp, "{}", 2, &seq), 0);
    ck_assert_uint_eq(seq, 100);
    ef_spool_close(sp);
    assert_verify(0);
}
END_TEST

START_TEST(bad_crc_mid_segment)
{
    struct ef_spool_recovery rec;
    struct ef_spool *sp;
    struct seqs s;
    char path[4096];
    uint64_t i;

    make_spool(100);
    seg0(path, sizeof(path));
    /* A flipped byte in event 50's data. */
    ef_tspool_patch(path, offset_of(50) + 16 + 3, "X", 1);
    assert_verify(1);
    sp = reopen(&rec);
    ck_assert_uint_eq(rec.bad_records, 1);
    ck_assert_uint_eq(rec.truncated_bytes, 0);
    ck_assert_uint_eq(rec.events, 99);
    read_seqs(sp, &s);
    ck_assert_uint_eq(s.n, 99);
    for (i = 0; i < 99; i++)
        ck_assert_uint_eq(s.seen[i], i < 49 ? i + 1 : i + 2);
    ef_spool_close(sp);
    assert_verify(0);
}
END_TEST

START_TEST(bad_length_mid_segment)
{
    struct ef_spool_recovery rec;
    struct ef_spool *sp;
    struct seqs s;
    char path[4096];
    uint8_t len[4];

    make_spool(100);
    seg0(path, sizeof(path));
    /* Events 30 and 31 lose their lengths: the scan has to find event 32. */
    ef_put_le32(len, 0x00FFFFFFu);
    ef_tspool_patch(path, offset_of(30), len, 4);
    ef_put_le32(len, 3);
    ef_tspool_patch(path, offset_of(31), len, 4);
    sp = reopen(&rec);
    ck_assert_uint_eq(rec.bad_records, 2);
    ck_assert_uint_eq(rec.events, 98);
    read_seqs(sp, &s);
    ck_assert_uint_eq(s.n, 98);
    ck_assert_uint_eq(s.seen[28], 29);
    ck_assert_uint_eq(s.seen[29], 32);
    ef_spool_close(sp);
    assert_verify(0);
}
END_TEST

START_TEST(zero_filled_tail)
{
    struct ef_spool_recovery rec;
    struct ef_spool *sp;
    struct seqs s;
    char path[4096];
    static const char zeros[4096];

    make_spool(100);
    seg0(path, sizeof(path));
    ef_tspool_patch(path, -1, zeros, sizeof(zeros));
    assert_verify(1);
    sp = reopen(&rec);
    ck_assert_uint_eq(rec.truncated_bytes, sizeof(zeros));
    ck_assert_uint_eq(rec.events, 100);
    read_seqs(sp, &s);
    ck_assert_uint_eq(s.n, 100);
    ef_spool_close(sp);
    assert_verify(0);
}
END_TEST

START_TEST(bad_header)
{
    struct ef_spool_recovery rec;
    struct ef_spool *sp;
    struct seqs s;
    char path[4096];

    make_spool(50);
    seg0(path, sizeof(path));
    ef_tspool_patch(path, 0, "NOTSPOOL", 8);
    assert_verify(1);
    sp = reopen(&rec);
    ck_assert_uint_eq(rec.bad_records, 1);
    ck_assert_uint_eq(rec.events, 50);
    read_seqs(sp, &s);
    ck_assert_uint_eq(s.n, 50);
    ef_spool_close(sp);
    assert_verify(0);
}
END_TEST

START_TEST(missing_ledger)
{
    struct ef_spool_recovery rec;
    struct ef_spool *sp;
    struct seqs s;
    char path[4096];

    ck_assert_int_eq(ef_tspool_open(ef_tspool_dir, EF_SPOOL_MODE_DISK, 0, 0, 0,
                                    EF_SPOOL_SYNC_PERIODIC, &sp, NULL),
                     0);
    ef_tspool_append_range(sp, 1, 100);
    ck_assert_int_eq(ef_spool_ack(sp, 0, 60), 0);
    ck_assert_int_eq(ef_spool_ack(sp, 1, 40), 0);
    ef_spool_close(sp);
    snprintf(path, sizeof(path), "%s/ledger", ef_tspool_dir);
    if (_i == 0) {
        ck_assert_int_eq(remove(path), 0);
    } else if (_i == 1) {
        ef_tspool_patch(path, 30, "9", 1); /* the CRC no longer matches */
    } else {
        /* A good CRC but a cursor that would wrap the sequence numbers. */
        char text[256];
        int n =
            snprintf(text, sizeof(text), "etwfwd-spool-ledger 1\na 18446744073709551615\nb 5\n");
        FILE *f = fopen(path, "wb");

        snprintf(text + n, sizeof(text) - (size_t)n, "crc32c %08x\n",
                 (unsigned)ef_crc32c(0, text, (size_t)n));
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
    }
    assert_verify(1);
    sp = reopen(&rec);
    ck_assert_int_eq(rec.ledger_missing, 1);
    ck_assert_uint_eq(rec.events, 100);
    /* Every sink gets everything again. */
    ck_assert_uint_eq(ef_spool_cursor(sp, 0), 0);
    ck_assert_uint_eq(ef_spool_cursor(sp, 1), 0);
    read_seqs(sp, &s);
    ck_assert_uint_eq(s.n, 100);
    ef_spool_close(sp);
    assert_verify(0);
}
END_TEST

START_TEST(ledger_past_the_end)
{
    struct ef_spool_recovery rec;
    struct ef_spool *sp;
    char path[4096], text[256];
    int n;
    FILE *f;

    make_spool(100);
    n = snprintf(text, sizeof(text), "etwfwd-spool-ledger 1\na 5000\nb 70\n");
    snprintf(text + n, sizeof(text) - (size_t)n, "crc32c %08x\n",
             (unsigned)ef_crc32c(0, text, (size_t)n));
    snprintf(path, sizeof(path), "%s/ledger", ef_tspool_dir);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    assert_verify(1);
    sp = reopen(&rec);
    ck_assert_int_eq(rec.ledger_ahead, 1);
    ck_assert_int_eq(rec.ledger_missing, 0);
    ck_assert_uint_eq(ef_spool_cursor(sp, 0), 100);
    ck_assert_uint_eq(ef_spool_cursor(sp, 1), 70);
    ef_spool_close(sp);
    assert_verify(0);
}
END_TEST

static void write_file(const char *name, const void *data, size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", ef_tspool_dir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

START_TEST(garbage_segments)
{
    struct ef_spool_recovery rec;
    struct ef_spool *sp;
    struct seqs s;
    char junk[3000];
    size_t i;
    uint32_t x = 12345;

    /* A segment of noise, an empty one and a 5-byte one: no crash, nothing kept. */
    for (i = 0; i < sizeof(junk); i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (char)(x >> 16);
    }
    write_file("00000000000000000001.seg", junk, sizeof(junk));
    write_file("00000000000000000500.seg", "", 0);
    write_file("00000000000000000900.seg", "EFSPO", 5);
    assert_verify(1);
    sp = reopen(&rec);
    ck_assert_uint_eq(rec.events, 0);
    ck_assert_uint_gt(rec.truncated_bytes, 0);
    read_seqs(sp, &s);
    ck_assert_uint_eq(s.n, 0);
    ef_spool_close(sp);
    assert_verify(0);
}
END_TEST

/*
 * Dumps the spool of make_spool(20) into a file and checks every line:
 * "seq<TAB>pending<TAB>event" (no sink acknowledged anything), every event
 * but skip (0: none) in order. Returns what ef_spool_dump returned.
 */
static int dump_and_check(uint64_t skip, struct ef_spool_recovery *rec)
{
    char path[4096], line[1024], want[512];
    FILE *f;
    uint64_t i = 0;
    int rc;

    snprintf(path, sizeof(path), "%s/dump.txt", ef_tspool_dir);
    f = fopen(path, "w+b");
    ck_assert_ptr_nonnull(f);
    rc = ef_spool_dump(ef_tspool_dir, rec, f);
    rewind(f);
    while (fgets(line, sizeof(line), f)) {
        char *tab = strchr(line, '\t'), *tab2;

        if (++i == skip)
            i++;
        ck_assert_ptr_nonnull(tab);
        *tab = '\0';
        ck_assert_uint_eq(strtoull(line, NULL, 10), i);
        tab2 = strchr(tab + 1, '\t');
        ck_assert_ptr_nonnull(tab2);
        *tab2 = '\0';
        ck_assert_str_eq(tab + 1, "pending");
        ef_tspool_payload(i, want, sizeof(want));
        strcat(want, "\n");
        ck_assert_str_eq(tab2 + 1, want);
    }
    fclose(f);
    remove(path);
    ck_assert_uint_eq(i, 20);
    return rc;
}

START_TEST(dump_prints_events)
{
    struct ef_spool_recovery rec;

    make_spool(20);
    ck_assert_int_eq(dump_and_check(0, &rec), 0);
    ck_assert_uint_eq(rec.events, 20);
}
END_TEST

/* A damaged record: dump prints every good event, then reports the damage. */
START_TEST(dump_of_damaged_spool_fails)
{
    struct ef_spool_recovery rec;
    char path[4096];

    make_spool(20);
    seg0(path, sizeof(path));
    ef_tspool_patch(path, offset_of(7) + 16 + 3, "X", 1);
    ck_assert_int_eq(dump_and_check(7, &rec), EF_ECORRUPT);
    ck_assert_uint_eq(rec.bad_records, 1);
    ck_assert_uint_eq(rec.events, 19);
}
END_TEST

TCase *ef_spool_damage_case(void);
TCase *ef_spool_damage_case(void)
{
    TCase *tc = tcase_create("damage");

    tcase_add_checked_fixture(tc, ef_tspool_setup, ef_tspool_teardown);
    tcase_add_test(tc, truncated_tail);
    tcase_add_test(tc, bad_crc_mid_segment);
    tcase_add_test(tc, bad_length_mid_segment);
    tcase_add_test(tc, zero_filled_tail);
    tcase_add_test(tc, bad_header);
    tcase_add_loop_test(tc, missing_ledger, 0, 3);
    tcase_add_test(tc, ledger_past_the_end);
    tcase_add_test(tc, garbage_segments);
    tcase_add_test(tc, dump_prints_events);
    tcase_add_test(tc, dump_of_damaged_spool_fails);
    return tc;
}

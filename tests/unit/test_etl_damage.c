/*
 * test_etl_damage.c - damaged files: the reader reports where (file offset,
 * buffer index) and why, skips what it must, counts it, and delivers every
 * good record after the damage.
 */
#include "runner.h"
#include "etl_helpers.h"
#include "etlwriter.h"

#include "util/attr.h"
#include "util/bytes.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define BUFSIZE  0x1000u
#define DATA_LEN 24
#define REC_SIZE 0x68u /* 0x50 + 24, 8-aligned */
#define TOTAL    1000u

struct layout {
    uint8_t *file;
    size_t len;
    uint64_t off[256];
    uint32_t records[256];
    unsigned n;
};

static void build(struct layout *l, int compress)
{
    struct ef_etlw_opts o = {BUFSIZE, 8, 2, compress, 0, 0, 0, 0};
    struct ef_etlw *w = NULL;
    uint8_t buf[256], payload[DATA_LEN];
    uint64_t off = 0;
    unsigned i;

    ck_assert_int_eq(ef_etlw_new(&o, &w), 0);
    for (i = 0; i < TOTAL; i++) {
        struct ef_etlw_event ev = {0};
        size_t n;

        memset(payload, 0x5A, sizeof(payload));
        ev.id = 1;
        ev.ts = 5000 + i;
        ev.data = payload;
        ev.data_len = DATA_LEN;
        n = ef_etlw_event_rec(buf, sizeof(buf), 8, &ev);
        ck_assert_int_eq(ef_etlw_add(w, i % 2, buf, n), 0);
    }
    ck_assert_int_eq(ef_etlw_finish(w, &l->file, &l->len), 0);
    ef_etlw_free(w);
    l->n = 0;
    while (off < l->len) {
        uint32_t bs = ef_le32(l->file + off), saved = ef_le32(l->file + off + 4);

        l->off[l->n] = off;
        l->records[l->n] = l->n == 0 ? 1 : (saved - 0x48) / REC_SIZE;
        l->n++;
        off += bs;
    }
    ck_assert_uint_ge(l->n, 8);
}

struct damage_case {
    const char *name;
    int compress;
    unsigned buffer; /* the buffer damaged (index in file order) */
    int code;        /* the first error's code */
    uint32_t at;     /* the error's offset from the buffer's start */
    const char *reason;
    int lost;  /* 1: that buffer's records are lost; 0: none; -1: some (partial) */
    int trunc; /* the file ends in that buffer: no record after it */
};

static void damage(struct layout *l, const struct damage_case *c)
{
    uint8_t *b = l->file + l->off[c->buffer];
    const char *n = c->name;

    if (strcmp(n, "truncated file") == 0)
        l->len = (size_t)l->off[c->buffer] + (c->compress ? 0x60 : BUFSIZE / 2);
    else if (strcmp(n, "truncated header") == 0)
        l->len = (size_t)l->off[c->buffer] + 0x20;
    else if (strcmp(n, "zero buffer") == 0)
        memset(b, 0, c->compress ? (size_t)(l->off[c->buffer + 1] - l->off[c->buffer]) : BUFSIZE);
    else if (strcmp(n, "lying buffer size") == 0)
        ef_put_le32(b, 3 * BUFSIZE);
    else if (strcmp(n, "record crosses buffer end") == 0)
        ef_put_le16(b + 0x48, 0x2000);
    else if (strcmp(n, "record smaller than header") == 0)
        ef_put_le16(b + 0x48, 0x10);
    else if (strcmp(n, "zero region in buffer") == 0)
        memset(b + 0x48 + 3 * REC_SIZE, 0, BUFSIZE - 0x48 - 3 * REC_SIZE);
    else if (strcmp(n, "bad compressed data") == 0) {
        /* First token a match reaching before the output's start. */
        ef_put_le32(b + 0x48, 0xFFFFFFFFu);
        ef_put_le16(b + 0x4C, 0xFFF8);
    } else if (strcmp(n, "lying saved offset") == 0)
        ef_put_le32(b + 4, BUFSIZE - 8); /* more records than the data holds */
    else
        ck_abort_msg("unknown damage %s", n);
}

static const struct damage_case cases[] = {
    {"truncated file", 0, 7, EF_ETRUNC, 0, "buffer truncated", -1, 1},
    {"truncated header", 0, 7, EF_ETRUNC, 0, "truncated buffer header", 1, 1},
    {"zero buffer", 0, 3, EF_EFORMAT, 0, "invalid buffer header", 1, 0},
    {"lying buffer size", 0, 2, EF_EFORMAT, 0, "differs from the file's buffer size", 0, 0},
    {"record crosses buffer end", 0, 2, EF_ETRUNC, 0x48, "crosses the buffer's end", 1, 0},
    {"record smaller than header", 0, 4, EF_EFORMAT, 0x48, "smaller than its header", 1, 0},
    {"zero region in buffer", 0, 5, EF_EFORMAT, 0x48 + 3 * REC_SIZE, "zero-filled record header",
     -1, 0},
    {"bad compressed data", 1, 3, EF_EFORMAT, 0, "bad compressed data", 1, 0},
    {"zero buffer", 1, 4, EF_EFORMAT, 0, "invalid buffer header", 1, 0},
    {"truncated file", 1, 6, EF_ETRUNC, 0, "buffer truncated", -1, 1},
    /* The data holds every record: the lie costs nothing but the report. */
    {"lying saved offset", 1, 2, EF_ETRUNC, 0, "records end at", 0, 0},
};

START_TEST(damaged_file)
{
    const struct damage_case *c = &cases[_i];
    struct ef_etl_reader *r = NULL;
    const struct ef_record *rec;
    const struct ef_etl_error *errs;
    struct layout l;
    unsigned nerr, i, got = 0, expected = 0, after = 0;
    int64_t last = 0;

    build(&l, c->compress);
    ck_assert_uint_lt(c->buffer + 1, l.n);
    for (i = 0; i < l.n; i++) {
        if (i < c->buffer || (i > c->buffer && !c->trunc))
            expected += l.records[i];
    }
    damage(&l, c);
    ck_assert_int_eq(ef_etl_open_memory(l.file, l.len, NULL, &r), 0);
    while (ef_etl_next(r, &rec) == 1) {
        ck_assert_int_ge((int64_t)rec->raw_timestamp, last);
        last = (int64_t)rec->raw_timestamp;
        if (rec->kind == EF_REC_EVENT) {
            ck_assert_uint_eq(rec->user_data_len, DATA_LEN);
            ck_assert_uint_eq(rec->user_data[DATA_LEN - 1], 0x5A);
        }
        got++;
    }
    errs = ef_etl_errors(r, &nerr);
    ck_assert_msg(nerr >= 1, "%s: no error reported", c->name);
    ck_assert_int_eq(errs[0].code, c->code);
    ck_assert_uint_eq(errs[0].buffer, c->buffer);
    ck_assert_uint_eq(errs[0].offset, l.off[c->buffer] + c->at);
    ck_assert_msg(strstr(errs[0].reason, c->reason) != NULL, "%s: reason '%s'", c->name,
                  errs[0].reason);
    ck_assert_uint_eq(ef_etl_stats(r)->errors, nerr);
    if (c->lost == 1)
        ck_assert_uint_eq(got, expected);
    else if (c->lost == 0)
        ck_assert_uint_eq(got, expected + l.records[c->buffer]);
    else
        ck_assert_msg(got >= expected && got < expected + l.records[c->buffer],
                      "%s: %u records, want %u..%u", c->name, got, expected,
                      expected + l.records[c->buffer] - 1);
    if (c->lost && !c->trunc)
        ck_assert_uint_gt(ef_etl_stats(r)->bytes_skipped + ef_etl_stats(r)->records_skipped, 0);
    /* Good records after the damage: the last event of the file is there. */
    if (!c->trunc) {
        after = (unsigned)(last - 5000);
        ck_assert_uint_eq(after, TOTAL - 1);
    }
    ef_etl_close(r);
    free(l.file);
}
END_TEST

/* Not an .etl file at all: open says so and nothing is read. */
START_TEST(not_an_etl_file)
{
    static const uint8_t junk[4096] = {1, 2, 3};
    struct ef_etl_reader *r = (struct ef_etl_reader *)1;

    ck_assert_int_eq(ef_etl_open_memory(junk, sizeof(junk), NULL, &r), EF_EFORMAT);
    ck_assert_ptr_null(r);
    ck_assert_int_eq(ef_etl_open_memory(junk, 10, NULL, &r), EF_EFORMAT);
    ck_assert_int_eq(ef_etl_open_file("/nonexistent/x.etl", NULL, &r), EF_ENOENT);
}
END_TEST

static unsigned callback_calls;

static void on_error(void *ctx, const struct ef_etl_error *e)
{
    (void)ctx;
    (void)e;
    callback_calls++;
}

/* The error callback sees every problem, also those past the kept list. */
START_TEST(error_callback_counts_all)
{
    struct ef_etl_options opt = {on_error, NULL, 0};
    struct ef_etl_reader *r = NULL;
    const struct ef_record *rec;
    struct layout l;
    unsigned i, n;

    build(&l, 0);
    for (i = 1; i < l.n; i++)
        ef_put_le16(l.file + l.off[i] + 0x48 + REC_SIZE, 0x10); /* 2nd record of each */
    callback_calls = 0;
    ck_assert_int_eq(ef_etl_open_memory(l.file, l.len, &opt, &r), 0);
    while (ef_etl_next(r, &rec) == 1)
        ;
    ef_etl_errors(r, &n);
    ck_assert_uint_eq(callback_calls, l.n - 1);
    ck_assert_uint_eq(ef_etl_stats(r)->errors, l.n - 1);
    ck_assert_uint_eq(n, l.n - 1 < EF_ETL_ERRORS_KEPT ? l.n - 1 : EF_ETL_ERRORS_KEPT);
    ef_etl_close(r);
    free(l.file);
}
END_TEST

TCase *ef_etl_damage_case(void);
TCase *ef_etl_damage_case(void)
{
    TCase *tc = tcase_create("damage");

    tcase_add_loop_test(tc, damaged_file, 0, EF_ARRAY_LEN(cases));
    tcase_add_test(tc, not_an_etl_file);
    tcase_add_test(tc, error_callback_counts_all);
    return tc;
}

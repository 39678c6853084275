/*
 * test_etl_synth.c - the reader on files built by tests/etlwriter: per-CPU
 * merge, record kinds, 32/64-bit headers, compression, XPRESS round trips.
 */
#include "runner.h"
#include "etl_helpers.h"
#include "etlwriter.h"

#include "etl/xpress.h"
#include "util/attr.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static const struct ef_guid prov_a = {
    0x11111111, 0x2222, 0x3333, {0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55}};

struct merge_case {
    uint8_t ptr;
    int compress;
    uint32_t buffer_size;
    unsigned cpus;
};

static const struct merge_case merge_cases[] = {
    {8, 0, 0x1000, 2}, {4, 0, 0x1000, 3},  {8, 1, 0x1000, 4},
    {4, 1, 0x2000, 2}, {8, 0, 0x10000, 8}, {8, 1, 0x10000, 5},
};

/* Records with interleaved timestamps on several CPUs come out merged. */
START_TEST(merge_per_cpu)
{
    const struct merge_case *c = &merge_cases[_i];
    struct ef_etlw_opts o = {c->buffer_size, c->ptr, c->cpus, c->compress, 0, 0, 0, 0};
    struct ef_etlw *w = NULL;
    struct ef_etl_reader *r = NULL;
    const struct ef_record *rec;
    uint8_t buf[512], payload[64], *file = NULL;
    size_t len, n;
    const unsigned total = 3000;
    unsigned i, got = 0;
    int64_t last = 0;

    ck_assert_int_eq(ef_etlw_new(&o, &w), 0);
    for (i = 0; i < total; i++) {
        struct ef_etlw_event ev = {0};

        memset(payload, (int)i, sizeof(payload));
        ev.provider = prov_a;
        ev.id = (uint16_t)(i % 7);
        ev.ts = 2000 + i;
        ev.pid = i;
        ev.tid = i % c->cpus;
        ev.data = payload;
        ev.data_len = 8 + i % 40;
        n = ef_etlw_event_rec(buf, sizeof(buf), c->ptr, &ev);
        ck_assert_uint_gt(n, 0);
        /* Round-robin over CPUs; CPU 0 flushes early to shuffle buffer order. */
        ck_assert_int_eq(ef_etlw_add(w, i % c->cpus, buf, n), 0);
        if (i % 97 == 0)
            ck_assert_int_eq(ef_etlw_flush(w, 0), 0);
    }
    ck_assert_int_eq(ef_etlw_finish(w, &file, &len), 0);
    ck_assert_int_eq(ef_etl_open_memory(file, len, NULL, &r), 0);
    ck_assert_int_eq(ef_etl_header(r)->compressed, c->compress);
    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_int_eq(rec->kind, EF_REC_LOGFILE_HEADER);
    while (ef_etl_next(r, &rec) == 1) {
        ck_assert_int_eq((int64_t)rec->raw_timestamp, 2000 + (int64_t)got);
        ck_assert_uint_eq(rec->pid, got);
        ck_assert_uint_eq(rec->processor, got % c->cpus);
        ck_assert_uint_eq(rec->user_data_len, 8 + got % 40);
        ck_assert_uint_eq(rec->user_data[0], (uint8_t)got);
        ck_assert_uint_eq(rec->pointer_size, c->ptr);
        ck_assert_uint_eq(rec->flags,
                          EF_HDR_FLAG_PROCESSOR_INDEX | (c->ptr == 4 ? EF_HDR_FLAG_32_BIT_HEADER
                                                                     : EF_HDR_FLAG_64_BIT_HEADER));
        /* 10^7 Hz QPC: one tick is 100 ns after StartTime at start_raw 1000. */
        ck_assert_uint_eq(rec->timestamp, 132539328000000000ULL + rec->raw_timestamp - 1000);
        ck_assert_int_ge((int64_t)rec->raw_timestamp, last);
        last = (int64_t)rec->raw_timestamp;
        got++;
    }
    ck_assert_uint_eq(got, total);
    ck_assert_uint_eq(ef_etl_stats(r)->errors, 0);
    if (c->compress)
        ck_assert_uint_gt(ef_etl_stats(r)->buffers_compressed, 1);
    ef_etl_close(r);
    ef_etlw_free(w);
    free(file);
}
END_TEST

/* Kernel, PERFINFO, classic and extended-item records map to the portable record. */
START_TEST(record_kinds)
{
    struct ef_etlw_opts o = {0x1000, 8, 2, 0, 0, 0, 0, 0};
    struct ef_etlw *w = NULL;
    struct ef_etl_reader *r = NULL;
    const struct ef_record *rec;
    uint8_t buf[512], ext[64], *file = NULL;
    const uint8_t rel[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    const uint8_t sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    struct ef_etlw_event ev = {0};
    size_t len, n, e1, e2;
    const struct ef_guid *process = ef_etl_kernel_group_guid(0x03);
    const struct ef_guid *perfinfo = ef_etl_kernel_group_guid(0x0F);

    ck_assert_ptr_nonnull(process);
    ck_assert_ptr_nonnull(perfinfo);
    ck_assert_int_eq(ef_etlw_new(&o, &w), 0);
    /* Process/Start (group 3, type 1, version 4) as SYSTEM64. */
    n = ef_etlw_system_rec(buf, sizeof(buf), 2, 0x0301, 4, 10, 20, 1100, "abcd", 4);
    ck_assert_int_eq(ef_etlw_add(w, 0, buf, n), 0);
    /* PerfInfo/SampleProf (0x0F2E) as PERFINFO64: no pid/tid. */
    n = ef_etlw_system_rec(buf, sizeof(buf), 17, 0x0F2E, 2, 0, 0, 1200, "12345678", 8);
    ck_assert_int_eq(ef_etlw_add(w, 1, buf, n), 0);
    /* A classic FULL_HEADER64 record. */
    n = ef_etlw_classic_rec(buf, sizeof(buf), 8, &prov_a, 36, 4, 2, 30, 40, 1300, "xy", 2);
    ck_assert_int_eq(ef_etlw_add(w, 0, buf, n), 0);
    /* An event with a related activity id and a SID. */
    e1 = ef_etlw_ext_item(ext, sizeof(ext), EF_EXT_RELATED_ACTIVITYID, rel, 16, 0);
    e2 = ef_etlw_ext_item(ext + e1, sizeof(ext) - e1, EF_EXT_SID, sid, 12, 1);
    ev.provider = prov_a;
    ev.id = 9;
    ev.ts = 1400;
    ev.ext = ext;
    ev.ext_len = e1 + e2;
    ev.data = "payload";
    ev.data_len = 7;
    n = ef_etlw_event_rec(buf, sizeof(buf), 8, &ev);
    ck_assert_int_eq(ef_etlw_add(w, 1, buf, n), 0);
    /* A COMPACT64 record of a group with no GUID of its own (Job, 0x07). */
    n = ef_etlw_system_rec(buf, sizeof(buf), 4, 0x0720, 1, 1, 2, 1500, NULL, 0);
    ck_assert_int_eq(ef_etlw_add(w, 0, buf, n), 0);
    ck_assert_int_eq(ef_etlw_finish(w, &file, &len), 0);

    ck_assert_int_eq(ef_etl_open_memory(file, len, NULL, &r), 0);
    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_int_eq(rec->kind, EF_REC_LOGFILE_HEADER);

    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_int_eq(rec->kind, EF_REC_KERNEL);
    ck_assert(ef_guid_equal(&rec->provider, process));
    ck_assert_uint_eq(rec->opcode, 1);
    ck_assert_uint_eq(rec->version, 4);
    ck_assert_uint_eq(rec->tid, 10);
    ck_assert_uint_eq(rec->pid, 20);
    ck_assert_uint_eq(rec->user_data_len, 4);
    ck_assert(memcmp(rec->user_data, "abcd", 4) == 0);
    ck_assert(rec->flags & EF_HDR_FLAG_CLASSIC_HEADER);

    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert(ef_guid_equal(&rec->provider, perfinfo));
    ck_assert_uint_eq(rec->opcode, 0x2E);
    ck_assert_uint_eq(rec->pid, UINT32_MAX);
    ck_assert_uint_eq(rec->processor, 1);
    ck_assert_uint_eq(rec->user_data_len, 8);

    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_int_eq(rec->kind, EF_REC_CLASSIC);
    ck_assert(ef_guid_equal(&rec->provider, &prov_a));
    ck_assert_uint_eq(rec->opcode, 36);
    ck_assert_uint_eq(rec->level, 4);
    ck_assert_uint_eq(rec->version, 2);
    ck_assert_uint_eq(rec->id, 0);
    ck_assert_uint_eq(rec->user_data_len, 2);

    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_int_eq(rec->kind, EF_REC_EVENT);
    ck_assert_uint_eq(rec->id, 9);
    ck_assert_uint_eq(rec->ext_count, 2);
    ck_assert_uint_eq(rec->ext[0].type, EF_EXT_RELATED_ACTIVITYID);
    ck_assert_uint_eq(rec->ext[0].size, 16);
    ck_assert(memcmp(rec->ext[0].data, rel, 16) == 0);
    ck_assert_uint_eq(rec->ext[1].type, EF_EXT_SID);
    ck_assert_uint_eq(rec->ext[1].size, 12);
    ck_assert_uint_eq(rec->user_data_len, 7);
    ck_assert(memcmp(rec->user_data, "payload", 7) == 0);
    ck_assert(rec->flags & EF_HDR_FLAG_EXTENDED_INFO);

    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_int_eq(rec->kind, EF_REC_KERNEL);
    ck_assert_uint_eq(rec->task, 0x07);
    ck_assert_uint_eq(rec->opcode, 0x20);
    ck_assert(rec->flags & EF_HDR_FLAG_NO_CPUTIME);
    ck_assert_int_eq(ef_etl_next(r, &rec), 0);
    ck_assert_uint_eq(ef_etl_stats(r)->errors, 0);
    ef_etl_close(r);
    ef_etlw_free(w);
    free(file);
}
END_TEST

/*
 * Header fields whose place depends on flags, in records built byte by byte
 * from the documented layouts (EVENT_HEADER in evntcons.h; TRACE_MESSAGE
 * with TRACE_MESSAGE_SEQUENCE 0x01, _GUID 0x02, _PERFORMANCE_TIMESTAMP 0x10,
 * _SYSTEMINFO 0x20 in evntrace.h): a private-session event keeps a u64
 * ProcessorTime at 0x38 where others keep KernelTime and UserTime, and a WPP
 * message with the performance-timestamp option carries its timestamp.
 */
START_TEST(header_fields_by_flags)
{
    struct ef_etlw_opts o = {0x1000, 8, 1, 0, 0, 0, 0, 0};
    struct ef_etlw *w = NULL;
    struct ef_etl_reader *r = NULL;
    const struct ef_record *rec;
    struct ef_etlw_event ev = {0};
    static const uint8_t cpu[8] = {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
    static const uint8_t wpp[48] = {
        48,   0,    15,   0xC0, 12,   0,    0x33, 0,    /* size, type, marker, number, options */
        77,   0,    0,    0,                            /* sequence */
        0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33, /* GUID, prov_a */
        0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
        0x40, 0x06, 0,    0,    0,    0,    0,    0, /* timestamp 1600 */
        5,    0,    0,    0,    6,    0,    0,    0, /* thread 5, process 6 */
        'w',  'p',  'p',  '!'};
    uint8_t buf[256], *file = NULL;
    size_t len, n;

    ck_assert_int_eq(ef_etlw_new(&o, &w), 0);
    ev.provider = prov_a;
    ev.id = 1;
    ev.ts = 1400;
    ev.data = "ab";
    ev.data_len = 2;
    ev.flags = EF_HDR_FLAG_PRIVATE_SESSION;
    n = ef_etlw_event_rec(buf, sizeof(buf), 8, &ev);
    ck_assert_uint_gt(n, 0x40);
    memcpy(buf + 0x38, cpu, 8);
    ck_assert_int_eq(ef_etlw_add(w, 0, buf, n), 0);
    ev.id = 2;
    ev.ts = 1500;
    ev.flags = 0;
    n = ef_etlw_event_rec(buf, sizeof(buf), 8, &ev);
    memcpy(buf + 0x38, cpu, 8);
    ck_assert_int_eq(ef_etlw_add(w, 0, buf, n), 0);
    ck_assert_int_eq(ef_etlw_add(w, 0, wpp, sizeof(wpp)), 0);
    ck_assert_int_eq(ef_etlw_finish(w, &file, &len), 0);

    ck_assert_int_eq(ef_etl_open_memory(file, len, NULL, &r), 0);
    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_int_eq(rec->kind, EF_REC_LOGFILE_HEADER);
    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_uint_eq(rec->id, 1);
    ck_assert_uint_eq(rec->processor_time, 0x1122334455667788ull);
    ck_assert_uint_eq(rec->kernel_time, 0);
    ck_assert_uint_eq(rec->user_time, 0);
    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_uint_eq(rec->id, 2);
    ck_assert_uint_eq(rec->kernel_time, 0x55667788u);
    ck_assert_uint_eq(rec->user_time, 0x11223344u);
    ck_assert_uint_eq(rec->processor_time, 0);
    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_int_eq(rec->kind, EF_REC_WPP);
    ck_assert_uint_eq(rec->id, 12);
    ck_assert_uint_eq(rec->sequence, 77);
    ck_assert(ef_guid_equal(&rec->provider, &prov_a));
    ck_assert_int_eq((int64_t)rec->raw_timestamp, 1600);
    ck_assert_uint_eq(rec->tid, 5);
    ck_assert_uint_eq(rec->pid, 6);
    ck_assert_uint_eq(rec->user_data_len, 4);
    ck_assert(memcmp(rec->user_data, "wpp!", 4) == 0);
    ck_assert_int_eq(ef_etl_next(r, &rec), 0);
    ck_assert_uint_eq(ef_etl_stats(r)->errors, 0);
    ef_etl_close(r);
    ef_etlw_free(w);
    free(file);
}
END_TEST

/* XPRESS: the test compressor's output decompresses to the input, for
   literals, short matches and runs long enough for every length encoding. */
START_TEST(xpress_round_trip)
{
    static const size_t sizes[] = {0, 1, 3, 31, 32, 33, 100, 4096, 70000, 300000};
    size_t k;

    for (k = 0; k < EF_ARRAY_LEN(sizes); k++) {
        size_t n = sizes[k], i, clen, out = 0;
        uint8_t *in = malloc(n + 1), *c = malloc(n * 2 + 64), *d = malloc(n + 1);
        uint32_t x = 12345;

        for (i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            /* Random stretches, repeats and a long zero run. */
            in[i] = (i / 1000) % 3 == 0   ? (uint8_t)(x >> 24)
                    : (i / 1000) % 3 == 1 ? (uint8_t)(i % 17)
                                          : 0;
        }
        if (n == 300000)
            memset(in + 1000, 0, 200000); /* needs the u32 length */
        clen = ef_etlw_xpress(in, n, c, n * 2 + 64);
        ck_assert_uint_gt(clen, 0);
        ck_assert_int_eq(ef_xpress_decompress(c, clen, d, n, &out), 0);
        ck_assert_uint_eq(out, n);
        ck_assert(n == 0 || memcmp(in, d, n) == 0);
        free(in);
        free(c);
        free(d);
    }
}
END_TEST

/* XPRESS errors: truncated tokens, matches before the start, small output. */
START_TEST(xpress_errors)
{
    /* flags: first token is a match, offset 1 with nothing produced yet. */
    static const uint8_t before_start[] = {0, 0, 0, 0x80, 0x00, 0x00};
    /* one literal, then a match token cut in half. */
    static const uint8_t cut[] = {0, 0, 0, 0x40, 'a', 0x00};
    /* one literal, then a long match whose nibble byte is missing. */
    static const uint8_t cut_len[] = {0, 0, 0, 0x40, 'a', 0x07, 0x00};
    /* 'a' then a run of 10 bytes: needs 11 bytes of output. */
    static const uint8_t run[] = {0, 0, 0, 0x40, 'a', 0x07, 0x00};
    static const uint8_t run_ok[] = {0, 0, 0, 0x40, 'a', 0x07, 0x00, 0x00};
    uint8_t out[16];
    size_t n = 99;

    ck_assert_int_eq(ef_xpress_decompress(before_start, sizeof(before_start), out, 16, &n),
                     EF_EFORMAT);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(ef_xpress_decompress(cut, sizeof(cut), out, 16, &n), EF_ETRUNC);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(ef_xpress_decompress(cut_len, sizeof(cut_len), out, 16, &n), EF_ETRUNC);
    ck_assert_int_eq(ef_xpress_decompress(run, sizeof(run), out, 16, &n), EF_ETRUNC);
    ck_assert_int_eq(ef_xpress_decompress(run_ok, sizeof(run_ok), out, 16, &n), 0);
    ck_assert_uint_eq(n, 11);
    ck_assert_int_eq(ef_xpress_decompress(run_ok, sizeof(run_ok), out, 5, &n), EF_ENOSPC);
    ck_assert_uint_eq(n, 1);
}
END_TEST

TCase *ef_etl_synth_case(void);
TCase *ef_etl_synth_case(void)
{
    TCase *tc = tcase_create("synth");

    tcase_add_loop_test(tc, merge_per_cpu, 0, EF_ARRAY_LEN(merge_cases));
    tcase_add_test(tc, record_kinds);
    tcase_add_test(tc, header_fields_by_flags);
    tcase_add_test(tc, xpress_round_trip);
    tcase_add_test(tc, xpress_errors);
    return tc;
}

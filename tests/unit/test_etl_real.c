/*
 * test_etl_real.c - the reader on the real Windows traces in shared/testdata/etl.
 *
 * Expected counts come from the publishers' own data: Tx's tests for
 * HTTP_Server.etl (README.md "Facts"), PerfView's baselines (COUNT lines,
 * matched by provider GUID and the event id the manifest gives the name).
 */
#include "runner.h"
#include "etl_helpers.h"

#include "util/error.h"
#include "util/attr.h"
#include "util/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *etl_test_load(const char *rel, size_t *len)
{
    char path[1024];
    char *data = NULL;
    int rc;

    ef_test_shared_path(rel, path, sizeof(path));
    rc = ef_read_file(path, 64u << 20, &data, len);
    ck_assert_msg(rc == 0, "%s: %s", path, ef_strerror(rc));
    return (uint8_t *)data;
}

struct file_case {
    const char *rel;
    uint64_t records; /* all records, log file header included */
    int compressed;
    uint32_t pointer_size;
};

/* Record totals cross-checked with an independent prototype parser. */
static const struct file_case files[] = {
    {"testdata/etl/tx/HTTP_Server.etl", 2042, 0, 8},
    {"testdata/etl/perfview/primitive-types.etl", 7, 0, 8},
    {"testdata/etl/perfview/gcevents.etl", 71, 0, 8},
    {"testdata/etl/perfview/gcrundownevents.etl", 112, 0, 8},
    {"testdata/etl/perfview/SelfDescribingSingleEvent.etl", 22, 1, 8},
    {"testdata/etl/perfview/smallEtlFile.etl", 2, 1, 4},
    {"testdata/etl/perfview/net.4.5.2.x86.etl", 168298, 1, 8},
    {"testdata/etl/etl-parser/AMSITrace.etl", 21, 0, 8},
    {"testdata/etl/etl-parser/lxcore_kernel.etl", 4, 0, 8},
};

/* Every file: zero errors, header first, timestamps in order, file == memory. */
START_TEST(real_file_reads_clean)
{
    const struct file_case *c = &files[_i];
    struct ef_etl_reader *rf = NULL, *rm = NULL;
    const struct ef_record *a, *b;
    char path[1024];
    size_t len;
    uint8_t *data = etl_test_load(c->rel, &len);
    uint64_t n = 0, last_ts = 0;
    int ra, rb;

    ef_test_shared_path(c->rel, path, sizeof(path));
    ck_assert_int_eq(ef_etl_open_file(path, NULL, &rf), 0);
    ck_assert_int_eq(ef_etl_open_memory(data, len, NULL, &rm), 0);
    ck_assert_int_eq(ef_etl_header(rf)->compressed, c->compressed);
    ck_assert_uint_eq(ef_etl_header(rf)->pointer_size, c->pointer_size);
    for (;;) {
        ra = ef_etl_next(rf, &a);
        rb = ef_etl_next(rm, &b);
        ck_assert_int_eq(ra, rb);
        if (ra != 1)
            break;
        if (n == 0)
            ck_assert_int_eq(a->kind, EF_REC_LOGFILE_HEADER);
        else
            ck_assert_msg(a->timestamp >= last_ts, "%s: record %llu goes back in time", c->rel,
                          (unsigned long long)n);
        ck_assert_uint_eq(a->raw_timestamp, b->raw_timestamp);
        ck_assert_uint_eq(a->user_data_len, b->user_data_len);
        ck_assert(memcmp(a->user_data, b->user_data, a->user_data_len) == 0);
        last_ts = a->timestamp;
        n++;
    }
    ck_assert_int_eq(ra, 0);
    ck_assert_uint_eq(n, c->records);
    ck_assert_uint_eq(ef_etl_stats(rf)->errors, 0);
    ck_assert_uint_eq(ef_etl_stats(rf)->records_skipped, 0);
    ck_assert_uint_eq(ef_etl_stats(rf)->bytes_skipped, 0);
    ck_assert_uint_eq(ef_etl_stats(rf)->records, c->records);
    if (c->compressed)
        ck_assert_uint_gt(ef_etl_stats(rf)->buffers_compressed, 0);
    ef_etl_close(rf);
    ef_etl_close(rm);
    free(data);
}
END_TEST

static const struct ef_guid http_guid = {
    0xdd5ef90a, 0x6398, 0x47a4, {0xad, 0x34, 0x4d, 0xce, 0xcd, 0xef, 0x79, 0x5f}};

/* The first event Tx delivers for HTTP_Server.etl (README.md). */
START_TEST(http_first_event)
{
    struct ef_etl_reader *r = NULL;
    const struct ef_record *rec;
    size_t len;
    uint8_t *data = etl_test_load("testdata/etl/tx/HTTP_Server.etl", &len);
    const struct ef_guid act = {
        0x00000100, 0x0000, 0x0003, {0x19, 0x3d, 0x42, 0xfb, 0x30, 0xbb, 0xcb, 0x01}};
    const struct ef_etl_header *h;

    ck_assert_int_eq(ef_etl_open_memory(data, len, NULL, &r), 0);
    h = ef_etl_header(r);
    ck_assert_uint_eq(h->build, 7601);
    ck_assert_uint_eq(h->cpus, 4);
    ck_assert_uint_eq(h->clock_type, EF_ETL_CLOCK_QPC);
    ck_assert_int_eq(h->perf_freq, 1818300);
    ck_assert_str_eq(h->logger_name, "DataCollector01");
    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_int_eq(rec->kind, EF_REC_LOGFILE_HEADER);
    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert(ef_guid_equal(&rec->provider, &http_guid));
    ck_assert_int_eq(rec->kind, EF_REC_EVENT);
    ck_assert_uint_eq(rec->id, 21);
    ck_assert_uint_eq(rec->version, 0);
    ck_assert_uint_eq(rec->opcode, 28);
    ck_assert_uint_eq(rec->task, 4);
    ck_assert_uint_eq(rec->level, 4);
    ck_assert_uint_eq(rec->keywords, 0x8000000000000010ULL);
    ck_assert_uint_eq(rec->channel, 16);
    ck_assert(ef_guid_equal(&rec->activity_id, &act));
    ck_assert_uint_eq(rec->pid, 0);
    ck_assert_uint_eq(rec->tid, 0);
    ck_assert_uint_eq(rec->user_data_len, 72);
    ck_assert_uint_eq(rec->timestamp, 129402940472257591ULL);
    ck_assert_uint_eq(rec->flags, 576);
    ck_assert_uint_eq(rec->pointer_size, 8);
    ck_assert_uint_eq(rec->ext_count, 0);
    ef_etl_close(r);
    free(data);
}
END_TEST

struct id_count {
    uint16_t id;
    uint64_t n;
};

static void count_ids(const char *rel, const struct ef_guid *g, const struct id_count *want,
                      size_t nwant, uint64_t total)
{
    static uint64_t seen[65536];
    struct ef_etl_reader *r = NULL;
    const struct ef_record *rec;
    size_t len, i;
    uint8_t *data = etl_test_load(rel, &len);
    uint64_t all = 0;

    memset(seen, 0, sizeof(seen));
    ck_assert_int_eq(ef_etl_open_memory(data, len, NULL, &r), 0);
    while (ef_etl_next(r, &rec) == 1) {
        if (rec->kind == EF_REC_EVENT && ef_guid_equal(&rec->provider, g)) {
            seen[rec->id]++;
            all++;
        }
    }
    ck_assert_uint_eq(ef_etl_stats(r)->errors, 0);
    for (i = 0; i < nwant; i++)
        ck_assert_msg(seen[want[i].id] == want[i].n, "%s: id %u: %llu, want %llu", rel, want[i].id,
                      (unsigned long long)seen[want[i].id], (unsigned long long)want[i].n);
    if (total)
        ck_assert_uint_eq(all, total);
    ef_etl_close(r);
    free(data);
}

/* Tx: 2041 HttpService events, 291 Parse (2), 291 Deliver (3), 289 FastResp (8). */
START_TEST(http_counts)
{
    static const struct id_count want[] = {{2, 291}, {3, 291}, {8, 289}};

    count_ids("testdata/etl/tx/HTTP_Server.etl", &http_guid, want, EF_ARRAY_LEN(want), 2041);
}
END_TEST

/* gcevents.baseline.txt COUNT lines; ids from ClrEtwAll.man. */
START_TEST(gcevents_baseline_counts)
{
    static const struct ef_guid clr = {
        0xe13c0d23, 0xccbc, 0x4e12, {0x93, 0x1b, 0xd9, 0xcc, 0x2e, 0xee, 0x27, 0xe4}};
    static const struct id_count want[] = {
        {10, 12},  /* GC/AllocationTick:12 */
        {5, 7},    /* GC/CreateSegment:7 */
        {29, 6},   /* GC/FinalizeObject:6 */
        {14, 3},   /* GC/FinalizersStart:3 */
        {13, 3},   /* GC/FinalizersStop:3 */
        {209, 1},  /* GC/FitBucketInfo:1 */
        {205, 2},  /* GC/GlobalHeapHistory:2 */
        {4, 2},    /* GC/HeapStats:2 */
        {208, 1},  /* GC/LOHCompact:1 */
        {202, 13}, /* GC/MarkWithType:13 */
        {204, 2},  /* GC/PerHeapHistory:2 */
        {33, 2},   /* GC/PinObjectAtGCTime:2 */
        {7, 2},    /* GC/RestartEEStart:2 */
        {3, 2},    /* GC/RestartEEStop:2 */
        {1, 2},    /* GC/Start:2 */
        {2, 2},    /* GC/Stop:2 */
        {9, 2},    /* GC/SuspendEEStart:2 */
        {8, 2},    /* GC/SuspendEEStop:2 */
        {35, 2},   /* GC/Triggered:2 */
        {187, 1},  /* Runtime/Start:1 */
    };

    /* The baseline's COUNT lines cover every DotNETRuntime event: 69 in all. */
    count_ids("testdata/etl/perfview/gcevents.etl", &clr, want, EF_ARRAY_LEN(want), 69);
}
END_TEST

/* gcrundownevents.baseline.txt COUNT lines (Method/DCStopVerbose has none there). */
START_TEST(gcrundown_baseline_counts)
{
    static const struct ef_guid rundown = {
        0xa669021c, 0xc450, 0x4609, {0xa0, 0x35, 0x5a, 0xf5, 0x9a, 0xf4, 0xdf, 0x18}};
    static const struct id_count want[] = {
        {10, 1},  /* GC/SettingsRundown:1 */
        {158, 1}, /* Loader/AppDomainDCStop:1 */
        {156, 7}, /* Loader/AssemblyDCStop:7 */
        {154, 7}, /* Loader/ModuleDCStop:7 */
        {152, 7}, /* Loader/DomainModuleDCStop:7 */
        {146, 2}, /* Method/DCStopComplete:2 */
        {148, 2}, /* Method/DCStopInit:2 */
        {187, 2}, /* Runtime/Start:2 */
        {280, 1}, /* TieredCompilationRundown/SettingsDCStart:1 */
    };

    count_ids("testdata/etl/perfview/gcrundownevents.etl", &rundown, want, EF_ARRAY_LEN(want), 0);
}
END_TEST

/* TraceLogging events carry their schema (ext type 11) and provider traits (12). */
START_TEST(tracelogging_ext_items)
{
    struct ef_etl_reader *r = NULL;
    const struct ef_record *rec;
    size_t len;
    uint8_t *data = etl_test_load("testdata/etl/perfview/primitive-types.etl", &len);
    int n = 0;

    ck_assert_int_eq(ef_etl_open_memory(data, len, NULL, &r), 0);
    while (ef_etl_next(r, &rec) == 1) {
        const struct ef_ext_item *tl;

        if (rec->kind != EF_REC_EVENT)
            continue;
        tl = ef_record_ext(rec, EF_EXT_EVENT_SCHEMA_TL);
        ck_assert_ptr_nonnull(tl);
        ck_assert_uint_eq(tl->size, 182);
        ck_assert(memcmp(tl->data + 3, "PrimitiveTypesTest", 18) == 0);
        ck_assert_ptr_nonnull(ef_record_ext(rec, EF_EXT_PROV_TRAITS));
        ck_assert(rec->flags & EF_HDR_FLAG_EXTENDED_INFO);
        n++;
    }
    ck_assert_int_eq(n, 5);
    ef_etl_close(r);
    free(data);
}
END_TEST

/* 32-bit headers in a compressed file: EVENT_HEADER32 gives 32_BIT_HEADER. */
START_TEST(small_32bit_compressed)
{
    struct ef_etl_reader *r = NULL;
    const struct ef_record *rec;
    size_t len;
    uint8_t *data = etl_test_load("testdata/etl/perfview/smallEtlFile.etl", &len);

    ck_assert_int_eq(ef_etl_open_memory(data, len, NULL, &r), 0);
    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_int_eq(rec->kind, EF_REC_LOGFILE_HEADER);
    ck_assert_uint_eq(rec->pointer_size, 4);
    ck_assert_int_eq(ef_etl_next(r, &rec), 1);
    ck_assert_int_eq(rec->kind, EF_REC_EVENT);
    ck_assert_uint_eq(rec->pointer_size, 4);
    ck_assert(rec->flags & EF_HDR_FLAG_32_BIT_HEADER);
    ck_assert(!(rec->flags & EF_HDR_FLAG_64_BIT_HEADER));
    ck_assert_uint_ge(rec->timestamp, ef_etl_header(r)->start_time);
    ck_assert_int_eq(ef_etl_next(r, &rec), 0);
    ef_etl_close(r);
    free(data);
}
END_TEST

TCase *ef_etl_real_case(void);
TCase *ef_etl_real_case(void)
{
    TCase *tc = tcase_create("real");

    tcase_add_loop_test(tc, real_file_reads_clean, 0, EF_ARRAY_LEN(files));
    tcase_add_test(tc, http_first_event);
    tcase_add_test(tc, http_counts);
    tcase_add_test(tc, gcevents_baseline_counts);
    tcase_add_test(tc, gcrundown_baseline_counts);
    tcase_add_test(tc, tracelogging_ext_items);
    tcase_add_test(tc, small_32bit_compressed);
    return tc;
}

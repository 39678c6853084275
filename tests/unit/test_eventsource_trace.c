/*
 * test_eventsource_trace.c - EventSource manifests inside traces, through
 * the .etl reader and the decoder: a trace written with tests/etlwriter
 * (chunks split over CPUs and interleaved with events, a repeat, a damaged
 * send) and PerfView's net.4.5.2.x86.etl, whose PerfView, TplEventSource
 * and FrameworkEventSource providers send their manifests in-band.
 */
#include "es_fixture.h"
#include "etlwriter.h"
#include "runner.h"

#include "decode/decoder.h"
#include "decode/eventsource.h"
#include "etl/etl.h"
#include "util/bytes.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static const struct ef_value *value(const struct ef_event *ev, const char *name)
{
    uint32_t i;

    for (i = 0; i < ev->count; i++) {
        if (ev->values[i].name && strcmp(ev->values[i].name, name) == 0)
            return &ev->values[i];
    }
    return NULL;
}

static void add_event(struct ef_etlw *w, unsigned cpu, const struct ef_etlw_event *ev)
{
    uint8_t rec[4096];
    size_t n = ef_etlw_event_rec(rec, sizeof(rec), 8, ev);

    ck_assert_uint_gt(n, 0);
    ck_assert_int_eq(ef_etlw_add(w, cpu, rec, n), 0);
}

/* RequestStart(url, size) of provider A: url is UTF-16LE with its NUL. */
static void add_request(struct ef_etlw *w, unsigned cpu, int64_t ts, int32_t size)
{
    static const char url[] = "http://x/";
    struct ef_etlw_event ev = {0};
    uint8_t data[64];
    size_t i, n = 0;

    for (i = 0; i < sizeof(url); i++) {
        data[n++] = (uint8_t)url[i];
        data[n++] = 0;
    }
    ef_put_le32(data + n, (uint32_t)size);
    n += 4;
    ev.provider = es_prov_a;
    ev.id = 1;
    ev.level = 4;
    ev.opcode = 1;
    ev.task = 1;
    ev.pid = 10;
    ev.tid = 11;
    ev.ts = ts;
    ev.data = data;
    ev.data_len = n;
    add_event(w, cpu, &ev);
}

/* Chunk `number` of xml in `total` chunks, as its ManifestData event. */
static void add_chunk(struct ef_etlw *w, unsigned cpu, int64_t ts, const char *xml, size_t len,
                      uint16_t total, uint16_t number, uint8_t magic)
{
    struct ef_etlw_event ev = {0};
    uint8_t payload[4096];
    size_t per = (len + total - 1) / total, off = (size_t)number * per;
    size_t n = off >= len ? 0 : (len - off < per ? len - off : per);

    ck_assert_uint_lt(n, sizeof(payload) - EF_ES_ENVELOPE_SIZE);
    ev.provider = es_prov_a;
    ev.id = EF_ES_MANIFEST_ID;
    ev.version = 1;
    ev.opcode = EF_ES_MANIFEST_OPCODE;
    ev.task = EF_ES_MANIFEST_TASK;
    ev.keywords = 0x00ffffffffffffffull;
    ev.pid = 10;
    ev.tid = 12;
    ev.ts = ts;
    ev.data = payload;
    ev.data_len = es_chunk(payload, EF_ES_FORMAT_XML, magic, total, number, xml + off, n);
    add_event(w, cpu, &ev);
}

struct tally {
    unsigned requests, requests_decoded, manifest_data, manifest_data_decoded;
    int32_t last_size;
};

/*
 * The trace: a request before any manifest (no schema); a send with a bad
 * magic in its middle (lost); a good send in 6 chunks spread over 2 CPUs,
 * requests between them; requests; the same manifest again; requests.
 */
START_TEST(es_trace_synth)
{
    struct ef_etlw_opts o = {0x2000, 8, 2, _i, 0, 0, 0, 0};
    struct ef_etlw *w = NULL;
    struct ef_etl_reader *rd = NULL;
    struct ef_decoder *d = NULL;
    struct ef_schema_source src;
    const struct ef_record *rec;
    struct ef_decoder_stats ds;
    struct ef_es_stats es;
    struct tally t = {0};
    struct ef_event ev;
    char xml[8192];
    size_t len = es_manifest(xml, sizeof(xml), &es_prov_a, "Demo-App", 0), flen;
    uint8_t *file = NULL;
    int64_t ts = 2000;
    uint16_t i;
    int rc;

    ck_assert_int_eq(ef_etlw_new(&o, &w), 0);
    add_request(w, 0, ts++, 1);
    add_chunk(w, 0, ts++, xml, len, 3, 0, EF_ES_MAGIC);
    add_chunk(w, 0, ts++, xml, len, 3, 1, 0x00);
    add_chunk(w, 0, ts++, xml, len, 3, 2, EF_ES_MAGIC);
    for (i = 0; i < 6; i++) {
        add_chunk(w, i % 2, ts++, xml, len, 6, i, EF_ES_MAGIC);
        add_request(w, (i + 1) % 2, ts++, 100 + i);
    }
    add_request(w, 1, ts++, 7);
    for (i = 0; i < 2; i++)
        add_chunk(w, 0, ts++, xml, len, 2, i, EF_ES_MAGIC);
    add_request(w, 0, ts++, 42);
    ck_assert_int_eq(ef_etlw_finish(w, &file, &flen), 0);

    ck_assert_int_eq(ef_decoder_new(NULL, &d), 0);
    ck_assert_int_eq(ef_es_source_create(NULL, &src), 0);
    ck_assert_int_eq(ef_decoder_add_source(d, src), 0);
    ck_assert_int_eq(ef_etl_open_memory(file, flen, NULL, &rd), 0);
    while ((rc = ef_etl_next(rd, &rec)) == 1) {
        if (rec->kind != EF_REC_EVENT)
            continue;
        rc = ef_decoder_decode(d, rec, &ev);
        if (rec->id == 1) {
            t.requests++;
            if (rc == 0) {
                const struct ef_value *u = value(&ev, "url"), *s = value(&ev, "size");

                t.requests_decoded++;
                ck_assert_ptr_nonnull(u);
                ck_assert_ptr_nonnull(s);
                ck_assert_int_eq(u->v.s.len, 9);
                ck_assert_int_eq(memcmp(u->v.s.p, "http://x/", 9), 0);
                t.last_size = (int32_t)s->v.i;
                ck_assert_str_eq(ev.schema->provider->name, "Demo-App");
            } else {
                ck_assert_int_eq(rc, EF_ENOENT);
                ck_assert_uint_eq(t.requests_decoded, 0); /* only before the manifest */
            }
        } else if (rec->id == EF_ES_MANIFEST_ID) {
            t.manifest_data++;
            if (rc == 0) {
                const struct ef_value *m = value(&ev, "Magic"), *n = value(&ev, "TotalChunks");

                t.manifest_data_decoded++;
                ck_assert_str_eq(ev.schema->event_name, "ManifestData");
                ck_assert(m->v.u == EF_ES_MAGIC || m->v.u == 0);
                ck_assert_uint_ge(n->v.u, 2);
                ck_assert_ptr_nonnull(value(&ev, "Data"));
            }
        }
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(t.requests, 9);
    ck_assert_uint_eq(t.requests_decoded, 3); /* the last of the 6-chunk send on */
    ck_assert_int_eq(t.last_size, 42);
    ck_assert_uint_eq(t.manifest_data, 11);
    /* The envelope schema decodes them all, the bad-magic one too (Magic shows it). */
    ck_assert_uint_eq(t.manifest_data_decoded, 11);
    ef_es_source_stats(src.ctx, &es);
    ck_assert_uint_eq(es.manifests, 1);
    ck_assert_uint_eq(es.repeats, 1);
    ck_assert_uint_eq(es.bad_envelope, 1);
    ck_assert_uint_eq(es.resets, 1);
    ck_assert_uint_eq(es.skipped, 1);
    ef_decoder_stats(d, &ds);
    /* The manifest loader built the event schemas: they count as manifest schemas. */
    ck_assert_uint_eq(ds.by_source[EF_SCHEMA_EVENTSOURCE], t.manifest_data_decoded);
    ck_assert_uint_eq(ds.by_source[EF_SCHEMA_MANIFEST], t.requests_decoded);
    ef_etl_close(rd);
    ef_decoder_free(d);
    ef_etlw_free(w);
    free(file);
}
END_TEST

struct real_provider {
    struct ef_guid guid;
    const char *name;
    unsigned events; /* every event of the provider in the file */
};

static const struct real_provider real_providers[] = {
    {{0xa8a71ac1, 0x040f, 0x54a2, {0x07, 0xca, 0x00, 0xa8, 0x9b, 0x5a, 0xb7, 0x61}},
     "PerfView",
     108},
    {{0x2e5dba47, 0xa3d2, 0x4d16, {0x8e, 0xe0, 0x66, 0x71, 0xff, 0xdc, 0xd7, 0xb5}},
     "System.Threading.Tasks.TplEventSource",
     8},
    {{0x8e9f5090, 0x2d75, 0x4d03, {0x8a, 0x81, 0xe5, 0xaf, 0xbf, 0x85, 0xda, 0xf1}},
     "System.Diagnostics.Eventing.FrameworkEventSource",
     7},
};

/*
 * net.4.5.2.x86.etl: every event of the three EventSource providers
 * decodes with no manifest given, names as the baseline prints them; the
 * first TaskScheduled/Send and ThreadPoolEnqueueWork carry the baseline's
 * values.
 */
START_TEST(es_trace_real)
{
    char path[1024];
    struct ef_etl_reader *rd = NULL;
    struct ef_decoder *d = NULL;
    struct ef_schema_source src;
    const struct ef_record *rec;
    struct ef_es_stats es;
    struct ef_event ev;
    unsigned counts[3] = {0}, decoded[3] = {0}, i, sched = 0, enq = 0;
    int rc;

    ef_test_shared_path("testdata/etl/perfview/net.4.5.2.x86.etl", path, sizeof(path));
    ck_assert_int_eq(ef_decoder_new(NULL, &d), 0);
    ck_assert_int_eq(ef_es_source_create(NULL, &src), 0);
    ck_assert_int_eq(ef_decoder_add_source(d, src), 0);
    ck_assert_int_eq(ef_etl_open_file(path, NULL, &rd), 0);
    while ((rc = ef_etl_next(rd, &rec)) == 1) {
        for (i = 0; i < 3; i++) {
            if (ef_guid_equal(&rec->provider, &real_providers[i].guid))
                break;
        }
        if (i == 3)
            continue;
        rc = ef_decoder_decode(d, rec, &ev);
        counts[i]++;
        if (rc != 0)
            continue;
        decoded[i]++;
        ck_assert_str_eq(ev.schema->provider->name, real_providers[i].name);
        if (i == 1 && rec->id == 7 && sched++ == 0) {
            ck_assert_str_eq(ev.schema->task_name, "TaskScheduled");
            ck_assert_str_eq(ev.schema->opcode_name, "Send");
            ck_assert_uint_eq(value(&ev, "OriginatingTaskSchedulerID")->v.u, 1);
            ck_assert_uint_eq(value(&ev, "TaskID")->v.u, 2);
            ck_assert_uint_eq(value(&ev, "TaskCreationOptions")->v.u, 8192);
        }
        if (i == 2 && rec->id == 30 && enq++ == 0) {
            ck_assert_str_eq(ev.schema->task_name, "ThreadPoolEnqueueWork");
            ck_assert_uint_eq(value(&ev, "workID")->v.u, 64033152);
        }
    }
    ck_assert_int_eq(rc, 0);
    for (i = 0; i < 3; i++) {
        ck_assert_uint_eq(counts[i], real_providers[i].events);
        ck_assert_uint_eq(decoded[i], real_providers[i].events);
    }
    ck_assert_uint_eq(sched, 3);
    ck_assert_uint_eq(enq, 3);
    ef_es_source_stats(src.ctx, &es);
    ck_assert_uint_eq(es.manifests, 3);
    ck_assert_uint_eq(es.repeats, 1); /* PerfView sends its manifest again at rundown */
    ck_assert_uint_eq(es.resets + es.bad_envelope + es.load_errors + es.oversize, 0);
    ef_etl_close(rd);
    ef_decoder_free(d);
}
END_TEST

TCase *ef_eventsource_trace_case(void);
TCase *ef_eventsource_trace_case(void)
{
    TCase *tc = tcase_create("trace");

    tcase_add_loop_test(tc, es_trace_synth, 0, 2); /* plain and compressed buffers */
    tcase_add_test(tc, es_trace_real);
    return tc;
}

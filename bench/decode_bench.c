/*
 * decode_bench.c - decode + render throughput, heap allocations per event
 * and plan-cache hit rate, on one core.
 *
 * DESIGN: a set of typical events (a Kernel-File Create with pointers, a
 * bitmap and a path; an HTTP request with a mapped verb and a URL; a small
 * TraceLogging-like event with a GUID and a FILETIME; an event with no
 * schema) is built in memory and decoded and rendered round-robin many
 * times, so the numbers measure the engine, not the disk. Allocations are
 * counted by interposing malloc/calloc/realloc in this executable only
 * (bench_alloc.h); the count starts after a warm-up pass, so it is the
 * steady state.
 *
 * With --etl, the events are instead those of a real trace, read once with
 * the portable reader, copied into memory, and decoded and rendered in file
 * order as many times as fit in the time, with the schema sources replay
 * uses (TraceLogging, --manifest files, embedded schemas, --mof files).
 *
 * usage: decode_bench [SECONDS]   (default 2)
 *        decode_bench --etl FILE [--manifest FILE]... [--mof FILE]... [--yajl] [SECONDS]
 *
 * --yajl adds a comparison of the JSON generators: the same minimal native
 * renderer (render_min.c: System + EventData, no cached runs) written with
 * yajl_gen and with our writer, over the same decoded events.
 */
#include "decode/decoder.h"
#include "decode/embedded.h"
#include "decode/manifest.h"
#include "decode/mof.h"
#include "decode/tlg_source.h"
#include "etl/etl.h"
#include "render/render.h"
#include "util/bytes.h"
#include "util/error.h"

#include "bench_alloc.h"
#include "bench_trace.h"
#include "render_min.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct ef_keyword_name kf_kw[] = {{0x10, "KERNEL_FILE_KEYWORD_FILENAME"},
                                               {0x80, "KERNEL_FILE_KEYWORD_CREATE"}};
static const struct ef_provider_info kf_prov = {
    {0xedd08927, 0x9cc4, 0x4e65, {0xb9, 0x70, 0xc2, 0x56, 0x0f, 0xb5, 0xc2, 0x89}},
    "Microsoft-Windows-Kernel-File",
    2,
    kf_kw};
static const struct ef_map_entry share_e[] = {{1, "Read"}, {2, "Write"}, {4, "Delete"}};
static const struct ef_map share_m = {"ShareAccess", EF_MAP_BITMAP, 3, share_e};
static const struct ef_field kf_fields[] = {
    {"Irp", EF_IN_POINTER},
    {"FileObject", EF_IN_POINTER},
    {"IssuingThreadId", EF_IN_UINT32},
    {"CreateOptions", EF_IN_UINT32},
    {"CreateAttributes", EF_IN_UINT32},
    {"ShareAccess", EF_IN_UINT32, 0, 0, 0, 0, 0, 0, 0, 0, &share_m},
    {"FileName", EF_IN_UNICODESTRING},
};

static const struct ef_provider_info http_prov = {
    {0xdd5ef90a, 0x6398, 0x47a4, {0xad, 0x34, 0x4d, 0xce, 0xcd, 0xef, 0x79, 0x5f}},
    "Microsoft-Windows-HttpService",
    0,
    NULL};
static const struct ef_map_entry verb_e[] = {{4, "GET"}, {6, "POST"}};
static const struct ef_map verb_m = {"Verb", EF_MAP_VALUE, 2, verb_e};
static const struct ef_field http_fields[] = {
    {"RequestObj", EF_IN_POINTER},
    {"HttpVerb", EF_IN_UINT32, 0, 0, 0, 0, 0, 0, 0, 0, &verb_m},
    {"Url", EF_IN_UNICODESTRING},
};

static const struct ef_provider_info tl_prov = {
    {0x5f9a5c6b, 0x1f0e, 0x5b7d, {0x4a, 0x3c, 0x2b, 0x1d, 0x0e, 0x9f, 0x8a, 0x7b}},
    "solar_system",
    0,
    NULL};
static const struct ef_field tl_fields[] = {
    {"string_type", EF_IN_ANSISTRING, EF_OUT_UTF8},
    {"boolean_type", EF_IN_BOOLEAN},
    {"int32_type", EF_IN_INT32},
    {"uint64_type", EF_IN_UINT64},
    {"guid_type", EF_IN_GUID},
    {"file_time_type", EF_IN_FILETIME},
};

static struct ef_schema schemas[3];

static int lookup(void *ctx, const struct ef_record *r, const struct ef_schema **out)
{
    unsigned i;

    (void)ctx;
    for (i = 0; i < 3; i++) {
        if (ef_guid_equal(&r->provider, &schemas[i].provider->guid) && r->id == schemas[i].id) {
            *out = &schemas[i];
            return 0;
        }
    }
    return EF_ENOENT;
}

static void nop_destroy(void *ctx)
{
    (void)ctx;
}

static const struct ef_schema_source_ops bench_ops = {"bench", lookup, NULL, nop_destroy};

struct sample {
    struct ef_record rec;
    uint8_t payload[256];
};

static uint32_t put_wstr(uint8_t *p, const char *s)
{
    uint32_t n = 0;

    for (; *s; s++, n += 2)
        ef_put_le16(p + n, (uint8_t)*s);
    ef_put_le16(p + n, 0);
    return n + 2;
}

static void make_samples(struct sample *s)
{
    uint32_t n;
    int i;

    schemas[0] = (struct ef_schema){.provider = &kf_prov,
                                    .id = 12,
                                    .task_name = "Create",
                                    .fields = kf_fields,
                                    .field_count = 7,
                                    .top_count = 7,
                                    .source = EF_SCHEMA_MANIFEST};
    schemas[1] = (struct ef_schema){.provider = &http_prov,
                                    .id = 2,
                                    .task_name = "Parse",
                                    .message = "Parsed request (request pointer %1, method %2) "
                                               "with URI %3.",
                                    .fields = http_fields,
                                    .field_count = 3,
                                    .top_count = 3,
                                    .source = EF_SCHEMA_MANIFEST};
    schemas[2] = (struct ef_schema){.provider = &tl_prov,
                                    .event_name = "PrimitiveTypesTest",
                                    .fields = tl_fields,
                                    .field_count = 6,
                                    .top_count = 6,
                                    .source = EF_SCHEMA_TRACELOGGING};
    for (i = 0; i < 4; i++) {
        struct ef_record *r = &s[i].rec;
        uint8_t *p = s[i].payload;

        memset(r, 0, sizeof(*r));
        r->pointer_size = 8;
        r->level = 4;
        r->pid = 4242;
        r->tid = 1717;
        r->timestamp = 132757487757912345ULL;
        r->user_data = p;
        n = 0;
        if (i == 0) {
            r->provider = kf_prov.guid, r->id = 12, r->keywords = 0x8000000000000090ULL;
            ef_put_le64(p, 0xFFFFC38A1B2C3D40ULL), ef_put_le64(p + 8, 0xFFFFC38A1B2C9990ULL);
            ef_put_le32(p + 16, 1717), ef_put_le32(p + 20, 0x01000060);
            ef_put_le32(p + 24, 0x80), ef_put_le32(p + 28, 7);
            n = 32 + put_wstr(p + 32, "\\Device\\HarddiskVolume3\\Windows\\System32\\kernel32.dll");
        } else if (i == 1) {
            r->provider = http_prov.guid, r->id = 2;
            ef_put_le64(p, 0xFFFFFA8004A3C010ULL), ef_put_le32(p + 8, 4);
            n = 12 + put_wstr(p + 12, "http://localhost:80/Temporary_Listen_Addresses/Test");
        } else if (i == 2) {
            r->provider = tl_prov.guid, r->id = 0;
            memcpy(p, "Mercury", 8), ef_put_le32(p + 8, 0), ef_put_le32(p + 12, (uint32_t)-102);
            ef_put_le64(p + 16, 204), memset(p + 24, 0x5A, 16);
            ef_put_le64(p + 40, 132757487757912345ULL);
            n = 48;
        } else {
            r->provider = kf_prov.guid, r->id = 99;
            memset(p, 0xAB, 40);
            n = 40;
        }
        r->user_data_len = n;
    }
}

static double now(void)
{
    struct timespec ts;

#ifdef CLOCK_THREAD_CPUTIME_ID
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine may be shared */
#else
    clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double run(struct ef_decoder *d, struct ef_renderer *ren, struct ef_buf *out,
                  const struct sample *s, unsigned long long n, int render)
{
    struct ef_event ev;
    unsigned long long i;
    double t0 = now();

    for (i = 0; i < n; i++) {
        ef_decoder_decode(d, &s[i & 3].rec, &ev);
        if (render) {
            ef_buf_reset(out);
            if (ef_render_event(ren, &ev, out) < 0)
                abort();
        }
    }
    return now() - t0;
}

static int add_sources(struct ef_decoder *d, int argc, char **argv)
{
    struct ef_schema_source tl, man, emb, mof;
    struct ef_buf err;
    int i, rc = 0;

    ef_buf_init(&err, 1 << 16);
    if (ef_tlg_source_create(0, &tl) < 0 || ef_decoder_add_source(d, tl) < 0 ||
        ef_manifest_source_new(&man) < 0)
        abort();
    for (i = 1; i + 1 < argc && rc == 0; i++) {
        if (strcmp(argv[i], "--manifest") == 0)
            rc = ef_manifest_source_add_file(man.ctx, argv[++i], &err);
    }
    if (ef_decoder_add_source(d, man) < 0 || ef_embedded_source_create(0, &emb) < 0 ||
        ef_decoder_add_source(d, emb) < 0 || ef_mof_source_new(&mof) < 0)
        abort();
    for (i = 1; i + 1 < argc && rc == 0; i++) {
        if (strcmp(argv[i], "--mof") == 0)
            rc = ef_mof_source_add_file(mof.ctx, argv[++i], &err);
    }
    if (ef_decoder_add_source(d, mof) < 0)
        abort();
    if (rc < 0)
        fprintf(stderr, "decode_bench: %s\n", err.len ? err.data : ef_strerror(rc));
    ef_buf_free(&err);
    return rc;
}

/* Passes over the whole trace; returns CPU seconds. */
static double run_trace(struct ef_decoder *d, struct ef_renderer *ren, struct ef_buf *out,
                        const struct ef_bench_trace *t, unsigned passes, int render)
{
    struct ef_event ev;
    double t0 = now();
    unsigned k;
    size_t i;

    for (k = 0; k < passes; k++) {
        for (i = 0; i < t->n; i++) {
            ef_decoder_decode(d, &t->recs[i], &ev);
            if (render) {
                ef_buf_reset(out);
                if (ef_render_event(ren, &ev, out) < 0)
                    abort();
            }
        }
    }
    return now() - t0;
}

/* Passes over the trace rendering the minimal renderer with yajl (1) or jsonw (0). */
static double run_min(struct ef_decoder *d, struct ef_min_yajl *y, struct ef_buf *out,
                      const struct ef_bench_trace *t, unsigned passes)
{
    struct ef_event ev;
    double t0 = now();
    unsigned k;
    size_t i;

    for (k = 0; k < passes; k++) {
        for (i = 0; i < t->n; i++) {
            ef_decoder_decode(d, &t->recs[i], &ev);
            ef_buf_reset(out);
            if ((y ? ef_min_yajl_render(y, &ev, out) : ef_min_jw_render(&ev, out)) < 0)
                abort();
        }
    }
    return now() - t0;
}

/* The generators compared: yajl_gen and jsonw behind the same minimal renderer. */
static int bench_generators(int argc, char **argv, const struct ef_bench_trace *t, double secs)
{
    struct ef_min_yajl *y = ef_min_yajl_new();
    struct ef_decoder *d;
    struct ef_buf out;
    unsigned passes, which;
    unsigned long long a0;
    double tm;
    int rc;

    if (!y || ef_decoder_new(NULL, &d) < 0)
        return 1;
    rc = add_sources(d, argc, argv);
    ef_buf_init(&out, 16u << 20);
    for (which = 0; which < 2 && rc == 0; which++) {
        struct ef_min_yajl *g = which ? NULL : y;

        tm = run_min(d, g, &out, t, 1);
        passes = (unsigned)(secs / (tm > 1e-6 ? tm : 1e-6)) + 1;
        a0 = ef_bench_allocs();
        tm = run_min(d, g, &out, t, passes);
        printf("minimal native with %s: decode+render %.2f M events/s, %.4f allocations/event, "
               "%zu bytes last event\n",
               g ? "yajl_gen" : "jsonw   ", (double)t->n * passes / tm / 1e6,
               (double)(ef_bench_allocs() - a0) / ((double)t->n * passes), out.len);
    }
    ef_buf_free(&out);
    ef_decoder_free(d);
    ef_min_yajl_free(y);
    return rc < 0;
}

static int bench_trace(int argc, char **argv)
{
    struct ef_render_opts ro = {EF_RENDER_NATIVE, 0, "BENCHHOST", "bench"};
    struct ef_bench_trace t = {0};
    struct ef_decoder_stats st;
    double secs = 2.0, tm;
    unsigned passes = 1;
    int i, fmt, rc = 0, yajl = 0;

    for (i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--manifest") == 0 || strcmp(argv[i], "--mof") == 0 ||
             strcmp(argv[i], "--etl") == 0) &&
            i + 1 < argc)
            i++;
        else if (strcmp(argv[i], "--yajl") == 0)
            yajl = 1;
        else
            secs = atof(argv[i]);
    }
    for (i = 1; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--etl") == 0 && (rc = ef_bench_trace_load(argv[i + 1], &t)) < 0)
            return 1;
    }
    if (t.n == 0)
        return 1;
    for (fmt = 0; fmt < 2 && rc == 0; fmt++) {
        struct ef_decoder *d;
        struct ef_renderer *ren;
        struct ef_buf out;
        unsigned long long a0;

        ro.format = fmt;
        if (ef_decoder_new(NULL, &d) < 0 || ef_renderer_new(&ro, &ren) < 0)
            return 1;
        rc = add_sources(d, argc, argv);
        ef_buf_init(&out, 16u << 20);
        tm = run_trace(d, ren, &out, &t, 1, 1); /* warm-up: schemas, plans, buffers */
        passes = (unsigned)(secs / (tm > 1e-6 ? tm : 1e-6)) + 1;
        a0 = ef_bench_allocs();
        tm = run_trace(d, ren, &out, &t, passes, 1);
        printf("%s: %zu events x %u passes: decode+render %.2f M events/s, "
               "%.4f allocations/event%s\n",
               fmt ? "ecs" : "native", t.n, passes, (double)t.n * passes / tm / 1e6,
               (double)(ef_bench_allocs() - a0) / ((double)t.n * passes),
               EF_BENCH_ALLOCS_COUNTED ? "" : " (not counted here)");
        if (fmt == 0) {
            tm = run_trace(d, ren, &out, &t, passes, 0);
            printf("decode only: %.2f M events/s\n", (double)t.n * passes / tm / 1e6);
        }
        ef_decoder_stats(d, &st);
        printf("plan cache: %llu hits, %llu misses, hit rate %.6f; %llu no schema, "
               "%llu decode errors\n",
               (unsigned long long)st.cache.hits, (unsigned long long)st.cache.misses,
               (double)st.cache.hits / (double)(st.cache.hits + st.cache.misses),
               (unsigned long long)st.no_schema, (unsigned long long)st.decode_errors);
        ef_buf_free(&out);
        ef_renderer_free(ren);
        ef_decoder_free(d);
    }
    if (rc == 0 && yajl)
        return bench_generators(argc, argv, &t, secs);
    return rc < 0;
}

int main(int argc, char **argv)
{
    struct ef_render_opts ro = {EF_RENDER_NATIVE, 0, "BENCHHOST", "bench"};
    double secs = argc > 1 ? atof(argv[1]) : 2.0, t;
    struct ef_decoder_stats st;
    struct sample s[4];
    struct ef_decoder *d;
    struct ef_renderer *ren;
    struct ef_buf out;
    unsigned long long n = 200000, a0;
    int fmt;

    if (argc > 2 && strcmp(argv[1], "--etl") == 0)
        return bench_trace(argc, argv);
    make_samples(s);
    for (fmt = 0; fmt < 2; fmt++) {
        ro.format = fmt;
        if (ef_decoder_new(NULL, &d) < 0 || ef_renderer_new(&ro, &ren) < 0)
            return 1;
        ef_decoder_add_source(d, (struct ef_schema_source){&bench_ops, NULL});
        ef_buf_init(&out, 1 << 20);
        run(d, ren, &out, s, 1000, 1); /* warm-up: caches, workspace, buffers */
        /* Size the run to about `secs` seconds. */
        while ((t = run(d, ren, &out, s, n, 1)) < secs / 4 && n < (1ULL << 34))
            n *= 2;
        n = (unsigned long long)((double)n * secs / t);
        a0 = ef_bench_allocs();
        t = run(d, ren, &out, s, n, 1);
        printf("%s: decode+render %.2f M events/s (%llu events, %.3f s), "
               "%.4f allocations/event%s, %zu bytes last event\n",
               fmt ? "ecs" : "native", (double)n / t / 1e6, n, t,
               (double)(ef_bench_allocs() - a0) / (double)n,
               EF_BENCH_ALLOCS_COUNTED ? "" : " (not counted here)", out.len);
        if (fmt == 0) {
            t = run(d, ren, &out, s, n, 0);
            printf("decode only: %.2f M events/s\n", (double)n / t / 1e6);
        }
        ef_decoder_stats(d, &st);
        printf("plan cache: %llu hits, %llu misses, hit rate %.6f\n",
               (unsigned long long)st.cache.hits, (unsigned long long)st.cache.misses,
               (double)st.cache.hits / (double)(st.cache.hits + st.cache.misses));
        ef_buf_free(&out);
        ef_renderer_free(ren);
        ef_decoder_free(d);
    }
    return 0;
}

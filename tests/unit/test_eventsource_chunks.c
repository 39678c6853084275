/*
 * test_eventsource_chunks.c - the EventSource source fed ManifestData
 * records directly: chunk assembly, repeats and changes, damaged chunks and
 * the memory bounds.
 */
#include "es_fixture.h"
#include "runner.h"

#include "decode/eventsource.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define XML_CAP 8192

struct fx {
    struct ef_schema_source src;
    char xml[XML_CAP];
    size_t len;
};

static struct fx *fx_new(const struct ef_es_opts *o)
{
    struct fx *f = calloc(1, sizeof(*f));

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(ef_es_source_create(o, &f->src), 0);
    f->len = es_manifest(f->xml, sizeof(f->xml), &es_prov_a, "Demo-App", 0);
    ck_assert_uint_gt(f->len, 0);
    return f;
}

static void fx_free(struct fx *f)
{
    f->src.ops->destroy(f->src.ctx);
    free(f);
}

static struct ef_es_stats stats(const struct fx *f)
{
    struct ef_es_stats st;

    ef_es_source_stats(f->src.ctx, &st);
    return st;
}

static int lookup(struct fx *f, const struct ef_guid *g, uint16_t id, const struct ef_schema **s)
{
    struct ef_record r;

    memset(&r, 0, sizeof(r));
    r.kind = EF_REC_EVENT;
    r.provider = *g;
    r.id = id;
    return f->src.ops->lookup(f->src.ctx, &r, s);
}

static const uint16_t split_cases[] = {1, 2, 3, 7, 64};

/* A manifest in 1..64 chunks loads when its last chunk arrives, not before. */
START_TEST(es_split)
{
    struct fx *f = fx_new(NULL);
    uint16_t total = split_cases[_i], i;
    const struct ef_schema *s = NULL;
    struct ef_es_stats st;
    struct ef_record r;
    uint8_t payload[16];

    for (i = 0; i + 1 < total; i++) {
        ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_a, f->xml, f->len, total, i), 1);
        ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s), EF_ENOENT);
    }
    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_a, f->xml, f->len, total, total - 1), 1);
    ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s), 0);
    ck_assert_str_eq(s->provider->name, "Demo-App");
    ck_assert_str_eq(s->task_name, "Request");
    ck_assert_str_eq(s->opcode_name, "Start");
    ck_assert_str_eq(s->message, "Request %1 of %2 bytes");
    ck_assert_uint_eq(s->top_count, 2);
    ck_assert_str_eq(s->fields[0].name, "url");
    ck_assert_uint_eq(s->fields[0].intype, EF_IN_UNICODESTRING);
    ck_assert_str_eq(s->fields[1].name, "size");
    ck_assert_int_eq(lookup(f, &es_prov_a, 2, &s), 0);
    ck_assert_str_eq(s->fields[0].name, "count");
    ck_assert_int_eq(lookup(f, &es_prov_a, 3, &s), EF_ENOENT);
    ck_assert_int_eq(lookup(f, &es_prov_b, 1, &s), EF_ENOENT);

    /* The ManifestData event itself has the envelope schema, named now. */
    es_record(&r, &es_prov_a, payload, 8);
    ck_assert_int_eq(f->src.ops->lookup(f->src.ctx, &r, &s), 0);
    ck_assert_str_eq(s->event_name, "ManifestData");
    ck_assert_str_eq(s->provider->name, "Demo-App");
    ck_assert_uint_eq(s->source, EF_SCHEMA_EVENTSOURCE);
    ck_assert_uint_eq(s->top_count, 7);
    ck_assert_str_eq(s->fields[5].name, "ChunkNumber");

    st = stats(f);
    ck_assert_uint_eq(st.chunks, total);
    ck_assert_uint_eq(st.manifests, 1);
    ck_assert_uint_eq(st.resets + st.bad_envelope + st.load_errors + st.oversize, 0);
    ck_assert_uint_eq(st.bytes, f->len); /* chunk buffers freed, the XML counted */
    fx_free(f);
}
END_TEST

/* Two providers' chunks interleaved, with other records between them. */
START_TEST(es_interleaved)
{
    struct fx *f = fx_new(NULL);
    char xml_b[XML_CAP];
    size_t len_b = es_manifest(xml_b, sizeof(xml_b), &es_prov_b, "Other-App", 1);
    const struct ef_schema *s = NULL;
    struct ef_record other;
    uint16_t i;

    memset(&other, 0, sizeof(other));
    other.kind = EF_REC_EVENT;
    other.provider = es_prov_a;
    other.id = 1;
    for (i = 0; i < 5; i++) {
        ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_a, f->xml, f->len, 5, i), 1);
        ck_assert_int_eq(f->src.ops->observe(f->src.ctx, &other), 0);
        ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_b, xml_b, len_b, 5, i), 1);
    }
    ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s), 0);
    ck_assert_uint_eq(s->top_count, 2);
    ck_assert_str_eq(s->provider->name, "Demo-App");
    ck_assert_int_eq(lookup(f, &es_prov_b, 1, &s), 0);
    ck_assert_uint_eq(s->top_count, 3);
    ck_assert_str_eq(s->provider->name, "Other-App");
    ck_assert_uint_eq(stats(f).manifests, 2);
    ck_assert_uint_eq(stats(f).providers, 2);
    fx_free(f);
}
END_TEST

/* A re-sent identical manifest is not loaded again; a changed one replaces it. */
START_TEST(es_repeat_and_change)
{
    struct fx *f = fx_new(NULL);
    char xml2[XML_CAP];
    size_t len2 = es_manifest(xml2, sizeof(xml2), &es_prov_a, "Demo-App", 1);
    const struct ef_schema *s1 = NULL, *s2 = NULL, *s3 = NULL;
    struct ef_es_stats st;

    ck_assert_int_eq(es_feed(&f->src, &es_prov_a, f->xml, f->len, 3), 1);
    ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s1), 0);
    ck_assert_int_eq(es_feed(&f->src, &es_prov_a, f->xml, f->len, 4), 1);
    ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s2), 0);
    ck_assert_ptr_eq(s1, s2);
    st = stats(f);
    ck_assert_uint_eq(st.manifests, 1);
    ck_assert_uint_eq(st.repeats, 1);

    ck_assert_int_eq(es_feed(&f->src, &es_prov_a, xml2, len2, 2), 1);
    ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s3), 0);
    ck_assert_ptr_ne(s1, s3);
    ck_assert_uint_eq(s3->top_count, 3);
    ck_assert_str_eq(s3->fields[2].name, "retries");
    ck_assert_int_eq(lookup(f, &es_prov_a, 3, &s3), 0);
    ck_assert_str_eq(s3->task_name, "Stop");
    /* The replaced schema stays readable (plans may still point into it). */
    ck_assert_str_eq(s1->fields[1].name, "size");
    st = stats(f);
    ck_assert_uint_eq(st.manifests, 2);
    ck_assert_uint_eq(st.replaced, 1);
    ck_assert_uint_eq(st.bytes, f->len + len2);
    fx_free(f);
}
END_TEST

/*
 * A changed manifest of exactly the same length (a field renamed "size" ->
 * "bulk") is a change, not a repeat: its schema replaces the old one.
 */
START_TEST(es_change_same_length)
{
    struct fx *f = fx_new(NULL);
    char xml2[XML_CAP];
    char *at;
    const struct ef_schema *s = NULL;
    struct ef_es_stats st;

    memcpy(xml2, f->xml, f->len + 1);
    at = strstr(xml2, "name=\"size\"");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "name=\"bulk\"", 11);
    ck_assert_int_eq(es_feed(&f->src, &es_prov_a, f->xml, f->len, 2), 1);
    ck_assert_int_eq(es_feed(&f->src, &es_prov_a, xml2, f->len, 2), 1);
    ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s), 0);
    ck_assert_str_eq(s->fields[1].name, "bulk");
    st = stats(f);
    ck_assert_uint_eq(st.manifests, 2);
    ck_assert_uint_eq(st.replaced, 1);
    ck_assert_uint_eq(st.repeats, 0);
    fx_free(f);
}
END_TEST

/* A chunk missing, out of order or of another TotalChunks abandons the assembly. */
START_TEST(es_missing_chunk)
{
    struct fx *f = fx_new(NULL);
    const struct ef_schema *s = NULL;
    struct ef_es_stats st;

    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_a, f->xml, f->len, 4, 0), 1);
    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_a, f->xml, f->len, 4, 1), 1);
    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_a, f->xml, f->len, 4, 3), EF_EFORMAT);
    ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s), EF_ENOENT);
    st = stats(f);
    ck_assert_uint_eq(st.resets, 1);
    ck_assert_uint_eq(st.bytes, 0);
    /* The rest of that manifest is skipped quietly; the next send loads. */
    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_a, f->xml, f->len, 4, 2), 0);
    ck_assert_uint_eq(stats(f).skipped, 1);
    ck_assert_int_eq(es_feed(&f->src, &es_prov_a, f->xml, f->len, 4), 1);
    ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s), 0);

    /* A chunk whose chunk 0 never came. */
    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_b, f->xml, f->len, 3, 1), EF_EFORMAT);
    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_b, f->xml, f->len, 3, 2), 0);
    /* TotalChunks changing within one manifest. */
    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_b, f->xml, f->len, 3, 0), 1);
    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_b, f->xml, f->len, 4, 1), EF_EFORMAT);
    /* A restart at chunk 0 (EventSource retrying with smaller chunks) is a reset too. */
    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_b, f->xml, f->len, 2, 0), 1);
    ck_assert_int_eq(es_feed(&f->src, &es_prov_b, f->xml, f->len, 3), 1);
    st = stats(f);
    ck_assert_uint_eq(st.resets, 4);
    ck_assert_uint_eq(st.load_errors, 0);
    /* B's chunks carried A's manifest: it loads, but answers nothing for B. */
    ck_assert_uint_eq(st.manifests, 2);
    ck_assert_int_eq(lookup(f, &es_prov_b, 1, &s), EF_ENOENT);
    fx_free(f);
}
END_TEST

struct bad_case {
    size_t len; /* payload bytes */
    uint8_t format, magic;
    uint16_t total, number;
    int rc;
};

static const struct bad_case bad_cases[] = {
    {0, 1, 0x5B, 1, 0, EF_ETRUNC},        {7, 1, 0x5B, 1, 0, EF_ETRUNC},
    {20, 1, 0x5A, 1, 0, EF_EFORMAT},      {20, 2, 0x5B, 1, 0, EF_ENOTSUP},
    {20, 1, 0x5B, 0, 0, EF_EFORMAT},      {20, 1, 0x5B, 2, 2, EF_EFORMAT},
    {20, 1, 0x5B, 3, 0xFFFF, EF_EFORMAT},
};

/* A bad envelope is an error, counted, and ends the assembly it falls into. */
START_TEST(es_bad_envelope)
{
    const struct bad_case *c = &bad_cases[_i];
    struct fx *f = fx_new(NULL);
    uint8_t payload[64], data[32];
    const struct ef_schema *s = NULL;
    struct ef_record r;
    struct ef_es_stats st;

    memset(data, 'x', sizeof(data));
    es_chunk(payload, c->format, c->magic, c->total, c->number, data, 12);
    es_record(&r, &es_prov_a, payload, c->len);
    ck_assert_int_eq(f->src.ops->observe(f->src.ctx, &r), c->rc);
    ck_assert_uint_eq(stats(f).bad_envelope, 1);
    ck_assert_uint_eq(stats(f).providers, 0);
    ck_assert_int_eq(f->src.ops->lookup(f->src.ctx, &r, &s), EF_ENOENT);

    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_a, f->xml, f->len, 2, 0), 1);
    ck_assert_int_eq(f->src.ops->observe(f->src.ctx, &r), c->rc);
    ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_a, f->xml, f->len, 2, 1), 0);
    ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s), EF_ENOENT);
    st = stats(f);
    ck_assert_uint_eq(st.bad_envelope, 2);
    ck_assert_uint_eq(st.resets, 1);
    ck_assert_uint_eq(st.bytes, 0);
    fx_free(f);
}
END_TEST

/* Records that are not ManifestData pass untouched. */
START_TEST(es_not_manifest_data)
{
    struct fx *f = fx_new(NULL);
    uint8_t payload[64];
    struct ef_record r;
    size_t n = es_chunk(payload, 1, 0x5B, 1, 0, "<x/>", 4);

    es_record(&r, &es_prov_a, payload, n);
    r.opcode = 0;
    ck_assert_int_eq(f->src.ops->observe(f->src.ctx, &r), 0);
    es_record(&r, &es_prov_a, payload, n);
    r.task = 1;
    ck_assert_int_eq(f->src.ops->observe(f->src.ctx, &r), 0);
    es_record(&r, &es_prov_a, payload, n);
    r.kind = EF_REC_CLASSIC;
    ck_assert_int_eq(f->src.ops->observe(f->src.ctx, &r), 0);
    ck_assert_uint_eq(stats(f).providers, 0);
    fx_free(f);
}
END_TEST

/* A complete manifest the loader refuses: counted, and an earlier good one stays. */
START_TEST(es_bad_xml)
{
    struct fx *f = fx_new(NULL);
    static const char broken[] = "<instrumentationManifest><instrumentation><events><provider";
    const struct ef_schema *s = NULL;

    ck_assert_int_eq(es_feed(&f->src, &es_prov_b, broken, sizeof(broken) - 1, 2), EF_EFORMAT);
    ck_assert_ptr_nonnull(strstr(ef_es_source_last_error(f->src.ctx), "eventsource {0B0B0B0B"));
    ck_assert_int_eq(es_feed(&f->src, &es_prov_a, f->xml, f->len, 2), 1);
    ck_assert_int_eq(es_feed(&f->src, &es_prov_a, broken, sizeof(broken) - 1, 1), EF_EFORMAT);
    ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s), 0);
    ck_assert_str_eq(s->fields[0].name, "url");
    ck_assert_uint_eq(stats(f).load_errors, 2);
    ck_assert_uint_eq(stats(f).manifests, 1);
    ck_assert_uint_eq(stats(f).bytes, f->len);
    fx_free(f);
}
END_TEST

/* max_manifest, max_total and max_providers. */
START_TEST(es_limits)
{
    struct ef_es_opts small = {1000, 0, 0}, total = {0, 0, 0}, one = {0, 0, 1};
    const struct ef_schema *s = NULL;
    struct fx *f = fx_new(&small);
    char xml_b[XML_CAP];
    size_t len_b;
    uint16_t i;
    int rc;

    /* Too big for max_manifest: dropped at the chunk that passes the limit. */
    ck_assert_uint_gt(f->len, 1000);
    ck_assert_uint_lt(f->len, 4096);
    for (i = 0; i < 8; i++) {
        rc = es_feed_chunk(&f->src, &es_prov_a, f->xml, f->len, 8, i);
        if (rc == EF_ELIMIT)
            break;
        ck_assert_int_eq(rc, 1);
    }
    ck_assert_uint_lt(i, 7);
    for (i++; i < 8; i++)
        ck_assert_int_eq(es_feed_chunk(&f->src, &es_prov_a, f->xml, f->len, 8, i), 0);
    ck_assert_int_eq(lookup(f, &es_prov_a, 1, &s), EF_ENOENT);
    ck_assert_uint_eq(stats(f).oversize, 1);
    ck_assert_uint_eq(stats(f).bytes, 0);
    fx_free(f);

    /* max_total: the first manifest fits, the second does not. */
    len_b = es_manifest(xml_b, sizeof(xml_b), &es_prov_b, "Other-App", 0);
    total.max_total = 4096 + 100; /* one chunk buffer, then the first XML */
    f = fx_new(&total);
    ck_assert_int_eq(es_feed(&f->src, &es_prov_a, f->xml, f->len, 1), 1);
    ck_assert_int_eq(es_feed(&f->src, &es_prov_b, xml_b, len_b, 1), EF_ELIMIT);
    ck_assert_int_eq(lookup(f, &es_prov_b, 1, &s), EF_ENOENT);
    ck_assert_uint_eq(stats(f).oversize, 1);
    ck_assert_uint_le(stats(f).bytes, total.max_total);
    fx_free(f);

    /* max_providers: chunks of a second provider are refused. */
    f = fx_new(&one);
    ck_assert_int_eq(es_feed(&f->src, &es_prov_a, f->xml, f->len, 1), 1);
    ck_assert_int_eq(es_feed(&f->src, &es_prov_b, xml_b, len_b, 1), EF_ELIMIT);
    ck_assert_uint_eq(stats(f).providers, 1);
    fx_free(f);
}
END_TEST

TCase *ef_eventsource_chunks_case(void);
TCase *ef_eventsource_chunks_case(void)
{
    TCase *tc = tcase_create("chunks");

    tcase_add_loop_test(tc, es_split, 0, (int)(sizeof(split_cases) / sizeof(split_cases[0])));
    tcase_add_test(tc, es_interleaved);
    tcase_add_test(tc, es_repeat_and_change);
    tcase_add_test(tc, es_change_same_length);
    tcase_add_test(tc, es_missing_chunk);
    tcase_add_loop_test(tc, es_bad_envelope, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    tcase_add_test(tc, es_not_manifest_data);
    tcase_add_test(tc, es_bad_xml);
    tcase_add_test(tc, es_limits);
    return tc;
}

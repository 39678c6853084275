/*
 * test_decode_cache.c - the plan cache (keys, LRU eviction, counters) and
 * the decoder around it (source order, cached misses, broken schemas).
 */
#include "runner.h"

#include "decode_fixture.h"
#include "decode/cache.h"
#include "decode/decoder.h"
#include "util/error.h"

#include <string.h>

static const struct ef_field one_u32[] = {{"X", EF_IN_UINT32}};

static struct ef_schema make_schema(uint16_t id)
{
    struct ef_schema s;

    memset(&s, 0, sizeof(s));
    s.provider = &fx_provider;
    s.id = id;
    s.fields = one_u32;
    s.field_count = s.top_count = 1;
    return s;
}

START_TEST(cache_lru_eviction)
{
    struct ef_schema s = make_schema(1);
    struct ef_cache c;
    struct ef_cache_key k[4];
    struct ef_record rec;
    struct ef_plan *plan;
    int i;

    ck_assert_int_eq(ef_cache_init(&c, 3), 0);
    for (i = 0; i < 4; i++) {
        fx_record(&rec, (uint16_t)(10 + i), NULL);
        ef_cache_key_from_record(&rec, &k[i]);
    }
    for (i = 0; i < 3; i++) {
        ck_assert_ptr_null(ef_cache_get(&c, &k[i], ef_cache_hash(&k[i])));
        ck_assert_int_eq(ef_plan_compile(&s, &plan), 0);
        ef_cache_put(&c, &k[i], ef_cache_hash(&k[i]), plan, 0);
    }
    /* Touch 0 so that 1 is the least recently used. */
    ck_assert_ptr_nonnull(ef_cache_get(&c, &k[0], ef_cache_hash(&k[0])));
    ef_cache_put(&c, &k[3], ef_cache_hash(&k[3]), NULL, EF_ENOENT);
    ck_assert_ptr_null(ef_cache_get(&c, &k[1], ef_cache_hash(&k[1])));
    ck_assert_ptr_nonnull(ef_cache_get(&c, &k[0], ef_cache_hash(&k[0])));
    ck_assert_ptr_nonnull(ef_cache_get(&c, &k[2], ef_cache_hash(&k[2])));
    ck_assert_int_eq(ef_cache_get(&c, &k[3], ef_cache_hash(&k[3]))->status, EF_ENOENT);
    ck_assert_uint_eq(c.stats.evictions, 1);
    ck_assert_uint_eq(c.stats.hits, 4);
    ck_assert_uint_eq(c.stats.misses, 4);
    ck_assert_uint_eq(c.stats.entries, 3);
    ef_cache_clear(&c);
    ck_assert_ptr_null(ef_cache_get(&c, &k[0], ef_cache_hash(&k[0])));
    ef_cache_free(&c);
}
END_TEST

START_TEST(cache_key_fields)
{
    /* Every field of the key tells events apart; TraceLogging metadata too. */
    struct ef_record a, b;
    struct ef_cache_key ka, kb;
    struct ef_ext_item tl1 = {EF_EXT_EVENT_SCHEMA_TL, 4, (const uint8_t *)"abcd"};
    struct ef_ext_item tl2 = {EF_EXT_EVENT_SCHEMA_TL, 4, (const uint8_t *)"abce"};
    int i;

    for (i = 0; i < 8; i++) {
        fx_record(&a, 0, NULL);
        b = a;
        switch (i) {
        case 0:
            b.provider.data4[7] ^= 1;
            break;
        case 1:
            b.id = 1;
            break;
        case 2:
            b.version = 1;
            break;
        case 3:
            b.opcode = 1;
            break;
        case 4:
            b.level = 5;
            break;
        case 5:
            b.keywords = 1;
            break;
        case 6:
            b.kind = EF_REC_CLASSIC;
            break;
        case 7:
            a.ext = &tl1, a.ext_count = 1;
            b.ext = &tl2, b.ext_count = 1;
            break;
        }
        ef_cache_key_from_record(&a, &ka);
        ef_cache_key_from_record(&b, &kb);
        ck_assert_msg(memcmp(&ka, &kb, sizeof(ka)) != 0, "key field %d ignored", i);
    }
    b = a;
    ef_cache_key_from_record(&b, &kb);
    ck_assert_mem_eq(&ka, &kb, sizeof(ka));
}
END_TEST

START_TEST(decoder_caches_hits_and_misses)
{
    struct ef_schema s = make_schema(7);
    struct fx_source src = {{&s}, 1, 0, 0};
    struct ef_decoder_opts opts = {16, 0};
    struct ef_decoder_stats st;
    struct ef_decoder *d;
    struct fx_payload p = {{0}, 0};
    struct ef_record rec;
    struct ef_event ev;
    int i;

    fx_u32(&p, 42);
    ck_assert_int_eq(ef_decoder_new(&opts, &d), 0);
    ck_assert_int_eq(ef_decoder_add_source(d, fx_source_make(&src)), 0);
    for (i = 0; i < 5; i++) {
        fx_record(&rec, 7, &p);
        ck_assert_int_eq(ef_decoder_decode(d, &rec, &ev), 0);
        ck_assert_uint_eq(ev.count, 1);
        ck_assert_uint_eq(ev.values[0].v.u, 42);
        fx_record(&rec, 8, &p);
        ck_assert_int_eq(ef_decoder_decode(d, &rec, &ev), EF_ENOENT);
        ck_assert_uint_eq(ev.flags, EF_EVT_NO_SCHEMA);
    }
    ck_assert_uint_eq(src.lookups, 2); /* one per key, misses included */
    ef_decoder_stats(d, &st);
    ck_assert_uint_eq(st.events, 10);
    ck_assert_uint_eq(st.decoded, 5);
    ck_assert_uint_eq(st.no_schema, 5);
    ck_assert_uint_eq(st.cache.hits, 8);
    ck_assert_uint_eq(st.cache.misses, 2);
    ef_decoder_free(d);
}
END_TEST

START_TEST(decoder_source_order_and_errors)
{
    struct ef_schema s1 = make_schema(7), s2 = make_schema(7);
    struct ef_field bad = {"B", 0, 0, EF_FIELD_STRUCT, 0, 0, 0, 0, 0, 1};
    struct fx_source broken = {{NULL}, 0, 0, EF_EFORMAT};
    struct fx_source first = {{&s1}, 1, 0, 0}, second = {{&s2}, 1, 0, 0};
    struct ef_decoder *d;
    struct fx_payload p = {{0}, 0};
    struct ef_record rec;
    struct ef_event ev;
    struct ef_decoder_stats st;

    fx_u32(&p, 1);
    /* A failing source is skipped; the first source that knows the event wins. */
    ck_assert_int_eq(ef_decoder_new(NULL, &d), 0);
    ef_decoder_add_source(d, fx_source_make(&broken));
    ef_decoder_add_source(d, fx_source_make(&first));
    ef_decoder_add_source(d, fx_source_make(&second));
    fx_record(&rec, 7, &p);
    ck_assert_int_eq(ef_decoder_decode(d, &rec, &ev), 0);
    ck_assert_ptr_eq(ev.schema, &s1);
    ck_assert_uint_eq(second.lookups, 0);
    ef_decoder_free(d);

    /* A schema that does not compile: the event goes out raw, flagged. */
    s1.fields = &bad;
    ck_assert_int_eq(ef_decoder_new(NULL, &d), 0);
    ef_decoder_add_source(d, fx_source_make(&first));
    ck_assert_int_eq(ef_decoder_decode(d, &rec, &ev), EF_EFORMAT);
    ck_assert_uint_eq(ev.flags, EF_EVT_NO_SCHEMA | EF_EVT_BAD_SCHEMA);
    ef_decoder_stats(d, &st);
    ck_assert_uint_eq(st.bad_schema, 1);
    ef_decoder_free(d);
}
END_TEST

TCase *ef_decode_cache_case(void);

TCase *ef_decode_cache_case(void)
{
    TCase *tc = tcase_create("cache");

    tcase_add_test(tc, cache_lru_eviction);
    tcase_add_test(tc, cache_key_fields);
    tcase_add_test(tc, decoder_caches_hits_and_misses);
    tcase_add_test(tc, decoder_source_order_and_errors);
    return tc;
}

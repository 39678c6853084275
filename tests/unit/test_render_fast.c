/*
 * test_render_fast.c - the renderer's fast paths write exactly what its
 * plain paths write: keys pre-escaped by the plan, the cached constant runs
 * of System/winlog (per plan and descriptor), the per-second time prefix
 * and integer formatting by digit pairs.
 *
 * Each case renders a decoded event twice: as decoded (plan attached: fast
 * paths) and as a copy with no plan, which a fresh renderer writes the
 * plain way (no cached runs, keys escaped per event).
 */
#include "runner.h"

#include "decode_fixture.h"
#include "decode/decoder.h"
#include "render/render.h"
#include "render/render_int.h"

#include <stdio.h>
#include <string.h>

/* Field names that need escaping or sanitizing, and plain ones. */
static const char *const names[] = {
    "Plain", "with \"quote\"", "back\\slash", "ctl\x01\x1f\t\n", "bad\xff\xfeutf8",
    "",      "Caf\xc3\xa9",
};

struct fx {
    struct ef_field fields[2];
    struct ef_schema schema;
    struct fx_source src;
    struct ef_decoder *dec;
    struct ef_renderer *fast, *plain;
    struct fx_payload p;
    struct ef_record rec;
    struct ef_buf a, b;
};

static void fx_setup(struct fx *f, int format, const char *name)
{
    struct ef_render_opts ro = {format, 0, "HOST", "main"};

    memset(f, 0, sizeof(*f));
    f->fields[0] = (struct ef_field){name, EF_IN_UINT32};
    f->fields[1] = (struct ef_field){"Path", EF_IN_UNICODESTRING};
    f->schema.provider = &fx_provider;
    f->schema.id = 7;
    f->schema.task_name = "Task \"q\"";
    f->schema.channel_name = "Chan/Op";
    f->schema.message = "%1 at %2";
    f->schema.fields = f->fields;
    f->schema.field_count = f->schema.top_count = 2;
    f->schema.source = EF_SCHEMA_MANIFEST;
    f->src.schemas[0] = &f->schema;
    f->src.count = 1;
    ck_assert_int_eq(ef_decoder_new(NULL, &f->dec), 0);
    ef_decoder_add_source(f->dec, fx_source_make(&f->src));
    ck_assert_int_eq(ef_renderer_new(&ro, &f->fast), 0);
    ck_assert_int_eq(ef_renderer_new(&ro, &f->plain), 0);
    ef_buf_init(&f->a, 1 << 16);
    ef_buf_init(&f->b, 1 << 16);
    fx_u32(&f->p, 4000000000u);
    fx_wstr(&f->p, "C:\\x", 1);
}

static void fx_teardown(struct fx *f)
{
    ef_decoder_free(f->dec);
    ef_renderer_free(f->fast);
    ef_renderer_free(f->plain);
    ef_buf_free(&f->a);
    ef_buf_free(&f->b);
}

/* Renders rec both ways and checks the texts are equal; returns the fast one. */
static const char *both(struct fx *f, uint16_t task, uint8_t level, uint64_t ts)
{
    struct ef_event ev, copy;

    fx_record(&f->rec, 7, &f->p);
    f->rec.task = task;
    f->rec.level = level;
    f->rec.timestamp = ts;
    ef_decoder_decode(f->dec, &f->rec, &ev);
    ck_assert_ptr_nonnull(ev.plan);
    copy = ev;
    copy.plan = NULL;
    ef_buf_reset(&f->a);
    ef_buf_reset(&f->b);
    ck_assert_int_eq(ef_render_event(f->fast, &ev, &f->a), 0);
    ck_assert_int_eq(ef_render_event(f->plain, &copy, &f->b), 0);
    ck_assert_str_eq(f->a.data, f->b.data);
    return f->a.data;
}

START_TEST(keys_and_runs_match_plain)
{
    static const uint64_t ts[] = {133000000001234567ULL, 133000000009999999ULL,
                                  133000000010000000ULL, 133000000001234567ULL};
    int format;
    unsigned k;

    for (format = EF_RENDER_NATIVE; format <= EF_RENDER_ECS; format++) {
        struct fx f;
        char first[4096];

        fx_setup(&f, format, names[_i]);
        snprintf(first, sizeof(first), "%s", both(&f, 3, 4, ts[0]));
        /* The same plan with another task and level must not reuse the cached run. */
        if (format == EF_RENDER_NATIVE) /* ECS shows the task's name only */
            ck_assert_str_ne(both(&f, 9, 4, ts[0]), first);
        else
            both(&f, 9, 4, ts[0]);
        ck_assert_str_ne(both(&f, 3, 2, ts[0]), first);
        /* Times across a second boundary and back: the cached prefix follows. */
        for (k = 0; k < 4; k++)
            both(&f, 3, 4, ts[k]);
        ck_assert_str_eq(both(&f, 3, 4, ts[0]), first);
        fx_teardown(&f);
    }
}
END_TEST

START_TEST(no_schema_runs_match_plain)
{
    struct fx f;
    struct ef_event ev;
    char first[4096];
    uint16_t id;

    fx_setup(&f, _i, "Plain");
    for (id = 100; id < 103; id++) {
        fx_record(&f.rec, id, &f.p);
        f.rec.task = id;
        ef_decoder_decode(f.dec, &f.rec, &ev);
        ck_assert_ptr_null(ev.schema);
        ef_buf_reset(&f.a);
        ef_buf_reset(&f.b);
        ck_assert_int_eq(ef_render_event(f.fast, &ev, &f.a), 0);
        ck_assert_int_eq(ef_render_event(f.fast, &ev, &f.b), 0); /* cached the second time */
        ck_assert_str_eq(f.a.data, f.b.data);
        if (id == 100)
            snprintf(first, sizeof(first), "%s", f.a.data);
        else
            ck_assert_str_ne(f.a.data, first);
    }
    fx_teardown(&f);
}
END_TEST

START_TEST(digit_pairs)
{
    static const uint64_t v[] = {0,
                                 1,
                                 9,
                                 10,
                                 99,
                                 100,
                                 101,
                                 999,
                                 1000,
                                 65535,
                                 4294967295u,
                                 4294967296ULL,
                                 10000000000000000000ULL,
                                 18446744073709551615ULL};
    char tmp[24], want[24];
    unsigned i;
    size_t n;

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        n = ef_render_fmt_u64(tmp + sizeof(tmp), v[i]);
        snprintf(want, sizeof(want), "%llu", (unsigned long long)v[i]);
        ck_assert_uint_eq(n, strlen(want));
        ck_assert_int_eq(memcmp(tmp + sizeof(tmp) - n, want, n), 0);
    }
}
END_TEST

TCase *ef_render_fast_case(void);

TCase *ef_render_fast_case(void)
{
    TCase *tc = tcase_create("fast_paths");

    tcase_add_loop_test(tc, keys_and_runs_match_plain, 0, sizeof(names) / sizeof(names[0]));
    tcase_add_loop_test(tc, no_schema_runs_match_plain, EF_RENDER_NATIVE, EF_RENDER_ECS + 1);
    tcase_add_test(tc, digit_pairs);
    return tc;
}

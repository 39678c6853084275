/*
 * test_decode_enrich.c - the decoder's corrections for real traces: the
 * well-known enrichments (enrich.c), MOF payloads that end at a field
 * boundary, and events decoded by a MOF version fallback.
 */
#include "runner.h"

#include "decode/decoder.h"
#include "decode_fixture.h"
#include "util/error.h"

#include <string.h>

/* A source that answers its one schema for every record. */
static int one_lookup(void *ctx, const struct ef_record *r, const struct ef_schema **out)
{
    (void)r;
    *out = ctx;
    return 0;
}

static const struct ef_schema_source_ops one_ops = {
    .name = "one",
    .lookup = one_lookup,
};

struct run {
    struct ef_decoder *d;
    struct ef_record rec;
    struct ef_event ev;
    int rc;
};

static void run(struct run *t, const struct ef_schema *s, uint8_t version,
                const struct fx_payload *p)
{
    struct ef_schema_source src = {&one_ops, (void *)s};

    memset(t, 0, sizeof(*t));
    ck_assert_int_eq(ef_decoder_new(NULL, &t->d), 0);
    ck_assert_int_eq(ef_decoder_add_source(t->d, src), 0);
    fx_record(&t->rec, s->id, p);
    t->rec.provider = s->provider->guid;
    t->rec.version = version;
    t->rc = ef_decoder_decode(t->d, &t->rec, &t->ev);
}

static const struct ef_value *find(const struct ef_event *ev, const char *name)
{
    uint32_t i;

    for (i = 0; i < ev->count; i++) {
        if (ev->values[i].depth == 0 && ev->values[i].name && strcmp(ev->values[i].name, name) == 0)
            return &ev->values[i];
    }
    return NULL;
}

static const char *value_name(const struct ef_value *v)
{
    uint32_t i;

    for (i = 0; v->field->map && i < v->field->map->count; i++) {
        if (v->field->map->entries[i].value == v->v.u)
            return v->field->map->entries[i].name;
    }
    return NULL;
}

static const struct ef_provider_info kernel_file = {
    {0xedd08927, 0x9cc4, 0x4e65, {0xb9, 0x70, 0xc2, 0x56, 0x0f, 0xb5, 0xc2, 0x89}},
    "Microsoft-Windows-Kernel-File",
    0,
    NULL,
};

static const struct ef_field create_fields[] = {
    {.name = "CreateOptions", .intype = EF_IN_UINT32, .outtype = EF_OUT_HEXINT32},
    {.name = "ShareAccess", .intype = EF_IN_UINT32, .outtype = EF_OUT_HEXINT32},
    {.name = "CreateDisposition", .intype = EF_IN_UINT32},
};

struct enrich_case {
    uint8_t version;
    uint16_t id;
    uint16_t fields; /* 2: without CreateDisposition, 3: the schema has it */
    uint32_t options, share;
    const char *disposition; /* NULL: no derived value expected */
    int share_mapped;
};

static const struct enrich_case enrich_cases[] = {
    {1, 12, 2, 0x01200000, 7, "OPEN_EXISTING", 1},
    {0, 12, 2, 0x05000020, 3, "CREATE_ALWAYS", 1},
    {1, 12, 2, 0x00000040, 0, "SUPERSEDE", 1},
    {1, 12, 2, 0x09000000, 1, NULL, 1}, /* 9: no name, the value is still added */
    {2, 12, 2, 0x01000000, 7, NULL, 0}, /* a version the table does not name */
    {1, 13, 2, 0x01000000, 7, NULL, 0}, /* another event */
    {1, 12, 3, 0x01000000, 7, NULL, 0}, /* the schema already has the value */
};

START_TEST(kernel_file_create_table)
{
    const struct enrich_case *c = &enrich_cases[_i];
    struct ef_schema s = {.provider = &kernel_file, .id = c->id, .version = c->version};
    const struct ef_value *disp, *share;
    struct fx_payload p = {{0}, 0};
    struct run t;

    s.fields = create_fields;
    s.field_count = s.top_count = c->fields;
    fx_u32(&p, c->options);
    fx_u32(&p, c->share);
    if (c->fields == 3)
        fx_u32(&p, 1);
    run(&t, &s, c->version, &p);
    ck_assert_int_eq(t.rc, 0);
    ck_assert_uint_eq(t.ev.flags, 0);
    disp = find(&t.ev, "CreateDisposition");
    share = find(&t.ev, "ShareAccess");
    ck_assert_ptr_nonnull(share);
    ck_assert_uint_eq(share->v.u, c->share); /* the raw value stays */
    ck_assert_uint_eq(find(&t.ev, "CreateOptions")->v.u, c->options);
    if (c->share_mapped) {
        ck_assert_ptr_nonnull(share->field->map);
        ck_assert_int_eq(share->field->map->kind, EF_MAP_BITMAP);
        ck_assert_ptr_nonnull(disp);
        ck_assert_uint_eq(t.ev.count, 3);
        ck_assert_ptr_eq(disp, &t.ev.values[2]); /* after the decoded fields */
        ck_assert_uint_eq(disp->v.u, c->options >> 24);
        ck_assert_int_eq(disp->kind, EF_V_UINT);
        if (c->disposition)
            ck_assert_str_eq(value_name(disp), c->disposition);
        else
            ck_assert_ptr_null(value_name(disp));
    } else {
        ck_assert_ptr_null(share->field->map);
        ck_assert_uint_eq(t.ev.count, c->fields);
        if (c->fields == 2)
            ck_assert_ptr_null(disp);
    }
    ef_decoder_free(t.d);
}
END_TEST

/* Three UINT32 fields A, B, C. */
static const struct ef_field abc[] = {
    {.name = "A", .intype = EF_IN_UINT32},
    {.name = "B", .intype = EF_IN_UINT32},
    {.name = "C", .intype = EF_IN_UINT32},
};

struct layout_case {
    uint8_t schema_flags;
    uint8_t schema_version, record_version;
    uint32_t bytes;
    int rc;
    uint32_t values;
    uint32_t flags;
    uint32_t rest_offset;
};

#define FB  EF_EVT_SCHEMA_FALLBACK
#define LM  EF_EVT_LAYOUT_MISMATCH
#define END EF_SCHEMA_END_AT_FIELD
#define VER EF_SCHEMA_VERSIONED

static const struct layout_case layout_cases[] = {
    /* Ending at a field boundary: fine with END_AT_FIELD, an error without. */
    {END, 0, 2, 12, 0, 3, 0, 12},
    {END, 0, 2, 8, 0, 2, 0, 8},
    {END, 0, 2, 4, 0, 1, 0, 4},
    {END, 0, 2, 0, EF_ETRUNC, 0, EF_EVT_DECODE_ERROR, 0}, /* not even the first field */
    {END, 0, 2, 6, EF_ETRUNC, 1, EF_EVT_DECODE_ERROR, 4}, /* inside B: rest from B */
    {0, 0, 2, 8, EF_ETRUNC, 2, EF_EVT_DECODE_ERROR, 8},
    /* A version fallback says so, and says when the payload does not fit. */
    {VER | END, 2, 2, 16, 0, 3, 0, 16},       /* same version: no fallback */
    {VER | END, 2, 3, 12, 0, 3, FB, 12},      /* ends where the older layout ends */
    {VER | END, 2, 4, 16, 0, 3, FB | LM, 12}, /* bytes left over: kept as the rest */
    {VER | END, 2, 4, 8, 0, 2, FB | LM, 8},   /* fields missing */
    {VER | END, 2, 4, 6, EF_ETRUNC, 1, FB | LM | EF_EVT_DECODE_ERROR, 4},
    {END, 2, 4, 16, 0, 3, 0, 16}, /* version not stated by the source: no fallback */
};

START_TEST(layout_table)
{
    const struct layout_case *c = &layout_cases[_i];
    struct ef_schema s = {.provider = &fx_provider, .id = 1, .version = c->schema_version};
    struct fx_payload p = {{0}, 0};
    struct ef_decoder_stats st;
    struct run t;
    uint32_t i;

    s.fields = abc;
    s.field_count = s.top_count = 3;
    s.source = EF_SCHEMA_MOF;
    s.flags = c->schema_flags;
    for (i = 0; i < c->bytes; i++)
        fx_u8(&p, (uint8_t)i);
    run(&t, &s, c->record_version, &p);
    ck_assert_int_eq(t.rc, c->rc);
    ck_assert_uint_eq(t.ev.count, c->values);
    ck_assert_uint_eq(t.ev.flags, c->flags);
    ck_assert_uint_eq(t.ev.rest_offset, c->rest_offset);
    ef_decoder_stats(t.d, &st);
    ck_assert_uint_eq(st.fallback, (c->flags & FB) ? 1 : 0);
    ck_assert_uint_eq(st.layout_mismatch, (c->flags & LM) ? 1 : 0);
    ck_assert_uint_eq(st.decode_errors, c->rc ? 1 : 0);
    ef_decoder_free(t.d);
}
END_TEST

TCase *ef_decode_enrich_case(void);

TCase *ef_decode_enrich_case(void)
{
    TCase *tc = tcase_create("enrich");

    tcase_add_loop_test(tc, kernel_file_create_table, 0,
                        sizeof(enrich_cases) / sizeof(enrich_cases[0]));
    tcase_add_loop_test(tc, layout_table, 0, sizeof(layout_cases) / sizeof(layout_cases[0]));
    return tc;
}

/*
 * test_etw_tdh_win.c - the TDH schema source against the scripted fake.
 *
 * The fake serves the TRACE_EVENT_INFO and EVENT_MAP_INFO blobs that
 * net.4.5.2.x86.etl embeds, so the TDH source must build exactly the
 * schemas the embedded source builds from the same blobs: same names,
 * fields, types, lengths, counts and maps. Then the fake fails and lies,
 * one way per row, and the source must answer with the right EF_E* code,
 * keep only what deserves keeping, and never loop or read past its buffer.
 */
#include "runner.h"

#include "fake_etw.h"

#include "decode/embedded.h"
#include "etw/tdh_source.h"
#include "util/attr.h"
#include "util/error.h"

#include <string.h>

#define NET_ETL "testdata/etl/perfview/net.4.5.2.x86.etl"

static const struct ef_guid clr = {
    0xe13c0d23, 0xccbc, 0x4e12, {0x93, 0x1b, 0xd9, 0xcc, 0x2e, 0xee, 0x27, 0xe4}};

static struct ef_schema_source embedded;
static struct ef_schema_source tdh;
static size_t n_events;

static void setup(void)
{
    struct ef_etw_api api;

    ck_assert_int_eq(ef_embedded_source_create(0, &embedded), 0);
    n_events = fake_etw_load(NET_ETL, &embedded);
    fake_etw_api(&api);
    ck_assert_int_eq(ef_tdh_source_create(&api, 0, &tdh), 0);
}

static void teardown(void)
{
    tdh.ops->destroy(tdh.ctx);
    embedded.ops->destroy(embedded.ctx);
    fake_etw_unload();
}

static void same_str(const char *a, const char *b, const char *what, size_t i)
{
    ck_assert_msg((!a && !b) || (a && b && strcmp(a, b) == 0), "event %zu %s: \"%s\" vs \"%s\"", i,
                  what, a ? a : "(null)", b ? b : "(null)");
}

/* Returns 1 when both fields had a map (and they were equal). */
static int same_map(const struct ef_map *a, const struct ef_map *b, size_t i)
{
    uint32_t k;

    ck_assert_msg(!a == !b, "event %zu: map %s vs %s", i, a ? a->name : "(none)",
                  b ? b->name : "(none)");
    if (!a)
        return 0;
    same_str(a->name, b->name, "map name", i);
    ck_assert_uint_eq(a->kind, b->kind);
    ck_assert_uint_eq(a->count, b->count);
    for (k = 0; k < a->count; k++) {
        ck_assert_uint_eq(a->entries[k].value, b->entries[k].value);
        same_str(a->entries[k].name, b->entries[k].name, "map entry", i);
    }
    return 1;
}

/* Compares a TDH schema with the embedded one; returns how many maps were compared. */
static unsigned same_schema(const struct ef_schema *t, const struct ef_schema *e, size_t i)
{
    unsigned maps = 0;
    uint16_t k;

    ck_assert_uint_eq(t->source, EF_SCHEMA_TDH);
    ck_assert_uint_eq(e->source, EF_SCHEMA_EMBEDDED_TEI);
    ck_assert_ptr_nonnull(t->provider);
    ck_assert(ef_guid_equal(&t->provider->guid, &e->provider->guid));
    same_str(t->provider->name, e->provider->name, "provider", i);
    ck_assert_uint_eq(t->id, e->id);
    ck_assert_uint_eq(t->version, e->version);
    ck_assert_uint_eq(t->opcode, e->opcode);
    ck_assert_uint_eq(t->level, e->level);
    ck_assert_uint_eq(t->channel, e->channel);
    ck_assert_uint_eq(t->task, e->task);
    ck_assert(t->keywords == e->keywords);
    same_str(t->event_name, e->event_name, "event name", i);
    same_str(t->task_name, e->task_name, "task", i);
    same_str(t->opcode_name, e->opcode_name, "opcode", i);
    same_str(t->level_name, e->level_name, "level", i);
    same_str(t->channel_name, e->channel_name, "channel", i);
    same_str(t->message, e->message, "message", i);
    ck_assert_uint_eq(t->field_count, e->field_count);
    ck_assert_uint_eq(t->top_count, e->top_count);
    for (k = 0; k < t->field_count; k++) {
        const struct ef_field *a = &t->fields[k], *b = &e->fields[k];

        same_str(a->name, b->name, "field", i);
        ck_assert_uint_eq(a->intype, b->intype);
        ck_assert_uint_eq(a->outtype, b->outtype);
        ck_assert_uint_eq(a->flags, b->flags);
        ck_assert_uint_eq(a->count, b->count);
        ck_assert_uint_eq(a->count_ref, b->count_ref);
        ck_assert_uint_eq(a->length, b->length);
        ck_assert_uint_eq(a->length_ref, b->length_ref);
        ck_assert_uint_eq(a->struct_first, b->struct_first);
        ck_assert_uint_eq(a->struct_count, b->struct_count);
        maps += (unsigned)same_map(a->map, b->map, i);
    }
    return maps;
}

START_TEST(tdh_same_as_embedded)
{
    EVENT_RECORD er;
    struct ef_record r;
    const struct ef_schema *t, *e, *again;
    unsigned maps = 0, calls;
    size_t i;
    int rc_t, rc_e;

    /* 61 EventInfo records, a few of them repeats of a schema already seen. */
    ck_assert_uint_ge(n_events, 50);
    for (i = 0; i < n_events; i++) {
        fake_etw_record(fake_etw_event(i), &er, &r);
        t = e = NULL;
        rc_e = embedded.ops->lookup(embedded.ctx, &r, &e);
        rc_t = tdh.ops->lookup(tdh.ctx, &r, &t);
        ck_assert_msg(rc_t == rc_e, "event %zu: tdh %s, embedded %s", i, ef_errname(rc_t),
                      ef_errname(rc_e));
        ck_assert_msg(rc_t == 0, "event %zu: %s", i, ef_errname(rc_t));
        maps += same_schema(t, e, i);
    }
    /* DotNETRuntime, Rundown, DNS-Client and Kernel-Process fields carry maps. */
    ck_assert_uint_ge(maps, 10);
    /* TDH was first asked with an empty buffer, and grew it. */
    ck_assert_uint_ge(fake_etw.event_short, 1);
    ck_assert_uint_ge(fake_etw.map_short, 1);
    /* Each {provider, map name} was asked once, however many events name it. */
    ck_assert_uint_eq(fake_etw.map_repeats, 0);

    /* Asked again, the source answers from its own table. */
    calls = fake_etw.event_calls;
    for (i = 0; i < n_events; i++) {
        fake_etw_record(fake_etw_event(i), &er, &r);
        ck_assert_int_eq(embedded.ops->lookup(embedded.ctx, &r, &e), 0);
        ck_assert_int_eq(tdh.ops->lookup(tdh.ctx, &r, &again), 0);
        same_schema(again, e, i);
    }
    ck_assert_uint_eq(fake_etw.event_calls, calls);
}
END_TEST

/* Records the source must not take to TDH. */
START_TEST(tdh_not_for_tdh)
{
    EVENT_RECORD er;
    struct ef_record r;
    const struct ef_schema *s = NULL;

    fake_etw_record(fake_etw_event(0), &er, &r);
    r.native = NULL; /* read from an .etl file by core/etl */
    ck_assert_int_eq(tdh.ops->lookup(tdh.ctx, &r, &s), EF_ENOENT);
    fake_etw_record(fake_etw_event(0), &er, &r);
    r.kind = EF_REC_WPP;
    ck_assert_int_eq(tdh.ops->lookup(tdh.ctx, &r, &s), EF_ENOENT);
    r.kind = EF_REC_LOGFILE_HEADER;
    ck_assert_int_eq(tdh.ops->lookup(tdh.ctx, &r, &s), EF_ENOENT);
    ck_assert_uint_eq(fake_etw.event_calls, 0);
    ck_assert_ptr_null(s);
}
END_TEST

/* An event TDH does not know is asked about again next time (a manifest may appear). */
START_TEST(tdh_unknown_not_kept)
{
    EVENT_RECORD er;
    struct ef_record r;
    const struct ef_schema *s = NULL;

    fake_etw_record(fake_etw_event(0), &er, &r);
    er.EventHeader.EventDescriptor.Id = 0xfff0;
    r.id = 0xfff0;
    ck_assert_int_eq(tdh.ops->lookup(tdh.ctx, &r, &s), EF_ENOENT);
    ck_assert_int_eq(tdh.ops->lookup(tdh.ctx, &r, &s), EF_ENOENT);
    ck_assert_uint_eq(fake_etw.event_calls, 2);
    ck_assert_ptr_null(s);
}
END_TEST

/* A source whose memory cap is reached says so and keeps nothing. */
START_TEST(tdh_memory_cap)
{
    struct ef_etw_api api;
    struct ef_schema_source small;
    EVENT_RECORD er;
    struct ef_record r;
    const struct ef_schema *s = NULL;

    fake_etw_api(&api);
    ck_assert_int_eq(ef_tdh_source_create(&api, 64, &small), 0);
    fake_etw_record(fake_etw_event(0), &er, &r);
    ck_assert_int_eq(small.ops->lookup(small.ctx, &r, &s), EF_ELIMIT);
    ck_assert_int_eq(small.ops->lookup(small.ctx, &r, &s), EF_ELIMIT);
    /* Asked twice: the first time growing the buffer, the second time not. */
    ck_assert_uint_eq(fake_etw.event_calls, 3);
    small.ops->destroy(small.ctx);
}
END_TEST

START_TEST(tdh_api_without_tdh)
{
    struct ef_etw_api api;
    struct ef_schema_source src;

    memset(&api, 0, sizeof(api));
    ck_assert_int_eq(ef_tdh_source_create(&api, 0, &src), EF_ENOTSUP);
    fake_etw_api(&api);
    api.get_event_map_information = NULL;
    ck_assert_int_eq(ef_tdh_source_create(&api, 0, &src), EF_ENOTSUP);
}
END_TEST

TCase *ef_etw_tdh_case(void);
TCase *ef_etw_tdh_case(void)
{
    TCase *tc = tcase_create("tdh");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, tdh_same_as_embedded);
    tcase_add_test(tc, tdh_not_for_tdh);
    tcase_add_test(tc, tdh_unknown_not_kept);
    tcase_add_test(tc, tdh_memory_cap);
    tcase_add_test(tc, tdh_api_without_tdh);
    return tc;
}

/* ---- the fake fails or lies, one way per row ---- */

enum { ANY_ERROR = 1 }; /* want: some error other than EF_ENOENT */

static const struct row {
    const char *name;
    ULONG event_status;
    ULONG map_status;
    enum fake_lie lie;
    int want;       /* lookup's result, or ANY_ERROR */
    unsigned calls; /* TdhGetEventInformation calls for the first lookup */
    int kept;       /* a second lookup makes no call */
    int has_map;    /* the Reason field has GCReasonMap */
} rows[] = {
    {"honest", 0, 0, FAKE_HONEST, 0, 2, 1, 1},
    {"not found", ERROR_NOT_FOUND, 0, FAKE_HONEST, EF_ENOENT, 1, 0, 0},
    {"no resources", ERROR_RESOURCE_TYPE_NOT_FOUND, 0, FAKE_HONEST, EF_ENOENT, 1, 0, 0},
    {"invalid parameter", ERROR_INVALID_PARAMETER, 0, FAKE_HONEST, EF_EINVAL, 1, 0, 0},
    {"access denied", ERROR_ACCESS_DENIED, 0, FAKE_HONEST, EF_EACCES, 1, 0, 0},
    {"asks for 4 GiB", 0, 0, FAKE_HUGE, EF_ELIMIT, 1, 0, 0},
    {"never enough", 0, 0, FAKE_FOREVER, EF_ESYS, 4, 0, 0},
    {"asks for nothing", 0, 0, FAKE_SMALLER, 0, 3, 1, 1},
    {"half a blob", 0, 0, FAKE_TRUNCATED, ANY_ERROR, 2, 1, 0},
    {"overstated size", 0, 0, FAKE_OVERSTATED, 0, 2, 1, 1},
    {"map not found", 0, ERROR_NOT_FOUND, FAKE_HONEST, 0, 2, 1, 0},
    {"map invalid parameter", 0, ERROR_INVALID_PARAMETER, FAKE_HONEST, 0, 2, 1, 0},
};

START_TEST(tdh_script)
{
    const struct row *w = &rows[_i];
    const struct fake_event *gc = NULL;
    EVENT_RECORD er;
    struct ef_record r;
    const struct ef_schema *s = NULL, *s2 = NULL;
    unsigned calls;
    size_t i;
    int rc, rc2;

    /* GCStart_V1: DotNETRuntime id 1 version 1, whose Reason field names GCReasonMap. */
    for (i = 0; i < n_events && !gc; i++) {
        const struct fake_event *e = fake_etw_event(i);

        if (!e->mof && ef_guid_equal(&e->provider, &clr) && e->id == 1 && e->version == 1)
            gc = e;
    }
    ck_assert_ptr_nonnull(gc);
    fake_etw.event_status = w->event_status;
    fake_etw.map_status = w->map_status;
    fake_etw.event_lie = w->lie;
    fake_etw_record(gc, &er, &r);

    rc = tdh.ops->lookup(tdh.ctx, &r, &s);
    if (w->want == ANY_ERROR)
        ck_assert_msg(rc < 0 && rc != EF_ENOENT, "%s: %s", w->name, ef_errname(rc));
    else
        ck_assert_msg(rc == w->want, "%s: %s, want %s", w->name, ef_errname(rc),
                      ef_errname(w->want));
    ck_assert_msg(fake_etw.event_calls == w->calls, "%s: %u calls, want %u", w->name,
                  fake_etw.event_calls, w->calls);

    calls = fake_etw.event_calls;
    rc2 = tdh.ops->lookup(tdh.ctx, &r, &s2);
    ck_assert_int_eq(rc2, rc);
    if (w->kept)
        ck_assert_msg(fake_etw.event_calls == calls, "%s: asked TDH again", w->name);
    else
        ck_assert_msg(fake_etw.event_calls > calls, "%s: kept an answer it should not", w->name);
    if (rc < 0)
        return;
    ck_assert_ptr_eq(s, s2);
    ck_assert_str_eq(s->provider->name, "Microsoft-Windows-DotNETRuntime");
    for (i = 0; i < s->field_count && strcmp(s->fields[i].name, "Reason") != 0; i++)
        ;
    ck_assert_uint_lt(i, s->field_count);
    if (w->has_map) {
        ck_assert_ptr_nonnull(s->fields[i].map);
        ck_assert_str_eq(s->fields[i].map->name, "GCReasonMap");
        ck_assert_uint_eq(s->fields[i].map->count, 10);
        ck_assert_str_eq(s->fields[i].map->entries[0].name, "AllocSmall");
    } else {
        ck_assert_ptr_null(s->fields[i].map);
    }
    ck_assert_uint_ge(fake_etw.map_calls, 1);
}
END_TEST

TCase *ef_etw_tdh_errors_case(void);
TCase *ef_etw_tdh_errors_case(void)
{
    TCase *tc = tcase_create("tdh_errors");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, tdh_script, 0, (int)EF_ARRAY_LEN(rows));
    return tc;
}

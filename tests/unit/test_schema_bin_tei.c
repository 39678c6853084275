/*
 * test_schema_bin_tei.c - the TRACE_EVENT_INFO / EVENT_MAP_INFO reader.
 *
 * A valid blob built as TDH lays them out is parsed and checked field by
 * field; then table-driven mutations of it reach every error path.
 */
#include "runner.h"
#include "schema_bin_blob.h"

#include "decode/tei.h"
#include "util/bytes.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static const struct ef_guid provider = {
    0xedd08927, 0x9cc4, 0x4e65, {0xb9, 0x70, 0xc2, 0x56, 0x0f, 0xb5, 0xc2, 0x89}};

static const struct ef_map_entry amap_entries[] = {{1, "One"}};
static const struct ef_map amap = {"AMap", EF_MAP_VALUE, 1, amap_entries};

static const struct ef_map *find_amap(void *ctx, const struct ef_guid *g, const char *name)
{
    int *calls = ctx;

    (*calls)++;
    return ef_guid_equal(g, &provider) && strcmp(name, "AMap") == 0 ? &amap : NULL;
}

/*
 * The base blob: Count (UINT16), Data (BINARY, length from Count), Items
 * (struct[Count] of A: UINT32 hex with map AMap, B: string), top-level 3.
 */
static void base(struct tb *t)
{
    uint8_t *p;

    tb_event(t, &provider, 12, 1, EF_TEI_DS_XML, 5, 3);
    tb_name(t, 52, "Microsoft-Windows-Kernel-File ");
    tb_name(t, 56, "win:Informational");
    tb_name(t, 68, "Create");
    tb_name(t, 72, "win:Info");
    tb_name(t, 76, "File %7 opened ");
    tb_name(t, 92, "CreateEvent");
    tb_prop(t, 0, 0, "Count", EF_IN_UINT16, 0, NULL, 1, 2);
    tb_prop(t, 1, EF_TEI_PROP_PARAM_LENGTH, "Data", EF_IN_BINARY, 0, NULL, 1, 0);
    tb_struct(t, 2, "Items", 3, 2);
    p = t->b + t->props + 2 * EF_TEI_PROPERTY_SIZE;
    ef_put_le32(p, EF_TEI_PROP_STRUCT | EF_TEI_PROP_PARAM_COUNT);
    ef_put_le16(p + 16, 0);
    tb_prop(t, 3, 0, "A", EF_IN_UINT32, EF_OUT_HEXINT32, "AMap", 1, 4);
    tb_prop(t, 4, 0, "B", EF_IN_UNICODESTRING, 0, NULL, 1, 0);
}

START_TEST(tei_parse_base)
{
    struct tb *t = malloc(sizeof(*t));
    struct ef_arena a;
    const struct ef_schema *s = NULL;
    int calls = 0;
    struct ef_tei_env env = {find_amap, NULL, &calls};
    struct ef_tei_header h;

    base(t);
    ef_arena_init(&a, 1 << 20);
    ck_assert_int_eq(ef_tei_header(t->b, t->len, &h), 0);
    ck_assert_uint_eq(h.id, 12);
    ck_assert_uint_eq(h.property_count, 5);
    ck_assert_int_eq(ef_tei_parse(t->b, t->len, &a, &env, &s), 0);
    ck_assert_str_eq(s->provider->name, "Microsoft-Windows-Kernel-File");
    ck_assert(ef_guid_equal(&s->provider->guid, &provider));
    /* Standard winmeta names come out as the manifest source shows them. */
    ck_assert_str_eq(s->level_name, "Information");
    ck_assert_str_eq(s->task_name, "Create");
    ck_assert_str_eq(s->opcode_name, "Info");
    ck_assert_str_eq(s->message, "File %7 opened "); /* templates keep their spaces */
    ck_assert_str_eq(s->event_name, "CreateEvent");
    ck_assert_ptr_null(s->channel_name);
    ck_assert_uint_eq(s->id, 12);
    ck_assert_uint_eq(s->version, 1);
    ck_assert_uint_eq(s->channel, 16);
    ck_assert_uint_eq(s->level, 4);
    ck_assert_uint_eq(s->opcode, 1);
    ck_assert_uint_eq(s->task, 7);
    ck_assert(s->keywords == 0x8000000000000010ull);
    ck_assert_uint_eq(s->source, EF_SCHEMA_EMBEDDED_TEI);
    ck_assert_uint_eq(s->field_count, 5);
    ck_assert_uint_eq(s->top_count, 3);
    ck_assert_str_eq(s->fields[0].name, "Count");
    ck_assert_uint_eq(s->fields[0].flags, 0); /* length 2 restates the size: not a length */
    ck_assert_str_eq(s->fields[1].name, "Data");
    ck_assert_uint_eq(s->fields[1].flags, EF_FIELD_LENGTH_REF);
    ck_assert_uint_eq(s->fields[1].length_ref, 0);
    ck_assert_uint_eq(s->fields[2].flags, EF_FIELD_STRUCT | EF_FIELD_COUNT_REF);
    ck_assert_uint_eq(s->fields[2].struct_first, 3);
    ck_assert_uint_eq(s->fields[2].struct_count, 2);
    ck_assert_uint_eq(s->fields[2].count_ref, 0);
    ck_assert_uint_eq(s->fields[3].intype, EF_IN_UINT32);
    ck_assert_uint_eq(s->fields[3].outtype, EF_OUT_HEXINT32);
    ck_assert_ptr_eq(s->fields[3].map, &amap);
    ck_assert_int_eq(calls, 1);
    ck_assert_ptr_null(s->fields[4].map);
    ck_assert_str_eq(s->fields[4].name, "B");
    ef_arena_free(&a);
    free(t);
}
END_TEST

/* winmeta names: standard ones as the manifest source shows them, others unprefixed. */
static const struct {
    const char *level, *opcode, *task, *channel;
    const char *want_level, *want_opcode, *want_task, *want_channel;
} name_cases[] = {
    {"win:LogAlways", "win:DC_Start", "win:Task", "win:Mine", "Log Always", "DCStart", "Task",
     "Mine"},
    {"win:Verbose", "win:Receive", "Create", "System", "Verbose", "Receive", "Create", "System"},
    {"win:Custom", "win:Other", "win:", "Microsoft-Windows-Kernel-File/Analytic", "Custom", "Other",
     "", "Microsoft-Windows-Kernel-File/Analytic"},
    {"Information", "Start", "win", "winx:y", "Information", "Start", "win", "winx:y"},
};

START_TEST(tei_std_names)
{
    struct tb *t = malloc(sizeof(*t));
    struct ef_arena a;
    const struct ef_schema *s = NULL;
    int calls = 0;
    struct ef_tei_env env = {find_amap, NULL, &calls};

    base(t);
    tb_name(t, 56, name_cases[_i].level);
    tb_name(t, 60, name_cases[_i].channel);
    tb_name(t, 68, name_cases[_i].task);
    tb_name(t, 72, name_cases[_i].opcode);
    ef_arena_init(&a, 1 << 20);
    ck_assert_int_eq(ef_tei_parse(t->b, t->len, &a, &env, &s), 0);
    ck_assert_str_eq(s->level_name, name_cases[_i].want_level);
    ck_assert_str_eq(s->opcode_name, name_cases[_i].want_opcode);
    ck_assert_str_eq(s->task_name, name_cases[_i].want_task);
    ck_assert_str_eq(s->channel_name, name_cases[_i].want_channel);
    ef_arena_free(&a);
    free(t);
}
END_TEST

START_TEST(tei_parse_flags)
{
    struct tb *t = malloc(sizeof(*t));
    struct ef_arena a;
    const struct ef_schema *s = NULL;

    /* Fixed counts and lengths, an explicit zero length, a MOF blob's names. */
    tb_event(t, &provider, 0, 2, EF_TEI_DS_WBEM, 5, 5);
    tb_name(t, 68, "FileIo");
    tb_name(t, 72, "Create");
    tb_name(t, 92, "ActivityIdName");
    tb_prop(t, 0, 0, "Arr", EF_IN_UINT32, 0, NULL, 4, 4);
    tb_prop(t, 1, EF_TEI_PROP_PARAM_FIXED_COUNT, "One", EF_IN_UINT8, 0, NULL, 1, 1);
    tb_prop(t, 2, 0, "Str", EF_IN_UNICODESTRING, 0, NULL, 1, 8);
    tb_prop(t, 3, EF_TEI_PROP_PARAM_FIXED_LENGTH, "Empty", EF_IN_ANSISTRING, 0, NULL, 1, 0);
    tb_prop(t, 4, EF_TEI_PROP_HAS_CUSTOM_SCHEMA, "Custom", EF_IN_BINARY, 0, "x", 1, 0);
    ef_arena_init(&a, 1 << 20);
    ck_assert_int_eq(ef_tei_parse(t->b, t->len, &a, NULL, &s), 0);
    ck_assert_str_eq(s->event_name, "FileIo"); /* MOF: the class, not offset 92 */
    ck_assert_ptr_null(s->provider->name);
    ck_assert_uint_eq(s->fields[0].flags, EF_FIELD_COUNT_FIXED);
    ck_assert_uint_eq(s->fields[0].count, 4);
    ck_assert_uint_eq(s->fields[1].flags, EF_FIELD_COUNT_FIXED);
    ck_assert_uint_eq(s->fields[1].count, 1);
    ck_assert_uint_eq(s->fields[2].flags, EF_FIELD_LENGTH_FIXED);
    ck_assert_uint_eq(s->fields[2].length, 8);
    ck_assert_uint_eq(s->fields[3].flags, EF_FIELD_LENGTH_FIXED);
    ck_assert_uint_eq(s->fields[3].length, 0);
    ck_assert_uint_eq(s->fields[4].intype, EF_IN_BINARY);
    ck_assert_ptr_null(s->fields[4].map);
    ef_arena_free(&a);
    free(t);
}
END_TEST

/* Nested structs: depth levels of struct, each holding the next, then a UINT8. */
static void chain(struct tb *t, uint32_t depth)
{
    uint32_t i;

    tb_event(t, &provider, 1, 0, EF_TEI_DS_XML, depth + 1, 1);
    for (i = 0; i < depth; i++)
        tb_struct(t, i, "S", (uint16_t)(i + 1), 1);
    tb_prop(t, depth, 0, "leaf", EF_IN_UINT8, 0, NULL, 1, 1);
}

START_TEST(tei_depth)
{
    struct tb *t = malloc(sizeof(*t));
    struct ef_arena a;
    const struct ef_schema *s = NULL;

    ef_arena_init(&a, 1 << 20);
    chain(t, EF_TEI_MAX_DEPTH);
    ck_assert_int_eq(ef_tei_parse(t->b, t->len, &a, NULL, &s), 0);
    ck_assert_uint_eq(s->field_count, EF_TEI_MAX_DEPTH + 1);
    chain(t, EF_TEI_MAX_DEPTH + 1);
    ck_assert_int_eq(ef_tei_parse(t->b, t->len, &a, NULL, &s), EF_EFORMAT);
    ef_arena_free(&a);
    free(t);
}
END_TEST

/* A mutation of the base blob and the error it must give. */
struct tei_bad {
    const char *what;
    size_t at; /* byte offset to overwrite, or 0 */
    int width; /* 2 or 4 */
    uint32_t value;
    int cut; /* bytes to drop from the end */
    int rc;
};

#define PROP(i, off) (EF_TEI_HEADER_SIZE + (i)*EF_TEI_PROPERTY_SIZE + (off))

static const struct tei_bad bad_cases[] = {
    {"header cut", 0, 0, 0, -1, EF_ETRUNC},
    {"property array past the end", 100, 4, 400, 0, EF_ETRUNC},
    {"too many properties", 100, 4, 70000, 0, EF_EFORMAT},
    {"top-level count above the count", 104, 4, 6, 0, EF_EFORMAT},
    {"provider name offset past the end", 52, 4, 60000, 0, EF_EFORMAT},
    {"property name offset past the end", PROP(3, 4), 4, 60000, 0, EF_EFORMAT},
    {"map name offset past the end", PROP(3, 12), 4, 60000, 0, EF_EFORMAT},
    {"property without a name", PROP(0, 4), 4, 0, 0, EF_EFORMAT},
    {"last string unterminated", 0, 0, 0, 2, EF_ETRUNC},
    {"struct range past the end", PROP(2, 10), 2, 3, 0, EF_EFORMAT},
    {"struct start out of range", PROP(2, 8), 2, 60000, 0, EF_EFORMAT},
    {"struct containing itself", PROP(2, 8), 2, 2, 0, EF_EFORMAT},
    {"struct members among top-level fields", PROP(2, 8), 2, 1, 0, EF_EFORMAT},
    {"length ref to a later field", PROP(1, 18), 2, 3, 0, EF_EFORMAT},
    {"length ref to itself", PROP(1, 18), 2, 1, 0, EF_EFORMAT},
    {"length ref out of range", PROP(1, 18), 2, 9, 0, EF_EFORMAT},
    {"count ref to a non-integer", PROP(2, 16), 2, 1, 0, EF_EFORMAT},
    {"count ref to a struct member", PROP(2, 16), 2, 3, 0, EF_EFORMAT},
};

START_TEST(tei_bad_table)
{
    const struct tei_bad *c = &bad_cases[_i];
    struct tb *t = malloc(sizeof(*t));
    struct ef_arena a;
    const struct ef_schema *s = NULL;
    uint8_t *copy;
    size_t len;
    int rc;

    base(t);
    if (c->width == 4)
        ef_put_le32(t->b + c->at, c->value);
    else if (c->width == 2)
        ef_put_le16(t->b + c->at, (uint16_t)c->value);
    len = c->cut < 0 ? EF_TEI_HEADER_SIZE - 1 : t->len - (size_t)c->cut;
    /* An exact-size heap copy, so that ASan sees any read past the blob. */
    copy = malloc(len);
    memcpy(copy, t->b, len);
    ef_arena_init(&a, 1 << 20);
    rc = ef_tei_parse(copy, len, &a, NULL, &s);
    ck_assert_msg(rc == c->rc, "%s: rc %d (%s), want %d", c->what, rc, ef_errname(rc), c->rc);
    ef_arena_free(&a);
    free(copy);
    free(t);
}
END_TEST

START_TEST(tei_shared_member)
{
    struct tb *t = malloc(sizeof(*t));
    struct ef_arena a;
    const struct ef_schema *s = NULL;

    tb_event(t, &provider, 1, 0, EF_TEI_DS_XML, 3, 2);
    tb_struct(t, 0, "S1", 2, 1);
    tb_struct(t, 1, "S2", 2, 1);
    tb_prop(t, 2, 0, "x", EF_IN_UINT8, 0, NULL, 1, 1);
    ef_arena_init(&a, 1 << 20);
    ck_assert_int_eq(ef_tei_parse(t->b, t->len, &a, NULL, &s), EF_EFORMAT);
    /* A member may take its count from a top-level field before its struct. */
    tb_event(t, &provider, 1, 0, EF_TEI_DS_XML, 3, 2);
    tb_prop(t, 0, 0, "n", EF_IN_UINT32, 0, NULL, 1, 4);
    tb_struct(t, 1, "S", 2, 1);
    tb_prop(t, 2, EF_TEI_PROP_PARAM_COUNT, "x", EF_IN_UINT8, 0, NULL, 0, 1);
    ck_assert_int_eq(ef_tei_parse(t->b, t->len, &a, NULL, &s), 0);
    ck_assert_uint_eq(s->fields[2].flags, EF_FIELD_COUNT_REF);
    ef_arena_free(&a);
    free(t);
}
END_TEST

/* perfview/net.4.5.2.x86.etl: MetaData/EventMapInfo for DnsIpTypeMap, after its provider GUID. */
static const uint8_t dns_map[] = {
    0x28, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 'D',  0,    'n',  0,    's',
    0,    'I',  0,    'p',  0,    'T',  0,    'y',  0,    'p',  0,    'e',  0,    'M',  0,
    'a',  0,    'p',  0,    0,    0,    's',  0,    't',  0,    'a',  0,    't',  0,    'i',
    0,    'c',  0,    ' ',  0,    0,    0,    'd',  0,    'y',  0,    'n',  0,    'a',  0,
    'm',  0,    'i',  0,    'c',  0,    ' ',  0,    0,    0};

START_TEST(tei_map_real)
{
    struct ef_arena a;
    const struct ef_map *m = NULL;
    uint8_t *copy = malloc(sizeof(dns_map));

    memcpy(copy, dns_map, sizeof(dns_map));
    ef_arena_init(&a, 1 << 20);
    ck_assert_int_eq(ef_tei_parse_map(copy, sizeof(dns_map), &a, &m), 0);
    ck_assert_str_eq(m->name, "DnsIpTypeMap");
    ck_assert_uint_eq(m->kind, EF_MAP_VALUE);
    ck_assert_uint_eq(m->count, 2);
    ck_assert_uint_eq(m->entries[0].value, 0);
    ck_assert_str_eq(m->entries[0].name, "static");
    ck_assert_uint_eq(m->entries[1].value, 1);
    ck_assert_str_eq(m->entries[1].name, "dynamic");
    ck_assert_int_eq(ef_tei_parse_map(copy, sizeof(dns_map) - 2, &a, &m), EF_ETRUNC);
    ck_assert_int_eq(ef_tei_parse_map(copy, 30, &a, &m), EF_ETRUNC);
    ef_arena_free(&a);
    free(copy);
}
END_TEST

START_TEST(tei_map_kinds)
{
    struct tb *t = malloc(sizeof(*t));
    struct ef_arena a;
    const struct ef_map *m = NULL;

    ef_arena_init(&a, 1 << 20);
    /* Value maps come out sorted. */
    tb_map(t, "V", EF_TEI_MAP_MANIFEST_VALUEMAP, 0, 3);
    tb_entry(t, 0, "Three", 3);
    tb_entry(t, 1, "One ", 1);
    tb_entry(t, 2, "Two", 2);
    ck_assert_int_eq(ef_tei_parse_map(t->b, t->len, &a, &m), 0);
    ck_assert_uint_eq(m->kind, EF_MAP_VALUE);
    ck_assert_str_eq(m->entries[0].name, "One");
    ck_assert_str_eq(m->entries[2].name, "Three");
    /* Bitmaps keep their order. */
    tb_map(t, "B", EF_TEI_MAP_MANIFEST_BITMAP, 0, 2);
    tb_entry(t, 0, "Write", 2);
    tb_entry(t, 1, "Read", 1);
    ck_assert_int_eq(ef_tei_parse_map(t->b, t->len, &a, &m), 0);
    ck_assert_uint_eq(m->kind, EF_MAP_BITMAP);
    ck_assert_uint_eq(m->entries[0].value, 2);
    tb_map(t, "F", EF_TEI_MAP_WBEM_FLAG, 0, 1);
    tb_entry(t, 0, "X", 1);
    ck_assert_int_eq(ef_tei_parse_map(t->b, t->len, &a, &m), 0);
    ck_assert_uint_eq(m->kind, EF_MAP_BITMAP);
    /* WBEM maps without values number their entries. */
    tb_map(t, "N", EF_TEI_MAP_WBEM_VALUEMAP | EF_TEI_MAP_WBEM_NO_MAP, 0, 2);
    tb_entry(t, 0, "Zero", 77);
    tb_entry(t, 1, "One", 77);
    ck_assert_int_eq(ef_tei_parse_map(t->b, t->len, &a, &m), 0);
    ck_assert_uint_eq(m->entries[0].value, 0);
    ck_assert_uint_eq(m->entries[1].value, 1);
    /* String-valued entries: numbers are kept, the rest dropped. */
    tb_map(t, "S", EF_TEI_MAP_WBEM_VALUEMAP, 1, 3);
    tb_entry(t, 0, "Ten", 0);
    tb_entry(t, 1, "Word", 0);
    tb_entry(t, 2, "Hex", 0);
    ef_put_le32(t->b + EF_TEI_MAP_HEADER_SIZE + 4, tb_str(t, "10"));
    ef_put_le32(t->b + EF_TEI_MAP_HEADER_SIZE + 12, tb_str(t, "abc"));
    ef_put_le32(t->b + EF_TEI_MAP_HEADER_SIZE + 20, tb_str(t, "0x20"));
    ck_assert_int_eq(ef_tei_parse_map(t->b, t->len, &a, &m), 0);
    ck_assert_uint_eq(m->count, 2);
    ck_assert_uint_eq(m->entries[0].value, 10);
    ck_assert_uint_eq(m->entries[1].value, 32);
    /* Entry strings past the end, counts past the end. */
    tb_map(t, "E", EF_TEI_MAP_MANIFEST_VALUEMAP, 0, 1);
    tb_entry(t, 0, "X", 1);
    ef_put_le32(t->b + EF_TEI_MAP_HEADER_SIZE, 5000);
    ck_assert_int_eq(ef_tei_parse_map(t->b, t->len, &a, &m), EF_EFORMAT);
    ef_put_le32(t->b + 8, 0x40000000);
    ck_assert_int_eq(ef_tei_parse_map(t->b, t->len, &a, &m), EF_ETRUNC);
    ef_arena_free(&a);
    free(t);
}
END_TEST

TCase *ef_schema_bin_tei_case(void);
TCase *ef_schema_bin_tei_case(void)
{
    TCase *tc = tcase_create("tei");

    tcase_add_test(tc, tei_parse_base);
    tcase_add_test(tc, tei_parse_flags);
    tcase_add_loop_test(tc, tei_std_names, 0, (int)(sizeof(name_cases) / sizeof(name_cases[0])));
    tcase_add_test(tc, tei_depth);
    tcase_add_loop_test(tc, tei_bad_table, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    tcase_add_test(tc, tei_shared_member);
    tcase_add_test(tc, tei_map_real);
    tcase_add_test(tc, tei_map_kinds);
    return tc;
}

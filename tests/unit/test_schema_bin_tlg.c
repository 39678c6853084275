/*
 * test_schema_bin_tlg.c - TraceLogging metadata: parsing and the source.
 *
 * The "real" items are the bytes of EVENT_SCHEMA_TL / PROV_TRAITS items as
 * they stand in the shared .etl files (named per case); the others are made
 * up to reach every branch and every error.
 */
#include "runner.h"

#include "decode/tlg.h"
#include "decode/tlg_source.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* One expected field: name, types, flags, count, struct range. */
struct want_field {
    const char *name;
    uint16_t in, out, flags, count, first, members;
};

struct tlg_case {
    const char *what;
    const uint8_t *meta;
    size_t len;
    int rc;
    const char *event;
    uint16_t top;
    uint16_t n;
    struct want_field f[16];
};

/* perfview/primitive-types.etl, solar_system/PrimitiveTypesTest. */
static const uint8_t primitive[] = "\xb6\x00\x00PrimitiveTypesTest\0string_type\0\x02"
                                   "boolean_type\0\x84\x03"
                                   "char_type\0\x84\x02"
                                   "int16_type\0\x05"
                                   "int32_type\0\x07"
                                   "uint16_type\0\x06"
                                   "uint32_type\0\x08"
                                   "int64_type\0\x0a"
                                   "uint64_type\0\x0a"
                                   "guid_type\0\x0f"
                                   "file_time_type\0\x11"
                                   "system_time_type\0\x12";

/* perfview/SelfDescribingSingleEvent.etl, MySource/TestEvent: struct a {b, c}. */
static const uint8_t selfdesc[] = "\x17\x00\x00TestEvent\0a\0\x98\x02"
                                  "b\0\x01"
                                  "c\0\x01";

/* etl-parser/AMSITrace.etl, AmsiTrace/AmsiScript: a variable-count UINT16 string array. */
static const uint8_t amsi[] = "\x2b\x00\x00"
                              "AmsiScript\0Engine\0\x01"
                              "Script\0\x01"
                              "Raw Script\0\xc6\x02";

/* etl-parser/lxcore_kernel.etl, LxCore/BreakPoint: event tags, a counted ANSI string. */
static const uint8_t lxcore[] = "\x64\x00\x80\x00"
                                "BreakPoint\0ErrorLevel\0\x04"
                                "instanceId\0\x0f"
                                "LxPid\0\x07"
                                "LxTid\0\x07"
                                "LxNs\0\x07"
                                "ExecutablePath\0\x17"
                                "Function\0\x02"
                                "Line\0\x08"
                                "Message\0\x02";

/* Made up: nested structs laid out breadth-first, an array of structs, tags. */
static const uint8_t nested[] = "\x27\x00\x00"
                                "N\0"
                                "s\0\x98\x02"             /* struct s, 2 members */
                                "t\0\xb8\x81\x05\x03\x00" /* struct t[3], 1 member, tags */
                                "x\0\x08"
                                "y\0\x86\x04"                  /* UINT16 hex */
                                "z\0\x4d"                      /* BOOL32 vcount */
                                "w\0\x2e\x04\x00"              /* BINARY ccount 4 */
                                "v\0\xe8\x02\x02\x00\x01\x02"; /* custom, 2 schema bytes */

/* Made up: every TlgOut mapping on integers. */
static const uint8_t outs[] = "\x39\x00\x00"
                              "O\0"
                              "a\0\x88\x04"  /* UINT32 HEX */
                              "b\0\x88\x11"  /* UINT32 SIGNED */
                              "c\0\x87\x12"  /* INT32 UNSIGNED */
                              "d\0\x86\x02"  /* UINT16 STRING: a UTF-16 char */
                              "e\0\x8a\x10"  /* UINT64 FILETIME */
                              "f\0\x88\x05"  /* UINT32 PID */
                              "g\0\x82\x23"  /* ANSI UTF8 */
                              "h\0\x8e\x09"  /* BINARY IPV6 */
                              "i\0\x96\x00"  /* COUNTEDSTRING */
                              "j\0\x97\x00"  /* COUNTEDANSISTRING */
                              "k\0\x99\x00"  /* COUNTEDBINARY */
                              "l\0\x91\x26"  /* FILETIME DATETIME_UTC */
                              "m\0\x89\x7e"; /* INT64, unknown out */

#define M(a) (const uint8_t *)(a), sizeof(a) - 1
#define F(n, i, o, fl, c, s0, sn)                                                                  \
    {                                                                                              \
        n, i, o, fl, c, s0, sn                                                                     \
    }

static const struct tlg_case cases[] = {
    {"primitive-types",
     M(primitive),
     0,
     "PrimitiveTypesTest",
     12,
     12,
     {F("string_type", EF_IN_ANSISTRING, 0, 0, 0, 0, 0),
      F("boolean_type", EF_IN_UINT8, EF_OUT_BOOLEAN, 0, 0, 0, 0),
      F("char_type", EF_IN_ANSICHAR, EF_OUT_STRING, 0, 0, 0, 0),
      F("int16_type", EF_IN_INT16, 0, 0, 0, 0, 0), F("int32_type", EF_IN_INT32, 0, 0, 0, 0, 0),
      F("uint16_type", EF_IN_UINT16, 0, 0, 0, 0, 0), F("uint32_type", EF_IN_UINT32, 0, 0, 0, 0, 0),
      F("int64_type", EF_IN_UINT64, 0, 0, 0, 0, 0), /* as the metadata says */
      F("uint64_type", EF_IN_UINT64, 0, 0, 0, 0, 0), F("guid_type", EF_IN_GUID, 0, 0, 0, 0, 0),
      F("file_time_type", EF_IN_FILETIME, 0, 0, 0, 0, 0),
      F("system_time_type", EF_IN_SYSTEMTIME, 0, 0, 0, 0, 0)}},
    {"selfdescribing struct",
     M(selfdesc),
     0,
     "TestEvent",
     1,
     3,
     {F("a", 0, 0, EF_FIELD_STRUCT, 0, 1, 2), F("b", EF_IN_UNICODESTRING, 0, 0, 0, 0, 0),
      F("c", EF_IN_UNICODESTRING, 0, 0, 0, 0, 0)}},
    {"amsi vcount",
     M(amsi),
     0,
     "AmsiScript",
     3,
     3,
     {F("Engine", EF_IN_UNICODESTRING, 0, 0, 0, 0, 0),
      F("Script", EF_IN_UNICODESTRING, 0, 0, 0, 0, 0),
      F("Raw Script", EF_IN_UNICODECHAR, EF_OUT_STRING, EF_FIELD_COUNT_PREFIX, 0, 0, 0)}},
    {"lxcore tags",
     M(lxcore),
     0,
     "BreakPoint",
     9,
     9,
     {F("ErrorLevel", EF_IN_UINT8, 0, 0, 0, 0, 0), F("instanceId", EF_IN_GUID, 0, 0, 0, 0, 0),
      F("LxPid", EF_IN_INT32, 0, 0, 0, 0, 0), F("LxTid", EF_IN_INT32, 0, 0, 0, 0, 0),
      F("LxNs", EF_IN_INT32, 0, 0, 0, 0, 0),
      F("ExecutablePath", EF_IN_COUNTEDANSISTRING, 0, 0, 0, 0, 0),
      F("Function", EF_IN_ANSISTRING, 0, 0, 0, 0, 0), F("Line", EF_IN_UINT32, 0, 0, 0, 0, 0),
      F("Message", EF_IN_ANSISTRING, 0, 0, 0, 0, 0)}},
    {"nested breadth-first",
     M(nested),
     0,
     "N",
     4,
     7,
     {F("s", 0, 0, EF_FIELD_STRUCT, 0, 4, 2),
      F("z", EF_IN_BOOLEAN, 0, EF_FIELD_COUNT_PREFIX, 0, 0, 0),
      F("w", EF_IN_MANIFEST_COUNTEDBINARY, 0, EF_FIELD_COUNT_FIXED, 4, 0, 0),
      F("v", EF_IN_MANIFEST_COUNTEDBINARY, EF_OUT_HEXBINARY, 0, 0, 0, 0),
      F("t", 0, 0, EF_FIELD_STRUCT | EF_FIELD_COUNT_FIXED, 3, 6, 1),
      F("y", EF_IN_UINT16, EF_OUT_HEXINT16, 0, 0, 0, 0), F("x", EF_IN_UINT32, 0, 0, 0, 0, 0)}},
    {"out types",
     M(outs),
     0,
     "O",
     13,
     13,
     {F("a", EF_IN_UINT32, EF_OUT_HEXINT32, 0, 0, 0, 0), F("b", EF_IN_INT32, 0, 0, 0, 0, 0),
      F("c", EF_IN_UINT32, 0, 0, 0, 0, 0), F("d", EF_IN_UNICODECHAR, EF_OUT_STRING, 0, 0, 0, 0),
      F("e", EF_IN_FILETIME, 0, 0, 0, 0, 0), F("f", EF_IN_UINT32, EF_OUT_PID, 0, 0, 0, 0),
      F("g", EF_IN_ANSISTRING, EF_OUT_UTF8, 0, 0, 0, 0),
      F("h", EF_IN_MANIFEST_COUNTEDBINARY, EF_OUT_IPV6, 0, 0, 0, 0),
      F("i", EF_IN_COUNTEDSTRING, 0, 0, 0, 0, 0), F("j", EF_IN_COUNTEDANSISTRING, 0, 0, 0, 0, 0),
      F("k", EF_IN_MANIFEST_COUNTEDBINARY, 0, 0, 0, 0, 0),
      F("l", EF_IN_FILETIME, EF_OUT_DATETIME_UTC, 0, 0, 0, 0), F("m", EF_IN_INT64, 0, 0, 0, 0, 0)}},
    {"no fields",
     M("\x05\x00\x00"
       "E\0"),
     0,
     "E",
     0,
     0,
     {{0}}},
    /* Errors. */
    {"empty", (const uint8_t *)"", 0, EF_ETRUNC, NULL, 0, 0, {{0}}},
    {"size below 2",
     M("\x01\x00\x00"
       "E\0"),
     EF_EFORMAT,
     NULL,
     0,
     0,
     {{0}}},
    {"size past the item",
     M("\x20\x00\x00"
       "E\0"),
     EF_ETRUNC,
     NULL,
     0,
     0,
     {{0}}},
    {"name unterminated",
     M("\x04\x00\x00"
       "E"),
     EF_ETRUNC,
     NULL,
     0,
     0,
     {{0}}},
    {"endless tags",
     M("\x0a\x00\x80\x80\x80\x80\x80\x00"
       "E\0"),
     EF_EFORMAT,
     NULL,
     0,
     0,
     {{0}}},
    {"field name unterminated",
     M("\x07\x00\x00"
       "E\0ab"),
     EF_ETRUNC,
     NULL,
     0,
     0,
     {{0}}},
    {"field without type",
     M("\x07\x00\x00"
       "E\0a\0"),
     EF_ETRUNC,
     NULL,
     0,
     0,
     {{0}}},
    {"outtype missing",
     M("\x08\x00\x00"
       "E\0a\0\x88"),
     EF_ETRUNC,
     NULL,
     0,
     0,
     {{0}}},
    {"ccount cut",
     M("\x09\x00\x00"
       "E\0a\0\x28\x01"),
     EF_ETRUNC,
     NULL,
     0,
     0,
     {{0}}},
    {"custom schema cut",
     M("\x0a\x00\x00"
       "E\0a\0\x6e\x05\x00"),
     EF_ETRUNC,
     NULL,
     0,
     0,
     {{0}}},
    {"null type",
     M("\x08\x00\x00"
       "E\0a\0\x00"),
     EF_EFORMAT,
     NULL,
     0,
     0,
     {{0}}},
    {"pointer type",
     M("\x08\x00\x00"
       "E\0a\0\x10"),
     EF_ENOTSUP,
     NULL,
     0,
     0,
     {{0}}},
    {"unknown type",
     M("\x08\x00\x00"
       "E\0a\0\x1f"),
     EF_EFORMAT,
     NULL,
     0,
     0,
     {{0}}},
    {"struct without count",
     M("\x08\x00\x00"
       "E\0a\0\x18"),
     EF_EFORMAT,
     NULL,
     0,
     0,
     {{0}}},
    {"custom struct",
     M("\x0b\x00\x00"
       "E\0a\0\xf8\x01\x00\x00"),
     EF_EFORMAT,
     NULL,
     0,
     0,
     {{0}}},
    {"struct missing members",
     M("\x0c\x00\x00"
       "E\0a\0\x98\x02"
       "b\0\x01"),
     EF_ETRUNC,
     NULL,
     0,
     0,
     {{0}}},
};

static void check_case(const struct tlg_case *c, const struct ef_schema *s)
{
    uint16_t i;

    ck_assert_str_eq(s->event_name, c->event);
    ck_assert_uint_eq(s->top_count, c->top);
    ck_assert_uint_eq(s->field_count, c->n);
    for (i = 0; i < c->n; i++) {
        const struct ef_field *f = &s->fields[i];
        const struct want_field *w = &c->f[i];

        ck_assert_msg(strcmp(f->name, w->name) == 0, "%s: field %u is %s, want %s", c->what, i,
                      f->name, w->name);
        ck_assert_msg(f->flags == w->flags, "%s: %s flags %#x want %#x", c->what, w->name, f->flags,
                      w->flags);
        if (f->flags & EF_FIELD_STRUCT) {
            ck_assert_uint_eq(f->struct_first, w->first);
            ck_assert_uint_eq(f->struct_count, w->members);
        } else {
            ck_assert_msg(f->intype == w->in && f->outtype == w->out,
                          "%s: %s types %u/%u want %u/%u", c->what, w->name, f->intype, f->outtype,
                          w->in, w->out);
        }
        if (f->flags & EF_FIELD_COUNT_FIXED)
            ck_assert_uint_eq(f->count, w->count);
    }
}

START_TEST(tlg_parse_table)
{
    const struct tlg_case *c = &cases[_i];
    struct ef_arena a;
    struct ef_schema s;
    uint8_t *copy = malloc(c->len ? c->len : 1);
    int rc;

    /* An exact-size heap copy, so that ASan sees any read past the item. */
    memcpy(copy, c->meta, c->len);
    ef_arena_init(&a, 1 << 20);
    memset(&s, 0, sizeof(s));
    rc = ef_tlg_parse(copy, c->len, &a, &s);
    ck_assert_msg(rc == c->rc, "%s: rc %d (%s), want %d", c->what, rc, ef_errname(rc), c->rc);
    if (rc == 0)
        check_case(c, &s);
    ef_arena_free(&a);
    free(copy);
}
END_TEST

START_TEST(tlg_names_and_hash)
{
    static const uint8_t traits[] = "\x0b\x00MySource\0";
    const char *name;
    size_t len;

    ck_assert_int_eq(ef_tlg_event_name(selfdesc, sizeof(selfdesc) - 1, &name, &len), 0);
    ck_assert_uint_eq(len, 9);
    ck_assert_int_eq(memcmp(name, "TestEvent", 9), 0);
    ck_assert_int_eq(ef_tlg_event_name(lxcore, sizeof(lxcore) - 1, &name, &len), 0);
    ck_assert_int_eq(memcmp(name, "BreakPoint", len), 0);
    ck_assert_int_eq(ef_tlg_provider_name(traits, sizeof(traits) - 1, &name, &len), 0);
    ck_assert_int_eq(memcmp(name, "MySource", len), 0);
    ck_assert_int_eq(ef_tlg_provider_name(traits, 5, &name, &len), EF_ETRUNC);
    ck_assert(ef_tlg_hash(selfdesc, sizeof(selfdesc) - 1) != ef_tlg_hash(amsi, sizeof(amsi) - 1));
    /* Bytes past the declared size do not change the hash. */
    ck_assert(ef_tlg_hash(selfdesc, sizeof(selfdesc) - 1) ==
              ef_tlg_hash(selfdesc, sizeof(selfdesc)));
}
END_TEST

/* A record with the given metadata and traits, as a reader would make it. */
static void make_record(struct ef_record *r, struct ef_ext_item ext[2], const uint8_t *meta,
                        size_t mlen, const uint8_t *traits, size_t tlen)
{
    memset(r, 0, sizeof(*r));
    r->kind = EF_REC_EVENT;
    r->provider.data1 = 0x1234;
    r->level = 5;
    r->channel = 11;
    r->pointer_size = 8;
    ext[0].type = EF_EXT_PROV_TRAITS;
    ext[0].size = (uint16_t)tlen;
    ext[0].data = traits;
    ext[1].type = EF_EXT_EVENT_SCHEMA_TL;
    ext[1].size = (uint16_t)mlen;
    ext[1].data = meta;
    r->ext = ext;
    r->ext_count = traits ? 2 : 0;
    if (!traits) {
        r->ext = ext + 1;
        r->ext_count = meta ? 1 : 0;
    }
}

START_TEST(tlg_source_lookup)
{
    static const uint8_t traits[] = "\x0b\x00MySource\0";
    static const uint8_t bad[] = "\x08\x00\x00"
                                 "E\0a\0\x00";
    struct ef_schema_source src;
    struct ef_ext_item ext[2];
    struct ef_record r;
    const struct ef_schema *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL;
    uint8_t meta2[sizeof(selfdesc)];

    ck_assert_int_eq(ef_tlg_source_create(0, &src), 0);
    ck_assert_str_eq(src.ops->name, "tracelogging");
    make_record(&r, ext, selfdesc, sizeof(selfdesc) - 1, traits, sizeof(traits) - 1);
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s1), 0);
    ck_assert_str_eq(s1->event_name, "TestEvent");
    ck_assert_str_eq(s1->provider->name, "MySource");
    ck_assert_uint_eq(s1->provider->guid.data1, 0x1234);
    ck_assert_uint_eq(s1->level, 5);
    ck_assert_uint_eq(s1->source, EF_SCHEMA_TRACELOGGING);

    /* The same layout from another buffer: the cached schema, not a new one. */
    memcpy(meta2, selfdesc, sizeof(selfdesc));
    make_record(&r, ext, meta2, sizeof(selfdesc) - 1, traits, sizeof(traits) - 1);
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s2), 0);
    ck_assert_ptr_eq(s1, s2);

    /* Another level: another schema, the same provider info. */
    r.level = 4;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s3), 0);
    ck_assert_ptr_ne(s1, s3);
    ck_assert_ptr_eq(s1->provider, s3->provider);
    ck_assert_uint_eq(s3->level, 4);

    /* No traits: a provider info without a name. */
    make_record(&r, ext, amsi, sizeof(amsi) - 1, NULL, 0);
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s4), 0);
    ck_assert_ptr_null(s4->provider->name);

    /* No metadata, or not an EVENT_HEADER record: not ours. */
    make_record(&r, ext, NULL, 0, NULL, 0);
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s4), EF_ENOENT);
    make_record(&r, ext, selfdesc, sizeof(selfdesc) - 1, NULL, 0);
    r.kind = EF_REC_CLASSIC;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s4), EF_ENOENT);

    /* Broken metadata: the same error every time (it is cached). */
    make_record(&r, ext, bad, sizeof(bad) - 1, NULL, 0);
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s4), EF_EFORMAT);
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s4), EF_EFORMAT);
    src.ops->destroy(src.ctx);
}
END_TEST

START_TEST(tlg_source_many_and_cap)
{
    struct ef_schema_source src;
    struct ef_ext_item ext[2];
    struct ef_record r;
    const struct ef_schema *s = NULL, *first = NULL;
    int i, rc = 0;

    /* Enough distinct events to grow the table several times; all stay findable. */
    ck_assert_int_eq(ef_tlg_source_create(0, &src), 0);
    make_record(&r, ext, primitive, sizeof(primitive) - 1, NULL, 0);
    for (i = 0; i < 1000; i++) {
        r.id = (uint16_t)i;
        ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s), 0);
        ck_assert_uint_eq(s->id, i);
        if (i == 0)
            first = s;
    }
    r.id = 0;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s), 0);
    ck_assert_ptr_eq(s, first);
    src.ops->destroy(src.ctx);

    /* A small cap: lookups of new layouts end with EF_ELIMIT, never a crash. */
    ck_assert_int_eq(ef_tlg_source_create(100 * 1024, &src), 0);
    for (i = 0; i < 5000 && rc == 0; i++) {
        r.id = (uint16_t)i;
        rc = src.ops->lookup(src.ctx, &r, &s);
    }
    ck_assert_int_eq(rc, EF_ELIMIT);
    src.ops->destroy(src.ctx);
}
END_TEST

TCase *ef_schema_bin_tlg_case(void);
TCase *ef_schema_bin_tlg_case(void)
{
    TCase *tc = tcase_create("tlg");

    tcase_add_loop_test(tc, tlg_parse_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, tlg_names_and_hash);
    tcase_add_test(tc, tlg_source_lookup);
    tcase_add_test(tc, tlg_source_many_and_cap);
    return tc;
}

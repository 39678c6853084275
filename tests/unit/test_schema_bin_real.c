/*
 * test_schema_bin_real.c - the binary schema sources on the shared .etl files.
 *
 * Every record of a file goes through the sources as the decoder would pass
 * it (observe, then lookup); the schemas must be the ones the files' own
 * metadata describe, and the Kernel-File payloads must read, through the
 * embedded schema, as PerfView's baseline prints them.
 */
#include "runner.h"

#include "decode/embedded.h"
#include "decode/tlg_source.h"
#include "etl/etl.h"
#include "util/bytes.h"
#include "util/error.h"

#include <string.h>

/* Runs every record of a file through src; counts records with TraceLogging metadata. */
struct tl_stats {
    unsigned tl; /* records with EVENT_SCHEMA_TL */
    unsigned ok; /* ... whose lookup succeeded */
    const struct ef_schema *first;
};

static void run_tlg(const char *rel, struct ef_schema_source *src, struct tl_stats *st)
{
    char path[1024];
    struct ef_etl_reader *rd = NULL;
    const struct ef_record *r;
    const struct ef_schema *s;
    int rc;

    memset(st, 0, sizeof(*st));
    ck_assert_int_eq(ef_etl_open_file(ef_test_shared_path(rel, path, sizeof(path)), NULL, &rd), 0);
    while ((rc = ef_etl_next(rd, &r)) == 1) {
        if (!ef_record_ext(r, EF_EXT_EVENT_SCHEMA_TL))
            continue;
        st->tl++;
        s = NULL;
        rc = src->ops->lookup(src->ctx, r, &s);
        ck_assert_msg(rc == 0, "%s: lookup: %s", rel, ef_errname(rc));
        st->ok++;
        if (!st->first)
            st->first = s;
    }
    ck_assert_int_eq(rc, 0);
    ef_etl_close(rd);
}

START_TEST(real_primitive_types)
{
    static const char *const names[] = {"string_type", "boolean_type",   "char_type",
                                        "int16_type",  "int32_type",     "uint16_type",
                                        "uint32_type", "int64_type",     "uint64_type",
                                        "guid_type",   "file_time_type", "system_time_type"};
    struct ef_schema_source src;
    struct tl_stats st;
    const struct ef_schema *s;
    unsigned i;

    ck_assert_int_eq(ef_tlg_source_create(0, &src), 0);
    run_tlg("testdata/etl/perfview/primitive-types.etl", &src, &st);
    ck_assert_uint_eq(st.tl, 5);
    s = st.first;
    ck_assert_str_eq(s->provider->name, "solar_system");
    ck_assert_str_eq(s->event_name, "PrimitiveTypesTest");
    ck_assert_uint_eq(s->field_count, 12);
    for (i = 0; i < 12; i++)
        ck_assert_str_eq(s->fields[i].name, names[i]);
    ck_assert_uint_eq(s->fields[1].outtype, EF_OUT_BOOLEAN);
    ck_assert_uint_eq(s->fields[2].intype, EF_IN_ANSICHAR);
    ck_assert_uint_eq(s->fields[7].intype, EF_IN_UINT64); /* the README's quirk */
    ck_assert_uint_eq(s->fields[11].intype, EF_IN_SYSTEMTIME);
    src.ops->destroy(src.ctx);
}
END_TEST

START_TEST(real_selfdescribing_struct)
{
    struct ef_schema_source src;
    struct tl_stats st;
    const struct ef_schema *s;

    ck_assert_int_eq(ef_tlg_source_create(0, &src), 0);
    run_tlg("testdata/etl/perfview/SelfDescribingSingleEvent.etl", &src, &st);
    ck_assert_uint_eq(st.tl, 1);
    s = st.first;
    ck_assert_str_eq(s->provider->name, "MySource");
    ck_assert_str_eq(s->event_name, "TestEvent");
    ck_assert_uint_eq(s->top_count, 1);
    ck_assert_uint_eq(s->fields[0].flags, EF_FIELD_STRUCT);
    ck_assert_str_eq(s->fields[s->fields[0].struct_first].name, "b");
    ck_assert_str_eq(s->fields[s->fields[0].struct_first + 1].name, "c");
    src.ops->destroy(src.ctx);
}
END_TEST

START_TEST(real_amsi_lxcore)
{
    struct ef_schema_source src;
    struct tl_stats st;

    ck_assert_int_eq(ef_tlg_source_create(0, &src), 0);
    run_tlg("testdata/etl/etl-parser/AMSITrace.etl", &src, &st);
    ck_assert_uint_gt(st.tl, 0);
    ck_assert_uint_eq(st.ok, st.tl);
    ck_assert_str_eq(st.first->event_name, "AmsiScript");
    ck_assert_uint_eq(st.first->fields[2].flags, EF_FIELD_COUNT_PREFIX);
    run_tlg("testdata/etl/etl-parser/lxcore_kernel.etl", &src, &st);
    ck_assert_uint_eq(st.tl, 2);
    ck_assert_str_eq(st.first->provider->name, "Microsoft.Windows.Subsystem.LxCore");
    ck_assert_str_eq(st.first->event_name, "BreakPoint");
    src.ops->destroy(src.ctx);
}
END_TEST

static const struct ef_guid kernel_file = {
    0xedd08927, 0x9cc4, 0x4e65, {0xb9, 0x70, 0xc2, 0x56, 0x0f, 0xb5, 0xc2, 0x89}};
static const struct ef_guid clr = {
    0xe13c0d23, 0xccbc, 0x4e12, {0x93, 0x1b, 0xd9, 0xcc, 0x2e, 0xee, 0x27, 0xe4}};

START_TEST(real_embedded_kernel_file)
{
    static const char *const names[] = {"Irp",           "FileObject",       "IssuingThreadId",
                                        "CreateOptions", "CreateAttributes", "ShareAccess",
                                        "FileName"};
    char path[1024];
    struct ef_schema_source src;
    struct ef_etl_reader *rd = NULL;
    const struct ef_record *r;
    const struct ef_schema *s = NULL;
    struct ef_record q;
    unsigned consumed = 0, creates = 0, i;
    int rc, found = 0;

    ck_assert_int_eq(ef_embedded_source_create(0, &src), 0);
    ck_assert_int_eq(ef_etl_open_file(ef_test_shared_path("testdata/etl/perfview/net.4.5.2.x86.etl",
                                                          path, sizeof(path)),
                                      NULL, &rd),
                     0);
    while ((rc = ef_etl_next(rd, &r)) == 1) {
        rc = src.ops->observe(src.ctx, r);
        ck_assert_int_ge(rc, 0);
        consumed += (unsigned)rc;
        if (r->kind != EF_REC_EVENT || !ef_guid_equal(&r->provider, &kernel_file) || r->id != 12)
            continue;
        rc = src.ops->lookup(src.ctx, r, &s);
        ck_assert_msg(rc == 0, "Kernel-File Create: %s", ef_errname(rc));
        creates++;
        ck_assert_uint_eq(s->field_count, 7);
        for (i = 0; i < 7; i++)
            ck_assert_str_eq(s->fields[i].name, names[i]);
        ck_assert_uint_eq(s->fields[0].intype, EF_IN_POINTER);
        ck_assert_uint_eq(s->fields[6].intype, EF_IN_UNICODESTRING);
        /* The baseline's first Create: IrpPtr 0xfffffa83031e6cd8, FileObject
         * 0xfffffa8300142c10, OPEN_EXISTING (1) << 24 | 2097152, ReadWrite, Delete (7). */
        if (r->pointer_size == 8 && r->user_data_len >= 32 &&
            ef_le64(r->user_data) == 0xfffffa83031e6cd8ull &&
            ef_le64(r->user_data + 8) == 0xfffffa8300142c10ull) {
            found = 1;
            ck_assert_uint_eq(ef_le32(r->user_data + 20), 0x01200000u);
            ck_assert_uint_eq(ef_le32(r->user_data + 28), 7u);
        }
    }
    ck_assert_int_eq(rc, 0);
    ef_etl_close(rd);
    ck_assert_uint_eq(consumed, 86); /* 61 EventInfo + 25 EventMapInfo records */
    ck_assert_uint_eq(creates, 968); /* the baseline's COUNT line */
    ck_assert_int_eq(found, 1);
    ck_assert_str_eq(s->provider->name, "Microsoft-Windows-Kernel-File");
    ck_assert_str_eq(s->task_name, "Create");

    /* GCStart_V1 (DotNETRuntime id 1 v1): its Reason field carries GCReasonMap. */
    memset(&q, 0, sizeof(q));
    q.kind = EF_REC_EVENT;
    q.provider = clr;
    q.id = 1;
    q.version = 1;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &q, &s), 0);
    ck_assert_str_eq(s->provider->name, "Microsoft-Windows-DotNETRuntime");
    for (i = 0; i < s->field_count && strcmp(s->fields[i].name, "Reason") != 0; i++)
        ;
    ck_assert_uint_lt(i, s->field_count);
    ck_assert_ptr_nonnull(s->fields[i].map);
    ck_assert_str_eq(s->fields[i].map->name, "GCReasonMap");
    ck_assert_uint_eq(s->fields[i].map->count, 10);
    ck_assert_uint_eq(s->fields[i].map->entries[0].value, 0);
    ck_assert_str_eq(s->fields[i].map->entries[0].name, "AllocSmall");
    src.ops->destroy(src.ctx);
}
END_TEST

TCase *ef_schema_bin_real_case(void);
TCase *ef_schema_bin_real_case(void)
{
    TCase *tc = tcase_create("real");

    tcase_add_test(tc, real_primitive_types);
    tcase_add_test(tc, real_selfdescribing_struct);
    tcase_add_test(tc, real_amsi_lxcore);
    tcase_add_test(tc, real_embedded_kernel_file);
    return tc;
}

/*
 * test_mof_builtin.c - the kernel MOF classes compiled into etwfwd
 * (core/decode/mof_builtin.c): the text parses, each class has the field
 * list checked against real records, and lookups follow the precedence of
 * docs/schemas.md (exact beats fallback; the file beats the built-in).
 */
#include "runner.h"

#include <stdio.h>
#include <string.h>

#include "decode/mof.h"
#include "decode/mof_internal.h"
#include "util/error.h"

#define KERNEL_MOF        "testdata/schemas/kerneltraceeventparser.mof"
#define PROCESS_GUID      "{3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c}"
#define SYSTEMCONFIG_GUID "{01853a65-418f-4f36-aefc-dc0f1d2fd235}"
#define SYSCONFIG_GUID    "{9b79ee91-b5fd-41c0-a243-4248e266e9d0}"

static struct ef_schema_source src;
static struct ef_buf err;

static void setup(void)
{
    ck_assert_int_eq(ef_mof_source_new(&src), 0);
    ef_buf_init(&err, 1 << 16);
}

static void teardown(void)
{
    src.ops->destroy(src.ctx);
    ef_buf_free(&err);
}

static void load_kernel(void)
{
    char path[1024];
    int rc;

    rc = ef_mof_source_add_file(src.ctx, ef_test_shared_path(KERNEL_MOF, path, sizeof(path)), &err);
    ck_assert_msg(rc == 0, "rc %d: %s", rc, err.data ? err.data : "");
}

static void load_text(const char *text)
{
    int rc = ef_mof_source_add_buffer(src.ctx, "t.mof", text, strlen(text), &err);

    ck_assert_msg(rc == 0, "rc %d: %s", rc, err.data ? err.data : "");
}

static const struct ef_schema *get(const char *guid, uint8_t type, uint8_t version)
{
    struct ef_guid g;
    const struct ef_schema *s = NULL;
    int rc;

    ck_assert_int_eq(ef_guid_parse(guid, strlen(guid), &g), 0);
    rc = ef_mof_source_find(src.ctx, &g, type, version, &s);
    ck_assert_msg(rc == 0, "%s type %u version %u: rc %d", guid, type, version, rc);
    return s;
}

struct want_field {
    const char *name;
    uint16_t intype;
    uint16_t outtype;
    uint16_t flags;
};

static void check_fields(const struct ef_schema *s, const struct want_field *w, size_t n)
{
    size_t i;

    ck_assert_uint_eq(s->field_count, n);
    ck_assert_uint_eq(s->top_count, n);
    for (i = 0; i < n; i++) {
        ck_assert_str_eq(s->fields[i].name, w[i].name);
        ck_assert_msg(s->fields[i].intype == w[i].intype, "%s: intype %u want %u", w[i].name,
                      s->fields[i].intype, w[i].intype);
        ck_assert_msg(s->fields[i].outtype == w[i].outtype, "%s: outtype %u want %u", w[i].name,
                      s->fields[i].outtype, w[i].outtype);
        ck_assert_msg((s->fields[i].flags & w[i].flags) == w[i].flags, "%s: flags %x want %x",
                      w[i].name, s->fields[i].flags, w[i].flags);
    }
}

/* The text, loaded as a file would be, parses without a message. */
START_TEST(builtin_text_parses)
{
    struct ef_mof_stats st;

    ck_assert_uint_eq(strlen(ef_mof_builtin_text), ef_mof_builtin_len);
    load_text(ef_mof_builtin_text);
    ck_assert_uint_eq(err.len, 0);
    ef_mof_source_stats(src.ctx, &st);
    ck_assert_uint_eq(st.files, 1);
    ck_assert_uint_eq(st.classes, 12);
    /* Process: 5 types; Platform, PnP; SysConfig: 4 types. */
    ck_assert_uint_eq(st.schemas, 11);
    ck_assert_uint_eq(st.duplicates, 0);
    /* The source's own built-in layer holds the same, apart from the files. */
    ck_assert_uint_eq(st.builtin_schemas, 11);
}
END_TEST

START_TEST(builtin_process_v4)
{
    static const struct want_field w[] = {
        {"UniqueProcessKey", EF_IN_POINTER, 0, 0},
        {"ProcessId", EF_IN_UINT32, EF_OUT_HEXINT32, EF_FIELD_HEX},
        {"ParentId", EF_IN_UINT32, EF_OUT_HEXINT32, EF_FIELD_HEX},
        {"SessionId", EF_IN_UINT32, 0, 0},
        {"ExitStatus", EF_IN_INT32, 0, 0},
        {"DirectoryTableBase", EF_IN_POINTER, 0, 0},
        {"Flags", EF_IN_UINT32, EF_OUT_HEXINT32, EF_FIELD_HEX},
        {"UserSID", EF_IN_WBEMSID, 0, EF_FIELD_WBEM_SID},
        {"ImageFileName", EF_IN_ANSISTRING, 0, 0},
        {"CommandLine", EF_IN_UNICODESTRING, 0, 0},
        {"PackageFullName", EF_IN_UNICODESTRING, 0, 0},
        {"ApplicationId", EF_IN_UNICODESTRING, 0, 0},
    };
    static const struct {
        uint8_t type;
        const char *name;
    } types[] = {{1, "Start"}, {2, "End"}, {3, "DCStart"}, {4, "DCEnd"}, {39, "Defunct"}};
    const struct ef_schema *s;
    size_t i;

    for (i = 0; i < EF_ARRAY_LEN(types); i++) {
        s = get(PROCESS_GUID, types[i].type, 4);
        ck_assert_str_eq(s->event_name, "Process_V4_TypeGroup1");
        ck_assert_str_eq(s->opcode_name, types[i].name);
        ck_assert_str_eq(s->task_name, "Process");
        ck_assert_str_eq(s->provider->name, "MSNT_SystemTrace");
        ck_assert_uint_eq(s->version, 4);
        ck_assert(s->flags & EF_SCHEMA_VERSIONED);
        ck_assert_uint_eq(s->source, EF_SCHEMA_MOF);
        check_fields(s, w, EF_ARRAY_LEN(w));
    }
}
END_TEST

START_TEST(builtin_systemconfig)
{
    static const struct want_field pnp[] = {
        {"ClassGuid", EF_IN_GUID, 0, 0},
        {"UpperFilterCount", EF_IN_UINT32, 0, 0},
        {"LowerFilterCount", EF_IN_UINT32, 0, 0},
        {"DeviceID", EF_IN_UNICODESTRING, 0, 0},
        {"DeviceDescription", EF_IN_UNICODESTRING, 0, 0},
        {"FriendlyName", EF_IN_UNICODESTRING, 0, 0},
        {"PdoName", EF_IN_UNICODESTRING, 0, 0},
        {"ServiceName", EF_IN_UNICODESTRING, 0, 0},
        {"UpperFilters", EF_IN_UNICODESTRING, 0, EF_FIELD_COUNT_REF},
        {"LowerFilters", EF_IN_UNICODESTRING, 0, EF_FIELD_COUNT_REF},
    };
    static const struct want_field platform[] = {
        {"SystemManufacturer", EF_IN_UNICODESTRING, 0, 0},
        {"SystemProductName", EF_IN_UNICODESTRING, 0, 0},
        {"BiosDate", EF_IN_UNICODESTRING, 0, 0},
        {"BiosVersion", EF_IN_UNICODESTRING, 0, 0},
    };
    const struct ef_schema *s;

    s = get(SYSTEMCONFIG_GUID, 22, 4);
    ck_assert_str_eq(s->event_name, "SystemConfig_V4_PnP");
    ck_assert_str_eq(s->task_name, "SystemConfig");
    ck_assert_str_eq(s->opcode_name, "PnP");
    check_fields(s, pnp, EF_ARRAY_LEN(pnp));
    ck_assert_uint_eq(s->fields[8].count_ref, 1);
    ck_assert_uint_eq(s->fields[9].count_ref, 2);
    s = get(SYSTEMCONFIG_GUID, 25, 2);
    ck_assert_str_eq(s->event_name, "SystemConfig_V2_Platform");
    ck_assert_str_eq(s->opcode_name, "Platform");
    check_fields(s, platform, EF_ARRAY_LEN(platform));
}
END_TEST

START_TEST(builtin_sysconfig)
{
    static const struct want_field build[] = {
        {"InstallDate", EF_IN_FILETIME, 0, 0},
        {"BuildLab", EF_IN_UNICODESTRING, 0, 0},
        {"ProductName", EF_IN_UNICODESTRING, 0, 0},
    };
    static const struct want_field paths[] = {
        {"SystemDirectory", EF_IN_UNICODESTRING, 0, 0},
        {"SystemWindowsDirectory", EF_IN_UNICODESTRING, 0, 0},
    };
    static const struct want_field unknown[] = {
        {"NtPath", EF_IN_UNICODESTRING, 0, 0},
    };
    static const struct want_field mapping[] = {
        {"NtPath", EF_IN_UNICODESTRING, 0, 0},
        {"DosPath", EF_IN_UNICODESTRING, 0, 0},
    };
    const struct ef_schema *s;
    struct ef_guid g;

    s = get(SYSCONFIG_GUID, 32, 0);
    ck_assert_str_eq(s->event_name, "SysConfig_V0_BuildInfo");
    ck_assert_str_eq(s->task_name, "SysConfig");
    ck_assert_str_eq(s->opcode_name, "BuildInfo");
    check_fields(s, build, EF_ARRAY_LEN(build));
    s = get(SYSCONFIG_GUID, 33, 0);
    ck_assert_str_eq(s->opcode_name, "SystemPaths");
    check_fields(s, paths, EF_ARRAY_LEN(paths));
    s = get(SYSCONFIG_GUID, 34, 0);
    ck_assert_str_eq(s->opcode_name, "UnknownVolume");
    check_fields(s, unknown, EF_ARRAY_LEN(unknown));
    s = get(SYSCONFIG_GUID, 35, 0);
    ck_assert_str_eq(s->opcode_name, "VolumeMapping");
    check_fields(s, mapping, EF_ARRAY_LEN(mapping));
    /* Type 37 has no class: its layout is not known. */
    ck_assert_int_eq(ef_guid_parse(SYSCONFIG_GUID, strlen(SYSCONFIG_GUID), &g), 0);
    ck_assert_int_eq(ef_mof_source_find(src.ctx, &g, 37, 0, &s), EF_ENOENT);
}
END_TEST

/* With PerfView's file loaded: each version goes to the closest class. */
START_TEST(precedence_with_kernel_file)
{
    load_kernel();
    /* The file's exact version 2 class. */
    ck_assert_str_eq(get(PROCESS_GUID, 1, 2)->event_name, "Process_TypeGroup1");
    /* Version 3: the file's version 2 fallback (the built-in version 4 is newer). */
    ck_assert_str_eq(get(PROCESS_GUID, 1, 3)->event_name, "Process_TypeGroup1");
    /* Version 4: the built-in exact class beats the file's fallback. */
    ck_assert_str_eq(get(PROCESS_GUID, 1, 4)->event_name, "Process_V4_TypeGroup1");
    ck_assert_str_eq(get(PROCESS_GUID, 39, 4)->event_name, "Process_V4_TypeGroup1");
    /* Version 5: the built-in version 4 is the closer fallback. */
    ck_assert_str_eq(get(PROCESS_GUID, 1, 5)->event_name, "Process_V4_TypeGroup1");
    /* Types the built-in text lacks still come from the file. */
    ck_assert_str_eq(get(PROCESS_GUID, 32, 4)->event_name, "Process_TypeGroup2");
    ck_assert_str_eq(get(PROCESS_GUID, 10, 4)->event_name, "Image_Load");
    ck_assert_str_eq(get(SYSTEMCONFIG_GUID, 22, 4)->event_name, "SystemConfig_V4_PnP");
    ck_assert_str_eq(get(SYSTEMCONFIG_GUID, 22, 2)->event_name, "SystemConfig_PnP");
    ck_assert_str_eq(get(SYSTEMCONFIG_GUID, 15, 3)->event_name, "SystemConfig_Services");
}
END_TEST

/* A file's class of the exact version overrides ours, also as a fallback. */
START_TEST(file_overrides_builtin)
{
    static const char mine[] =
        "[Guid(\"" PROCESS_GUID "\"), EventVersion(4), DisplayName(\"Process\")]\n"
        "class MyProcess : EventTrace { };\n"
        "[EventType(1), EventTypeName(\"Start\")]\n"
        "class MyProcess_Start : MyProcess { [WmiDataId(1)] uint64 Key; };\n";
    const struct ef_schema *s;

    load_text(mine);
    ck_assert_str_eq(get(PROCESS_GUID, 1, 4)->event_name, "MyProcess_Start");
    /* Two version 4 fallbacks for a version 6 record: the file's. */
    ck_assert_str_eq(get(PROCESS_GUID, 1, 6)->event_name, "MyProcess_Start");
    /* Other types of the group: the file has none, ours answer. */
    s = get(PROCESS_GUID, 2, 4);
    ck_assert_str_eq(s->event_name, "Process_V4_TypeGroup1");
    /* Below every class of both: nothing. */
    {
        struct ef_guid g;

        ck_assert_int_eq(ef_guid_parse(PROCESS_GUID, strlen(PROCESS_GUID), &g), 0);
        ck_assert_int_eq(ef_mof_source_find(src.ctx, &g, 1, 3, &s), EF_ENOENT);
    }
}
END_TEST

TCase *ef_mof_builtin_case(void);

TCase *ef_mof_builtin_case(void)
{
    TCase *tc = tcase_create("mof_builtin");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, builtin_text_parses);
    tcase_add_test(tc, builtin_process_v4);
    tcase_add_test(tc, builtin_systemconfig);
    tcase_add_test(tc, builtin_sysconfig);
    tcase_add_test(tc, precedence_with_kernel_file);
    tcase_add_test(tc, file_overrides_builtin);
    return tc;
}

/*
 * test_mof.c - the kernel MOF source on kerneltraceeventparser.mof and on
 * small synthesized class texts (qualifier mapping, versions, errors).
 */
#include "runner.h"

#include <stdio.h>
#include <string.h>

#include "decode/mof.h"
#include "util/error.h"

#define KERNEL_MOF   "testdata/schemas/kerneltraceeventparser.mof"
#define PROCESS_GUID "{3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c}"
#define FILEIO_GUID  "{90cbdc39-4a3e-11d1-84f4-0000f80464e3}"
#define DISKIO_GUID  "{3d6fa8d4-fe05-11d0-9dda-00c04fd7ba7c}"
#define TCPIP_GUID   "{9a280ac0-c8e0-11d1-84e2-00c04fb998a2}"

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
        ck_assert_msg(s->fields[i].flags == w[i].flags, "%s: flags %x want %x", w[i].name,
                      s->fields[i].flags, w[i].flags);
    }
}

START_TEST(kernel_file_loads)
{
    struct ef_mof_stats st;
    const struct ef_schema *s;
    struct ef_record r;

    load_kernel();
    ef_mof_source_stats(src.ctx, &st);
    ck_assert_uint_eq(st.files, 1);
    ck_assert_uint_eq(st.classes, 173);
    ck_assert_uint_gt(st.schemas, 200);
    /* The header event through the source interface, by record. */
    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(ef_guid_parse("{68fdd900-4a3e-11d1-84f4-0000f80464e3}", 38, &r.provider), 0);
    r.opcode = 0;
    r.version = 2; /* no version 2 class: the highest below it */
    r.kind = EF_REC_KERNEL;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s), 0);
    ck_assert_str_eq(s->event_name, "EventTrace_Header");
    ck_assert_str_eq(s->provider->name, "MSNT_SystemTrace");
    ck_assert_str_eq(s->task_name, "EventTrace");
    ck_assert_str_eq(s->opcode_name, "Header");
    ck_assert_uint_eq(s->source, EF_SCHEMA_MOF);
    r.opcode = 200;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s), EF_ENOENT);
}
END_TEST

START_TEST(fileio_create)
{
    static const struct want_field w[] = {
        {"IrpPtr", EF_IN_POINTER, 0, 0},         {"TTID", EF_IN_POINTER, 0, 0},
        {"FileObject", EF_IN_POINTER, 0, 0},     {"CreateOptions", EF_IN_UINT32, 0, 0},
        {"FileAttributes", EF_IN_UINT32, 0, 0},  {"ShareAccess", EF_IN_UINT32, 0, 0},
        {"OpenPath", EF_IN_UNICODESTRING, 0, 0},
    };
    const struct ef_schema *s;

    load_kernel();
    s = get(FILEIO_GUID, 64, 2);
    ck_assert_str_eq(s->event_name, "FileIo_Create");
    ck_assert_str_eq(s->task_name, "FileIo");
    ck_assert_str_eq(s->opcode_name, "Create");
    ck_assert_uint_eq(s->opcode, 64);
    check_fields(s, w, sizeof(w) / sizeof(w[0]));
    /* Version 3 records fall back to version 2; version 0 has its own class. */
    ck_assert_ptr_eq(get(FILEIO_GUID, 64, 3), s);
    ck_assert_str_eq(get(FILEIO_GUID, 0, 0)->event_name, "FileIo_V0_Name");
}
END_TEST

START_TEST(process_typegroup1)
{
    static const struct want_field w[] = {
        {"UniqueProcessKey", EF_IN_POINTER, 0, 0},
        {"ProcessId", EF_IN_UINT32, EF_OUT_HEXINT32, EF_FIELD_HEX},
        {"ParentId", EF_IN_UINT32, EF_OUT_HEXINT32, EF_FIELD_HEX},
        {"SessionId", EF_IN_UINT32, 0, 0},
        {"ExitStatus", EF_IN_INT32, 0, 0},
        {"UserSID", EF_IN_WBEMSID, 0, EF_FIELD_WBEM_SID},
        {"ImageFileName", EF_IN_ANSISTRING, 0, 0},
        {"CommandLine", EF_IN_UNICODESTRING, 0, 0},
    };
    static const char *const types[] = {"Start", "End", "DCStart", "DCEnd"};
    const struct ef_schema *s;
    int i;

    load_kernel();
    for (i = 0; i < 4; i++) {
        s = get(PROCESS_GUID, (uint8_t)(i + 1), 2);
        ck_assert_str_eq(s->event_name, "Process_TypeGroup1");
        ck_assert_str_eq(s->opcode_name, types[i]);
        check_fields(s, w, sizeof(w) / sizeof(w[0]));
    }
    ck_assert_str_eq(get(PROCESS_GUID, 39, 2)->opcode_name, "Defunct");
    /* Version 1 has its own layout. */
    s = get(PROCESS_GUID, 1, 1);
    ck_assert_str_eq(s->event_name, "Process_V1_TypeGroup1");
    ck_assert_str_eq(s->fields[0].name, "PageDirectoryBase");
    /* Hook 0x030A: an image load logged under the Process group. */
    s = get(PROCESS_GUID, 10, 2);
    ck_assert_str_eq(s->event_name, "Image_Load");
    ck_assert_str_eq(s->opcode_name, "Load");
    /* Process_TypeGroup2: extension("SizeT") fields. */
    s = get(PROCESS_GUID, 32, 2);
    ck_assert_str_eq(s->fields[4].name, "PeakVirtualSize");
    ck_assert_uint_eq(s->fields[4].intype, EF_IN_SIZET);
}
END_TEST

START_TEST(diskio_read_write)
{
    static const struct want_field w[] = {
        {"DiskNumber", EF_IN_UINT32, 0, 0},
        {"IrpFlags", EF_IN_UINT32, EF_OUT_HEXINT32, EF_FIELD_HEX},
        {"TransferSize", EF_IN_UINT32, 0, 0},
        {"Reserved", EF_IN_UINT32, 0, 0},
        {"ByteOffset", EF_IN_UINT64, 0, 0},
        {"FileObject", EF_IN_POINTER, 0, 0},
        {"Irp", EF_IN_POINTER, 0, 0},
        {"HighResResponseTime", EF_IN_UINT64, 0, 0},
    };
    const struct ef_schema *s;

    load_kernel();
    s = get(DISKIO_GUID, 10, 2);
    ck_assert_str_eq(s->opcode_name, "Read");
    ck_assert_str_eq(s->task_name, "DiskIo");
    check_fields(s, w, sizeof(w) / sizeof(w[0]));
    s = get(DISKIO_GUID, 11, 2);
    ck_assert_str_eq(s->opcode_name, "Write");
    check_fields(s, w, sizeof(w) / sizeof(w[0]));
}
END_TEST

START_TEST(tcpip_send_ipv4)
{
    static const struct want_field w[] = {
        {"PID", EF_IN_UINT32, 0, 0},
        {"size", EF_IN_UINT32, 0, 0},
        {"daddr", EF_IN_UINT32, EF_OUT_IPV4, 0},
        {"saddr", EF_IN_UINT32, EF_OUT_IPV4, 0},
        {"dport", EF_IN_UINT16, EF_OUT_PORT, 0},
        {"sport", EF_IN_UINT16, EF_OUT_PORT, 0},
        {"startime", EF_IN_UINT32, 0, 0},
        {"endtime", EF_IN_UINT32, 0, 0},
        {"seqnum", EF_IN_UINT32, 0, 0},
        {"connid", EF_IN_POINTER, 0, 0},
    };
    const struct ef_schema *s;

    load_kernel();
    s = get(TCPIP_GUID, 10, 2);
    ck_assert_str_eq(s->event_name, "TcpIp_SendIPV4");
    ck_assert_str_eq(s->opcode_name, "SendIPV4");
    check_fields(s, w, sizeof(w) / sizeof(w[0]));
}
END_TEST

#define G1 "{aaaaaaaa-0000-0000-0000-000000000001}"

START_TEST(synth_qualifiers)
{
    static const char mof[] =
        "// comment\n#pragma namespace(\"\\\\\\\\.\\\\root\\\\wmi\")\n"
        "[Dynamic, Guid(\"" G1 "\"), EventVersion(1), DisplayName(\"Grp\") : amended]\n"
        "class Grp_V1 : EventTrace { };\n"
        "[Guid(\"" G1 "\"), DisplayName(\"Grp\")]\n"
        "class Grp : EventTrace { };\n"
        "[EventType{5, 6}, EventTypeName{\"Five\"}]\n"
        "class Ev : Grp {\n"
        "  [WmiDataId(2), ValueMap{\"1\", \"0x10\"}, Values{\"one\", \"sixteen\"}] uint32 Mode;\n"
        "  [WmiDataId(1), extension(\"Guid\")] object Id;\n"
        "  [WmiDataId(3), StringTermination(\"Counted\"), format(\"w\")] string Name;\n"
        "  [WmiDataId(4)] char16 Fixed[8];\n"
        "  [WmiDataId(5)] uint8 Raw[4];\n"
        "  [WmiDataId(6), WmiSizeIs(\"Mode\")] uint16 List[];\n"
        "  [WmiDataId(7), extension(\"IPAddrV6\")] object Addr;\n"
        "  [WmiDataId(8), StringTermination(\"NotCounted\")] string Rest;\n"
        "  uint32 NotData;\n"
        "};\n"
        "[EventType(9)] class Old : Grp_V1 { [WmiDataId(1), format(\"c\")] uint8 Ch; };\n";
    const struct ef_schema *s;
    const struct ef_field *f;

    ck_assert_msg(ef_mof_source_add_buffer(src.ctx, "t.mof", mof, strlen(mof), &err) == 0, "%s",
                  err.data);
    s = get(G1, 5, 7); /* Grp has no EventVersion: the latest, 1 + 1 */
    ck_assert_uint_eq(s->version, 2);
    ck_assert_str_eq(s->opcode_name, "Five");
    ck_assert_str_eq(s->task_name, "Grp");
    ck_assert_ptr_null(get(G1, 6, 2)->opcode_name); /* fewer names than types */
    ck_assert_uint_eq(s->field_count, 8);
    f = s->fields;
    ck_assert_str_eq(f[0].name, "Id"); /* WmiDataId order, not text order */
    ck_assert_uint_eq(f[0].intype, EF_IN_GUID);
    ck_assert_str_eq(f[1].name, "Mode");
    ck_assert_uint_eq(f[1].map->count, 2);
    ck_assert_uint_eq(f[1].map->entries[1].value, 16);
    ck_assert_str_eq(f[1].map->entries[1].name, "sixteen");
    ck_assert_uint_eq(f[2].intype, EF_IN_COUNTEDSTRING);
    ck_assert_uint_eq(f[3].intype, EF_IN_UNICODESTRING);
    ck_assert(f[3].flags & EF_FIELD_LENGTH_FIXED);
    ck_assert_uint_eq(f[3].length, 8);
    ck_assert_uint_eq(f[4].intype, EF_IN_BINARY);
    ck_assert_uint_eq(f[4].length, 4);
    ck_assert(f[5].flags & EF_FIELD_COUNT_REF);
    ck_assert_uint_eq(f[5].count_ref, 1);
    ck_assert_uint_eq(f[6].intype, EF_IN_BINARY);
    ck_assert_uint_eq(f[6].outtype, EF_OUT_IPV6);
    ck_assert_uint_eq(f[6].length, 16);
    ck_assert_uint_eq(f[7].intype, EF_IN_NONNULLTERMINATEDANSISTRING);
    s = get(G1, 9, 1);
    ck_assert_str_eq(s->event_name, "Old");
    ck_assert_uint_eq(s->fields[0].intype, EF_IN_ANSICHAR);
    ck_assert_str_eq(get(G1, 9, 5)->event_name, "Old"); /* the highest version below 5 */
}
END_TEST

struct mof_err {
    const char *text;
    const char *want;
};

static const struct mof_err mof_errs[] = {
    {"class A : EventTrace {\n  uint32 x\n};\n", "t.mof:3: ';' expected"},
    {"[Guid(\"" G1 "\")]\nclass A : NoSuchBase { };\n", "t.mof:2: unknown base class 'NoSuchBase'"},
    {"class A : B { };\nclass B : A { };\n", "inheritance cycle"},
    {"class A { };\nclass A { };\n", "t.mof:2: class defined twice 'A'"},
    {"[Guid(\"nope\")] class A { };\n", "t.mof:1: bad Guid qualifier in class 'A'"},
    {"[EventType(1)] class A { };\n", "t.mof:1: event class has no Guid in its ancestry 'A'"},
    {"[Guid(\"" G1 "\")] class G { };\n[EventType(1)] class A : G {\n"
     "  [WmiDataId(1)] object o;\n};\n",
     "t.mof:3: object property without extension 'o'"},
    {"[Guid(\"" G1 "\")] class G { };\n[EventType(1)] class A : G {\n"
     "  [WmiDataId(1), extension(\"Weird\")] object o;\n};\n",
     "t.mof:3: unknown extension 'Weird'"},
    {"[Guid(\"" G1 "\")] class G { };\n[EventType(1)] class A : G {\n"
     "  [WmiDataId(1)] datetime t;\n};\n",
     "t.mof:3: unsupported property type 'datetime'"},
    {"[Guid(\"" G1 "\")] class G { };\n[EventType(1)] class A : G {\n"
     "  [WmiDataId(1)] uint8 a;\n  [WmiDataId(1)] uint8 b;\n};\n",
     "duplicate WmiDataId on"},
    {"[Guid(\"" G1 "\")] class G { };\n[EventType(1)] class A : G {\n"
     "  [WmiDataId(1), StringTermination(\"Sometimes\")] string s;\n};\n",
     "t.mof:3: unknown StringTermination 'Sometimes'"},
    {"[Description(\"unterminated) class A { };\n", "t.mof:1: newline in string"},
    {"[Description(\"unterminated", "t.mof:1: unterminated string"},
    {"/* open comment\nclass A { };\n", "unterminated comment"},
    {"instance of Foo { };\n", "t.mof:1: 'class' expected"},
    {"class A { uint32 f(); };\n", "methods are not supported"},
    {"class A {\n  uint32 x;\n", "t.mof:3: unterminated class near 'A'"},
    {"class A { uint8 x[0]; };\n", "bad array size"},
    {"class A { uint8 x; } @\n", "t.mof:1: unexpected character"},
};

START_TEST(mof_error_table)
{
    const struct mof_err *c = &mof_errs[_i];
    struct ef_mof_stats st;
    int rc;

    rc = ef_mof_source_add_buffer(src.ctx, "t.mof", c->text, strlen(c->text), &err);
    ck_assert_msg(rc == EF_EFORMAT, "case %d: rc %d (%s)", _i, rc, err.data ? err.data : "");
    ck_assert_msg(err.data && strstr(err.data, c->want), "case %d: '%s' lacks '%s'", _i,
                  err.data ? err.data : "", c->want);
    ef_mof_source_stats(src.ctx, &st);
    ck_assert_uint_eq(st.files, 0);
    ck_assert_uint_eq(st.classes, 0);
}
END_TEST

/* A later file may derive from an earlier file's classes, not redefine them. */
START_TEST(across_files)
{
    static const char a[] = "[Guid(\"" G1 "\"), DisplayName(\"G\")] class G : EventTrace { };\n";
    static const char b[] = "[EventType(3)] class E : G { [WmiDataId(1)] sint64 v; };\n";

    ck_assert_int_eq(ef_mof_source_add_buffer(src.ctx, "a.mof", a, strlen(a), &err), 0);
    ck_assert_int_eq(ef_mof_source_add_buffer(src.ctx, "b.mof", b, strlen(b), &err), 0);
    ck_assert_uint_eq(get(G1, 3, 0)->fields[0].intype, EF_IN_INT64);
    ck_assert_int_eq(ef_mof_source_add_buffer(src.ctx, "c.mof", a, strlen(a), &err), EF_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.data, "c.mof:1: class already defined by an earlier file"));
}
END_TEST

/*
 * String escapes in qualifier values (DMTF MOF: \n is a newline, \t a tab,
 * \" a quote, \\ a backslash) and the four StringTermination spellings, each
 * checked against the TDH in-type the MOF documentation names for it.
 */
START_TEST(string_escapes_and_terminations)
{
    static const char mof[] =
        "[Guid(\"" G1 "\")] class G : EventTrace { };\n"
        "[EventType(4)] class E : G {\n"
        "  [WmiDataId(1), ValueMap{\"1\", \"2\", \"3\", \"4\"},\n"
        "   Values{\"two\\nlines\", \"a\\ttab\", \"say \\\"hi\\\"\", \"C:\\\\dir\"}] uint32 M;\n"
        "  [WmiDataId(2), StringTermination(\"ReverseCounted\"), format(\"w\")] string RW;\n"
        "  [WmiDataId(3), StringTermination(\"ReverseCounted\")] string RA;\n"
        "  [WmiDataId(4), StringTermination(\"Counted\")] string CA;\n"
        "  [WmiDataId(5), StringTermination(\"NullTerminated\"), format(\"w\")] string NW;\n"
        "};\n";
    const struct ef_field *f;

    ck_assert_msg(ef_mof_source_add_buffer(src.ctx, "t.mof", mof, strlen(mof), &err) == 0, "%s",
                  err.data);
    f = get(G1, 4, 0)->fields;
    ck_assert_uint_eq(f[0].map->count, 4);
    ck_assert_str_eq(f[0].map->entries[0].name, "two\nlines");
    ck_assert_str_eq(f[0].map->entries[1].name, "a\ttab");
    ck_assert_str_eq(f[0].map->entries[2].name, "say \"hi\"");
    ck_assert_str_eq(f[0].map->entries[3].name, "C:\\dir");
    ck_assert_uint_eq(f[1].intype, EF_IN_REVERSEDCOUNTEDSTRING);
    ck_assert_uint_eq(f[2].intype, EF_IN_REVERSEDCOUNTEDANSISTRING);
    ck_assert_uint_eq(f[3].intype, EF_IN_COUNTEDANSISTRING);
    ck_assert_uint_eq(f[4].intype, EF_IN_UNICODESTRING);
}
END_TEST

TCase *ef_mof_case(void);

TCase *ef_mof_case(void)
{
    TCase *tc = tcase_create("mof");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, kernel_file_loads);
    tcase_add_test(tc, fileio_create);
    tcase_add_test(tc, process_typegroup1);
    tcase_add_test(tc, diskio_read_write);
    tcase_add_test(tc, tcpip_send_ipv4);
    tcase_add_test(tc, synth_qualifiers);
    tcase_add_loop_test(tc, mof_error_table, 0, sizeof(mof_errs) / sizeof(mof_errs[0]));
    tcase_add_test(tc, across_files);
    tcase_add_test(tc, string_escapes_and_terminations);
    return tc;
}

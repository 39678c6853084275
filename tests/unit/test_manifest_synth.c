/*
 * test_manifest_synth.c - the manifest loader on small synthesized
 * manifests: maps, localization, standard win: names, message escapes,
 * folders, and every error with its file:line message.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <direct.h>
#include <io.h>
#else
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "decode/manifest.h"
#include "util/error.h"

#define GUID "{11111111-2222-3333-4444-555555555555}"

/* Lines 1-4; a case's body starts on line 5. */
#define HEAD                                                                                       \
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"                                                 \
    "<instrumentationManifest xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\n"        \
    "<instrumentation><events>\n"                                                                  \
    "<provider name=\"Test-Provider\" guid=\"" GUID "\" symbol=\"TP\">\n"
#define TAIL_NO_RES "</provider>\n</events></instrumentation>\n"
#define TAIL        TAIL_NO_RES "</instrumentationManifest>\n"

static struct ef_schema_source src;
static struct ef_buf err;
static struct ef_guid guid;

static void setup(void)
{
    ck_assert_int_eq(ef_manifest_source_new(&src), 0);
    ef_buf_init(&err, 1 << 16);
    ck_assert_int_eq(ef_guid_parse(GUID, strlen(GUID), &guid), 0);
}

static void teardown(void)
{
    src.ops->destroy(src.ctx);
    ef_buf_free(&err);
}

static int add(const char *xml)
{
    return ef_manifest_source_add_buffer(src.ctx, "t.man", xml, strlen(xml), &err);
}

static const struct ef_schema *get(uint16_t id, uint8_t version)
{
    const struct ef_schema *s = NULL;

    ck_assert_int_eq(ef_manifest_source_find(src.ctx, &guid, id, version, &s), 0);
    return s;
}

START_TEST(maps_and_localization)
{
    static const char xml[] =
        HEAD "<maps>\n"
             "<valueMap name=\"Color\"><map value=\"2\" message=\"$(string.blue)\"/>"
             "<map value=\"0x1\" message=\"$(string.red)\"/></valueMap>\n"
             "<bitMap name=\"Flags\"><map value=\"0x1\" message=\"$(string.f1)\"/>"
             "<map value=\"0x4\" message=\"$(string.f4)\"/></bitMap>\n"
             "</maps>\n"
             "<templates><template tid=\"T\">\n"
             "<data name=\"C\" inType=\"win:UInt32\" map=\"Color\"/>\n"
             "<data name=\"F\" inType=\"win:UInt32\" map=\"Flags\"/>\n"
             "</template></templates>\n"
             "<events><event value=\"7\" template=\"T\" "
             "message=\"$(string.msg)\"/></events>\n" TAIL_NO_RES "<localization>\n"
             "<resources culture=\"de-DE\"><stringTable>\n"
             "<string id=\"red\" value=\"rot\"/><string id=\"blue\" value=\"blau\"/>\n"
             "<string id=\"f1\" value=\"eins\"/><string id=\"f4\" value=\"vier\"/>\n"
             "<string id=\"msg\" value=\"Farbe %1\"/>\n"
             "</stringTable></resources>\n"
             "<resources culture=\"en-US\"><stringTable>\n"
             "<string id=\"red\" value=\"red\"/><string id=\"blue\" value=\"blue\"/>\n"
             "<string id=\"f1\" value=\"one\"/><string id=\"msg\" value=\"Color %1\"/>\n"
             "</stringTable></resources>\n"
             "</localization></instrumentationManifest>\n";
    const struct ef_schema *s;
    const struct ef_map *m;

    ck_assert_msg(add(xml) == 0, "%s", err.data);
    s = get(7, 0);
    ck_assert_str_eq(s->message, "Color %1"); /* en-US wins over the first culture */
    m = s->fields[0].map;
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->kind, EF_MAP_VALUE);
    ck_assert_uint_eq(m->count, 2);
    ck_assert_uint_eq(m->entries[0].value, 1); /* sorted by value */
    ck_assert_str_eq(m->entries[0].name, "red");
    ck_assert_str_eq(m->entries[1].name, "blue");
    m = s->fields[1].map;
    ck_assert_uint_eq(m->kind, EF_MAP_BITMAP);
    ck_assert_str_eq(m->entries[0].name, "one");
    ck_assert_str_eq(m->entries[1].name, "vier"); /* missing in en-US: from de-DE */
}
END_TEST

START_TEST(first_culture_without_en_us)
{
    static const char xml[] =
        HEAD "<events><event value=\"1\" message=\"$(string.m)\"/></events>\n" TAIL_NO_RES
             "<localization><resources culture=\"fr-FR\"><stringTable>"
             "<string id=\"m\" value=\"un\"/></stringTable></resources>"
             "<resources culture=\"de-DE\"><stringTable><string id=\"m\" value=\"eins\"/>"
             "</stringTable></resources></localization></instrumentationManifest>\n";

    ck_assert_msg(add(xml) == 0, "%s", err.data);
    ck_assert_str_eq(get(1, 0)->message, "un");
}
END_TEST

struct msg_case {
    const char *in;
    const char *want;
};

/* FormatMessage escapes become characters; %N and %% stay for the renderer. */
static const struct msg_case msg_cases[] = {
    {"plain", "plain"},
    {"a %1 b %2", "a %1 b %2"},
    {"100%% done", "100%% done"},
    {"line%nnext%ttab%rcr", "line\nnext\ttab\rcr"},
    {"stop%0 ignored", "stop"},
    {"%1!s! and %12!u!", "%1 and %12"},
    {"dot%. bang%! sp% x", "dot. bang! sp x"},
    {"lone%  and end %", "lone  and end %%"}, /* "% " is FormatMessage's space */
    {"%x", "%%x"},
};

START_TEST(message_escapes)
{
    const struct msg_case *c = &msg_cases[_i];
    char xml[2048];

    snprintf(xml, sizeof(xml),
             HEAD "<events><event value=\"1\" message=\"$(string.m)\"/></events>\n" TAIL_NO_RES
                  "<localization><resources culture=\"en-US\"><stringTable>"
                  "<string id=\"m\" value=\"%s\"/></stringTable></resources></localization>"
                  "</instrumentationManifest>\n",
             c->in);
    ck_assert_msg(add(xml) == 0, "%s", err.data);
    ck_assert_str_eq(get(1, 0)->message, c->want);
}
END_TEST

START_TEST(standard_names)
{
    static const char xml[] =
        HEAD "<channels><importChannel chid=\"sys\" name=\"System\"/>\n"
             "<channel chid=\"op\" name=\"Test-Provider/Operational\" type=\"Operational\"/>"
             "</channels>\n"
             "<keywords><keyword name=\"Mine\" mask=\"0x10\"/></keywords>\n"
             "<events>\n"
             "<event value=\"1\" level=\"win:Error\" opcode=\"win:Receive\" channel=\"sys\""
             " keywords=\"Mine win:AuditSuccess\"/>\n"
             "<event value=\"2\" level=\"win:Critical\" opcode=\"win:DC_Stop\" channel=\"op\"/>\n"
             "<event value=\"3\" level=\"win:LogAlways\" opcode=\"win:Suspend\" version=\"3\"/>\n"
             "<event value=\"3\" level=\"win:Verbose\" opcode=\"win:Start\" version=\"4\"/>\n"
             "</events>\n" TAIL;
    const struct ef_schema *s;

    ck_assert_msg(add(xml) == 0, "%s", err.data);
    s = get(1, 0);
    ck_assert_uint_eq(s->level, 2);
    ck_assert_str_eq(s->level_name, "Error");
    ck_assert_uint_eq(s->opcode, 240);
    ck_assert_str_eq(s->opcode_name, "Receive");
    ck_assert_uint_eq(s->channel, 8);
    ck_assert_str_eq(s->channel_name, "System");
    ck_assert_uint_eq(s->keywords, 0x10 | 0x20000000000000ull);
    ck_assert_ptr_null(s->fields);
    ck_assert_uint_eq(s->field_count, 0);
    s = get(2, 0);
    ck_assert_uint_eq(s->level, 1);
    ck_assert_uint_eq(s->opcode, 4);
    ck_assert_str_eq(s->opcode_name, "DCStop");
    ck_assert_uint_eq(s->channel, 17); /* the second channel, no value: 16 + index */
    ck_assert_str_eq(s->channel_name, "Test-Provider/Operational");
    s = get(3, 3);
    ck_assert_uint_eq(s->level, 0);
    ck_assert_uint_eq(s->opcode, 8);
    s = get(3, 4);
    ck_assert_uint_eq(s->level, 5);
    ck_assert_uint_eq(s->version, 4);
}
END_TEST

START_TEST(task_opcodes_and_sizes)
{
    static const char xml[] =
        HEAD "<tasks><task name=\"A\" value=\"5\" message=\"$(string.a)\"><opcodes>"
             "<opcode name=\"Go\" value=\"20\"/></opcodes></task>\n"
             "<task name=\"B\" value=\"6\"/></tasks>\n"
             "<opcodes><opcode name=\"Go\" value=\"30\" message=\"$(string.go)\"/></opcodes>\n"
             "<templates><template tid=\"T\">\n"
             "<data name=\"N\" inType=\"win:UInt16\"/>\n"
             "<data name=\"S\" inType=\"win:UnicodeString\" length=\"N\"/>\n"
             "<data name=\"B\" inType=\"win:Binary\" length=\"16\" outType=\"win:IPv6\"/>\n"
             "<data name=\"A\" inType=\"win:Int32\" count=\"N\"/>\n"
             "<data name=\"X\" inType=\"win:UInt32\" outType=\"win:NoSuchOutType\"/>\n"
             "<struct name=\"P\" count=\"3\"><data name=\"K\" inType=\"win:UInt8\"/>"
             "<data name=\"V\" inType=\"win:AnsiString\" length=\"K\"/></struct>\n"
             "</template></templates>\n"
             "<events><event value=\"1\" task=\"A\" opcode=\"Go\" template=\"T\"/>\n"
             "<event value=\"2\" task=\"B\" opcode=\"Go\" symbol=\"Sym\"/></events>\n" TAIL_NO_RES
             "<localization><resources culture=\"en-US\"><stringTable>"
             "<string id=\"a\" value=\"Task A\"/><string id=\"go\" value=\"Go!\"/>"
             "</stringTable></resources></localization></instrumentationManifest>\n";
    const struct ef_schema *s;
    const struct ef_field *f;

    ck_assert_msg(add(xml) == 0, "%s", err.data);
    s = get(1, 0);
    ck_assert_uint_eq(s->task, 5);
    ck_assert_str_eq(s->task_name, "Task A");
    ck_assert_uint_eq(s->opcode, 20); /* the task's own opcode */
    ck_assert_str_eq(s->opcode_name, "Go");
    ck_assert_uint_eq(s->top_count, 6);
    ck_assert_uint_eq(s->field_count, 8);
    f = s->fields;
    ck_assert(f[1].flags & EF_FIELD_LENGTH_REF);
    ck_assert_uint_eq(f[1].length_ref, 0);
    ck_assert(f[2].flags & EF_FIELD_LENGTH_FIXED);
    ck_assert_uint_eq(f[2].length, 16);
    ck_assert_uint_eq(f[2].outtype, EF_OUT_IPV6);
    ck_assert(f[3].flags & EF_FIELD_COUNT_REF);
    ck_assert_uint_eq(f[3].count_ref, 0);
    ck_assert_uint_eq(f[4].outtype, EF_OUT_NULL); /* unknown outType: the default */
    ck_assert(f[5].flags & EF_FIELD_STRUCT);
    ck_assert(f[5].flags & EF_FIELD_COUNT_FIXED);
    ck_assert_uint_eq(f[5].count, 3);
    ck_assert_uint_eq(f[5].struct_first, 6);
    ck_assert_uint_eq(f[5].struct_count, 2);
    ck_assert_str_eq(f[7].name, "V");
    ck_assert_uint_eq(f[7].length_ref, 6); /* its sibling K */
    s = get(2, 0);
    ck_assert_uint_eq(s->opcode, 30); /* task B has no Go: the provider's */
    ck_assert_str_eq(s->opcode_name, "Go!");
    ck_assert_str_eq(s->event_name, "Sym");
}
END_TEST

struct err_case {
    const char *body; /* provider body, from line 5 */
    int rc;
    const char *want; /* in the error text */
};

static const struct err_case err_cases[] = {
    {"<templates><template tid=\"T\">\n<data name=\"a\" inType=\"win:Foo\"/>\n</template>"
     "</templates>\n",
     EF_EFORMAT, "t.man:6: unknown inType 'win:Foo'"},
    {"<templates><template tid=\"T\">\n<data name=\"a\" inType=\"win:UInt8\"/>\n"
     "<data name=\"b\" inType=\"win:Binary\" length=\"Nope\"/>\n</template></templates>\n"
     "<events><event value=\"1\" template=\"T\"/></events>\n",
     EF_EFORMAT, "t.man:7: length refers to an unknown or later field 'Nope'"},
    {"<templates><template tid=\"T\">\n<data name=\"b\" inType=\"win:Binary\" length=\"a\"/>\n"
     "<data name=\"a\" inType=\"win:UInt8\"/>\n</template></templates>\n"
     "<events><event value=\"1\" template=\"T\"/></events>\n",
     EF_EFORMAT, "t.man:6: length refers to an unknown or later field 'a'"},
    {"<templates><template tid=\"T\">\n<data name=\"s\" inType=\"win:UnicodeString\"/>\n"
     "<data name=\"b\" inType=\"win:UInt8\" count=\"s\"/>\n</template></templates>\n"
     "<events><event value=\"1\" template=\"T\"/></events>\n",
     EF_EFORMAT, "t.man:7: count refers to a field that is not an integer 's'"},
    {"<events>\n<event value=\"1\"/>\n<event value=\"2\"/>\n<event value=\"1\"/>\n</events>\n",
     EF_EFORMAT, "t.man:8: duplicate event id 1 version 0 (first at line 6)"},
    {"<events>\n<event value=\"1\" template=\"Missing\"/>\n</events>\n", EF_EFORMAT,
     "t.man:6: unknown template 'Missing'"},
    {"<events>\n<event value=\"1\" level=\"win:Loud\"/>\n</events>\n", EF_EFORMAT,
     "t.man:6: unknown level 'win:Loud'"},
    {"<events>\n<event value=\"1\" opcode=\"Nope\"/>\n</events>\n", EF_EFORMAT,
     "t.man:6: unknown opcode 'Nope'"},
    {"<events>\n<event value=\"1\" task=\"Nope\"/>\n</events>\n", EF_EFORMAT,
     "t.man:6: unknown task 'Nope'"},
    {"<events>\n<event value=\"1\" keywords=\"A Nope\"/>\n</events>\n", EF_EFORMAT,
     "t.man:6: unknown keyword 'A'"},
    {"<events>\n<event value=\"1\" channel=\"c\"/>\n</events>\n", EF_EFORMAT,
     "t.man:6: unknown channel 'c'"},
    {"<events>\n<event value=\"1\" message=\"$(string.gone)\"/>\n</events>\n", EF_EFORMAT,
     "t.man:6: unknown string id in '$(string.gone)'"},
    {"<events>\n<event value=\"70000\"/>\n</events>\n", EF_EFORMAT,
     "t.man:6: bad event value '70000'"},
    {"<events>\n<event value=\"-1\"/>\n</events>\n", EF_EFORMAT, "t.man:6: bad event value '-1'"},
    {"<events>\n<event version=\"1\"/>\n</events>\n", EF_EFORMAT,
     "t.man:6: bad event value '(missing)'"},
    {"<events>\n<event value=\"1\" version=\"256\"/>\n</events>\n", EF_EFORMAT,
     "t.man:6: bad version '256'"},
    {"<templates><template tid=\"T\">\n<data name=\"a\" inType=\"win:UInt8\" map=\"M\"/>\n"
     "</template></templates>\n<events><event value=\"1\" template=\"T\"/></events>\n",
     EF_EFORMAT, "t.man:6: unknown map 'M'"},
    {"<templates><template tid=\"T\">\n<data name=\"a\"/>\n</template></templates>\n"
     "<events><event value=\"1\" template=\"T\"/></events>\n",
     EF_EFORMAT, "t.man:6: no inType for field 'a'"},
    {"<templates><template tid=\"T\">\n<struct name=\"s\">\n<struct name=\"t\"/>\n</struct>\n"
     "</template></templates>\n",
     EF_ENOTSUP, "t.man:7: a <struct> inside a <struct> is not supported"},
    {"<maps><valueMap name=\"M\">\n<map value=\"x\" message=\"m\"/>\n</valueMap></maps>\n"
     "<templates><template tid=\"T\"><data name=\"a\" inType=\"win:UInt8\" map=\"M\"/>"
     "</template></templates>\n<events><event value=\"1\" template=\"T\"/></events>\n",
     EF_EFORMAT, "t.man:6: bad map value 'x'"},
    {"<events>\n<event value=\"1\">\n</events>\n", EF_EFORMAT,
     "t.man:7: XML error: mismatched tag"},
    {"<events>\n<event value=\"1\"/>\n", EF_EFORMAT, "XML error: "},
};

START_TEST(error_table)
{
    const struct err_case *c = &err_cases[_i];
    char xml[4096];
    size_t n;
    int rc;

    n = (size_t)snprintf(xml, sizeof(xml), HEAD "%s" TAIL, c->body);
    if (!strstr(c->body, "</events>") && strstr(c->body, "<events>"))
        n = (size_t)snprintf(xml, sizeof(xml), HEAD "%s", c->body); /* unterminated */
    rc = ef_manifest_source_add_buffer(src.ctx, "t.man", xml, n, &err);
    ck_assert_msg(rc == c->rc, "case %d: rc %d want %d (%s)", _i, rc, c->rc,
                  err.data ? err.data : "");
    ck_assert_msg(err.data && strstr(err.data, c->want), "case %d: '%s' lacks '%s'", _i,
                  err.data ? err.data : "", c->want);
}
END_TEST

/* Provider-level errors, and a failed file leaves the source unchanged. */
START_TEST(provider_errors)
{
    static const char bad_guid[] =
        "<instrumentationManifest><instrumentation><events>\n"
        "<provider name=\"P\" guid=\"{not-a-guid}\"/>\n</events></instrumentation>"
        "</instrumentationManifest>\n";
    static const char no_provider[] = "<instrumentationManifest/>\n";
    static const char good[] = HEAD "<events><event value=\"1\"/></events>\n" TAIL;
    static const char good_then_bad[] =
        HEAD "<events><event value=\"2\"/><event value=\"3\" level=\"x\"/></events>\n" TAIL;
    struct ef_manifest_stats st;
    const struct ef_schema *s;

    ck_assert_int_eq(add(bad_guid), EF_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.data, "t.man:2: bad provider GUID '{not-a-guid}'"));
    ef_buf_reset(&err);
    ck_assert_int_eq(add(no_provider), EF_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.data, "no <provider> found"));
    ef_buf_reset(&err);
    ck_assert_int_eq(ef_manifest_source_add_buffer(src.ctx, "t.man", "", 0, &err), EF_EFORMAT);
    ef_buf_reset(&err);
    ck_assert_int_eq(add(good), 0);
    ck_assert_int_eq(add(good_then_bad), EF_EFORMAT);
    ef_manifest_source_stats(src.ctx, &st);
    ck_assert_uint_eq(st.files, 1);
    ck_assert_uint_eq(st.events, 1);
    ck_assert_int_eq(ef_manifest_source_find(src.ctx, &guid, 2, 0, &s), EF_ENOENT);
    ck_assert_int_eq(ef_manifest_source_add_file(src.ctx, "/nonexistent/x.man", &err), EF_ENOENT);
    ck_assert_ptr_nonnull(strstr(err.data, "/nonexistent/x.man: cannot read"));
}
END_TEST

static int make_tmpdir(char *out, size_t cap)
{
#ifdef _WIN32
    const char *t = getenv("TEMP");

    snprintf(out, cap, "%s\\efmanXXXXXX", t ? t : ".");
    if (_mktemp_s(out, strlen(out) + 1) != 0)
        return -1;
    return _mkdir(out);
#else
    snprintf(out, cap, "/tmp/efmanXXXXXX");
    return mkdtemp(out) ? 0 : -1;
#endif
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
    char path[1024];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    remove(path);
}

START_TEST(load_folder)
{
    static const char a[] = HEAD "<events><event value=\"1\"/></events>\n" TAIL;
    static const char b[] = HEAD "<events><event value=\"2\"/></events>\n" TAIL;
    static const char bad[] = HEAD "<events><event value=\"3\" level=\"?\"/></events>\n" TAIL;
    char dir[512];
    struct ef_manifest_stats st;
    int rc;

    ck_assert_int_eq(make_tmpdir(dir, sizeof(dir)), 0);
    write_file(dir, "a.man", a);
    write_file(dir, "b.XML", b);
    write_file(dir, "c.man", bad);
    write_file(dir, "ignored.txt", bad);
    rc = ef_manifest_source_add_dir(src.ctx, dir, &err);
    ck_assert_int_eq(rc, EF_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.data, "c.man:5: unknown level '?'"));
    ck_assert_ptr_null(strstr(err.data, "ignored.txt"));
    ef_manifest_source_stats(src.ctx, &st);
    ck_assert_uint_eq(st.files, 2);
    ck_assert_uint_eq(st.events, 2);
    remove_file(dir, "a.man");
    remove_file(dir, "b.XML");
    remove_file(dir, "c.man");
    remove_file(dir, "ignored.txt");
    rmdir(dir);
    ck_assert_int_eq(ef_manifest_source_add_dir(src.ctx, dir, &err), EF_ENOENT);
}
END_TEST

TCase *ef_manifest_synth_case(void);

TCase *ef_manifest_synth_case(void)
{
    TCase *tc = tcase_create("manifest_synth");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, maps_and_localization);
    tcase_add_test(tc, first_culture_without_en_us);
    tcase_add_loop_test(tc, message_escapes, 0, sizeof(msg_cases) / sizeof(msg_cases[0]));
    tcase_add_test(tc, standard_names);
    tcase_add_test(tc, task_opcodes_and_sizes);
    tcase_add_loop_test(tc, error_table, 0, sizeof(err_cases) / sizeof(err_cases[0]));
    tcase_add_test(tc, provider_errors);
    tcase_add_test(tc, load_folder);
    return tc;
}

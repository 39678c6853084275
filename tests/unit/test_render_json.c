/*
 * test_render_json.c - the native and ECS JSON of hand-built events: typed
 * values, maps with raw values, messages, raw payloads, decode errors and
 * extended data (docs/event-json.md is the contract these check).
 */
#include "runner.h"

#include "decode_fixture.h"
#include "decode/decoder.h"
#include "render/jsonw.h"
#include "render/render.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

static const struct ef_map_entry disp_entries[] = {{1, "OPEN_EXISTING"}, {2, "CREATE_NEW"}};
static const struct ef_map disp_map = {"Disp", EF_MAP_VALUE, 2, disp_entries};
static const struct ef_map_entry share_entries[] = {
    {1, "Read"}, {2, "Write"}, {3, "ReadWrite"}, {4, "Delete"}};
static const struct ef_map share_map = {"Share", EF_MAP_BITMAP, 4, share_entries};

static const struct ef_field open_fields[] = {
    {"Disposition", EF_IN_UINT32, 0, 0, 0, 0, 0, 0, 0, 0, &disp_map},
    {"ShareAccess", EF_IN_UINT32, 0, 0, 0, 0, 0, 0, 0, 0, &share_map},
    {"FileName", EF_IN_UNICODESTRING},
    {"Size", EF_IN_UINT64},
    {"Object", EF_IN_POINTER},
    {"Ok", EF_IN_BOOLEAN},
    {"Ratio", EF_IN_DOUBLE},
    {"Status", EF_IN_UINT32, EF_OUT_NTSTATUS},
    {"Ip", EF_IN_UINT32, EF_OUT_IPV4},
    {"Blob", EF_IN_BINARY, 0, EF_FIELD_LENGTH_FIXED, 0, 0, 2},
};

struct fixture {
    struct ef_schema schema;
    struct fx_source src;
    struct ef_decoder *dec;
    struct ef_renderer *ren;
    struct fx_payload p;
    struct ef_record rec;
    struct ef_event ev;
    struct ef_buf out;
};

static void setup_with(struct fixture *f, int format, int int64_as_string, int strings)
{
    struct ef_render_opts ro = {format, int64_as_string, "HOST", "main", strings, NULL};

    memset(f, 0, sizeof(*f));
    f->schema.provider = &fx_provider;
    f->schema.id = 12;
    f->schema.task = 3;
    f->schema.task_name = "Create";
    f->schema.fields = open_fields;
    f->schema.field_count = f->schema.top_count =
        (uint16_t)(sizeof(open_fields) / sizeof(open_fields[0]));
    f->schema.message = "Opened %3 (%1, %2!s!) 100%% %n done";
    f->schema.source = EF_SCHEMA_MANIFEST;
    f->src.schemas[0] = &f->schema;
    f->src.count = 1;
    ck_assert_int_eq(ef_decoder_new(NULL, &f->dec), 0);
    ef_decoder_add_source(f->dec, fx_source_make(&f->src));
    ck_assert_int_eq(ef_renderer_new(&ro, &f->ren), 0);
    ef_buf_init(&f->out, 1 << 16);
    fx_u32(&f->p, 1);
    fx_u32(&f->p, 7);
    fx_wstr(&f->p, "C:\\a \"b\".txt", 1);
    fx_u64(&f->p, 0xFFFFFFFFFFFFFFFFULL);
    fx_u64(&f->p, 0xFFFF8000DEAD0000ULL);
    fx_u32(&f->p, 1);
    {
        double d = 0.1;
        fx_bytes(&f->p, &d, 8);
    }
    fx_u32(&f->p, 0xC0000022);
    fx_bytes(&f->p, "\x0a\x00\x00\x01", 4);
    fx_bytes(&f->p, "\xBE\xEF", 2);
}

static void setup(struct fixture *f, int format, int int64_as_string)
{
    setup_with(f, format, int64_as_string, 0);
}

static const char *render(struct fixture *f, uint16_t id)
{
    fx_record(&f->rec, id, &f->p);
    f->rec.task = 3;
    ef_decoder_decode(f->dec, &f->rec, &f->ev);
    ef_buf_reset(&f->out);
    ck_assert_int_eq(ef_render_event(f->ren, &f->ev, &f->out), 0);
    return f->out.data;
}

static void teardown(struct fixture *f)
{
    ef_decoder_free(f->dec);
    ef_renderer_free(f->ren);
    ef_buf_free(&f->out);
}

static const char native_system[] =
    "{\"System\":{\"Provider\":{\"Name\":\"Test-Provider\",\"Guid\":"
    "\"{11111111-2222-3333-4455-66778899AABB}\"},\"EventID\":12,\"Version\":0,"
    "\"Level\":{\"Value\":4,\"Name\":\"Information\"},\"Task\":{\"Value\":3,\"Name\":\"Create\"},"
    "\"Opcode\":{\"Value\":0,\"Name\":\"Info\"},\"Keywords\":{\"Value\":\"0x8000000000000010\","
    "\"Name\":[\"KW_PROCESS\"]},\"TimeCreated\":{\"SystemTime\":\"2025-11-26T06:05:38.1234567Z\"},"
    "\"Execution\":{\"ProcessID\":1234,\"ThreadID\":5678,\"ProcessorID\":2},"
    "\"Computer\":\"HOST\",\"Session\":\"main\"}";

START_TEST(native_typed_values)
{
    struct fixture f;
    const char *want_data =
        ",\"EventData\":{\"Disposition\":{\"Value\":1,\"Name\":\"OPEN_EXISTING\"},"
        "\"ShareAccess\":{\"Value\":7,\"Name\":\"ReadWrite, Delete\"},"
        "\"FileName\":\"C:\\\\a \\\"b\\\".txt\",\"Size\":18446744073709551615,"
        "\"Object\":\"0xFFFF8000DEAD0000\",\"Ok\":true,\"Ratio\":0.1,\"Status\":\"0xC0000022\","
        "\"Ip\":\"10.0.0.1\",\"Blob\":\"BEEF\"},"
        "\"Message\":\"Opened C:\\\\a \\\"b\\\".txt (OPEN_EXISTING, ReadWrite, Delete) 100% \\n "
        "done\"}";
    char want[2048];

    setup(&f, EF_RENDER_NATIVE, 0);
    snprintf(want, sizeof(want), "%s%s", native_system, want_data);
    ck_assert_str_eq(render(&f, 12), want);
    teardown(&f);
}
END_TEST

/*
 * event_data_strings: every leaf a JSON string, as TDH shows it (maps by
 * name, numbers in decimal, hex and status as in typed JSON, booleans as
 * words): one JSON type per field whatever the event.
 */
START_TEST(native_string_values)
{
    struct fixture f;
    const char *want_data =
        ",\"EventData\":{\"Disposition\":\"OPEN_EXISTING\",\"ShareAccess\":\"ReadWrite, Delete\","
        "\"FileName\":\"C:\\\\a \\\"b\\\".txt\",\"Size\":\"18446744073709551615\","
        "\"Object\":\"0xFFFF8000DEAD0000\",\"Ok\":\"true\",\"Ratio\":\"0.1\","
        "\"Status\":\"0xC0000022\",\"Ip\":\"10.0.0.1\",\"Blob\":\"BEEF\"},";
    char want[2048];

    setup_with(&f, EF_RENDER_NATIVE, 0, 1);
    snprintf(want, sizeof(want), "%s%s", native_system, want_data);
    ck_assert_msg(strncmp(render(&f, 12), want, strlen(want)) == 0, "%s", f.out.data);
    teardown(&f);
}
END_TEST

/*
 * Map edges no trace fixture has: a value between two entries of a value
 * map, or above them all, has no name and shows only its number (a lookup
 * that settled on a neighbour would print another entry's name); a bitmap
 * names only entries whose bits are all set (6 = Write|Delete is not named
 * for 3 = Read|Write), and a value of bits no entry covers has no name.
 */
static const struct ef_map_entry gap_entries[] = {{1, "ONE"}, {3, "THREE"}, {5, "FIVE"}};
static const struct ef_map gap_map = {"Gap", EF_MAP_VALUE, 3, gap_entries};
static const struct ef_map_entry bits_entries[] = {{1, "Read"}, {2, "Write"}, {6, "WriteDelete"}};
static const struct ef_map bits_map = {"Bits", EF_MAP_BITMAP, 3, bits_entries};
static const struct ef_field gap_fields[] = {
    {"Between", EF_IN_UINT32, 0, 0, 0, 0, 0, 0, 0, 0, &gap_map},
    {"Above", EF_IN_UINT32, 0, 0, 0, 0, 0, 0, 0, 0, &gap_map},
    {"Found", EF_IN_UINT32, 0, 0, 0, 0, 0, 0, 0, 0, &gap_map},
    {"Access", EF_IN_UINT32, 0, 0, 0, 0, 0, 0, 0, 0, &bits_map},
    {"Unnamed", EF_IN_UINT32, 0, 0, 0, 0, 0, 0, 0, 0, &bits_map},
};

static void map_edges(int strings, const char *want)
{
    struct fixture f;

    setup_with(&f, EF_RENDER_NATIVE, 0, strings);
    f.schema.fields = gap_fields;
    f.schema.field_count = f.schema.top_count =
        (uint16_t)(sizeof(gap_fields) / sizeof(gap_fields[0]));
    f.schema.message = NULL;
    f.p.len = 0;
    fx_u32(&f.p, 2);
    fx_u32(&f.p, 9);
    fx_u32(&f.p, 5);
    fx_u32(&f.p, 3);
    fx_u32(&f.p, 0x18);
    ck_assert_msg(strstr(render(&f, 12), want) != NULL, "%s\nlacks\n%s", f.out.data, want);
    teardown(&f);
}

START_TEST(map_missing_values_and_partial_bits)
{
    map_edges(0, "\"EventData\":{\"Between\":{\"Value\":2},\"Above\":{\"Value\":9},"
                 "\"Found\":{\"Value\":5,\"Name\":\"FIVE\"},"
                 "\"Access\":{\"Value\":3,\"Name\":\"Read, Write\"},"
                 "\"Unnamed\":{\"Value\":24}}");
    map_edges(1, "\"EventData\":{\"Between\":\"2\",\"Above\":\"9\",\"Found\":\"FIVE\","
                 "\"Access\":\"Read, Write\",\"Unnamed\":\"24\"}");
}
END_TEST

/*
 * A wide event: 40 top-level fields F1..F40 holding 10, 20, ... 400. The
 * message's inserts are by position (FormatMessage: %n is the n-th
 * argument), so %10 is 100, %32 is 320 and %40 is 400, including those past
 * the fields the renderer indexes up front.
 */
START_TEST(message_inserts_of_a_wide_event)
{
    static char names[40][4];
    static struct ef_field wide[40];
    struct fixture f;
    unsigned i;

    for (i = 0; i < 40; i++) {
        snprintf(names[i], sizeof(names[i]), "F%u", i + 1);
        wide[i] = (struct ef_field){names[i], EF_IN_UINT32};
    }
    setup_with(&f, EF_RENDER_NATIVE, 0, 0);
    f.schema.fields = wide;
    f.schema.field_count = f.schema.top_count = 40;
    f.schema.message = "%1 %10 %32 %33 %34 %40.";
    f.p.len = 0;
    for (i = 0; i < 40; i++)
        fx_u32(&f.p, 10 * (i + 1));
    render(&f, 12);
    ck_assert_msg(strstr(f.out.data, "\"Message\":\"10 100 320 330 340 400.\""), "%s", f.out.data);
    ck_assert_ptr_nonnull(strstr(f.out.data, "\"F40\":400}"));
    teardown(&f);
}
END_TEST

START_TEST(native_int64_as_string)
{
    struct fixture f;

    setup(&f, EF_RENDER_NATIVE, 1);
    ck_assert_ptr_nonnull(strstr(render(&f, 12), "\"Size\":\"18446744073709551615\""));
    teardown(&f);
}
END_TEST

START_TEST(native_no_schema)
{
    struct fixture f;
    const char *out;

    setup(&f, EF_RENDER_NATIVE, 0);
    f.p.len = 3;
    out = render(&f, 99);
    ck_assert_ptr_null(strstr(out, "EventData"));
    ck_assert_ptr_nonnull(strstr(out, "\"Payload\":\"010000\",\"Flags\":[\"no_schema\"]}"));
    ck_assert_ptr_null(strstr(out, "\"Task\":{\"Value\":3,\"Name\""));
    teardown(&f);
}
END_TEST

START_TEST(native_decode_error)
{
    struct fixture f;
    const char *out;

    setup(&f, EF_RENDER_NATIVE, 0);
    f.p.len = 8 + 26 + 3; /* Size is cut after 3 of its 8 bytes */
    out = render(&f, 12);
    ck_assert_ptr_nonnull(strstr(out, "\"FileName\":\"C:\\\\a \\\"b\\\".txt\"},\"Message\""));
    ck_assert_ptr_nonnull(strstr(out, "\"DecodeError\":{\"Field\":\"Size\",\"Offset\":34,"
                                      "\"Remainder\":\"FFFFFF\"},\"Flags\":[\"decode_error\"]}"));
    teardown(&f);
}
END_TEST

START_TEST(native_extended_data)
{
    static const uint8_t sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    static const uint8_t rel[16] = {1, 0, 0, 0, 2, 0, 3, 0, 4, 5, 6, 7, 8, 9, 10, 11};
    static const uint8_t stack[24] = {9, 9, 9, 9, 9,    9,    9,    9,    0x10, 0x32, 0x54, 0x76,
                                      0, 0, 0, 0, 0xF0, 0xDE, 0xBC, 0x9A, 0x78, 0x56, 0x34, 0x12};
    static const uint8_t ts[4] = {3, 0, 0, 0};
    struct ef_ext_item ext[4] = {
        {EF_EXT_RELATED_ACTIVITYID, 16, rel},
        {EF_EXT_SID, 12, sid},
        {EF_EXT_TS_ID, 4, ts},
        {EF_EXT_STACK_TRACE64, 24, stack},
    };
    struct fixture f;

    setup(&f, EF_RENDER_NATIVE, 0);
    fx_record(&f.rec, 12, &f.p);
    f.rec.ext = ext;
    f.rec.ext_count = 4;
    f.rec.activity_id.data1 = 0x100;
    ef_decoder_decode(f.dec, &f.rec, &f.ev);
    ck_assert_int_eq(ef_render_event(f.ren, &f.ev, &f.out), 0);
    ck_assert_ptr_nonnull(strstr(f.out.data,
                                 "\"Correlation\":{\"ActivityID\":\"{00000100-0000-0000-0000-"
                                 "000000000000}\",\"RelatedActivityID\":\"{00000001-0002-0003-"
                                 "0405-060708090A0B}\"}"));
    ck_assert_ptr_nonnull(strstr(f.out.data,
                                 ",\"ExtendedData\":{\"Sid\":\"S-1-5-18\",\"TsId\":3,"
                                 "\"StackTrace\":[\"0x76543210\",\"0x123456789ABCDEF0\"]}}"));
    teardown(&f);
}
END_TEST

/* TimeCreated, Correlation and Execution, written under one room check, in their rarer shapes. */
START_TEST(native_system_middle_shapes)
{
    static const uint8_t rel[16] = {1, 0, 0, 0, 2, 0, 3, 0, 4, 5, 6, 7, 8, 9, 10, 11};
    struct ef_ext_item ext[1] = {{EF_EXT_RELATED_ACTIVITYID, 16, rel}};
    struct fixture f;
    int as_str;

    for (as_str = 0; as_str < 2; as_str++) {
        setup(&f, EF_RENDER_NATIVE, as_str);
        fx_record(&f.rec, 12, &f.p);
        f.rec.ext = ext;
        f.rec.ext_count = 1;
        f.rec.timestamp = UINT64_MAX; /* past the year 9999: the number */
        f.rec.pid = UINT32_MAX;
        ef_decoder_decode(f.dec, &f.rec, &f.ev);
        ck_assert_int_eq(ef_render_event(f.ren, &f.ev, &f.out), 0);
        ck_assert_ptr_nonnull(
            strstr(f.out.data, as_str ? "\"KW_PROCESS\"]},\"TimeCreated\":{\"SystemTime\":"
                                        "\"18446744073709551615\"},\"Correlation\":{"
                                      : "\"KW_PROCESS\"]},\"TimeCreated\":{\"SystemTime\":"
                                        "18446744073709551615},\"Correlation\":{"));
        ck_assert_ptr_nonnull(strstr(f.out.data, "\"Correlation\":{\"RelatedActivityID\":"
                                                 "\"{00000001-0002-0003-0405-060708090A0B}\"},"
                                                 "\"Execution\":{\"ProcessID\":4294967295,"
                                                 "\"ThreadID\":5678,\"ProcessorID\":2},"
                                                 "\"Computer\":\"HOST\""));
        teardown(&f);
    }
}
END_TEST

START_TEST(ecs_is_valid_json)
{
    const char *path_code[] = {"event", "code", NULL};
    const char *path_disp[] = {"winlog", "event_data", "Disposition", "Name", NULL};
    const char *path_pid[] = {"winlog", "process", "pid", NULL};
    const char *path_level[] = {"log", "level", NULL};
    const char *path_tags[] = {"tags", NULL};
    const char *path_payload[] = {"winlog", "payload", NULL};
    struct fixture f;
    char err[256];
    yajl_val root, v;

    setup(&f, EF_RENDER_ECS, 0);
    root = yajl_tree_parse(render(&f, 12), err, sizeof(err));
    ck_assert_msg(root != NULL, "%s", err);
    ck_assert_str_eq(YAJL_GET_STRING(yajl_tree_get(root, path_code, yajl_t_string)), "12");
    ck_assert_str_eq(YAJL_GET_STRING(yajl_tree_get(root, path_disp, yajl_t_string)),
                     "OPEN_EXISTING");
    v = yajl_tree_get(root, path_pid, yajl_t_number);
    ck_assert_int_eq(YAJL_GET_INTEGER(v), 1234);
    ck_assert_str_eq(YAJL_GET_STRING(yajl_tree_get(root, path_level, yajl_t_string)),
                     "information");
    yajl_tree_free(root);

    root = yajl_tree_parse(render(&f, 99), err, sizeof(err));
    ck_assert_msg(root != NULL, "%s", err);
    v = yajl_tree_get(root, path_tags, yajl_t_array);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(YAJL_GET_STRING(v->u.array.values[0]), "etw_no_schema");
    ck_assert_ptr_nonnull(yajl_tree_get(root, path_payload, yajl_t_string));
    yajl_tree_free(root);
    teardown(&f);
}
END_TEST

struct message_case {
    const char *tmpl;
    const char *want;
};

static const struct message_case message_cases[] = {
    {"plain", "plain"},
    {"%1", "OPEN_EXISTING"},
    {"%10|%9|%8", "0xBEEF|10.0.0.1|0xC0000022"},
    {"a%tb%rc%bd%.e%!f%%", "a\tb\rc d.e!f%"},
    {"%1!u! and %4!I64u!", "OPEN_EXISTING and 18446744073709551615"},
    {"%99 gone", " gone"},
    {"trailing %", "trailing %"},
    {"%q", "%q"},
    {"%6 %7", "true 0.1"},
};

START_TEST(message_table)
{
    const struct message_case *c = &message_cases[_i];
    struct fixture f;
    struct ef_buf b;

    setup(&f, EF_RENDER_NATIVE, 0);
    f.schema.message = c->tmpl;
    fx_record(&f.rec, 12, &f.p);
    ef_decoder_decode(f.dec, &f.rec, &f.ev);
    ef_buf_init(&b, 4096);
    ck_assert_int_eq(ef_render_message(&f.ev, &b), 0);
    ck_assert_str_eq(b.data ? b.data : "", c->want);
    ef_buf_free(&b);
    teardown(&f);
}
END_TEST

START_TEST(buffer_cap_restores)
{
    struct fixture f;

    setup(&f, EF_RENDER_NATIVE, 0);
    fx_record(&f.rec, 12, &f.p);
    ef_decoder_decode(f.dec, &f.rec, &f.ev);
    ef_buf_free(&f.out);
    ef_buf_init(&f.out, 100);
    ef_buf_append_str(&f.out, "keep");
    ck_assert_int_eq(ef_render_event(f.ren, &f.ev, &f.out), EF_ELIMIT);
    ck_assert_str_eq(f.out.data, "keep");
    /* The renderer is usable after a failure. */
    ef_buf_free(&f.out);
    ef_buf_init(&f.out, 1 << 16);
    ck_assert_int_eq(ef_render_event(f.ren, &f.ev, &f.out), 0);
    ck_assert(f.out.data[0] == '{');
    teardown(&f);
}
END_TEST

/* The escaping every string goes through, done one byte at a time. */
static void reference_escape(const unsigned char *s, size_t n, struct ef_buf *out)
{
    char tmp[8];
    size_t i;

    ef_buf_append(out, "\"", 1);
    for (i = 0; i < n; i++) {
        const char *e = NULL;

        switch (s[i]) {
        case '"':
            e = "\\\"";
            break;
        case '\\':
            e = "\\\\";
            break;
        case '\n':
            e = "\\n";
            break;
        case '\r':
            e = "\\r";
            break;
        case '\t':
            e = "\\t";
            break;
        case '\b':
            e = "\\b";
            break;
        case '\f':
            e = "\\f";
            break;
        default:
            if (s[i] < 0x20) {
                snprintf(tmp, sizeof(tmp), "\\u%04x", s[i]);
                e = tmp;
            }
        }
        if (e)
            ef_buf_append_str(out, e);
        else
            ef_buf_append(out, &s[i], 1);
    }
    ef_buf_append(out, "\"", 1);
}

/*
 * The writer escapes 8 bytes at a time: put each special byte (and a
 * UTF-8 sequence) at every position of strings of 0..40 bytes, so every
 * alignment and the tail path are exercised.
 */
static const unsigned char specials[] = {'"', '\\', '\n', 0x01, 0x1f, 0x7f, 0xc3, '!', 0};

START_TEST(jw_string_escapes)
{
    unsigned char in[40];
    struct ef_buf got, want;
    struct ef_jw w;
    size_t n, pos;

    ef_buf_init(&got, 1 << 16);
    ef_buf_init(&want, 1 << 16);
    for (n = 0; n <= sizeof(in); n++) {
        for (pos = 0; pos < (n ? n : 1); pos++) {
            memset(in, 'a' + (int)(n % 26), sizeof(in));
            if (n)
                in[pos] = specials[_i];
            ef_buf_reset(&got);
            ef_buf_reset(&want);
            ef_jw_reset(&w, &got);
            ef_jw_string(&w, in, n);
            reference_escape(in, n, &want);
            ck_assert_int_eq(w.err, 0);
            ck_assert_uint_eq(got.len, want.len);
            ck_assert_mem_eq(got.data, want.data, want.len);
        }
    }
    ef_buf_free(&got);
    ef_buf_free(&want);
}
END_TEST

TCase *ef_render_json_case(void);

TCase *ef_render_json_case(void)
{
    TCase *tc = tcase_create("json");

    tcase_add_test(tc, native_typed_values);
    tcase_add_test(tc, native_string_values);
    tcase_add_test(tc, native_int64_as_string);
    tcase_add_test(tc, map_missing_values_and_partial_bits);
    tcase_add_test(tc, message_inserts_of_a_wide_event);
    tcase_add_test(tc, native_system_middle_shapes);
    tcase_add_test(tc, native_no_schema);
    tcase_add_test(tc, native_decode_error);
    tcase_add_test(tc, native_extended_data);
    tcase_add_test(tc, ecs_is_valid_json);
    tcase_add_loop_test(tc, message_table, 0, sizeof(message_cases) / sizeof(message_cases[0]));
    tcase_add_test(tc, buffer_cap_restores);
    tcase_add_loop_test(tc, jw_string_escapes, 0, sizeof(specials));
    return tc;
}

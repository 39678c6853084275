/*
 * test_manifest_real.c - the manifest loader on the real manifests of the
 * shared test data (ClrEtwAll.man, HTTP_Server.man), checked against the
 * publishers' own facts and PerfView's baseline.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/manifest.h"
#include "util/error.h"

#define CLR_MAN     "testdata/etl/perfview/ClrEtwAll.man"
#define HTTP_MAN    "testdata/etl/tx/HTTP_Server.man"
#define GC_BASELINE "testdata/etl/perfview/gcevents.baseline.txt"

static struct ef_schema_source src;
static struct ef_buf err;

static void setup(void)
{
    ck_assert_int_eq(ef_manifest_source_new(&src), 0);
    ef_buf_init(&err, 1 << 16);
}

static void teardown(void)
{
    src.ops->destroy(src.ctx);
    ef_buf_free(&err);
}

static void load(const char *rel)
{
    char path[1024];
    int rc;

    rc = ef_manifest_source_add_file(src.ctx, ef_test_shared_path(rel, path, sizeof(path)), &err);
    ck_assert_msg(rc == 0, "%s: rc %d: %s", rel, rc, err.data ? err.data : "");
}

static const struct ef_schema *find(const char *provider, uint16_t id, uint8_t version)
{
    const struct ef_provider_info *p = ef_manifest_source_provider(src.ctx, provider);
    const struct ef_schema *s = NULL;

    ck_assert_msg(p != NULL, "provider %s", provider);
    ck_assert_int_eq(ef_manifest_source_find(src.ctx, &p->guid, id, version, &s), 0);
    return s;
}

static int field_index(const struct ef_schema *s, const char *name)
{
    int i;

    for (i = 0; i < s->field_count; i++) {
        if (strcmp(s->fields[i].name, name) == 0)
            return i;
    }
    return -1;
}

static const char *map_name(const struct ef_map *m, const char *name)
{
    uint32_t i;

    for (i = 0; m && i < m->count; i++) {
        if (strcmp(m->entries[i].name, name) == 0)
            return m->entries[i].name;
    }
    return NULL;
}

START_TEST(counts_of_both_manifests)
{
    struct ef_manifest_stats st;
    static const char *const clr[] = {
        "Microsoft-Windows-DotNETRuntime", "Microsoft-Windows-DotNETRuntimeRundown",
        "Microsoft-Windows-DotNETRuntimeStress", "Microsoft-Windows-DotNETRuntimePrivate"};
    size_t i;

    load(CLR_MAN);
    ef_manifest_source_stats(src.ctx, &st);
    ck_assert_uint_eq(st.providers, 4);
    ck_assert_uint_eq(st.events, 384); /* grep -c '<event ' ClrEtwAll.man */
    for (i = 0; i < 4; i++)
        ck_assert_ptr_nonnull(ef_manifest_source_provider(src.ctx, clr[i]));
    load(HTTP_MAN);
    ef_manifest_source_stats(src.ctx, &st);
    ck_assert_uint_eq(st.files, 2);
    ck_assert_uint_eq(st.providers, 5);
    ck_assert_uint_eq(st.events, 384 + 85);
    ck_assert_uint_eq(st.duplicates, 0);
    /* Loading a file twice keeps the first copy and counts the second. */
    load(HTTP_MAN);
    ef_manifest_source_stats(src.ctx, &st);
    ck_assert_uint_eq(st.events, 384 + 85);
    ck_assert_uint_eq(st.duplicates, 85);
}
END_TEST

START_TEST(http_event_2)
{
    const struct ef_schema *s;
    struct ef_record r;
    char g[EF_GUID_STR_SIZE];

    load(HTTP_MAN);
    s = find("Microsoft-Windows-HttpService", 2, 0);
    ef_guid_format(&s->provider->guid, g);
    ck_assert_str_eq(g, "{DD5EF90A-6398-47A4-AD34-4DCECDEF795F}");
    ck_assert_str_eq(s->message, "Parsed request (request pointer %1, method %2) with URI %3.");
    ck_assert_str_eq(s->opcode_name, "Parse");
    ck_assert_uint_eq(s->opcode, 12);
    ck_assert_str_eq(s->task_name, "HTTP Request Trace Task");
    ck_assert_uint_eq(s->task, 1);
    ck_assert_uint_eq(s->level, 4);
    ck_assert_str_eq(s->level_name, "Information");
    ck_assert_uint_eq(s->keywords, 0x2);
    ck_assert_uint_eq(s->channel, 16);
    ck_assert_str_eq(s->channel_name, "Microsoft-Windows-HttpService/Trace");
    ck_assert_uint_eq(s->source, EF_SCHEMA_MANIFEST);
    ck_assert_uint_eq(s->top_count, 3);
    ck_assert_uint_eq(s->field_count, 3);
    ck_assert_str_eq(s->fields[0].name, "RequestObj");
    ck_assert_uint_eq(s->fields[0].intype, EF_IN_POINTER);
    ck_assert_uint_eq(s->fields[0].outtype, EF_OUT_HEXINT64);
    ck_assert_str_eq(s->fields[1].name, "HttpVerb");
    ck_assert_uint_eq(s->fields[1].intype, EF_IN_UINT32);
    ck_assert_uint_eq(s->fields[1].outtype, EF_OUT_UNSIGNEDINT);
    ck_assert_str_eq(s->fields[2].name, "Url");
    ck_assert_uint_eq(s->fields[2].intype, EF_IN_UNICODESTRING);

    /* The same schema through the source interface, keyed by the record. */
    memset(&r, 0, sizeof(r));
    r.provider = s->provider->guid;
    r.id = 2;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s), 0);
    ck_assert_uint_eq(s->id, 2);
    r.version = 1; /* exact versions only */
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s), EF_ENOENT);
    r.version = 0;
    r.id = 999;
    ck_assert_int_eq(src.ops->lookup(src.ctx, &r, &s), EF_ENOENT);
}
END_TEST

/* The binary field of HTTP event templates: length from an earlier field. */
START_TEST(http_length_ref)
{
    const struct ef_schema *s;
    int i, j;

    load(HTTP_MAN);
    s = NULL;
    for (i = 0; i < 100 && !s; i++) {
        const struct ef_provider_info *p =
            ef_manifest_source_provider(src.ctx, "Microsoft-Windows-HttpService");

        if (ef_manifest_source_find(src.ctx, &p->guid, (uint16_t)i, 0, &s) == 0 &&
            field_index(s, "Address") < 0)
            s = NULL;
    }
    ck_assert_ptr_nonnull(s);
    i = field_index(s, "Address");
    j = field_index(s, "AddressLength");
    ck_assert_int_ge(j, 0);
    ck_assert_int_lt(j, i);
    ck_assert_uint_eq(s->fields[i].intype, EF_IN_BINARY);
    ck_assert_uint_eq(s->fields[i].outtype, EF_OUT_SOCKETADDRESS);
    ck_assert(s->fields[i].flags & EF_FIELD_LENGTH_REF);
    ck_assert_uint_eq(s->fields[i].length_ref, j);
}
END_TEST

/*
 * GCStart_V2 (id 1, version 2): the field names PerfView prints for the
 * first GC/Start event of gcevents.etl, and its map value names.
 */
START_TEST(gc_start_against_baseline)
{
    const struct ef_schema *s;
    char path[1024], line[8192], *p, *eq, *semi;
    FILE *f;
    int found = 0, names = 0, i;

    load(CLR_MAN);
    s = find("Microsoft-Windows-DotNETRuntime", 1, 2);
    ck_assert_str_eq(s->event_name, "GCStart_V2");
    ck_assert_str_eq(s->task_name, "GC");
    ck_assert_str_eq(s->opcode_name, "Start");
    ck_assert_uint_eq(s->opcode, 1);
    ck_assert_uint_eq(s->task, 1);
    ck_assert_uint_eq(s->top_count, 6);
    ck_assert_str_eq(s->message, "Count=%1;\nDepth=%2;\nReason=%3;\nType=%4;\nClrInstanceID=%5;\n"
                                 "ClientSequenceNumber=%6");
    ck_assert_uint_eq(s->fields[5].intype, EF_IN_UINT64);
    ck_assert_uint_eq(s->fields[4].intype, EF_IN_UINT16);

    f = fopen(ef_test_shared_path(GC_BASELINE, path, sizeof(path)), "r");
    ck_assert_ptr_nonnull(f);
    while (!found && fgets(line, sizeof(line), f)) {
        if (!strstr(line, "Microsoft-Windows-DotNETRuntime/GC/Start "))
            continue;
        found = 1;
        p = strstr(line, "DataLen=");
        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(atoi(p + 8), 26); /* 4+4+4+4+2+8: version 2's payload */
        p = strchr(p, ';') + 1;
        while ((eq = strchr(p, '=')) && (semi = strchr(eq, ';'))) {
            while (*p == ' ')
                p++;
            *eq = '\0';
            *semi = '\0';
            i = field_index(s, p);
            ck_assert_msg(i >= 0, "baseline field %s not in the schema", p);
            if (strcmp(p, "Reason") == 0 || strcmp(p, "Type") == 0)
                ck_assert_msg(map_name(s->fields[i].map, eq + 1), "%s: no map name %s", p, eq + 1);
            names++;
            p = semi + 1;
        }
    }
    fclose(f);
    ck_assert(found);
    ck_assert_int_eq(names, 6);
}
END_TEST

/* BulkType: a struct array counted by a top-level field, with a member
 * array counted by a sibling member. */
START_TEST(clr_struct_and_count_refs)
{
    const struct ef_schema *s;
    const struct ef_field *v, *tp;
    int i;

    load(CLR_MAN);
    s = find("Microsoft-Windows-DotNETRuntime", 15, 0);
    ck_assert_uint_eq(s->top_count, 3);
    ck_assert_uint_eq(s->field_count, 3 + 8);
    v = &s->fields[2];
    ck_assert_str_eq(v->name, "Values");
    ck_assert(v->flags & EF_FIELD_STRUCT);
    ck_assert(v->flags & EF_FIELD_COUNT_REF);
    ck_assert_uint_eq(v->count_ref, 0);
    ck_assert_uint_eq(v->struct_first, 3);
    ck_assert_uint_eq(v->struct_count, 8);
    tp = &s->fields[v->struct_first + 7];
    ck_assert_str_eq(tp->name, "TypeParameters");
    ck_assert(tp->flags & EF_FIELD_COUNT_REF);
    ck_assert_str_eq(s->fields[tp->count_ref].name, "TypeParameterCount");
    ck_assert_uint_eq(tp->count_ref, v->struct_first + 6);
    i = field_index(s, "Flags");
    ck_assert_ptr_nonnull(s->fields[i].map);
    ck_assert_uint_eq(s->fields[i].map->kind, EF_MAP_BITMAP);

    /* MethodILToNativeMap: two arrays counted by the same earlier field. */
    s = find("Microsoft-Windows-DotNETRuntime", 190, 0);
    i = field_index(s, "NativeOffsets");
    ck_assert(s->fields[i].flags & EF_FIELD_COUNT_REF);
    ck_assert_str_eq(s->fields[s->fields[i].count_ref].name, "CountOfMapEntries");
    /* ClrStackWalk's Stack: a fixed count of pointers. */
    s = find("Microsoft-Windows-DotNETRuntime", 82, 0);
    i = field_index(s, "Stack");
    ck_assert(s->fields[i].flags & EF_FIELD_COUNT_FIXED);
    ck_assert_uint_eq(s->fields[i].count, 2);
    ck_assert_uint_eq(s->fields[i].intype, EF_IN_POINTER);
}
END_TEST

START_TEST(keyword_names)
{
    const struct ef_provider_info *p;
    uint32_t i;
    int gc = 0, std = 0;

    load(CLR_MAN);
    p = ef_manifest_source_provider(src.ctx, "microsoft-windows-dotnetruntime");
    ck_assert_ptr_nonnull(p);
    for (i = 0; i < p->keyword_count; i++) {
        if (p->keywords[i].mask == 0x1 && strcmp(p->keywords[i].name, "GC") == 0)
            gc = 1;
        if (p->keywords[i].mask == 0x80000000000000ull)
            std = 1;
    }
    ck_assert(gc);
    ck_assert(std);
}
END_TEST

TCase *ef_manifest_real_case(void);

TCase *ef_manifest_real_case(void)
{
    TCase *tc = tcase_create("manifest_real");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, counts_of_both_manifests);
    tcase_add_test(tc, http_event_2);
    tcase_add_test(tc, http_length_ref);
    tcase_add_test(tc, gc_start_against_baseline);
    tcase_add_test(tc, clr_struct_and_count_refs);
    tcase_add_test(tc, keyword_names);
    return tc;
}

/*
 * test_etw_filter_win.c - a provider's filters as EnableTraceEx2 receives
 * them (core/etw/filter_win.c through session_win.c), checked as bytes
 * against the layouts of ETW-NOTES §4, worked out by hand here:
 *   EVENT_FILTER_EVENT_ID = {BOOLEAN FilterIn; UCHAR Reserved; USHORT Count;
 *                            USHORT Events[]}, 4 + 2*Count bytes;
 *   PID filter = ULONG[n], n <= 8;
 *   EXECUTABLE_NAME = one NUL-terminated UTF-16LE string, <= 1024 bytes.
 * The fake controller copies every filter's bytes, so these tests read
 * what "ETW" got, and an ENABLE replaces the provider's filters.
 */
#include "runner.h"

#include "fake_trace.h"

#include "etw/etw_defs.h"
#include "etw/filter.h"
#include "etw/session.h"
#include "util/attr.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static struct ef_etw_api api;
static struct ef_etw_session *sess;
static struct fake_session *fs;
static struct ef_provider_cfg prov;

static const struct ef_guid pguid = {
    0x22fb2cd6, 0x0e7b, 0x422b, {0xa0, 0xc7, 0x2f, 0xad, 0x1f, 0xd0, 0xe7, 0x16}};

static void setup(void)
{
    struct ef_etw_session_opts o;
    char err[512];

    fake_trace_reset();
    memset(&api, 0, sizeof(api));
    fake_trace_install_control(&api);
    memset(&o, 0, sizeof(o));
    o.api = &api;
    o.name = "etwfwd-filters";
    o.kind = EF_SESSION_REALTIME;
    o.on_exists = EF_ON_EXISTS_FAIL;
    ck_assert_int_eq(ef_etw_session_start(&o, &sess, NULL, err, sizeof(err)), 0);
    fs = fake_trace_find("etwfwd-filters");
    ck_assert_ptr_nonnull(fs);
    memset(&prov, 0, sizeof(prov));
    prov.name = (char *)"Microsoft-Windows-Kernel-Process";
    prov.guid = pguid;
    prov.level = 4;
}

static void teardown(void)
{
    ck_assert_int_eq(ef_etw_session_stop(sess), 0);
    ef_etw_session_free(sess);
    sess = NULL;
}

static struct fake_enabled *enable_ok(void)
{
    struct fake_enabled *e;
    char err[512];
    int rc = ef_etw_session_enable(sess, &prov, &pguid, err, sizeof(err));

    ck_assert_msg(rc == 0, "enable: %s (%s) fake: %s", ef_errname(rc), err, fake_trace.last_error);
    e = fake_trace_enabled(fs, &pguid);
    ck_assert_ptr_nonnull(e);
    return e;
}

static void assert_filter(const struct fake_enabled *e, unsigned i, ULONG type,
                          const unsigned char *want, ULONG size)
{
    ULONG k;

    ck_assert_uint_lt(i, e->filter_count);
    ck_assert_uint_eq(e->filters[i].type, type);
    ck_assert_uint_eq(e->filters[i].size, size);
    for (k = 0; k < size; k++)
        ck_assert_msg(e->filters[i].data[k] == want[k], "filter %u byte %lu: %02x, want %02x", i,
                      (unsigned long)k, e->filters[i].data[k], want[k]);
}

START_TEST(filter_event_ids_bytes)
{
    /* FilterIn 1, Reserved 0, Count 3 (LE), then 1, 2, 300 (0x012c) as LE USHORTs. */
    static const unsigned char want[] = {0x01, 0x00, 0x03, 0x00, 0x01,
                                         0x00, 0x02, 0x00, 0x2c, 0x01};
    struct fake_enabled *e;

    prov.event_ids.v[0] = 1;
    prov.event_ids.v[1] = 2;
    prov.event_ids.v[2] = 300;
    prov.event_ids.n = 3;
    e = enable_ok();
    ck_assert_int_eq(e->has_params, 1);
    ck_assert_uint_eq(e->version, 2);
    ck_assert_uint_eq(e->filter_count, 1);
    assert_filter(e, 0, 0x80000200u, want, sizeof(want));
    ck_assert_uint_eq(e->level, 4);
    ck_assert_uint_eq(e->enables, 1);
}
END_TEST

START_TEST(filter_event_ids_exclude)
{
    static const unsigned char want[] = {0x00, 0x00, 0x01, 0x00, 0xe8, 0x03}; /* 1000 */
    struct fake_enabled *e;

    prov.event_ids.v[0] = 1000;
    prov.event_ids.n = 1;
    prov.event_ids_exclude = 1;
    e = enable_ok();
    assert_filter(e, 0, 0x80000200u, want, sizeof(want));
}
END_TEST

START_TEST(filter_pids_bytes)
{
    static const unsigned char want[] = {0x04, 0x00, 0x00, 0x00, 0xd2, 0x04, 0x00, 0x00};
    struct fake_enabled *e;

    prov.pids.v[0] = 4;
    prov.pids.v[1] = 1234;
    prov.pids.n = 2;
    e = enable_ok();
    ck_assert_uint_eq(e->filter_count, 1);
    assert_filter(e, 0, 0x80000004u, want, sizeof(want));
}
END_TEST

START_TEST(filter_exe_names_bytes)
{
    static const char list[] = "a.exe;b.exe";
    unsigned char want[2 * sizeof(list)];
    struct fake_enabled *e;
    size_t i;

    /* ASCII as UTF-16LE: each character then a zero byte, and the NUL as two zeros. */
    for (i = 0; i < sizeof(list); i++) {
        want[2 * i] = (unsigned char)list[i];
        want[2 * i + 1] = 0;
    }
    prov.exe_names = (char *)list;
    e = enable_ok();
    ck_assert_uint_eq(e->filter_count, 1);
    assert_filter(e, 0, 0x80000008u, want, 24);
}
END_TEST

START_TEST(filter_all_and_properties)
{
    static const unsigned char ids[] = {0x01, 0x00, 0x01, 0x00, 0x05, 0x00};
    static const unsigned char pids[] = {0x10, 0x00, 0x00, 0x00};
    static const unsigned char exe[] = {'x', 0, '.', 0, 'e', 0, 'x', 0, 'e', 0, 0, 0};
    struct fake_enabled *e;

    prov.event_ids.v[0] = 5;
    prov.event_ids.n = 1;
    prov.pids.v[0] = 16;
    prov.pids.n = 1;
    prov.exe_names = (char *)"x.exe";
    prov.sid = prov.ts_id = prov.stack_trace = prov.process_start_key = 1;
    prov.ignore_keyword_0 = 1;
    prov.level = 5;
    prov.match_any = 0x8000000000000010ull;
    prov.match_all = 0x1;
    e = enable_ok();
    /* SID 0x1 | TS_ID 0x2 | STACK_TRACE 0x4 | IGNORE_KEYWORD_0 0x10 | PROCESS_START_KEY 0x80 */
    ck_assert_uint_eq(e->enable_property, 0x97);
    ck_assert_uint_eq(e->level, 5);
    ck_assert_uint_eq(e->match_any, 0x8000000000000010ull);
    ck_assert_uint_eq(e->match_all, 1);
    ck_assert_uint_eq(e->filter_count, 3);
    assert_filter(e, 0, 0x80000200u, ids, sizeof(ids));
    assert_filter(e, 1, 0x80000004u, pids, sizeof(pids));
    assert_filter(e, 2, 0x80000008u, exe, sizeof(exe));
}
END_TEST

START_TEST(filter_params_plain)
{
    static const GUID zero;
    struct ef_etw_filters f;
    char err[256];

    ck_assert_int_eq(ef_etw_filters_build(&prov, &f, err, sizeof(err)), 0);
    ck_assert_uint_eq(f.params.Version, 2);
    ck_assert_uint_eq(f.params.EnableProperty, 0);
    ck_assert_uint_eq(f.params.ControlFlags, 0);
    ck_assert(memcmp(&f.params.SourceId, &zero, sizeof(zero)) == 0);
    ck_assert_uint_eq(f.params.FilterDescCount, 0);
    ck_assert_ptr_null(f.params.EnableFilterDesc);

    prov.pids.v[0] = 1;
    prov.pids.n = 1;
    ck_assert_int_eq(ef_etw_filters_build(&prov, &f, err, sizeof(err)), 0);
    ck_assert_uint_eq(f.params.FilterDescCount, 1);
    ck_assert_ptr_eq(f.params.EnableFilterDesc, f.desc);
    ck_assert_uint_eq(f.desc[0].Ptr, (ULONGLONG)(uintptr_t)f.pids);
}
END_TEST

START_TEST(filter_limits_refused)
{
    char exe[600];
    struct ef_etw_filters f;
    char err[512];

    /* 65 event IDs: the count is checked before any ID is read. */
    prov.event_ids.n = 65;
    ck_assert_int_eq(ef_etw_session_enable(sess, &prov, &pguid, err, sizeof(err)), EF_ELIMIT);
    ck_assert_ptr_nonnull(strstr(err, "65 event IDs"));
    ck_assert_ptr_nonnull(strstr(err, "64"));
    prov.event_ids.n = 0;

    /* An ID over 16 bits. */
    prov.event_ids.v[0] = 70000;
    prov.event_ids.n = 1;
    ck_assert_int_eq(ef_etw_filters_build(&prov, &f, err, sizeof(err)), EF_EINVAL);
    prov.event_ids.n = 0;

    /* 9 PIDs. */
    prov.pids.n = 9;
    ck_assert_int_eq(ef_etw_session_enable(sess, &prov, &pguid, err, sizeof(err)), EF_ELIMIT);
    ck_assert_ptr_nonnull(strstr(err, "9 PIDs"));
    prov.pids.n = 8;
    ck_assert_int_eq(ef_etw_filters_build(&prov, &f, err, sizeof(err)), 0);
    ck_assert_uint_eq(f.desc[0].Size, 32);
    prov.pids.n = 0;

    /* 512 characters + NUL = 1026 bytes of UTF-16: one byte pair too many. */
    memset(exe, 'a', 512);
    memcpy(exe + 508, ".exe", 4);
    exe[512] = 0;
    prov.exe_names = exe;
    ck_assert_int_eq(ef_etw_session_enable(sess, &prov, &pguid, err, sizeof(err)), EF_ELIMIT);
    ck_assert_ptr_nonnull(strstr(err, "1026 bytes"));
    ck_assert_ptr_nonnull(strstr(err, "1024"));
    /* 511 characters + NUL = exactly 1024 bytes: accepted, whole. */
    memmove(exe + 507, ".exe", 5);
    ck_assert_int_eq(ef_etw_filters_build(&prov, &f, err, sizeof(err)), 0);
    ck_assert_uint_eq(f.desc[0].Size, 1024);
    ck_assert_uint_eq(f.exe_names[510], 'e');
    ck_assert_uint_eq(f.exe_names[511], 0);

    /* Nothing refused ever reached EnableTraceEx2. */
    ck_assert_uint_eq(fake_trace.enable_calls, 0);
    ck_assert_uint_eq(fs->n_enabled, 0);

    /* The boundary one goes through the fake's own checks. */
    ck_assert_uint_eq(enable_ok()->filters[0].size, 1024);
}
END_TEST

START_TEST(filter_enable_replaces)
{
    static const unsigned char exe[] = {'y', 0, '.', 0, 'e', 0, 'x', 0, 'e', 0, 0, 0};
    struct fake_enabled *e;

    prov.event_ids.v[0] = 7;
    prov.event_ids.n = 1;
    prov.pids.v[0] = 99;
    prov.pids.n = 1;
    e = enable_ok();
    ck_assert_uint_eq(e->filter_count, 2);

    /* The second call carries only the executable name: the rest is gone. */
    prov.event_ids.n = 0;
    prov.pids.n = 0;
    prov.exe_names = (char *)"y.exe";
    e = enable_ok();
    ck_assert_uint_eq(e->enables, 2);
    ck_assert_uint_eq(e->filter_count, 1);
    assert_filter(e, 0, 0x80000008u, exe, sizeof(exe));
    ck_assert_uint_eq(e->filters[1].type, 0);

    /* No filters at all clears them. */
    prov.exe_names = NULL;
    e = enable_ok();
    ck_assert_uint_eq(e->enables, 3);
    ck_assert_uint_eq(e->filter_count, 0);
    ck_assert_int_eq(e->has_params, 1);
}
END_TEST

/* The fake refuses malformed parameters, so the byte checks above mean something. */
START_TEST(filter_fake_checks_bite)
{
    struct ef_etw_filters f;
    char err[256];
    GUID g;
    TRACEHANDLE h = fs->handle;

    memcpy(&g, &pguid, sizeof(g));
    prov.event_ids.v[0] = 1;
    prov.event_ids.n = 1;
    prov.pids.v[0] = 1;
    prov.pids.n = 1;
    ck_assert_int_eq(ef_etw_filters_build(&prov, &f, err, sizeof(err)), 0);
    ck_assert_uint_eq(api.enable_trace_ex2(h, &g, 1, 4, 0, 0, 0, &f.params), 0);

    f.params.Version = 1;
    ck_assert_uint_eq(api.enable_trace_ex2(h, &g, 1, 4, 0, 0, 0, &f.params), 87);
    ck_assert_ptr_nonnull(strstr(fake_trace.last_error, "Version"));
    f.params.Version = 2;

    f.desc[1].Type = f.desc[0].Type; /* the same type twice */
    ck_assert_uint_eq(api.enable_trace_ex2(h, &g, 1, 4, 0, 0, 0, &f.params), 87);
    ck_assert_ptr_nonnull(strstr(fake_trace.last_error, "twice"));
    f.desc[1].Type = EF_ETW_FILTER_PID;

    f.desc[0].Size = 8; /* Count 1 needs 6 bytes */
    ck_assert_uint_eq(api.enable_trace_ex2(h, &g, 1, 4, 0, 0, 0, &f.params), 87);
    f.desc[0].Size = 6;

    f.params.FilterDescCount = 9;
    ck_assert_uint_eq(api.enable_trace_ex2(h, &g, 1, 4, 0, 0, 0, &f.params), 87);
    f.params.FilterDescCount = 2;

    prov.event_ids.n = 0;
    prov.pids.n = 0;
    prov.exe_names = (char *)"z.exe";
    ck_assert_int_eq(ef_etw_filters_build(&prov, &f, err, sizeof(err)), 0);
    f.exe_names[5] = L'x'; /* the NUL overwritten */
    ck_assert_uint_eq(api.enable_trace_ex2(h, &g, 1, 4, 0, 0, 0, &f.params), 87);
    ck_assert_ptr_nonnull(strstr(fake_trace.last_error, "NUL"));

    /* An unknown handle, and the refusals changed nothing the first call recorded. */
    ck_assert_uint_eq(api.enable_trace_ex2(h + 1, &g, 1, 4, 0, 0, 0, NULL), 6);
    ck_assert_uint_eq(fake_trace_enabled(fs, &pguid)->enables, 1);
    ck_assert_uint_eq(fake_trace_enabled(fs, &pguid)->filter_count, 2);
}
END_TEST

TCase *ef_etw_filter_case(void);
TCase *ef_etw_filter_case(void)
{
    TCase *tc = tcase_create("filter");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, filter_event_ids_bytes);
    tcase_add_test(tc, filter_event_ids_exclude);
    tcase_add_test(tc, filter_pids_bytes);
    tcase_add_test(tc, filter_exe_names_bytes);
    tcase_add_test(tc, filter_all_and_properties);
    tcase_add_test(tc, filter_params_plain);
    tcase_add_test(tc, filter_limits_refused);
    tcase_add_test(tc, filter_enable_replaces);
    tcase_add_test(tc, filter_fake_checks_bite);
    return tc;
}

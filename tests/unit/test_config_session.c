/*
 * test_config_session.c - the options of live sessions (clock,
 * kernel_session, reconnect_min/max, tdh) and the ETW limits `validate`
 * refuses, each with its exact "FILE:LINE: [section] key: ..." message.
 *
 * The limits come from ETW-NOTES: names of at most 1024 UTF-16 units with
 * the NUL (section 1), one NT Kernel Logger (section 2), filter data of at
 * most 1024 bytes, 8 PIDs, 64 event IDs (section 4).
 */
#include "runner.h"

#include "config/config.h"
#include "etw/etw_defs.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SINK "[sink:o]\ntype = file\npath = x\n"

static int load(const char *text, struct ef_config **cfg, struct ef_config_errors *e)
{
    size_t len = strlen(text);
    char *copy = malloc(len ? len : 1);
    int rc;

    memcpy(copy, text, len);
    rc = ef_config_load_string(copy, len, "t.ini", cfg, e);
    free(copy);
    return rc;
}

/* Loads text, which must fail with exactly the errors want (NULL-terminated). */
static void expect_errors(const char *text, const char *const *want)
{
    struct ef_config_errors e = {0};
    struct ef_config *cfg = (void *)1;
    size_t n = 0, i;

    while (want[n])
        n++;
    ck_assert_int_eq(load(text, &cfg, &e), EF_ECONFIG);
    ck_assert_ptr_null(cfg);
    for (i = 0; i < e.n && i < n; i++)
        ck_assert_str_eq(e.msgs[i], want[i]);
    ck_assert_msg(e.n == n, "%zu errors, first extra: %s", e.n, e.n > n ? e.msgs[n] : "-");
    ef_config_errors_free(&e);
}

struct err_case {
    const char *text;
    const char *want[3];
};

static const struct err_case err_cases[] = {
    {"[session:s]\nkind = realtime\nclock = hpet\nprovider = X\n" SINK,
     {"t.ini:3: [session:s] clock: 'hpet' is not valid (expected one of qpc, system, cycles)"}},
    {"[session:s]\nkind = existing\ntrace_name = EventLog-Security\nclock = qpc\n" SINK,
     {"t.ini:4: [session:s] clock: does not apply to kind = existing (expected only with kind "
      "= realtime or kernel)"}},
    {"[session:s]\nkind = realtime\nprovider = X\nkernel_session = private\n" SINK,
     {"t.ini:4: [session:s] kernel_session: does not apply to kind = realtime (expected only "
      "with kind = kernel)"}},
    {"[session:s]\nkind = kernel\nkernel_flags = process\nkernel_session = shared\n" SINK,
     {"t.ini:4: [session:s] kernel_session: 'shared' is not valid (expected one of private, "
      "nt_kernel_logger)"}},
    /* Only one NT Kernel Logger exists: the second session that asks for it is refused. */
    {"[session:a]\nkind = kernel\nkernel_flags = process\nkernel_session = nt_kernel_logger\n"
     "[session:b]\nkind = kernel\nkernel_flags = thread\nkernel_session = nt_kernel_logger\n" SINK,
     {"t.ini:8: [session:b] kernel_session: session a already uses the NT Kernel Logger (at "
      "line 1; expected kernel_session = private: Windows has only one NT Kernel Logger)"}},
    {"[session:s]\nkind = realtime\nprovider = X\nreconnect_min = 10s\nreconnect_max = 5s\n" SINK,
     {"t.ini:5: [session:s] reconnect_max: 5s is less than reconnect_min 10s (expected at "
      "least reconnect_min)"}},
    /* Only min written: it is the one blamed, against max's default of 60 s. */
    {"[session:s]\nkind = existing\ntrace_name = X\nreconnect_min = 2m\n" SINK,
     {"t.ini:4: [session:s] reconnect_min: 2m is more than reconnect_max 1m, its default "
      "(expected at most reconnect_max, or reconnect_max set too)"}},
    {"[session:s]\nkind = kernel\nkernel_flags = process\nreconnect_max = 50ms\n" SINK,
     {"t.ini:4: [session:s] reconnect_max: '50ms' is out of range (expected a duration from "
      "100ms to 1h, in ms, s, m or h)"}},
    {"[session:s]\nkind = file\npath = a.etl\nreconnect_min = 1s\ntdh = false\n" SINK,
     {"t.ini:4: [session:s] reconnect_min: does not apply to kind = file (expected only with "
      "kind = realtime, kernel or existing)",
      "t.ini:5: [session:s] tdh: does not apply to kind = file (expected only with kind = "
      "realtime, kernel or existing)"}},
    {"[session:s]\nkind = realtime\nprovider = X\ntdh = maybe\n" SINK,
     {"t.ini:4: [session:s] tdh: 'maybe' is not valid (expected true or false)"}},
    /* Providers where they cannot go: kernel takes flags, existing is never changed. */
    {"[session:s]\nkind = existing\ntrace_name = EventLog-Security\nprovider = X\n" SINK,
     {"t.ini:4: [session:s] provider: kind = existing reads a session someone else controls, "
      "and etwfwd never changes it (expected no providers here: enable them in a kind = "
      "realtime session)"}},
    {"[session:s]\nkind = existing\ntrace_name = EventLog-Security\n[provider:p]\nsession = s\n"
     "rundown = true\n" SINK,
     {"t.ini:5: [provider:p] session: session s: kind = existing reads a session someone else "
      "controls, and etwfwd never changes it (expected no providers here: enable them in a "
      "kind = realtime session)"}},
    /* rundown belongs to realtime sessions' providers only. */
    {"[session:k]\nkind = kernel\nkernel_flags = process\n[provider:p]\nsession = k\n"
     "rundown = true\n" SINK,
     {"t.ini:5: [provider:p] session: session k is kind = kernel, which takes kernel flags, "
      "not manifest providers (expected a kind = realtime session)"}},
    {"[session:k]\nkind = kernel\nkernel_flags = process\nprovider = X\n" SINK,
     {"t.ini:4: [session:k] provider: kind = kernel takes kernel flags, not manifest providers "
      "(expected kernel_flags = process,thread,... or a kind = realtime session)"}},
    {"[session:k]\nkind = kernel\n" SINK,
     {"t.ini:1: [session:k]: a kernel session without kernel flags (expected kernel_flags = "
      "process,thread,image_load or similar)"}},
    {"[session:s]\nkind = realtime\nprovider = X\nkernel_flags = process\n" SINK,
     {"t.ini:4: [session:s] kernel_flags: does not apply to kind = realtime (expected only "
      "with kind = kernel)"}},
    {"[session:s]\nkind = realtime\nprovider = X\nmin_buffers = 32\nmax_buffers = 16\n" SINK,
     {"t.ini:5: [session:s] max_buffers: 16 is less than min_buffers 32 (expected at least "
      "min_buffers)"}},
    {"[session:s]\nkind = realtime\nprovider = Microsoft-Windows-DNS-Client\n"
     "provider = {1c95126e-7eea-49a9-a3fe-a378b03ddb4d}:4\n" SINK,
     {"t.ini:4: [session:s] provider: {1C95126E-7EEA-49A9-A3FE-A378B03DDB4D} is enabled twice "
      "in this session (first at line 3; expected each provider once)"}},
    {"[session:s]\nkind = realtime\n[provider:p]\nsession = s\n"
     "pids = 1,2,3,4,5,6,7,8,9\n" SINK,
     {"t.ini:5: [provider:p] pids: '1,2,3,4,5,6,7,8,9': 9 items, ETW takes at most 8 (refused "
      "rather than dropped)"}},
    /* ETW session names ignore case: etwfwd-Main and etwfwd-main are one session. */
    {"[session:main]\nkind = realtime\nprovider = X\n"
     "[session:Main]\nkind = kernel\nkernel_flags = process\n" SINK,
     {"t.ini:4: [session:Main]: its ETW session etwfwd-Main is the same as session main's at "
      "line 1 (expected names that differ in more than case: ETW names ignore case)"}},
};

START_TEST(error_table)
{
    expect_errors(err_cases[_i].text, err_cases[_i].want);
}
END_TEST

/* A text with `key = ` followed by count copies of unit, then tail. */
static char *repeat_text(const char *head, const char *unit, size_t count, const char *tail)
{
    size_t hn = strlen(head), un = strlen(unit), tn = strlen(tail), i;
    char *s = malloc(hn + un * count + tn + 1), *p;

    ck_assert_ptr_nonnull(s);
    memcpy(s, head, hn);
    p = s + hn;
    for (i = 0; i < count; i++, p += un)
        memcpy(p, unit, un);
    memcpy(p, tail, tn + 1);
    return s;
}

/* repeat_text(head, unit, count, tail) must load without errors; the caller frees the config. */
static struct ef_config *load_repeat(const char *head, const char *unit, size_t count,
                                     const char *tail)
{
    struct ef_config_errors e = {0};
    struct ef_config *cfg;
    char *t = repeat_text(head, unit, count, tail);

    ck_assert_int_eq(load(t, &cfg, &e), 0);
    ck_assert_uint_eq(e.n, 0);
    free(t);
    return cfg;
}

/* repeat_text(head, unit, count, tail) must fail with exactly the errors want. */
static void expect_repeat_errors(const char *head, const char *unit, size_t count, const char *tail,
                                 const char *const *want)
{
    char *t = repeat_text(head, unit, count, tail);

    expect_errors(t, want);
    free(t);
}

/*
 * exe_names goes to ETW as one NUL-terminated UTF-16 string in a filter of at
 * most 1024 bytes: 511 units and the NUL fit, 512 do not. Counted in UTF-16,
 * not UTF-8 bytes: 511 'é' (1022 UTF-8 bytes) fit, and 256 U+1F600 (1024
 * UTF-8 bytes, but 512 units as surrogate pairs) do not.
 */
START_TEST(exe_names_limit)
{
    static const char head[] = "[session:s]\nkind = realtime\n[provider:p]\nsession = s\n"
                               "exe_names = ";
    static const char *const want[] = {
        "t.ini:5: [provider:p] exe_names: 1026 bytes as UTF-16 with its NUL (expected at most "
        "1024: ETW's limit for one filter; list fewer executables)",
        NULL};
    struct ef_config *cfg;

    cfg = load_repeat(head, "a", 511, "\n" SINK);
    ck_assert_uint_eq(strlen(cfg->sessions[0]->providers.v[0].exe_names), 511);
    ef_config_free(cfg);
    ef_config_free(load_repeat(head, "\xC3\xA9", 511, "\n" SINK));
    expect_repeat_errors(head, "a", 512, "\n" SINK, want);
    expect_repeat_errors(head, "\xC3\xA4", 512, "\n" SINK, want);
    expect_repeat_errors(head, "\xF0\x9F\x98\x80", 256, "\n" SINK, want);
}
END_TEST

/* trace_name: 1023 units and the NUL fit EF_ETW_MAX_NAME, 1024 do not. */
START_TEST(trace_name_limit)
{
    static const char head[] = "[session:s]\nkind = existing\ntrace_name = ";
    static const char *const want[] = {
        "t.ini:3: [session:s] trace_name: the ETW session name is 1024 UTF-16 units (expected "
        "at most 1023: ETW names hold 1024 with the NUL)",
        NULL};
    struct ef_config *cfg;

    ck_assert_uint_eq(EF_ETW_MAX_NAME, 1024);
    cfg = load_repeat(head, "n", 1023, "\n" SINK);
    ck_assert_uint_eq(strlen(cfg->sessions[0]->trace_name), 1023);
    ef_config_free(cfg);
    expect_repeat_errors(head, "n", 1024, "\n" SINK, want);
    /* Surrogate pairs count twice: 512 U+1F600 are 1024 units. */
    expect_repeat_errors(head, "\xF0\x9F\x98\x80", 512, "\n" SINK, want);
}
END_TEST

/*
 * Our sessions are named etwfwd-NAME; NAME is at most 64 characters (the
 * section header refuses more), so the prefixed name always fits ETW's 1024.
 */
START_TEST(session_name_prefix_fits)
{
    static const char *const want[] = {
        "t.ini:1: [session:nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn]: "
        "bad NAME (expected [session:NAME], NAME of at most 64 letters, digits, '.', '-' or '_')",
        "t.ini: no [session:NAME] section (expected at least one: nothing to collect)", NULL};
    static const char tail[] = "]\nkind = realtime\nprovider = X\n" SINK;
    struct ef_config *cfg;

    cfg = load_repeat("[session:", "n", 64, tail);
    ck_assert_uint_le(strlen(EF_ETW_SESSION_PREFIX) + strlen(cfg->sessions[0]->name) + 1,
                      EF_ETW_MAX_NAME);
    ef_config_free(cfg);
    expect_repeat_errors("[session:", "n", 65, tail, want);
}
END_TEST

/* The defaults docs/config.md promises, and the values as written. */
START_TEST(defaults_and_values)
{
    static const char text[] = "[session:rt]\nkind = realtime\nprovider = X\n"
                               "[session:k]\nkind = kernel\nkernel_flags = process\n"
                               "[session:x]\nkind = existing\ntrace_name = EventLog-Security\n"
                               "[session:rt2]\nkind = realtime\nprovider = X\nclock = cycles\n"
                               "reconnect_min = 250ms\nreconnect_max = 250ms\ntdh = off\n"
                               "[session:k2]\nkind = kernel\nkernel_flags = thread\n"
                               "kernel_session = nt_kernel_logger\nclock = system\n"
                               "[session:k3]\nkind = kernel\nkernel_flags = image_load\n" SINK;
    struct ef_config_errors e = {0};
    struct ef_config *cfg;
    const struct ef_session_cfg *s;

    ck_assert_int_eq(load(text, &cfg, &e), 0);
    ck_assert_uint_eq(cfg->n_sessions, 6);
    s = cfg->sessions[0];
    ck_assert_int_eq(s->clock, EF_TS_CLOCK_QPC);
    ck_assert_uint_eq(s->reconnect_min_ms, 1000);
    ck_assert_uint_eq(s->reconnect_max_ms, 60000);
    ck_assert_int_eq(s->tdh, 1);
    s = cfg->sessions[1];
    ck_assert_int_eq(s->kernel_session, EF_KERNEL_PRIVATE);
    ck_assert_int_eq(s->clock, EF_TS_CLOCK_QPC);
    s = cfg->sessions[2];
    ck_assert_uint_eq(s->reconnect_min_ms, 1000);
    ck_assert_uint_eq(s->reconnect_max_ms, 60000);
    ck_assert_int_eq(s->tdh, 1);
    s = cfg->sessions[3];
    ck_assert_int_eq(s->clock, EF_TS_CLOCK_CYCLES);
    ck_assert_uint_eq(s->reconnect_min_ms, 250);
    ck_assert_uint_eq(s->reconnect_max_ms, 250);
    ck_assert_int_eq(s->tdh, 0);
    s = cfg->sessions[4];
    ck_assert_int_eq(s->kernel_session, EF_KERNEL_NT_KERNEL_LOGGER);
    ck_assert_int_eq(s->clock, EF_TS_CLOCK_SYSTEM);
    /* A second private kernel session beside the NT Kernel Logger is fine. */
    ck_assert_int_eq(cfg->sessions[5]->kernel_session, EF_KERNEL_PRIVATE);
    ef_config_free(cfg);
    ck_assert_uint_eq(e.n, 0);
}
END_TEST

/* config.h says ClientContext is the clock + 1: the WNODE values of ETW-NOTES section 1. */
START_TEST(clock_maps_to_client_context)
{
    ck_assert_uint_eq(EF_TS_CLOCK_QPC + 1, 1);
    ck_assert_uint_eq(EF_TS_CLOCK_SYSTEM + 1, 2);
    ck_assert_uint_eq(EF_TS_CLOCK_CYCLES + 1, 3);
    ck_assert_uint_eq(EF_TS_CLOCK_QPC + 1, EF_ETW_CLOCK_QPC);
    ck_assert_uint_eq(EF_TS_CLOCK_SYSTEM + 1, EF_ETW_CLOCK_SYSTEM);
    ck_assert_uint_eq(EF_TS_CLOCK_CYCLES + 1, EF_ETW_CLOCK_CYCLES);
}
END_TEST

TCase *ef_config_session_case(void);
TCase *ef_config_session_case(void)
{
    TCase *tc = tcase_create("session");

    tcase_add_loop_test(tc, error_table, 0, (int)(sizeof(err_cases) / sizeof(err_cases[0])));
    tcase_add_test(tc, exe_names_limit);
    tcase_add_test(tc, trace_name_limit);
    tcase_add_test(tc, session_name_prefix_fits);
    tcase_add_test(tc, defaults_and_values);
    tcase_add_test(tc, clock_maps_to_client_context);
    return tc;
}

/*
 * test_config_provider.c - the golang-etw provider string parser, table-driven.
 */
#include "runner.h"

#include "config/config.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

struct spec_case {
    const char *spec;
    int rc;
    const char *name;
    const char *guid; /* NULL: unresolved */
    unsigned level;
    uint64_t any, all;
    unsigned n_ids;
    uint32_t first_id;
    const char *err; /* part of the message on failure */
};

#define ALL UINT64_MAX
static const struct spec_case spec_cases[] = {
    {"Microsoft-Windows-Kernel-File:0xff:12,14:0x80:0x00", 0, "Microsoft-Windows-Kernel-File",
     "{EDD08927-9CC4-4E65-B970-C2560FB5C289}", 0xff, 0x80, 0, 2, 12, NULL},
    {"{22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716}", 0, "{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}",
     "{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}", 0xff, ALL, 0, 0, 0, NULL},
    {"22fb2cd6-0e7b-422b-a0c7-2fad1fd0e716:4", 0, "{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}",
     "{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}", 4, ALL, 0, 0, 0, NULL},
    {"Microsoft-Windows-DNS-Client::3006,3008", 0, "Microsoft-Windows-DNS-Client",
     "{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}", 0xff, ALL, 0, 2, 3006, NULL},
    {"microsoft-windows-sysmon:verbose", 0, "microsoft-windows-sysmon",
     "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}", 5, ALL, 0, 0, 0, NULL},
    {"Foo:Critical", 0, "Foo", NULL, 1, ALL, 0, 0, 0, NULL},
    {"Foo:10", 0, "Foo", NULL, 10, ALL, 0, 0, 0, NULL},
    {"Foo:0x10", 0, "Foo", NULL, 16, ALL, 0, 0, 0, NULL},
    {"Foo::: 0x0 :", 0, "Foo", NULL, 0xff, ALL, 0, 0, 0, "bad MatchAnyKeyword"},
    {"Foo:::10:ff", 0, "Foo", NULL, 0xff, 0x10, 0xff, 0, 0, NULL},
    {"Foo::::", 0, "Foo", NULL, 0xff, ALL, 0, 0, 0, NULL},
    {"Foo:::0x0", 0, "Foo", NULL, 0xff, 0, 0, 0, 0, NULL},
    {"", EF_EFORMAT, NULL, NULL, 0, 0, 0, 0, 0, "no provider name"},
    {":4", EF_EFORMAT, NULL, NULL, 0, 0, 0, 0, 0, "no provider name"},
    {"Foo:256", EF_EFORMAT, NULL, NULL, 0, 0, 0, 0, 0, "bad level"},
    {"Foo:loud", EF_EFORMAT, NULL, NULL, 0, 0, 0, 0, 0, "bad level"},
    {"Foo::1,,2", EF_EFORMAT, NULL, NULL, 0, 0, 0, 0, 0, "empty item"},
    {"Foo::65536", EF_EFORMAT, NULL, NULL, 0, 0, 0, 0, 0, "65536 is not a number"},
    {"Foo:::0x10000000000000000", EF_EFORMAT, NULL, NULL, 0, 0, 0, 0, 0, "MatchAnyKeyword"},
    {"Foo:1:2:3:4:5", EF_EFORMAT, NULL, NULL, 0, 0, 0, 0, 0, "more than 5"},
    {"{22fb2cd6-0e7b}", EF_EFORMAT, NULL, NULL, 0, 0, 0, 0, 0, "malformed GUID"},
    {"Foo,Bar", EF_EFORMAT, NULL, NULL, 0, 0, 0, 0, 0, "bad character"},
};

START_TEST(spec_table)
{
    const struct spec_case *c = &spec_cases[_i];
    struct ef_provider_cfg p;
    char err[256] = "", g[EF_GUID_STR_SIZE];
    int rc;

    memset(&p, 0xAB, sizeof(p));
    rc = ef_provider_spec_parse(c->spec, &p, err, sizeof(err));
    if (c->rc == 0 && c->err) {
        /* " 0x0 " has spaces: not a hex mask. */
        ck_assert_msg(rc == EF_EFORMAT && strstr(err, c->err), "%s: rc %d err %s", c->spec, rc,
                      err);
        return;
    }
    ck_assert_msg(rc == c->rc, "%s: rc %d want %d (%s)", c->spec, rc, c->rc, err);
    if (rc < 0) {
        ck_assert_msg(strstr(err, c->err) != NULL, "%s: message '%s'", c->spec, err);
        return;
    }
    ck_assert_str_eq(p.name, c->name);
    if (c->guid) {
        ef_guid_format(&p.guid, g);
        ck_assert_str_eq(g, c->guid);
        ck_assert_int_ne(p.guid_source, EF_GUID_UNRESOLVED);
    } else {
        ck_assert_int_eq(p.guid_source, EF_GUID_UNRESOLVED);
    }
    ck_assert_uint_eq(p.level, c->level);
    ck_assert_msg(p.match_any == c->any, "%s: any %llx", c->spec, (unsigned long long)p.match_any);
    ck_assert_msg(p.match_all == c->all, "%s: all", c->spec);
    ck_assert_uint_eq(p.event_ids.n, c->n_ids);
    if (c->n_ids)
        ck_assert_uint_eq(p.event_ids.v[0], c->first_id);
    ck_assert_ptr_null(p.exe_names);
    ck_assert_ptr_null(p.section);
    ef_provider_cfg_free(&p);
}
END_TEST

/* ETW filters at most 64 event IDs: 64 pass, 65 are refused, never cut. */
START_TEST(spec_event_id_limit)
{
    char spec[1024], err[256];
    struct ef_provider_cfg p;
    size_t n;
    int i;

    n = (size_t)snprintf(spec, sizeof(spec), "Foo::");
    for (i = 1; i <= 64; i++)
        n += (size_t)snprintf(spec + n, sizeof(spec) - n, "%s%d", i > 1 ? "," : "", i);
    ck_assert_int_eq(ef_provider_spec_parse(spec, &p, err, sizeof(err)), 0);
    ck_assert_uint_eq(p.event_ids.n, 64);
    ck_assert_uint_eq(p.event_ids.v[63], 64);
    ef_provider_cfg_free(&p);
    snprintf(spec + n, sizeof(spec) - n, ",65");
    ck_assert_int_eq(ef_provider_spec_parse(spec, &p, err, sizeof(err)), EF_ELIMIT);
    ck_assert_msg(strstr(err, "65 items, ETW takes at most 64") != NULL, "%s", err);
}
END_TEST

START_TEST(well_known_and_copy)
{
    struct ef_provider_cfg a, b;
    struct ef_guid g;
    char err[128];

    ck_assert_int_eq(ef_provider_well_known("MICROSOFT-WINDOWS-POWERSHELL", &g), 0);
    ck_assert_int_eq(ef_provider_well_known("Microsoft-Windows-PowerShel", &g), EF_ENOENT);
    ck_assert_int_eq(
        ef_provider_spec_parse("Microsoft-Antimalware-Scan-Interface", &a, err, sizeof(err)), 0);
    ck_assert_int_eq(a.guid_source, EF_GUID_WELL_KNOWN);
    ck_assert_int_eq(ef_provider_cfg_copy(&b, &a), 0);
    ck_assert_ptr_ne(a.name, b.name);
    ck_assert_str_eq(a.name, b.name);
    ck_assert(ef_guid_equal(&a.guid, &b.guid));
    ef_provider_cfg_free(&a);
    ef_provider_cfg_free(&b);
}
END_TEST

TCase *ef_config_provider_case(void);
TCase *ef_config_provider_case(void)
{
    TCase *tc = tcase_create("provider");

    tcase_add_loop_test(tc, spec_table, 0, sizeof(spec_cases) / sizeof(spec_cases[0]));
    tcase_add_test(tc, spec_event_id_limit);
    tcase_add_test(tc, well_known_and_copy);
    return tc;
}

/*
 * test_config_load.c - loading whole files from memory: line numbers, CRLF,
 * BOM, Windows paths, every error collected, secrets kept out of errors.
 */
#include "runner.h"

#include "config/config.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#define set_env(k, v) _putenv_s((k), (v))
#else
#define set_env(k, v) setenv((k), (v), 1)
#endif

static const char base[] = "[session:s]\n"
                           "kind = file\n"
                           "path = C:\\My Traces\\day 1\\*.etl   ; inline comment\n"
                           "[sink:o]\n"
                           "type = file\n"
                           "path = C:\\Program Files\\etw out\\e.ndjson\n";

/* Loads an exactly sized heap copy of text, so ASan sees any overread. */
static int load(const char *text, size_t len, struct ef_config **cfg, struct ef_config_errors *e)
{
    char *copy = malloc(len ? len : 1);
    int rc;

    memcpy(copy, text, len);
    rc = ef_config_load_string(copy, len, "t.ini", cfg, e);
    free(copy);
    return rc;
}

static void check_base(struct ef_config *cfg)
{
    ck_assert_uint_eq(cfg->n_sessions, 1);
    ck_assert_str_eq(cfg->sessions[0]->path, "C:\\My Traces\\day 1\\*.etl");
    ck_assert_int_eq(cfg->sessions[0]->kind, EF_SESSION_FILE);
    ck_assert_int_eq(cfg->sessions[0]->queue_full, EF_QUEUE_FULL_BLOCK);
    ck_assert_str_eq(cfg->sinks[0]->path, "C:\\Program Files\\etw out\\e.ndjson");
    ck_assert_uint_eq(cfg->sinks[0]->batch_max_bytes, 1024 * 1024);
    ck_assert_uint_eq(cfg->service.stats_interval_ms, 60000);
    ck_assert_str_eq(cfg->service.metrics_listen, "127.0.0.1:9464");
    ck_assert_uint_eq(cfg->n_routes, 1);
    ck_assert_int_eq(cfg->routes[0]->implicit, 1);
}

START_TEST(line_ends_and_bom)
{
    struct ef_config_errors e = {0};
    struct ef_config *cfg;
    char crlf[1024], bom[1024];
    size_t i, n = 0;

    ck_assert_int_eq(load(base, strlen(base), &cfg, &e), 0);
    check_base(cfg);
    ef_config_free(cfg);
    for (i = 0; base[i]; i++) {
        if (base[i] == '\n')
            crlf[n++] = '\r';
        crlf[n++] = base[i];
    }
    ck_assert_int_eq(load(crlf, n, &cfg, &e), 0);
    check_base(cfg);
    ef_config_free(cfg);
    memcpy(bom, "\xEF\xBB\xBF", 3);
    memcpy(bom + 3, crlf, n);
    /* Without the last newline, too. */
    ck_assert_int_eq(load(bom, n + 3 - 2, &cfg, &e), 0);
    check_base(cfg);
    ef_config_free(cfg);
    ck_assert_uint_eq(e.n, 0);
}
END_TEST

struct err_case {
    const char *text;
    const char *want; /* the first error, exactly */
};

static const struct err_case err_cases[] = {
    {"[sink:o]\ntype = file\npath = x\n[session:s]\nkind = realtime\n",
     "t.ini:4: [session:s]: a realtime session without providers (expected provider = Name "
     "lines or a [provider:NAME] section with session = s)"},
    {"[session:s]\nkind = file\npath = a\npath = b\n[sink:o]\ntype = file\npath = x\n",
     "t.ini:4: [session:s] path: given twice (first at line 3)"},
    {"[session:s]\nkind = file\npath = a\nqueue_ful = drop\n[sink:o]\ntype = file\npath = x\n",
     "t.ini:4: [session:s] queue_ful: unknown key (did you mean queue_full?)"},
    {"[session:s]\r\nkind = fiel\r\npath = a\r\n[sink:o]\r\ntype = file\r\npath = x\r\n",
     "t.ini:2: [session:s] kind: 'fiel' is not valid (expected one of realtime, kernel, "
     "existing, file; did you mean file?)"},
    {"[session:s]\nkind = file\npath = a\n[sink:o]\ntype = file\npath = x\nkeep = 1\xC3\n",
     "t.ini:7: [sink:o] keep: not valid UTF-8 (expected the file saved as UTF-8)"},
    {"[session:s]\nkind = kernel\nkernel_flags = process\nprovider = Microsoft-Windows-Kernel-File"
     "\n[sink:o]\ntype = file\npath = x\n",
     "t.ini:4: [session:s] provider: kind = kernel takes kernel flags, not manifest providers "
     "(expected kernel_flags = process,thread,... or a kind = realtime session)"},
};

START_TEST(first_error_table)
{
    const struct err_case *c = &err_cases[_i];
    struct ef_config_errors e = {0};
    struct ef_config *cfg = (void *)1;

    ck_assert_int_eq(load(c->text, strlen(c->text), &cfg, &e), EF_ECONFIG);
    ck_assert_ptr_null(cfg);
    ck_assert_uint_ge(e.n, 1);
    ck_assert_str_eq(e.msgs[0], c->want);
    ef_config_errors_free(&e);
}
END_TEST

/*
 * The documented ranges (docs/config.md: in_flight "an integer from 1 to
 * 64", batch_max_events "from 1 to 1000000", the size and duration rows
 * below) hold at both ends: the limit itself loads, one past it is refused.
 */
static const struct {
    const char *key, *value;
    int ok;
} range_cases[] = {
    {"in_flight", "64", 1},
    {"in_flight", "65", 0},
    {"in_flight", "1", 1},
    {"in_flight", "0", 0},
    {"batch_max_events", "1000000", 1},
    {"batch_max_events", "1000001", 0},
    /* "a size from 1KiB to 1GiB": 1 GiB = 1073741824 bytes by hand. */
    {"batch_max_bytes", "1GiB", 1},
    {"batch_max_bytes", "1073741825B", 0},
    {"batch_max_bytes", "1024B", 1},
    {"batch_max_bytes", "1023B", 0},
    /* "a duration from 1ms to 1h": 1 h = 3600000 ms. */
    {"batch_max_age", "3600000ms", 1},
    {"batch_max_age", "3600001ms", 0},
};

START_TEST(option_range_ends)
{
    struct ef_config_errors e = {0};
    struct ef_config *cfg = NULL;
    char text[256];
    int n;

    n = snprintf(text, sizeof(text),
                 "[session:s]\nkind = file\npath = a\n[sink:o]\ntype = file\npath = x\n%s = %s\n",
                 range_cases[_i].key, range_cases[_i].value);
    if (range_cases[_i].ok) {
        ck_assert_int_eq(load(text, (size_t)n, &cfg, &e), 0);
        ef_config_free(cfg);
        ck_assert_uint_eq(e.n, 0);
    } else {
        ck_assert_int_eq(load(text, (size_t)n, &cfg, &e), EF_ECONFIG);
        ck_assert_ptr_null(cfg);
        ck_assert_uint_eq(e.n, 1);
        ck_assert_msg(strstr(e.msgs[0], "t.ini:7: [sink:o]") && strstr(e.msgs[0], "out of range"),
                      "%s", e.msgs[0]);
        ef_config_errors_free(&e);
    }
}
END_TEST

/* Every error of a file comes out of one load, in line order. */
START_TEST(all_errors_in_line_order)
{
    static const char text[] = "[service]\nlog_level = loud\nspool = tape\n"
                               "[session:s]\nkind = realtime\nprovider = X:999\n"
                               "[sink:o]\ntype = http\nurl = gopher://x\n";
    struct ef_config_errors e = {0};
    struct ef_config *cfg;
    size_t i;

    ck_assert_int_eq(load(text, strlen(text), &cfg, &e), EF_ECONFIG);
    ck_assert_uint_eq(e.n, 4);
    ck_assert(strncmp(e.msgs[0], "t.ini:2: [service] log_level:", 29) == 0);
    ck_assert(strncmp(e.msgs[1], "t.ini:3: [service] spool:", 25) == 0);
    ck_assert(strncmp(e.msgs[2], "t.ini:6: [session:s] provider:", 30) == 0);
    ck_assert(strncmp(e.msgs[3], "t.ini:9: [sink:o] url:", 22) == 0);
    for (i = 0; i < e.n; i++)
        ck_assert_msg(strstr(e.msgs[i], "(expected ") != NULL, "%s", e.msgs[i]);
    ef_config_errors_free(&e);
}
END_TEST

/* A secret's value is in the struct for the sinks, never in an error or the summary. */
START_TEST(secrets_stay_secret)
{
    static const char ok[] = "[session:s]\nkind = realtime\nprovider = X\n"
                             "[sink:h]\ntype = http\nurl = https://h/\ntoken = ${EF_T_TOKEN}\n";
    static const char bad[] = "[session:s]\nkind = realtime\nprovider = X\n"
                              "[sink:h]\ntype = http\nurl = https://h/\n"
                              "headers = Bad Header hunter2\nformat = ${EF_T_TOKEN}\n";
    struct ef_config_errors e = {0};
    struct ef_config *cfg;
    char out[8192] = "";
    FILE *f;
    size_t i;

    set_env("EF_T_TOKEN", "hunter2");
    ck_assert_int_eq(load(ok, strlen(ok), &cfg, &e), 0);
    ck_assert_str_eq(cfg->sinks[0]->token, "hunter2");
    f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ef_config_print_summary(cfg, "t.ini", f);
    rewind(f);
    i = fread(out, 1, sizeof(out) - 1, f);
    out[i] = '\0';
    fclose(f);
    ck_assert(strstr(out, "  token = ***\n") != NULL);
    ck_assert(strstr(out, "hunter2") == NULL);
    ef_config_free(cfg);
    ck_assert_int_eq(load(bad, strlen(bad), &cfg, &e), EF_ECONFIG);
    ck_assert_uint_eq(e.n, 2);
    for (i = 0; i < e.n; i++)
        ck_assert_msg(strstr(e.msgs[i], "hunter2") == NULL, "%s", e.msgs[i]);
    ef_config_errors_free(&e);
}
END_TEST

START_TEST(long_form_provider)
{
    static const char text[] = "[session:s]\nkind = realtime\n"
                               "[provider:Microsoft-Windows-DNS-Client]\nsession = s\n"
                               "event_ids = 3006, 3008\nevent_ids_filter = out\npids = 4\n"
                               "stack_trace = yes\n"
                               "[sink:o]\ntype = file\npath = x\n";
    struct ef_config_errors e = {0};
    struct ef_config *cfg;
    const struct ef_provider_cfg *p;

    ck_assert_int_eq(load(text, strlen(text), &cfg, &e), 0);
    ck_assert_uint_eq(cfg->sessions[0]->providers.n, 1);
    p = &cfg->sessions[0]->providers.v[0];
    ck_assert_str_eq(p->name, "Microsoft-Windows-DNS-Client");
    ck_assert_int_eq(p->guid_source, EF_GUID_WELL_KNOWN);
    ck_assert_uint_eq(p->event_ids.n, 2);
    ck_assert_int_eq(p->event_ids_exclude, 1);
    ck_assert_uint_eq(p->pids.n, 1);
    ck_assert_int_eq(p->stack_trace, 1);
    ck_assert_uint_eq(p->match_any, UINT64_MAX);
    ck_assert_str_eq(p->section, "Microsoft-Windows-DNS-Client");
    ef_config_free(cfg);
}
END_TEST

START_TEST(missing_file)
{
    struct ef_config_errors e = {0};
    struct ef_config *cfg;

    ck_assert_int_eq(ef_config_load_file("no/such/etwfwd.ini", &cfg, &e), EF_ECONFIG);
    ck_assert_uint_eq(e.n, 1);
    ck_assert_str_eq(e.msgs[0], "no/such/etwfwd.ini: cannot read: no such file or entry");
    ef_config_errors_free(&e);
}
END_TEST

TCase *ef_config_load_case(void);
TCase *ef_config_load_case(void)
{
    TCase *tc = tcase_create("load");

    tcase_add_test(tc, line_ends_and_bom);
    tcase_add_loop_test(tc, option_range_ends, 0,
                        (int)(sizeof(range_cases) / sizeof(range_cases[0])));
    tcase_add_loop_test(tc, first_error_table, 0, sizeof(err_cases) / sizeof(err_cases[0]));
    tcase_add_test(tc, all_errors_in_line_order);
    tcase_add_test(tc, secrets_stay_secret);
    tcase_add_test(tc, long_form_provider);
    tcase_add_test(tc, missing_file);
    return tc;
}

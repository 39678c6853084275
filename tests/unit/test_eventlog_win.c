/*
 * test_eventlog_win.c - etwfwd.exe's message table, VERSIONINFO and the
 * event-log source's registration, checked the way Windows itself reads
 * them: FormatMessageW on the exe loaded as a data file (Wine's event log
 * only prints, so this is the only way to see what the event viewer would
 * show), GetFileVersionInfoW, and the registry read back with
 * RegQueryValueExW. The expected texts are written out here by hand, with
 * the message ids (severity, facility 0x0FF, event id) of docs/service.md,
 * not read from messages.mc or messages.h.
 */
#include "eventlog.h"

#include "ef_config.h"
#include "util/error.h"
#include "util/log.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

/* The exe under test (tests/meson.build sets EF_ETWFWD_EXE). */
static const wchar_t *exe_path(void)
{
    static wchar_t w[MAX_PATH * 2];
    const char *p = getenv("EF_ETWFWD_EXE");

    ck_assert_msg(p && *p, "EF_ETWFWD_EXE is not set");
    ck_assert_int_gt(MultiByteToWideChar(CP_UTF8, 0, p, -1, w, (int)(sizeof(w) / sizeof(w[0]))), 0);
    return w;
}

static void to_utf8(const wchar_t *w, char *out, size_t cap)
{
    ck_assert_int_gt(WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)cap, NULL, NULL), 0);
}

struct msg_case {
    DWORD id;
    int n;
    const char *args[3];
    const char *text; /* without the CR LF FormatMessage ends every message with */
};

static const struct msg_case msgs[] = {
    {0x40FF0001,
     2,
     {"0.1.0", "C:\\ProgramData\\etwfwd\\etwfwd.conf"},
     "etwfwd 0.1.0 started with configuration C:\\ProgramData\\etwfwd\\etwfwd.conf."},
    {0x40FF0002, 1, {"0"}, "etwfwd stopped (exit code 0)."},
    {0xC0FF0003,
     1,
     {"3"},
     "etwfwd stopped with exit code 3: see docs/service.md, \"Exit codes\", and the log file."},
    {0xC0FF000A,
     1,
     {"etwfwd.conf:12: [sink:siem] url: missing"},
     "Configuration error: etwfwd.conf:12: [sink:siem] url: missing"},
    {0xC0FF0014,
     3,
     {"siem", "5", "connection refused"},
     "Sink siem is failing: 5 delivery attempts in a row failed, the last with: connection "
     "refused. Its events stay in the spool and are retried."},
    {0x40FF0015, 2, {"siem", "7"}, "Sink siem delivers again after 7 failed attempts."},
    {0x80FF001E,
     3,
     {"procs", "1200", "60"},
     "Session procs: ETW lost 1200 events in the last 60 seconds, more than loss_alert_events."},
    {0x80FF001F,
     3,
     {"procs", "ProcessTrace returned 1223", "2500"},
     "Session procs was restarted by the watchdog (ProcessTrace returned 1223); nothing was "
     "collected for 2500 ms."},
    {0xC0FF0064, 1, {"spool: disk full"}, "spool: disk full"},
    {0x80FF0065, 1, {"queue: 12 events dropped"}, "queue: 12 events dropped"},
    {0x40FF0066, 1, {"reloaded"}, "reloaded"},
    /* Non-ASCII insertions arrive intact (UTF-8 in, UTF-16 in the table). */
    {0xC0FF000A,
     1,
     {"C:\\Users\\J\xc3\xbcrgen\\etwfwd.conf:1: \xe2\x80\x9cx\xe2\x80\x9d"},
     "Configuration error: C:\\Users\\J\xc3\xbcrgen\\etwfwd.conf:1: \xe2\x80\x9cx\xe2\x80\x9d"},
};

START_TEST(test_message_table_texts)
{
    const struct msg_case *c = &msgs[_i];
    HMODULE m =
        LoadLibraryExW(exe_path(), NULL, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    wchar_t wargs[3][256];
    DWORD_PTR argv[3];
    wchar_t *out = NULL;
    char got[2048], want[2048];
    DWORD n;
    int i;

    ck_assert_msg(m != NULL, "LoadLibraryExW: %lu", (unsigned long)GetLastError());
    for (i = 0; i < c->n; i++) {
        ck_assert_int_gt(MultiByteToWideChar(CP_UTF8, 0, c->args[i], -1, wargs[i], 256), 0);
        argv[i] = (DWORD_PTR)wargs[i];
    }
    n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ARGUMENT_ARRAY |
                           FORMAT_MESSAGE_ALLOCATE_BUFFER,
                       m, c->id, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), (LPWSTR)&out, 0,
                       (va_list *)argv);
    ck_assert_msg(n > 0, "message 0x%08lx: FormatMessageW: %lu", (unsigned long)c->id,
                  (unsigned long)GetLastError());
    to_utf8(out, got, sizeof(got));
    LocalFree(out);
    FreeLibrary(m);
    snprintf(want, sizeof(want), "%s\r\n", c->text);
    ck_assert_str_eq(got, want);
}
END_TEST

/* An id the table does not have is not found: the ids above are not matched loosely. */
START_TEST(test_message_table_unknown_id)
{
    HMODULE m =
        LoadLibraryExW(exe_path(), NULL, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    wchar_t buf[256];
    DWORD ids[] = {0x40FF0004, 0x00FF0001, 0x40FE0001, 0xC0FF0014 ^ 0x80000000u};
    size_t i;

    ck_assert_ptr_nonnull(m);
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        ck_assert_msg(FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_IGNORE_INSERTS, m,
                                     ids[i], 0, buf, 256, NULL) == 0,
                      "id 0x%08lx should not exist", (unsigned long)ids[i]);
    FreeLibrary(m);
}
END_TEST

/* The numbers of EF_VERSION ("MAJOR.MINOR.PATCH", meson.project_version()). */
static void meson_version(unsigned v[3])
{
    ck_assert_int_eq(sscanf(EF_VERSION, "%u.%u.%u", &v[0], &v[1], &v[2]), 3);
}

static void query_string(void *blk, const wchar_t *name, char *out, size_t cap)
{
    wchar_t path[128];
    wchar_t *val = NULL;
    UINT len = 0;

    swprintf(path, 128, L"\\StringFileInfo\\040904B0\\%ls", name);
    ck_assert_msg(VerQueryValueW(blk, path, (void **)&val, &len) && val, "%ls missing", name);
    to_utf8(val, out, cap);
}

START_TEST(test_versioninfo)
{
    DWORD handle = 0, size = GetFileVersionInfoSizeW(exe_path(), &handle);
    VS_FIXEDFILEINFO *fi = NULL;
    struct {
        WORD lang, cp;
    } *tr = NULL;
    unsigned v[3];
    UINT len = 0;
    char s[256];
    void *blk;

    ck_assert_msg(size > 0, "GetFileVersionInfoSizeW: %lu", (unsigned long)GetLastError());
    blk = malloc(size);
    ck_assert_ptr_nonnull(blk);
    ck_assert(GetFileVersionInfoW(exe_path(), 0, size, blk));
    ck_assert(VerQueryValueW(blk, L"\\", (void **)&fi, &len));
    ck_assert_uint_eq(len, sizeof(*fi));
    ck_assert_uint_eq(fi->dwSignature, 0xFEEF04BD);
    meson_version(v);
    ck_assert_uint_eq(HIWORD(fi->dwFileVersionMS), v[0]);
    ck_assert_uint_eq(LOWORD(fi->dwFileVersionMS), v[1]);
    ck_assert_uint_eq(HIWORD(fi->dwFileVersionLS), v[2]);
    ck_assert_uint_eq(LOWORD(fi->dwFileVersionLS), 0);
    ck_assert_uint_eq(fi->dwProductVersionMS, fi->dwFileVersionMS);
    ck_assert_uint_eq(fi->dwProductVersionLS, fi->dwFileVersionLS);
    ck_assert_uint_eq(fi->dwFileOS, 0x00040004); /* VOS_NT_WINDOWS32 */
    ck_assert_uint_eq(fi->dwFileType, 1);        /* VFT_APP */
    query_string(blk, L"FileVersion", s, sizeof(s));
    ck_assert_str_eq(s, EF_VERSION);
    query_string(blk, L"ProductVersion", s, sizeof(s));
    ck_assert_str_eq(s, EF_VERSION);
    query_string(blk, L"OriginalFilename", s, sizeof(s));
    ck_assert_str_eq(s, "etwfwd.exe");
    query_string(blk, L"ProductName", s, sizeof(s));
    ck_assert_str_eq(s, "etwfwd");
    ck_assert(VerQueryValueW(blk, L"\\VarFileInfo\\Translation", (void **)&tr, &len));
    ck_assert_uint_eq(len, 4);
    ck_assert_uint_eq(tr->lang, 0x409);
    ck_assert_uint_eq(tr->cp, 1200);
    free(blk);
}
END_TEST

/* The manifest is embedded as resource 1 of type RT_MANIFEST and says asInvoker. */
START_TEST(test_manifest)
{
    HMODULE m =
        LoadLibraryExW(exe_path(), NULL, LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    HRSRC r;
    const char *data;
    char *text;
    DWORD size;

    ck_assert_ptr_nonnull(m);
    r = FindResourceW(m, MAKEINTRESOURCEW(1), MAKEINTRESOURCEW(24));
    ck_assert_msg(r != NULL, "no RT_MANIFEST 1");
    size = SizeofResource(m, r);
    data = LockResource(LoadResource(m, r));
    ck_assert_ptr_nonnull(data);
    text = calloc(1, size + 1);
    memcpy(text, data, size);
    ck_assert_ptr_nonnull(strstr(text, "level=\"asInvoker\""));
    ck_assert_ptr_nonnull(strstr(text, "{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}")); /* Windows 10 */
    free(text);
    FreeLibrary(m);
}
END_TEST

#define APP_KEY L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\"

START_TEST(test_install_uninstall_registry)
{
    const char *exe = "C:\\Program Files\\etwfwd\\etwfwd.exe";
    wchar_t name[64], key[256], val[512];
    char src[64], got[512];
    DWORD type = 0, size, types = 0;
    HKEY k;

    snprintf(src, sizeof(src), "etwfwd-test-%lu", (unsigned long)GetCurrentProcessId());
    MultiByteToWideChar(CP_UTF8, 0, src, -1, name, 64);
    swprintf(key, 256, L"%ls%ls", APP_KEY, name);
    ck_assert_int_eq(RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &k), ERROR_FILE_NOT_FOUND);

    ck_assert_int_eq(ef_eventlog_install(src, exe), 0);
    ck_assert_int_eq(RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &k), ERROR_SUCCESS);
    size = sizeof(val);
    ck_assert_int_eq(RegQueryValueExW(k, L"EventMessageFile", NULL, &type, (BYTE *)val, &size),
                     ERROR_SUCCESS);
    ck_assert_uint_eq(type, REG_EXPAND_SZ);
    to_utf8(val, got, sizeof(got));
    ck_assert_str_eq(got, exe);
    ck_assert_uint_eq(size, (strlen(exe) + 1) * 2);
    size = sizeof(types);
    ck_assert_int_eq(RegQueryValueExW(k, L"TypesSupported", NULL, &type, (BYTE *)&types, &size),
                     ERROR_SUCCESS);
    ck_assert_uint_eq(type, REG_DWORD);
    ck_assert_uint_eq(types, 7); /* ERROR 1 | WARNING 2 | INFORMATION 4 */
    RegCloseKey(k);

    /* Installing again (an upgrade moved the exe) overwrites the path. */
    ck_assert_int_eq(ef_eventlog_install(src, "D:\\etwfwd.exe"), 0);
    ck_assert_int_eq(RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &k), ERROR_SUCCESS);
    size = sizeof(val);
    ck_assert_int_eq(RegQueryValueExW(k, L"EventMessageFile", NULL, &type, (BYTE *)val, &size),
                     ERROR_SUCCESS);
    to_utf8(val, got, sizeof(got));
    ck_assert_str_eq(got, "D:\\etwfwd.exe");
    RegCloseKey(k);

    ck_assert_int_eq(ef_eventlog_uninstall(src), 0);
    ck_assert_int_eq(RegOpenKeyExW(HKEY_LOCAL_MACHINE, key, 0, KEY_READ, &k), ERROR_FILE_NOT_FOUND);
    /* Removing what is not there is not an error (uninstall after a failed install). */
    ck_assert_int_eq(ef_eventlog_uninstall(src), 0);
    /* The Application log itself is still there. */
    ck_assert_int_eq(RegOpenKeyExW(HKEY_LOCAL_MACHINE,
                                   L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application", 0,
                                   KEY_READ, &k),
                     ERROR_SUCCESS);
    RegCloseKey(k);
}
END_TEST

START_TEST(test_install_refuses_bad_names)
{
    ck_assert_int_eq(ef_eventlog_install("", "C:\\x.exe"), EF_EINVAL);
    ck_assert_int_eq(ef_eventlog_install("a\\b", "C:\\x.exe"), EF_EINVAL);
    ck_assert_int_eq(ef_eventlog_install(NULL, "C:\\x.exe"), EF_EINVAL);
    ck_assert_int_eq(ef_eventlog_install("etwfwd-test", ""), EF_EINVAL);
    ck_assert_int_eq(ef_eventlog_uninstall("a\\b"), EF_EINVAL);
    /* "a\b" must not have deleted or created Application\a\b or Application\a. */
}
END_TEST

/*
 * Reporting goes through a real source handle. Wine's ReportEventW only
 * prints, so what is checked is that open succeeds, reports are accepted
 * before and after close without effect, and close is idempotent.
 */
START_TEST(test_open_report_close)
{
    struct ef_notice n = {EF_NOTICE_SINK_FAILING, "siem", "connection refused", 5};

    ef_eventlog_started("0.1.0", "C:\\x.conf"); /* not open: a no-op */
    ck_assert_int_eq(ef_eventlog_open("etwfwd-test"), 0);
    ef_eventlog_started("0.1.0", "C:\\x.conf");
    ef_eventlog_config_error("x.conf:1: bad");
    ef_eventlog_notice(NULL, &n);
    ef_eventlog_log(0, "error line");
    ef_eventlog_stopped(3);
    {
        static const char line[] = "2026-11-26T06:05:38.123Z error [svc] x\n";

        ef_eventlog_log_line(line, strlen(line));
    }
    ef_eventlog_close();
    ef_eventlog_close();
    ef_eventlog_stopped(0);
}
END_TEST

/* The log lines the service copies into the event log: level and text read back. */
static char hooked[512];
static size_t hooked_len;

static void hook(void *ud, const char *line, size_t len)
{
    (void)ud;
    if (len < sizeof(hooked)) {
        memcpy(hooked, line, len);
        hooked_len = len;
    }
}

START_TEST(test_parse_log_line)
{
    static const char warn_line[] = "2026-11-26T06:05:38.123Z warn  [sink] siem: batch: 503\n";
    const char *text;
    size_t n;
    int level;

    ck_assert_int_eq(ef_eventlog_parse_line(warn_line, strlen(warn_line), &level, &text, &n), 0);
    ck_assert_int_eq(level, 1);
    ck_assert_uint_eq(n, strlen("[sink] siem: batch: 503"));
    ck_assert(memcmp(text, "[sink] siem: batch: 503", n) == 0);
    ck_assert_int_eq(ef_eventlog_parse_line("garbage", 7, &level, &text, &n), EF_EFORMAT);
    ck_assert_int_eq(ef_eventlog_parse_line("x loud [a] b", 12, &level, &text, &n), EF_EFORMAT);

    /* What the real logger writes for an error. */
    ef_log_set_hook(hook, NULL);
    ef_log_error("svc", "cannot open %s", "C:\\x");
    ef_log_set_hook(NULL, NULL);
    ck_assert_uint_gt(hooked_len, 0);
    ck_assert_int_eq(ef_eventlog_parse_line(hooked, hooked_len, &level, &text, &n), 0);
    ck_assert_int_eq(level, 0);
    ck_assert_uint_eq(n, strlen("[svc] cannot open C:\\x"));
    ck_assert(memcmp(text, "[svc] cannot open C:\\x", n) == 0);
}
END_TEST

TCase *ef_eventlog_case(void);

TCase *ef_eventlog_case(void)
{
    TCase *tc = tcase_create("eventlog");

    tcase_add_loop_test(tc, test_message_table_texts, 0, (int)(sizeof(msgs) / sizeof(msgs[0])));
    tcase_add_test(tc, test_message_table_unknown_id);
    tcase_add_test(tc, test_versioninfo);
    tcase_add_test(tc, test_manifest);
    tcase_add_test(tc, test_install_uninstall_registry);
    tcase_add_test(tc, test_install_refuses_bad_names);
    tcase_add_test(tc, test_open_report_close);
    tcase_add_test(tc, test_parse_log_line);
    return tc;
}

/*
 * eventlog_win.c - etwfwd's event-log source on Windows: registering it
 * (the Application log's source key that points the event viewer at
 * etwfwd.exe's message table) and reporting the service's messages
 * (service/winsvc/messages.mc; docs/service.md, "Event log messages").
 *
 * DESIGN. One process reports through one source handle, opened by the
 * service's main thread before the run starts and closed after it ended.
 * ReportEventW may be called from any thread with that handle, so the
 * report functions only read it (atomically: a report racing the close
 * either sees the handle or nothing). Every insertion string is converted
 * from UTF-8 to UTF-16 on the caller's stack or heap; reporting is best
 * effort and never fails its caller: the same text is in the log file.
 */
#include "eventlog.h"

#include "etw/error_win.h"
#include "messages.h"
#include "util/attr.h"
#include "util/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#define SOURCE_KEY L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\"
/* ReportEventW refuses an insertion string longer than 31,839 characters. */
#define MAX_INSERT_CHARS 31000
#define MAX_INSERTS      3

static HANDLE source_handle;

/* UTF-8 -> a malloc'd UTF-16 string, cut at max characters. NULL on failure. */
static wchar_t *widen(const char *s, int max)
{
    int n;
    wchar_t *w;

    if (!s)
        s = "";
    n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    if (n <= 0)
        return NULL;
    w = malloc((size_t)n * sizeof(*w));
    if (!w)
        return NULL;
    if (MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n) <= 0) {
        free(w);
        return NULL;
    }
    if (max > 0 && n - 1 > max)
        w[max] = L'\0';
    return w;
}

/* The source's registry path, or NULL for an invalid name (empty, a '\'). */
static wchar_t *key_path(const char *source)
{
    static const wchar_t prefix[] = SOURCE_KEY;
    wchar_t *name, *path;
    size_t pn = EF_ARRAY_LEN(prefix) - 1, nn;

    if (!source || !*source || strchr(source, '\\'))
        return NULL;
    name = widen(source, 256);
    if (!name)
        return NULL;
    nn = wcslen(name);
    path = malloc((pn + nn + 1) * sizeof(*path));
    if (path) {
        memcpy(path, prefix, pn * sizeof(*path));
        memcpy(path + pn, name, (nn + 1) * sizeof(*path));
    }
    free(name);
    return path;
}

int ef_eventlog_install(const char *source, const char *exe_path)
{
    wchar_t *path = key_path(source), *exe = NULL;
    DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    HKEY k = NULL;
    LONG st;
    int rc;

    if (!path || !exe_path || !*exe_path) {
        rc = EF_EINVAL;
        goto out;
    }
    exe = widen(exe_path, MAX_PATH * 4);
    if (!exe) {
        rc = EF_ENOMEM;
        goto out;
    }
    st = RegCreateKeyExW(HKEY_LOCAL_MACHINE, path, 0, NULL, REG_OPTION_NON_VOLATILE, KEY_SET_VALUE,
                         NULL, &k, NULL);
    if (st == ERROR_SUCCESS)
        /* REG_EXPAND_SZ: an MSI may write %ProgramFiles%-style paths here too. */
        st = RegSetValueExW(k, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)exe,
                            (DWORD)((wcslen(exe) + 1) * sizeof(*exe)));
    if (st == ERROR_SUCCESS)
        st =
            RegSetValueExW(k, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types, sizeof(types));
    rc = st == ERROR_SUCCESS ? 0 : ef_from_win32((uint32_t)st);
out:
    if (k)
        RegCloseKey(k);
    free(exe);
    free(path);
    return rc;
}

int ef_eventlog_uninstall(const char *source)
{
    wchar_t *path = key_path(source);
    LONG st;

    if (!path)
        return EF_EINVAL;
    st = RegDeleteKeyW(HKEY_LOCAL_MACHINE, path);
    free(path);
    if (st == ERROR_SUCCESS || st == ERROR_FILE_NOT_FOUND)
        return 0;
    return ef_from_win32((uint32_t)st);
}

int ef_eventlog_open(const char *source)
{
    wchar_t *name = widen(source, 256);
    HANDLE h;

    if (!name)
        return EF_EINVAL;
    h = RegisterEventSourceW(NULL, name);
    free(name);
    if (!h)
        return ef_from_win32(GetLastError());
    ef_eventlog_close();
    __atomic_store_n(&source_handle, h, __ATOMIC_RELEASE);
    return 0;
}

void ef_eventlog_close(void)
{
    HANDLE h = __atomic_exchange_n(&source_handle, NULL, __ATOMIC_ACQ_REL);

    if (h)
        DeregisterEventSource(h);
}

/* Reports message id with up to MAX_INSERTS UTF-8 insertion strings. */
static void report(WORD type, DWORD id, int n, const char *a, const char *b, const char *c)
{
    HANDLE h = __atomic_load_n(&source_handle, __ATOMIC_ACQUIRE);
    const char *in[MAX_INSERTS] = {a, b, c};
    wchar_t *w[MAX_INSERTS] = {NULL, NULL, NULL};
    int i;

    if (!h)
        return;
    for (i = 0; i < n; i++)
        if (!(w[i] = widen(in[i], MAX_INSERT_CHARS)))
            goto out;
    (void)ReportEventW(h, type, 0, id, NULL, (WORD)n, 0, (LPCWSTR *)w, NULL);
out:
    for (i = 0; i < n; i++)
        free(w[i]);
}

void ef_eventlog_started(const char *version, const char *conf)
{
    report(EVENTLOG_INFORMATION_TYPE, EF_MSG_SERVICE_STARTED, 2, version, conf, NULL);
}

void ef_eventlog_stopped(int exit_code)
{
    char code[16];

    snprintf(code, sizeof(code), "%d", exit_code);
    if (exit_code == 0)
        report(EVENTLOG_INFORMATION_TYPE, EF_MSG_SERVICE_STOPPED, 1, code, NULL, NULL);
    else
        report(EVENTLOG_ERROR_TYPE, EF_MSG_SERVICE_FAILED, 1, code, NULL, NULL);
}

void ef_eventlog_config_error(const char *msg)
{
    report(EVENTLOG_ERROR_TYPE, EF_MSG_CONFIG_ERROR, 1, msg, NULL, NULL);
}

void ef_eventlog_notice(void *ud, const struct ef_notice *n)
{
    char count[24];

    (void)ud;
    snprintf(count, sizeof(count), "%llu", (unsigned long long)n->count);
    switch (n->kind) {
    case EF_NOTICE_SINK_FAILING:
        report(EVENTLOG_ERROR_TYPE, EF_MSG_SINK_FAILING, 3, n->subject, count, n->detail);
        break;
    case EF_NOTICE_SINK_RECOVERED:
        report(EVENTLOG_INFORMATION_TYPE, EF_MSG_SINK_RECOVERED, 2, n->subject, count, NULL);
        break;
    case EF_NOTICE_ETW_LOSS:
        report(EVENTLOG_WARNING_TYPE, EF_MSG_ETW_LOSS, 3, n->subject, count, n->detail);
        break;
    case EF_NOTICE_WATCHDOG_RESTART:
        report(EVENTLOG_WARNING_TYPE, EF_MSG_WATCHDOG_RESTART, 3, n->subject, n->detail, count);
        break;
    }
}

void ef_eventlog_log_line(const char *line, size_t len)
{
    const char *text;
    size_t n;
    char *copy;
    int level;

    if (!__atomic_load_n(&source_handle, __ATOMIC_ACQUIRE) ||
        ef_eventlog_parse_line(line, len, &level, &text, &n) < 0 || level != 0)
        return;
    copy = malloc(n + 1);
    if (!copy)
        return;
    memcpy(copy, text, n);
    copy[n] = '\0';
    ef_eventlog_log(level, copy);
    free(copy);
}

void ef_eventlog_log(int level, const char *text)
{
    if (level <= 0)
        report(EVENTLOG_ERROR_TYPE, EF_MSG_ERROR, 1, text, NULL, NULL);
    else if (level == 1)
        report(EVENTLOG_WARNING_TYPE, EF_MSG_WARNING, 1, text, NULL, NULL);
    else if (level == 2)
        report(EVENTLOG_INFORMATION_TYPE, EF_MSG_INFO, 1, text, NULL, NULL);
}

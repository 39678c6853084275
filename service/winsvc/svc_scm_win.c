/*
 * svc_scm_win.c - `etwfwd install|uninstall|start|stop|status`: the
 * service's registration with the service control manager, and what an
 * administrator asks of it.
 *
 * The settings `install` applies (docs/service.md, "Registration"):
 * ImagePath `"EXE" service -c "CONF" --name NAME` (every path quoted:
 * CWE-428), LocalSystem, automatic start delayed, a description, recovery
 * (restart after 10 s, 60 s, 5 min, reset after a day, also when the
 * service stops with an error exit code), a preshutdown timeout that
 * covers shutdown_timeout, a service SID, and the required privileges
 * trimmed to what ETW needs. Settings the platform refuses (Wine answers
 * ERROR_INVALID_LEVEL for levels 3-6 and does not store failure actions)
 * are warnings: the service works without them. `--reconfigure` applies
 * the same settings to a service registered by someone else (the MSI,
 * whose tools cannot set them).
 */
#include "cli.h"
#include "eventlog.h"
#include "svc.h"

#include "config/config.h"
#include "ef_config.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

#define IMAGE_MAX        8192
#define STOP_WAIT_MS     120000 /* bound for stop: above the longest default drain (30 s) */
#define START_WAIT_MS    60000
#define POLL_MS          200
#define PRESHUTDOWN_PAD  15000 /* on top of shutdown_timeout: the spool's ledger, the exit */
#define PRESHUTDOWN_DEFT 45000 /* when the configuration cannot be read: 30 s + the pad */

/*
 * The privileges the service keeps (SERVICE_REQUIRED_PRIVILEGES_INFO; the
 * SCM strips every other one from LocalSystem's token at start):
 * - SeSecurityPrivilege: reading the Security log and enabling
 *   Microsoft-Windows-Security-Auditing (elastic/beats#15773);
 * - SeSystemProfilePrivilege: kernel (system trace provider) sessions;
 *   UNCONFIRMED that ETW checks it (docs/service.md);
 * - SeChangeNotifyPrivilege: always kept anyway; listed to say so.
 * Multi-string: NUL-separated, ended by an empty string.
 */
static const wchar_t required_privileges[] = L"SeSecurityPrivilege\0"
                                             L"SeSystemProfilePrivilege\0"
                                             L"SeChangeNotifyPrivilege\0";

static const char *state_name(DWORD s)
{
    switch (s) {
    case SERVICE_STOPPED:
        return "STOPPED";
    case SERVICE_START_PENDING:
        return "START_PENDING";
    case SERVICE_STOP_PENDING:
        return "STOP_PENDING";
    case SERVICE_RUNNING:
        return "RUNNING";
    case SERVICE_CONTINUE_PENDING:
        return "CONTINUE_PENDING";
    case SERVICE_PAUSE_PENDING:
        return "PAUSE_PENDING";
    case SERVICE_PAUSED:
        return "PAUSED";
    default:
        return "UNKNOWN";
    }
}

/* A Win32 error as text, for messages. Static storage: one at a time. */
static const char *win_msg(DWORD err)
{
    static char buf[300];
    wchar_t w[256];
    char *s;
    size_t n;

    if (!FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0, w,
                        256, NULL) ||
        !(s = ef_svc_utf8(w))) {
        snprintf(buf, sizeof(buf), "error %lu", (unsigned long)err);
        return buf;
    }
    n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '.'))
        s[--n] = '\0';
    snprintf(buf, sizeof(buf), "%s (error %lu)", s, (unsigned long)err);
    free(s);
    return buf;
}

static SC_HANDLE open_scm(const char *cmd, DWORD access)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, access);
    DWORD err;

    if (scm)
        return scm;
    err = GetLastError();
    if (err == ERROR_ACCESS_DENIED)
        fprintf(stderr,
                "etwfwd %s: the service control manager denied access: run this from an "
                "elevated prompt (Run as administrator)\n",
                cmd);
    else
        fprintf(stderr, "etwfwd %s: cannot open the service control manager: %s\n", cmd,
                win_msg(err));
    return NULL;
}

static SC_HANDLE open_service(const char *cmd, SC_HANDLE scm, const char *name, DWORD access)
{
    wchar_t *w = ef_svc_wide(name);
    SC_HANDLE svc = w ? OpenServiceW(scm, w, access) : NULL;
    DWORD err = GetLastError();

    free(w);
    if (svc)
        return svc;
    if (err == ERROR_SERVICE_DOES_NOT_EXIST)
        fprintf(stderr, "etwfwd %s: service %s is not installed\n", cmd, name);
    else if (err == ERROR_ACCESS_DENIED)
        fprintf(stderr,
                "etwfwd %s: access to service %s denied: run this from an elevated prompt "
                "(Run as administrator)\n",
                cmd, name);
    else
        fprintf(stderr, "etwfwd %s: service %s: %s\n", cmd, name, win_msg(err));
    return NULL;
}

static int query(SC_HANDLE svc, SERVICE_STATUS_PROCESS *st)
{
    DWORD need;

    return QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (LPBYTE)st, sizeof(*st), &need) ? 0
                                                                                             : -1;
}

/* Polls until the service leaves `from` (or reaches `until`), within bound_ms. */
static int wait_state(SC_HANDLE svc, DWORD until, DWORD bound_ms, SERVICE_STATUS_PROCESS *st)
{
    ULONGLONG end = GetTickCount64() + bound_ms;

    for (;;) {
        if (query(svc, st) < 0)
            return -1;
        if (st->dwCurrentState == until)
            return 0;
        if (until == SERVICE_RUNNING && st->dwCurrentState == SERVICE_STOPPED)
            return 0; /* it failed to start: the caller reports the exit code */
        if (GetTickCount64() >= end)
            return 1;
        Sleep(POLL_MS);
    }
}

/* The service's configuration (malloc'd); NULL on failure. */
static QUERY_SERVICE_CONFIGW *query_config(SC_HANDLE svc)
{
    QUERY_SERVICE_CONFIGW *qc;
    DWORD need = 0;

    QueryServiceConfigW(svc, NULL, 0, &need);
    if (!need || !(qc = malloc(need)))
        return NULL;
    if (!QueryServiceConfigW(svc, qc, need, &need)) {
        free(qc);
        return NULL;
    }
    return qc;
}

/*
 * The configuration path in an ImagePath: what follows " -c ", quoted or
 * not (an unquoted one, as Wine's msiexec writes, runs to the next " --" or
 * the end). Into out (UTF-8); 0 or -1 when there is none.
 */
static int conf_from_image(const wchar_t *img, char *out, size_t cap)
{
    const wchar_t *s = wcsstr(img, L" -c "), *e;
    wchar_t buf[IMAGE_MAX];
    char *u;
    size_t n;

    if (!s)
        return -1;
    s += 4;
    while (*s == L' ')
        s++;
    if (*s == L'"') {
        s++;
        e = wcschr(s, L'"');
    } else {
        e = wcsstr(s, L" --");
    }
    n = e ? (size_t)(e - s) : wcslen(s);
    while (n && s[n - 1] == L' ')
        n--;
    if (!n || n >= IMAGE_MAX)
        return -1;
    wmemcpy(buf, s, n);
    buf[n] = L'\0';
    if (!(u = ef_svc_utf8(buf)))
        return -1;
    snprintf(out, cap, "%s", u);
    free(u);
    return 0;
}

static void warn_setting(const char *what, DWORD err)
{
    if (err == ERROR_INVALID_LEVEL)
        fprintf(stderr,
                "etwfwd install: warning: %s: not supported here (ERROR_INVALID_LEVEL; Wine "
                "answers this): the service runs without it\n",
                what);
    else
        fprintf(stderr, "etwfwd install: warning: %s: %s\n", what, win_msg(err));
}

static void set2(SC_HANDLE svc, DWORD level, void *info, const char *what)
{
    if (!ChangeServiceConfig2W(svc, level, info))
        warn_setting(what, GetLastError());
}

static DWORD preshutdown_ms(const char *conf)
{
    struct ef_config_errors errs = {0};
    struct ef_config *cfg = NULL;
    uint64_t ms = PRESHUTDOWN_DEFT;

    if (ef_config_load_file(conf, &cfg, &errs) == 0) {
        ms = cfg->service.shutdown_timeout_ms + PRESHUTDOWN_PAD;
        ef_config_free(cfg);
    }
    ef_config_errors_free(&errs);
    return (DWORD)ms;
}

/* Everything but the ImagePath, the account and the start type. Warnings only. */
static void apply_settings(SC_HANDLE svc, const char *conf)
{
    SERVICE_DESCRIPTIONW desc;
    SERVICE_DELAYED_AUTO_START_INFO delayed = {TRUE};
    SC_ACTION actions[3] = {
        {SC_ACTION_RESTART, 10000}, {SC_ACTION_RESTART, 60000}, {SC_ACTION_RESTART, 300000}};
    SERVICE_FAILURE_ACTIONSW fa;
    SERVICE_FAILURE_ACTIONS_FLAG flag = {TRUE};
    SERVICE_PRESHUTDOWN_INFO pre;
    SERVICE_SID_INFO sid = {SERVICE_SID_TYPE_UNRESTRICTED};
    SERVICE_REQUIRED_PRIVILEGES_INFOW priv;
    char text[IMAGE_MAX];
    BYTE qbuf[8192];
    DWORD need;

    snprintf(text, sizeof(text),
             "Collects ETW events, decodes them completely and forwards them as JSON "
             "(etwfwd %s). Configuration: %s",
             EF_VERSION, conf);
    desc.lpDescription = ef_svc_wide(text);
    if (desc.lpDescription)
        set2(svc, SERVICE_CONFIG_DESCRIPTION, &desc, "description");
    free(desc.lpDescription);
    set2(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed, "delayed automatic start");

    memset(&fa, 0, sizeof(fa));
    fa.dwResetPeriod = 24 * 60 * 60;
    fa.cActions = 3;
    fa.lpsaActions = actions;
    set2(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &fa, "recovery actions");
    /* Wine says yes and keeps nothing: read them back. */
    if (QueryServiceConfig2W(svc, SERVICE_CONFIG_FAILURE_ACTIONS, qbuf, sizeof(qbuf), &need)) {
        if (((SERVICE_FAILURE_ACTIONSW *)qbuf)->cActions != 3)
            fprintf(stderr, "etwfwd install: warning: recovery actions: accepted but not stored "
                            "(Wine does this): the service runs without them\n");
    } else {
        warn_setting("recovery actions (reading them back)", GetLastError());
    }
    set2(svc, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag,
         "recovery on a stop with an error exit code");
    pre.dwPreshutdownTimeout = preshutdown_ms(conf);
    set2(svc, SERVICE_CONFIG_PRESHUTDOWN_INFO, &pre, "preshutdown timeout");
    set2(svc, SERVICE_CONFIG_SERVICE_SID_INFO, &sid, "service SID");
    priv.pmszRequiredPrivileges = (LPWSTR)required_privileges;
    set2(svc, SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO, &priv, "required privileges");
}

static void ensure_conf(const char *conf)
{
    int rc = ef_svc_ensure_config(conf);

    if (rc == EF_ENOENT)
        fprintf(stderr,
                "etwfwd install: warning: %s does not exist and there is no %s beside "
                "etwfwd.exe to create it from: the service will not start until it exists\n",
                conf, EF_SVC_DEFAULT_INI);
    else if (rc < 0)
        fprintf(stderr, "etwfwd install: warning: %s cannot be created: %s\n", conf,
                ef_strerror(rc));
}

static int install_source(const char *name, const char *exe)
{
    int rc = ef_eventlog_install(name, exe);

    if (rc < 0)
        fprintf(stderr, "etwfwd install: warning: event source %s: %s\n", name, ef_strerror(rc));
    return rc;
}

int ef_svc_install(const struct ef_svc_opts *o)
{
    wchar_t wexe[MAX_PATH * 2], wconf[IMAGE_MAX], image[IMAGE_MAX], display[300];
    wchar_t *wname = NULL, *wc = NULL;
    char conf[IMAGE_MAX], *exe = NULL, *cu = NULL;
    SC_HANDLE scm = NULL, svc = NULL;
    QUERY_SERVICE_CONFIGW *qc = NULL;
    int rc = EF_EXIT_FAILURE;
    DWORD n;

    n = GetModuleFileNameW(NULL, wexe, MAX_PATH * 2);
    if (!n || n >= MAX_PATH * 2 || !(exe = ef_svc_utf8(wexe)) || !(wname = ef_svc_wide(o->name)))
        goto out;
    if (!(scm = open_scm("install", SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE)))
        goto out;
    conf[0] = '\0';
    if (o->reconfigure) {
        if (!(svc = open_service("install", scm, o->name,
                                 SERVICE_CHANGE_CONFIG | SERVICE_QUERY_CONFIG | SERVICE_START)))
            goto out;
        if (!(qc = query_config(svc))) {
            fprintf(stderr, "etwfwd install: service %s: %s\n", o->name, win_msg(GetLastError()));
            goto out;
        }
        if (!o->conf && conf_from_image(qc->lpBinaryPathName, conf, sizeof(conf)) < 0)
            snprintf(conf, sizeof(conf), "%s", ef_svc_default_conf());
    }
    /* A relative path would be resolved in the service's folder (System32): make it absolute. */
    if (!conf[0]) {
        if (!(wc = ef_svc_wide(o->conf ? o->conf : ef_svc_default_conf())))
            goto out;
        n = GetFullPathNameW(wc, IMAGE_MAX, wconf, NULL);
        if (!n || n >= IMAGE_MAX) {
            fprintf(stderr, "etwfwd install: %s: invalid path\n", o->conf);
            goto out;
        }
        free(wc);
        wc = NULL;
        if (!(cu = ef_svc_utf8(wconf)))
            goto out;
        snprintf(conf, sizeof(conf), "%s", cu);
    }
    free(wc);
    if (!(wc = ef_svc_wide(conf)))
        goto out;
    swprintf(image, IMAGE_MAX, L"\"%ls\" service -c \"%ls\" --name %ls", wexe, wc, wname);
    ensure_conf(conf);

    if (!o->reconfigure) {
        if (strcmp(o->name, EF_SVC_DEFAULT_NAME) == 0)
            swprintf(display, 300, L"etwfwd ETW forwarder");
        else
            swprintf(display, 300, L"etwfwd ETW forwarder (%ls)", wname);
        svc = CreateServiceW(scm, wname, display, SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS,
                             SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, image, NULL, NULL, NULL,
                             NULL /* LocalSystem */, NULL);
        if (!svc) {
            DWORD err = GetLastError();

            if (err == ERROR_SERVICE_EXISTS)
                fprintf(stderr,
                        "etwfwd install: service %s is already installed: 'etwfwd install "
                        "--reconfigure --name %s' re-applies the settings, 'etwfwd uninstall "
                        "--name %s' removes it\n",
                        o->name, o->name, o->name);
            else if (err == ERROR_ACCESS_DENIED)
                fprintf(stderr, "etwfwd install: access denied: run this from an elevated "
                                "prompt (Run as administrator)\n");
            else
                fprintf(stderr, "etwfwd install: CreateService %s: %s\n", o->name, win_msg(err));
            goto out;
        }
    } else if (qc->lpBinaryPathName[0] != L'"' || o->conf) {
        /*
         * Wine's msiexec writes the ImagePath unquoted; an unquoted path
         * with a space lets C:\Program.exe run in our place (CWE-428).
         */
        if (!ChangeServiceConfigW(svc, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE,
                                  image, NULL, NULL, NULL, NULL, NULL, NULL)) {
            fprintf(stderr, "etwfwd install: service %s: cannot set its ImagePath: %s\n", o->name,
                    win_msg(GetLastError()));
            goto out;
        }
    }
    apply_settings(svc, conf);
    install_source(o->name, exe);
    free(cu);
    cu = ef_svc_utf8(image);
    printf("service %s %s\n  ImagePath: %s\n  configuration: %s\n", o->name,
           o->reconfigure ? "reconfigured" : "installed", cu ? cu : "?", conf);
    rc = EF_EXIT_OK;
out:
    free(cu);
    free(qc);
    free(wc);
    free(wname);
    free(exe);
    if (svc)
        CloseServiceHandle(svc);
    if (scm)
        CloseServiceHandle(scm);
    return rc;
}

/* Sends STOP and waits for STOPPED. Returns an EF_EXIT_* code. */
static int stop_and_wait(const char *cmd, SC_HANDLE svc, const char *name, int quiet_if_stopped)
{
    SERVICE_STATUS ss;
    SERVICE_STATUS_PROCESS st;
    int w;

    if (!ControlService(svc, SERVICE_CONTROL_STOP, &ss)) {
        DWORD err = GetLastError();

        if (err == ERROR_SERVICE_NOT_ACTIVE) {
            if (!quiet_if_stopped)
                printf("service %s is not running\n", name);
            return EF_EXIT_OK;
        }
        if (err != ERROR_SERVICE_CANNOT_ACCEPT_CTRL) {
            fprintf(stderr, "etwfwd %s: stop %s: %s\n", cmd, name, win_msg(err));
            return EF_EXIT_FAILURE;
        }
        /* Already stopping (or still starting): wait as for our own stop. */
    }
    w = wait_state(svc, SERVICE_STOPPED, STOP_WAIT_MS, &st);
    if (w != 0) {
        fprintf(stderr, "etwfwd %s: service %s did not stop within %u s (state %s)\n", cmd, name,
                STOP_WAIT_MS / 1000, w < 0 ? "unknown" : state_name(st.dwCurrentState));
        return EF_EXIT_FAILURE;
    }
    printf("service %s stopped (exit code %lu, service-specific %lu)\n", name,
           (unsigned long)st.dwWin32ExitCode, (unsigned long)st.dwServiceSpecificExitCode);
    return EF_EXIT_OK;
}

int ef_svc_uninstall(const struct ef_svc_opts *o)
{
    SC_HANDLE scm, svc;
    int rc = EF_EXIT_FAILURE, src;

    if (!(scm = open_scm("uninstall", SC_MANAGER_CONNECT)))
        return EF_EXIT_FAILURE;
    svc = open_service("uninstall", scm, o->name, DELETE | SERVICE_STOP | SERVICE_QUERY_STATUS);
    if (!svc)
        goto out;
    if (stop_and_wait("uninstall", svc, o->name, 1) != EF_EXIT_OK)
        goto out;
    if (!DeleteService(svc) && GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE) {
        fprintf(stderr, "etwfwd uninstall: DeleteService %s: %s\n", o->name,
                win_msg(GetLastError()));
        goto out;
    }
    src = ef_eventlog_uninstall(o->name);
    if (src < 0)
        fprintf(stderr, "etwfwd uninstall: warning: event source %s: %s\n", o->name,
                ef_strerror(src));
    printf("service %s removed\n", o->name);
    rc = EF_EXIT_OK;
out:
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

/*
 * StartService, tried again while the SCM answers ERROR_SERVICE_DATABASE_LOCKED:
 * it holds that lock while it starts the automatic services (at boot, and
 * under Wine whenever a new session begins). Returns its BOOL, error in
 * GetLastError().
 */
static BOOL start_retrying(SC_HANDLE svc)
{
    ULONGLONG end = GetTickCount64() + START_WAIT_MS;

    for (;;) {
        if (StartServiceW(svc, 0, NULL))
            return TRUE;
        if (GetLastError() != ERROR_SERVICE_DATABASE_LOCKED || GetTickCount64() >= end)
            return FALSE;
        Sleep(500);
    }
}

int ef_svc_start(const struct ef_svc_opts *o)
{
    SERVICE_STATUS_PROCESS st;
    SC_HANDLE scm, svc;
    int rc = EF_EXIT_FAILURE, w;

    if (!(scm = open_scm("start", SC_MANAGER_CONNECT)))
        return EF_EXIT_FAILURE;
    if (!(svc = open_service("start", scm, o->name, SERVICE_START | SERVICE_QUERY_STATUS)))
        goto out;
    if (!start_retrying(svc)) {
        DWORD err = GetLastError();

        if (err != ERROR_SERVICE_ALREADY_RUNNING) {
            fprintf(stderr, "etwfwd start: %s: %s\n", o->name, win_msg(err));
            goto out;
        }
    }
    w = wait_state(svc, SERVICE_RUNNING, START_WAIT_MS, &st);
    if (w < 0) {
        fprintf(stderr, "etwfwd start: %s: %s\n", o->name, win_msg(GetLastError()));
    } else if (w > 0) {
        fprintf(stderr, "etwfwd start: service %s still %s after %u s\n", o->name,
                state_name(st.dwCurrentState), START_WAIT_MS / 1000);
    } else if (st.dwCurrentState == SERVICE_STOPPED) {
        fprintf(stderr,
                "etwfwd start: service %s stopped at start (exit code %lu, service-specific "
                "%lu): see the event log and the log file\n",
                o->name, (unsigned long)st.dwWin32ExitCode,
                (unsigned long)st.dwServiceSpecificExitCode);
    } else {
        printf("service %s running (pid %lu)\n", o->name, (unsigned long)st.dwProcessId);
        rc = EF_EXIT_OK;
    }
out:
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

int ef_svc_stop(const struct ef_svc_opts *o)
{
    SC_HANDLE scm, svc;
    int rc = EF_EXIT_FAILURE;

    if (!(scm = open_scm("stop", SC_MANAGER_CONNECT)))
        return EF_EXIT_FAILURE;
    if ((svc = open_service("stop", scm, o->name, SERVICE_STOP | SERVICE_QUERY_STATUS))) {
        rc = stop_and_wait("stop", svc, o->name, 0);
        CloseServiceHandle(svc);
    }
    CloseServiceHandle(scm);
    return rc;
}

/* Writes s as a JSON string (quotes and backslashes escaped; control characters dropped). */
static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s >= 0x20)
            putchar(*s);
    }
    putchar('"');
}

int ef_svc_status(const struct ef_svc_opts *o)
{
    SERVICE_STATUS_PROCESS st;
    QUERY_SERVICE_CONFIGW *qc = NULL;
    struct ef_svc_status fs;
    SC_HANDLE scm, svc;
    char conf[IMAGE_MAX], sd[4096];
    int rc = EF_EXIT_FAILURE, have_conf, have_file = 0, live;
    uint64_t uptime = 0;

    if (!(scm = open_scm("status", SC_MANAGER_CONNECT)))
        return EF_EXIT_FAILURE;
    if (!(svc = open_service("status", scm, o->name, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG)))
        goto out;
    if (query(svc, &st) < 0 || !(qc = query_config(svc))) {
        fprintf(stderr, "etwfwd status: %s: %s\n", o->name, win_msg(GetLastError()));
        goto out;
    }
    have_conf = conf_from_image(qc->lpBinaryPathName, conf, sizeof(conf)) == 0;
    if (have_conf && ef_svc_conf_state_dir(conf, sd, sizeof(sd)) == 0 &&
        ef_svc_status_read(sd, &fs) == 0)
        have_file = 1;
    /* The file speaks for this run only when its pid is the running process's. */
    live = have_file && st.dwProcessId && fs.running && fs.pid == (int64_t)st.dwProcessId;
    if (live) {
        uint64_t now = ef_svc_now_ms();

        uptime = now > fs.started_ms ? (now - fs.started_ms) / 1000 : 0;
    }
    if (o->json) {
        printf("{\"name\":");
        json_str(o->name);
        printf(",\"state\":\"%s\",\"pid\":%lu,\"config\":", state_name(st.dwCurrentState),
               (unsigned long)st.dwProcessId);
        if (have_conf)
            json_str(conf);
        else
            printf("null");
        printf(",\"win32_exit_code\":%lu,\"service_exit_code\":%lu",
               (unsigned long)st.dwWin32ExitCode, (unsigned long)st.dwServiceSpecificExitCode);
        if (live)
            printf(",\"uptime_s\":%" PRIu64 ",\"events_forwarded\":%" PRIu64, uptime,
                   fs.events_forwarded);
        else if (have_file)
            printf(",\"uptime_s\":null,\"events_forwarded\":null,\"last_run_events_forwarded\":"
                   "%" PRIu64,
                   fs.events_forwarded);
        else
            printf(",\"uptime_s\":null,\"events_forwarded\":null");
        printf("}\n");
    } else {
        printf("service:          %s\n", o->name);
        printf("state:            %s\n", state_name(st.dwCurrentState));
        if (st.dwProcessId)
            printf("pid:              %lu\n", (unsigned long)st.dwProcessId);
        printf("configuration:    %s\n", have_conf ? conf : "(not found in the ImagePath)");
        printf("last exit code:   %lu (service-specific %lu)\n", (unsigned long)st.dwWin32ExitCode,
               (unsigned long)st.dwServiceSpecificExitCode);
        if (live) {
            printf("uptime:           %" PRIu64 " s\n", uptime);
            printf("events forwarded: %" PRIu64 "\n", fs.events_forwarded);
        } else if (have_file) {
            printf("events forwarded: %" PRIu64 " (last run)\n", fs.events_forwarded);
        }
    }
    rc = EF_EXIT_OK;
out:
    free(qc);
    if (svc)
        CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return rc;
}

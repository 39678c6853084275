/*
 * svc_main_win.c - `etwfwd service -c CONF --name NAME`, the entry the
 * service control manager runs: it reports the service's states to the SCM
 * and runs the configuration through ef_run (run.h) in ServiceMain's thread.
 *
 * DESIGN: the state machine, and who moves it.
 *   START_PENDING  ServiceMain, at once; the configuration loads, state_dir
 *                  gets its DACL, the pipeline starts. A pulse thread bumps
 *                  the checkpoint every second, so a slow start (many
 *                  sessions) never looks hung.
 *   RUNNING        on_started with rc 0 (ef_run's thread, before its loop).
 *   STOP_PENDING   on_stopping: the pipeline began to stop, whether the SCM
 *                  asked (STOP, SHUTDOWN, PRESHUTDOWN) or it ended by itself;
 *                  the pulse thread keeps the checkpoint rising while the
 *                  queue drains to the spool and the sinks deliver.
 *   STOPPED        ServiceMain, once ef_run has returned: one exit path,
 *                  with 0 or ERROR_SERVICE_SPECIFIC_ERROR and EF_SVC_EXIT_*.
 * The control handler (the dispatcher's thread) never reports a state and
 * never waits: it only calls ef_run_stop / ef_run_reload, under the lock
 * that also guards the run pointer, which is valid from on_started until
 * ef_run returns. A stop that arrives before the run exists is remembered
 * and applied in on_started. A configuration error never reaches RUNNING:
 * the service goes from START_PENDING to STOPPED within the load time.
 */
#include "cli.h"
#include "eventlog.h"
#include "run.h"
#include "svc.h"

#include "config/config.h"
#include "ef_config.h"
#include "pipeline/fsutil.h"
#include "runner/logfile.h"
#include "runner/pipeline.h"
#include "util/error.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <tlhelp32.h>

#define PULSE_MS     1000
#define WAIT_HINT_MS 5000
#define LOG_MAX_SIZE (10u * 1024 * 1024)
#define LOG_KEEP     5

struct svc {
    const char *conf, *name;
    SERVICE_STATUS_HANDLE h;
    CRITICAL_SECTION lock; /* guards st, run, stop_requested */
    SERVICE_STATUS st;
    struct ef_run *run;
    int stop_requested;
    HANDLE pulse_stop, pulse_thread;
    char state_dir[4096];
    int acl_rc;
    uint64_t started_ms, forwarded;
    int exit_code; /* EF_EXIT_* of the run */
};

static struct svc g;

/* Sends the current status; the caller holds g.lock. */
static void send_status_locked(void)
{
    if (!SetServiceStatus(g.h, &g.st))
        ef_log_warn("service", "SetServiceStatus: error %lu", (unsigned long)GetLastError());
}

/* Moves to state; pending states get a rising checkpoint. Any thread. */
static void report(DWORD state, DWORD win32_exit, DWORD specific_exit)
{
    EnterCriticalSection(&g.lock);
    g.st.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    g.st.dwCurrentState = state;
    switch (state) {
    case SERVICE_START_PENDING:
        g.st.dwControlsAccepted =
            SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PRESHUTDOWN;
        break;
    case SERVICE_RUNNING:
        g.st.dwControlsAccepted = SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN |
                                  SERVICE_ACCEPT_PRESHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE;
        break;
    default:
        g.st.dwControlsAccepted = 0;
    }
    g.st.dwWin32ExitCode = win32_exit;
    g.st.dwServiceSpecificExitCode = specific_exit;
    if (state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING) {
        g.st.dwCheckPoint++;
        g.st.dwWaitHint = WAIT_HINT_MS;
    } else {
        g.st.dwCheckPoint = 0;
        g.st.dwWaitHint = 0;
    }
    send_status_locked();
    LeaveCriticalSection(&g.lock);
}

/* Bumps the checkpoint every second while a state is pending. Its own thread. */
static DWORD WINAPI pulse(LPVOID arg)
{
    (void)arg;
    while (WaitForSingleObject(g.pulse_stop, PULSE_MS) == WAIT_TIMEOUT) {
        EnterCriticalSection(&g.lock);
        if (g.st.dwCurrentState == SERVICE_START_PENDING ||
            g.st.dwCurrentState == SERVICE_STOP_PENDING) {
            g.st.dwCheckPoint++;
            send_status_locked();
        }
        LeaveCriticalSection(&g.lock);
    }
    return 0;
}

/* The SCM's requests. The dispatcher's thread: returns at once. */
static DWORD WINAPI handler(DWORD control, DWORD type, LPVOID data, LPVOID ctx)
{
    (void)type;
    (void)data;
    (void)ctx;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
    case SERVICE_CONTROL_PRESHUTDOWN:
        EnterCriticalSection(&g.lock);
        g.stop_requested = 1;
        if (g.run)
            ef_run_stop(g.run);
        LeaveCriticalSection(&g.lock);
        return NO_ERROR;
    case SERVICE_CONTROL_PARAMCHANGE:
        EnterCriticalSection(&g.lock);
        if (g.run)
            ef_run_reload(g.run);
        LeaveCriticalSection(&g.lock);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

/* A configuration error: to the log (file and stderr) and the event log. ServiceMain's thread. */
static void on_config_error(void *ud, const char *msg)
{
    (void)ud;
    ef_log_error("service", "%s", msg);
    ef_eventlog_config_error(msg);
}

static void write_status(int running)
{
    struct ef_svc_status s;
    int rc;

    memset(&s, 0, sizeof(s));
    s.pid = (int64_t)GetCurrentProcessId();
    s.started_ms = g.started_ms;
    s.updated_ms = ef_svc_now_ms();
    s.events_forwarded = g.forwarded;
    s.running = running;
    s.exit_code = running ? 0 : g.exit_code;
    if ((rc = ef_svc_status_write(g.state_dir, &s)) < 0)
        ef_log_warn("service", "%s\\%s: %s", g.state_dir, EF_SVC_STATUS_FILE, ef_strerror(rc));
}

static void on_tick(void *ud, const struct ef_run_tick *t)
{
    (void)ud;
    g.forwarded = t->events_forwarded;
    if (t->state_dir && strcmp(t->state_dir, g.state_dir) != 0)
        snprintf(g.state_dir, sizeof(g.state_dir), "%s", t->state_dir);
    write_status(!t->final);
}

static void on_started(void *ud, struct ef_run *run, int rc)
{
    (void)ud;
    /* Logged here, not when set: only now does the log go to the log file too. */
    if (g.acl_rc == 0)
        ef_log_info("service", "state_dir %s: protected DACL %s set", g.state_dir,
                    EF_SVC_STATE_SDDL);
    else
        ef_log_error("service", "state_dir %s: protected DACL %s cannot be set: %s", g.state_dir,
                     EF_SVC_STATE_SDDL, ef_strerror(g.acl_rc));
    EnterCriticalSection(&g.lock);
    g.run = run;
    if (g.stop_requested)
        ef_run_stop(run);
    LeaveCriticalSection(&g.lock);
    if (rc < 0)
        return; /* the run stops by itself; STOPPED follows with its exit code */
    report(SERVICE_RUNNING, NO_ERROR, 0);
    ef_log_info("service", "service %s running (pid %lu)", g.name,
                (unsigned long)GetCurrentProcessId());
    ef_eventlog_started(EF_VERSION, g.conf);
}

static void on_stopping(void *ud)
{
    (void)ud;
    report(SERVICE_STOP_PENDING, NO_ERROR, 0);
}

/*
 * A configuration that does not load never reaches ef_run: its errors go
 * to the event log and to the default log file (its own log_file and
 * state_dir are unknown), and the service stops with EF_SVC_EXIT_CONFIG.
 */
static int config_failed(const struct ef_config_errors *errs, int rc)
{
    char dir[4200], path[4300], msg[4400];
    size_t i;

    snprintf(dir, sizeof(dir), "%s\\logs", ef_pipeline_default_state_dir());
    snprintf(path, sizeof(path), "%s\\etwfwd.log", dir);
    if (ef_fs_mkdir_p(dir) < 0 || ef_logfile_open(path, LOG_MAX_SIZE, LOG_KEEP) < 0)
        path[0] = '\0';
    ef_log_error("service", "service %s: configuration %s cannot be loaded: not starting", g.name,
                 g.conf);
    for (i = 0; i < errs->n; i++)
        on_config_error(NULL, errs->msgs[i]);
    if (!errs->n) {
        snprintf(msg, sizeof(msg), "%s: %s", g.conf,
                 rc == EF_ENOENT ? "no such file, and no " EF_SVC_DEFAULT_INI
                                   " beside etwfwd.exe to create it from"
                                 : ef_strerror(rc));
        on_config_error(NULL, msg);
    }
    if (path[0])
        ef_logfile_close();
    return EF_EXIT_USAGE;
}

/* Everything between START_PENDING and STOPPED. Returns an EF_EXIT_* code. ServiceMain's thread. */
static int run_service(void)
{
    struct ef_config_errors errs = {0};
    struct ef_config *cfg = NULL;
    struct ef_run_args a;
    const char *sd;
    int rc;

    rc = ef_svc_ensure_config(g.conf);
    if (rc == 0)
        rc = ef_config_load_file(g.conf, &cfg, &errs);
    if (rc < 0) {
        rc = config_failed(&errs, rc);
        ef_config_errors_free(&errs);
        return rc;
    }
    sd = cfg->service.state_dir && *cfg->service.state_dir ? cfg->service.state_dir
                                                           : ef_pipeline_default_state_dir();
    snprintf(g.state_dir, sizeof(g.state_dir), "%s", sd);
    ef_config_free(cfg);
    g.acl_rc = ef_svc_secure_dir(g.state_dir);
    report(SERVICE_START_PENDING, NO_ERROR, 0);

    memset(&a, 0, sizeof(a));
    a.conf = g.conf;
    /* A service runs until stopped, also when every session replays files. */
    a.follow = 1;
    a.on_config_error = on_config_error;
    a.on_started = on_started;
    a.on_stopping = on_stopping;
    a.on_tick = on_tick;
    /* Failing sinks, ETW loss, watchdog restarts: to the event log (E's messages). */
    a.on_notice = ef_eventlog_notice;
    /* Before ef_run: its first on_tick comes before on_started. */
    g.started_ms = ef_svc_now_ms();
    rc = ef_run(&a);
    EnterCriticalSection(&g.lock);
    g.run = NULL;
    LeaveCriticalSection(&g.lock);
    return rc;
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
    wchar_t *wname = ef_svc_wide(g.name);
    DWORD win32 = NO_ERROR, specific = 0;

    (void)argc;
    (void)argv;
    g.h = RegisterServiceCtrlHandlerExW(wname ? wname : L"", handler, NULL);
    free(wname);
    if (!g.h)
        return;
    report(SERVICE_START_PENDING, NO_ERROR, 0);
    g.pulse_stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    g.pulse_thread = g.pulse_stop ? CreateThread(NULL, 0, pulse, NULL, 0, NULL) : NULL;
    if (ef_eventlog_open(g.name) < 0)
        ef_log_warn("service", "event source %s cannot be opened", g.name);

    g.exit_code = run_service();

    if (g.exit_code != EF_EXIT_OK) {
        win32 = ERROR_SERVICE_SPECIFIC_ERROR;
        specific = g.exit_code == EF_EXIT_USAGE ? EF_SVC_EXIT_CONFIG : EF_SVC_EXIT_RUNTIME;
    }
    if (g.state_dir[0])
        write_status(0);
    ef_eventlog_stopped((int)specific);
    ef_eventlog_close();
    if (g.pulse_thread) {
        SetEvent(g.pulse_stop);
        WaitForSingleObject(g.pulse_thread, INFINITE);
        CloseHandle(g.pulse_thread);
    }
    if (g.pulse_stop)
        CloseHandle(g.pulse_stop);
    /* Last: once STOPPED is reported the SCM may end the process. */
    report(SERVICE_STOPPED, win32, specific);
}

/*
 * 1 when our parent process is not the SCM (services.exe, which starts
 * every service process and outlives it): started from a console, or from
 * anything else that is not the SCM. 0 when it is, or when we cannot tell
 * (the dispatcher then decides, with its 1063 after a timeout: 10 s under
 * Wine, 30 s on Windows; the look at the parent answers at once).
 */
static int started_from_console(void)
{
    PROCESSENTRY32W pe;
    DWORD self = GetCurrentProcessId(), parent = 0;
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    int seen_self = 0, scm = 0;

    if (snap == INVALID_HANDLE_VALUE)
        return 0;
    pe.dwSize = sizeof(pe);
    for (BOOL ok = Process32FirstW(snap, &pe); ok; ok = Process32NextW(snap, &pe)) {
        if (pe.th32ProcessID == self) {
            parent = pe.th32ParentProcessID;
            seen_self = 1;
            break;
        }
    }
    pe.dwSize = sizeof(pe);
    for (BOOL ok = parent ? Process32FirstW(snap, &pe) : FALSE; ok;
         ok = Process32NextW(snap, &pe)) {
        if (pe.th32ProcessID == parent) {
            scm = _wcsicmp(pe.szExeFile, L"services.exe") == 0;
            break;
        }
    }
    CloseHandle(snap);
    return seen_self && !scm;
}

static int console_message(void)
{
    fprintf(stderr,
            "etwfwd service: this is the entry the service control manager runs, not a console "
            "command.\n"
            "  to run the pipeline in this console: etwfwd run -c \"%s\"\n"
            "  to manage the service:               etwfwd install|start|stop|status --name %s\n",
            g.conf, g.name);
    return EF_EXIT_USAGE;
}

int ef_svc_service(const char *conf, const char *name)
{
    SERVICE_TABLE_ENTRYW table[] = {{(LPWSTR)L"", service_main}, {NULL, NULL}};

    memset(&g, 0, sizeof(g));
    g.conf = conf;
    g.name = name;
    if (started_from_console())
        return console_message();
    InitializeCriticalSection(&g.lock);
    if (!StartServiceCtrlDispatcherW(table)) {
        DWORD err = GetLastError();

        if (err == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
            return console_message();
        fprintf(stderr, "etwfwd service: StartServiceCtrlDispatcher: error %lu\n",
                (unsigned long)err);
        return EF_EXIT_FAILURE;
    }
    return g.exit_code;
}

/*
 * svc.h - etwfwd as a Windows service: the commands that manage it
 * (install, uninstall, start, stop, status), the entry the SCM runs
 * (`etwfwd service`), and the small portable pieces both use: the default
 * configuration path, creating the configuration from the shipped default,
 * and the status file the running service keeps for `status`.
 *
 * docs/service.md describes the service's states, exit codes and files.
 */
#ifndef EF_SERVICE_SVC_H
#define EF_SERVICE_SVC_H

#include <stddef.h>
#include <stdint.h>

#define EF_SVC_DEFAULT_NAME "etwfwd"
/* Shipped beside etwfwd.exe; copied to the configuration path when that is missing. */
#define EF_SVC_DEFAULT_INI "etwfwd.default.ini"
/* In state_dir: what `status` reads for the uptime and the events forwarded. */
#define EF_SVC_STATUS_FILE "service-status.json"
/*
 * The protected DACL the service puts on state_dir before it runs: SYSTEM
 * and Administrators only, inherited by every file and folder below, none
 * inherited from above (state_dir holds tokens and spooled events).
 */
#define EF_SVC_STATE_SDDL "D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"

/*
 * The service-specific exit codes (dwServiceSpecificExitCode, with
 * dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR 1066). They equal the
 * EF_EXIT_* codes of cli.h that `etwfwd run` exits with for the same cause.
 */
enum {
    EF_SVC_EXIT_RUNTIME = 1, /* a sink or spool failed to open, or the pipeline failed */
    EF_SVC_EXIT_CONFIG = 2,  /* the configuration file is missing or invalid */
};

/* What the running service writes to state_dir/service-status.json. */
struct ef_svc_status {
    int64_t pid;
    uint64_t started_ms;       /* Unix time in ms when the service began to run */
    uint64_t updated_ms;       /* Unix time in ms of this write */
    uint64_t events_forwarded; /* events every sink acknowledged, summed */
    int running;               /* 0 once written at the stop */
    int exit_code;             /* the service-specific exit code, at the stop */
};

/*
 * The default configuration file: %ProgramData%\etwfwd\etwfwd.ini on
 * Windows, /etc/etwfwd/etwfwd.ini elsewhere. Static storage. Any thread.
 */
const char *ef_svc_default_conf(void);

/*
 * Makes sure conf exists: when it does not, creates its folder and copies
 * etwfwd.default.ini from the folder of the running executable to it.
 * Returns 0 (conf exists or was created), EF_ENOENT (missing and no default
 * beside the executable), EF_EIO, EF_EACCES. Any thread.
 */
int ef_svc_ensure_config(const char *conf);

/*
 * state_dir of the configuration conf (its [service] state_dir or the
 * platform's default) into out. Returns 0, EF_ECONFIG when the file cannot
 * be loaded, EF_ENOSPC. Any thread.
 */
int ef_svc_conf_state_dir(const char *conf, char *out, size_t cap);

/* Writes st to state_dir/service-status.json atomically. Returns 0 or EF_E*. Any thread. */
int ef_svc_status_write(const char *state_dir, const struct ef_svc_status *st);

/* Reads it back. Returns 0, EF_ENOENT, EF_EFORMAT, EF_EIO. Any thread. */
int ef_svc_status_read(const char *state_dir, struct ef_svc_status *st);

/* Unix time in milliseconds. Any thread. */
uint64_t ef_svc_now_ms(void);

#ifdef _WIN32
/* The options of the management commands (svc_cmd.c parses them). */
struct ef_svc_opts {
    const char *name; /* service name, also the event source's */
    const char *conf; /* configuration file; NULL: the default */
    int reconfigure;  /* install: only re-apply the settings to an existing service */
    int json;         /* status: JSON on stdout */
};

/* The commands (svc_scm_win.c). Each returns an EF_EXIT_* code. Console thread. */
int ef_svc_install(const struct ef_svc_opts *o);
int ef_svc_uninstall(const struct ef_svc_opts *o);
int ef_svc_start(const struct ef_svc_opts *o);
int ef_svc_stop(const struct ef_svc_opts *o);
int ef_svc_status(const struct ef_svc_opts *o);

/*
 * The service entry (svc_main_win.c): connects to the SCM and runs conf
 * until stopped. From a console it says what to run instead and returns
 * EF_EXIT_USAGE. Main thread.
 */
int ef_svc_service(const char *conf, const char *name);

/*
 * Creates dir (and parents) and gives it the protected DACL
 * EF_SVC_STATE_SDDL (svc_acl_win.c). Returns 0, EF_EACCES, EF_ESYS. Any thread.
 */
int ef_svc_secure_dir(const char *dir);

/* UTF-8 <-> UTF-16 for the Win32 calls (svc_acl_win.c). malloc'd; NULL on failure. */
wchar_t *ef_svc_wide(const char *s);
char *ef_svc_utf8(const wchar_t *w);
#endif

#endif

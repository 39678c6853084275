/*
 * cmd_reload.c - `etwfwd reload [-c CONFIG] [--name NAME]`: asks a running
 * etwfwd to re-read its configuration file (docs/pipeline.md, "Reload").
 *
 * Windows: SERVICE_CONTROL_PARAMCHANGE to the service NAME (default
 * etwfwd), which the service turns into ef_run_reload. POSIX: SIGHUP to
 * the pid that holds <state_dir>/etwfwd.lock (runner/statelock.h),
 * state_dir being CONFIG's; a lock file nobody holds is stale and nothing
 * is signalled. Either way the running etwfwd re-reads the file it was started
 * with; the request is asynchronous, so what it applied or refused, and
 * why, is in its log, not here. When CONFIG is given it is checked first:
 * an invalid file is reported here and nothing is asked of the running
 * etwfwd, which would refuse it anyway.
 */
#include "cli.h"
#include "winsvc/svc.h"

#include "config/config.h"
#include "runner/pipeline.h"
#include "runner/statelock.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#endif

enum { RL_CONF, RL_NAME };

static const struct ef_opt reload_opts[] = {
    {"-c", "--config", "CONFIG", "a configuration file", 0,
     "Checks CONFIG first and, on POSIX, signals the etwfwd that holds its state_dir's lock "
     "(required there)."},
    {"--name", NULL, "NAME", "a service name", 0,
     "Asks the Windows service NAME (default etwfwd) instead. Windows only."},
};

const struct ef_cmd_spec ef_spec_reload = {
    "reload",
    "",
    0,
    0,
    NULL,
    "Asks a running etwfwd to re-read its configuration file: SIGHUP to run's pid (POSIX),\n"
    "PARAMCHANGE to the service (Windows). What it applied or refused is in its log.",
    reload_opts,
    EF_ARRAY_LEN(reload_opts),
    0};

/* Loads conf; prints its errors and returns EF_EXIT_USAGE when it is not valid. */
static int check_config(const char *conf, struct ef_config **out)
{
    struct ef_config_errors errs = {0};
    size_t i;
    int rc;

    rc = ef_config_load_file(conf, out, &errs);
    if (rc == 0)
        return EF_EXIT_OK;
    for (i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.msgs[i]);
    if (!errs.n)
        fprintf(stderr, "etwfwd reload: %s: %s\n", conf, ef_strerror(rc));
    fprintf(stderr,
            "etwfwd reload: %s is not valid: the running etwfwd was not asked to reload and "
            "keeps its configuration\n",
            conf);
    ef_config_errors_free(&errs);
    return EF_EXIT_USAGE;
}

#ifdef _WIN32
static int reload_service(const char *name)
{
    wchar_t wname[257];
    SC_HANDLE scm, svc;
    SERVICE_STATUS st;
    DWORD err = 0;

    if (!MultiByteToWideChar(CP_UTF8, 0, name, -1, wname,
                             (int)(sizeof(wname) / sizeof(wname[0])))) {
        fprintf(stderr, "etwfwd reload: service name too long: %s\n", name);
        return EF_EXIT_USAGE;
    }
    scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (!scm) {
        err = GetLastError();
        goto fail;
    }
    /* PARAMCHANGE needs SERVICE_PAUSE_CONTINUE, no more. */
    svc = OpenServiceW(scm, wname, SERVICE_PAUSE_CONTINUE);
    if (!svc) {
        err = GetLastError();
        CloseServiceHandle(scm);
        goto fail;
    }
    if (!ControlService(svc, SERVICE_CONTROL_PARAMCHANGE, &st))
        err = GetLastError();
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    if (!err) {
        printf("etwfwd reload: service %s asked to re-read its configuration; what it applied "
               "is in its log\n",
               name);
        return EF_EXIT_OK;
    }
fail:
    switch (err) {
    case ERROR_ACCESS_DENIED:
        fprintf(stderr, "etwfwd reload: access denied: run it from an elevated prompt\n");
        break;
    case ERROR_SERVICE_DOES_NOT_EXIST:
        fprintf(stderr, "etwfwd reload: there is no service %s (etwfwd install creates it)\n",
                name);
        break;
    case ERROR_SERVICE_NOT_ACTIVE:
        fprintf(stderr, "etwfwd reload: service %s is not running\n", name);
        break;
    case ERROR_INVALID_SERVICE_CONTROL:
    case ERROR_SERVICE_CANNOT_ACCEPT_CTRL:
        fprintf(stderr,
                "etwfwd reload: service %s does not take a reload now (starting or "
                "stopping)\n",
                name);
        break;
    default:
        fprintf(stderr, "etwfwd reload: service %s: Windows error %lu\n", name, (unsigned long)err);
        break;
    }
    return EF_EXIT_FAILURE;
}
#else
/*
 * SIGHUP to the etwfwd that holds state_dir's lock. The lock, not only the
 * pid written in the file, says it runs: a stale file's pid may belong to
 * an unrelated process by now.
 */
static int reload_pid(const struct ef_config *cfg)
{
    const char *sd = cfg->service.state_dir && *cfg->service.state_dir
                         ? cfg->service.state_dir
                         : ef_pipeline_default_state_dir();
    long pid = 0;
    int held = 0, rc;

    rc = ef_statelock_holder(sd, &held, &pid);
    if (rc < 0) {
        fprintf(stderr, "etwfwd reload: %s/%s: %s\n", sd, EF_STATELOCK_FILE, ef_strerror(rc));
        return EF_EXIT_FAILURE;
    }
    if (!held) {
        fprintf(stderr,
                "etwfwd reload: no etwfwd is running on state_dir %s (%s/%s is not held%s): is "
                "`etwfwd run` running with this file?\n",
                sd, sd, EF_STATELOCK_FILE, pid ? ", a stale file" : "");
        return EF_EXIT_FAILURE;
    }
    if (!pid) {
        fprintf(stderr, "etwfwd reload: %s/%s holds no process id yet (starting?)\n", sd,
                EF_STATELOCK_FILE);
        return EF_EXIT_FAILURE;
    }
    if (kill((pid_t)pid, SIGHUP) != 0) {
        fprintf(stderr, "etwfwd reload: process %ld (holding %s/%s): %s\n", pid, sd,
                EF_STATELOCK_FILE, strerror(errno));
        return EF_EXIT_FAILURE;
    }
    printf("etwfwd reload: process %ld asked to re-read its configuration; what it applied is "
           "in its log\n",
           pid);
    return EF_EXIT_OK;
}
#endif

int ef_cmd_reload(int argc, char **argv)
{
    const char *conf, *name;
    struct ef_config *cfg = NULL;
    struct ef_args a;
    int rc = ef_args_parse(&ef_spec_reload, argc, argv, &a);

    conf = a.value[RL_CONF];
    name = a.value[RL_NAME];
    ef_args_free(&a);
    if (rc >= 0)
        return rc;
#ifdef _WIN32
    if (conf) {
        rc = check_config(conf, &cfg);
        ef_config_free(cfg);
        if (rc != EF_EXIT_OK)
            return rc;
    }
    return reload_service(name ? name : EF_SVC_DEFAULT_NAME);
#else
    if (name) {
        fprintf(stderr, "etwfwd reload: --name is for the Windows service; here use -c CONFIG\n");
        return EF_EXIT_USAGE;
    }
    if (!conf)
        return ef_args_fail(&ef_spec_reload, "missing -c CONFIG");
    rc = check_config(conf, &cfg);
    if (rc != EF_EXIT_OK)
        return rc;
    rc = reload_pid(cfg);
    ef_config_free(cfg);
    return rc;
#endif
}

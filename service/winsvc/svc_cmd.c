/*
 * svc_cmd.c - the command lines of `install`, `uninstall`, `start`, `stop`,
 * `status` and `service`: parsing here, the work in svc_scm_win.c and
 * svc_main_win.c. Off Windows each says it is Windows-only and exits 2.
 */
#include "cli.h"
#include "svc.h"

#include <stdio.h>
#include <string.h>

enum { O_CONF = 1, O_RECONF = 2, O_JSON = 4 };

struct parsed {
    const char *name, *conf;
    int reconfigure, json;
};

#define OPT_NAME                                                                                   \
    {                                                                                              \
        "--name", NULL, "NAME", "a service name", 0,                                               \
            "Names the service; the default is etwfwd. Letters, digits, '-', '_' and '.' only."    \
    }
#define OPT_JSON                                                                                   \
    {                                                                                              \
        "--json", NULL, NULL, NULL, 0, "Prints the status as one JSON object."                     \
    }

static const struct ef_opt install_opts[] = {
    {"-c", "--config", "FILE", "a configuration file", 0,
     "Runs the service with the configuration file FILE; the default is "
     "%ProgramData%\\etwfwd\\etwfwd.ini."},
    OPT_NAME,
    {"--reconfigure", NULL, NULL, NULL, 0,
     "Re-applies the settings to a service already registered instead of failing."},
};
static const struct ef_opt service_opts[] = {
    {"-c", "--config", "FILE", "a configuration file", EF_OPT_REQUIRED,
     "Runs the pipeline of the configuration file FILE (required)."},
    OPT_NAME,
};
static const struct ef_opt name_opts[] = {OPT_NAME};
static const struct ef_opt status_opts[] = {OPT_NAME, OPT_JSON};

/* Index of each option in the tables above (the same in every table that has it). */
enum { I_CONF = 0, I_NAME_AFTER_CONF = 1, I_RECONF = 2, I_NAME = 0, I_JSON = 1 };

const struct ef_cmd_spec ef_spec_install = {
    "install",
    "",
    0,
    0,
    NULL,
    "Registers the Windows service (delayed automatic start, restarted on failure) and its\n"
    "event source. Needs administrator rights. Windows only.",
    install_opts,
    EF_ARRAY_LEN(install_opts),
    0};
const struct ef_cmd_spec ef_spec_uninstall = {
    "uninstall",
    "",
    0,
    0,
    NULL,
    "Stops and removes the Windows service and its event source. Windows only.",
    name_opts,
    EF_ARRAY_LEN(name_opts),
    0};
const struct ef_cmd_spec ef_spec_start = {"start",   "",
                                          0,         0,
                                          NULL,      "Starts the Windows service. Windows only.",
                                          name_opts, EF_ARRAY_LEN(name_opts),
                                          0};
const struct ef_cmd_spec ef_spec_stop = {
    "stop",    "",
    0,         0,
    NULL,      "Stops the Windows service and waits until it has stopped. Windows only.",
    name_opts, EF_ARRAY_LEN(name_opts),
    0};
const struct ef_cmd_spec ef_spec_status = {
    "status",
    "",
    0,
    0,
    NULL,
    "Prints the Windows service's state, pid, configuration, last exit code, uptime and\n"
    "events forwarded. Windows only.",
    status_opts,
    EF_ARRAY_LEN(status_opts),
    0};
const struct ef_cmd_spec ef_spec_service = {
    "service",
    "",
    0,
    0,
    NULL,
    "The entry the service control manager runs; from a console use 'run'. Windows only.",
    service_opts,
    EF_ARRAY_LEN(service_opts),
    0};

/*
 * A service name goes unquoted into the ImagePath and names the event
 * source, whose registry key may not hold a '\': letters, digits, '-', '_'
 * and '.' are enough and need no quoting anywhere.
 */
static int valid_name(const char *s)
{
    size_t i;

    if (!*s || strlen(s) > 200)
        return 0;
    for (i = 0; s[i]; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* Returns -1 when parsed, else the exit code to return (help or a usage error). */
static int parse(const struct ef_cmd_spec *spec, int argc, char **argv, int allowed,
                 struct parsed *p)
{
    struct ef_args a;
    int rc = ef_args_parse(spec, argc, argv, &a);

    memset(p, 0, sizeof(*p));
    p->name = EF_SVC_DEFAULT_NAME;
    if (allowed & O_CONF) {
        p->conf = a.value[I_CONF];
        if (a.value[I_NAME_AFTER_CONF])
            p->name = a.value[I_NAME_AFTER_CONF];
    } else if (a.value[I_NAME]) {
        p->name = a.value[I_NAME];
    }
    p->reconfigure = (allowed & O_RECONF) && a.count[I_RECONF];
    p->json = (allowed & O_JSON) && a.count[I_JSON];
    ef_args_free(&a);
    if (rc >= 0)
        return rc;
    if (!valid_name(p->name))
        return ef_args_fail(spec,
                            "invalid service name '%s' (letters, digits, '-', '_' and '.' "
                            "only)",
                            p->name);
    return -1;
}

#ifdef _WIN32
static int dispatch(const struct ef_cmd_spec *spec, int argc, char **argv, int allowed,
                    int (*fn)(const struct ef_svc_opts *))
{
    struct ef_svc_opts o;
    struct parsed p;
    int rc = parse(spec, argc, argv, allowed, &p);

    if (rc >= 0)
        return rc;
    memset(&o, 0, sizeof(o));
    o.name = p.name;
    o.conf = p.conf;
    o.reconfigure = p.reconfigure;
    o.json = p.json;
    return fn(&o);
}
#else
static int dispatch(const struct ef_cmd_spec *spec, int argc, char **argv, int allowed, void *fn)
{
    struct parsed p;
    int rc = parse(spec, argc, argv, allowed, &p);

    (void)fn;
    if (rc >= 0)
        return rc;
    fprintf(stderr,
            "etwfwd %s: the Windows service is Windows-only; here, run the pipeline in the "
            "foreground with 'etwfwd run -c FILE' (e.g. under systemd)\n",
            argv[0]);
    return EF_EXIT_USAGE;
}
#define ef_svc_install   NULL
#define ef_svc_uninstall NULL
#define ef_svc_start     NULL
#define ef_svc_stop      NULL
#define ef_svc_status    NULL
#endif

int ef_cmd_install(int argc, char **argv)
{
    return dispatch(&ef_spec_install, argc, argv, O_CONF | O_RECONF, ef_svc_install);
}

int ef_cmd_uninstall(int argc, char **argv)
{
    return dispatch(&ef_spec_uninstall, argc, argv, 0, ef_svc_uninstall);
}

int ef_cmd_start(int argc, char **argv)
{
    return dispatch(&ef_spec_start, argc, argv, 0, ef_svc_start);
}

int ef_cmd_stop(int argc, char **argv)
{
    return dispatch(&ef_spec_stop, argc, argv, 0, ef_svc_stop);
}

int ef_cmd_status(int argc, char **argv)
{
    return dispatch(&ef_spec_status, argc, argv, O_JSON, ef_svc_status);
}

int ef_cmd_service(int argc, char **argv)
{
    struct parsed p;
    int rc = parse(&ef_spec_service, argc, argv, O_CONF, &p);

    if (rc >= 0)
        return rc;
    if (!p.conf)
        return ef_args_fail(&ef_spec_service, "missing -c FILE");
#ifdef _WIN32
    return ef_svc_service(p.conf, p.name);
#else
    return dispatch(&ef_spec_service, argc, argv, O_CONF, NULL);
#endif
}

/*
 * cmd_validate.c - `etwfwd validate -c FILE`: check a configuration file.
 *
 * Exit 0 with the summary of the resolved configuration on stdout, or 2 with
 * every error on stderr (docs/config.md, "Errors and the summary"): those of
 * the file, then what run would fail on at start on this machine
 * (validate_env.c: schema files, writable folders) unless --syntax-only.
 */
#include "cli.h"
#include "validate_env.h"

#include "config/config.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

enum { V_CONF, V_SYNTAX };

static const struct ef_opt validate_opts[] = {
    {"-c", "--config", "FILE", "a configuration file", EF_OPT_REQUIRED,
     "Checks the configuration file FILE (required)."},
    {"--syntax-only", NULL, NULL, NULL, 0,
     "Skips the checks of this machine (schema files, folders), for a file written for "
     "another machine."},
};

const struct ef_cmd_spec ef_spec_validate = {
    "validate",
    "",
    0,
    0,
    NULL,
    "Checks a configuration file: prints its resolved settings and exits 0, or\n"
    "prints every error as FILE:LINE: [section] key: problem (expected) and exits 2.\n"
    "It also checks what run needs from this machine: the manifest and MOF files\n"
    "load, state_dir and the file sinks' folders exist or can be created, and are\n"
    "writable.",
    validate_opts,
    EF_ARRAY_LEN(validate_opts),
    0};

int ef_cmd_validate(int argc, char **argv)
{
    struct ef_config_errors errs = {0};
    struct ef_config *cfg = NULL;
    const char *path;
    struct ef_args a;
    size_t i;
    int rc, syntax_only;

    rc = ef_args_parse(&ef_spec_validate, argc, argv, &a);
    path = a.value[V_CONF];
    syntax_only = a.count[V_SYNTAX] > 0;
    ef_args_free(&a);
    if (rc >= 0)
        return rc;
    rc = ef_config_load_file(path, &cfg, &errs);
    for (i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.msgs[i]);
    /* A file run would refuse at start fails here too: schemas, folders. */
    if (rc == 0 && !syntax_only && ef_validate_environment(cfg, path, stderr) > 0)
        rc = EF_ECONFIG;
    if (rc == 0)
        ef_config_print_summary(cfg, path, stdout);
    else if (errs.n == 0 && rc != EF_ECONFIG)
        fprintf(stderr, "%s: %s\n", path, ef_strerror(rc));
    ef_config_errors_free(&errs);
    ef_config_free(cfg);
    if (rc == EF_ENOMEM)
        return EF_EXIT_FAILURE;
    return rc == 0 ? EF_EXIT_OK : EF_EXIT_USAGE;
}

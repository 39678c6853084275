/*
 * cmd_validate.c - `etwfwd validate -c FILE`: check a configuration file.
 *
 * Exit 0 with the summary of the resolved configuration on stdout, or 2 with
 * every error on stderr (docs/config.md, "Errors and the summary").
 */
#include "cli.h"

#include "config/config.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: etwfwd validate -c FILE\n\n"
               "Checks a configuration file: prints its resolved settings and exits 0, or\n"
               "prints every error as FILE:LINE: [section] key: problem (expected) and exits 2.\n");
}

int ef_cmd_validate(int argc, char **argv)
{
    struct ef_config_errors errs = {0};
    struct ef_config *cfg = NULL;
    const char *path = NULL;
    size_t i;
    int rc, a;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
            usage(stdout);
            return EF_EXIT_OK;
        }
        if ((strcmp(argv[a], "-c") == 0 || strcmp(argv[a], "--config") == 0) && a + 1 < argc &&
            !path) {
            path = argv[++a];
            continue;
        }
        fprintf(stderr, "etwfwd validate: unexpected argument '%s'\n\n", argv[a]);
        usage(stderr);
        return EF_EXIT_USAGE;
    }
    if (!path) {
        usage(stderr);
        return EF_EXIT_USAGE;
    }
    rc = ef_config_load_file(path, &cfg, &errs);
    for (i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.msgs[i]);
    if (rc == 0)
        ef_config_print_summary(cfg, path, stdout);
    else if (errs.n == 0)
        fprintf(stderr, "%s: %s\n", path, ef_strerror(rc));
    ef_config_errors_free(&errs);
    ef_config_free(cfg);
    if (rc == EF_ENOMEM)
        return EF_EXIT_FAILURE;
    return rc == 0 ? EF_EXIT_OK : EF_EXIT_USAGE;
}

/*
 * cmd_config.c - `etwfwd config --help [KEY|SECTION]`: the option reference.
 *
 * The hidden `--markdown` prints docs/config.md, which a test compares with
 * the file in the repository.
 */
#include "cli.h"

#include "config/doc.h"

#include <stdio.h>
#include <string.h>

enum { C_HELP, C_MARKDOWN };

static const struct ef_opt config_opts[] = {
    {"--help", "-h", NULL, NULL, 0,
     "Describes every option, or only KEY's (key or section.key), or every option of SECTION "
     "(service, session, provider, sink, route; [sink:NAME] works too)."},
    {"--markdown", NULL, NULL, NULL, EF_OPT_HIDDEN, "Prints docs/config.md."},
};

const struct ef_cmd_spec ef_spec_config = {
    "config",
    "[KEY|SECTION]",
    0,
    1,
    NULL,
    "Describes the configuration options (docs/config.md has the full reference).",
    config_opts,
    EF_ARRAY_LEN(config_opts),
    1};

int ef_cmd_config(int argc, char **argv)
{
    struct ef_args a;
    const char *key;
    int rc = ef_args_parse(&ef_spec_config, argc, argv, &a);

    key = a.npos ? a.pos[0] : NULL;
    if (rc < 0 && a.count[C_MARKDOWN] && (key || a.count[C_HELP]))
        rc = ef_args_fail(&ef_spec_config, "--markdown takes nothing else");
    if (rc >= 0) {
        ef_args_free(&a);
        return rc;
    }
    rc = EF_EXIT_OK;
    if (a.count[C_MARKDOWN]) {
        ef_config_write_markdown(stdout);
    } else if (!key) {
        printf("Every configuration option (docs/config.md has the full reference).\n"
               "'etwfwd config --help KEY' shows one; KEY is key or section.key, or a section\n"
               "(service, session, provider, sink, route) for all of its options.\n\n");
        ef_config_write_help(stdout, NULL);
    } else if (ef_config_write_help(stdout, key) == 0) {
        fprintf(stderr,
                "etwfwd config: no option '%s', nor a section of that name (see etwfwd config "
                "--help)\n",
                key);
        rc = EF_EXIT_USAGE;
    }
    ef_args_free(&a);
    return rc;
}

/*
 * cmd_config.c - `etwfwd config --help [KEY]`: the option reference.
 *
 * The hidden `--markdown` prints docs/config.md, which a test compares with
 * the file in the repository.
 */
#include "cli.h"

#include "config/doc.h"

#include <stdio.h>
#include <string.h>

int ef_cmd_config(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--markdown") == 0) {
        ef_config_write_markdown(stdout);
        return EF_EXIT_OK;
    }
    if (argc == 1 ||
        (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))) {
        printf("Every configuration option (docs/config.md has the full reference).\n"
               "'etwfwd config --help KEY' shows one; KEY is key or section.key.\n\n");
        ef_config_write_help(stdout, NULL);
        return EF_EXIT_OK;
    }
    if (argc == 3 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        if (ef_config_write_help(stdout, argv[2]) > 0)
            return EF_EXIT_OK;
        fprintf(stderr, "etwfwd config: no option '%s' (see etwfwd config --help)\n", argv[2]);
        return EF_EXIT_USAGE;
    }
    fprintf(stderr, "usage: etwfwd config --help [KEY]\n");
    return EF_EXIT_USAGE;
}

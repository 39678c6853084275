/*
 * commands.c - the list of subcommands, in the order the help shows them.
 */
#include "cli.h"

#include "util/attr.h"

const struct ef_cmd ef_commands[] = {
    {"version", "", "print the version and the libraries built in", ef_cmd_version},
};

const unsigned ef_commands_count = EF_ARRAY_LEN(ef_commands);

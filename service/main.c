/*
 * main.c - etwfwd's entry point: dispatches to a subcommand.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

void ef_cli_usage(FILE *f)
{
    unsigned i;

    fprintf(f, "usage: etwfwd <command> [options]\n\n"
               "Collects ETW events, decodes them completely and forwards them as JSON.\n\n"
               "commands:\n");
    for (i = 0; i < ef_commands_count; i++) {
        char left[160];

        snprintf(left, sizeof(left), "%s %s", ef_commands[i].name, ef_commands[i].args);
        /* A long synopsis gets its own line, so the summaries stay aligned. */
        if (strlen(left) > 28)
            fprintf(f, "  %s\n  %-28s %s\n", left, "", ef_commands[i].summary);
        else
            fprintf(f, "  %-28s %s\n", left, ef_commands[i].summary);
    }
    fprintf(f, "\n'etwfwd <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    const char *name;
    unsigned i;

    if (argc < 2) {
        ef_cli_usage(stderr);
        return EF_EXIT_USAGE;
    }
    name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        ef_cli_usage(stdout);
        return EF_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0)
        name = "version";
    for (i = 0; i < ef_commands_count; i++) {
        if (strcmp(name, ef_commands[i].name) == 0)
            return ef_commands[i].run(argc - 1, argv + 1);
    }
    {
        const char *names[64], *s;

        for (i = 0; i < ef_commands_count && i < EF_ARRAY_LEN(names); i++)
            names[i] = ef_commands[i].name;
        s = ef_args_suggest(name, names, i);
        if (s)
            fprintf(stderr, "etwfwd: unknown command '%s' (did you mean %s?)\n\n", name, s);
        else
            fprintf(stderr, "etwfwd: unknown command '%s'\n\n", name);
    }
    ef_cli_usage(stderr);
    return EF_EXIT_USAGE;
}

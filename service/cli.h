/*
 * cli.h - the etwfwd command line: one table of subcommands.
 *
 * Each subcommand lives in its own cmd_*.c file and is listed once in
 * commands.c; main.c dispatches and prints the help from that table.
 */
#ifndef EF_SERVICE_CLI_H
#define EF_SERVICE_CLI_H

#include "cli_args.h"

#include <stddef.h>
#include <stdio.h>

/* Exit codes shared by every subcommand. */
enum {
    EF_EXIT_OK = 0,
    EF_EXIT_FAILURE = 1, /* the command ran and failed */
    EF_EXIT_USAGE = 2,   /* bad command line or invalid configuration */
};

struct ef_cmd {
    const char *name;
    const char *args;    /* argument synopsis for the help, "" if none */
    const char *summary; /* one line */
    /* argv[0] is the subcommand's name. Returns an EF_EXIT_* code. */
    int (*run)(int argc, char **argv);
};

extern const struct ef_cmd ef_commands[];

/* Each subcommand's options (cli_args.h), defined beside it in its cmd_*.c or svc_cmd.c. */
extern const struct ef_cmd_spec ef_spec_run, ef_spec_reload, ef_spec_validate, ef_spec_config,
    ef_spec_replay, ef_spec_inspect, ef_spec_spool, ef_spec_providers, ef_spec_sessions,
    ef_spec_selftest, ef_spec_install, ef_spec_uninstall, ef_spec_start, ef_spec_stop,
    ef_spec_status, ef_spec_service, ef_spec_version;
extern const unsigned ef_commands_count;

int ef_cmd_version(int argc, char **argv);
int ef_cmd_replay(int argc, char **argv);
int ef_cmd_inspect(int argc, char **argv);
int ef_cmd_spool(int argc, char **argv);
int ef_cmd_validate(int argc, char **argv);
int ef_cmd_config(int argc, char **argv);
int ef_cmd_run(int argc, char **argv);
int ef_cmd_reload(int argc, char **argv);
int ef_cmd_providers(int argc, char **argv);
int ef_cmd_sessions(int argc, char **argv);
int ef_cmd_selftest(int argc, char **argv);
/* The Windows service (svc_cmd.c; Windows-only, exit 2 elsewhere). */
int ef_cmd_install(int argc, char **argv);
int ef_cmd_uninstall(int argc, char **argv);
int ef_cmd_start(int argc, char **argv);
int ef_cmd_stop(int argc, char **argv);
int ef_cmd_status(int argc, char **argv);
int ef_cmd_service(int argc, char **argv);

/*
 * Runs the pipeline of configuration file conf until it stops (cmd_run.c);
 * with replay_file, that trace replaces the configured sessions (`replay
 * FILE -c CONF`). Returns an EF_EXIT_* code.
 */
int ef_run_config(const char *conf, int follow, const char *replay_file,
                  const char *const *manifests, size_t n_manifests, const char *const *mofs,
                  size_t n_mofs);

/* Prints the usage text to f. */
void ef_cli_usage(FILE *f);

#endif

/*
 * cli_trace.h - what every command that reads a trace file says the same
 * way: why a path is not a trace (with its exit code), and where a trace is
 * damaged.
 */
#ifndef EF_SERVICE_CLI_TRACE_H
#define EF_SERVICE_CLI_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "etl/etl.h"

/*
 * The exit code for a trace that could not be opened (rc from
 * ef_etl_open_file or ef_tracefile_open): EF_EXIT_USAGE when the path is
 * not an .etl file (a directory, empty, no log file header), EF_EXIT_FAILURE
 * otherwise (missing, unreadable).
 */
int ef_cli_open_exit(int rc);

/*
 * Prints each kept read error as "PREFIXoffset 0x..., buffer N: reason",
 * and how many more there were of total.
 */
void ef_cli_print_etl_errors(FILE *f, const char *prefix, const struct ef_etl_error *e, unsigned n,
                             uint64_t total);

#endif

/*
 * cli_trace.c - trace-file messages shared by replay and inspect.
 */
#include "cli_trace.h"

#include "cli.h"
#include "util/error.h"

int ef_cli_open_exit(int rc)
{
    return rc == EF_EFORMAT || rc == EF_EISDIR ? EF_EXIT_USAGE : EF_EXIT_FAILURE;
}

void ef_cli_print_etl_errors(FILE *f, const char *prefix, const struct ef_etl_error *e, unsigned n,
                             uint64_t total)
{
    unsigned i;

    for (i = 0; i < n; i++)
        fprintf(f, "%soffset 0x%llx, buffer %ld: %s\n", prefix, (unsigned long long)e[i].offset,
                e[i].buffer == UINT32_MAX ? -1L : (long)e[i].buffer, e[i].reason);
    if (total > n)
        fprintf(f, "%s... %llu more\n", prefix, (unsigned long long)(total - n));
}

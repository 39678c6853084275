/*
 * cli_json.h - the small yajl helpers the --json forms of the subcommands
 * share (inspect, providers, sessions).
 */
#ifndef EF_SERVICE_CLI_JSON_H
#define EF_SERVICE_CLI_JSON_H

#include <yajl/yajl_gen.h>

/* A NUL-terminated string. */
void ef_cli_gen_str(yajl_gen g, const char *s);
/* "key": "value" inside a map. */
void ef_cli_gen_kv(yajl_gen g, const char *key, const char *value);
/* "key": number inside a map. */
void ef_cli_gen_int(yajl_gen g, const char *key, long long value);
/* Writes what g generated to stdout with a newline, and frees g. */
void ef_cli_gen_print(yajl_gen g);

#endif

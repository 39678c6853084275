/*
 * cli_json.c - the yajl helpers of the subcommands' --json forms.
 */
#include "cli_json.h"

#include <stdio.h>
#include <string.h>

void ef_cli_gen_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void ef_cli_gen_kv(yajl_gen g, const char *key, const char *value)
{
    ef_cli_gen_str(g, key);
    ef_cli_gen_str(g, value);
}

void ef_cli_gen_int(yajl_gen g, const char *key, long long value)
{
    ef_cli_gen_str(g, key);
    yajl_gen_integer(g, value);
}

void ef_cli_gen_print(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;

    yajl_gen_get_buf(g, &buf, &len);
    fwrite(buf, 1, len, stdout);
    fputc('\n', stdout);
    yajl_gen_free(g);
}

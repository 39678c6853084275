/*
 * cmd_providers.c - `etwfwd providers [FILTER] [--json]`: the manifest and
 * MOF providers registered on this machine, as TdhEnumerateProviders lists
 * them (the list a live session resolves provider names against).
 *
 * FILTER keeps the providers whose name or GUID contains it, ignoring case.
 * The --json form is a stable contract:
 *   {"providers":[{"name":"...","guid":"{...}","schema":"manifest|mof|unknown"}]}
 * sorted by name. TraceLogging and EventSource providers are never listed:
 * they are not registered (their GUID is the hash of their name).
 * Exit codes: 0 listed (possibly none matched), 1 the enumeration failed
 * (under Wine, whose TdhEnumerateProviders is a stub that raises an
 * exception: caught, see core/etw/providers_win.c), 2 usage error or not
 * Windows.
 */
#include "cli.h"
#include "cli_json.h"

#include <stdio.h>
#include <string.h>

#ifdef _WIN32

#include "etw/etw_api.h"
#include "etw/providers.h"
#include "util/error.h"

#include <ctype.h>
#include <stdlib.h>
#include <strings.h>
#include <yajl/yajl_gen.h>

/* Whether hay contains needle, ignoring ASCII case (an empty needle matches). */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;

    for (; *hay; hay++) {
        for (i = 0; i < n && hay[i]; i++) {
            if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i]))
                break;
        }
        if (i == n)
            return 1;
    }
    return n == 0;
}

static int cmp_name(const void *a, const void *b)
{
    const struct ef_etw_provider *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);

    return c ? c : strcmp(x->name, y->name);
}

static int print_list(const struct ef_etw_provider_list *l, const char *filter, int json)
{
    yajl_gen g = NULL;
    char guid[EF_GUID_STR_SIZE];
    size_t i, shown = 0;

    if (json) {
        g = yajl_gen_alloc(NULL);
        if (!g)
            return EF_ENOMEM;
        yajl_gen_map_open(g);
        ef_cli_gen_str(g, "providers");
        yajl_gen_array_open(g);
    }
    for (i = 0; i < l->n; i++) {
        const struct ef_etw_provider *p = &l->v[i];

        ef_guid_format(&p->guid, guid);
        if (filter && !contains_nocase(p->name, filter) && !contains_nocase(guid, filter))
            continue;
        shown++;
        if (g) {
            yajl_gen_map_open(g);
            ef_cli_gen_kv(g, "name", p->name);
            ef_cli_gen_kv(g, "guid", guid);
            ef_cli_gen_kv(g, "schema", ef_etw_schema_source_name(p->schema_source));
            yajl_gen_map_close(g);
        } else {
            printf("%-60s %s %s\n", p->name, guid, ef_etw_schema_source_name(p->schema_source));
        }
    }
    if (g) {
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        ef_cli_gen_print(g);
    } else {
        fprintf(stderr, "%zu of %zu registered providers%s%s%s\n", shown, l->n,
                filter ? " match \"" : "", filter ? filter : "", filter ? "\"" : "");
    }
    return 0;
}

static int list_providers(const char *filter, int json)
{
    struct ef_etw_api api;
    struct ef_etw_provider_list l = {0};
    char err[256];
    int rc;

    if ((rc = ef_etw_api_real(&api)) < 0) {
        fprintf(stderr, "etwfwd providers: tdh.dll is missing a call: %s\n", ef_strerror(rc));
        return EF_EXIT_FAILURE;
    }
    if ((rc = ef_etw_providers_enumerate(&api, &l, err, sizeof(err))) < 0) {
        fprintf(stderr, "etwfwd providers: cannot list the registered providers: %s (%s)\n",
                err[0] ? err : ef_strerror(rc), ef_errname(rc));
        return EF_EXIT_FAILURE;
    }
    qsort(l.v, l.n, sizeof(*l.v), cmp_name);
    rc = print_list(&l, filter, json);
    ef_etw_providers_free(&l);
    return rc < 0 ? EF_EXIT_FAILURE : EF_EXIT_OK;
}

#endif /* _WIN32 */

static const struct ef_opt providers_opts[] = {
    {"--json", NULL, NULL, NULL, 0,
     "Prints the list as one JSON object: {\"providers\":[{\"name\",\"guid\",\"schema\"}]}."},
};

const struct ef_cmd_spec ef_spec_providers = {
    "providers",
    "[FILTER]",
    0,
    1,
    NULL,
    "Lists the manifest and MOF providers registered on this machine (name, GUID, schema\n"
    "source), those whose name or GUID contains FILTER if given (ignoring case).\n"
    "TraceLogging and EventSource providers are not registered, so they are never listed.\n"
    "Windows only.",
    providers_opts,
    EF_ARRAY_LEN(providers_opts),
    0};

int ef_cmd_providers(int argc, char **argv)
{
    struct ef_args a;
    const char *filter;
    int json, rc = ef_args_parse(&ef_spec_providers, argc, argv, &a);

    filter = a.npos ? a.pos[0] : NULL;
    json = a.count[0] > 0;
    ef_args_free(&a);
    if (rc >= 0)
        return rc;
#ifdef _WIN32
    return list_providers(filter, json);
#else
    (void)json;
    (void)filter;
    fprintf(stderr, "etwfwd providers: needs Windows (it lists the providers TdhEnumerateProviders "
                    "finds registered on a Windows machine)\n");
    return EF_EXIT_USAGE;
#endif
}

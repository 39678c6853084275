/*
 * summary.c - what `etwfwd validate` prints for a valid file.
 *
 * Every section with every option that applies to it, defaults included, in
 * the table's order and canonical units, then each session's providers as
 * they will be enabled. The format is documented in docs/config.md and kept
 * stable: tests compare it byte for byte. Secrets print as ***.
 */
#include "internal.h"
#include "values.h"

#include <string.h>

static void print_rows(FILE *f, int sec, const void *obj, int variant)
{
    const struct ef_option *opts;
    struct ef_buf b;
    size_t n, i;

    opts = ef_config_options(&n);
    ef_buf_init(&b, 1 << 20);
    for (i = 0; i < n; i++) {
        const struct ef_option *o = &opts[i];
        if (o->section != sec || o->type == EF_T_PROVIDER)
            continue;
        if (o->variants && (variant < 0 || !((o->variants >> variant) & 1)))
            continue;
        ef_buf_reset(&b);
        ef_cfg_format_value(o, obj, ", ", &b);
        fprintf(f, "  %s = %s\n", o->key, b.len ? b.data : "(none)");
    }
    ef_buf_free(&b);
}

static void print_provider(FILE *f, const struct ef_provider_cfg *p)
{
    static const char *const props[] = {"stack_trace", "sid", "ts_id", "process_start_key",
                                        "ignore_keyword_0"};
    const int on[] = {p->stack_trace, p->sid, p->ts_id, p->process_start_key, p->ignore_keyword_0};
    char g[EF_GUID_STR_SIZE];
    unsigned i, first = 1;

    ef_guid_format(&p->guid, g);
    fprintf(f, "  provider %s", p->name);
    if (p->guid_source == EF_GUID_UNRESOLVED)
        fprintf(f, " (GUID resolved later)");
    else if (strcmp(p->name, g) != 0)
        fprintf(f, " %s", g);
    fprintf(f, ": level=0x%02x any=0x%llx all=0x%llx ids=", p->level,
            (unsigned long long)p->match_any, (unsigned long long)p->match_all);
    if (p->event_ids.n == 0)
        fprintf(f, "all");
    for (i = 0; i < p->event_ids.n; i++)
        fprintf(f, "%s%s%lu", i ? "," : "", i == 0 && p->event_ids_exclude ? "not " : "",
                (unsigned long)p->event_ids.v[i]);
    if (p->pids.n)
        fprintf(f, " pids=");
    for (i = 0; i < p->pids.n; i++)
        fprintf(f, "%s%lu", i ? "," : "", (unsigned long)p->pids.v[i]);
    if (p->exe_names)
        fprintf(f, " exe=%s", p->exe_names);
    for (i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
        if (on[i]) {
            fprintf(f, "%s%s", first ? " properties=" : ",", props[i]);
            first = 0;
        }
    }
    if (p->rundown)
        fprintf(f, " rundown");
    if (p->section)
        fprintf(f, " from [provider:%s]", p->section);
    fprintf(f, "\n");
}

void ef_config_print_summary(const struct ef_config *cfg, const char *shown_path, FILE *f)
{
    size_t i, k;

    fprintf(f, "config %s: OK\n", shown_path ? shown_path : cfg->path);
    fprintf(f, "[service]\n");
    print_rows(f, EF_SEC_SERVICE, &cfg->service, -1);
    for (i = 0; i < cfg->n_sessions; i++) {
        const struct ef_session_cfg *s = cfg->sessions[i];
        fprintf(f, "[session:%s]\n", s->name);
        print_rows(f, EF_SEC_SESSION, s, s->kind);
        for (k = 0; k < s->providers.n; k++)
            print_provider(f, &s->providers.v[k]);
    }
    for (i = 0; i < cfg->n_sinks; i++) {
        fprintf(f, "[sink:%s]\n", cfg->sinks[i]->name);
        print_rows(f, EF_SEC_SINK, cfg->sinks[i], cfg->sinks[i]->type);
    }
    for (i = 0; i < cfg->n_routes; i++) {
        fprintf(f, "[route:%s]%s\n", cfg->routes[i]->name,
                cfg->routes[i]->implicit ? " (implicit: every session to every sink)" : "");
        print_rows(f, EF_SEC_ROUTE, cfg->routes[i], -1);
    }
}

/*
 * cmd_inspect.c - `etwfwd inspect FILE.etl [--json]`: what a trace file holds.
 *
 * Reads every record with the portable reader and prints the log file header,
 * the number of events per provider and event id (per event type and version
 * for classic and kernel records), and the read errors. The --json form is a
 * stable contract:
 *   {"header":{...},"events":N,"errors":N,
 *    "providers":[{"guid":"{...}","kind":"manifest|tracelogging|classic|kernel|wpp",
 *                  "events":N,"ids":{"ID":N}}]}
 * Exit codes: 0 read without errors, 1 read with errors (the report is still
 * complete), 2 usage error or not an .etl file.
 */
#include "cli.h"
#include "cli_json.h"
#include "cli_trace.h"

#include "etl/etl.h"
#include "util/error.h"
#include "util/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

struct idcount {
    uint32_t key;
    uint64_t n;
};

struct prov {
    struct ef_guid guid;
    const char *kind;
    uint64_t events;
    struct idcount *ids;
    size_t nids, capids;
};

struct tally {
    struct prov *p;
    size_t n, cap;
};

/* Kernel and classic records are counted per type and version; a kernel
   group without a GUID of its own (kept in task) is part of the key. */
#define KEY_TYPED 0x80000000u

static const char *kind_of(const struct ef_record *rec)
{
    switch (rec->kind) {
    case EF_REC_EVENT:
        return ef_record_ext(rec, EF_EXT_EVENT_SCHEMA_TL) ? "tracelogging" : "manifest";
    case EF_REC_CLASSIC:
    case EF_REC_INSTANCE:
        return "classic";
    case EF_REC_WPP:
        return "wpp";
    default:
        return "kernel";
    }
}

static uint32_t key_of(const struct ef_record *rec)
{
    if (rec->kind == EF_REC_EVENT || rec->kind == EF_REC_WPP)
        return rec->id;
    return KEY_TYPED | ((uint32_t)(rec->task & 0xFF) << 16) | ((uint32_t)rec->opcode << 8) |
           rec->version;
}

static void key_text(const struct prov *p, uint32_t key, char *out, size_t cap)
{
    (void)p;
    if (!(key & KEY_TYPED))
        snprintf(out, cap, "%u", (unsigned)key);
    else if ((key >> 16) & 0xFF)
        snprintf(out, cap, "%u:%u/%u", (unsigned)((key >> 16) & 0xFF),
                 (unsigned)((key >> 8) & 0xFF), (unsigned)(key & 0xFF));
    else
        snprintf(out, cap, "%u/%u", (unsigned)((key >> 8) & 0xFF), (unsigned)(key & 0xFF));
}

static int count(struct tally *t, const struct ef_record *rec)
{
    const char *kind = kind_of(rec);
    uint32_t key = key_of(rec);
    struct prov *p = NULL;
    size_t i;

    for (i = 0; i < t->n; i++) {
        if (t->p[i].kind == kind && ef_guid_equal(&t->p[i].guid, &rec->provider)) {
            p = &t->p[i];
            break;
        }
    }
    if (!p) {
        if (t->n == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 16;
            struct prov *n = realloc(t->p, cap * sizeof(*n));

            if (!n)
                return EF_ENOMEM;
            t->p = n;
            t->cap = cap;
        }
        p = &t->p[t->n++];
        memset(p, 0, sizeof(*p));
        p->guid = rec->provider;
        p->kind = kind;
    }
    p->events++;
    for (i = 0; i < p->nids; i++) {
        if (p->ids[i].key == key) {
            p->ids[i].n++;
            return 0;
        }
    }
    if (p->nids == p->capids) {
        size_t cap = p->capids ? p->capids * 2 : 8;
        struct idcount *n = realloc(p->ids, cap * sizeof(*n));

        if (!n)
            return EF_ENOMEM;
        p->ids = n;
        p->capids = cap;
    }
    p->ids[p->nids].key = key;
    p->ids[p->nids].n = 1;
    p->nids++;
    return 0;
}

static int cmp_prov(const void *a, const void *b)
{
    const struct prov *x = a, *y = b;
    char gx[EF_GUID_STR_SIZE], gy[EF_GUID_STR_SIZE];
    int c;

    ef_guid_format(&x->guid, gx);
    ef_guid_format(&y->guid, gy);
    c = strcmp(gx, gy);
    return c ? c : strcmp(x->kind, y->kind);
}

static int cmp_id(const void *a, const void *b)
{
    const struct idcount *x = a, *y = b;

    return x->key < y->key ? -1 : x->key > y->key;
}

static void sort_tally(struct tally *t)
{
    size_t i;

    qsort(t->p, t->n, sizeof(*t->p), cmp_prov);
    for (i = 0; i < t->n; i++)
        qsort(t->p[i].ids, t->p[i].nids, sizeof(*t->p[i].ids), cmp_id);
}

static void print_errors(FILE *f, struct ef_etl_reader *r)
{
    const struct ef_etl_error *e;
    unsigned n;

    e = ef_etl_errors(r, &n);
    ef_cli_print_etl_errors(f, "error: ", e, n, ef_etl_stats(r)->errors);
}

static void print_text(const char *path, struct ef_etl_reader *r, const struct tally *t)
{
    const struct ef_etl_header *h = ef_etl_header(r);
    const struct ef_etl_stats *st = ef_etl_stats(r);
    char start[EF_TIME_STR_SIZE], end[EF_TIME_STR_SIZE], g[EF_GUID_STR_SIZE], k[32];
    size_t i, j;

    ef_filetime_format(h->start_time, start);
    ef_filetime_format(h->end_time, end);
    printf("file:          %s\n", path);
    printf("os:            %u.%u build %u\n", h->major_version, h->minor_version, h->build);
    printf("pointer size:  %u\n", h->pointer_size);
    printf("cpus:          %u\n", h->cpus);
    printf("clock:         %s (PerfFreq %lld)\n", ef_etl_clock_name(h->clock_type),
           (long long)h->perf_freq);
    printf("start:         %s\n", start);
    printf("end:           %s\n", end);
    printf("events lost:   %u\n", h->events_lost);
    printf("buffers lost:  %u\n", h->buffers_lost);
    printf("compressed:    %s\n", h->compressed ? "yes" : "no");
    printf("buffer size:   %u\n", h->buffer_size);
    printf("buffers:       %llu (%llu compressed)\n", (unsigned long long)st->buffers,
           (unsigned long long)st->buffers_compressed);
    printf("logger:        %s\n", h->logger_name);
    printf("log file:      %s\n", h->log_file_name);
    printf("events:        %llu\n", (unsigned long long)st->records);
    printf("errors:        %llu\n", (unsigned long long)st->errors);
    for (i = 0; i < t->n; i++) {
        ef_guid_format(&t->p[i].guid, g);
        printf("\n%s %s: %llu\n", g, t->p[i].kind, (unsigned long long)t->p[i].events);
        for (j = 0; j < t->p[i].nids; j++) {
            key_text(&t->p[i], t->p[i].ids[j].key, k, sizeof(k));
            printf("  %-12s %llu\n", k, (unsigned long long)t->p[i].ids[j].n);
        }
    }
    if (st->errors) {
        printf("\n");
        print_errors(stdout, r);
    }
}

static void gen_header(yajl_gen g, struct ef_etl_reader *r)
{
    const struct ef_etl_header *h = ef_etl_header(r);
    char s[EF_TIME_STR_SIZE], v[32];

    yajl_gen_map_open(g);
    snprintf(v, sizeof(v), "%u.%u", h->major_version, h->minor_version);
    ef_cli_gen_kv(g, "os_version", v);
    ef_cli_gen_int(g, "build", h->build);
    ef_cli_gen_int(g, "pointer_size", h->pointer_size);
    ef_cli_gen_int(g, "cpus", h->cpus);
    ef_cli_gen_kv(g, "clock", ef_etl_clock_name(h->clock_type));
    ef_cli_gen_int(g, "perf_freq", h->perf_freq);
    ef_filetime_format(h->start_time, s);
    ef_cli_gen_kv(g, "start", s);
    ef_filetime_format(h->end_time, s);
    ef_cli_gen_kv(g, "end", s);
    ef_cli_gen_int(g, "start_filetime", (long long)h->start_time);
    ef_cli_gen_int(g, "end_filetime", (long long)h->end_time);
    ef_cli_gen_int(g, "events_lost", h->events_lost);
    ef_cli_gen_int(g, "buffers_lost", h->buffers_lost);
    ef_cli_gen_str(g, "compressed");
    yajl_gen_bool(g, h->compressed);
    ef_cli_gen_int(g, "buffer_size", h->buffer_size);
    ef_cli_gen_int(g, "buffers", (long long)ef_etl_stats(r)->buffers);
    snprintf(v, sizeof(v), "0x%08x", h->log_file_mode);
    ef_cli_gen_kv(g, "log_file_mode", v);
    ef_cli_gen_kv(g, "logger_name", h->logger_name);
    ef_cli_gen_kv(g, "log_file_name", h->log_file_name);
    yajl_gen_map_close(g);
}

static int print_json(struct ef_etl_reader *r, const struct tally *t)
{
    const struct ef_etl_stats *st = ef_etl_stats(r);
    yajl_gen g = yajl_gen_alloc(NULL);
    char s[EF_GUID_STR_SIZE], k[32];
    size_t i, j;

    if (!g)
        return EF_ENOMEM;
    yajl_gen_map_open(g);
    ef_cli_gen_str(g, "header");
    gen_header(g, r);
    ef_cli_gen_int(g, "events", (long long)st->records);
    ef_cli_gen_int(g, "errors", (long long)st->errors);
    ef_cli_gen_str(g, "providers");
    yajl_gen_array_open(g);
    for (i = 0; i < t->n; i++) {
        yajl_gen_map_open(g);
        ef_guid_format(&t->p[i].guid, s);
        ef_cli_gen_kv(g, "guid", s);
        ef_cli_gen_kv(g, "kind", t->p[i].kind);
        ef_cli_gen_int(g, "events", (long long)t->p[i].events);
        ef_cli_gen_str(g, "ids");
        yajl_gen_map_open(g);
        for (j = 0; j < t->p[i].nids; j++) {
            key_text(&t->p[i], t->p[i].ids[j].key, k, sizeof(k));
            ef_cli_gen_int(g, k, (long long)t->p[i].ids[j].n);
        }
        yajl_gen_map_close(g);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    ef_cli_gen_print(g);
    return 0;
}

static const struct ef_opt inspect_opts[] = {
    {"--json", NULL, NULL, NULL, 0, "Prints the report as one JSON object instead of text."},
};

const struct ef_cmd_spec ef_spec_inspect = {
    "inspect",
    "FILE.etl",
    1,
    1,
    "missing FILE.etl",
    "Reads every record of a trace file and prints its header, the events per provider\n"
    "and event id, and the read errors.",
    inspect_opts,
    EF_ARRAY_LEN(inspect_opts),
    0};

int ef_cmd_inspect(int argc, char **argv)
{
    struct ef_etl_reader *r = NULL;
    const struct ef_record *rec;
    struct tally t = {0};
    struct ef_args a;
    const char *path;
    int json, rc, exit_code = EF_EXIT_FAILURE;
    size_t j;

    rc = ef_args_parse(&ef_spec_inspect, argc, argv, &a);
    path = a.pos ? a.pos[0] : NULL;
    json = a.count[0] > 0;
    ef_args_free(&a);
    if (rc >= 0)
        return rc;
    rc = ef_etl_open_file(path, NULL, &r);
    if (rc < 0) {
        char msg[4200];

        ef_etl_open_message(path, rc, msg, sizeof(msg));
        fprintf(stderr, "etwfwd inspect: %s\n", msg);
        return ef_cli_open_exit(rc);
    }
    while ((rc = ef_etl_next(r, &rec)) == 1) {
        if (count(&t, rec) < 0) {
            rc = EF_ENOMEM;
            break;
        }
    }
    if (rc < 0) {
        fprintf(stderr, "etwfwd inspect: %s: %s\n", path, ef_strerror(rc));
        goto out;
    }
    sort_tally(&t);
    if (json) {
        if (print_json(r, &t) < 0)
            goto out;
        print_errors(stderr, r);
    } else {
        print_text(path, r, &t);
    }
    exit_code = ef_etl_stats(r)->errors ? EF_EXIT_FAILURE : EF_EXIT_OK;
out:
    for (j = 0; j < t.n; j++)
        free(t.p[j].ids);
    free(t.p);
    ef_etl_close(r);
    return exit_code;
}

/*
 * cmd_replay.c - `etwfwd replay FILE.etl [--manifest PATH]... [--mof PATH]...
 * [--format native|ecs] [--int64-strings] [-c CONF]`.
 *
 * Reads a trace through runner/tracefile.h (the portable reader and the
 * schema sources in DESIGN.md's order: TraceLogging metadata, manifests,
 * EventSource manifests sent in the trace, schemas embedded in the trace,
 * kernel MOF; the same code path as `etwfwd run`'s file sources) and
 * writes one JSON object per line to stdout: a stable contract for users
 * and tests. A summary goes to
 * stderr: events, decoded, no schema, decode errors, and the same per
 * provider. Exit 0 when the file was read to its end (events that could not
 * be decoded are output and counted, not failures), 1 when it could not be
 * read, 2 for a bad command line or a schema file that does not load.
 */
#include "cli.h"

#include "render/render.h"
#include "runner/tracefile.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROVIDERS 512
/* The longest line replay prints, newline included. */
#define MAX_LINE (16u << 20)

struct provider_count {
    struct ef_guid guid;
    const char *name; /* from a schema; schema memory lives as long as the decoder */
    uint64_t events, decoded, no_schema, errors;
};

struct replay {
    struct provider_count prov[MAX_PROVIDERS];
    unsigned nprov;
    uint64_t other; /* events of providers past MAX_PROVIDERS */
};

static void usage(FILE *f)
{
    fprintf(f, "usage: etwfwd replay FILE.etl [--manifest FILE|DIR]... [--mof FILE]...\n"
               "                     [--format native|ecs] [--int64-strings]\n"
               "       etwfwd replay FILE.etl -c CONF [--manifest FILE|DIR]... [--mof FILE]...\n"
               "                     (through CONF's spool and sinks instead of stdout)\n");
}

/* The tracefile's on_event: every decoded record, before it is rendered. */
static void count(void *ud, const struct ef_event *ev, int rc)
{
    struct replay *rp = ud;
    struct provider_count *p = NULL;
    unsigned i;

    for (i = 0; i < rp->nprov; i++) {
        if (ef_guid_equal(&rp->prov[i].guid, &ev->rec->provider)) {
            p = &rp->prov[i];
            break;
        }
    }
    if (!p) {
        if (rp->nprov == MAX_PROVIDERS) {
            rp->other++;
            return;
        }
        p = &rp->prov[rp->nprov++];
        memset(p, 0, sizeof(*p));
        p->guid = ev->rec->provider;
    }
    if (!p->name && ev->schema && ev->schema->provider)
        p->name = ev->schema->provider->name;
    p->events++;
    if (ev->flags & EF_EVT_NO_SCHEMA)
        p->no_schema++;
    else if (rc < 0)
        p->errors++;
    else
        p->decoded++;
}

static void summary(const struct replay *rp, const struct ef_tracefile *tf)
{
    const struct ef_etl_stats *es = ef_tracefile_etl_stats(tf);
    struct ef_decoder_stats st;
    char g[EF_GUID_STR_SIZE];
    unsigned i;

    ef_tracefile_decoder_stats(tf, &st);
    fprintf(stderr,
            "replay: %llu events, %llu decoded, %llu no schema, %llu decode errors, "
            "%llu bad schemas; %llu reader errors\n",
            (unsigned long long)st.events, (unsigned long long)st.decoded,
            (unsigned long long)st.no_schema, (unsigned long long)st.decode_errors,
            (unsigned long long)st.bad_schema, (unsigned long long)es->errors);
    fprintf(stderr,
            "replay: plan cache %llu hits, %llu misses, %llu evictions; %llu schema records\n",
            (unsigned long long)st.cache.hits, (unsigned long long)st.cache.misses,
            (unsigned long long)st.cache.evictions, (unsigned long long)st.schema_records);
    for (i = 0; i < rp->nprov; i++) {
        const struct provider_count *p = &rp->prov[i];

        ef_guid_format(&p->guid, g);
        fprintf(stderr, "provider %s %s: %llu events, %llu decoded, %llu no schema, %llu errors\n",
                g, p->name ? p->name : "-", (unsigned long long)p->events,
                (unsigned long long)p->decoded, (unsigned long long)p->no_schema,
                (unsigned long long)p->errors);
    }
    if (rp->other)
        fprintf(stderr, "provider (others): %llu events\n", (unsigned long long)rp->other);
}

/* Collects the --manifest and --mof paths (argv outlives them). Returns 0 or EF_ENOMEM. */
static int schema_paths(int argc, char **argv, struct ef_tracefile_opts *to)
{
    const char **man, **mof;
    int i;

    man = calloc((size_t)argc, sizeof(*man));
    mof = calloc((size_t)argc, sizeof(*mof));
    to->manifests = man;
    to->mofs = mof;
    if (!man || !mof)
        return EF_ENOMEM;
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--manifest") == 0 && i + 1 < argc)
            man[to->n_manifests++] = argv[++i];
        else if (strcmp(argv[i], "--mof") == 0 && i + 1 < argc)
            mof[to->n_mofs++] = argv[++i];
    }
    return 0;
}

static int parse_args(int argc, char **argv, struct ef_render_opts *ro)
{
    int i;

    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            usage(stdout);
            return 1;
        }
        usage(stderr);
        return EF_EINVAL;
    }
    for (i = 2; i < argc; i++) {
        if ((strcmp(argv[i], "--manifest") == 0 || strcmp(argv[i], "--mof") == 0) && i + 1 < argc) {
            i++;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (ef_render_parse_format(argv[++i], &ro->format) < 0) {
                fprintf(stderr, "etwfwd replay: unknown format '%s' (native, ecs)\n", argv[i]);
                return EF_EINVAL;
            }
        } else if (strcmp(argv[i], "--int64-strings") == 0) {
            ro->int64_as_string = 1;
        } else {
            fprintf(stderr, "etwfwd replay: unexpected argument '%s'\n", argv[i]);
            usage(stderr);
            return EF_EINVAL;
        }
    }
    return 0;
}

/*
 * `replay FILE.etl -c CONF [--manifest P]... [--mof P]...`: the trace goes
 * through CONF's pipeline (spool and sinks) instead of stdout (cmd_run.c).
 */
static int replay_through_pipeline(int argc, char **argv, int *exit_code)
{
    const char *conf = NULL, **man, **mof;
    size_t nman = 0, nmof = 0;
    int i;

    for (i = 2; i < argc; i++)
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            conf = argv[i + 1];
    if (!conf || argc < 2 || argv[1][0] == '-')
        return 0;
    man = calloc((size_t)argc, sizeof(*man));
    mof = calloc((size_t)argc, sizeof(*mof));
    *exit_code = EF_EXIT_FAILURE;
    if (man && mof) {
        for (i = 2; i < argc; i++) {
            if (strcmp(argv[i], "--manifest") == 0 && i + 1 < argc)
                man[nman++] = argv[++i];
            else if (strcmp(argv[i], "--mof") == 0 && i + 1 < argc)
                mof[nmof++] = argv[++i];
            else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
                i++;
            else {
                fprintf(stderr,
                        "etwfwd replay: with -c, only --manifest and --mof may follow "
                        "(format options come from the configuration): '%s'\n",
                        argv[i]);
                *exit_code = EF_EXIT_USAGE;
                goto out;
            }
        }
        *exit_code = ef_run_config(conf, 0, argv[1], man, nman, mof, nmof);
    }
out:
    free(man);
    free(mof);
    return 1;
}

int ef_cmd_replay(int argc, char **argv)
{
    struct ef_tracefile_opts to = {NULL,  0,   NULL, 0, {EF_RENDER_NATIVE, 0, NULL, NULL},
                                   count, NULL};
    struct ef_tracefile_error terr;
    struct ef_tracefile_stats st;
    struct ef_tracefile *tf = NULL;
    struct replay *rp = NULL;
    struct ef_buf out;
    uint64_t ts, render_errors = 0;
    int rc, exit_code = EF_EXIT_FAILURE;

    if (replay_through_pipeline(argc, argv, &exit_code))
        return exit_code;
    ef_buf_init(&out, MAX_LINE);
    rc = parse_args(argc, argv, &to.render);
    if (rc != 0) {
        exit_code = rc > 0 ? EF_EXIT_OK : EF_EXIT_USAGE;
        goto out;
    }
    rp = calloc(1, sizeof(*rp));
    if (!rp || schema_paths(argc, argv, &to) < 0) {
        fprintf(stderr, "etwfwd replay: out of memory\n");
        goto out;
    }
    to.ud = rp;
    rc = ef_tracefile_open(argv[1], &to, &tf, &terr);
    if (rc < 0) {
        fprintf(stderr, "etwfwd replay: %s\n", terr.msg);
        exit_code = terr.schemas ? EF_EXIT_USAGE : EF_EXIT_FAILURE;
        goto out;
    }
    while ((rc = ef_tracefile_next(tf, &out, &ts)) == 1) {
        ef_tracefile_get_stats(tf, &st);
        /* The tracefile skipped events that did not fit; say so for each. */
        for (; render_errors < st.render_errors; render_errors++)
            fprintf(stderr, "etwfwd replay: an event does not fit the output buffer\n");
        if (ef_buf_append_byte(&out, '\n') < 0) {
            fprintf(stderr, "etwfwd replay: an event does not fit the output buffer\n");
            continue;
        }
        fwrite(out.data, 1, out.len, stdout);
    }
    fflush(stdout);
    if (rc < 0) {
        fprintf(stderr, "etwfwd replay: %s: %s\n", argv[1], ef_strerror(rc));
        goto out;
    }
    ef_tracefile_get_stats(tf, &st);
    for (; render_errors < st.render_errors; render_errors++)
        fprintf(stderr, "etwfwd replay: an event does not fit the output buffer\n");
    summary(rp, tf);
    exit_code = EF_EXIT_OK;
out:
    ef_tracefile_close(tf);
    free(rp);
    free((void *)to.manifests);
    free((void *)to.mofs);
    ef_buf_free(&out);
    return exit_code;
}

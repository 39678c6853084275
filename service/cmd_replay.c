/*
 * cmd_replay.c - `etwfwd replay FILE.etl [--manifest PATH]... [--mof PATH]...
 * [--format native|ecs] [--int64-strings] [-c CONF]`.
 *
 * Reads a trace with the portable reader, decodes every record with the
 * schema sources in DESIGN.md's order (TraceLogging metadata, manifests,
 * EventSource manifests sent in the trace, schemas embedded in the trace,
 * kernel MOF) and writes one JSON object per
 * line to stdout: a stable contract for users and tests. A summary goes to
 * stderr: events, decoded, no schema, decode errors, and the same per
 * provider. Exit 0 when the file was read to its end (events that could not
 * be decoded are output and counted, not failures), 1 when it could not be
 * read, 2 for a bad command line or a schema file that does not load.
 */
#include "cli.h"

#include "decode/decoder.h"
#include "decode/embedded.h"
#include "decode/eventsource.h"
#include "decode/manifest.h"
#include "decode/mof.h"
#include "decode/tlg_source.h"
#include "etl/etl.h"
#include "render/render.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_PROVIDERS 512

struct provider_count {
    struct ef_guid guid;
    const char *name; /* from a schema; schema memory lives as long as the decoder */
    uint64_t events, decoded, no_schema, errors;
};

struct replay {
    struct ef_decoder *dec;
    struct ef_renderer *ren;
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

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void count(struct replay *rp, const struct ef_event *ev, int rc)
{
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

static void summary(const struct replay *rp, const struct ef_etl_stats *es)
{
    struct ef_decoder_stats st;
    char g[EF_GUID_STR_SIZE];
    unsigned i;

    ef_decoder_stats(rp->dec, &st);
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

/* Adds a source; the decoder owns it from then on. */
static int add(struct replay *rp, int rc, struct ef_schema_source src, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "etwfwd replay: %s: %s\n", what, ef_strerror(rc));
        return rc;
    }
    return ef_decoder_add_source(rp->dec, src);
}

static int load_sources(struct replay *rp, int argc, char **argv)
{
    struct ef_schema_source tl, man, es, emb, mof;
    struct ef_buf err;
    int i, rc;

    ef_buf_init(&err, 64 * 1024);
    rc = add(rp, ef_tlg_source_create(0, &tl), tl, "TraceLogging source");
    if (rc == 0 && (rc = ef_manifest_source_new(&man)) == 0) {
        for (i = 2; i < argc && rc == 0; i++) {
            if (strcmp(argv[i], "--manifest") == 0 && i + 1 < argc) {
                const char *path = argv[++i];

                rc = is_dir(path) ? ef_manifest_source_add_dir(man.ctx, path, &err)
                                  : ef_manifest_source_add_file(man.ctx, path, &err);
            }
        }
        if (rc < 0)
            man.ops->destroy(man.ctx);
        else
            rc = add(rp, 0, man, "manifest source");
    }
    /* EventSource manifests in the trace: after --manifest files, which win. */
    if (rc == 0)
        rc = add(rp, ef_es_source_create(NULL, &es), es, "EventSource source");
    if (rc == 0)
        rc = add(rp, ef_embedded_source_create(0, &emb), emb, "embedded source");
    if (rc == 0 && (rc = ef_mof_source_new(&mof)) == 0) {
        for (i = 2; i < argc && rc == 0; i++) {
            if (strcmp(argv[i], "--mof") == 0 && i + 1 < argc)
                rc = ef_mof_source_add_file(mof.ctx, argv[++i], &err);
        }
        if (rc < 0)
            mof.ops->destroy(mof.ctx);
        else
            rc = add(rp, 0, mof, "MOF source");
    }
    if (rc < 0 && err.len)
        fprintf(stderr, "etwfwd replay: %s%s", err.data, err.data[err.len - 1] == '\n' ? "" : "\n");
    else if (rc < 0)
        fprintf(stderr, "etwfwd replay: loading schemas: %s\n", ef_strerror(rc));
    ef_buf_free(&err);
    return rc;
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
                fprintf(stderr, "etwfwd replay: with -c, only --manifest and --mof may follow "
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
    struct ef_render_opts ro = {EF_RENDER_NATIVE, 0, NULL, NULL};
    struct ef_etl_reader *rd = NULL;
    struct replay *rp = NULL;
    const struct ef_record *rec;
    struct ef_event ev;
    struct ef_buf out;
    int rc, exit_code = EF_EXIT_FAILURE;

    if (replay_through_pipeline(argc, argv, &exit_code))
        return exit_code;
    ef_buf_init(&out, 16u << 20);
    rc = parse_args(argc, argv, &ro);
    if (rc != 0) {
        exit_code = rc > 0 ? EF_EXIT_OK : EF_EXIT_USAGE;
        goto out;
    }
    rp = calloc(1, sizeof(*rp));
    if (!rp || ef_decoder_new(NULL, &rp->dec) < 0 || ef_renderer_new(&ro, &rp->ren) < 0) {
        fprintf(stderr, "etwfwd replay: out of memory\n");
        goto out;
    }
    if (load_sources(rp, argc, argv) < 0) {
        exit_code = EF_EXIT_USAGE;
        goto out;
    }
    rc = ef_etl_open_file(argv[1], NULL, &rd);
    if (rc < 0) {
        fprintf(stderr, "etwfwd replay: %s: %s\n", argv[1], ef_strerror(rc));
        goto out;
    }
    while ((rc = ef_etl_next(rd, &rec)) == 1) {
        int drc = ef_decoder_decode(rp->dec, rec, &ev);

        count(rp, &ev, drc);
        ef_buf_reset(&out);
        if (ef_render_event(rp->ren, &ev, &out) < 0 || ef_buf_append_byte(&out, '\n') < 0) {
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
    summary(rp, ef_etl_stats(rd));
    exit_code = EF_EXIT_OK;
out:
    ef_etl_close(rd);
    if (rp) {
        ef_renderer_free(rp->ren);
        ef_decoder_free(rp->dec);
        free(rp);
    }
    ef_buf_free(&out);
    return exit_code;
}

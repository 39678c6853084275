/*
 * cmd_replay.c - `etwfwd replay FILE.etl [--manifest PATH]... [--mof PATH]...
 * [--format native|ecs] [--int64-strings] [--typed] [-c CONF]`.
 *
 * Reads a trace through source/tracefile.h (the portable reader and the
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
#include "cli_trace.h"

#include "render/render.h"
#include "source/tracefile.h"
#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

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

enum { R_MANIFEST, R_MOF, R_FORMAT, R_INT64, R_TYPED, R_CONF };

static const struct ef_opt replay_opts[] = {
    {"--manifest", NULL, "FILE|DIR", "a manifest file or a folder of them", EF_OPT_REPEAT,
     "Loads the event schemas of an instrumentation manifest, or of every .man and .xml "
     "file in a folder."},
    {"--mof", NULL, "FILE", "a MOF file", EF_OPT_REPEAT,
     "Loads the kernel event schemas of a MOF file."},
    {"--format", NULL, "native|ecs", "native or ecs", 0,
     "Prints the events in this format: native (as the Windows event XML) or ecs "
     "(Elastic Common Schema). The default is native."},
    {"--int64-strings", NULL, NULL, NULL, 0,
     "Writes 64-bit integers as JSON strings, for consumers that lose their precision."},
    {"--typed", NULL, NULL, NULL, 0,
     "Writes EventData values as typed JSON values instead of strings."},
    {"-c", "--config", "CONF", "a configuration file", 0,
     "Sends the events through CONF's spool and sinks instead of standard output; the "
     "format options then come from CONF."},
};

const struct ef_cmd_spec ef_spec_replay = {
    "replay",
    "FILE.etl",
    1,
    1,
    "missing FILE.etl",
    "Decodes a trace file and prints its events as JSON lines on standard output, and a\n"
    "summary per provider on standard error.",
    replay_opts,
    EF_ARRAY_LEN(replay_opts),
    0};

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
    char host[256];
    size_t host_len = sizeof(host);
    struct ef_args a;
    const char *path;
    int rc, exit_code;

    ef_buf_init(&out, MAX_LINE);
    exit_code = ef_args_parse(&ef_spec_replay, argc, argv, &a);
    if (exit_code >= 0)
        goto out;
    exit_code = EF_EXIT_FAILURE;
    path = a.pos[0];
    if (a.value[R_CONF]) {
        /* Through CONF's pipeline (cmd_run.c): the sinks' format options come from CONF. */
        if (a.count[R_FORMAT] || a.count[R_INT64] || a.count[R_TYPED]) {
            exit_code = ef_args_fail(&ef_spec_replay,
                                     "with -c, only --manifest and --mof may be given (format "
                                     "options come from the configuration)");
            goto out;
        }
        exit_code = ef_run_config(a.value[R_CONF], 0, path, a.values[R_MANIFEST],
                                  a.count[R_MANIFEST], a.values[R_MOF], a.count[R_MOF]);
        goto out;
    }
    /* As run does: every event says which host it went through; EventData as strings. */
    if (uv_os_gethostname(host, &host_len) == 0)
        to.render.computer = host;
    to.render.event_data_strings = 1;
    to.render.dataset = "etw.replay";
    if (a.value[R_FORMAT] && ef_render_parse_format(a.value[R_FORMAT], &to.render.format) < 0) {
        exit_code =
            ef_args_fail(&ef_spec_replay, "unknown format '%s' (native or ecs)", a.value[R_FORMAT]);
        goto out;
    }
    to.render.int64_as_string = a.count[R_INT64] > 0;
    if (a.count[R_TYPED])
        to.render.event_data_strings = 0;
    to.manifests = a.values[R_MANIFEST];
    to.n_manifests = a.count[R_MANIFEST];
    to.mofs = a.values[R_MOF];
    to.n_mofs = a.count[R_MOF];
    rp = calloc(1, sizeof(*rp));
    if (!rp) {
        fprintf(stderr, "etwfwd replay: out of memory\n");
        goto out;
    }
    to.ud = rp;
    rc = ef_tracefile_open(path, &to, &tf, &terr);
    if (rc < 0) {
        fprintf(stderr, "etwfwd replay: %s\n", terr.msg);
        exit_code = terr.schemas ? EF_EXIT_USAGE : ef_cli_open_exit(rc);
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
        if (fwrite(out.data, 1, out.len, stdout) != out.len)
            break;
    }
    /* A full disk or a closed pipe: the events did not go anywhere, so the exit code says so. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "etwfwd replay: cannot write to standard output: %s\n", strerror(errno));
        goto out;
    }
    if (rc < 0) {
        fprintf(stderr, "etwfwd replay: %s: %s\n", path, ef_strerror(rc));
        goto out;
    }
    ef_tracefile_get_stats(tf, &st);
    for (; render_errors < st.render_errors; render_errors++)
        fprintf(stderr, "etwfwd replay: an event does not fit the output buffer\n");
    summary(rp, tf);
    exit_code = EF_EXIT_OK;
    if (st.read_errors) {
        const struct ef_etl_error *e;
        unsigned n;
        char prefix[4200];

        /* What could be read was printed; where the trace is damaged is said, as inspect does. */
        snprintf(prefix, sizeof(prefix), "etwfwd replay: %s: damaged at ", path);
        e = ef_tracefile_etl_errors(tf, &n);
        ef_cli_print_etl_errors(stderr, prefix, e, n, st.read_errors);
        exit_code = EF_EXIT_FAILURE;
    }
out:
    ef_tracefile_close(tf);
    free(rp);
    ef_args_free(&a);
    ef_buf_free(&out);
    return exit_code;
}

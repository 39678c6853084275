/*
 * tracefile.c - one .etl file decoded and rendered to JSON lines: the only
 * place the schema sources are put together, so `etwfwd replay`, the
 * runner's file source and the bench give the same lines.
 */
#include "source/tracefile.h"

#include "decode/decoder.h"
#include "decode/embedded.h"
#include "decode/eventsource.h"
#include "decode/manifest.h"
#include "decode/mof.h"
#include "decode/tlg_source.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*
 * The schema sources that do not learn from a trace: TraceLogging (its
 * schemas are keyed by the metadata bytes each event carries, so they hold
 * for every trace), the manifest files and the kernel MOF. A session builds
 * them once and lends them to the decoder of each of its files; parsing
 * ClrEtwAll.man alone takes 13-21 ms, more than replaying a small trace.
 */
struct ef_tracefile_schemas {
    struct ef_schema_source tlg, man, mof;
};

struct ef_tracefile {
    struct ef_tracefile_schemas *own; /* built by ef_tracefile_open, else NULL */
    struct ef_etl_reader *rd;
    struct ef_decoder *dec;
    struct ef_renderer *ren;
    uint64_t render_errors; /* the rest of the counters are the decoder's and the reader's */
    void (*on_event)(void *ud, const struct ef_event *ev, int decode_rc);
    void *ud;
    /* An event decoded but not rendered yet (it did not fit the last window). */
    int pending;
    struct ef_event ev;
    uint64_t ev_ts;
};

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void set_err(struct ef_tracefile_error *err, const struct ef_buf *b, const char *what,
                    int rc)
{
    err->schemas = 1;
    if (b && b->len)
        snprintf(err->msg, sizeof(err->msg), "%.*s",
                 (int)(b->data[b->len - 1] == '\n' ? b->len - 1 : b->len), b->data);
    else
        snprintf(err->msg, sizeof(err->msg), "%s: %s", what, ef_strerror(rc));
}

static void destroy_source(struct ef_schema_source *src)
{
    if (src->ops)
        src->ops->destroy(src->ctx);
    src->ops = NULL;
}

int ef_tracefile_load_schema_files(const char *const *manifests, size_t n_manifests,
                                   const char *const *mofs, size_t n_mofs,
                                   struct ef_schema_source *man, struct ef_schema_source *mof,
                                   struct ef_tracefile_error *err)
{
    struct ef_buf msg;
    size_t i;
    int rc;

    man->ops = NULL;
    mof->ops = NULL;
    err->schemas = 0;
    err->msg[0] = '\0';
    ef_buf_init(&msg, 64 * 1024);
    if ((rc = ef_manifest_source_new(man)) < 0) {
        set_err(err, NULL, "manifest source", rc);
        goto out;
    }
    for (i = 0; i < n_manifests && rc == 0; i++)
        rc = is_dir(manifests[i]) ? ef_manifest_source_add_dir(man->ctx, manifests[i], &msg)
                                  : ef_manifest_source_add_file(man->ctx, manifests[i], &msg);
    if (rc < 0) {
        set_err(err, &msg, "manifest", rc);
        goto out;
    }
    if ((rc = ef_mof_source_new(mof)) < 0) {
        set_err(err, NULL, "MOF source", rc);
        goto out;
    }
    for (i = 0; i < n_mofs && rc == 0; i++)
        rc = ef_mof_source_add_file(mof->ctx, mofs[i], &msg);
    if (rc < 0)
        set_err(err, &msg, "MOF", rc);
out:
    ef_buf_free(&msg);
    if (rc < 0) {
        destroy_source(man);
        destroy_source(mof);
    }
    return rc;
}

/* Builds the static sources; the trace-learned ones are made per file. */
int ef_tracefile_schemas_new(const struct ef_tracefile_opts *o, struct ef_tracefile_schemas **out,
                             struct ef_tracefile_error *err)
{
    struct ef_tracefile_schemas *s;
    int rc;

    *out = NULL;
    err->schemas = 0;
    err->msg[0] = '\0';
    s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err->msg, sizeof(err->msg), "%s", ef_strerror(EF_ENOMEM));
        return EF_ENOMEM;
    }
    if ((rc = ef_tlg_source_create(0, &s->tlg)) < 0)
        set_err(err, NULL, "TraceLogging source", rc);
    else
        rc = ef_tracefile_load_schema_files(o->manifests, o->n_manifests, o->mofs, o->n_mofs,
                                            &s->man, &s->mof, err);
    if (rc < 0) {
        ef_tracefile_schemas_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void ef_tracefile_schemas_free(struct ef_tracefile_schemas *s)
{
    if (!s)
        return;
    destroy_source(&s->tlg);
    destroy_source(&s->man);
    destroy_source(&s->mof);
    free(s);
}

/*
 * A lent source: the decoder asks it like its own, but its destroy leaves it
 * to the schemas, which outlive the decoder. One table per kind keeps each
 * source's name; ctx is the lender's struct ef_schema_source.
 */
static int lent_lookup(void *ctx, const struct ef_record *r, const struct ef_schema **out)
{
    const struct ef_schema_source *src = ctx;

    return src->ops->lookup(src->ctx, r, out);
}

static int lent_observe(void *ctx, const struct ef_record *r)
{
    const struct ef_schema_source *src = ctx;

    return src->ops->observe ? src->ops->observe(src->ctx, r) : 0;
}

static void lent_destroy(void *ctx)
{
    (void)ctx;
}

static const struct ef_schema_source_ops lent_tlg = {"tracelogging", lent_lookup, lent_observe,
                                                     lent_destroy};
static const struct ef_schema_source_ops lent_man = {"manifest", lent_lookup, lent_observe,
                                                     lent_destroy};
static const struct ef_schema_source_ops lent_mof = {"mof", lent_lookup, lent_observe,
                                                     lent_destroy};

static struct ef_schema_source lend(const struct ef_schema_source_ops *ops,
                                    struct ef_schema_source *src)
{
    struct ef_schema_source l = {ops, src};

    return l;
}

/*
 * The decoder's sources in DESIGN.md's order: TraceLogging, manifest files,
 * EventSource manifests sent in the trace (after --manifest files, which
 * win), schemas embedded in the trace, kernel MOF. The two that learn from
 * the trace are new for every file: what one trace declares does not leak
 * into the next, which may come from another machine or build.
 */
static int add_sources(struct ef_tracefile *tf, struct ef_tracefile_schemas *s,
                       struct ef_tracefile_error *err)
{
    struct ef_schema_source src;
    int rc;

    if ((rc = ef_decoder_add_source(tf->dec, lend(&lent_tlg, &s->tlg))) < 0 ||
        (rc = ef_decoder_add_source(tf->dec, lend(&lent_man, &s->man))) < 0 ||
        (rc = ef_es_source_create(NULL, &src)) < 0 ||
        (rc = ef_decoder_add_source(tf->dec, src)) < 0 ||
        (rc = ef_embedded_source_create(0, &src)) < 0 ||
        (rc = ef_decoder_add_source(tf->dec, src)) < 0 ||
        (rc = ef_decoder_add_source(tf->dec, lend(&lent_mof, &s->mof))) < 0)
        set_err(err, NULL, "schema sources", rc);
    return rc;
}

int ef_tracefile_open_with(const char *path, struct ef_tracefile_schemas *schemas,
                           const struct ef_tracefile_opts *opts, struct ef_tracefile **out,
                           struct ef_tracefile_error *err)
{
    struct ef_tracefile *tf;
    int rc;

    *out = NULL;
    err->schemas = 0;
    err->msg[0] = '\0';
    tf = calloc(1, sizeof(*tf));
    if (!tf) {
        snprintf(err->msg, sizeof(err->msg), "%s", ef_strerror(EF_ENOMEM));
        return EF_ENOMEM;
    }
    tf->on_event = opts->on_event;
    tf->ud = opts->ud;
    if ((rc = ef_decoder_new(NULL, &tf->dec)) < 0 ||
        (rc = ef_renderer_new(&opts->render, &tf->ren)) < 0) {
        snprintf(err->msg, sizeof(err->msg), "decoder: %s", ef_strerror(rc));
        goto fail;
    }
    rc = add_sources(tf, schemas, err);
    if (rc < 0)
        goto fail;
    rc = ef_etl_open_file(path, NULL, &tf->rd);
    if (rc < 0) {
        ef_etl_open_message(path, rc, err->msg, sizeof(err->msg));
        goto fail;
    }
    *out = tf;
    return 0;
fail:
    ef_tracefile_close(tf);
    return rc;
}

int ef_tracefile_open(const char *path, const struct ef_tracefile_opts *opts,
                      struct ef_tracefile **out, struct ef_tracefile_error *err)
{
    struct ef_tracefile_schemas *s;
    int rc;

    *out = NULL;
    rc = ef_tracefile_schemas_new(opts, &s, err);
    if (rc < 0)
        return rc;
    rc = ef_tracefile_open_with(path, s, opts, out, err);
    if (rc < 0) {
        ef_tracefile_schemas_free(s);
        return rc;
    }
    (*out)->own = s;
    return 0;
}

int ef_tracefile_next_append(struct ef_tracefile *tf, struct ef_buf *out, int whole,
                             uint64_t *timestamp)
{
    const struct ef_record *rec;
    int rc, drc;

    for (;;) {
        if (!tf->pending) {
            rc = ef_etl_next(tf->rd, &rec);
            if (rc <= 0)
                return rc;
            drc = ef_decoder_decode(tf->dec, rec, &tf->ev);
            if (tf->on_event)
                tf->on_event(tf->ud, &tf->ev, drc);
            tf->ev_ts = rec->timestamp;
            tf->pending = 1;
        }
        /* The record and the decoded values stay valid until the next ef_etl_next. */
        rc = ef_render_event(tf->ren, &tf->ev, out);
        if (rc == EF_ELIMIT && !whole)
            return EF_ENOSPC;
        tf->pending = 0;
        if (rc < 0) {
            tf->render_errors++;
            continue;
        }
        *timestamp = tf->ev_ts;
        return 1;
    }
}

int ef_tracefile_next(struct ef_tracefile *tf, struct ef_buf *line, uint64_t *timestamp)
{
    ef_buf_reset(line);
    return ef_tracefile_next_append(tf, line, 1, timestamp);
}

const struct ef_etl_header *ef_tracefile_header(const struct ef_tracefile *tf)
{
    return ef_etl_header(tf->rd);
}

void ef_tracefile_get_stats(const struct ef_tracefile *tf, struct ef_tracefile_stats *st)
{
    struct ef_decoder_outcomes o;

    ef_decoder_get_outcomes(tf->dec, &o);
    st->events = o.events;
    st->decoded = o.decoded;
    st->no_schema = o.no_schema;
    st->decode_errors = o.decode_errors;
    st->render_errors = tf->render_errors;
    st->read_errors = ef_etl_stats(tf->rd)->errors;
}

void ef_tracefile_decoder_stats(const struct ef_tracefile *tf, struct ef_decoder_stats *st)
{
    ef_decoder_stats(tf->dec, st);
}

const struct ef_etl_stats *ef_tracefile_etl_stats(const struct ef_tracefile *tf)
{
    return ef_etl_stats(tf->rd);
}

const struct ef_etl_error *ef_tracefile_etl_errors(const struct ef_tracefile *tf, unsigned *n)
{
    return ef_etl_errors(tf->rd, n);
}

void ef_tracefile_close(struct ef_tracefile *tf)
{
    if (!tf)
        return;
    ef_etl_close(tf->rd);
    ef_renderer_free(tf->ren);
    /* The decoder first: it may still point at the lent sources. */
    ef_decoder_free(tf->dec);
    ef_tracefile_schemas_free(tf->own);
    free(tf);
}

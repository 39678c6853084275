/*
 * tracefile.c - one .etl file decoded and rendered to JSON lines, with the
 * same schema sources, in the same order, as `etwfwd replay`
 * (service/cmd_replay.c), so the pipeline's output equals replay's stdout.
 */
#include "runner/tracefile.h"

#include "decode/decoder.h"
#include "decode/embedded.h"
#include "decode/manifest.h"
#include "decode/mof.h"
#include "decode/tlg_source.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct ef_tracefile {
    struct ef_etl_reader *rd;
    struct ef_decoder *dec;
    struct ef_renderer *ren;
    struct ef_tracefile_stats st;
};

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void set_err(char *err, size_t errlen, const struct ef_buf *b, const char *what, int rc)
{
    if (b && b->len)
        snprintf(err, errlen, "%.*s",
                 (int)(b->len && b->data[b->len - 1] == '\n' ? b->len - 1 : b->len), b->data);
    else
        snprintf(err, errlen, "%s: %s", what, ef_strerror(rc));
}

static int add_sources(struct ef_tracefile *tf, const char *const *manifests, size_t n_manifests,
                       const char *const *mofs, size_t n_mofs, char *err, size_t errlen)
{
    struct ef_schema_source src;
    struct ef_buf msg;
    size_t i;
    int rc;

    ef_buf_init(&msg, 64 * 1024);
    if ((rc = ef_tlg_source_create(0, &src)) < 0 ||
        (rc = ef_decoder_add_source(tf->dec, src)) < 0) {
        set_err(err, errlen, NULL, "TraceLogging source", rc);
        goto out;
    }
    if ((rc = ef_manifest_source_new(&src)) < 0) {
        set_err(err, errlen, NULL, "manifest source", rc);
        goto out;
    }
    for (i = 0; i < n_manifests && rc == 0; i++)
        rc = is_dir(manifests[i]) ? ef_manifest_source_add_dir(src.ctx, manifests[i], &msg)
                                  : ef_manifest_source_add_file(src.ctx, manifests[i], &msg);
    if (rc < 0) {
        src.ops->destroy(src.ctx);
        set_err(err, errlen, &msg, "manifest", rc);
        goto out;
    }
    if ((rc = ef_decoder_add_source(tf->dec, src)) < 0 ||
        (rc = ef_embedded_source_create(0, &src)) < 0 ||
        (rc = ef_decoder_add_source(tf->dec, src)) < 0) {
        set_err(err, errlen, NULL, "schema sources", rc);
        goto out;
    }
    if ((rc = ef_mof_source_new(&src)) < 0) {
        set_err(err, errlen, NULL, "MOF source", rc);
        goto out;
    }
    for (i = 0; i < n_mofs && rc == 0; i++)
        rc = ef_mof_source_add_file(src.ctx, mofs[i], &msg);
    if (rc < 0) {
        src.ops->destroy(src.ctx);
        set_err(err, errlen, &msg, "MOF", rc);
        goto out;
    }
    rc = ef_decoder_add_source(tf->dec, src);
out:
    ef_buf_free(&msg);
    return rc;
}

int ef_tracefile_open(const char *path, const char *const *manifests, size_t n_manifests,
                      const char *const *mofs, size_t n_mofs, const struct ef_render_opts *ro,
                      struct ef_tracefile **out, char *err, size_t errlen)
{
    struct ef_tracefile *tf;
    int rc;

    *out = NULL;
    if (errlen)
        err[0] = '\0';
    tf = calloc(1, sizeof(*tf));
    if (!tf)
        return EF_ENOMEM;
    if ((rc = ef_decoder_new(NULL, &tf->dec)) < 0 || (rc = ef_renderer_new(ro, &tf->ren)) < 0) {
        set_err(err, errlen, NULL, "decoder", rc);
        goto fail;
    }
    rc = add_sources(tf, manifests, n_manifests, mofs, n_mofs, err, errlen);
    if (rc < 0)
        goto fail;
    rc = ef_etl_open_file(path, NULL, &tf->rd);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, ef_strerror(rc));
        goto fail;
    }
    *out = tf;
    return 0;
fail:
    ef_tracefile_close(tf);
    return rc;
}

int ef_tracefile_next(struct ef_tracefile *tf, struct ef_buf *line, uint64_t *timestamp)
{
    const struct ef_record *rec;
    struct ef_event ev;
    int rc, drc;

    for (;;) {
        rc = ef_etl_next(tf->rd, &rec);
        tf->st.read_errors = ef_etl_stats(tf->rd)->errors;
        if (rc <= 0)
            return rc;
        drc = ef_decoder_decode(tf->dec, rec, &ev);
        tf->st.events++;
        if (ev.flags & EF_EVT_NO_SCHEMA)
            tf->st.no_schema++;
        else if (drc < 0)
            tf->st.decode_errors++;
        else
            tf->st.decoded++;
        ef_buf_reset(line);
        if (ef_render_event(tf->ren, &ev, line) < 0) {
            tf->st.render_errors++;
            continue;
        }
        *timestamp = rec->timestamp;
        return 1;
    }
}

const struct ef_etl_header *ef_tracefile_header(const struct ef_tracefile *tf)
{
    return ef_etl_header(tf->rd);
}

void ef_tracefile_get_stats(const struct ef_tracefile *tf, struct ef_tracefile_stats *st)
{
    *st = tf->st;
}

void ef_tracefile_close(struct ef_tracefile *tf)
{
    if (!tf)
        return;
    ef_etl_close(tf->rd);
    ef_renderer_free(tf->ren);
    ef_decoder_free(tf->dec);
    free(tf);
}

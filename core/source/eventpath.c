/*
 * eventpath.c - the live callback path: one ef_record decoded, rendered
 * straight into the producer's queue chunk and pushed, without blocking
 * and, once warm, without allocating (source/eventpath.h).
 *
 * DESIGN. The decoder and the producer count what happens to each event;
 * ef_eventpath_flush copies their counters to `pub` under mu, so a push
 * takes no lock and counts nothing twice. An
 * event is rendered into the free end of the producer's chunk
 * (ef_queue_window); when it does not fit there the chunk is published and
 * the event rendered again into a fresh one, and an event larger than a
 * whole chunk goes through `line` and ef_queue_push, which sends it alone.
 * With EF_QUEUE_DROP a publish into a full queue drops the chunk, counted
 * by the producer, so nothing here waits. The decoder's schema sources are
 * built in eventpath.h's order; the files among them are loaded by
 * ef_tracefile_load_schema_files, as for a replay.
 */
#include "source/eventpath.h"

#include "decode/decoder.h"
#include "decode/eventsource.h"
#include "decode/tlg_source.h"
#include "source/tracefile.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* The longest line rendered, as `etwfwd replay` and the file source (the spool's limit). */
#define MAX_LINE (16u << 20)

struct ef_eventpath {
    struct ef_queue_producer *prod; /* NULL without a queue */
    struct ef_decoder *dec;
    struct ef_renderer *ren;
    struct ef_event ev;
    struct ef_buf line;     /* events larger than a chunk; every event without a queue */
    uint64_t render_errors; /* the one counter kept here: the rest are the decoder's
                               and the producer's */
    uv_mutex_t mu;          /* guards pub */
    struct ef_eventpath_stats pub;
};

static void destroy_source(struct ef_schema_source *src)
{
    if (src->ops)
        src->ops->destroy(src->ctx);
    src->ops = NULL;
}

/*
 * The decoder's sources in eventpath.h's order. The decoder owns each one
 * from ef_decoder_add_source on, also when that fails; those not added yet
 * are destroyed here on failure, extra included (it is owned after new).
 */
static int add_sources(struct ef_eventpath *ep, const struct ef_eventpath_opts *o, char *err,
                       size_t errlen)
{
    struct ef_schema_source src[5];
    struct ef_tracefile_error terr;
    size_t i, n = 0;
    int rc;

    memset(src, 0, sizeof(src));
    src[3] = o->extra;
    rc = ef_tracefile_load_schema_files(o->manifests, o->n_manifests, o->mofs, o->n_mofs, &src[0],
                                        &src[4], &terr);
    if (rc < 0) {
        snprintf(err, errlen, "%s", terr.msg);
        goto fail;
    }
    if ((rc = ef_tlg_source_create(0, &src[1])) < 0 ||
        (rc = ef_es_source_create(NULL, &src[2])) < 0) {
        snprintf(err, errlen, "schema sources: %s", ef_strerror(rc));
        goto fail;
    }
    for (; n < 5; n++) {
        if (!src[n].ops)
            continue; /* no extra source */
        rc = ef_decoder_add_source(ep->dec, src[n]);
        if (rc < 0) {
            snprintf(err, errlen, "schema sources: %s", ef_strerror(rc));
            n++;
            goto fail;
        }
    }
    return 0;
fail:
    for (i = n; i < 5; i++)
        destroy_source(&src[i]);
    return rc;
}

int ef_eventpath_new(const struct ef_eventpath_opts *o, struct ef_eventpath **out, char *err,
                     size_t errlen)
{
    struct ef_schema_source extra = o->extra;
    struct ef_eventpath *ep;
    int rc;

    *out = NULL;
    if (errlen)
        err[0] = '\0';
    ep = calloc(1, sizeof(*ep));
    if (!ep || uv_mutex_init(&ep->mu) != 0) {
        free(ep);
        destroy_source(&extra);
        snprintf(err, errlen, "%s", ef_strerror(EF_ENOMEM));
        return EF_ENOMEM;
    }
    ef_buf_init(&ep->line, MAX_LINE);
    if ((rc = ef_decoder_new(NULL, &ep->dec)) < 0) {
        destroy_source(&extra);
        snprintf(err, errlen, "decoder: %s", ef_strerror(rc));
        goto fail;
    }
    if ((rc = add_sources(ep, o, err, errlen)) < 0)
        goto fail;
    if ((rc = ef_renderer_new(&o->render, &ep->ren)) < 0) {
        snprintf(err, errlen, "renderer: %s", ef_strerror(rc));
        goto fail;
    }
    if (o->queue) {
        rc = ef_queue_producer_new(o->queue, o->session, o->policy, &ep->prod);
        if (rc < 0) {
            snprintf(err, errlen, "queue: %s", ef_strerror(rc));
            goto fail;
        }
    }
    *out = ep;
    return 0;
fail:
    ef_eventpath_free(ep);
    return rc;
}

#define BROKEN 2 /* fill_window: not renderable, whatever the room */

static int fill_window(void *ud, struct ef_buf *win)
{
    struct ef_eventpath *ep = ud;
    int rc = ef_render_event(ep->ren, &ep->ev, win);

    /* A broken event goes through line (BROKEN), where its error is counted. */
    return rc == EF_ELIMIT || rc == 0 ? rc : BROKEN;
}

/*
 * Renders ep->ev into the queue: in place in the chunk when it fits, else
 * through line. Returns 0 (queued, dropped or too large, each counted) or
 * a fatal queue error.
 */
static int render_into_queue(struct ef_eventpath *ep)
{
    int rc = ef_queue_append(ep->prod, fill_window, ep);

    if (rc < 0 || rc == 1)
        return rc < 0 ? rc : 0;
    ef_buf_reset(&ep->line);
    if (ef_render_event(ep->ren, &ep->ev, &ep->line) < 0) {
        ep->render_errors++;
        return 0;
    }
    return ef_queue_push(ep->prod, ep->line.data, (uint32_t)ep->line.len);
}

int ef_eventpath_push(struct ef_eventpath *ep, const struct ef_record *r)
{
    /* The outcome is counted by the decoder: ef_eventpath_flush reads it from there. */
    (void)ef_decoder_decode(ep->dec, r, &ep->ev);
    if (ep->prod)
        return render_into_queue(ep);
    ef_buf_reset(&ep->line);
    if (ef_render_event(ep->ren, &ep->ev, &ep->line) < 0) {
        ef_buf_reset(&ep->line);
        ep->render_errors++;
    }
    return 0;
}

int ef_eventpath_flush(struct ef_eventpath *ep)
{
    struct ef_queue_producer_stats ps;
    struct ef_decoder_outcomes o;
    struct ef_eventpath_stats st;
    int rc = 0;

    memset(&ps, 0, sizeof(ps));
    if (ep->prod) {
        rc = ef_queue_flush(ep->prod);
        /* Pushes and drops are counted when a chunk is published: only now are they complete. */
        ef_queue_producer_get_stats(ep->prod, &ps);
    }
    ef_decoder_get_outcomes(ep->dec, &o);
    st.events = o.events;
    st.decoded = o.decoded;
    st.no_schema = o.no_schema;
    st.decode_errors = o.decode_errors;
    st.render_errors = ep->render_errors;
    st.pushed = ps.pushed;
    st.dropped = ps.dropped;
    uv_mutex_lock(&ep->mu);
    ep->pub = st;
    uv_mutex_unlock(&ep->mu);
    return rc;
}

const struct ef_buf *ef_eventpath_last(const struct ef_eventpath *ep)
{
    return &ep->line;
}

void ef_eventpath_get_stats(struct ef_eventpath *ep, struct ef_eventpath_stats *st)
{
    uv_mutex_lock(&ep->mu);
    *st = ep->pub;
    uv_mutex_unlock(&ep->mu);
}

void ef_eventpath_free(struct ef_eventpath *ep)
{
    if (!ep)
        return;
    if (ep->prod) {
        ef_eventpath_flush(ep);
        ef_queue_producer_free(ep->prod);
    }
    ef_renderer_free(ep->ren);
    ef_decoder_free(ep->dec);
    ef_buf_free(&ep->line);
    uv_mutex_destroy(&ep->mu);
    free(ep);
}

/*
 * decoder.c - sources, cache and interpreter put together.
 *
 * DESIGN: the hot path is observe (one indirect call per source that wants
 * to see the stream), one cache lookup, and the plan run. Sources are only
 * asked on a cache miss; what they answer, a plan or "nobody knows this
 * event", is cached. When a source takes schemas from the stream (embedded
 * TRACE_EVENT_INFO, EventSource manifests) the cache is cleared, because a
 * miss cached before the schema arrived would hide it.
 */
#include "decode/decoder.h"

#include "decode/enrich.h"

#include "util/attr.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

struct ef_decoder {
    struct ef_schema_source sources[EF_DECODER_MAX_SOURCES];
    unsigned nsources;
    struct ef_cache cache;
    struct ef_plan_ws ws;
    struct ef_decoder_stats stats;
};

int ef_decoder_new(const struct ef_decoder_opts *opts, struct ef_decoder **out)
{
    struct ef_decoder *d = calloc(1, sizeof(*d));
    uint32_t cap = opts && opts->cache_capacity ? opts->cache_capacity : 4096;
    uint32_t maxv = opts && opts->max_values ? opts->max_values : 65536;

    *out = NULL;
    if (!d)
        return EF_ENOMEM;
    if (ef_cache_init(&d->cache, cap) < 0) {
        free(d);
        return EF_ENOMEM;
    }
    ef_plan_ws_init(&d->ws, maxv);
    *out = d;
    return 0;
}

int ef_decoder_add_source(struct ef_decoder *d, struct ef_schema_source src)
{
    if (d->nsources >= EF_DECODER_MAX_SOURCES) {
        if (src.ops && src.ops->destroy)
            src.ops->destroy(src.ctx);
        return EF_ELIMIT;
    }
    d->sources[d->nsources++] = src;
    return 0;
}

static void observe(struct ef_decoder *d, const struct ef_record *r)
{
    unsigned i;
    int took = 0, rc;

    for (i = 0; i < d->nsources; i++) {
        if (!d->sources[i].ops->observe)
            continue;
        rc = d->sources[i].ops->observe(d->sources[i].ctx, r);
        if (rc > 0)
            took = 1;
        else if (rc < 0)
            d->stats.observe_errors++;
    }
    if (took) {
        d->stats.schema_records++;
        ef_cache_clear(&d->cache);
    }
}

/* Asks the sources in order; caches what they answer. */
static struct ef_cache_entry *resolve(struct ef_decoder *d, const struct ef_record *r,
                                      const struct ef_cache_key *k, uint64_t hash)
{
    struct ef_plan *plan = NULL;
    int status = EF_ENOENT, rc;
    unsigned i;

    for (i = 0; i < d->nsources; i++) {
        const struct ef_schema *s = NULL;

        rc = d->sources[i].ops->lookup(d->sources[i].ctx, r, &s);
        if (rc == EF_ENOENT)
            continue;
        if (rc == 0 && s) {
            rc = ef_plan_compile(s, &plan);
            if (rc == 0) {
                /* The cache key holds the version, so the plan is this version's. */
                plan->fallback = (s->flags & EF_SCHEMA_VERSIONED) && r->version > s->version;
                plan->enrich = ef_enrich_find(s);
                status = 0;
                break;
            }
        }
        /* A broken schema or source: remember the first error, ask the next source. */
        if (status == EF_ENOENT)
            status = rc < 0 ? rc : EF_EFORMAT;
    }
    return ef_cache_put(&d->cache, k, hash, plan, status);
}

static void no_plan_event(struct ef_decoder *d, const struct ef_record *r, int status,
                          struct ef_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->rec = r;
    ev->values = d->ws.values;
    if (status == EF_ENOENT) {
        ev->flags = EF_EVT_NO_SCHEMA;
        d->stats.no_schema++;
    } else {
        ev->flags = EF_EVT_NO_SCHEMA | EF_EVT_BAD_SCHEMA;
        d->stats.bad_schema++;
    }
}

int ef_decoder_decode(struct ef_decoder *d, const struct ef_record *r, struct ef_event *out)
{
    struct ef_cache_entry *e;
    struct ef_cache_key k;
    uint64_t hash;
    int rc;

    d->stats.events++;
    observe(d, r);
    ef_cache_key_from_record(r, &k);
    hash = ef_cache_hash(&k);
    e = ef_cache_get(&d->cache, &k, hash);
    if (!e)
        e = resolve(d, r, &k, hash);
    if (!e->plan) {
        no_plan_event(d, r, e->status, out);
        return e->status;
    }
    rc = ef_plan_run(e->plan, r, &d->ws, out);
    if (e->plan->enrich)
        ef_enrich_apply(e->plan->enrich, &d->ws, out);
    if (out->flags & EF_EVT_SCHEMA_FALLBACK)
        d->stats.fallback++;
    if (out->flags & EF_EVT_LAYOUT_MISMATCH)
        d->stats.layout_mismatch++;
    if (out->flags & EF_EVT_TRUNCATED)
        d->stats.truncated++;
    if (rc < 0)
        d->stats.decode_errors++;
    else
        d->stats.decoded++;
    if (e->source < EF_ARRAY_LEN(d->stats.by_source))
        d->stats.by_source[e->source]++;
    return rc;
}

void ef_decoder_stats(const struct ef_decoder *d, struct ef_decoder_stats *out)
{
    *out = d->stats;
    out->cache = d->cache.stats;
}

void ef_decoder_get_outcomes(const struct ef_decoder *d, struct ef_decoder_outcomes *out)
{
    out->events = d->stats.events;
    out->decoded = d->stats.decoded;
    out->no_schema = d->stats.no_schema + d->stats.bad_schema;
    out->decode_errors = d->stats.decode_errors;
}

void ef_decoder_free(struct ef_decoder *d)
{
    unsigned i;

    if (!d)
        return;
    /* Plans point into the sources' schemas: free them first. */
    ef_cache_free(&d->cache);
    for (i = 0; i < d->nsources; i++) {
        if (d->sources[i].ops->destroy)
            d->sources[i].ops->destroy(d->sources[i].ctx);
    }
    ef_plan_ws_free(&d->ws);
    free(d);
}

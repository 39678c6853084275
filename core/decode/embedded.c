/*
 * embedded.c - schemas that a merged trace embeds (KernelTraceControl MetaData).
 *
 * DESIGN: observe() sees every record, so it only compares a GUID and, for
 * MetaData records, copies the blob into the arena and files it in a hash
 * table: EventInfo under the key its events will be looked up by, maps
 * parsed at once (they are small) under {provider, name}. The EventInfo
 * blob is parsed at the first lookup of its event, when the maps its
 * fields name have most likely been seen; the result, good or bad, is kept.
 *
 * Keys: manifest and TraceLogging schemas match records on {provider GUID,
 * event id, version}; MOF schemas (DecodingSource WBEM) on {event class
 * GUID, opcode, version}, as classic records carry them.
 */
#include "decode/embedded.h"

#include "decode/schema_cache.h"
#include "decode/tei.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* An EventInfo blob, parsed on first use. */
struct event_info {
    const uint8_t *blob;
    size_t len;
    int parsed;
    int rc;
    const struct ef_schema *schema;
};

struct embedded {
    struct ef_arena arena;
    struct ef_scache cache;
};

static const struct ef_guid metadata_guid = EF_EMBEDDED_METADATA_GUID;

static const struct ef_map *find_map(void *ctx, const struct ef_guid *provider, const char *name)
{
    struct embedded *e = ctx;
    struct ef_scache_slot *s = ef_scache_find(&e->cache, EF_SCACHE_MAP, provider, 0, 0, name);

    return s ? s->val : NULL;
}

static const struct ef_provider_info *provider_info(void *ctx, const struct ef_guid *guid,
                                                    const char *name)
{
    struct embedded *e = ctx;

    return ef_scache_provider(&e->cache, &e->arena, guid, name);
}

static int take_event_info(struct embedded *e, const struct ef_record *r)
{
    struct ef_tei_header h;
    struct event_info *ei;
    const struct ef_guid *g;
    uint8_t kind;
    uint16_t a;
    uint8_t *copy;
    int rc;

    if ((rc = ef_tei_header(r->user_data, r->user_data_len, &h)) < 0)
        return rc;
    kind = h.decoding_source == EF_TEI_DS_WBEM ? EF_SCACHE_MOF : EF_SCACHE_EVENT;
    g = kind == EF_SCACHE_MOF ? &h.event_guid : &h.provider;
    a = kind == EF_SCACHE_MOF ? h.opcode : h.id;
    if (ef_scache_find(&e->cache, kind, g, a, h.version, NULL))
        return 1; /* merged traces repeat schemas; the first one stands */
    ei = ef_arena_alloc(&e->arena, sizeof(*ei));
    copy = ef_arena_alloc(&e->arena, r->user_data_len);
    if (!ei || !copy)
        return EF_ELIMIT;
    memcpy(copy, r->user_data, r->user_data_len);
    ei->blob = copy;
    ei->len = r->user_data_len;
    if ((rc = ef_scache_insert(&e->cache, kind, g, a, h.version, NULL, 0, ei)) < 0)
        return rc;
    return 1;
}

static int take_map(struct embedded *e, const struct ef_record *r)
{
    const struct ef_map *m;
    struct ef_guid g;
    int rc;

    if (r->user_data_len < 16)
        return EF_ETRUNC;
    ef_guid_read(r->user_data, &g);
    rc = ef_tei_parse_map(r->user_data + 16, r->user_data_len - 16, &e->arena, &m);
    if (rc == EF_ENOMEM)
        return EF_ELIMIT;
    if (rc < 0)
        return rc;
    if (!m->name)
        return EF_EFORMAT; /* a map nobody can name is of no use */
    if (ef_scache_find(&e->cache, EF_SCACHE_MAP, &g, 0, 0, m->name))
        return 1;
    if ((rc = ef_scache_insert(&e->cache, EF_SCACHE_MAP, &g, 0, 0, m->name, 0, (void *)m)) < 0)
        return rc;
    return 1;
}

static int embedded_observe(void *ctx, const struct ef_record *r)
{
    if (r->kind != EF_REC_CLASSIC || !ef_guid_equal(&r->provider, &metadata_guid))
        return 0;
    if (r->opcode == EF_EMBEDDED_OP_EVENTINFO)
        return take_event_info(ctx, r);
    if (r->opcode == EF_EMBEDDED_OP_EVENTMAPINFO)
        return take_map(ctx, r);
    return 0;
}

static int embedded_lookup(void *ctx, const struct ef_record *r, const struct ef_schema **out)
{
    struct embedded *e = ctx;
    struct ef_tei_env env = {find_map, provider_info, e};
    struct event_info *ei;
    struct ef_scache_slot *s;

    if (r->kind == EF_REC_EVENT)
        s = ef_scache_find(&e->cache, EF_SCACHE_EVENT, &r->provider, r->id, r->version, NULL);
    else if (r->kind == EF_REC_CLASSIC || r->kind == EF_REC_KERNEL)
        s = ef_scache_find(&e->cache, EF_SCACHE_MOF, &r->provider, r->opcode, r->version, NULL);
    else
        s = NULL;
    if (!s)
        return EF_ENOENT;
    ei = s->val;
    if (!ei->parsed) {
        ei->rc = ef_tei_parse(ei->blob, ei->len, &e->arena, &env, &ei->schema);
        if (ei->rc == EF_ENOMEM)
            return EF_ELIMIT; /* the arena's cap: not the blob's fault, try again later */
        ei->parsed = 1;
    }
    if (ei->rc == 0)
        *out = ei->schema;
    return ei->rc;
}

static void embedded_destroy(void *ctx)
{
    struct embedded *e = ctx;

    if (!e)
        return;
    ef_arena_free(&e->arena);
    ef_scache_free(&e->cache);
    free(e);
}

static const struct ef_schema_source_ops embedded_ops = {
    .name = "embedded",
    .lookup = embedded_lookup,
    .observe = embedded_observe,
    .destroy = embedded_destroy,
};

int ef_embedded_source_create(size_t max_bytes, struct ef_schema_source *out)
{
    struct embedded *e = calloc(1, sizeof(*e));

    if (!e)
        return EF_ENOMEM;
    ef_arena_init(&e->arena, max_bytes ? max_bytes : EF_EMBEDDED_DEFAULT_MAX);
    out->ops = &embedded_ops;
    out->ctx = e;
    return 0;
}

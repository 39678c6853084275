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

#include "decode/tei.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

enum kind { K_EVENT = 1, K_MOF = 2, K_MAP = 3, K_PROVIDER = 4 };

struct slot {
    uint64_t hash; /* 0 = empty */
    struct ef_guid guid;
    uint16_t a; /* event id or opcode */
    uint8_t b;  /* version */
    uint8_t kind;
    const char *name; /* maps: the map's name */
    void *val;
};

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
    struct slot *slots;
    size_t cap;
    size_t used;
};

static const struct ef_guid metadata_guid = EF_EMBEDDED_METADATA_GUID;

static uint64_t key_hash(uint8_t kind, const struct ef_guid *g, uint16_t a, uint8_t b,
                         const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull;
    uint8_t k[24];
    size_t i;

    ef_guid_write(g, k);
    k[16] = kind;
    k[17] = (uint8_t)a;
    k[18] = (uint8_t)(a >> 8);
    k[19] = b;
    for (i = 0; i < 20; i++)
        h = (h ^ k[i]) * 0x100000001b3ull;
    for (; name && *name; name++)
        h = (h ^ (uint8_t)*name) * 0x100000001b3ull;
    return h | 1;
}

static struct slot *find(struct embedded *e, uint8_t kind, const struct ef_guid *g, uint16_t a,
                         uint8_t b, const char *name)
{
    uint64_t h = key_hash(kind, g, a, b, name);
    size_t i;

    if (!e->cap)
        return NULL;
    for (i = h & (e->cap - 1); e->slots[i].hash; i = (i + 1) & (e->cap - 1)) {
        struct slot *s = &e->slots[i];

        if (s->hash == h && s->kind == kind && s->a == a && s->b == b &&
            ef_guid_equal(&s->guid, g) && (!name || (s->name && strcmp(s->name, name) == 0)))
            return s;
    }
    return NULL;
}

static int grow(struct embedded *e)
{
    size_t ncap = e->cap ? e->cap * 2 : 64, i, j;
    struct slot *ns = calloc(ncap, sizeof(*ns));

    if (!ns)
        return EF_ENOMEM;
    for (i = 0; i < e->cap; i++) {
        if (!e->slots[i].hash)
            continue;
        for (j = e->slots[i].hash & (ncap - 1); ns[j].hash; j = (j + 1) & (ncap - 1))
            ;
        ns[j] = e->slots[i];
    }
    free(e->slots);
    e->slots = ns;
    e->cap = ncap;
    return 0;
}

/* Files val under a key that find() returned NULL for. */
static int insert(struct embedded *e, uint8_t kind, const struct ef_guid *g, uint16_t a, uint8_t b,
                  const char *name, void *val)
{
    struct slot s = {key_hash(kind, g, a, b, name), *g, a, b, kind, name, val};
    size_t i;
    int rc;

    if ((e->used + 1) * 2 > e->cap && (rc = grow(e)) < 0)
        return rc;
    for (i = s.hash & (e->cap - 1); e->slots[i].hash; i = (i + 1) & (e->cap - 1))
        ;
    e->slots[i] = s;
    e->used++;
    return 0;
}

static const struct ef_map *find_map(void *ctx, const struct ef_guid *provider, const char *name)
{
    struct slot *s = find(ctx, K_MAP, provider, 0, 0, name);

    return s ? s->val : NULL;
}

static const struct ef_provider_info *provider_info(void *ctx, const struct ef_guid *guid,
                                                    const char *name)
{
    struct embedded *e = ctx;
    struct slot *s = find(e, K_PROVIDER, guid, 0, 0, NULL);
    struct ef_provider_info *pi;

    if (s) {
        pi = s->val;
        if (!pi->name && name)
            pi->name = name; /* a later blob may name what an earlier one did not */
        return pi;
    }
    pi = ef_arena_alloc(&e->arena, sizeof(*pi));
    if (!pi)
        return NULL;
    pi->guid = *guid;
    pi->name = name;
    if (insert(e, K_PROVIDER, guid, 0, 0, NULL, pi) < 0)
        return NULL;
    return pi;
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
    kind = h.decoding_source == EF_TEI_DS_WBEM ? K_MOF : K_EVENT;
    g = kind == K_MOF ? &h.event_guid : &h.provider;
    a = kind == K_MOF ? h.opcode : h.id;
    if (find(e, kind, g, a, h.version, NULL))
        return 1; /* merged traces repeat schemas; the first one stands */
    ei = ef_arena_alloc(&e->arena, sizeof(*ei));
    copy = ef_arena_alloc(&e->arena, r->user_data_len);
    if (!ei || !copy)
        return EF_ELIMIT;
    memcpy(copy, r->user_data, r->user_data_len);
    ei->blob = copy;
    ei->len = r->user_data_len;
    if ((rc = insert(e, kind, g, a, h.version, NULL, ei)) < 0)
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
    if (find(e, K_MAP, &g, 0, 0, m->name))
        return 1;
    if ((rc = insert(e, K_MAP, &g, 0, 0, m->name, (void *)m)) < 0)
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
    struct slot *s;

    if (r->kind == EF_REC_EVENT)
        s = find(e, K_EVENT, &r->provider, r->id, r->version, NULL);
    else if (r->kind == EF_REC_CLASSIC || r->kind == EF_REC_KERNEL)
        s = find(e, K_MOF, &r->provider, r->opcode, r->version, NULL);
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
    free(e->slots);
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

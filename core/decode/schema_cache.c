/*
 * schema_cache.c - the hash table of schemas, maps and provider infos that
 * the embedded (core/decode/embedded.c) and TDH (core/etw/tdh_source_win.c)
 * sources keep; see schema_cache.h.
 */
#include "decode/schema_cache.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* The table's first size: a trace's schemas are usually dozens to hundreds. */
#define FIRST_CAP 64

static uint64_t key_hash(uint8_t kind, const struct ef_guid *g, uint16_t a, uint8_t b,
                         const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull;
    uint8_t k[20];
    size_t i;

    ef_guid_write(g, k);
    k[16] = kind;
    k[17] = (uint8_t)a;
    k[18] = (uint8_t)(a >> 8);
    k[19] = b;
    for (i = 0; i < sizeof(k); i++)
        h = (h ^ k[i]) * 0x100000001b3ull;
    for (; name && *name; name++)
        h = (h ^ (uint8_t)*name) * 0x100000001b3ull;
    return h | 1; /* 0 marks an empty slot */
}

struct ef_scache_slot *ef_scache_find(const struct ef_scache *c, uint8_t kind,
                                      const struct ef_guid *g, uint16_t a, uint8_t b,
                                      const char *name)
{
    uint64_t h = key_hash(kind, g, a, b, name);
    size_t i;

    if (!c->cap)
        return NULL;
    for (i = h & (c->cap - 1); c->slots[i].hash; i = (i + 1) & (c->cap - 1)) {
        struct ef_scache_slot *s = &c->slots[i];

        if (s->hash == h && s->kind == kind && s->a == a && s->b == b &&
            ef_guid_equal(&s->guid, g) && (!name || (s->name && strcmp(s->name, name) == 0)))
            return s;
    }
    return NULL;
}

static int grow(struct ef_scache *c)
{
    size_t ncap = c->cap ? c->cap * 2 : FIRST_CAP, i, j;
    struct ef_scache_slot *ns = calloc(ncap, sizeof(*ns));

    if (!ns)
        return EF_ENOMEM;
    for (i = 0; i < c->cap; i++) {
        if (!c->slots[i].hash)
            continue;
        for (j = c->slots[i].hash & (ncap - 1); ns[j].hash; j = (j + 1) & (ncap - 1))
            ;
        ns[j] = c->slots[i];
    }
    free(c->slots);
    c->slots = ns;
    c->cap = ncap;
    return 0;
}

int ef_scache_insert(struct ef_scache *c, uint8_t kind, const struct ef_guid *g, uint16_t a,
                     uint8_t b, const char *name, int rc, void *val)
{
    struct ef_scache_slot s = {key_hash(kind, g, a, b, name), *g, a, b, kind, name, rc, val};
    size_t i;
    int err;

    if ((c->used + 1) * 2 > c->cap && (err = grow(c)) < 0)
        return err;
    for (i = s.hash & (c->cap - 1); c->slots[i].hash; i = (i + 1) & (c->cap - 1))
        ;
    c->slots[i] = s;
    c->used++;
    return 0;
}

struct ef_provider_info *ef_scache_provider(struct ef_scache *c, struct ef_arena *arena,
                                            const struct ef_guid *guid, const char *name)
{
    struct ef_scache_slot *s = ef_scache_find(c, EF_SCACHE_PROVIDER, guid, 0, 0, NULL);
    struct ef_provider_info *pi;

    if (s) {
        pi = s->val;
        if (!pi->name && name)
            pi->name = name; /* a later blob may name what an earlier one did not */
        return pi;
    }
    pi = ef_arena_alloc(arena, sizeof(*pi));
    if (!pi)
        return NULL;
    pi->guid = *guid;
    pi->name = name;
    if (ef_scache_insert(c, EF_SCACHE_PROVIDER, guid, 0, 0, NULL, 0, pi) < 0)
        return NULL;
    return pi;
}

void ef_scache_free(struct ef_scache *c)
{
    free(c->slots);
    c->slots = NULL;
    c->cap = 0;
    c->used = 0;
}

/*
 * cache.c - a fixed-size hash table with LRU eviction for decode plans.
 *
 * DESIGN: entries are slots of one array linked by index into a hash chain
 * and an LRU list, so lookups and evictions never allocate. The chains are
 * short (buckets = 2 x capacity, rounded to a power of two), and unlinking
 * an evicted entry walks only its own chain. Slots are handed out in order
 * and initialized when first used, so a new cache (one per replayed file)
 * costs its bucket array, not a pass over every slot.
 */
#include "decode/cache.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void ef_cache_key_from_record(const struct ef_record *r, struct ef_cache_key *k)
{
    const struct ef_ext_item *tl = NULL;

    memset(k, 0, sizeof(*k));
    k->provider = r->provider;
    k->keywords = r->keywords;
    k->id = r->id;
    k->version = r->version;
    k->opcode = r->opcode;
    k->level = r->level;
    k->kind = r->kind;
    if (r->flags & EF_HDR_FLAG_EXTENDED_INFO || r->ext_count)
        tl = ef_record_ext(r, EF_EXT_EVENT_SCHEMA_TL);
    if (tl)
        k->tl_hash = fnv1a(0xcbf29ce484222325ULL, tl->data, tl->size) | 1;
}

/*
 * Eight bytes per step (FNV-1a byte by byte cost 7% of decode + render):
 * the key is zero-filled, padding included, so its bytes are its identity.
 */
uint64_t ef_cache_hash(const struct ef_cache_key *k)
{
    const unsigned char *p = (const unsigned char *)k;
    uint64_t h = 0xcbf29ce484222325ULL, w;
    size_t i;

    for (i = 0; i + 8 <= sizeof(*k); i += 8) {
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 32;
    }
    for (; i < sizeof(*k); i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

static void lru_unlink(struct ef_cache *c, uint32_t i)
{
    struct ef_cache_entry *e = &c->entries[i];

    if (e->lru_prev != EF_CACHE_NIL)
        c->entries[e->lru_prev].lru_next = e->lru_next;
    else
        c->lru_head = e->lru_next;
    if (e->lru_next != EF_CACHE_NIL)
        c->entries[e->lru_next].lru_prev = e->lru_prev;
    else
        c->lru_tail = e->lru_prev;
    e->lru_prev = e->lru_next = EF_CACHE_NIL;
}

static void lru_push_front(struct ef_cache *c, uint32_t i)
{
    struct ef_cache_entry *e = &c->entries[i];

    e->lru_prev = EF_CACHE_NIL;
    e->lru_next = c->lru_head;
    if (c->lru_head != EF_CACHE_NIL)
        c->entries[c->lru_head].lru_prev = i;
    c->lru_head = i;
    if (c->lru_tail == EF_CACHE_NIL)
        c->lru_tail = i;
}

static void reset_slots(struct ef_cache *c)
{
    uint32_t i;

    for (i = 0; i < c->nbuckets; i++)
        c->buckets[i] = EF_CACHE_NIL;
    c->free_head = EF_CACHE_NIL;
    c->fresh = 0;
    c->lru_head = c->lru_tail = EF_CACHE_NIL;
    c->used = 0;
    c->stats.entries = 0;
}

int ef_cache_init(struct ef_cache *c, uint32_t capacity)
{
    uint32_t nb = 16;

    memset(c, 0, sizeof(*c));
    if (capacity == 0)
        capacity = 1;
    if (capacity > (1u << 24))
        capacity = 1u << 24;
    while (nb < capacity * 2)
        nb *= 2;
    c->entries = malloc((size_t)capacity * sizeof(*c->entries));
    c->buckets = malloc((size_t)nb * sizeof(*c->buckets));
    if (!c->entries || !c->buckets) {
        free(c->entries);
        free(c->buckets);
        memset(c, 0, sizeof(*c));
        return EF_ENOMEM;
    }
    c->capacity = capacity;
    c->nbuckets = nb;
    c->stats.capacity = capacity;
    reset_slots(c);
    return 0;
}

static void free_plans(struct ef_cache *c)
{
    uint32_t i;

    for (i = c->lru_head; i != EF_CACHE_NIL; i = c->entries[i].lru_next) {
        ef_plan_free(c->entries[i].plan);
        c->entries[i].plan = NULL;
    }
}

void ef_cache_free(struct ef_cache *c)
{
    if (!c->entries)
        return;
    free_plans(c);
    free(c->entries);
    free(c->buckets);
    memset(c, 0, sizeof(*c));
}

void ef_cache_clear(struct ef_cache *c)
{
    free_plans(c);
    reset_slots(c);
}

struct ef_cache_entry *ef_cache_get(struct ef_cache *c, const struct ef_cache_key *k, uint64_t hash)
{
    uint32_t i = c->buckets[hash & (c->nbuckets - 1)];

    for (; i != EF_CACHE_NIL; i = c->entries[i].chain_next) {
        struct ef_cache_entry *e = &c->entries[i];

        if (e->hash == hash && memcmp(&e->key, k, sizeof(*k)) == 0) {
            if (c->lru_head != i) {
                lru_unlink(c, i);
                lru_push_front(c, i);
            }
            c->stats.hits++;
            return e;
        }
    }
    c->stats.misses++;
    return NULL;
}

static void evict_lru(struct ef_cache *c)
{
    uint32_t victim = c->lru_tail;
    struct ef_cache_entry *e = &c->entries[victim];
    uint32_t *link = &c->buckets[e->hash & (c->nbuckets - 1)];

    while (*link != victim)
        link = &c->entries[*link].chain_next;
    *link = e->chain_next;
    lru_unlink(c, victim);
    ef_plan_free(e->plan);
    e->plan = NULL;
    e->chain_next = c->free_head;
    c->free_head = victim;
    c->used--;
    c->stats.evictions++;
}

struct ef_cache_entry *ef_cache_put(struct ef_cache *c, const struct ef_cache_key *k, uint64_t hash,
                                    struct ef_plan *plan, int status)
{
    uint32_t i, b;
    struct ef_cache_entry *e;

    if (c->free_head == EF_CACHE_NIL && c->fresh < c->capacity) {
        i = c->fresh++;
        e = &c->entries[i];
    } else {
        if (c->free_head == EF_CACHE_NIL)
            evict_lru(c);
        i = c->free_head;
        e = &c->entries[i];
        c->free_head = e->chain_next;
    }
    e->key = *k;
    e->hash = hash;
    e->plan = plan;
    e->status = status;
    e->source = plan ? plan->schema->source : 0;
    b = (uint32_t)(hash & (c->nbuckets - 1));
    e->chain_next = c->buckets[b];
    c->buckets[b] = i;
    lru_push_front(c, i);
    c->used++;
    c->stats.inserts++;
    c->stats.entries = c->used;
    return e;
}

/*
 * cache.h - the plan cache: compiled plans by event identity, bounded LRU.
 *
 * The key is what DESIGN.md names: {provider GUID, id, version, opcode,
 * level, keywords, TraceLogging metadata hash}; TraceLogging events all use
 * id 0, so their metadata (which holds the event name and its fields) is
 * hashed into the key. Misses are cached too, so an unknown event costs one
 * hash lookup, not a walk through every schema source. Entries live in one
 * array allocated at init; a full cache evicts its least recently used
 * entry, so the cache never allocates after init except for the plans it
 * is given.
 *
 * A cache is used by the one thread that decodes.
 */
#ifndef EF_DECODE_CACHE_H
#define EF_DECODE_CACHE_H

#include <stdint.h>

#include "decode/plan.h"
#include "util/guid.h"

struct ef_cache_key {
    struct ef_guid provider;
    uint64_t keywords;
    uint64_t tl_hash; /* hash of the TraceLogging metadata item, 0 if none */
    uint16_t id;
    uint8_t version;
    uint8_t opcode;
    uint8_t level;
    uint8_t kind; /* enum ef_record_kind: a classic and a manifest event never share */
    uint8_t pad[2];
};

struct ef_cache_entry {
    struct ef_cache_key key;
    uint64_t hash;
    struct ef_plan *plan; /* owned; NULL for a cached miss */
    int status;           /* 0, EF_ENOENT (no schema) or the error of the source/compiler */
    uint8_t source;       /* enum ef_schema_kind of the plan's schema */
    uint32_t lru_prev, lru_next, chain_next;
};

struct ef_cache_stats {
    uint64_t hits, misses, evictions, inserts;
    uint32_t entries, capacity;
};

struct ef_cache {
    struct ef_cache_entry *entries;
    uint32_t *buckets; /* heads of hash chains, EF_CACHE_NIL if empty */
    uint32_t capacity, nbuckets, used;
    uint32_t lru_head, lru_tail; /* most and least recently used */
    uint32_t free_head;          /* slots evicted for reuse */
    uint32_t fresh;              /* slots [fresh, capacity) were never used (not initialized) */
    struct ef_cache_stats stats;
};

#define EF_CACHE_NIL UINT32_MAX

/* A cache of at most capacity entries (>= 1). Returns 0 or EF_ENOMEM. */
int ef_cache_init(struct ef_cache *c, uint32_t capacity);
/* Frees the cache and every plan in it. */
void ef_cache_free(struct ef_cache *c);

/* Fills a key from a record, hashing the TraceLogging metadata if there is any. Any thread. */
void ef_cache_key_from_record(const struct ef_record *r, struct ef_cache_key *k);
uint64_t ef_cache_hash(const struct ef_cache_key *k);

/* The entry for k (made most recently used), or NULL; counts a hit or a miss. */
struct ef_cache_entry *ef_cache_get(struct ef_cache *c, const struct ef_cache_key *k,
                                    uint64_t hash);

/*
 * Inserts k with plan (ownership passes to the cache; NULL for a miss) and
 * status, evicting the least recently used entry when full. k must not be
 * in the cache. Returns the new entry.
 */
struct ef_cache_entry *ef_cache_put(struct ef_cache *c, const struct ef_cache_key *k, uint64_t hash,
                                    struct ef_plan *plan, int status);

/* Drops every entry (a source learned new schemas: cached misses may be stale). */
void ef_cache_clear(struct ef_cache *c);

#endif

/*
 * schema_cache.h - the hash table the embedded and TDH schema sources keep
 * their answers in.
 *
 * Both sources file schemas under the key records are looked up by
 * ({provider GUID, event id, version} for manifest and TraceLogging events,
 * {event class GUID, opcode, version} for MOF events), maps under
 * {provider, map name} and provider infos under the provider GUID. The
 * table owns only its slot array: keys' names and values live in the
 * caller's arena, so names must outlive the table.
 *
 * Open addressing with linear probing and FNV-1a keys; the table doubles
 * when half full. A zeroed struct is an empty table. One thread at a time
 * per table (the decoder's).
 */
#ifndef EF_DECODE_SCHEMA_CACHE_H
#define EF_DECODE_SCHEMA_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "decode/schema.h"
#include "util/arena.h"
#include "util/guid.h"

/* What a key names. */
enum {
    EF_SCACHE_EVENT = 1,    /* {provider, event id, version} */
    EF_SCACHE_MOF = 2,      /* {event class GUID, opcode, version} */
    EF_SCACHE_MAP = 3,      /* {provider, map name} */
    EF_SCACHE_PROVIDER = 4, /* {provider} */
};

struct ef_scache_slot {
    uint64_t hash; /* 0 = empty */
    struct ef_guid guid;
    uint16_t a; /* event id or opcode */
    uint8_t b;  /* version */
    uint8_t kind;
    const char *name; /* maps: the map's name */
    int rc;           /* what the lookup gave, for sources that keep failures */
    void *val;
};

struct ef_scache {
    struct ef_scache_slot *slots;
    size_t cap;
    size_t used;
};

/* The slot filed under the key, or NULL. name NULL matches any name (keys without one). */
struct ef_scache_slot *ef_scache_find(const struct ef_scache *c, uint8_t kind,
                                      const struct ef_guid *g, uint16_t a, uint8_t b,
                                      const char *name);
/* Files {rc, val} under a key that ef_scache_find() returned NULL for. */
int ef_scache_insert(struct ef_scache *c, uint8_t kind, const struct ef_guid *g, uint16_t a,
                     uint8_t b, const char *name, int rc, void *val);
/*
 * The provider info kept for guid, made in arena (and filed) at the first
 * call; a later call with a name fills a name an earlier one lacked. NULL
 * when out of memory. For the ef_tei_env provider callback.
 */
struct ef_provider_info *ef_scache_provider(struct ef_scache *c, struct ef_arena *arena,
                                            const struct ef_guid *guid, const char *name);
/* Frees the slot array (not the names and values). */
void ef_scache_free(struct ef_scache *c);

#endif

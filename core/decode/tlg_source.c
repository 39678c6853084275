/*
 * tlg_source.c - the TraceLogging schema source: a cache of parsed metadata.
 *
 * DESIGN: a record's schema is a function of its metadata item, its
 * provider (GUID and PROV_TRAITS name) and its event descriptor, which the
 * schema copies. The key is those bytes; an open-addressing hash table of
 * entries (grown by doubling at half load) maps them to the schema or to
 * the error its parse gave. Keys and schemas live in an arena that is freed
 * with the source; the arena's cap bounds what a hostile trace can make us
 * keep. Provider infos are shared between the schemas of one provider.
 */
#include "decode/tlg_source.h"

#include "decode/tlg.h"
#include "util/arena.h"
#include "util/bytes.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* The descriptor part of the key, in a fixed layout so it can be hashed and compared. */
struct desc_key {
    struct ef_guid provider;
    uint64_t keywords;
    uint16_t id;
    uint16_t task;
    uint8_t version;
    uint8_t opcode;
    uint8_t level;
    uint8_t channel;
};

struct entry {
    uint64_t hash;
    struct desc_key desc;
    const uint8_t *meta; /* a copy of the metadata item */
    const uint8_t *traits;
    uint16_t meta_len;
    uint16_t traits_len;
    int rc;                         /* the parse's result */
    const struct ef_schema *schema; /* NULL when rc < 0 */
};

struct provider {
    struct provider *next;
    struct ef_provider_info info;
};

/* Providers compared on a miss before a new one is made anyway. */
#define PROVIDER_SCAN_MAX 256

struct tlg_source {
    struct ef_arena arena;
    struct entry *slots; /* power-of-two capacity, hash 0 = empty */
    size_t cap;
    size_t used;
    struct provider *providers;
    size_t provider_count;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void make_desc(const struct ef_record *r, struct desc_key *d)
{
    memset(d, 0, sizeof(*d)); /* padding is hashed and compared too */
    d->provider = r->provider;
    d->keywords = r->keywords;
    d->id = r->id;
    d->task = r->task;
    d->version = r->version;
    d->opcode = r->opcode;
    d->level = r->level;
    d->channel = r->channel;
}

/* Bytes of an item that its own u16 size declares, within what the record holds. */
static uint16_t item_len(const struct ef_ext_item *it)
{
    uint16_t n;

    if (!it || it->size < 2)
        return it ? it->size : 0;
    n = ef_le16(it->data);
    return n <= it->size ? n : it->size;
}

static int entry_matches(const struct entry *e, uint64_t h, const struct desc_key *d,
                         const struct ef_ext_item *meta, uint16_t ml,
                         const struct ef_ext_item *traits, uint16_t tl)
{
    return e->hash == h && e->meta_len == ml && e->traits_len == tl &&
           memcmp(&e->desc, d, sizeof(*d)) == 0 && memcmp(e->meta, meta->data, ml) == 0 &&
           (tl == 0 || memcmp(e->traits, traits->data, tl) == 0);
}

static int grow(struct tlg_source *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 64, i, j;
    struct entry *ns = calloc(ncap, sizeof(*ns));

    if (!ns)
        return EF_ENOMEM;
    for (i = 0; i < s->cap; i++) {
        if (!s->slots[i].hash)
            continue;
        for (j = s->slots[i].hash & (ncap - 1); ns[j].hash; j = (j + 1) & (ncap - 1))
            ;
        ns[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return 0;
}

/* The shared provider info for a GUID and PROV_TRAITS name. */
static const struct ef_provider_info *provider_for(struct tlg_source *s, const struct ef_guid *g,
                                                   const struct ef_ext_item *traits)
{
    const char *name = NULL;
    size_t len = 0, n = 0;
    struct provider *p;

    if (traits && ef_tlg_provider_name(traits->data, traits->size, &name, &len) < 0)
        name = NULL;
    for (p = s->providers; p && n < PROVIDER_SCAN_MAX; p = p->next, n++) {
        if (!ef_guid_equal(&p->info.guid, g))
            continue;
        if (!name ? !p->info.name
                  : p->info.name && strlen(p->info.name) == len &&
                        memcmp(p->info.name, name, len) == 0)
            return &p->info;
    }
    p = ef_arena_alloc(&s->arena, sizeof(*p));
    if (!p)
        return NULL;
    p->info.guid = *g;
    if (name && !(p->info.name = ef_arena_strndup(&s->arena, name, len)))
        return NULL;
    p->next = s->providers;
    s->providers = p;
    s->provider_count++;
    return &p->info;
}

/* Parses the record's metadata into a new schema. */
static int build(struct tlg_source *s, const struct ef_record *r, const struct ef_ext_item *meta,
                 const struct ef_ext_item *traits, const struct ef_schema **out)
{
    struct ef_schema *sc = ef_arena_alloc(&s->arena, sizeof(*sc));
    int rc;

    if (!sc)
        return EF_ELIMIT;
    sc->provider = provider_for(s, &r->provider, traits);
    if (!sc->provider)
        return EF_ELIMIT;
    sc->id = r->id;
    sc->version = r->version;
    sc->opcode = r->opcode;
    sc->level = r->level;
    sc->channel = r->channel;
    sc->task = r->task;
    sc->keywords = r->keywords;
    sc->source = EF_SCHEMA_TRACELOGGING;
    rc = ef_tlg_parse(meta->data, meta->size, &s->arena, sc);
    if (rc == EF_ENOMEM)
        rc = EF_ELIMIT; /* the arena's cap, or the system: either way a limit */
    if (rc == 0)
        *out = sc;
    return rc;
}

static int tlg_lookup(void *ctx, const struct ef_record *r, const struct ef_schema **out)
{
    struct tlg_source *s = ctx;
    const struct ef_ext_item *meta, *traits;
    struct desc_key d;
    struct entry *e;
    uint16_t ml, tl;
    uint64_t h;
    size_t i;
    uint8_t *copy;
    int rc;

    meta = ef_record_ext(r, EF_EXT_EVENT_SCHEMA_TL);
    if (!meta || r->kind != EF_REC_EVENT)
        return EF_ENOENT;
    traits = ef_record_ext(r, EF_EXT_PROV_TRAITS);
    ml = item_len(meta);
    tl = item_len(traits);
    make_desc(r, &d);
    h = fnv(fnv(fnv(0xcbf29ce484222325ull, &d, sizeof(d)), meta->data, ml),
            tl ? traits->data : (const uint8_t *)"", tl);
    h |= 1; /* 0 marks an empty slot */
    for (i = s->cap ? h & (s->cap - 1) : 0; s->cap && s->slots[i].hash;
         i = (i + 1) & (s->cap - 1)) {
        e = &s->slots[i];
        if (entry_matches(e, h, &d, meta, ml, traits, tl)) {
            *out = e->schema;
            return e->rc;
        }
    }
    if ((s->used + 1) * 2 > s->cap) {
        if ((rc = grow(s)) < 0)
            return rc;
    }
    copy = ef_arena_alloc(&s->arena, (size_t)ml + tl + 1);
    if (!copy)
        return EF_ELIMIT;
    memcpy(copy, meta->data, ml);
    if (tl)
        memcpy(copy + ml, traits->data, tl);
    for (i = h & (s->cap - 1); s->slots[i].hash; i = (i + 1) & (s->cap - 1))
        ;
    e = &s->slots[i];
    e->hash = h;
    e->desc = d;
    e->meta = copy;
    e->meta_len = ml;
    e->traits = copy + ml;
    e->traits_len = tl;
    e->schema = NULL;
    s->used++;
    e->rc = build(s, r, meta, traits, &e->schema);
    if (e->rc == EF_ELIMIT) {
        /* Not the metadata's fault: forget the entry so a later lookup may retry. */
        e->hash = 0;
        s->used--;
        return EF_ELIMIT;
    }
    *out = e->schema;
    return e->rc;
}

static void tlg_destroy(void *ctx)
{
    struct tlg_source *s = ctx;

    if (!s)
        return;
    ef_arena_free(&s->arena);
    free(s->slots);
    free(s);
}

static const struct ef_schema_source_ops tlg_ops = {
    .name = "tracelogging",
    .lookup = tlg_lookup,
    .observe = NULL,
    .destroy = tlg_destroy,
};

int ef_tlg_source_create(size_t max_bytes, struct ef_schema_source *out)
{
    struct tlg_source *s = calloc(1, sizeof(*s));

    if (!s)
        return EF_ENOMEM;
    ef_arena_init(&s->arena, max_bytes ? max_bytes : EF_TLG_SOURCE_DEFAULT_MAX);
    out->ops = &tlg_ops;
    out->ctx = s;
    return 0;
}

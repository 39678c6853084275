/*
 * tdh_source_win.c - the `tdh` schema source: TdhGetEventInformation and
 * TdhGetEventMapInformation through the API table, read by core/decode/tei.
 *
 * DESIGN: lookup() calls TdhGetEventInformation into one reusable buffer,
 * growing it when TDH answers ERROR_INSUFFICIENT_BUFFER (at most
 * EF_TDH_MAX_BLOB bytes and MAX_TRIES calls: a TDH that keeps asking for
 * more is an error, not a loop), and parses the blob with ef_tei_parse().
 * The reader's find_map callback calls TdhGetEventMapInformation for each
 * map name, with the same EVENT_RECORD, into a second buffer (the first
 * still holds the blob being parsed). Every TDH status goes through
 * ef_from_win32().
 *
 * The decoder caches plans, but it evicts them, so this source keeps what
 * TDH answered in a hash table (core/decode/schema_cache.c, shared with
 * the embedded source): schemas under {provider, id, version} for
 * manifest events and {event class GUID, opcode, version} for MOF events
 * (as the embedded source keys them), maps under {provider, map name}, both
 * with definite failures (no map, a broken blob). "No schema" is not kept:
 * a provider may register its manifest later. TraceLogging events are not
 * kept either, since they share id 0; the tracelogging source answers them
 * first anyway. Everything lives in one capped arena.
 */
#include "etw/tdh_source.h"

#include "decode/schema_cache.h"
#include "decode/tei.h"
#include "etw/error_win.h"
#include "etw/etw_api.h"
#include "util/arena.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* TDH calls per blob: the first may find the buffer short, the second should fit. */
#define MAX_TRIES 4
/* Longest map name, in UTF-16 units with the NUL. */
#define MAX_MAP_NAME 256

/* A growable buffer for one TDH answer. */
struct blob {
    void *p;
    ULONG cap;
};

struct tdh {
    struct ef_etw_api api;
    struct ef_arena arena;
    struct ef_scache cache;
    struct blob event_buf;
    struct blob map_buf;
    PEVENT_RECORD cur; /* the record being looked up, for the map calls */
};

/* ---- TDH calls ---- */

/*
 * Makes sure b holds at least want bytes (capped), keeping nothing: the
 * next TDH call rewrites it.
 */
static int reserve(struct blob *b, ULONG want)
{
    void *np;

    if (want <= b->cap)
        return 0;
    if (want > EF_TDH_MAX_BLOB)
        return EF_ELIMIT;
    np = malloc(want);
    if (!np)
        return EF_ENOMEM;
    free(b->p);
    b->p = np;
    b->cap = want;
    return 0;
}

/* Which TDH call fetch() makes. */
struct call {
    struct tdh *t;
    LPWSTR map_name; /* NULL: TdhGetEventInformation */
};

static ULONG call_tdh(const struct call *c, void *buf, ULONG *size)
{
    if (c->map_name)
        return c->t->api.get_event_map_information(c->t->cur, c->map_name, buf, size);
    return c->t->api.get_event_information(c->t->cur, 0, NULL, buf, size);
}

/*
 * Makes one TDH call until its answer fits in b, and sets *len to the
 * answer's length. TDH sets the size it needs on ERROR_INSUFFICIENT_BUFFER;
 * a size that is no larger than what it was given is a lie, answered by
 * doubling, and MAX_TRIES bounds a TDH that never stops asking. On success
 * the size TDH reports is trusted only as far as the buffer goes.
 */
static int fetch(const struct call *c, struct blob *b, size_t *len)
{
    ULONG size, st, want;
    int i, rc;

    for (i = 0; i < MAX_TRIES; i++) {
        size = b->cap;
        st = call_tdh(c, b->p, &size);
        if (st == ERROR_SUCCESS) {
            *len = size < b->cap ? size : b->cap;
            return 0;
        }
        if (st != ERROR_INSUFFICIENT_BUFFER)
            return ef_from_win32(st);
        want = size > b->cap ? size : (b->cap ? b->cap * 2 : 256);
        if ((rc = reserve(b, want)) < 0)
            return rc;
    }
    return EF_ESYS;
}

/* ---- the reader's callbacks ---- */

static const struct ef_map *tdh_find_map(void *ctx, const struct ef_guid *provider,
                                         const char *name)
{
    struct tdh *t = ctx;
    WCHAR wname[MAX_MAP_NAME];
    struct call c = {t, wname};
    const struct ef_map *m = NULL;
    struct ef_scache_slot *s;
    size_t len;
    int rc;

    if ((s = ef_scache_find(&t->cache, EF_SCACHE_MAP, provider, 0, 0, name)))
        return s->val;
    if (!MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, name, -1, wname, MAX_MAP_NAME)) {
        rc = EF_EFORMAT; /* not a name TDH could have given */
    } else if ((rc = fetch(&c, &t->map_buf, &len)) == 0) {
        rc = ef_tei_parse_map(t->map_buf.p, len, &t->arena, &m);
        if (rc < 0)
            m = NULL;
    }
    /* No map and a broken map are answers worth keeping; running out of memory is not. */
    if (rc == 0 || rc == EF_ENOENT || rc == EF_EFORMAT || rc == EF_ETRUNC)
        (void)ef_scache_insert(&t->cache, EF_SCACHE_MAP, provider, 0, 0, name, rc, (void *)m);
    return m;
}

static const struct ef_provider_info *tdh_provider(void *ctx, const struct ef_guid *guid,
                                                   const char *name)
{
    struct tdh *t = ctx;

    return ef_scache_provider(&t->cache, &t->arena, guid, name);
}

/* ---- the source ---- */

static int ask_tdh(struct tdh *t, const struct ef_record *r, const struct ef_schema **out)
{
    struct ef_tei_env env = {tdh_find_map, tdh_provider, t};
    struct call c = {t, NULL};
    size_t len;
    int rc;

    t->cur = (PEVENT_RECORD)r->native;
    rc = fetch(&c, &t->event_buf, &len);
    if (rc == 0)
        rc = ef_tei_parse(t->event_buf.p, len, &t->arena, &env, out);
    t->cur = NULL;
    if (rc == EF_ENOMEM)
        return EF_ELIMIT; /* the arena's cap: not TDH's fault */
    if (rc == 0)
        ((struct ef_schema *)*out)->source = EF_SCHEMA_TDH; /* ours: allocated in t->arena */
    return rc;
}

static int tdh_lookup(void *ctx, const struct ef_record *r, const struct ef_schema **out)
{
    struct tdh *t = ctx;
    const struct ef_schema *s = NULL;
    struct ef_scache_slot *slot;
    uint8_t kind;
    uint16_t a;
    int rc;

    if (!r->native)
        return EF_ENOENT; /* read from a file by core/etl: TDH needs an EVENT_RECORD */
    if (r->kind == EF_REC_EVENT && ef_record_ext(r, EF_EXT_EVENT_SCHEMA_TL))
        kind = 0; /* TraceLogging: not kept, see DESIGN */
    else if (r->kind == EF_REC_EVENT)
        kind = EF_SCACHE_EVENT;
    else if (r->kind == EF_REC_CLASSIC || r->kind == EF_REC_KERNEL)
        kind = EF_SCACHE_MOF;
    else
        return EF_ENOENT; /* WPP needs TMF files; headers are not events */
    a = kind == EF_SCACHE_MOF ? r->opcode : r->id;
    if (kind && (slot = ef_scache_find(&t->cache, kind, &r->provider, a, r->version, NULL))) {
        if (slot->rc == 0)
            *out = slot->val;
        return slot->rc;
    }
    rc = ask_tdh(t, r, &s);
    if (kind && (rc == 0 || rc == EF_EFORMAT || rc == EF_ETRUNC))
        (void)ef_scache_insert(&t->cache, kind, &r->provider, a, r->version, NULL, rc, (void *)s);
    if (rc == 0)
        *out = s;
    return rc;
}

static void tdh_destroy(void *ctx)
{
    struct tdh *t = ctx;

    if (!t)
        return;
    ef_arena_free(&t->arena);
    ef_scache_free(&t->cache);
    free(t->event_buf.p);
    free(t->map_buf.p);
    free(t);
}

static const struct ef_schema_source_ops tdh_ops = {
    .name = "tdh",
    .lookup = tdh_lookup,
    .observe = NULL,
    .destroy = tdh_destroy,
};

int ef_tdh_source_create(const struct ef_etw_api *api, size_t max_bytes,
                         struct ef_schema_source *out)
{
    struct ef_etw_api real;
    struct tdh *t;
    int rc;

    if (!api) {
        if ((rc = ef_etw_api_real(&real)) < 0)
            return rc;
        api = &real;
    }
    if (!api->get_event_information || !api->get_event_map_information)
        return EF_ENOTSUP;
    t = calloc(1, sizeof(*t));
    if (!t)
        return EF_ENOMEM;
    t->api = *api;
    ef_arena_init(&t->arena, max_bytes ? max_bytes : EF_TDH_DEFAULT_MAX);
    out->ops = &tdh_ops;
    out->ctx = t;
    return 0;
}

/*
 * eventsource.c - EventSource manifests sent in-band, as ManifestData chunks.
 *
 * DESIGN: observe() compares three descriptor fields, so records that are
 * not ManifestData cost nothing. Chunks of one provider are appended to
 * that provider's assembly buffer in order; anything else (a chunk missing,
 * out of order, a different TotalChunks) abandons the assembly, counts a
 * reset, and the provider's chunks are skipped until its next chunk 0
 * (EventSource always starts a manifest at chunk 0, also when it restarts
 * with smaller chunks). A complete manifest is hashed: the one already
 * loaded is not loaded again, and a changed one is loaded into a new
 * manifest source that replaces the provider's. The replaced source is not
 * freed but retired until the end, because source.h promises that a schema
 * stays valid as long as its source and plans may still point into it; its
 * XML keeps counting against max_total, which bounds how often a stream can
 * make us reload.
 *
 * Memory: chunk buffers and the XML of every loaded manifest (kept as a
 * stand-in for the schemas built from it) count against max_total; one
 * manifest is at most max_manifest bytes.
 */
#include "decode/eventsource.h"

#include "decode/manifest.h"
#include "util/attr.h"
#include "util/buf.h"
#include "util/bytes.h"
#include "util/error.h"
#include "util/guid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct retired {
    struct retired *next;
    struct ef_schema_source src;
};

struct provider {
    struct ef_guid guid;
    /* The assembly in progress: total == 0 when there is none. */
    uint8_t *buf;
    size_t len, cap;
    uint16_t total, next;
    int skipping; /* an assembly was abandoned: skip chunks until the next chunk 0 */
    /* The manifest loaded last: src.ctx is NULL until one loads. */
    struct ef_schema_source src;
    uint64_t hash;
    size_t xml_len;
    /* The built-in schema of the ManifestData events themselves. */
    struct ef_provider_info info;
    struct ef_schema envelope;
};

struct es {
    struct ef_es_opts o;
    struct provider **prov;
    uint32_t nprov, capprov;
    struct retired *retired;
    struct ef_es_stats st;
    struct ef_buf err;
};

/*
 * The envelope as fields: the numbers as they are, the chunk as text (it is
 * UTF-8 XML; a multi-byte character cut at a chunk boundary is shown as
 * U+FFFD), to the end of the payload.
 */
static const struct ef_field envelope_fields[] = {
    {.name = "Format", .intype = EF_IN_UINT8},
    {.name = "MajorVersion", .intype = EF_IN_UINT8},
    {.name = "MinorVersion", .intype = EF_IN_UINT8},
    {.name = "Magic", .intype = EF_IN_UINT8},
    {.name = "TotalChunks", .intype = EF_IN_UINT16},
    {.name = "ChunkNumber", .intype = EF_IN_UINT16},
    {.name = "Data", .intype = EF_IN_NONNULLTERMINATEDANSISTRING, .outtype = EF_OUT_UTF8},
};

static int is_manifest_data(const struct ef_record *r)
{
    return r->id == EF_ES_MANIFEST_ID && r->opcode == EF_ES_MANIFEST_OPCODE &&
           r->task == EF_ES_MANIFEST_TASK && r->kind == EF_REC_EVENT;
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static struct provider *find_provider(const struct es *e, const struct ef_guid *g)
{
    uint32_t i;

    for (i = 0; i < e->nprov; i++) {
        if (ef_guid_equal(&e->prov[i]->guid, g))
            return e->prov[i];
    }
    return NULL;
}

static int add_provider(struct es *e, const struct ef_guid *g, struct provider **out)
{
    struct provider *p, **grown;
    uint32_t ncap;

    if (e->nprov >= e->o.max_providers)
        return EF_ELIMIT;
    if (e->nprov == e->capprov) {
        ncap = e->capprov ? e->capprov * 2 : 8;
        grown = realloc(e->prov, ncap * sizeof(*grown));
        if (!grown)
            return EF_ENOMEM;
        e->prov = grown;
        e->capprov = ncap;
    }
    p = calloc(1, sizeof(*p));
    if (!p)
        return EF_ENOMEM;
    p->guid = *g;
    p->info.guid = *g;
    p->envelope.provider = &p->info;
    p->envelope.id = EF_ES_MANIFEST_ID;
    p->envelope.version = 1;
    p->envelope.opcode = EF_ES_MANIFEST_OPCODE;
    p->envelope.task = EF_ES_MANIFEST_TASK;
    p->envelope.event_name = "ManifestData";
    p->envelope.task_name = "ManifestData";
    p->envelope.source = EF_SCHEMA_EVENTSOURCE;
    p->envelope.field_count = EF_ARRAY_LEN(envelope_fields);
    p->envelope.top_count = EF_ARRAY_LEN(envelope_fields);
    p->envelope.fields = envelope_fields;
    e->prov[e->nprov++] = p;
    e->st.providers = e->nprov;
    *out = p;
    return 0;
}

/* Drops the assembly in progress; the rest of its chunks are skipped. */
static void abandon(struct es *e, struct provider *p)
{
    e->st.bytes -= p->cap;
    free(p->buf);
    p->buf = NULL;
    p->len = p->cap = 0;
    p->total = p->next = 0;
    p->skipping = 1;
}

static int append(struct es *e, struct provider *p, const uint8_t *data, size_t n)
{
    size_t need = p->len + n, ncap;
    uint8_t *grown;

    if (need > e->o.max_manifest)
        return EF_ELIMIT;
    if (need > p->cap) {
        ncap = p->cap ? p->cap : 4096;
        while (ncap < need)
            ncap *= 2;
        if (ncap > e->o.max_manifest)
            ncap = e->o.max_manifest;
        if (e->st.bytes - p->cap + ncap > e->o.max_total)
            return EF_ELIMIT;
        grown = realloc(p->buf, ncap);
        if (!grown)
            return EF_ENOMEM;
        e->st.bytes = e->st.bytes - p->cap + ncap;
        p->buf = grown;
        p->cap = ncap;
    }
    memcpy(p->buf + p->len, data, n);
    p->len = need;
    return 0;
}

/* A manifest is complete: load it unless it is the one already loaded. */
static int load(struct es *e, struct provider *p)
{
    struct ef_schema_source ns = {NULL, NULL};
    const struct ef_provider_info *pi;
    struct retired *old = NULL;
    char g[EF_GUID_STR_SIZE], name[64];
    uint64_t h = fnv1a(p->buf, p->len);
    int rc;

    if (p->src.ctx && h == p->hash && p->len == p->xml_len) {
        e->st.repeats++;
        rc = 1;
        goto out;
    }
    if (p->src.ctx && !(old = calloc(1, sizeof(*old)))) {
        rc = EF_ENOMEM;
        goto out;
    }
    if ((rc = ef_manifest_source_new(&ns)) < 0)
        goto out;
    ef_guid_format(&p->guid, g);
    snprintf(name, sizeof(name), "eventsource %s", g);
    ef_buf_reset(&e->err);
    rc = ef_manifest_source_add_buffer(ns.ctx, name, (const char *)p->buf, p->len, &e->err);
    if (rc < 0) {
        e->st.load_errors++;
        ns.ops->destroy(ns.ctx);
        goto out;
    }
    if (old) {
        old->src = p->src;
        old->next = e->retired;
        e->retired = old;
        old = NULL;
        e->st.replaced++;
    }
    p->src = ns;
    p->hash = h;
    p->xml_len = p->len;
    e->st.bytes += p->len; /* the XML stands for the schemas built from it */
    if ((pi = ef_manifest_source_provider_by_guid(ns.ctx, &p->guid)))
        p->info.name = pi->name;
    e->st.manifests++;
    rc = 1;
out:
    free(old);
    e->st.bytes -= p->cap;
    free(p->buf);
    p->buf = NULL;
    p->len = p->cap = 0;
    p->total = p->next = 0;
    return rc;
}

/* Checks the envelope: 0, or the code observe() returns for a bad one. */
static int check_envelope(const struct ef_record *r)
{
    const uint8_t *d = r->user_data;
    uint16_t total, chunk;

    if (r->user_data_len < EF_ES_ENVELOPE_SIZE)
        return EF_ETRUNC;
    if (d[0] != EF_ES_FORMAT_XML)
        return EF_ENOTSUP;
    total = ef_le16(d + 4);
    chunk = ef_le16(d + 6);
    if (d[3] != EF_ES_MAGIC || total == 0 || chunk >= total)
        return EF_EFORMAT;
    return 0;
}

static int take_chunk(struct es *e, struct provider *p, const struct ef_record *r)
{
    uint16_t total = ef_le16(r->user_data + 4), chunk = ef_le16(r->user_data + 6);
    int rc;

    if (chunk == 0) {
        if (p->total)
            e->st.resets++; /* restarted before the end: the old one is incomplete */
        e->st.bytes -= p->cap;
        free(p->buf);
        p->buf = NULL;
        p->len = p->cap = 0;
        p->total = total;
        p->next = 0;
        p->skipping = 0;
    } else if (!p->total) {
        if (p->skipping) {
            e->st.skipped++;
            return 0;
        }
        e->st.resets++; /* its chunk 0 never came */
        p->skipping = 1;
        return EF_EFORMAT;
    } else if (chunk != p->next || total != p->total) {
        e->st.resets++;
        abandon(e, p);
        return EF_EFORMAT;
    }
    e->st.chunks++;
    rc = append(e, p, r->user_data + EF_ES_ENVELOPE_SIZE, r->user_data_len - EF_ES_ENVELOPE_SIZE);
    if (rc < 0) {
        e->st.oversize++;
        abandon(e, p);
        return rc;
    }
    if (++p->next < p->total)
        return 1;
    return load(e, p);
}

static int es_observe(void *ctx, const struct ef_record *r)
{
    struct es *e = ctx;
    struct provider *p;
    int rc;

    if (!is_manifest_data(r))
        return 0;
    p = find_provider(e, &r->provider);
    if ((rc = check_envelope(r)) < 0) {
        e->st.bad_envelope++;
        if (p && p->total) {
            e->st.resets++; /* the chunk is lost, so is the manifest */
            abandon(e, p);
        }
        return rc;
    }
    if (!p && (rc = add_provider(e, &r->provider, &p)) < 0) {
        if (rc == EF_ELIMIT)
            e->st.oversize++;
        return rc;
    }
    return take_chunk(e, p, r);
}

static int es_lookup(void *ctx, const struct ef_record *r, const struct ef_schema **out)
{
    struct es *e = ctx;
    struct provider *p;

    if (r->kind != EF_REC_EVENT || !(p = find_provider(e, &r->provider)))
        return EF_ENOENT;
    if (is_manifest_data(r)) {
        *out = &p->envelope;
        return 0;
    }
    if (!p->src.ctx)
        return EF_ENOENT;
    return p->src.ops->lookup(p->src.ctx, r, out);
}

static void es_destroy(void *ctx)
{
    struct es *e = ctx;
    struct retired *t, *next;
    uint32_t i;

    if (!e)
        return;
    for (i = 0; i < e->nprov; i++) {
        if (e->prov[i]->src.ctx)
            e->prov[i]->src.ops->destroy(e->prov[i]->src.ctx);
        free(e->prov[i]->buf);
        free(e->prov[i]);
    }
    for (t = e->retired; t; t = next) {
        next = t->next;
        t->src.ops->destroy(t->src.ctx);
        free(t);
    }
    free(e->prov);
    ef_buf_free(&e->err);
    free(e);
}

static const struct ef_schema_source_ops es_ops = {
    .name = "eventsource",
    .lookup = es_lookup,
    .observe = es_observe,
    .destroy = es_destroy,
};

int ef_es_source_create(const struct ef_es_opts *opts, struct ef_schema_source *out)
{
    struct es *e = calloc(1, sizeof(*e));

    if (!e)
        return EF_ENOMEM;
    if (opts)
        e->o = *opts;
    if (!e->o.max_manifest)
        e->o.max_manifest = EF_ES_DEFAULT_MAX_MANIFEST;
    if (!e->o.max_total)
        e->o.max_total = EF_ES_DEFAULT_MAX_TOTAL;
    if (!e->o.max_providers)
        e->o.max_providers = EF_ES_DEFAULT_MAX_PROVIDERS;
    ef_buf_init(&e->err, 4096);
    out->ops = &es_ops;
    out->ctx = e;
    return 0;
}

void ef_es_source_stats(const void *ctx, struct ef_es_stats *out)
{
    *out = ((const struct es *)ctx)->st;
}

const char *ef_es_source_last_error(const void *ctx)
{
    const struct es *e = ctx;

    return e->err.data ? e->err.data : "";
}

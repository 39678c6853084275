/*
 * manifest_index.c - the manifest schema source: loading files and lookups.
 *
 * Each loaded file owns an arena with its schemas; the index is one array
 * of (provider GUID, id, version) -> schema, sorted, searched by bisection.
 * A file is parsed and built completely before anything of it enters the
 * index, so a bad file leaves the source as it was. When two files define
 * the same event, the first file loaded wins and the later one is counted
 * as a duplicate (docs/schemas.md).
 */
#include "decode/manifest.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode/manifest_internal.h"
#include "decode/source_file.h"
#include "util/error.h"

#define MAX_SCRATCH (512u << 20)
#define MAX_SCHEMAS (256u << 20)

struct file_mem {
    struct file_mem *next;
    struct ef_arena arena;
};

struct ef_manifest_source {
    struct file_mem *files;
    struct mf_built_event *index; /* malloc'd, sorted like cmp_key */
    uint32_t count;
    const struct ef_provider_info **providers; /* malloc'd */
    uint32_t provider_count;
    struct ef_manifest_stats stats;
};

static int cmp_key(const struct ef_guid *g, uint16_t id, uint8_t version,
                   const struct mf_built_event *e)
{
    int c = memcmp(g, &e->guid, sizeof(*g));

    if (c)
        return c < 0 ? -1 : 1;
    if (id != e->schema->id)
        return id < e->schema->id ? -1 : 1;
    if (version != e->schema->version)
        return version < e->schema->version ? -1 : 1;
    return 0;
}

static const struct mf_built_event *search(const struct mf_built_event *a, uint32_t n,
                                           const struct ef_guid *g, uint16_t id, uint8_t version)
{
    uint32_t lo = 0, hi = n, mid;
    int c;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = cmp_key(g, id, version, &a[mid]);
        if (c == 0)
            return &a[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

int ef_manifest_source_find(const struct ef_manifest_source *m, const struct ef_guid *provider,
                            uint16_t id, uint8_t version, const struct ef_schema **out)
{
    const struct mf_built_event *e = search(m->index, m->count, provider, id, version);

    if (!e)
        return EF_ENOENT;
    *out = e->schema;
    return 0;
}

const struct ef_provider_info *ef_manifest_source_provider(const struct ef_manifest_source *m,
                                                           const char *name)
{
    uint32_t i;

    for (i = 0; i < m->provider_count; i++) {
        if (strcasecmp(m->providers[i]->name, name) == 0)
            return m->providers[i];
    }
    return NULL;
}

const struct ef_provider_info *
ef_manifest_source_provider_by_guid(const struct ef_manifest_source *m, const struct ef_guid *guid)
{
    uint32_t i;

    for (i = 0; i < m->provider_count; i++) {
        if (ef_guid_equal(&m->providers[i]->guid, guid))
            return m->providers[i];
    }
    return NULL;
}

void ef_manifest_source_stats(const struct ef_manifest_source *m, struct ef_manifest_stats *out)
{
    *out = m->stats;
}

/* Merges the sorted events of a new file into the index; earlier files win. */
static int merge(struct ef_manifest_source *m, const struct mf_built *b)
{
    struct mf_built_event *out;
    const struct ef_provider_info **prov;
    uint32_t i = 0, j = 0, n = 0;
    int c;

    out = malloc(((size_t)m->count + b->count + 1) * sizeof(*out));
    prov =
        realloc(m->providers, ((size_t)m->provider_count + b->provider_count + 1) * sizeof(*prov));
    if (!out || !prov) {
        free(out);
        if (prov)
            m->providers = prov;
        return EF_ENOMEM;
    }
    m->providers = prov;
    while (i < m->count || j < b->count) {
        if (i == m->count)
            c = 1;
        else if (j == b->count)
            c = -1;
        else /* the new event against the old one: old first when new > old */
            c = -cmp_key(&b->events[j].guid, b->events[j].schema->id, b->events[j].schema->version,
                         &m->index[i]);
        if (c < 0) {
            out[n++] = m->index[i++];
        } else if (c > 0) {
            out[n++] = b->events[j++];
        } else {
            out[n++] = m->index[i++];
            j++;
            m->stats.duplicates++;
        }
    }
    free(m->index);
    m->index = out;
    m->count = n;
    for (i = 0; i < b->provider_count; i++)
        m->providers[m->provider_count++] = b->providers[i];
    m->stats.files++;
    m->stats.providers += b->provider_count;
    m->stats.events = n;
    return 0;
}

int ef_manifest_source_add_buffer(struct ef_manifest_source *m, const char *name, const char *data,
                                  size_t len, struct ef_buf *err)
{
    struct ef_arena scratch;
    struct file_mem *fm;
    struct mf_doc doc;
    struct mf_built built;
    int rc;

    fm = calloc(1, sizeof(*fm));
    if (!fm)
        return EF_ENOMEM;
    ef_arena_init(&fm->arena, MAX_SCHEMAS);
    ef_arena_init(&scratch, MAX_SCRATCH);
    memset(&doc, 0, sizeof(doc));
    doc.path = name;
    doc.arena = &scratch;
    if ((rc = ef_mf_parse(&doc, data, len, err)) < 0)
        goto out;
    if ((rc = ef_mf_build(&doc, &fm->arena, &built, err)) < 0)
        goto out;
    if ((rc = merge(m, &built)) < 0)
        goto out;
    fm->next = m->files;
    m->files = fm;
    fm = NULL;
out:
    ef_arena_free(&scratch);
    if (fm) {
        ef_arena_free(&fm->arena);
        free(fm);
    }
    return rc;
}

static int add_buffer(void *src, const char *name, const char *data, size_t len, struct ef_buf *err)
{
    return ef_manifest_source_add_buffer(src, name, data, len, err);
}

int ef_manifest_source_add_file(struct ef_manifest_source *m, const char *path, struct ef_buf *err)
{
    return ef_source_add_file(path, add_buffer, m, err);
}

static int has_manifest_ext(const char *n)
{
    size_t l = strlen(n);

    return l > 4 && (strcasecmp(n + l - 4, ".man") == 0 || strcasecmp(n + l - 4, ".xml") == 0);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ef_manifest_source_add_dir(struct ef_manifest_source *m, const char *dir, struct ef_buf *err)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL, **grown, *path;
    size_t n = 0, cap = 0, i, plen;
    int rc = 0, frc;

    if (!d) {
        if (err)
            ef_buf_appendf(err, "%s: cannot open folder", dir);
        return EF_ENOENT;
    }
    while ((de = readdir(d))) {
        if (!has_manifest_ext(de->d_name))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            grown = realloc(names, cap * sizeof(*names));
            if (!grown) {
                rc = EF_ENOMEM;
                goto out;
            }
            names = grown;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = EF_ENOMEM;
            goto out;
        }
        n++;
    }
    if (n > 1)
        qsort(names, n, sizeof(*names), cmp_name);
    for (i = 0; i < n; i++) {
        plen = strlen(dir) + strlen(names[i]) + 2;
        if (!(path = malloc(plen))) {
            rc = EF_ENOMEM;
            goto out;
        }
        snprintf(path, plen, "%s/%s", dir, names[i]);
        if (err && err->len && err->data[err->len - 1] != '\n')
            ef_buf_append_byte(err, '\n');
        frc = ef_manifest_source_add_file(m, path, err);
        free(path);
        if (frc < 0 && rc == 0)
            rc = frc;
    }
out:
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return rc;
}

static int lookup(void *ctx, const struct ef_record *r, const struct ef_schema **out)
{
    return ef_manifest_source_find(ctx, &r->provider, r->id, r->version, out);
}

static void destroy(void *ctx)
{
    struct ef_manifest_source *m = ctx;
    struct file_mem *fm, *next;

    if (!m)
        return;
    for (fm = m->files; fm; fm = next) {
        next = fm->next;
        ef_arena_free(&fm->arena);
        free(fm);
    }
    free(m->index);
    free(m->providers);
    free(m);
}

static const struct ef_schema_source_ops manifest_ops = {
    .name = "manifest",
    .lookup = lookup,
    .observe = NULL,
    .destroy = destroy,
};

int ef_manifest_source_new(struct ef_schema_source *out)
{
    struct ef_manifest_source *m = calloc(1, sizeof(*m));

    if (!m)
        return EF_ENOMEM;
    out->ops = &manifest_ops;
    out->ctx = m;
    return 0;
}

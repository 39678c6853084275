/*
 * mof_source.c - the kernel MOF schema source: loading and lookups.
 *
 * Each loaded file keeps one arena with its classes (later files may
 * derive from them) and its schemas. The index is one sorted array of
 * (group GUID, event type, version) -> schema; a lookup bisects to the
 * highest version not above the record's.
 *
 * Every source also holds a second layer, built the same way from the
 * built-in class text (mof_builtin.c) when the source is created. Lookups
 * ask both layers: an exact version beats a fallback, and between two exact
 * classes or two fallbacks of the same version the file wins, so a user's
 * MOF file can always override ours (docs/schemas.md).
 */
#include "decode/mof.h"

#include <stdlib.h>
#include <string.h>

#include "decode/mof_internal.h"
#include "decode/source_file.h"
#include "util/error.h"
#include "util/guid.h"

#define MAX_ARENA (256u << 20)

struct mof_file {
    struct mof_file *next;
    struct ef_arena arena;
    struct mof_class *classes;
};

struct ef_mof_source {
    struct mof_file *files;
    struct mof_class *known; /* every class of every loaded file, one list */
    struct mof_built_schema *index;
    uint32_t count;
    struct ef_mof_stats stats;
    struct ef_mof_source *builtin; /* the built-in layer; NULL in that layer itself */
};

static int cmp_key(const struct ef_guid *g, uint8_t type, uint8_t version,
                   const struct mof_built_schema *e)
{
    int c = memcmp(g, &e->guid, sizeof(*g));

    if (c)
        return c < 0 ? -1 : 1;
    if (type != e->schema->opcode)
        return type < e->schema->opcode ? -1 : 1;
    if (version != e->schema->version)
        return version < e->schema->version ? -1 : 1;
    return 0;
}

/*
 * Kernel events logged under one group's hook but described by another
 * group's class. The image load event is hook 0x030A (WMI_LOG_TYPE_PROCESS_
 * LOAD_IMAGE: the process group with type LOAD), so its records carry the
 * Process GUID, while its layout is the Image_Load class (Image group); TDH
 * and PerfView decode it so.
 */
static const struct {
    struct ef_guid from;
    uint8_t type;
    struct ef_guid to;
} group_alias[] = {
    {{0x3d6fa8d0, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}},
     10,
     {0x2cb15d1d, 0x5fc1, 0x11d2, {0xab, 0xe1, 0x00, 0xa0, 0xc9, 0x11, 0xf5, 0x18}}},
};

static int find_exact_group(const struct ef_mof_source *m, const struct ef_guid *group,
                            uint8_t type, uint8_t version, const struct ef_schema **out);

/* One layer's answer: the highest version not above the record's. */
static int find_layer(const struct ef_mof_source *m, const struct ef_guid *group, uint8_t type,
                      uint8_t version, const struct ef_schema **out)
{
    size_t i;
    int rc = find_exact_group(m, group, type, version, out);

    for (i = 0; rc == EF_ENOENT && i < sizeof(group_alias) / sizeof(group_alias[0]); i++) {
        if (group_alias[i].type == type && ef_guid_equal(&group_alias[i].from, group))
            rc = find_exact_group(m, &group_alias[i].to, type, version, out);
    }
    return rc;
}

/*
 * Both layers: the file's exact class, else the built-in exact class, else
 * the closer fallback of the two (the file's when they tie).
 */
int ef_mof_source_find(const struct ef_mof_source *m, const struct ef_guid *group, uint8_t type,
                       uint8_t version, const struct ef_schema **out)
{
    const struct ef_schema *file = NULL, *ours = NULL;

    if (find_layer(m, group, type, version, &file) < 0)
        file = NULL;
    if (file && file->version == version) {
        *out = file;
        return 0;
    }
    if (!m->builtin || find_layer(m->builtin, group, type, version, &ours) < 0)
        ours = NULL;
    if (ours && (ours->version == version || !file || ours->version > file->version)) {
        *out = ours;
        return 0;
    }
    if (!file)
        return EF_ENOENT;
    *out = file;
    return 0;
}

static int find_exact_group(const struct ef_mof_source *m, const struct ef_guid *group,
                            uint8_t type, uint8_t version, const struct ef_schema **out)
{
    uint32_t lo = 0, hi = m->count, mid;
    const struct mof_built_schema *e;

    /* lo ends at the first entry greater than the key. */
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (cmp_key(group, type, version, &m->index[mid]) >= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return EF_ENOENT;
    e = &m->index[lo - 1];
    if (memcmp(group, &e->guid, sizeof(*group)) != 0 || e->schema->opcode != type)
        return EF_ENOENT;
    *out = e->schema;
    return 0;
}

void ef_mof_source_stats(const struct ef_mof_source *m, struct ef_mof_stats *out)
{
    *out = m->stats;
    out->builtin_schemas = m->builtin ? m->builtin->stats.schemas : 0;
}

static int merge(struct ef_mof_source *m, const struct mof_built *b)
{
    struct mof_built_schema *out;
    uint32_t i = 0, j = 0, n = 0;
    int c;

    out = malloc(((size_t)m->count + b->count + 1) * sizeof(*out));
    if (!out)
        return EF_ENOMEM;
    while (i < m->count || j < b->count) {
        if (i == m->count)
            c = 1;
        else if (j == b->count)
            c = -1;
        else /* old first when the new key is greater */
            c = -cmp_key(&b->items[j].guid, b->items[j].schema->opcode, b->items[j].schema->version,
                         &m->index[i]);
        if (c < 0) {
            out[n++] = m->index[i++];
        } else if (c > 0) {
            out[n++] = b->items[j++];
        } else {
            out[n++] = m->index[i++];
            j++;
            m->stats.duplicates++;
        }
    }
    free(m->index);
    m->index = out;
    m->count = n;
    m->stats.schemas = n;
    m->stats.duplicates += b->duplicates;
    return 0;
}

int ef_mof_source_add_buffer(struct ef_mof_source *m, const char *name, const char *data,
                             size_t len, struct ef_buf *err)
{
    struct mof_file *f = calloc(1, sizeof(*f));
    struct mof_built built;
    struct mof_class *c, *last = NULL;
    uint32_t n = 0;
    int rc;

    if (!f)
        return EF_ENOMEM;
    ef_arena_init(&f->arena, MAX_ARENA);
    if ((rc = ef_mof_parse(name, data, len, &f->arena, &f->classes, err)) < 0)
        goto out;
    if ((rc = ef_mof_build(name, f->classes, m->known, &f->arena, &built, err)) < 0)
        goto out;
    if ((rc = merge(m, &built)) < 0)
        goto out;
    /* The file's classes join the known list (they are in its arena). */
    for (c = f->classes; c; c = c->next, n++)
        last = c;
    if (last) {
        last->next = m->known;
        m->known = f->classes;
    }
    m->stats.classes += n;
    m->stats.files++;
    f->next = m->files;
    m->files = f;
    f = NULL;
out:
    if (f) {
        ef_arena_free(&f->arena);
        free(f);
    }
    return rc;
}

static int add_buffer(void *src, const char *name, const char *data, size_t len, struct ef_buf *err)
{
    return ef_mof_source_add_buffer(src, name, data, len, err);
}

int ef_mof_source_add_file(struct ef_mof_source *m, const char *path, struct ef_buf *err)
{
    return ef_source_add_file(path, add_buffer, m, err);
}

static int lookup(void *ctx, const struct ef_record *r, const struct ef_schema **out)
{
    return ef_mof_source_find(ctx, &r->provider, r->opcode, r->version, out);
}

static void destroy(void *ctx)
{
    struct ef_mof_source *m = ctx;
    struct mof_file *f, *next;

    if (!m)
        return;
    destroy(m->builtin);
    for (f = m->files; f; f = next) {
        next = f->next;
        ef_arena_free(&f->arena);
        free(f);
    }
    free(m->index);
    free(m);
}

static const struct ef_schema_source_ops mof_ops = {
    .name = "mof",
    .lookup = lookup,
    .observe = NULL,
    .destroy = destroy,
};

int ef_mof_source_new(struct ef_schema_source *out)
{
    struct ef_mof_source *m = calloc(1, sizeof(*m));
    int rc;

    if (!m || !(m->builtin = calloc(1, sizeof(*m->builtin)))) {
        rc = EF_ENOMEM;
        goto out;
    }
    /* The text is ours and a unit test parses it, so an error here is an
     * out-of-memory in practice; it is returned all the same. */
    rc = ef_mof_source_add_buffer(m->builtin, "builtin.mof", ef_mof_builtin_text,
                                  ef_mof_builtin_len, NULL);
    if (rc < 0)
        goto out;
    out->ops = &mof_ops;
    out->ctx = m;
out:
    if (rc < 0)
        destroy(m);
    return rc;
}

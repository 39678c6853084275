/*
 * manifest_build.c - from the raw manifest document to ef_schema values.
 *
 * Resolves every name an event uses (level, task, opcode, keywords,
 * channel, template, maps, strings) and lays a template out as the flat
 * field array of schema.h: top-level fields first, then each struct's
 * members as one contiguous run. Templates and maps are built once and
 * shared by every event that uses them.
 *
 * Any unresolved name, bad number or unknown type fails the whole file
 * with "path:line: what": a schema that silently decodes the wrong bytes
 * is worse than none.
 */
#include "decode/manifest_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/guid.h"
#include "util/log.h"

struct build {
    struct mf_doc *doc;
    struct ef_arena *a;
    struct ef_buf *err;
    struct mf_provider *prov;
};

static int failf(struct build *b, int rc, unsigned line, const char *what, const char *name)
{
    if (b->err)
        ef_buf_appendf(b->err, "%s:%u: %s%s%s%s", b->doc->path, line, what, name ? " '" : "",
                       name ? name : "", name ? "'" : "");
    return rc;
}

static int oom(struct build *b, unsigned line)
{
    return failf(b, EF_ENOMEM, line, "out of memory (manifest too large)", NULL);
}

/* A copy in the file's arena: the raw document's memory is scratch. */
static int keep(struct build *b, const char *s, unsigned line, const char **out)
{
    *out = NULL;
    if (!s)
        return 0;
    *out = ef_arena_strdup(b->a, s);
    return *out ? 0 : oom(b, line);
}

/* The display name of an item: its message when it has one, else its name. */
static int display(struct build *b, const char *message, const char *name, unsigned line,
                   const char **out)
{
    const char *s;

    if (ef_mf_resolve(b->doc, message, &s) < 0)
        return failf(b, EF_EFORMAT, line, "unknown string id in", message);
    return keep(b, s ? s : name, line, out);
}

static int number(struct build *b, const char *s, uint64_t max, unsigned line, const char *what,
                  uint64_t *out)
{
    if (ef_mf_number(s, max, out) < 0)
        return failf(b, EF_EFORMAT, line, what, s ? s : "(missing)");
    return 0;
}

static const struct mf_item *find_item(const struct mf_item *it, const char *name)
{
    for (; it && name; it = it->next) {
        if (it->name && strcmp(it->name, name) == 0)
            return it;
    }
    return NULL;
}

/* A named value of the provider, else a standard win: one. */
static int named(struct build *b, const struct mf_item *list, const struct mf_std *std,
                 const char *ref, uint64_t max, unsigned line, const char *what, uint8_t *val8,
                 uint16_t *val16, const char **name)
{
    const struct mf_item *it = find_item(list, ref);
    uint64_t v = 0;
    int rc;

    if (it) {
        if ((rc = number(b, it->value, max, it->line, "bad value", &v)) < 0)
            return rc;
        if ((rc = display(b, it->message, it->name, it->line, name)) < 0)
            return rc;
    } else if (std) {
        v = std->value;
        *name = std->text;
    } else {
        return failf(b, EF_EFORMAT, line, what, ref);
    }
    if (val8)
        *val8 = (uint8_t)v;
    if (val16)
        *val16 = (uint16_t)v;
    return 0;
}

static int cmp_entry(const void *x, const void *y)
{
    const struct ef_map_entry *p = x, *q = y;

    return p->value < q->value ? -1 : p->value > q->value;
}

static int build_map(struct build *b, struct mf_map *m)
{
    struct ef_map *out;
    struct ef_map_entry *e;
    const struct mf_map_entry *src;
    uint64_t v;
    uint32_t i = 0;
    int rc;

    out = ef_arena_alloc(b->a, sizeof(*out));
    e = ef_arena_alloc(b->a, (m->count ? m->count : 1) * sizeof(*e));
    if (!out || !e)
        return oom(b, m->line);
    if ((rc = keep(b, m->name, m->line, &out->name)) < 0)
        return rc;
    for (src = m->entries; src; src = src->next, i++) {
        if ((rc = number(b, src->value, UINT32_MAX, src->line, "bad map value", &v)) < 0)
            return rc;
        e[i].value = (uint32_t)v;
        if ((rc = display(b, src->message, src->value, src->line, &e[i].name)) < 0)
            return rc;
    }
    qsort(e, m->count, sizeof(*e), cmp_entry);
    out->kind = m->bitmap ? EF_MAP_BITMAP : EF_MAP_VALUE;
    out->count = m->count;
    out->entries = e;
    m->built = out;
    return 0;
}

static int is_integer(uint16_t t)
{
    return (t >= EF_IN_INT8 && t <= EF_IN_UINT64) || t == EF_IN_HEXINT32 || t == EF_IN_HEXINT64;
}

/*
 * Resolves a length or count attribute of field f (index self): a number,
 * or the name of an earlier integer field among fields[from, self) or,
 * for struct members, the top-level fields before the struct.
 */
static int size_ref(struct build *b, const struct mf_data *d, const char *s,
                    struct ef_field *fields, uint16_t self, uint16_t from, uint16_t top_limit,
                    int is_count)
{
    struct ef_field *f = &fields[self];
    uint64_t v;
    uint16_t i;
    int found = -1;

    if (!s)
        return 0;
    if (s[0] >= '0' && s[0] <= '9') {
        if (number(b, s, UINT16_MAX, d->line, is_count ? "bad count" : "bad length", &v) < 0)
            return EF_EFORMAT;
        if (is_count) {
            f->flags |= EF_FIELD_COUNT_FIXED;
            f->count = (uint16_t)v;
        } else {
            f->flags |= EF_FIELD_LENGTH_FIXED;
            f->length = (uint16_t)v;
        }
        return 0;
    }
    for (i = from; i < self && found < 0; i++) {
        if (strcmp(fields[i].name, s) == 0)
            found = i;
    }
    for (i = 0; i < top_limit && found < 0; i++) {
        if (strcmp(fields[i].name, s) == 0)
            found = i;
    }
    if (found < 0)
        return failf(b, EF_EFORMAT, d->line,
                     is_count ? "count refers to an unknown or later field"
                              : "length refers to an unknown or later field",
                     s);
    if (!is_integer(fields[found].intype) ||
        (fields[found].flags & (EF_FIELD_STRUCT | EF_FIELD_COUNT_FIXED | EF_FIELD_COUNT_REF)))
        return failf(b, EF_EFORMAT, d->line,
                     is_count ? "count refers to a field that is not an integer"
                              : "length refers to a field that is not an integer",
                     s);
    if (is_count) {
        f->flags |= EF_FIELD_COUNT_REF;
        f->count_ref = (uint16_t)found;
    } else {
        f->flags |= EF_FIELD_LENGTH_REF;
        f->length_ref = (uint16_t)found;
    }
    return 0;
}

static int build_field(struct build *b, const struct mf_data *d, struct ef_field *fields,
                       uint16_t self, uint16_t from, uint16_t top_limit)
{
    struct ef_field *f = &fields[self];
    struct mf_map *m;
    int rc;

    if (!d->name || !d->name[0])
        return failf(b, EF_EFORMAT, d->line, "a field has no name", NULL);
    if ((rc = keep(b, d->name, d->line, &f->name)) < 0)
        return rc;
    if (d->is_struct) {
        f->flags |= EF_FIELD_STRUCT;
    } else {
        if (!d->intype)
            return failf(b, EF_EFORMAT, d->line, "no inType for field", d->name);
        if (ef_mf_intype(d->intype, &f->intype) < 0)
            return failf(b, EF_EFORMAT, d->line, "unknown inType", d->intype);
        if (d->outtype && ef_mf_outtype(d->outtype, &f->outtype) < 0) {
            /* A newer OutType only changes how a value prints: keep the field. */
            ef_log_warn("decode", "%s:%u: unknown outType '%s', using the default", b->doc->path,
                        d->line, d->outtype);
            f->outtype = EF_OUT_NULL;
        }
    }
    if ((rc = size_ref(b, d, d->length, fields, self, from, top_limit, 0)) < 0)
        return rc;
    if ((rc = size_ref(b, d, d->count, fields, self, from, top_limit, 1)) < 0)
        return rc;
    if (d->map) {
        for (m = b->prov->maps; m; m = m->next) {
            if (m->name && strcmp(m->name, d->map) == 0)
                break;
        }
        if (!m)
            return failf(b, EF_EFORMAT, d->line, "unknown map", d->map);
        if (!m->built && (rc = build_map(b, m)) < 0)
            return rc;
        f->map = m->built;
    }
    return 0;
}

static int build_template(struct build *b, struct mf_template *t)
{
    struct ef_field *fields;
    const struct mf_data *d, *mem;
    uint16_t i = 0, next, j;
    int rc;

    if (t->build_rc)
        return t->build_rc < 0 ? t->build_rc : 0;
    t->build_rc = EF_EFORMAT;
    if (t->total_count > UINT16_MAX)
        return failf(b, EF_ELIMIT, t->line, "too many fields in template", t->tid);
    fields = ef_arena_alloc(b->a, (t->total_count ? t->total_count : 1) * sizeof(*fields));
    if (!fields)
        return oom(b, t->line);
    next = (uint16_t)t->top_count;
    for (d = t->fields; d; d = d->next, i++) {
        if ((rc = build_field(b, d, fields, i, 0, 0)) < 0)
            return rc;
        if (!d->is_struct)
            continue;
        fields[i].struct_first = next;
        fields[i].struct_count = (uint16_t)d->member_count;
        for (mem = d->members, j = next; mem; mem = mem->next, j++) {
            if ((rc = build_field(b, mem, fields, j, next, i)) < 0)
                return rc;
        }
        next = j;
    }
    t->built = fields;
    t->build_rc = 1;
    return 0;
}

static int event_keywords(struct build *b, const struct mf_event *e, uint64_t *out)
{
    const char *s = e->keywords;
    const struct mf_item *it;
    const struct mf_std *std;
    char name[256];
    uint64_t v;
    size_t n;

    *out = 0;
    while (s && *s) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        n = strcspn(s, " \t\r\n");
        if (n == 0)
            break;
        if (n >= sizeof(name))
            return failf(b, EF_EFORMAT, e->line, "keyword name too long", NULL);
        memcpy(name, s, n);
        name[n] = '\0';
        s += n;
        if ((it = find_item(b->prov->keywords, name))) {
            if (number(b, it->value, UINT64_MAX, it->line, "bad keyword mask", &v) < 0)
                return EF_EFORMAT;
        } else if ((std = ef_mf_std_keyword(name))) {
            v = std->value;
        } else {
            return failf(b, EF_EFORMAT, e->line, "unknown keyword", name);
        }
        *out |= v;
    }
    return 0;
}

/* Channels are referenced by chid (or by name when they have none). */
static int event_channel(struct build *b, const struct mf_event *e, struct ef_schema *s)
{
    const struct mf_item *it;
    const struct mf_std *std;
    uint64_t v;
    uint8_t idx = 0;

    if (!e->channel)
        return 0;
    for (it = b->prov->channels; it; it = it->next, idx++) {
        if ((it->chid && strcmp(it->chid, e->channel) == 0) ||
            (it->name && strcmp(it->name, e->channel) == 0))
            break;
    }
    if (it) {
        std = it->imported ? ef_mf_std_channel(it->name) : NULL;
        if (it->value) {
            if (number(b, it->value, UINT8_MAX, it->line, "bad channel value", &v) < 0)
                return EF_EFORMAT;
        } else if (std) {
            v = std->value;
        } else {
            v = 16u + idx; /* what mc.exe assigns to channels without a value */
        }
        s->channel = (uint8_t)v;
        return keep(b, it->name, it->line, &s->channel_name);
    }
    if ((std = ef_mf_std_channel(e->channel))) {
        s->channel = (uint8_t)std->value;
        s->channel_name = std->text;
        return 0;
    }
    return failf(b, EF_EFORMAT, e->line, "unknown channel", e->channel);
}

static int build_event(struct build *b, const struct ef_provider_info *pi, const struct mf_event *e,
                       struct ef_schema *s)
{
    const struct mf_item *task = NULL;
    const struct mf_template *t;
    const char *msg;
    uint64_t v;
    int rc;

    s->provider = pi;
    s->source = EF_SCHEMA_MANIFEST;
    if ((rc = number(b, e->value, UINT16_MAX, e->line, "bad event value", &v)) < 0)
        return rc;
    s->id = (uint16_t)v;
    v = 0;
    if (e->version && (rc = number(b, e->version, UINT8_MAX, e->line, "bad version", &v)) < 0)
        return rc;
    s->version = (uint8_t)v;
    if (e->level && (rc = named(b, b->prov->levels, ef_mf_std_level(e->level), e->level, UINT8_MAX,
                                e->line, "unknown level", &s->level, NULL, &s->level_name)) < 0)
        return rc;
    if (e->task) {
        task = find_item(b->prov->tasks, e->task);
        if ((rc = named(b, b->prov->tasks, NULL, e->task, UINT16_MAX, e->line, "unknown task", NULL,
                        &s->task, &s->task_name)) < 0)
            return rc;
    }
    if (e->opcode) {
        /* A task's own opcodes first: two tasks may reuse an opcode name. */
        const struct mf_item *scoped = task ? find_item(task->opcodes, e->opcode) : NULL;

        if ((rc = named(b, scoped ? task->opcodes : b->prov->opcodes, ef_mf_std_opcode(e->opcode),
                        e->opcode, UINT8_MAX, e->line, "unknown opcode", &s->opcode, NULL,
                        &s->opcode_name)) < 0)
            return rc;
    }
    if ((rc = event_keywords(b, e, &s->keywords)) < 0 || (rc = event_channel(b, e, s)) < 0)
        return rc;
    if (e->message) {
        if (ef_mf_resolve(b->doc, e->message, &msg) < 0)
            return failf(b, EF_EFORMAT, e->line, "unknown string id in", e->message);
        if ((rc = ef_mf_message(b->a, msg, &s->message)) < 0)
            return oom(b, e->line);
    }
    if ((rc = keep(b, e->symbol ? e->symbol : e->name, e->line, &s->event_name)) < 0)
        return rc;
    if (!e->tmpl)
        return 0;
    for (t = b->prov->templates; t; t = t->next) {
        if (t->tid && strcmp(t->tid, e->tmpl) == 0)
            break;
    }
    if (!t)
        return failf(b, EF_EFORMAT, e->line, "unknown template", e->tmpl);
    if ((rc = build_template(b, (struct mf_template *)t)) < 0)
        return rc;
    s->fields = t->built;
    s->top_count = (uint16_t)t->top_count;
    s->field_count = (uint16_t)t->total_count;
    return 0;
}

static int build_provider_info(struct build *b, const struct mf_provider *p,
                               struct ef_provider_info **out)
{
    struct ef_provider_info *pi;
    struct ef_keyword_name *kw;
    const struct mf_item *it;
    const struct mf_std *std;
    size_t nstd, n = 0, i;
    uint64_t v;
    int rc;

    if (!p->name || !p->name[0])
        return failf(b, EF_EFORMAT, p->line, "provider has no name", NULL);
    pi = ef_arena_alloc(b->a, sizeof(*pi));
    if (!pi)
        return oom(b, p->line);
    if (!p->guid || ef_guid_parse(p->guid, strlen(p->guid), &pi->guid) < 0)
        return failf(b, EF_EFORMAT, p->line, "bad provider GUID", p->guid ? p->guid : "(missing)");
    if ((rc = keep(b, p->name, p->line, &pi->name)) < 0)
        return rc;
    for (it = p->keywords; it; it = it->next)
        n++;
    std = ef_mf_std_keywords(&nstd);
    kw = ef_arena_alloc(b->a, (n + nstd) * sizeof(*kw));
    if (!kw)
        return oom(b, p->line);
    for (it = p->keywords, i = 0; it; it = it->next, i++) {
        if ((rc = number(b, it->value, UINT64_MAX, it->line, "bad keyword mask", &v)) < 0)
            return rc;
        kw[i].mask = v;
        if ((rc = display(b, it->message, it->name, it->line, &kw[i].name)) < 0)
            return rc;
    }
    for (i = 0; i < nstd; i++) {
        kw[n + i].mask = std[i].value;
        kw[n + i].name = std[i].text;
    }
    pi->keyword_count = (uint32_t)(n + nstd);
    pi->keywords = kw;
    *out = pi;
    return 0;
}

static int cmp_built(const void *x, const void *y)
{
    const struct mf_built_event *p = x, *q = y;
    int c = memcmp(&p->guid, &q->guid, sizeof(p->guid));

    if (c)
        return c;
    if (p->schema->id != q->schema->id)
        return p->schema->id < q->schema->id ? -1 : 1;
    if (p->schema->version != q->schema->version)
        return p->schema->version < q->schema->version ? -1 : 1;
    return p->line < q->line ? -1 : p->line > q->line;
}

int ef_mf_build(struct mf_doc *doc, struct ef_arena *a, struct mf_built *out, struct ef_buf *err)
{
    struct build b = {doc, a, err, NULL};
    struct ef_provider_info *pi;
    struct ef_schema *s;
    const struct mf_event *e;
    struct mf_template *t;
    uint32_t total = 0, n = 0, np = 0, i;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = ef_mf_strings_prepare(doc)) < 0)
        return rc;
    for (b.prov = doc->providers; b.prov; b.prov = b.prov->next)
        total += b.prov->event_count;
    out->events = ef_arena_alloc(a, (total ? total : 1) * sizeof(*out->events));
    out->providers = ef_arena_alloc(a, doc->provider_count * sizeof(*out->providers) + 1);
    if (!out->events || !out->providers)
        return oom(&b, 1);
    for (b.prov = doc->providers; b.prov; b.prov = b.prov->next) {
        if ((rc = build_provider_info(&b, b.prov, &pi)) < 0)
            return rc;
        out->providers[np++] = pi;
        for (e = b.prov->events; e; e = e->next) {
            s = ef_arena_alloc(a, sizeof(*s));
            if (!s)
                return oom(&b, e->line);
            if ((rc = build_event(&b, pi, e, s)) < 0)
                return rc;
            out->events[n].guid = pi->guid;
            out->events[n].schema = s;
            out->events[n].line = e->line;
            n++;
        }
        /* Templates no event uses are checked too: a bad one is a bad file. */
        for (t = b.prov->templates; t; t = t->next) {
            if ((rc = build_template(&b, t)) < 0)
                return rc;
        }
    }
    qsort(out->events, n, sizeof(*out->events), cmp_built);
    for (i = 1; i < n; i++) {
        const struct mf_built_event *p = &out->events[i - 1], *q = &out->events[i];

        if (memcmp(&p->guid, &q->guid, sizeof(p->guid)) == 0 && p->schema->id == q->schema->id &&
            p->schema->version == q->schema->version) {
            if (err)
                ef_buf_appendf(err, "%s:%u: duplicate event id %u version %u (first at line %u)",
                               doc->path, q->line, q->schema->id, q->schema->version, p->line);
            return EF_EFORMAT;
        }
    }
    out->count = n;
    out->provider_count = np;
    return 0;
}

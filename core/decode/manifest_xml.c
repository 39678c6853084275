/*
 * manifest_xml.c - the expat walk over an instrumentation manifest.
 *
 * Keeps the elements the decoder needs (providers, events, templates,
 * maps, levels, tasks, opcodes, keywords, channels, string tables) as the
 * raw document of manifest_internal.h and ignores everything else
 * (<UserData>, filters, named queries...). Element names are matched
 * without their namespace prefix, because SDK manifests and wevtutil
 * exports declare the event namespace in different ways.
 *
 * DESIGN: a stack of element kinds says what a child element means: an
 * <opcode> is a task's when its parent <opcodes> is inside a <task>, and
 * a <data> inside <struct> is a member. Anything under an element we do
 * not know is skipped whole.
 */
#include "decode/manifest_internal.h"

#include <expat.h>
#include <string.h>

#include "util/error.h"

#define MAX_DEPTH 64

enum kind {
    K_NONE,   /* a container that may hold providers or resources */
    K_IGNORE, /* skipped with everything under it */
    K_LEAF,   /* consumed; its children are ignored */
    K_PROVIDER,
    K_EVENTS,
    K_LEVELS,
    K_TASKS,
    K_TASK,
    K_OPCODES,
    K_KEYWORDS,
    K_CHANNELS,
    K_MAPS,
    K_MAP,
    K_TEMPLATES,
    K_TEMPLATE,
    K_STRUCT,
    K_RESOURCES,
    K_STRINGTABLE,
};

struct frame {
    enum kind kind;
    void *obj; /* the task, map, template or struct the frame stands for */
};

struct walk {
    XML_Parser p;
    struct mf_doc *doc;
    struct ef_buf *err;
    int rc;
    unsigned depth; /* may exceed MAX_DEPTH inside ignored subtrees */
    struct frame stack[MAX_DEPTH];
    struct mf_provider *prov;
    struct mf_resources *res;
};

static unsigned line_of(struct walk *w)
{
    return (unsigned)XML_GetCurrentLineNumber(w->p);
}

static void fail(struct walk *w, int rc, const char *what, const char *name)
{
    if (w->rc == 0) {
        w->rc = rc;
        if (w->err)
            ef_buf_appendf(w->err, "%s:%u: %s%s%s", w->doc->path, line_of(w), what,
                           name ? ": " : "", name ? name : "");
    }
    XML_StopParser(w->p, XML_FALSE);
}

static void *alloc(struct walk *w, size_t n)
{
    void *p = ef_arena_alloc(w->doc->arena, n);

    if (!p)
        fail(w, EF_ENOMEM, "out of memory (manifest too large)", NULL);
    return p;
}

/* The attribute's value copied into the arena, or NULL when absent. */
static const char *attr(struct walk *w, const XML_Char **atts, const char *name)
{
    size_t i;
    char *s;

    for (i = 0; atts[i]; i += 2) {
        if (strcmp(atts[i], name) == 0) {
            s = ef_arena_strdup(w->doc->arena, atts[i + 1]);
            if (!s)
                fail(w, EF_ENOMEM, "out of memory (manifest too large)", NULL);
            return s;
        }
    }
    return NULL;
}

static const char *local_name(const XML_Char *name)
{
    const char *c = strrchr(name, ':');

    return c ? c + 1 : name;
}

static struct mf_item *add_item(struct walk *w, struct mf_item ***tail, const XML_Char **atts)
{
    struct mf_item *it = alloc(w, sizeof(*it));

    if (!it)
        return NULL;
    it->name = attr(w, atts, "name");
    it->value = attr(w, atts, "value");
    if (!it->value)
        it->value = attr(w, atts, "mask");
    it->message = attr(w, atts, "message");
    it->chid = attr(w, atts, "chid");
    it->opcodes_tail = &it->opcodes;
    it->line = line_of(w);
    **tail = it;
    *tail = &it->next;
    return it;
}

static enum kind start_provider(struct walk *w, const XML_Char **atts)
{
    struct mf_provider *p = alloc(w, sizeof(*p));

    if (!p)
        return K_IGNORE;
    p->name = attr(w, atts, "name");
    p->guid = attr(w, atts, "guid");
    p->symbol = attr(w, atts, "symbol");
    p->message = attr(w, atts, "message");
    p->line = line_of(w);
    p->levels_tail = &p->levels;
    p->tasks_tail = &p->tasks;
    p->opcodes_tail = &p->opcodes;
    p->keywords_tail = &p->keywords;
    p->channels_tail = &p->channels;
    p->maps_tail = &p->maps;
    p->templates_tail = &p->templates;
    p->events_tail = &p->events;
    *w->doc->providers_tail = p;
    w->doc->providers_tail = &p->next;
    w->doc->provider_count++;
    w->prov = p;
    return K_PROVIDER;
}

static void add_event(struct walk *w, const XML_Char **atts)
{
    struct mf_event *e = alloc(w, sizeof(*e));

    if (!e)
        return;
    e->value = attr(w, atts, "value");
    e->version = attr(w, atts, "version");
    e->level = attr(w, atts, "level");
    e->task = attr(w, atts, "task");
    e->opcode = attr(w, atts, "opcode");
    e->keywords = attr(w, atts, "keywords");
    e->channel = attr(w, atts, "channel");
    e->tmpl = attr(w, atts, "template");
    e->message = attr(w, atts, "message");
    e->symbol = attr(w, atts, "symbol");
    e->name = attr(w, atts, "name");
    e->line = line_of(w);
    *w->prov->events_tail = e;
    w->prov->events_tail = &e->next;
    w->prov->event_count++;
}

static struct mf_map *add_map(struct walk *w, const XML_Char **atts, int bitmap)
{
    struct mf_map *m = alloc(w, sizeof(*m));

    if (!m)
        return NULL;
    m->name = attr(w, atts, "name");
    m->bitmap = bitmap;
    m->entries_tail = &m->entries;
    m->line = line_of(w);
    *w->prov->maps_tail = m;
    w->prov->maps_tail = &m->next;
    return m;
}

static void add_map_entry(struct walk *w, struct mf_map *m, const XML_Char **atts)
{
    struct mf_map_entry *e = alloc(w, sizeof(*e));

    if (!e)
        return;
    e->value = attr(w, atts, "value");
    e->message = attr(w, atts, "message");
    e->line = line_of(w);
    *m->entries_tail = e;
    m->entries_tail = &e->next;
    m->count++;
}

static struct mf_template *add_template(struct walk *w, const XML_Char **atts)
{
    struct mf_template *t = alloc(w, sizeof(*t));

    if (!t)
        return NULL;
    t->tid = attr(w, atts, "tid");
    t->fields_tail = &t->fields;
    t->line = line_of(w);
    *w->prov->templates_tail = t;
    w->prov->templates_tail = &t->next;
    return t;
}

/* A <data> or <struct> of template t, inside struct s when s is not NULL. */
static struct mf_data *add_data(struct walk *w, struct mf_template *t, struct mf_data *s,
                                const XML_Char **atts, int is_struct)
{
    struct mf_data *d = alloc(w, sizeof(*d));

    if (!d)
        return NULL;
    d->name = attr(w, atts, "name");
    d->intype = attr(w, atts, "inType");
    d->outtype = attr(w, atts, "outType");
    d->length = attr(w, atts, "length");
    d->count = attr(w, atts, "count");
    d->map = attr(w, atts, "map");
    d->is_struct = is_struct;
    d->members_tail = &d->members;
    d->line = line_of(w);
    if (s) {
        *s->members_tail = d;
        s->members_tail = &d->next;
        s->member_count++;
    } else {
        *t->fields_tail = d;
        t->fields_tail = &d->next;
        t->top_count++;
    }
    t->total_count++;
    return d;
}

static enum kind start_resources(struct walk *w, const XML_Char **atts)
{
    struct mf_resources *r = alloc(w, sizeof(*r));

    if (!r)
        return K_IGNORE;
    r->culture = attr(w, atts, "culture");
    *w->doc->resources_tail = r;
    w->doc->resources_tail = &r->next;
    w->res = r;
    return K_RESOURCES;
}

static void add_string(struct walk *w, const XML_Char **atts)
{
    struct mf_resources *r = w->res;
    struct mf_string *grown;
    const char *id = attr(w, atts, "id"), *value = attr(w, atts, "value");

    if (!id || !value) {
        if (w->rc == 0)
            fail(w, EF_EFORMAT, "<string> needs id and value", id);
        return;
    }
    if (r->count == r->cap) {
        /* The arena cannot grow in place: copy into a block twice as big. */
        r->cap = r->cap ? r->cap * 2 : 256;
        grown = alloc(w, r->cap * sizeof(*grown));
        if (!grown)
            return;
        if (r->count)
            memcpy(grown, r->strings, r->count * sizeof(*grown));
        r->strings = grown;
    }
    r->strings[r->count].id = id;
    r->strings[r->count].value = value;
    r->count++;
}

/* What a child named n of a frame of kind `parent` is, with side effects. */
static enum kind child(struct walk *w, struct frame *parent, const char *n, const XML_Char **atts,
                       void **obj)
{
    struct mf_item *it;

    switch (parent->kind) {
    case K_NONE:
        if (strcmp(n, "provider") == 0)
            return start_provider(w, atts);
        if (strcmp(n, "resources") == 0)
            return start_resources(w, atts);
        return K_NONE;
    case K_PROVIDER:
        if (strcmp(n, "events") == 0)
            return K_EVENTS;
        if (strcmp(n, "levels") == 0)
            return K_LEVELS;
        if (strcmp(n, "tasks") == 0)
            return K_TASKS;
        if (strcmp(n, "opcodes") == 0) {
            *obj = NULL;
            return K_OPCODES;
        }
        if (strcmp(n, "keywords") == 0)
            return K_KEYWORDS;
        if (strcmp(n, "channels") == 0)
            return K_CHANNELS;
        if (strcmp(n, "maps") == 0)
            return K_MAPS;
        if (strcmp(n, "templates") == 0)
            return K_TEMPLATES;
        return K_IGNORE;
    case K_EVENTS:
        if (strcmp(n, "event") != 0)
            return K_IGNORE;
        add_event(w, atts);
        return K_LEAF;
    case K_LEVELS:
        if (strcmp(n, "level") != 0)
            return K_IGNORE;
        add_item(w, &w->prov->levels_tail, atts);
        return K_LEAF;
    case K_TASKS:
        if (strcmp(n, "task") != 0)
            return K_IGNORE;
        *obj = add_item(w, &w->prov->tasks_tail, atts);
        return K_TASK;
    case K_TASK:
        if (strcmp(n, "opcodes") != 0)
            return K_IGNORE;
        *obj = parent->obj;
        return K_OPCODES;
    case K_OPCODES:
        if (strcmp(n, "opcode") != 0)
            return K_IGNORE;
        it = parent->obj;
        add_item(w, it ? &it->opcodes_tail : &w->prov->opcodes_tail, atts);
        return K_LEAF;
    case K_KEYWORDS:
        if (strcmp(n, "keyword") != 0)
            return K_IGNORE;
        add_item(w, &w->prov->keywords_tail, atts);
        return K_LEAF;
    case K_CHANNELS:
        if (strcmp(n, "channel") != 0 && strcmp(n, "importChannel") != 0)
            return K_IGNORE;
        it = add_item(w, &w->prov->channels_tail, atts);
        if (it)
            it->imported = n[0] == 'i';
        return K_LEAF;
    case K_MAPS:
        if (strcmp(n, "valueMap") != 0 && strcmp(n, "bitMap") != 0)
            return K_IGNORE;
        *obj = add_map(w, atts, n[0] == 'b');
        return K_MAP;
    case K_MAP:
        if (strcmp(n, "map") != 0)
            return K_IGNORE;
        add_map_entry(w, parent->obj, atts);
        return K_LEAF;
    case K_TEMPLATES:
        if (strcmp(n, "template") != 0)
            return K_IGNORE;
        *obj = add_template(w, atts);
        return K_TEMPLATE;
    case K_TEMPLATE:
        if (strcmp(n, "data") == 0) {
            add_data(w, parent->obj, NULL, atts, 0);
            return K_LEAF;
        }
        if (strcmp(n, "struct") == 0) {
            *obj = add_data(w, parent->obj, NULL, atts, 1);
            return K_STRUCT;
        }
        return K_IGNORE;
    case K_STRUCT:
        if (strcmp(n, "struct") == 0) {
            fail(w, EF_ENOTSUP, "a <struct> inside a <struct> is not supported", NULL);
            return K_IGNORE;
        }
        if (strcmp(n, "data") != 0)
            return K_IGNORE;
        add_data(w, (struct mf_template *)w->stack[w->depth - 2].obj, parent->obj, atts, 0);
        return K_LEAF;
    case K_RESOURCES:
        return strcmp(n, "stringTable") == 0 ? K_STRINGTABLE : K_IGNORE;
    case K_STRINGTABLE:
        if (strcmp(n, "string") != 0)
            return K_IGNORE;
        add_string(w, atts);
        return K_LEAF;
    default:
        return K_IGNORE;
    }
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct walk *w = ud;
    struct frame root = {K_NONE, NULL}, *parent;
    void *obj = NULL;
    enum kind k;

    if (w->depth >= MAX_DEPTH) {
        w->depth++;
        return;
    }
    parent = w->depth ? &w->stack[w->depth - 1] : &root;
    /* After an error expat may still report the element that caused it. */
    if (w->rc != 0 || parent->kind == K_IGNORE || parent->kind == K_LEAF ||
        ((parent->kind == K_MAP || parent->kind == K_TEMPLATE || parent->kind == K_STRUCT) &&
         !parent->obj))
        k = K_IGNORE;
    else
        k = child(w, parent, local_name(name), atts, &obj);
    w->stack[w->depth].kind = k;
    w->stack[w->depth].obj = obj;
    w->depth++;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct walk *w = ud;

    (void)name;
    if (w->depth == 0)
        return;
    w->depth--;
    if (w->depth >= MAX_DEPTH)
        return;
    if (w->stack[w->depth].kind == K_PROVIDER)
        w->prov = NULL;
    else if (w->stack[w->depth].kind == K_RESOURCES)
        w->res = NULL;
}

int ef_mf_parse(struct mf_doc *doc, const char *data, size_t len, struct ef_buf *err)
{
    struct walk w;
    enum XML_Status st;
    int rc = 0;

    memset(&w, 0, sizeof(w));
    doc->providers_tail = &doc->providers;
    doc->resources_tail = &doc->resources;
    w.doc = doc;
    w.err = err;
    if (len > (size_t)0x7fffffff) {
        if (err)
            ef_buf_appendf(err, "%s: manifest too large", doc->path);
        return EF_ELIMIT;
    }
    w.p = XML_ParserCreate(NULL);
    if (!w.p)
        return EF_ENOMEM;
    XML_SetUserData(w.p, &w);
    XML_SetElementHandler(w.p, on_start, on_end);
    st = XML_Parse(w.p, data, (int)len, XML_TRUE);
    if (w.rc < 0) {
        rc = w.rc;
        goto out;
    }
    if (st != XML_STATUS_OK) {
        rc = EF_EFORMAT;
        if (err)
            ef_buf_appendf(err, "%s:%lu: XML error: %s", doc->path,
                           (unsigned long)XML_GetCurrentLineNumber(w.p),
                           XML_ErrorString(XML_GetErrorCode(w.p)));
        goto out;
    }
    if (doc->provider_count == 0) {
        rc = EF_EFORMAT;
        if (err)
            ef_buf_appendf(err, "%s:1: no <provider> found: not an instrumentation manifest",
                           doc->path);
    }
out:
    XML_ParserFree(w.p);
    return rc;
}

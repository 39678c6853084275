/*
 * enrich.c - the table of well-known enrichments and how they apply.
 *
 * DESIGN: matching happens once per plan (ef_enrich_find, from the
 * decoder's cache miss); applying runs per event but only for the plans
 * that matched, and costs a scan of the top-level values plus at most one
 * appended value. Derived values are ordinary ef_values whose field carries
 * a map, so the renderers print them with the code they already have.
 *
 * Rows (docs/enrich.md):
 *  - Microsoft-Windows-Kernel-File {EDD08927-9CC4-4E65-B970-C2560FB5C289}
 *    event 12 (Create), versions 0-1: CreateDisposition = CreateOptions >> 24
 *    added as {"Value":n,"Name":...} with the names PerfView prints
 *    (CreateFile's, from NtCreateFile's FILE_SUPERSEDE..FILE_OVERWRITE_IF);
 *    ShareAccess gets the .NET FileShare flag names ("ReadWrite, Delete").
 */
#include "decode/enrich.h"

#include "util/attr.h"
#include "util/guid.h"

#include <stdlib.h>
#include <string.h>

/* Sorted by value (VALUE maps are searched by bisection). */
static const struct ef_map_entry disposition_entries[] = {
    {0, "SUPERSEDE"},   {1, "OPEN_EXISTING"},     {2, "CREATE_NEW"},
    {3, "OPEN_ALWAYS"}, {4, "TRUNCATE_EXISTING"}, {5, "CREATE_ALWAYS"},
};

static const struct ef_map disposition_map = {
    "CreateDisposition",
    EF_MAP_VALUE,
    EF_ARRAY_LEN(disposition_entries),
    disposition_entries,
};

/*
 * .NET's FileShare, in its declaration order: the renderer prints a bitmap's
 * names in map order and prefers the union ReadWrite, as Enum.ToString does.
 */
static const struct ef_map_entry share_entries[] = {
    {0, "None"}, {1, "Read"}, {2, "Write"}, {3, "ReadWrite"}, {4, "Delete"}, {16, "Inheritable"},
};

static const struct ef_map share_map = {
    "FileShare",
    EF_MAP_BITMAP,
    EF_ARRAY_LEN(share_entries),
    share_entries,
};

static const struct ef_field disposition_field = {
    .name = "CreateDisposition",
    .intype = EF_IN_UINT32,
    .map = &disposition_map,
};

static const struct ef_field share_field = {
    .name = "ShareAccess",
    .intype = EF_IN_UINT32,
    .outtype = EF_OUT_HEXINT32,
    .map = &share_map,
};

enum enrich_kind {
    /* Appends `add` = (the `from` field >> shift) & mask after the fields. */
    ENRICH_DERIVE = 1,
    /* Gives the `from` field the map of `add` (its raw value is kept). */
    ENRICH_MAP = 2,
};

struct enrich_step {
    uint8_t kind;
    const char *from;
    const struct ef_field *add;
    uint8_t shift;
    uint32_t mask;
};

#define MAX_STEPS 2

struct ef_enrich {
    struct ef_guid provider;
    uint16_t id;
    uint8_t min_version, max_version;
    struct enrich_step steps[MAX_STEPS];
};

static const struct ef_enrich rows[] = {
    {{0xedd08927, 0x9cc4, 0x4e65, {0xb9, 0x70, 0xc2, 0x56, 0x0f, 0xb5, 0xc2, 0x89}},
     12,
     0,
     1,
     {{ENRICH_DERIVE, "CreateOptions", &disposition_field, 24, 0xff},
      {ENRICH_MAP, "ShareAccess", &share_field, 0, 0}}},
};

static int has_top_field(const struct ef_schema *s, const char *name)
{
    uint16_t i;

    for (i = 0; i < s->top_count; i++) {
        if (s->fields[i].name && strcmp(s->fields[i].name, name) == 0)
            return 1;
    }
    return 0;
}

/* An integer field without structure (no struct, array or map of its own). */
static int plain_integer(const struct ef_schema *s, const char *name)
{
    uint16_t i;

    for (i = 0; i < s->top_count; i++) {
        const struct ef_field *f = &s->fields[i];

        if (!f->name || strcmp(f->name, name) != 0)
            continue;
        return !(f->flags & (EF_FIELD_STRUCT | EF_FIELD_COUNT_FIXED | EF_FIELD_COUNT_REF |
                             EF_FIELD_ARRAY_UNBOUNDED | EF_FIELD_COUNT_PREFIX)) &&
               !f->map &&
               (f->intype == EF_IN_UINT32 || f->intype == EF_IN_HEXINT32 ||
                f->intype == EF_IN_INT32);
    }
    return 0;
}

static int row_fits(const struct ef_enrich *e, const struct ef_schema *s)
{
    unsigned i;

    for (i = 0; i < MAX_STEPS && e->steps[i].kind; i++) {
        const struct enrich_step *st = &e->steps[i];

        if (!plain_integer(s, st->from))
            return 0;
        /* A schema that already has the value (a manifest that knows it) wins. */
        if (st->kind == ENRICH_DERIVE && has_top_field(s, st->add->name))
            return 0;
    }
    return 1;
}

const struct ef_enrich *ef_enrich_find(const struct ef_schema *s)
{
    size_t i;

    if (!s->provider)
        return NULL;
    for (i = 0; i < EF_ARRAY_LEN(rows); i++) {
        const struct ef_enrich *e = &rows[i];

        if (e->id == s->id && s->version >= e->min_version && s->version <= e->max_version &&
            ef_guid_equal(&e->provider, &s->provider->guid) && row_fits(e, s))
            return e;
    }
    return NULL;
}

/* The top-level value of the field named name, or NULL. */
static struct ef_value *top_value(struct ef_plan_ws *ws, const struct ef_event *ev,
                                  const char *name)
{
    uint32_t i;

    for (i = 0; i < ev->count; i += 1 + ws->values[i].span) {
        struct ef_value *v = &ws->values[i];

        if (v->depth == 0 && v->name && strcmp(v->name, name) == 0 &&
            (v->kind == EF_V_UINT || v->kind == EF_V_INT))
            return v;
    }
    return NULL;
}

/* Room for one more value, growing the workspace like the interpreter does. */
static struct ef_value *append(struct ef_plan_ws *ws, struct ef_event *ev)
{
    if (ev->count >= ws->cap) {
        uint32_t cap = ws->cap ? ws->cap * 2 : 64;
        struct ef_value *nv;

        if (ws->cap >= ws->max)
            return NULL;
        if (cap > ws->max)
            cap = ws->max;
        nv = realloc(ws->values, (size_t)cap * sizeof(*nv));
        if (!nv)
            return NULL;
        ws->values = nv;
        ws->cap = cap;
        ev->values = nv;
    }
    return &ws->values[ev->count++];
}

void ef_enrich_apply(const struct ef_enrich *e, struct ef_plan_ws *ws, struct ef_event *ev)
{
    unsigned i;

    for (i = 0; i < MAX_STEPS && e->steps[i].kind; i++) {
        const struct enrich_step *st = &e->steps[i];
        struct ef_value *src = top_value(ws, ev, st->from), *v;
        uint64_t raw;

        if (!src)
            continue;
        if (st->kind == ENRICH_MAP) {
            src->field = st->add;
            continue;
        }
        raw = (src->v.u >> st->shift) & st->mask;
        v = append(ws, ev);
        if (!v)
            return; /* the event stays as decoded: the derived value is extra */
        memset(v, 0, sizeof(*v));
        v->name = st->add->name;
        v->field = st->add;
        v->kind = EF_V_UINT;
        v->outtype = EF_OUT_UNSIGNEDINT;
        v->v.u = raw;
    }
}

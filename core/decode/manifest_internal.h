/*
 * manifest_internal.h - what the manifest loader's files share.
 *
 * Loading is two passes. manifest_xml.c walks the XML with expat and keeps
 * the elements that matter as a raw document (attribute strings and line
 * numbers, in a scratch arena), because a manifest may use a template, map
 * or string before it defines it (string tables always come last).
 * manifest_build.c then resolves names, types and strings
 * (manifest_strings.c, manifest_names.c) into ef_schema values in the
 * file's own arena, and manifest_index.c keeps them for lookups.
 *
 * Everything here runs on the thread that loads the manifest.
 */
#ifndef EF_DECODE_MANIFEST_INTERNAL_H
#define EF_DECODE_MANIFEST_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "decode/schema.h"
#include "util/arena.h"
#include "util/buf.h"

/* A named value of a provider: level, task, opcode, keyword or channel. */
struct mf_item {
    struct mf_item *next;
    const char *name;
    const char *value; /* value, or mask for keywords */
    const char *message;
    const char *chid;        /* channels */
    struct mf_item *opcodes; /* tasks: opcodes scoped to the task */
    struct mf_item **opcodes_tail;
    unsigned line;
    int imported; /* <importChannel> */
};

struct mf_map_entry {
    struct mf_map_entry *next;
    const char *value;
    const char *message;
    unsigned line;
};

struct mf_map {
    struct mf_map *next;
    const char *name;
    int bitmap;
    struct mf_map_entry *entries;
    struct mf_map_entry **entries_tail;
    uint32_t count;
    unsigned line;
    const struct ef_map *built; /* set by the build pass */
};

/* A <data> or <struct> of a template. */
struct mf_data {
    struct mf_data *next;
    const char *name;
    const char *intype;
    const char *outtype;
    const char *length;
    const char *count;
    const char *map;
    int is_struct;
    struct mf_data *members; /* structs */
    struct mf_data **members_tail;
    uint32_t member_count;
    unsigned line;
};

struct mf_template {
    struct mf_template *next;
    const char *tid;
    struct mf_data *fields;
    struct mf_data **fields_tail;
    uint32_t top_count;
    uint32_t total_count; /* top-level fields plus struct members */
    unsigned line;
    /* Set by the build pass: templates are shared by many events. */
    const struct ef_field *built;
    int build_rc; /* 0 = not built yet, 1 = built, <0 = failed */
};

struct mf_event {
    struct mf_event *next;
    const char *value, *version, *level, *task, *opcode, *keywords, *channel, *tmpl, *message,
        *symbol, *name;
    unsigned line;
};

struct mf_provider {
    struct mf_provider *next;
    const char *name, *guid, *symbol, *message;
    unsigned line;
    struct mf_item *levels, **levels_tail;
    struct mf_item *tasks, **tasks_tail;
    struct mf_item *opcodes, **opcodes_tail;
    struct mf_item *keywords, **keywords_tail;
    struct mf_item *channels, **channels_tail;
    struct mf_map *maps, **maps_tail;
    struct mf_template *templates, **templates_tail;
    struct mf_event *events, **events_tail;
    uint32_t event_count;
};

struct mf_string {
    const char *id;
    const char *value;
};

/* One <resources culture="..."> block. */
struct mf_resources {
    struct mf_resources *next;
    const char *culture;
    struct mf_string *strings; /* sorted by id once parsing is done */
    uint32_t count, cap;
};

struct mf_doc {
    const char *path;       /* for messages */
    struct ef_arena *arena; /* scratch memory of the raw document */
    struct mf_provider *providers, **providers_tail;
    uint32_t provider_count;
    struct mf_resources *resources, **resources_tail;
    const struct mf_resources *culture; /* the preferred culture (en-US, else the first) */
};

/* manifest_xml.c: parses data into doc (doc->arena and doc->path set). 0 or EF_E*. */
int ef_mf_parse(struct mf_doc *doc, const char *data, size_t len, struct ef_buf *err);

/* manifest_strings.c */
/* Sorts the string tables and picks the preferred culture. 0 or EF_ENOMEM. */
int ef_mf_strings_prepare(struct mf_doc *doc);
/*
 * Resolves "$(string.ID)" to its text (preferred culture first, then the
 * others); any other text is returned as is. NULL stays NULL. EF_ENOENT
 * when the id is in no table.
 */
int ef_mf_resolve(const struct mf_doc *doc, const char *s, const char **out);
/*
 * Turns a resolved message into the template form of ef_schema.message
 * (FormatMessage escapes converted, see docs/schemas.md) in arena memory.
 */
int ef_mf_message(struct ef_arena *a, const char *s, const char **out);

/* manifest_names.c */
struct mf_std {
    const char *name; /* "win:Error" */
    uint64_t value;
    const char *text; /* "Error" */
};

/* Finds a TDH in/out type by its manifest name: 0 or EF_ENOENT. */
int ef_mf_intype(const char *name, uint16_t *out);
int ef_mf_outtype(const char *name, uint16_t *out);
/* The standard win: levels, opcodes, keywords and channels (winmeta.xml). */
const struct mf_std *ef_mf_std_level(const char *name);
const struct mf_std *ef_mf_std_opcode(const char *name);
const struct mf_std *ef_mf_std_keyword(const char *name);
const struct mf_std *ef_mf_std_channel(const char *name);
/* All standard keywords, for a provider's keyword name table. */
const struct mf_std *ef_mf_std_keywords(size_t *count);
/* Parses a manifest number (decimal or 0x hex) no larger than max: 0 or EF_EFORMAT. */
int ef_mf_number(const char *s, uint64_t max, uint64_t *out);

/* manifest_build.c: the schemas of one document. */
struct mf_built_event {
    struct ef_guid guid;
    const struct ef_schema *schema;
    unsigned line; /* of the <event>, for duplicate messages */
};

struct mf_built {
    struct mf_built_event *events; /* arena memory */
    uint32_t count;
    const struct ef_provider_info **providers;
    uint32_t provider_count;
};

/* Builds every provider's schemas of doc into a (the file's arena). 0 or EF_E*. */
int ef_mf_build(struct mf_doc *doc, struct ef_arena *a, struct mf_built *out, struct ef_buf *err);

#endif

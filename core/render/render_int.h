/*
 * render_int.h - what the render module's files share: the renderer and
 * the helpers that write typed values with the JSON writer.
 */
#ifndef EF_RENDER_RENDER_INT_H
#define EF_RENDER_RENDER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "render/jsonw.h"
#include "render/render.h"

struct ef_renderer {
    struct ef_render_opts opts;
    struct ef_jw jw;     /* writes into the caller's buffer during ef_render_event */
    struct ef_buf text;  /* scratch for messages, map names, hex */
    struct ef_buf clean; /* sanitized copies of names that were not valid UTF-8 */
};

/* Text that may not be valid UTF-8 (names from metadata): sanitized when needed. */
void ef_render_text(struct ef_renderer *r, const char *s, size_t n);
void ef_render_str(struct ef_renderer *r, const char *s);
void ef_render_key(struct ef_renderer *r, const char *s);
void ef_render_u64(struct ef_renderer *r, uint64_t v, int is64);
/* "0x%08X" of an NTSTATUS/HRESULT. */
void ef_render_status(struct ef_renderer *r, uint32_t v);
/* Decimal text of v into out (at least 11 bytes), NUL-terminated; returns its length. */
size_t ef_render_fmt_u32(char *out, uint32_t v);
void ef_render_i64(struct ef_renderer *r, int64_t v, int is64);
/* "0x..." upper-case, no padding. */
void ef_render_hex(struct ef_renderer *r, uint64_t v);
void ef_render_guid(struct ef_renderer *r, const struct ef_guid *g);
void ef_render_filetime(struct ef_renderer *r, uint64_t ft);
void ef_render_binary(struct ef_renderer *r, const void *p, size_t n);
void ef_render_sid(struct ef_renderer *r, const void *p, size_t n);

/* Writes value i (and, for containers, everything inside it); returns the index after it. */
uint32_t ef_render_value(struct ef_renderer *r, const struct ef_event *ev, uint32_t i);
/* Writes the top-level values as an object's members (the caller opened the map). */
void ef_render_fields(struct ef_renderer *r, const struct ef_event *ev);

/* Appends value i as text (messages); returns the index after it. */
uint32_t ef_render_value_text(const struct ef_event *ev, uint32_t i, struct ef_buf *b);
/* The name(s) a map gives v, joined by ", ", appended to b; 0 or EF_ENOENT if none. */
int ef_render_map_name(const struct ef_map *m, uint64_t v, struct ef_buf *b);

/* Level, opcode names of the standard (winmeta.xml) values; NULL if none. */
const char *ef_render_std_level(uint8_t level);
const char *ef_render_std_opcode(uint8_t opcode);

int ef_render_native(struct ef_renderer *r, const struct ef_event *ev);
int ef_render_ecs(struct ef_renderer *r, const struct ef_event *ev);

#endif

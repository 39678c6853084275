/*
 * render_int.h - what the render module's files share: the renderer and
 * the helpers that write typed values with the JSON writer.
 */
#ifndef EF_RENDER_RENDER_INT_H
#define EF_RENDER_RENDER_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "render/jsonw.h"
#include "render/render.h"

/*
 * The constant runs of an event's JSON (provider, names, level, task,
 * opcode, keywords, channel: everything but times, ids and values), cached
 * per plan and descriptor so that most events copy them instead of
 * rendering them. A plan's serial never repeats, so a slot cannot be
 * mistaken for a later plan allocated at the same address.
 */
#define EF_FRAG_SLOTS 256
#define EF_FRAG_RUNS  2

struct ef_frag {
    uint64_t serial; /* the plan's; 0 for an event with no schema */
    struct ef_guid provider;
    uint64_t keywords;
    uint16_t id, task;
    uint8_t version, level, opcode, channel, kind, valid;
    struct ef_buf run[EF_FRAG_RUNS];
};

struct ef_renderer {
    struct ef_render_opts opts;
    struct ef_jw jw;     /* writes into the caller's buffer during ef_render_event */
    struct ef_buf text;  /* scratch for messages, map names, hex */
    struct ef_buf clean; /* sanitized copies of names that were not valid UTF-8 */
    struct ef_frag *frags;
    uint64_t ts_second; /* FILETIME / 10^7 whose text ts_prefix holds; UINT64_MAX: none */
    char ts_prefix[20]; /* "YYYY-MM-DDTHH:MM:SS" */
    /* ECS event.created: the wall clock's second whose text created holds (0: none). */
    int64_t created_second;
    char created[40]; /* "YYYY-MM-DDTHH:MM:SS." */
};

/*
 * The fragment slot for ev (its key filled in), or NULL when ev cannot be
 * cached (a schema without a compiled plan). *hit says whether the slot's
 * runs are valid; on a miss the caller renders and saves them.
 */
struct ef_frag *ef_render_frag(struct ef_renderer *r, const struct ef_event *ev, int *hit);
/* Copies what the writer appended since mark into run i of f. */
void ef_render_frag_save(struct ef_renderer *r, struct ef_frag *f, int i, size_t mark);
/* Replays run i of f at the writer's position. */
void ef_render_frag_replay(struct ef_renderer *r, const struct ef_frag *f, int i);
/* The writer's position, for ef_render_frag_save. */
size_t ef_render_mark(const struct ef_renderer *r);
/* Text of a GUID in braces, upper case, into out (>= 38 bytes); returns 38. */
size_t ef_render_fmt_guid(char *out, const struct ef_guid *g);
/* Upper-case hex digits of v (no "0x", no leading zeros) into out (>= 16 bytes); returns their
 * count. */
size_t ef_render_fmt_hex(char *out, uint64_t v);
/* Decimal text of v ending at end (at least 20 bytes before it); returns its length. */
size_t ef_render_fmt_u64(char *end, uint64_t v);

/*
 * The same values written at p, which has room for their _MAX bytes, with
 * no separator: each returns the end. For members of a fixed shape written
 * under one room check (ef_jw_members_begin).
 */
#define EF_RENDER_U64_MAX      20
#define EF_RENDER_GUID_MAX     40 /* with its quotes */
#define EF_RENDER_FILETIME_MAX 30 /* with its quotes; a number when no date can say it */
char *ef_render_put_u64(char *p, uint64_t v);
char *ef_render_put_guid(char *p, const struct ef_guid *g);
char *ef_render_put_filetime(struct ef_renderer *r, char *p, uint64_t ft);

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

/*
 * ef_buf_append with the common case inline: messages are built from many
 * short pieces, and a call plus a capacity check per piece showed up.
 */
static inline int ef_render_append(struct ef_buf *b, const void *p, size_t n)
{
    if (b->data && b->cap - b->len > n && b->max - b->len >= n) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return ef_buf_append(b, p, n);
}

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

/*
 * jsonw.h - a minimal streaming JSON writer into an ef_buf.
 *
 * Same call shape as yajl's generator (map/array open and close, strings
 * that are keys or values by position, numbers as preformatted text), but
 * every token is written straight into the buffer with one capacity check:
 * yajl's print callback costs several indirect calls per token, which
 * measured at 4x the time of the whole decode (docs/event-json.md,
 * "Performance"). Strings are escaped per RFC 8259; the caller passes valid
 * UTF-8. The first append error sticks in err and later calls do nothing.
 *
 * The per-token calls are static inline here: an event is some fifty
 * tokens, and a call per token (with its own capacity check and separator
 * logic behind two more calls) was a tenth of the render time. Only
 * growing the buffer and escaping strings stay out of line (jsonw.c).
 *
 * A writer belongs to one thread.
 */
#ifndef EF_RENDER_JSONW_H
#define EF_RENDER_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/buf.h"

#define EF_JW_MAX_DEPTH 128

/* Per-level state bits. */
enum { EF_JW_HAS_ITEMS = 1, EF_JW_IS_MAP = 2, EF_JW_VALUE_DUE = 4 };

struct ef_jw {
    struct ef_buf *out;
    int err;
    uint32_t depth;
    uint8_t state[EF_JW_MAX_DEPTH]; /* per level: EF_JW_* bits */
};

#if defined(__GNUC__)
#define EF_JW_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define EF_JW_LIKELY(x) (x)
#endif

/* Starts a new document appended to out. */
void ef_jw_reset(struct ef_jw *w, struct ef_buf *out);
/* A key (in a map, where a key is due) or a string value. */
void ef_jw_string(struct ef_jw *w, const void *s, size_t n);
/*
 * ef_jw_string for text that must be ASCII to be written as is: returns 1,
 * having written nothing, at the first byte >= 0x80 (the caller sanitizes
 * and calls ef_jw_string), else 0.
 */
int ef_jw_string_ascii(struct ef_jw *w, const void *s, size_t n);

/*
 * The slow path of ef_jw_room: grows the buffer for n more bytes (plus the
 * NUL); NULL with err set when it cannot or when err was already set.
 */
char *ef_jw_grow(struct ef_jw *w, size_t n);
/* Sets err for a document nested deeper than EF_JW_MAX_DEPTH. */
void ef_jw_too_deep(struct ef_jw *w);

/* Room for n more bytes (and the NUL) at the end of the output, or NULL. */
static inline char *ef_jw_room(struct ef_jw *w, size_t n)
{
    struct ef_buf *b = w->out;

    if (EF_JW_LIKELY(!w->err && b->cap > b->len && b->cap - b->len > n))
        return b->data + b->len;
    return ef_jw_grow(w, n);
}

/* Commits n bytes written at the room's pointer. */
static inline void ef_jw_done(struct ef_jw *w, size_t n)
{
    w->out->len += n;
    w->out->data[w->out->len] = '\0';
}

/*
 * Writes the separator a new element at this level needs at p (a ',' is
 * stored in any case; the room always has a byte for it) and returns its
 * length, 0 or 1. In a map, elements alternate between key and value.
 */
static inline size_t ef_jw_sep(struct ef_jw *w, char *p)
{
    uint8_t *st = &w->state[w->depth], s = *st;

    *p = ',';
    if ((s & (EF_JW_IS_MAP | EF_JW_VALUE_DUE)) == (EF_JW_IS_MAP | EF_JW_VALUE_DUE)) {
        *st = (uint8_t)(s & ~EF_JW_VALUE_DUE);
        return 0;
    }
    *st = (uint8_t)(s | EF_JW_HAS_ITEMS | ((s & EF_JW_IS_MAP) ? EF_JW_VALUE_DUE : 0));
    return s & EF_JW_HAS_ITEMS;
}

/* Whether the next string at this level is a key. */
static inline int ef_jw_key_due(const struct ef_jw *w)
{
    uint8_t s = w->state[w->depth];

    return (s & (EF_JW_IS_MAP | EF_JW_VALUE_DUE)) == EF_JW_IS_MAP;
}

static inline void ef_jw_open_(struct ef_jw *w, char c, uint8_t kind)
{
    char *p = ef_jw_room(w, 2);
    size_t n;

    if (!p)
        return;
    if (w->depth + 1 >= EF_JW_MAX_DEPTH) {
        ef_jw_too_deep(w);
        return;
    }
    n = ef_jw_sep(w, p);
    p[n++] = c;
    ef_jw_done(w, n);
    w->state[++w->depth] = kind;
}

static inline void ef_jw_map_open(struct ef_jw *w)
{
    ef_jw_open_(w, '{', EF_JW_IS_MAP);
}

static inline void ef_jw_array_open(struct ef_jw *w)
{
    ef_jw_open_(w, '[', 0);
}

static inline void ef_jw_close_(struct ef_jw *w, char c)
{
    char *p = ef_jw_room(w, 1);

    if (!p || w->depth == 0)
        return;
    *p = c;
    ef_jw_done(w, 1);
    w->depth--;
}

static inline void ef_jw_map_close(struct ef_jw *w)
{
    ef_jw_close_(w, '}');
}

static inline void ef_jw_array_close(struct ef_jw *w)
{
    ef_jw_close_(w, ']');
}

/* A number already formatted as JSON. */
static inline void ef_jw_number(struct ef_jw *w, const char *s, size_t n)
{
    char *p = ef_jw_room(w, n + 1);
    size_t k;

    if (!p)
        return;
    k = ef_jw_sep(w, p);
    memcpy(p + k, s, n);
    ef_jw_done(w, k + n);
}

static inline void ef_jw_bool(struct ef_jw *w, int v)
{
    if (v)
        ef_jw_number(w, "true", 4);
    else
        ef_jw_number(w, "false", 5);
}

static inline void ef_jw_null(struct ef_jw *w)
{
    ef_jw_number(w, "null", 4);
}

/*
 * A value the caller formats in place (numbers, or strings of known clean
 * text with their quotes), which saves formatting into a temporary and
 * copying: ef_jw_begin returns where to write at most n bytes (NULL on
 * error) and ef_jw_end commits them, end being one past the last byte.
 * Values only: a key is due never where these are used.
 */
static inline char *ef_jw_begin(struct ef_jw *w, size_t n)
{
    char *p = ef_jw_room(w, n + 1);

    return p ? p + ef_jw_sep(w, p) : NULL;
}

static inline void ef_jw_end(struct ef_jw *w, const char *end)
{
    ef_jw_done(w, (size_t)(end - (w->out->data + w->out->len)));
}

/*
 * A string value or key whose bytes the caller knows need no escaping
 * (formatted GUIDs, times, hex): printable ASCII without '"' or '\\'.
 * Skips the escape scan that ef_jw_string makes.
 */
static inline void ef_jw_plain(struct ef_jw *w, const char *s, size_t n)
{
    int is_key = ef_jw_key_due(w);
    char *p = ef_jw_room(w, n + 4);
    size_t k;

    if (!p)
        return;
    k = ef_jw_sep(w, p);
    p[k] = '"';
    memcpy(p + k + 1, s, n);
    k += n + 1;
    p[k++] = '"';
    if (is_key)
        p[k++] = ':';
    ef_jw_done(w, k);
}

/*
 * A key given as its finished JSON text: quoted, escaped and followed by
 * ':' ("\"Name\":"). Keys known when the code or the plan is built are
 * escaped once, not per event. EF_JW_KEY takes a string literal that needs
 * no escaping.
 */
static inline void ef_jw_key_raw(struct ef_jw *w, const char *s, size_t n)
{
    ef_jw_number(w, s, n);
}
#define EF_JW_KEY(w, lit) ef_jw_key_raw((w), "\"" lit "\":", sizeof("\"" lit "\":") - 1)

/*
 * Complete members of the current container as JSON text that an earlier,
 * identical call sequence wrote at the same place (a cached fragment): the
 * text is appended as is, including its own leading comma, and the level
 * then counts as having items.
 */
static inline void ef_jw_raw_members(struct ef_jw *w, const char *s, size_t n)
{
    char *p;

    if (n == 0)
        return;
    p = ef_jw_room(w, n);
    if (!p)
        return;
    memcpy(p, s, n);
    ef_jw_done(w, n);
    w->state[w->depth] |= EF_JW_HAS_ITEMS;
}

/*
 * Complete members of the current map written in place, for members of a
 * fixed shape whose size is bounded: ef_jw_members_begin returns room for
 * n bytes after the comma the level needs (NULL on error), the caller
 * writes "key":value pairs separated by commas, and ef_jw_members_end
 * commits them, end being one past the last byte. A key must be due.
 */
static inline char *ef_jw_members_begin(struct ef_jw *w, size_t n)
{
    char *p = ef_jw_room(w, n + 1);

    if (p && (w->state[w->depth] & EF_JW_HAS_ITEMS))
        *p++ = ',';
    return p;
}

static inline void ef_jw_members_end(struct ef_jw *w, const char *end)
{
    ef_jw_done(w, (size_t)(end - (w->out->data + w->out->len)));
    w->state[w->depth] |= EF_JW_HAS_ITEMS;
}

/* Copies a string literal to p and returns the end (for in-place members). */
#define EF_JW_PUT_LIT(p, lit) ((char *)memcpy((p), (lit), sizeof(lit) - 1) + sizeof(lit) - 1)

#endif

/*
 * jsonw.c - the streaming JSON writer.
 *
 * DESIGN: the writer tracks, per nesting level, whether an element was
 * written (a comma is due) and, in maps, whether the next string is a key
 * or a value, exactly as yajl does, so callers never place separators.
 */
#include "render/jsonw.h"

#include "util/error.h"

#include <stdint.h>
#include <string.h>

enum { HAS_ITEMS = 1, IS_MAP = 2, VALUE_DUE = 4 };

void ef_jw_reset(struct ef_jw *w, struct ef_buf *out)
{
    w->out = out;
    w->err = 0;
    w->depth = 0;
    w->state[0] = 0;
}

static char *room(struct ef_jw *w, size_t n)
{
    int rc;

    if (w->err)
        return NULL;
    if (w->out->len + n + 1 > w->out->cap) {
        rc = ef_buf_reserve(w->out, n);
        if (rc < 0) {
            w->err = rc;
            return NULL;
        }
    }
    return w->out->data + w->out->len;
}

static void done(struct ef_jw *w, size_t n)
{
    w->out->len += n;
    w->out->data[w->out->len] = '\0';
}

/* Writes the separator a new element at this level needs into p; returns its length. */
static size_t sep(struct ef_jw *w, char *p, int is_string)
{
    uint8_t *st = &w->state[w->depth];

    if (*st & IS_MAP) {
        if (*st & VALUE_DUE) {
            *st &= (uint8_t)~VALUE_DUE;
            return 0;
        }
        (void)is_string; /* a key is due: only a string may come (callers' contract) */
        *st |= VALUE_DUE;
        if (*st & HAS_ITEMS) {
            *p = ',';
            return 1;
        }
        *st |= HAS_ITEMS;
        return 0;
    }
    if (*st & HAS_ITEMS) {
        *p = ',';
        return 1;
    }
    *st |= HAS_ITEMS;
    return 0;
}

static int key_due(const struct ef_jw *w)
{
    uint8_t st = w->state[w->depth];

    return (st & IS_MAP) && !(st & VALUE_DUE);
}

static void open(struct ef_jw *w, char c, uint8_t kind)
{
    char *p = room(w, 2);
    size_t n;

    if (!p)
        return;
    if (w->depth + 1 >= EF_JW_MAX_DEPTH) {
        w->err = EF_ELIMIT;
        return;
    }
    n = sep(w, p, 0);
    p[n++] = c;
    done(w, n);
    w->state[++w->depth] = kind;
}

static void close_(struct ef_jw *w, char c)
{
    char *p = room(w, 1);

    if (!p || w->depth == 0)
        return;
    *p = c;
    done(w, 1);
    w->depth--;
}

void ef_jw_map_open(struct ef_jw *w)
{
    open(w, '{', IS_MAP);
}

void ef_jw_map_close(struct ef_jw *w)
{
    close_(w, '}');
}

void ef_jw_array_open(struct ef_jw *w)
{
    open(w, '[', 0);
}

void ef_jw_array_close(struct ef_jw *w)
{
    close_(w, ']');
}

static void atom(struct ef_jw *w, const char *s, size_t n)
{
    char *p = room(w, n + 1);
    size_t k;

    if (!p)
        return;
    k = sep(w, p, 0);
    memcpy(p + k, s, n);
    done(w, k + n);
}

void ef_jw_number(struct ef_jw *w, const char *s, size_t n)
{
    atom(w, s, n);
}

void ef_jw_bool(struct ef_jw *w, int v)
{
    if (v)
        atom(w, "true", 4);
    else
        atom(w, "false", 5);
}

void ef_jw_null(struct ef_jw *w)
{
    atom(w, "null", 4);
}

void ef_jw_key_raw(struct ef_jw *w, const char *s, size_t n)
{
    char *p = room(w, n + 1);
    size_t k;

    if (!p)
        return;
    k = sep(w, p, 1);
    memcpy(p + k, s, n);
    done(w, k + n);
}

void ef_jw_raw_members(struct ef_jw *w, const char *s, size_t n)
{
    char *p;

    if (n == 0)
        return;
    p = room(w, n);
    if (!p)
        return;
    memcpy(p, s, n);
    done(w, n);
    w->state[w->depth] |= HAS_ITEMS;
}

static const char hexd[] = "0123456789abcdef";

/*
 * Escapes per byte: 0 = copy, 'u' = \u00XX, else the letter after '\'.
 * A table instead of a switch: strings are most of an event's bytes.
 */
static const char esc[256] = {
    ['\b'] = 'b',  ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r', ['"'] = '"',
    ['\\'] = '\\', [0] = 'u',    [1] = 'u',    [2] = 'u',    [3] = 'u',    [4] = 'u',
    [5] = 'u',     [6] = 'u',    [7] = 'u',    [11] = 'u',   [14] = 'u',   [15] = 'u',
    [16] = 'u',    [17] = 'u',   [18] = 'u',   [19] = 'u',   [20] = 'u',   [21] = 'u',
    [22] = 'u',    [23] = 'u',   [24] = 'u',   [25] = 'u',   [26] = 'u',   [27] = 'u',
    [28] = 'u',    [29] = 'u',   [30] = 'u',   [31] = 'u',
};

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Nonzero when one of the 8 bytes in x is below 0x20, '"' or '\\' (SWAR). */
static uint64_t needs_escape(uint64_t x)
{
    uint64_t lt20 = (x - ONES * 0x20) & ~x;
    uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

    return (lt20 | ((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS;
}

/*
 * Why this shape: one reservation for the worst case (6 bytes per input
 * byte), then 8 bytes at a time while no byte needs escaping, which is
 * nearly always. Bytes >= 0x80 are copied (the callers pass valid UTF-8).
 */
void ef_jw_string(struct ef_jw *w, const void *src, size_t n)
{
    const unsigned char *s = src, *end = s + n;
    int is_key = key_due(w);
    char *p, *start;
    uint64_t x;

    if (n > (SIZE_MAX - 8) / 6) {
        w->err = EF_ELIMIT;
        return;
    }
    p = room(w, n * 6 + 4);
    if (!p)
        return;
    start = p;
    p += sep(w, p, 1);
    *p++ = '"';
    while (s < end) {
        if (end - s >= 8) {
            memcpy(&x, s, 8);
            if (!needs_escape(x)) {
                memcpy(p, &x, 8);
                p += 8, s += 8;
                continue;
            }
        }
        if (!esc[*s]) {
            *p++ = (char)*s++;
            continue;
        }
        *p++ = '\\';
        *p++ = esc[*s];
        if (esc[*s] == 'u') {
            p[0] = '0', p[1] = '0', p[2] = hexd[*s >> 4], p[3] = hexd[*s & 15];
            p += 4;
        }
        s++;
    }
    *p++ = '"';
    if (is_key)
        *p++ = ':';
    done(w, (size_t)(p - start));
}

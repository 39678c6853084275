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
#ifdef __SSE2__
#include <emmintrin.h>
#endif

void ef_jw_reset(struct ef_jw *w, struct ef_buf *out)
{
    w->out = out;
    w->err = 0;
    w->depth = 0;
    w->state[0] = 0;
}

char *ef_jw_grow(struct ef_jw *w, size_t n)
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

void ef_jw_too_deep(struct ef_jw *w)
{
    w->err = EF_ELIMIT;
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

/* Writes the escape sequence of c (esc[c] != 0) at p; returns the end. */
static char *escape_byte(char *p, unsigned char c)
{
    *p++ = '\\';
    *p++ = esc[c];
    if (esc[c] == 'u') {
        p[0] = '0', p[1] = '0', p[2] = hexd[c >> 4], p[3] = hexd[c & 15];
        p += 4;
    }
    return p;
}

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
 * byte), then 16 or 8 bytes at a time while no byte needs escaping, which
 * is nearly always. Bytes >= 0x80 are copied (the callers pass valid
 * UTF-8), unless ascii is set: then the first such byte abandons the
 * string, with nothing written, and the result is 1, so that a caller that
 * must sanitize text that is not ASCII learns it in the same pass.
 */
static int put_string(struct ef_jw *w, const void *src, size_t n, int ascii)
{
    const unsigned char *s = src, *end = s + n;
    int is_key = ef_jw_key_due(w);
    uint8_t state = w->state[w->depth];
    uint64_t x, hi = ascii ? HIGHS : 0;
    char *p, *start;

    if (n > (SIZE_MAX - 8) / 6) {
        w->err = EF_ELIMIT;
        return 0;
    }
    p = ef_jw_room(w, n * 6 + 4);
    if (!p)
        return 0;
    start = p;
    p += ef_jw_sep(w, p);
    *p++ = '"';
#ifdef __SSE2__
    /* 16 bytes at a time where SSE2 exists (every x86-64 target): each block
     * is stored as is, then the output advances to the first byte that
     * needs escaping, if any, and that byte is escaped here. */
    while (end - s >= 16) {
        const __m128i quote = _mm_set1_epi8('"'), bsl = _mm_set1_epi8('\\');
        const __m128i ctl = _mm_set1_epi8(0x1f);
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bsl)),
                                 _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
        unsigned mask = (unsigned)_mm_movemask_epi8(m), k;

        if (ascii && _mm_movemask_epi8(v))
            goto not_ascii;
        _mm_storeu_si128((__m128i *)(void *)p, v);
        if (!mask) {
            p += 16, s += 16;
            continue;
        }
        k = (unsigned)__builtin_ctz(mask);
        p += k, s += k;
        p = escape_byte(p, *s++);
    }
#endif
    while (s < end) {
        if (end - s >= 8) {
            memcpy(&x, s, 8);
            if (!needs_escape(x) && !(x & hi)) {
                memcpy(p, &x, 8);
                p += 8, s += 8;
                continue;
            }
        }
        if (ascii && *s >= 0x80)
            goto not_ascii;
        if (!esc[*s]) {
            *p++ = (char)*s++;
            continue;
        }
        p = escape_byte(p, *s++);
    }
    *p++ = '"';
    if (is_key)
        *p++ = ':';
    ef_jw_done(w, (size_t)(p - start));
    return 0;
not_ascii:
    w->state[w->depth] = state;
    return 1;
}

void ef_jw_string(struct ef_jw *w, const void *src, size_t n)
{
    put_string(w, src, n, 0);
}

int ef_jw_string_ascii(struct ef_jw *w, const void *src, size_t n)
{
    return put_string(w, src, n, 1);
}

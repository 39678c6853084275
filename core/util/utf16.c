/*
 * utf16.c - UTF-16LE to UTF-8, with U+FFFD for everything malformed.
 *
 * Most ETW strings are ASCII (paths, URLs, names), so runs of ASCII units
 * are narrowed eight at a time (SSE2 on every x86-64 target, 64-bit words
 * elsewhere) and only the other units take the per-character path.
 */
#include "utf16.h"
#include "error.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define LANES16 0x0001000100010001ull

/* Nonzero when one of the four 16-bit units in x is 0 or above 0x7F (SWAR). */
static uint64_t not_plain4(uint64_t x)
{
    return (x & (LANES16 * 0xFF80)) | ((x - LANES16) & ~x & (LANES16 * 0x8000));
}

/*
 * Narrows the leading units of s[0..n) that are ASCII and not NUL into dst,
 * eight at a time while dst has room for eight; returns the source bytes
 * taken (the output is half as long). The caller converts the rest.
 */
static size_t ascii_run(const uint8_t *s, size_t n, char *dst, size_t room)
{
    size_t i = 0;

#ifdef __SSE2__
    const __m128i zero = _mm_setzero_si128(), lim = _mm_set1_epi16(0x80);

    while (n - i >= 16 && room - i / 2 >= 8) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        /* Signed compares: 0 < u < 0x80 holds for exactly the plain units. */
        __m128i ok = _mm_and_si128(_mm_cmpgt_epi16(v, zero), _mm_cmplt_epi16(v, lim));

        if (_mm_movemask_epi8(ok) != 0xFFFF)
            break;
        _mm_storel_epi64((__m128i *)(void *)(dst + i / 2), _mm_packus_epi16(v, v));
        i += 16;
    }
#endif
    while (n - i >= 8 && room - i / 2 >= 4) {
        uint64_t x;
        uint32_t out;

        memcpy(&x, s + i, 8);
        if (not_plain4(x))
            break;
        out = (uint32_t)((x & 0xFF) | ((x >> 8) & 0xFF00) | ((x >> 16) & 0xFF0000) |
                         ((x >> 24) & 0xFF000000));
        memcpy(dst + i / 2, &out, 4);
        i += 8;
    }
    return i;
}

static size_t encode_utf8(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * Decodes the next code point at s[i..n). Returns the number of source bytes
 * it takes (1 only for a lone trailing byte, else 2 or 4), with *cp set.
 */
static size_t next_cp(const uint8_t *s, size_t i, size_t n, uint32_t *cp)
{
    uint32_t u, u2;

    if (n - i < 2) {
        *cp = 0xFFFD;
        return 1;
    }
    u = (uint32_t)s[i] | ((uint32_t)s[i + 1] << 8);
    if (u < 0xD800 || u > 0xDFFF) {
        *cp = u;
        return 2;
    }
    if (u >= 0xDC00 || n - i < 4) {
        *cp = 0xFFFD;
        return 2;
    }
    u2 = (uint32_t)s[i + 2] | ((uint32_t)s[i + 3] << 8);
    if (u2 < 0xDC00 || u2 > 0xDFFF) {
        *cp = 0xFFFD; /* the next unit is decoded on its own */
        return 2;
    }
    *cp = 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
    return 4;
}

int ef_utf16le_to_utf8(const void *src, size_t src_len, unsigned flags, char *dst, size_t dst_cap,
                       size_t *out_len, size_t *src_used)
{
    const uint8_t *s = src;
    size_t i = 0, o = 0, step, k;
    uint32_t cp;
    char enc[4];
    int rc = 0;

    while (i < src_len) {
        if (dst_cap > 0) {
            step = ascii_run(s + i, src_len - i, dst + o, dst_cap - 1 - o);
            i += step;
            o += step / 2;
            if (i >= src_len)
                break;
        }
        step = next_cp(s, i, src_len, &cp);
        if (cp == 0 && (flags & EF_UTF16_STOP_AT_NUL)) {
            i += step;
            break;
        }
        k = encode_utf8(cp, enc);
        if (dst_cap == 0 || o + k > dst_cap - 1) {
            rc = EF_ENOSPC;
            break;
        }
        memcpy(dst + o, enc, k);
        o += k;
        i += step;
    }
    if (dst_cap > 0)
        dst[o] = '\0';
    if (out_len)
        *out_len = o;
    if (src_used)
        *src_used = i;
    return rc;
}

size_t ef_utf16le_find_nul(const void *src, size_t n, int *found)
{
    const uint8_t *s = src;
    size_t i = 0;
    uint64_t x, z;

    *found = 1;
#ifdef __SSE2__
    for (; n - i >= 16; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi16(v, _mm_setzero_si128()));

        if (m)
            return i + (unsigned)__builtin_ctz(m);
    }
#endif
    for (; n - i >= 8; i += 8) {
        memcpy(&x, s + i, 8);
        z = (x - LANES16) & ~x & (LANES16 * 0x8000);
        if (z) /* the lowest flagged lane is the first zero unit; later flags may be borrows */
            break;
    }
    for (; n - i >= 2; i += 2) {
        if (s[i] == 0 && s[i + 1] == 0)
            return i;
    }
    *found = 0;
    return n - n % 2;
}

int ef_utf16le_to_buf(const void *src, size_t src_len, unsigned flags, struct ef_buf *b,
                      size_t *src_used)
{
    size_t need = EF_UTF8_MAX_FOR_UTF16(src_len), got = 0, used = 0;
    size_t room;
    int rc;

    /* Reserve the worst case when it fits the cap, else what the cap allows. */
    rc = ef_buf_reserve(b, need);
    if (rc == EF_ELIMIT) {
        room = b->max - b->len;
        rc = ef_buf_reserve(b, room);
        if (rc < 0)
            return rc;
        rc = ef_utf16le_to_utf8(src, src_len, flags, b->data + b->len, room + 1, &got, &used);
        b->len += got;
        if (src_used)
            *src_used = used;
        return rc == EF_ENOSPC ? EF_ELIMIT : rc;
    }
    if (rc < 0)
        return rc;
    rc = ef_utf16le_to_utf8(src, src_len, flags, b->data + b->len, b->cap - b->len, &got, &used);
    b->len += got;
    if (src_used)
        *src_used = used;
    return rc;
}

/* Length of a valid UTF-8 sequence starting at s[0], or 0 if invalid. */
static size_t utf8_valid_len(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    size_t len, j;
    uint32_t cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (j = 1; j < len; j++) {
        if ((s[j] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[j] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int ef_utf8_sanitize_to_buf(const void *src, size_t src_len, struct ef_buf *b)
{
    const uint8_t *s = src;
    size_t i = 0, run = 0, k;
    int rc;

    while (i + run < src_len) {
        k = utf8_valid_len(s + i + run, src_len - i - run);
        if (k) {
            run += k;
            continue;
        }
        rc = ef_buf_append(b, s + i, run);
        if (rc == 0)
            rc = ef_buf_append(b, "\xEF\xBF\xBD", 3);
        if (rc < 0)
            return rc;
        i += run + 1;
        run = 0;
    }
    return ef_buf_append(b, s + i, run);
}

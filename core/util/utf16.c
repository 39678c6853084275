/*
 * utf16.c - UTF-16LE to UTF-8, with U+FFFD for everything malformed.
 */
#include "utf16.h"
#include "error.h"

#include <stdint.h>
#include <string.h>

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

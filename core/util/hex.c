/*
 * hex.c - hex encoding and dumps.
 */
#include "hex.h"

#include <stdint.h>

static const char digits[] = "0123456789ABCDEF";

int ef_hex_append(struct ef_buf *b, const void *p, size_t n)
{
    const uint8_t *s = p;
    char *o;
    size_t i;
    int rc;

    if (n > (b->max / 2) + 1)
        return ef_buf_reserve(b, b->max + 1); /* EF_ELIMIT without overflow */
    rc = ef_buf_reserve(b, 2 * n);
    if (rc < 0)
        return rc;
    o = b->data + b->len;
    for (i = 0; i < n; i++) {
        *o++ = digits[s[i] >> 4];
        *o++ = digits[s[i] & 15];
    }
    b->len += 2 * n;
    b->data[b->len] = '\0';
    return 0;
}

int ef_hexdump_append(struct ef_buf *b, const void *p, size_t n)
{
    const uint8_t *s = p;
    size_t off, i;
    int rc;

    for (off = 0; off < n; off += 16) {
        rc = ef_buf_appendf(b, "%08zx ", off);
        for (i = 0; i < 16 && rc == 0; i++) {
            if (off + i < n)
                rc = ef_buf_appendf(b, " %02x", s[off + i]);
            else
                rc = ef_buf_append(b, "   ", 3);
        }
        if (rc == 0)
            rc = ef_buf_append(b, "  |", 3);
        for (i = 0; i < 16 && off + i < n && rc == 0; i++) {
            uint8_t c = s[off + i];
            rc = ef_buf_append_byte(b, (c >= 0x20 && c < 0x7f) ? (char)c : '.');
        }
        if (rc == 0)
            rc = ef_buf_append(b, "|\n", 2);
        if (rc < 0)
            return rc;
    }
    return 0;
}

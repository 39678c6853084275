/*
 * plan_keys.c - a plan's field names as finished JSON keys.
 *
 * DESIGN: the renderer writes a key for every field of every event; keys
 * are the field names, which are fixed per plan. Escaping them here, once
 * per compiled plan, leaves the renderer one copy per key. The text must be
 * byte for byte what the renderer's own path writes (render.c: names that
 * are not ASCII are sanitized to UTF-8, then JSON-escaped; an empty or
 * missing name is "_"), so that output does not depend on whether a plan
 * carried keys.
 */
#include "decode/plan.h"

#include "util/error.h"
#include "util/utf16.h"

#include <stdlib.h>
#include <string.h>

/* Upper bound of one name's key text: 6 bytes per byte escaped, quotes and ':'. */
static size_t key_bound(size_t n)
{
    return n * 6 + 3;
}

static int is_ascii(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    }
    return 1;
}

/* Writes "s": into p (room for key_bound(n)); returns the length. */
static size_t put_key(char *p, const unsigned char *s, size_t n)
{
    static const char hexd[] = "0123456789abcdef";
    char *start = p;
    size_t i;

    *p++ = '"';
    for (i = 0; i < n; i++) {
        unsigned char c = s[i];

        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else if (c >= 0x20) {
            *p++ = (char)c;
        } else {
            *p++ = '\\';
            switch (c) {
            case '\b':
                *p++ = 'b';
                break;
            case '\t':
                *p++ = 't';
                break;
            case '\n':
                *p++ = 'n';
                break;
            case '\f':
                *p++ = 'f';
                break;
            case '\r':
                *p++ = 'r';
                break;
            default:
                p[0] = 'u', p[1] = '0', p[2] = '0', p[3] = hexd[c >> 4], p[4] = hexd[c & 15];
                p += 5;
                break;
            }
        }
    }
    *p++ = '"';
    *p++ = ':';
    return (size_t)(p - start);
}

int ef_plan_keys_build(struct ef_plan *p)
{
    struct ef_buf clean;
    size_t total = 0, off = 0, n;
    char *keys;
    uint16_t i;
    int rc = 0;

    for (i = 0; i < p->count; i++) {
        const char *name = p->ops[i].field->name;

        n = name && *name ? strlen(name) : 1;
        if (n > (1u << 20)) /* a name this long keeps the renderer's per-event path */
            return EF_ELIMIT;
        total += key_bound(n * 3); /* sanitizing may triple a byte (U+FFFD) */
    }
    keys = malloc(total ? total : 1);
    if (!keys)
        return EF_ENOMEM;
    ef_buf_init(&clean, 3u << 20);
    for (i = 0; i < p->count && rc == 0; i++) {
        const char *name = p->ops[i].field->name;
        const char *s = name && *name ? name : "_";

        n = strlen(s);
        if (!is_ascii(s, n)) {
            ef_buf_reset(&clean);
            rc = ef_utf8_sanitize_to_buf(s, n, &clean);
            if (rc < 0 || clean.len > n * 3)
                break;
            s = clean.data, n = clean.len;
        }
        p->ops[i].key_off = (uint32_t)off;
        p->ops[i].key_len = (uint32_t)put_key(keys + off, (const unsigned char *)s, n);
        off += p->ops[i].key_len;
    }
    ef_buf_free(&clean);
    if (i < p->count) {
        free(keys);
        return rc < 0 ? rc : EF_ELIMIT;
    }
    p->keys = keys;
    return 0;
}

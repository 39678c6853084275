/*
 * jsonw.c - the streaming JSON writer.
 *
 * DESIGN: the writer tracks, per nesting level, whether an element was
 * written (a comma is due) and, in maps, whether the next string is a key
 * or a value, exactly as yajl does, so callers never place separators.
 */
#include "render/jsonw.h"

#include "util/error.h"

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

static const char hexd[] = "0123456789abcdef";

void ef_jw_string(struct ef_jw *w, const void *src, size_t n)
{
    const unsigned char *s = src;
    int is_key = key_due(w);
    size_t i = 0, run, k;
    char *p = room(w, n + 4);

    if (!p)
        return;
    k = sep(w, p, 1);
    p[k++] = '"';
    done(w, k);
    while (i < n) {
        for (run = i; run < n && s[run] >= 0x20 && s[run] != '"' && s[run] != '\\'; run++)
            ;
        if (run > i) {
            p = room(w, run - i);
            if (!p)
                return;
            memcpy(p, s + i, run - i);
            done(w, run - i);
            i = run;
            continue;
        }
        p = room(w, 6);
        if (!p)
            return;
        p[0] = '\\';
        switch (s[i]) {
        case '"':
        case '\\':
            p[1] = (char)s[i];
            k = 2;
            break;
        case '\n':
            p[1] = 'n', k = 2;
            break;
        case '\r':
            p[1] = 'r', k = 2;
            break;
        case '\t':
            p[1] = 't', k = 2;
            break;
        case '\b':
            p[1] = 'b', k = 2;
            break;
        case '\f':
            p[1] = 'f', k = 2;
            break;
        default:
            p[1] = 'u', p[2] = '0', p[3] = '0', p[4] = hexd[s[i] >> 4], p[5] = hexd[s[i] & 15];
            k = 6;
            break;
        }
        done(w, k);
        i++;
    }
    p = room(w, 2);
    if (!p)
        return;
    k = 0;
    p[k++] = '"';
    if (is_key)
        p[k++] = ':';
    done(w, k);
}

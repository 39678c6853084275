/*
 * buf.c - growable byte buffer with a hard cap.
 */
#include "buf.h"
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ef_buf_init(struct ef_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void ef_buf_free(struct ef_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void ef_buf_reset(struct ef_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int ef_buf_reserve(struct ef_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > b->max || b->len > b->max - extra)
        return EF_ELIMIT;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    p = realloc(b->data, cap);
    if (!p)
        return EF_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int ef_buf_append(struct ef_buf *b, const void *p, size_t n)
{
    int rc = ef_buf_reserve(b, n);

    if (rc < 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int ef_buf_append_str(struct ef_buf *b, const char *s)
{
    return ef_buf_append(b, s, strlen(s));
}

int ef_buf_append_byte(struct ef_buf *b, char c)
{
    return ef_buf_append(b, &c, 1);
}

int ef_buf_vappendf(struct ef_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n, rc;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return EF_EINVAL;
    rc = ef_buf_reserve(b, (size_t)n);
    if (rc < 0)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int ef_buf_appendf(struct ef_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = ef_buf_vappendf(b, fmt, ap);
    va_end(ap);
    return rc;
}

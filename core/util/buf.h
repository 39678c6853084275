/*
 * buf.h - a growable byte buffer with a hard cap.
 *
 * Like curl's dynbuf: a buffer grows by doubling but never past its max, and
 * an append that would exceed the max fails with EF_ELIMIT and leaves the
 * buffer as it was. Hot paths reuse one buffer (ef_buf_reset keeps the
 * memory), so the steady state allocates nothing.
 *
 * A buffer is owned by one thread at a time.
 */
#ifndef EF_UTIL_BUF_H
#define EF_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "attr.h"

struct ef_buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max; /* largest len allowed */
};

void ef_buf_init(struct ef_buf *b, size_t max);
void ef_buf_free(struct ef_buf *b);
/* Forgets the contents, keeps the memory. */
void ef_buf_reset(struct ef_buf *b);
/* Makes room for extra more bytes (plus the NUL). EF_ELIMIT past max. */
int ef_buf_reserve(struct ef_buf *b, size_t extra);
int ef_buf_append(struct ef_buf *b, const void *p, size_t n);
int ef_buf_append_str(struct ef_buf *b, const char *s);
int ef_buf_append_byte(struct ef_buf *b, char c);
int ef_buf_appendf(struct ef_buf *b, const char *fmt, ...)
    EF_PRINTF(2, 3);
int ef_buf_vappendf(struct ef_buf *b, const char *fmt, va_list ap);

#endif

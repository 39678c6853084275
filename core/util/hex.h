/*
 * hex.h - bytes as hex text.
 */
#ifndef EF_UTIL_HEX_H
#define EF_UTIL_HEX_H

#include <stddef.h>

#include "buf.h"

/*
 * Appends n bytes as 2n upper-case hex digits (no prefix, no spaces), the
 * form binary payloads take in the event JSON. Any thread.
 */
int ef_hex_append(struct ef_buf *b, const void *p, size_t n);

/*
 * Appends a classic dump: per 16 bytes, an 8-digit offset, the bytes in hex
 * and their printable ASCII, one line each. For `inspect` and logs.
 */
int ef_hexdump_append(struct ef_buf *b, const void *p, size_t n);

#endif

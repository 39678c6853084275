/*
 * utf16.h - UTF-16LE to UTF-8 conversion for ETW strings.
 *
 * ETW payloads carry UTF-16LE strings that may be unterminated at the end of
 * the payload, have an odd byte count, or contain unpaired surrogates. The
 * converter never reads past src_len, replaces every malformed unit with
 * U+FFFD, and reports how many source bytes it used, so a decoder can step
 * over a terminated string.
 */
#ifndef EF_UTIL_UTF16_H
#define EF_UTIL_UTF16_H

#include <stddef.h>

#include "buf.h"

/* Worst case UTF-8 bytes for n UTF-16 bytes: 3 per code unit, or 3 for a lone odd byte. */
#define EF_UTF8_MAX_FOR_UTF16(n) ((((n) + 1) / 2) * 3)

enum ef_utf16_flags {
    /* Stop at the first NUL code unit (it is consumed, not copied). */
    EF_UTF16_STOP_AT_NUL = 1,
};

/*
 * Converts up to src_len bytes of UTF-16LE at src into UTF-8 at dst, which
 * holds dst_cap bytes and is always NUL-terminated when dst_cap > 0.
 * *out_len (optional) gets the UTF-8 length, *src_used (optional) the source
 * bytes consumed, including a NUL terminator when one stopped the scan.
 * Returns 0, or EF_ENOSPC when dst was too small: the output then ends at a
 * character boundary and *src_used says how far the conversion got.
 * Any thread.
 */
int ef_utf16le_to_utf8(const void *src, size_t src_len, unsigned flags, char *dst, size_t dst_cap,
                       size_t *out_len, size_t *src_used);

/* The same, appending to a buffer. EF_ELIMIT if the buffer's cap is reached. */
int ef_utf16le_to_buf(const void *src, size_t src_len, unsigned flags, struct ef_buf *b,
                      size_t *src_used);

/*
 * Offset of the first NUL code unit in the n bytes at src (units at even
 * offsets), with *found = 1; else n rounded down to even, with *found = 0.
 */
size_t ef_utf16le_find_nul(const void *src, size_t n, int *found);

/*
 * Validates UTF-8 from a foreign source (ANSI strings in payloads, files),
 * replacing every invalid sequence with U+FFFD, appending to b. Any thread.
 */
int ef_utf8_sanitize_to_buf(const void *src, size_t src_len, struct ef_buf *b);

#endif

/*
 * xpress.h - plain LZ77 "XPRESS" decompression (MS-XCA section 2.4,
 * COMPRESSION_FORMAT_XPRESS), the format of compressed .etl buffers.
 */
#ifndef EF_ETL_XPRESS_H
#define EF_ETL_XPRESS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decompresses src_len bytes at src into dst (dst_cap bytes). *out_len gets
 * the bytes produced, also on error, so a caller can salvage the good prefix.
 * Every copy is bounds-checked against both buffers. Returns 0 when the input
 * ended at a token boundary, EF_ETRUNC when it ended inside a token,
 * EF_ENOSPC when dst is too small, EF_EFORMAT for a match reaching before the
 * start of the output or an invalid extended length. Any thread.
 */
int ef_xpress_decompress(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_cap,
                         size_t *out_len);

#endif

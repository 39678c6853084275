/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of spool records.
 *
 * CRC-32C rather than zlib's CRC-32 because x86 computes it in one
 * instruction (SSE4.2) and it detects more error patterns on short records.
 * A software slice-by-8 table is always there; the SSE4.2 path is chosen at
 * run time when the CPU has it.
 */
#ifndef EF_UTIL_CRC32C_H
#define EF_UTIL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continues a CRC-32C over len bytes: start with crc = 0, feed the result
 * back for the next piece. ef_crc32c(0, "123456789", 9) == 0xE3069283.
 * Any thread.
 */
uint32_t ef_crc32c(uint32_t crc, const void *data, size_t len);

/* The software version, for tests that compare both paths. Any thread. */
uint32_t ef_crc32c_sw(uint32_t crc, const void *data, size_t len);

#endif

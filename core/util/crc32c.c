/*
 * crc32c.c - CRC-32C with a slice-by-8 table and an SSE4.2 fast path.
 *
 * The table is built once on first use (a benign race: every thread would
 * write the same values, and a flag set last with release order guards it).
 * The SSE4.2 path uses the crc32 instruction through a target attribute, so
 * the rest of the build keeps the baseline x86-64 instruction set.
 */
#include "crc32c.h"

#include <string.h>

#define POLY 0x82F63B78u /* reflected Castagnoli polynomial */

static uint32_t table[8][256];
static int table_ready;

static void build_table(void)
{
    uint32_t i, j, c;

    for (i = 0; i < 256; i++) {
        c = i;
        for (j = 0; j < 8; j++)
            c = (c >> 1) ^ (POLY & (0u - (c & 1)));
        table[0][i] = c;
    }
    for (i = 0; i < 256; i++) {
        c = table[0][i];
        for (j = 1; j < 8; j++) {
            c = table[0][c & 0xFF] ^ (c >> 8);
            table[j][i] = c;
        }
    }
    __atomic_store_n(&table_ready, 1, __ATOMIC_RELEASE);
}

uint32_t ef_crc32c_sw(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t c = ~crc;

    if (!__atomic_load_n(&table_ready, __ATOMIC_ACQUIRE))
        build_table();
    while (len >= 8) {
        /* Little-endian load of two words: the table slices assume it. */
        uint32_t lo = ((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
                       ((uint32_t)p[3] << 24)) ^
                      c;
        uint32_t hi = (uint32_t)p[4] | ((uint32_t)p[5] << 8) | ((uint32_t)p[6] << 16) |
                      ((uint32_t)p[7] << 24);

        c = table[7][lo & 0xFF] ^ table[6][(lo >> 8) & 0xFF] ^ table[5][(lo >> 16) & 0xFF] ^
            table[4][lo >> 24] ^ table[3][hi & 0xFF] ^ table[2][(hi >> 8) & 0xFF] ^
            table[1][(hi >> 16) & 0xFF] ^ table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--)
        c = table[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/*
 * The crc32 instruction takes 3 cycles but can start one every cycle, so
 * the hardware path runs three streams over adjacent blocks at once and
 * joins them: the CRC of A||B is the CRC of A moved over |B| zero bytes,
 * xor the CRC of B from 0. "Moving over n zero bytes" is a linear map,
 * kept as four byte tables per block size (Mark Adler's method). A spool
 * record (~1 KB) gets one 3 x 256-byte round; 3 x 4 KiB rounds for more.
 */
#define HW_LONG  4096
#define HW_SHORT 256

static uint32_t zeros_long[4][256], zeros_short[4][256];
static int zeros_ready;

/* mat times vec over GF(2): mat[i] is the image of bit i. */
static uint32_t gf2_times(const uint32_t *mat, uint32_t vec)
{
    uint32_t sum = 0;

    while (vec) {
        if (vec & 1)
            sum ^= *mat;
        vec >>= 1;
        mat++;
    }
    return sum;
}

static void gf2_square(uint32_t *square, const uint32_t *mat)
{
    int n;

    for (n = 0; n < 32; n++)
        square[n] = gf2_times(mat, mat[n]);
}

/* The tables that move a raw CRC register over len zero bytes (len a power of two). */
static void build_zeros(uint32_t zeros[4][256], size_t len)
{
    uint32_t op[32], sq[32], row = 1;
    uint32_t n;

    /* One zero bit: shift right, folding the polynomial in when bit 0 was set. */
    op[0] = POLY;
    for (n = 1; n < 32; n++) {
        op[n] = row;
        row <<= 1;
    }
    /* Square 3 times for one byte, then once more per doubling of len. */
    for (len *= 8; len > 1; len >>= 1) {
        gf2_square(sq, op);
        memcpy(op, sq, sizeof(op));
    }
    for (n = 0; n < 256; n++) {
        zeros[0][n] = gf2_times(op, n);
        zeros[1][n] = gf2_times(op, n << 8);
        zeros[2][n] = gf2_times(op, n << 16);
        zeros[3][n] = gf2_times(op, n << 24);
    }
}

static uint32_t shift_zeros(uint32_t zeros[4][256], uint32_t c)
{
    return zeros[0][c & 0xFF] ^ zeros[1][(c >> 8) & 0xFF] ^ zeros[2][(c >> 16) & 0xFF] ^
           zeros[3][c >> 24];
}

/* Three streams over 3 x block bytes at p into the running register c. */
__attribute__((target("sse4.2"))) static uint64_t three_way(uint64_t c, const uint8_t *p,
                                                            size_t block, uint32_t zeros[4][256])
{
    uint64_t c1 = 0, c2 = 0;
    size_t i;

    for (i = 0; i < block; i += 8) {
        uint64_t w0, w1, w2;

        memcpy(&w0, p + i, 8);
        memcpy(&w1, p + block + i, 8);
        memcpy(&w2, p + 2 * block + i, 8);
        c = __builtin_ia32_crc32di(c, w0);
        c1 = __builtin_ia32_crc32di(c1, w1);
        c2 = __builtin_ia32_crc32di(c2, w2);
    }
    c = shift_zeros(zeros, (uint32_t)c) ^ (uint32_t)c1;
    return shift_zeros(zeros, (uint32_t)c) ^ (uint32_t)c2;
}

__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t crc, const void *data,
                                                            size_t len)
{
    const uint8_t *p = data;
    uint64_t c = ~crc;

    if (len >= 3 * HW_SHORT && !__atomic_load_n(&zeros_ready, __ATOMIC_ACQUIRE)) {
        /* A benign race like the table's: every thread writes the same values. */
        build_zeros(zeros_long, HW_LONG);
        build_zeros(zeros_short, HW_SHORT);
        __atomic_store_n(&zeros_ready, 1, __ATOMIC_RELEASE);
    }
    while (len >= 3 * HW_LONG) {
        c = three_way(c, p, HW_LONG, zeros_long);
        p += 3 * HW_LONG;
        len -= 3 * HW_LONG;
    }
    while (len >= 3 * HW_SHORT) {
        c = three_way(c, p, HW_SHORT, zeros_short);
        p += 3 * HW_SHORT;
        len -= 3 * HW_SHORT;
    }
    while (len >= 8) {
        uint64_t w;

        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        len -= 8;
    }
    while (len--)
        c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
    return ~(uint32_t)c;
}

uint32_t ef_crc32c(uint32_t crc, const void *data, size_t len)
{
    static int have_hw = -1;
    int hw = __atomic_load_n(&have_hw, __ATOMIC_RELAXED);

    if (hw < 0) {
        __builtin_cpu_init();
        hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
        __atomic_store_n(&have_hw, hw, __ATOMIC_RELAXED);
    }
    return hw ? crc32c_hw(crc, data, len) : ef_crc32c_sw(crc, data, len);
}
#else
uint32_t ef_crc32c(uint32_t crc, const void *data, size_t len)
{
    return ef_crc32c_sw(crc, data, len);
}
#endif

/*
 * sha1.c - SHA-1 as FIPS 180-4 section 6.1 describes it.
 *
 * DESIGN: input is gathered into a 64-byte block; each full block runs the 80
 * rounds over the five-word state. final() appends 0x80, zeros up to 56 bytes
 * of the last block and the message length in bits, big-endian, as FIPS
 * 180-4 5.1.1 pads. The 80-word schedule is computed in a 16-word ring, as
 * RFC 3174 method 2 does, to keep the stack small.
 */
#include "sha1.h"

#include <string.h>

static uint32_t rol(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static uint32_t be32(const uint8_t *b)
{
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static void compress(uint32_t h[5], const uint8_t *block)
{
    uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f, k, t;
    unsigned i;

    for (i = 0; i < 16; i++)
        w[i] = be32(block + 4 * i);
    for (i = 0; i < 80; i++) {
        if (i >= 16)
            w[i & 15] = rol(w[(i + 13) & 15] ^ w[(i + 8) & 15] ^ w[(i + 2) & 15] ^ w[i & 15], 1);
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        t = rol(a, 5) + f + e + k + w[i & 15];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void ef_sha1_init(struct ef_sha1 *c)
{
    /* The initial hash value of FIPS 180-4 5.3.1. */
    c->h[0] = 0x67452301u;
    c->h[1] = 0xEFCDAB89u;
    c->h[2] = 0x98BADCFEu;
    c->h[3] = 0x10325476u;
    c->h[4] = 0xC3D2E1F0u;
    c->total = 0;
    c->used = 0;
}

void ef_sha1_update(struct ef_sha1 *c, const void *p, size_t len)
{
    const uint8_t *in = p;
    size_t take;

    c->total += len;
    while (len > 0) {
        if (c->used == 0 && len >= 64) {
            compress(c->h, in);
            in += 64;
            len -= 64;
            continue;
        }
        take = 64 - c->used < len ? 64 - c->used : len;
        memcpy(c->block + c->used, in, take);
        c->used += take;
        in += take;
        len -= take;
        if (c->used == 64) {
            compress(c->h, c->block);
            c->used = 0;
        }
    }
}

void ef_sha1_final(struct ef_sha1 *c, uint8_t out[EF_SHA1_DIGEST_SIZE])
{
    uint64_t bits = c->total * 8;
    unsigned i;

    c->block[c->used++] = 0x80;
    if (c->used > 56) {
        memset(c->block + c->used, 0, 64 - c->used);
        compress(c->h, c->block);
        c->used = 0;
    }
    memset(c->block + c->used, 0, 56 - c->used);
    for (i = 0; i < 8; i++)
        c->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    compress(c->h, c->block);
    for (i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
    memset(c, 0, sizeof(*c));
}

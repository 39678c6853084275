/*
 * xpress.c - plain LZ77 XPRESS decompression (MS-XCA 2.4).
 *
 * The stream is 32-bit flag words, each announcing 32 tokens: a clear bit is
 * a literal byte, a set bit a match (u16: offset-1 in the high 13 bits,
 * length-3 in the low 3). Length 7 continues in a nibble, the low and high
 * halves of one byte shared by two consecutive long matches, then in a byte,
 * then in a u16 or (u16 zero) a u32. Nothing here trusts the input: every
 * read is checked against src_len, every write against dst_cap, every match
 * against the bytes already produced.
 */
#include "xpress.h"

#include "util/bytes.h"
#include "util/error.h"

#include <string.h>

/* Reads the extended part of a match length; returns the full length or a negative error. */
static int64_t long_length(const uint8_t *src, size_t src_len, size_t *pos, size_t *nibble_at)
{
    uint64_t len;

    if (*nibble_at == 0) {
        if (*pos >= src_len)
            return EF_ETRUNC;
        len = src[*pos] & 15;
        *nibble_at = *pos;
        (*pos)++;
    } else {
        len = src[*nibble_at] >> 4;
        *nibble_at = 0;
    }
    if (len == 15) {
        if (*pos >= src_len)
            return EF_ETRUNC;
        len = src[*pos];
        (*pos)++;
        if (len == 255) {
            if (src_len - *pos < 2)
                return EF_ETRUNC;
            len = ef_le16(src + *pos);
            *pos += 2;
            if (len == 0) {
                if (src_len - *pos < 4)
                    return EF_ETRUNC;
                len = ef_le32(src + *pos);
                *pos += 4;
            }
            if (len < 15 + 7)
                return EF_EFORMAT;
            len -= 15 + 7;
        }
        len += 15;
    }
    return (int64_t)(len + 7);
}

int ef_xpress_decompress(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_cap,
                         size_t *out_len)
{
    size_t in = 0, out = 0, nibble_at = 0;
    uint32_t flags = 0;
    unsigned nflags = 0;
    int rc = 0;

    for (;;) {
        if (nflags == 0) {
            if (in == src_len)
                break;
            if (src_len - in < 4) {
                rc = EF_ETRUNC;
                break;
            }
            flags = ef_le32(src + in);
            in += 4;
            nflags = 32;
        }
        if (!((flags >> (nflags - 1)) & 1)) {
            /* A run of literals: as many as the flag word's next clear bits. */
            uint32_t rest = nflags == 32 ? flags : flags & ((1u << nflags) - 1);
            size_t run = rest ? nflags - 1 - (31 - (unsigned)__builtin_clz(rest)) : nflags;

            if (run > src_len - in)
                run = src_len - in;
            if (run > dst_cap - out)
                run = dst_cap - out;
            memcpy(dst + out, src + in, run);
            in += run;
            out += run;
            nflags -= (unsigned)run;
            if (in == src_len)
                break;
            if (nflags && !((flags >> (nflags - 1)) & 1)) {
                rc = EF_ENOSPC; /* literals left but the output is full */
                break;
            }
            continue;
        }
        nflags--;
        if (in == src_len)
            break; /* the normal end of a stream */
        if (src_len - in < 2) {
            rc = EF_ETRUNC;
            break;
        }
        uint16_t mt = ef_le16(src + in);
        size_t off = (size_t)(mt >> 3) + 1;
        int64_t len = mt & 7;

        in += 2;
        if (len == 7) {
            len = long_length(src, src_len, &in, &nibble_at);
            if (len < 0) {
                rc = (int)len;
                break;
            }
        }
        len += 3;
        if (off > out) {
            rc = EF_EFORMAT;
            break;
        }
        if ((uint64_t)len > dst_cap - out) {
            rc = EF_ENOSPC;
            break;
        }
        if (off >= (size_t)len) {
            memcpy(dst + out, dst + out - off, (size_t)len);
            out += (size_t)len;
        } else {
            /* Overlapping copy: a run that repeats the last off bytes. */
            uint8_t *d = dst + out;
            const uint8_t *s = d - off;
            size_t i;

            for (i = 0; i < (size_t)len; i++)
                d[i] = s[i];
            out += (size_t)len;
        }
    }
    *out_len = out;
    return rc;
}

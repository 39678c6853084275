/*
 * xpress_enc.c - a small greedy XPRESS (MS-XCA plain LZ77) compressor, so
 * tests can write compressed buffers with literals, short and long matches.
 */
#include "etlwriter.h"

#include "util/bytes.h"

#include <string.h>

#define HASH_BITS  12
#define MAX_OFFSET 8192

struct enc {
    uint8_t *out;
    size_t cap, pos, flag_pos, nibble_pos;
    uint32_t flags;
    unsigned nflags;
    int ok;
};

static void put(struct enc *e, const void *p, size_t n)
{
    if (e->pos + n > e->cap) {
        e->ok = 0;
        return;
    }
    memcpy(e->out + e->pos, p, n);
    e->pos += n;
}

static void token(struct enc *e, int match)
{
    e->flags = (e->flags << 1) | (match ? 1u : 0u);
    if (++e->nflags == 32) {
        if (e->ok)
            ef_put_le32(e->out + e->flag_pos, e->flags);
        e->flag_pos = e->pos;
        put(e, "\0\0\0\0", 4);
        e->nflags = 0;
        e->flags = 0;
    }
}

static void match(struct enc *e, size_t off, size_t len)
{
    uint8_t b[4];
    size_t l = len - 3;

    ef_put_le16(b, (uint16_t)(((off - 1) << 3) | (l < 7 ? l : 7)));
    put(e, b, 2);
    if (l >= 7) {
        size_t m = l - 7, nib = m < 15 ? m : 15;

        if (e->nibble_pos == 0) {
            e->nibble_pos = e->pos;
            b[0] = (uint8_t)nib;
            put(e, b, 1);
        } else {
            if (e->ok)
                e->out[e->nibble_pos] |= (uint8_t)(nib << 4);
            e->nibble_pos = 0;
        }
        if (m >= 15) {
            m -= 15;
            if (m < 255) {
                b[0] = (uint8_t)m;
                put(e, b, 1);
            } else {
                b[0] = 255;
                put(e, b, 1);
                if (l < 65536) {
                    ef_put_le16(b, (uint16_t)l);
                    put(e, b, 2);
                } else {
                    ef_put_le16(b, 0);
                    put(e, b, 2);
                    ef_put_le32(b, (uint32_t)l);
                    put(e, b, 4);
                }
            }
        }
    }
    token(e, 1);
}

size_t ef_etlw_xpress(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    static size_t head[1u << HASH_BITS];
    struct enc e = {out, cap, 0, 0, 0, 0, 0, 1};
    size_t i = 0;

    memset(head, 0xFF, sizeof(head));
    put(&e, "\0\0\0\0", 4);
    while (i < len) {
        size_t best = 0, boff = 0;

        if (i + 3 <= len) {
            uint32_t h =
                ((uint32_t)in[i] * 2654435761u ^ (uint32_t)in[i + 1] * 40503u ^ in[i + 2]) &
                ((1u << HASH_BITS) - 1);
            size_t c = head[h];

            head[h] = i;
            /* Runs (offset 1) make long matches, so every length encoding is used. */
            if (i >= 1 && in[i - 1] == in[i]) {
                size_t n = 0;

                while (i + n < len && in[i - 1 + n] == in[i + n])
                    n++;
                best = n;
                boff = 1;
            }
            if (c != (size_t)-1 && c < i && i - c <= MAX_OFFSET) {
                size_t n = 0;

                while (i + n < len && in[c + n] == in[i + n])
                    n++;
                if (n > best) {
                    best = n;
                    boff = i - c;
                }
            }
        }
        if (best >= 3) {
            match(&e, boff, best);
            i += best;
        } else {
            put(&e, in + i, 1);
            token(&e, 0);
            i++;
        }
    }
    /* The remaining flag bits are set: a match flag at the end of input ends the stream. */
    if (e.nflags == 0)
        e.flags = 0xFFFFFFFFu;
    else
        e.flags = (e.flags << (32 - e.nflags)) | ((1u << (32 - e.nflags)) - 1);
    if (e.ok)
        ef_put_le32(e.out + e.flag_pos, e.flags);
    return e.ok ? e.pos : 0;
}

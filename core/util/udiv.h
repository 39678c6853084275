/*
 * udiv.h - exact unsigned 64-bit division by a divisor fixed at run time.
 *
 * The .etl reader converts every record's QPC timestamp to FILETIME with two
 * divisions by the trace's clock frequency; a hardware 64-bit divide costs
 * tens of cycles, which showed as ~6 % of a whole replay. Granlund and
 * Montgomery ("Division by Invariant Integers using Multiplication", 1994,
 * figure 4.1) give a multiplier m and two shifts such that, for every
 * 64-bit n, floor(n / d) = (t + ((n - t) >> sh1)) >> sh2 with
 * t = high 64 bits of m * n. Where the compiler has no 128-bit integers the
 * plain division is used. Any thread (the divider is a value).
 */
#ifndef EF_UTIL_UDIV_H
#define EF_UTIL_UDIV_H

#include <stdint.h>

struct ef_udiv {
    uint64_t d, m;
    unsigned sh1, sh2;
};

/* Prepares division by d (d >= 1). */
static inline void ef_udiv_init(struct ef_udiv *u, uint64_t d)
{
    unsigned l = 0;

    while (l < 64 && ((uint64_t)1 << l) < d)
        l++; /* l = ceil(log2(d)) */
    u->d = d;
#ifdef __SIZEOF_INT128__
    if (l < 64) {
        unsigned __int128 num = (unsigned __int128)(((uint64_t)1 << l) - d) << 64;

        u->m = (uint64_t)(num / d) + 1;
    } else {
        u->m = 0;
    }
#else
    u->m = 0;
#endif
    u->sh1 = l < 1 ? l : 1;
    u->sh2 = l > 0 ? l - 1 : 0;
}

static inline uint64_t ef_udiv(const struct ef_udiv *u, uint64_t n)
{
#ifdef __SIZEOF_INT128__
    if (u->m || u->d == 1) {
        uint64_t t = (uint64_t)(((unsigned __int128)u->m * n) >> 64);

        return (t + ((n - t) >> u->sh1)) >> u->sh2;
    }
#endif
    return n / u->d;
}

#endif

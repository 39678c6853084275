/*
 * backoff.c - full-jitter exponential backoff with Retry-After. See backoff.h.
 */
#include "pipeline/backoff.h"

#include <stddef.h>

void ef_backoff_init(struct ef_backoff *b, uint64_t seed)
{
    b->base_ms = EF_BACKOFF_BASE_MS;
    b->max_ms = EF_BACKOFF_MAX_MS;
    b->retry_after_cap_ms = EF_BACKOFF_RETRY_AFTER_CAP_MS;
    b->rand = NULL;
    b->rand_ud = NULL;
    /* xorshift's state must never be zero. */
    b->state = seed ? seed : 0x9E3779B97F4A7C15ull;
}

static uint64_t xorshift64star(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

uint64_t ef_backoff_ceiling(const struct ef_backoff *b, unsigned attempt)
{
    uint64_t c = b->base_ms;
    unsigned i;

    if (attempt == 0)
        attempt = 1;
    /* Doubling stops at max, so the shift can never overflow. */
    for (i = 1; i < attempt && c < b->max_ms; i++)
        c *= 2;
    return c < b->max_ms ? c : b->max_ms;
}

uint64_t ef_backoff_delay(struct ef_backoff *b, unsigned attempt, uint64_t retry_after_ms)
{
    uint64_t ceiling, r;

    if (retry_after_ms > 0)
        return retry_after_ms < b->retry_after_cap_ms ? retry_after_ms : b->retry_after_cap_ms;
    ceiling = ef_backoff_ceiling(b, attempt);
    r = b->rand ? b->rand(b->rand_ud) : xorshift64star(&b->state);
    /* Modulo bias is below 2^-40 for ceilings under a day: irrelevant here. */
    return r % (ceiling + 1);
}

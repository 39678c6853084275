/*
 * backoff.h - how long a sink waits before sending a failed batch again.
 *
 * Full-jitter exponential backoff (the AWS architecture blog's "full
 * jitter"): the n-th retry waits a uniformly random time in
 * [0, min(max_ms, base_ms * 2^(n-1))], so many forwarders that lost the same
 * SIEM at once do not come back in lockstep. A receiver's Retry-After
 * replaces the random delay, capped at retry_after_cap_ms so a bad header
 * cannot park a sink for a day. The random source is injectable so tests are
 * deterministic.
 *
 * A struct ef_backoff is plain data owned by one thread (the loop).
 */
#ifndef EF_PIPELINE_BACKOFF_H
#define EF_PIPELINE_BACKOFF_H

#include <stdint.h>

#define EF_BACKOFF_BASE_MS            1000
#define EF_BACKOFF_MAX_MS             60000
#define EF_BACKOFF_RETRY_AFTER_CAP_MS 300000

/* Returns a uniformly distributed 64-bit value. */
typedef uint64_t (*ef_rand_fn)(void *ud);

struct ef_backoff {
    uint64_t base_ms;            /* the first retry's ceiling */
    uint64_t max_ms;             /* the ceiling never grows past this */
    uint64_t retry_after_cap_ms; /* the longest Retry-After honoured */
    ef_rand_fn rand;             /* NULL: the built-in xorshift64* generator */
    void *rand_ud;
    uint64_t state; /* the built-in generator's state */
};

/* Defaults (1 s, 60 s, 300 s) and the built-in generator seeded from seed. Any thread. */
void ef_backoff_init(struct ef_backoff *b, uint64_t seed);

/* The ceiling of retry number attempt (1 = first retry): min(max, base * 2^(attempt-1)). */
uint64_t ef_backoff_ceiling(const struct ef_backoff *b, unsigned attempt);

/*
 * The delay before retry number attempt (1-based). retry_after_ms > 0 (the
 * receiver's Retry-After) wins over the random delay, capped. Owner thread.
 */
uint64_t ef_backoff_delay(struct ef_backoff *b, unsigned attempt, uint64_t retry_after_ms);

#endif

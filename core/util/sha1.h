/*
 * sha1.h - SHA-1 (FIPS 180-4), streaming.
 *
 * etwfwd needs SHA-1 for one thing: the GUID Windows derives from a
 * TraceLogging or EventSource provider's name (ef_guid_from_provider_name in
 * guid.h). It is not used for anything that needs collision resistance.
 */
#ifndef EF_UTIL_SHA1_H
#define EF_UTIL_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define EF_SHA1_DIGEST_SIZE 20

/* A hash in progress: fill it with ef_sha1_init, never by hand. */
struct ef_sha1 {
    uint32_t h[5];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[64];
    size_t used; /* bytes waiting in block */
};

/*
 * Starts a hash. The context is owned by the caller's thread; separate
 * contexts may be used from any threads at once.
 */
void ef_sha1_init(struct ef_sha1 *c);

/* Hashes len more bytes at p (p may be NULL when len is 0). Owner's thread. */
void ef_sha1_update(struct ef_sha1 *c, const void *p, size_t len);

/*
 * Pads, writes the 20-byte digest to out and leaves c to be initialized
 * again before reuse. Owner's thread.
 */
void ef_sha1_final(struct ef_sha1 *c, uint8_t out[EF_SHA1_DIGEST_SIZE]);

#endif

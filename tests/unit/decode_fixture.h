/*
 * decode_fixture.h - hand-built records, payloads and a fake schema source
 * for the decode and render suites (independent of the real sources).
 */
#ifndef EF_TESTS_DECODE_FIXTURE_H
#define EF_TESTS_DECODE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decoder.h"
#include "decode/schema.h"
#include "util/record.h"

/* A payload under construction. */
struct fx_payload {
    uint8_t b[1024];
    uint32_t len;
};

void fx_u8(struct fx_payload *p, uint8_t v);
void fx_u16(struct fx_payload *p, uint16_t v);
void fx_u32(struct fx_payload *p, uint32_t v);
void fx_u64(struct fx_payload *p, uint64_t v);
void fx_bytes(struct fx_payload *p, const void *s, size_t n);
/* ASCII text as UTF-16LE, with the NUL when nul is set. */
void fx_wstr(struct fx_payload *p, const char *s, int nul);

/* A record of provider {11111111-2222-3333-4455-66778899AABB}, id, version 0, 64-bit. */
void fx_record(struct ef_record *r, uint16_t id, const struct fx_payload *p);

/* A source that answers one schema for every record whose id matches. */
struct fx_source {
    const struct ef_schema *schemas[8];
    unsigned count;
    unsigned lookups;
    int fail_with; /* nonzero: lookup returns this */
};
struct ef_schema_source fx_source_make(struct fx_source *s);

extern const struct ef_provider_info fx_provider;

#endif

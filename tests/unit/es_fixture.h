/*
 * es_fixture.h - what the eventsource suite's files share: a made-up
 * EventSource manifest (two versions of it), ManifestData payloads and
 * records, and a helper that feeds a manifest to a source in chunks.
 */
#ifndef EF_TESTS_ES_FIXTURE_H
#define EF_TESTS_ES_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "decode/source.h"
#include "util/guid.h"
#include "util/record.h"

extern const struct ef_guid es_prov_a, es_prov_b;

/* The manifest of provider guid named name: event 1 "RequestStart" (url, size), event 2. */
size_t es_manifest(char *out, size_t cap, const struct ef_guid *guid, const char *name,
                   int changed);

/* One ManifestData payload: the envelope then len bytes of data. Returns its size. */
size_t es_chunk(uint8_t *out, uint8_t format, uint8_t magic, uint16_t total, uint16_t number,
                const void *data, size_t len);

/* A ManifestData record of provider over payload (len bytes). */
void es_record(struct ef_record *r, const struct ef_guid *provider, const uint8_t *payload,
               size_t len);

/*
 * Feeds chunk `number` of xml split into total chunks (as equal as can be)
 * to src; returns what observe() returned.
 */
int es_feed_chunk(struct ef_schema_source *src, const struct ef_guid *provider, const char *xml,
                  size_t len, uint16_t total, uint16_t number);

/* Feeds every chunk in order; returns the last observe() result. */
int es_feed(struct ef_schema_source *src, const struct ef_guid *provider, const char *xml,
            size_t len, uint16_t total);

#endif

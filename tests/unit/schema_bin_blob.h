/*
 * schema_bin_blob.h - builds TRACE_EVENT_INFO and EVENT_MAP_INFO blobs for tests.
 *
 * The builder lays a blob out as TDH does: the fixed header, the property
 * (or entry) array, then UTF-16LE strings, with offsets from the start.
 * Tests then break single bytes to reach each error path.
 */
#ifndef EF_TESTS_SCHEMA_BIN_BLOB_H
#define EF_TESTS_SCHEMA_BIN_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "util/guid.h"

struct tb {
    uint8_t b[8192];
    size_t len;   /* bytes used; strings are appended here */
    size_t props; /* where the property or entry array starts */
};

/* Starts a TRACE_EVENT_INFO with n properties, top of them top-level. */
void tb_event(struct tb *t, const struct ef_guid *provider, uint16_t id, uint8_t version,
              uint32_t decoding_source, uint32_t n, uint32_t top);
/* Appends a string and returns its offset (0 for NULL). */
uint32_t tb_str(struct tb *t, const char *s);
/* Sets a header name offset (52 provider, 56 level, ..., 76 message, 92 event name). */
void tb_name(struct tb *t, size_t at, const char *s);
/* Fills property i. */
void tb_prop(struct tb *t, uint32_t i, uint32_t flags, const char *name, uint16_t in, uint16_t out,
             const char *map, uint16_t count, uint16_t length);
void tb_struct(struct tb *t, uint32_t i, const char *name, uint16_t first, uint16_t n);
/* Starts an EVENT_MAP_INFO with n entries; entry i is set with tb_entry. */
void tb_map(struct tb *t, const char *name, uint32_t flag, uint32_t type, uint32_t n);
void tb_entry(struct tb *t, uint32_t i, const char *out, uint32_t value);

#endif

/*
 * manifest.h - the manifest XML schema source.
 *
 * Loads instrumentation manifests (Windows SDK .man files, `wevtutil gp
 * /ge /gm` exports) with expat and answers lookups by (provider GUID, event
 * id, version) with exact versions only: a manifest describes every version
 * it knows, so a version it lacks is not guessed (docs/schemas.md).
 *
 * A file is loaded whole or not at all: when it has an error, nothing of it
 * is kept and the error names the file and line. All functions are called
 * by the one thread that owns the source (the decoding thread, or the
 * thread that configures it before decoding starts).
 */
#ifndef EF_DECODE_MANIFEST_H
#define EF_DECODE_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "decode/schema.h"
#include "decode/source.h"
#include "util/buf.h"
#include "util/guid.h"

struct ef_manifest_source;

struct ef_manifest_stats {
    uint32_t files;      /* files loaded */
    uint32_t providers;  /* providers loaded */
    uint32_t events;     /* schemas in the index */
    uint32_t duplicates; /* events skipped: an earlier file had the same key */
};

/*
 * Creates an empty manifest source and fills out (ops and ctx, the latter a
 * struct ef_manifest_source *). Returns 0 or EF_ENOMEM. Any thread; the
 * source then belongs to the caller's thread.
 */
int ef_manifest_source_new(struct ef_schema_source *out);

/*
 * Loads one manifest file. On error returns EF_EFORMAT (bad XML or
 * manifest), EF_ENOENT/EF_EACCES/EF_EIO/EF_ELIMIT (the file), EF_ENOMEM;
 * appends "path:line: what is wrong" to err when err is not NULL, and keeps
 * nothing of the file. The owner thread.
 */
int ef_manifest_source_add_file(struct ef_manifest_source *m, const char *path, struct ef_buf *err);

/*
 * Loads every *.man and *.xml file of a folder (not recursive), in name
 * order. A bad file does not stop the others: each error is appended to err
 * on its own line and the first error code is returned. The owner thread.
 */
int ef_manifest_source_add_dir(struct ef_manifest_source *m, const char *dir, struct ef_buf *err);

/* Loads a manifest held in memory; name is used in messages. The owner thread. */
int ef_manifest_source_add_buffer(struct ef_manifest_source *m, const char *name, const char *data,
                                  size_t len, struct ef_buf *err);

/* Finds the schema of (provider, id, version): 0 or EF_ENOENT. The owner thread. */
int ef_manifest_source_find(const struct ef_manifest_source *m, const struct ef_guid *provider,
                            uint16_t id, uint8_t version, const struct ef_schema **out);

/* Finds a provider by name (case-insensitive): NULL if none. The owner thread. */
const struct ef_provider_info *ef_manifest_source_provider(const struct ef_manifest_source *m,
                                                           const char *name);

/* Finds a provider by GUID: NULL if none. The owner thread. */
const struct ef_provider_info *
ef_manifest_source_provider_by_guid(const struct ef_manifest_source *m, const struct ef_guid *guid);

void ef_manifest_source_stats(const struct ef_manifest_source *m, struct ef_manifest_stats *out);

#endif

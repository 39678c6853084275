/*
 * mof.h - the kernel MOF schema source.
 *
 * Reads MOF class text (as kerneltraceeventparser.mof: the "Windows
 * Kernel" event classes) and builds one schema per (group GUID, event
 * type, version). Classic and kernel records are looked up by their class
 * GUID, event type (the record's opcode) and version; when the exact
 * version is missing, the highest version below it is used, because
 * kernel classes only append fields across versions (docs/schemas.md).
 *
 * A file is loaded whole or not at all. All functions are called by the
 * one thread that owns the source.
 */
#ifndef EF_DECODE_MOF_H
#define EF_DECODE_MOF_H

#include <stddef.h>
#include <stdint.h>

#include "decode/schema.h"
#include "decode/source.h"
#include "util/buf.h"
#include "util/guid.h"

struct ef_mof_source;

struct ef_mof_stats {
    uint32_t files;           /* files loaded */
    uint32_t classes;         /* classes declared */
    uint32_t schemas;         /* (group, type, version) schemas in the index */
    uint32_t duplicates;      /* schemas skipped: an earlier class had the same key */
    uint32_t builtin_schemas; /* schemas of the built-in classes (mof_builtin.c) */
};

/*
 * Creates a MOF source into out, holding no file yet but the built-in
 * kernel classes (mof_builtin.c), which answer after the files' classes of
 * the exact version (docs/schemas.md). 0, EF_ENOMEM, or (never with the
 * text shipped) EF_EFORMAT. Any thread.
 */
int ef_mof_source_new(struct ef_schema_source *out);

/*
 * Loads one MOF file. On error returns EF_EFORMAT (syntax, unknown base
 * class, unsupported type...), a file error or EF_ENOMEM, appends
 * "path:line: what" to err when not NULL, and keeps nothing of the file.
 * Classes may derive from classes of files loaded before. The owner thread.
 */
int ef_mof_source_add_file(struct ef_mof_source *m, const char *path, struct ef_buf *err);

/* Loads MOF text held in memory; name is used in messages. The owner thread. */
int ef_mof_source_add_buffer(struct ef_mof_source *m, const char *name, const char *data,
                             size_t len, struct ef_buf *err);

/*
 * Finds the schema of (group GUID, event type, version): a file's class of
 * that version, else a built-in one, else the highest version below it in
 * either (the file's on a tie). 0 or EF_ENOENT. The owner thread.
 */
int ef_mof_source_find(const struct ef_mof_source *m, const struct ef_guid *group, uint8_t type,
                       uint8_t version, const struct ef_schema **out);

void ef_mof_source_stats(const struct ef_mof_source *m, struct ef_mof_stats *out);

#endif

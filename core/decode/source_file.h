/*
 * source_file.h - reading a schema file (a manifest, a MOF) into a schema
 * source: the part every file-fed source shares.
 */
#ifndef EF_DECODE_SOURCE_FILE_H
#define EF_DECODE_SOURCE_FILE_H

#include <stddef.h>

#include "util/buf.h"

/* The largest schema file read: Windows' biggest manifests are a few MiB. */
#define EF_SOURCE_FILE_MAX (64u << 20)

/* Parses one file's text into src; the add_buffer function of a source. */
typedef int (*ef_source_add_fn)(void *src, const char *name, const char *data, size_t len,
                                struct ef_buf *err);

/*
 * Reads path (at most EF_SOURCE_FILE_MAX bytes) and hands its text to add
 * under the name path. A file that cannot be read appends "path: cannot
 * read: why" to err (when given) and returns the read's error. Any thread
 * that owns src.
 */
int ef_source_add_file(const char *path, ef_source_add_fn add, void *src, struct ef_buf *err);

#endif

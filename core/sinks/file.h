/*
 * file.h - the file sink: events as NDJSON lines in a local file.
 *
 * Each batch is written as its events, each followed by '\n', at the end of
 * PATH, on the threadpool; it is acknowledged once the write (and, with
 * sync = true, the fsync) completed. The file is rotated when it reaches
 * rotate_size or after rotate_interval: PATH is renamed to
 * PATH.YYYYMMDD-HHMMSS.mmm (UTC, "-N" added if that name exists), a new
 * PATH is started, and with compress = gzip the rotated file is compressed
 * to PATH.YYYYMMDD-HHMMSS.mmm.gz in the background (zlib, threadpool). Only
 * the newest `keep` rotated files are kept (0: all). On Windows the file is
 * opened by libuv with FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE
 * so other tools can read (and even rotate away) the file while it is written.
 */
#ifndef EF_SINKS_FILE_H
#define EF_SINKS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/sink.h"

extern const struct ef_sink_ops ef_sink_file_ops;

struct ef_file_sink_stats {
    uint64_t batches, events, bytes; /* written */
    uint64_t write_errors;
    uint64_t rotations;
    uint64_t compressed, compress_errors;
    uint64_t removed; /* rotated files deleted beyond keep */
    uint64_t size;    /* of the current file */
};

/* The sink's counters; state is what ef_sink_file_ops.open made. Loop thread. */
void ef_file_sink_get_stats(void *state, struct ef_file_sink_stats *st);

/*
 * Rotated-file housekeeping, used by the sink on the threadpool and by
 * tests. All blocking.
 */

/* Compresses src into dst (gzip, via dst + ".tmp" then rename). Returns 0 or EF_E*. */
int ef_file_gzip(const char *src, const char *dst);

/*
 * Lists the rotated files of path (PATH.<stamp>[-N][.gz]) oldest first.
 * *names gets a malloc'd array of malloc'd full paths. Returns 0 or EF_E*.
 */
int ef_file_list_rotated(const char *path, char ***names, size_t *n);
void ef_file_free_list(char **names, size_t n);

/* The name for rotating path at wall time ms since 1970 (into out, cap bytes). */
int ef_file_rotated_name(const char *path, uint64_t wall_ms, char *out, size_t cap);

#endif

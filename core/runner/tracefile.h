/*
 * tracefile.h - one .etl file decoded and rendered to JSON lines.
 *
 * The runner's file source turns a trace into the same lines `etwfwd replay`
 * prints: the portable reader, a decoder with the schema sources in
 * DESIGN.md's order (TraceLogging, manifests, embedded schemas, kernel MOF)
 * and a renderer. A tracefile belongs to the one thread that reads it.
 */
#ifndef EF_RUNNER_TRACEFILE_H
#define EF_RUNNER_TRACEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "etl/etl.h"
#include "render/render.h"
#include "util/buf.h"

/* What one trace gave so far. */
struct ef_tracefile_stats {
    uint64_t events;        /* records read */
    uint64_t decoded;       /* with a schema and no error */
    uint64_t no_schema;     /* output with the payload as hex */
    uint64_t decode_errors; /* output up to the field that did not fit */
    uint64_t render_errors; /* events larger than the line limit: not output */
    uint64_t read_errors;   /* damage the reader skipped */
};

struct ef_tracefile;

/*
 * Opens path and prepares the decoder with the given manifest files or
 * folders and MOF files (either list may be empty). On failure a message is
 * written to err (errlen bytes). Returns 0, EF_ENOENT/EF_EIO/EF_EFORMAT for
 * the trace, the schema loader's error, or EF_ENOMEM. Any thread; the
 * tracefile then belongs to it.
 */
int ef_tracefile_open(const char *path, const char *const *manifests, size_t n_manifests,
                      const char *const *mofs, size_t n_mofs, const struct ef_render_opts *ro,
                      struct ef_tracefile **out, char *err, size_t errlen);

/*
 * Renders the next event into line (reset first; no newline). *timestamp gets
 * the event's FILETIME. Returns 1 for an event, 0 at the end, or a fatal read
 * error. Events too large for line's cap are counted and skipped. The owning
 * thread.
 */
int ef_tracefile_next(struct ef_tracefile *tf, struct ef_buf *line, uint64_t *timestamp);

/* The file's header (EventsLost, BuffersLost...). The owning thread. */
const struct ef_etl_header *ef_tracefile_header(const struct ef_tracefile *tf);

void ef_tracefile_get_stats(const struct ef_tracefile *tf, struct ef_tracefile_stats *st);

/* NULL is fine. The owning thread. */
void ef_tracefile_close(struct ef_tracefile *tf);

#endif

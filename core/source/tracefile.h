/*
 * tracefile.h - one .etl file decoded and rendered to JSON lines.
 *
 * The one code path that turns a trace into JSON lines: `etwfwd replay`
 * (service/cmd_replay.c) prints them, the runner's file source
 * (source_file.c) pushes them into the pipeline, and bench/replay_bench.c
 * measures them, so the three cannot drift apart. It owns the portable
 * reader, a decoder with the schema sources built here and only here, in
 * DESIGN.md's order (TraceLogging metadata, manifest files, EventSource
 * manifests sent in the trace, schemas embedded in the trace, kernel MOF),
 * and a renderer. A tracefile belongs to the one thread that reads it.
 */
#ifndef EF_RUNNER_TRACEFILE_H
#define EF_RUNNER_TRACEFILE_H

#include <stddef.h>
#include <stdint.h>

#include "decode/decoder.h"
#include "decode/event.h"
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

struct ef_tracefile_opts {
    const char *const *manifests; /* manifest files or folders (may be empty) */
    size_t n_manifests;
    const char *const *mofs; /* kernel MOF files (may be empty) */
    size_t n_mofs;
    struct ef_render_opts render;
    /*
     * Called for every decoded record before it is rendered, also for those
     * that then do not fit the line (may be NULL): replay's per-provider
     * summary counts here. ev is valid during the call only.
     */
    void (*on_event)(void *ud, const struct ef_event *ev, int decode_rc);
    void *ud;
};

/* Why ef_tracefile_open failed. */
struct ef_tracefile_error {
    int schemas;    /* 1: a schema file did not load (bad input); 0: the trace */
    char msg[1024]; /* "PATH: reason" or the schema loader's message, no newline */
};

struct ef_tracefile;
struct ef_tracefile_schemas;

/*
 * Builds the schema sources that do not learn from a trace (TraceLogging,
 * the manifest files, the kernel MOF), to be shared by the files of one
 * session: ef_tracefile_open_with lends them to each file's decoder. The
 * EventSource and embedded sources learn from the trace and stay per file.
 * On failure *err says which schema file and why (err->schemas = 1).
 * Returns 0, the schema loader's error or EF_ENOMEM. Any thread; the
 * schemas then belong to it (and to the tracefiles it opens with them).
 */
int ef_tracefile_schemas_new(const struct ef_tracefile_opts *opts,
                             struct ef_tracefile_schemas **out, struct ef_tracefile_error *err);

/*
 * The two schema sources built from files: *man, a manifest source holding
 * the given manifest files and folders, and *mof, a MOF source holding the
 * built-in kernel classes plus the given MOF files. The tracefiles' schemas
 * and the live callback path (source/eventpath.h) both load them here, so
 * a session decodes with the same files the same way whatever its kind.
 * On failure *err says which file and why (err->schemas = 1) and neither
 * source is left. Returns 0, the schema loader's error or EF_ENOMEM. Any
 * thread; the sources then belong to it.
 */
int ef_tracefile_load_schema_files(const char *const *manifests, size_t n_manifests,
                                   const char *const *mofs, size_t n_mofs,
                                   struct ef_schema_source *man, struct ef_schema_source *mof,
                                   struct ef_tracefile_error *err);

/* Frees the schemas after every tracefile opened with them. NULL is fine. The owning thread. */
void ef_tracefile_schemas_free(struct ef_tracefile_schemas *s);

/*
 * Opens path with a decoder asking schemas' sources (which must outlive
 * the tracefile) plus a fresh EventSource and embedded source. opts'
 * manifests and mofs are not read here. Returns 0, EF_ENOENT/EF_EIO/
 * EF_EFORMAT for the trace, or EF_ENOMEM. The thread that owns schemas.
 */
int ef_tracefile_open_with(const char *path, struct ef_tracefile_schemas *schemas,
                           const struct ef_tracefile_opts *opts, struct ef_tracefile **out,
                           struct ef_tracefile_error *err);

/*
 * Builds the decoder (schema sources first, so a bad manifest is reported
 * before the trace is touched) and opens path. On failure *err says what
 * and why. Returns 0, the schema loader's error, EF_ENOENT/EF_EIO/EF_EFORMAT
 * for the trace, or EF_ENOMEM. Any thread; the tracefile then belongs to it.
 */
int ef_tracefile_open(const char *path, const struct ef_tracefile_opts *opts,
                      struct ef_tracefile **out, struct ef_tracefile_error *err);

/*
 * Renders the next event into line (reset first; no newline). *timestamp gets
 * the event's FILETIME. Returns 1 for an event, 0 at the end, or a fatal read
 * error. Events too large for line's cap are counted and skipped. The owning
 * thread.
 */
int ef_tracefile_next(struct ef_tracefile *tf, struct ef_buf *line, uint64_t *timestamp);

/*
 * ef_tracefile_next, the line appended to what out holds. With whole = 0,
 * out is a window with less room than a line may need (the free end of a
 * queue chunk, rendered into in place): a line that does not fit returns
 * EF_ENOSPC with out unchanged, and the next call renders the same event
 * again, into whichever buffer it is given. With whole = 1 a line too large
 * for out is counted and skipped, as by ef_tracefile_next. The owning
 * thread.
 */
int ef_tracefile_next_append(struct ef_tracefile *tf, struct ef_buf *out, int whole,
                             uint64_t *timestamp);

/* The file's header (EventsLost, BuffersLost...). The owning thread. */
const struct ef_etl_header *ef_tracefile_header(const struct ef_tracefile *tf);

void ef_tracefile_get_stats(const struct ef_tracefile *tf, struct ef_tracefile_stats *st);

/* The decoder's and the reader's own counters, for replay's summary. The owning thread. */
void ef_tracefile_decoder_stats(const struct ef_tracefile *tf, struct ef_decoder_stats *st);
const struct ef_etl_stats *ef_tracefile_etl_stats(const struct ef_tracefile *tf);
/* The first EF_ETL_ERRORS_KEPT read errors, with their offsets. The owning thread. */
const struct ef_etl_error *ef_tracefile_etl_errors(const struct ef_tracefile *tf, unsigned *n);

/* NULL is fine. The owning thread. */
void ef_tracefile_close(struct ef_tracefile *tf);

#endif

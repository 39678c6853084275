/*
 * render.h - decoded events as JSON: the native format and ECS.
 *
 * A renderer turns a struct ef_event into one JSON object appended to a
 * caller's buffer (docs/event-json.md is the contract). It writes with a
 * small JSON writer straight into that buffer and keeps its scratch buffers
 * for its whole life, so rendering allocates nothing once they have grown.
 *
 * A renderer belongs to one thread (each ETW consumer thread has its own).
 */
#ifndef EF_RENDER_RENDER_H
#define EF_RENDER_RENDER_H

#include "decode/event.h"
#include "util/buf.h"

enum ef_render_format {
    EF_RENDER_NATIVE = 0, /* System / EventData / ExtendedData, as the Windows event XML */
    EF_RENDER_ECS = 1,    /* Elastic Common Schema, winlog.* as Winlogbeat */
};

struct ef_render_opts {
    int format;           /* enum ef_render_format */
    int int64_as_string;  /* 64-bit integers as JSON strings (consumers that lose precision) */
    const char *computer; /* System.Computer / host.name; NULL: left out */
    const char *session;  /* System.Session / winlog.session; NULL: left out */
    /*
     * 1: EventData's values as JSON strings, as the event XML and TDH show
     * them (numbers in decimal, hex where the schema says hex, map values
     * by name), so a field has one JSON type whatever the provider: what
     * Elasticsearch's dynamic mapping needs. 0: typed JSON values.
     */
    int event_data_strings;
    /* ECS event.dataset; NULL: "etw". */
    const char *dataset;
};

struct ef_renderer;

/* Makes a renderer. Returns 0, EF_EINVAL (unknown format) or EF_ENOMEM. Any thread. */
int ef_renderer_new(const struct ef_render_opts *opts, struct ef_renderer **out);
void ef_renderer_free(struct ef_renderer *r);

/*
 * Appends ev as one JSON object (no newline) to out. Returns 0, or EF_ELIMIT
 * when out's cap was reached (out is then restored to its length before the
 * call). The renderer's thread.
 */
int ef_render_event(struct ef_renderer *r, const struct ef_event *ev, struct ef_buf *out);

/*
 * Appends the event's message: the schema's template with %1..%n replaced by
 * the text of the top-level fields. Returns 0, EF_ENOENT (no template) or
 * EF_ELIMIT. Any thread.
 */
int ef_render_message(const struct ef_event *ev, struct ef_buf *out);

/* "native" or "ecs" to a format: 0 or EF_EINVAL. Any thread. */
int ef_render_parse_format(const char *name, int *format);

#endif

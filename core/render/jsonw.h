/*
 * jsonw.h - a minimal streaming JSON writer into an ef_buf.
 *
 * Same call shape as yajl's generator (map/array open and close, strings
 * that are keys or values by position, numbers as preformatted text), but
 * every token is written straight into the buffer with one capacity check:
 * yajl's print callback costs several indirect calls per token, which
 * measured at 4x the time of the whole decode (docs/event-json.md,
 * "Performance"). Strings are escaped per RFC 8259; the caller passes valid
 * UTF-8. The first append error sticks in err and later calls do nothing.
 *
 * A writer belongs to one thread.
 */
#ifndef EF_RENDER_JSONW_H
#define EF_RENDER_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define EF_JW_MAX_DEPTH 128

struct ef_jw {
    struct ef_buf *out;
    int err;
    uint32_t depth;
    uint8_t state[EF_JW_MAX_DEPTH]; /* per level: bit0 has items, bit1 map, bit2 value due */
};

/* Starts a new document appended to out. */
void ef_jw_reset(struct ef_jw *w, struct ef_buf *out);
void ef_jw_map_open(struct ef_jw *w);
void ef_jw_map_close(struct ef_jw *w);
void ef_jw_array_open(struct ef_jw *w);
void ef_jw_array_close(struct ef_jw *w);
/* A key (in a map, where a key is due) or a string value. */
void ef_jw_string(struct ef_jw *w, const void *s, size_t n);
/* A number already formatted as JSON. */
void ef_jw_number(struct ef_jw *w, const char *s, size_t n);
void ef_jw_bool(struct ef_jw *w, int v);
void ef_jw_null(struct ef_jw *w);

/*
 * A key given as its finished JSON text: quoted, escaped and followed by
 * ':' ("\"Name\":"). Keys known when the code or the plan is built are
 * escaped once, not per event. EF_JW_KEY takes a string literal that needs
 * no escaping.
 */
void ef_jw_key_raw(struct ef_jw *w, const char *s, size_t n);
#define EF_JW_KEY(w, lit) ef_jw_key_raw((w), "\"" lit "\":", sizeof("\"" lit "\":") - 1)

/*
 * Complete members of the current container as JSON text that an earlier,
 * identical call sequence wrote at the same place (a cached fragment): the
 * text is appended as is, including its own leading comma, and the level
 * then counts as having items.
 */
void ef_jw_raw_members(struct ef_jw *w, const char *s, size_t n);

#endif

/*
 * render_min.h - the same minimal native event JSON (System + EventData)
 * written twice, once with yajl's generator and once with our writer
 * (core/render/jsonw.h), token for token, so that decode_bench --yajl can
 * compare the two JSON generators on the same decoded events
 * (docs/event-json.md, "yajl or our writer"). Bench code only.
 *
 * Called from the bench's thread.
 */
#ifndef EF_BENCH_RENDER_MIN_H
#define EF_BENCH_RENDER_MIN_H

#include "decode/event.h"
#include "util/buf.h"

struct ef_min_yajl;

/* A yajl_gen set up once (no beautify, no UTF-8 validation), or NULL. */
struct ef_min_yajl *ef_min_yajl_new(void);
void ef_min_yajl_free(struct ef_min_yajl *y);
/* Renders ev with yajl_gen and appends the text to out; 0 or a negative EF_E*. */
int ef_min_yajl_render(struct ef_min_yajl *y, const struct ef_event *ev, struct ef_buf *out);
/* Renders ev with the jsonw writer, appended to out; 0 or a negative EF_E*. */
int ef_min_jw_render(const struct ef_event *ev, struct ef_buf *out);

#endif

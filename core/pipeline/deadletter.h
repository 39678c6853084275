/*
 * deadletter.h - the dead-letter files: events a sink rejected for good.
 *
 * Each rejected event becomes one line of DIR/<sink>.ndjson:
 * {"reason":"<why, JSON-escaped>","event":<the event's JSON as it was sent>}.
 * The file is appended to and fsynced before the sink's cursor passes the
 * events, so a rejection is never lost silently.
 */
#ifndef EF_PIPELINE_DEADLETTER_H
#define EF_PIPELINE_DEADLETTER_H

#include <stddef.h>

#include "util/buf.h"

/* Appends one dead-letter line (with its '\n') to out. 0 or EF_ELIMIT. Any thread. */
int ef_deadletter_format(struct ef_buf *out, const char *reason, const void *event, size_t len);

/*
 * Appends len bytes to DIR/<sink>.ndjson (the name with characters other
 * than [A-Za-z0-9._-] replaced by '_'), creating DIR and the file as needed,
 * and fsyncs it. Blocking: run it on the threadpool. Returns 0 or EF_E*.
 */
int ef_deadletter_write(const char *dir, const char *sink, const void *data, size_t len);

/* The file's path for dir and sink into out (cap bytes). 0 or EF_ENOSPC. Any thread. */
int ef_deadletter_path(const char *dir, const char *sink, char *out, size_t cap);

#endif

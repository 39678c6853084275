/*
 * logfile.h - the runner's log file: every log line also appended to a file
 * that is rotated by size (PATH -> PATH.1 -> ... -> PATH.keep).
 */
#ifndef EF_RUNNER_LOGFILE_H
#define EF_RUNNER_LOGFILE_H

#include <stdint.h>

/*
 * Opens (appending) path (its folder must exist) and hooks it into util/log.h.
 * Rotates when it would pass max_size bytes, keeping keep old files.
 * Returns 0 or an EF_E* code. Call before threads start.
 */
int ef_logfile_open(const char *path, uint64_t max_size, unsigned keep);

/* Unhooks and closes the file. Call after threads stopped. */
void ef_logfile_close(void);

#endif

/*
 * log.h - leveled logging to stderr (and, once the runner sets one, a file).
 *
 * Messages are single lines: "2026-11-26T06:05:38.123Z info  [etl] text".
 * A repeated error on a hot path goes through EF_LOG_EVERY so it is logged
 * the first time and every Nth time, while its counter sees every one.
 */
#ifndef EF_UTIL_LOG_H
#define EF_UTIL_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "attr.h"

enum ef_log_level {
    EF_LOG_ERROR = 0,
    EF_LOG_WARN = 1,
    EF_LOG_INFO = 2,
    EF_LOG_DEBUG = 3,
    EF_LOG_TRACE = 4,
};

/* Sets the most verbose level written. Call before threads start. */
void ef_log_set_level(enum ef_log_level level);
enum ef_log_level ef_log_get_level(void);
/* Parses "error", "warn", "info", "debug", "trace". Returns 0 or EF_EINVAL. */
int ef_log_level_parse(const char *s, enum ef_log_level *out);
const char *ef_log_level_name(enum ef_log_level level);
/* Also write to f (NULL: stderr only). Call before threads start. */
void ef_log_set_file(FILE *f);

/*
 * Also hand every line (with its newline) to fn, e.g. the runner's rotating
 * log file (util/logfile.h). NULL removes it. Call before threads start.
 */
typedef void (*ef_log_hook_fn)(void *ud, const char *line, size_t len);
void ef_log_set_hook(ef_log_hook_fn fn, void *ud);

/* Any thread: each line is written with one call, so lines never interleave. */
void ef_log(enum ef_log_level level, const char *module, const char *fmt, ...) EF_PRINTF(3, 4);
void ef_vlog(enum ef_log_level level, const char *module, const char *fmt, va_list ap);

/*
 * Logs on the 1st, (n+1)th, (2n+1)th... call through this site; counter is
 * a uint64_t the caller owns and keeps for its statistics.
 */
#define EF_LOG_EVERY(counter, n, level, module, ...)                                      \
    do {                                                                                  \
        if ((counter)++ % (n) == 0)                                                       \
            ef_log((level), (module), __VA_ARGS__);                                       \
    } while (0)

#define ef_log_error(mod, ...) ef_log(EF_LOG_ERROR, (mod), __VA_ARGS__)
#define ef_log_warn(mod, ...) ef_log(EF_LOG_WARN, (mod), __VA_ARGS__)
#define ef_log_info(mod, ...) ef_log(EF_LOG_INFO, (mod), __VA_ARGS__)
#define ef_log_debug(mod, ...) ef_log(EF_LOG_DEBUG, (mod), __VA_ARGS__)

#endif

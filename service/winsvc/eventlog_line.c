/*
 * eventlog_line.c - reads the level out of a formatted log line (util/log.h:
 * "2026-11-26T06:05:38.123Z error [module] text\n"), so the service can
 * copy its error lines into the event log from the log hook. Portable, so
 * the same parser is used and tested everywhere.
 */
#include "eventlog.h"

#include "util/error.h"
#include "util/log.h"

#include <string.h>

int ef_eventlog_parse_line(const char *line, size_t len, int *level, const char **text,
                           size_t *text_len)
{
    const char *sp, *end = line + len, *p;
    size_t wl;
    int l;

    sp = line ? memchr(line, ' ', len) : NULL;
    if (!sp)
        return EF_EFORMAT;
    p = sp + 1;
    for (wl = 0; p + wl < end && p[wl] != ' '; wl++)
        ;
    for (l = EF_LOG_ERROR; l <= EF_LOG_TRACE; l++) {
        const char *name = ef_log_level_name((enum ef_log_level)l);

        if (strlen(name) == wl && memcmp(p, name, wl) == 0)
            break;
    }
    if (l > EF_LOG_TRACE)
        return EF_EFORMAT;
    p += wl;
    while (p < end && *p == ' ')
        p++;
    while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    *level = l;
    *text = p;
    *text_len = (size_t)(end - p);
    return 0;
}

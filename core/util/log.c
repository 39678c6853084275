/*
 * log.c - leveled logging.
 */
#include "log.h"
#include "error.h"

#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <sys/timeb.h>
#endif

static enum ef_log_level max_level = EF_LOG_INFO;
static FILE *log_file;
static ef_log_hook_fn log_hook;
static void *log_hook_ud;

static const char *const names[] = {"error", "warn", "info", "debug", "trace"};

void ef_log_set_level(enum ef_log_level level)
{
    max_level = level;
}

enum ef_log_level ef_log_get_level(void)
{
    return max_level;
}

int ef_log_level_parse(const char *s, enum ef_log_level *out)
{
    unsigned i;

    for (i = 0; i < EF_ARRAY_LEN(names); i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum ef_log_level)i;
            return 0;
        }
    }
    return EF_EINVAL;
}

const char *ef_log_level_name(enum ef_log_level level)
{
    return (unsigned)level < EF_ARRAY_LEN(names) ? names[level] : "?";
}

void ef_log_set_file(FILE *f)
{
    log_file = f;
}

void ef_log_set_hook(ef_log_hook_fn fn, void *ud)
{
    log_hook = fn;
    log_hook_ud = ud;
}

/*
 * The wall clock with milliseconds. On Windows, _ftime64_s from msvcrt:
 * mingw-w64 declares timespec_get only for the UCRT, and winpthreads'
 * clock_gettime gave 1970 under Wine.
 */
static void now(time_t *t, long *ms)
{
#ifdef _WIN32
    struct __timeb64 tb;

    _ftime64_s(&tb);
    *t = (time_t)tb.time;
    *ms = tb.millitm;
#else
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    *t = ts.tv_sec;
    *ms = ts.tv_nsec / 1000000;
#endif
}

void ef_vlog(enum ef_log_level level, const char *module, const char *fmt, va_list ap)
{
    char line[2048];
    struct tm tm;
    time_t t;
    long ms;
    int n, m;

    if (level > max_level)
        return;
    now(&t, &ms);
#ifdef _WIN32
    gmtime_s(&tm, &t);
#else
    gmtime_r(&t, &tm);
#endif
    n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s [%s] ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms,
                 ef_log_level_name(level), module);
    if (n < 0)
        return;
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    if (m < 0)
        return;
    n += m;
    if ((size_t)n > sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    line[n] = '\0';
    fputs(line, stderr);
    /* stderr redirected to a file is buffered by some C runtimes (Wine's): a killed process would
     * lose its last lines. */
    fflush(stderr);
    if (log_file) {
        fputs(line, log_file);
        fflush(log_file);
    }
    if (log_hook)
        log_hook(log_hook_ud, line, (size_t)n);
}

void ef_log(enum ef_log_level level, const char *module, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ef_vlog(level, module, fmt, ap);
    va_end(ap);
}

/*
 * eventlog.c - service/winsvc/eventlog.h off Windows: there is no event log, so
 * registering says EF_ENOTSUP and reporting does nothing (the same text is
 * in the log file). Lets the portable commands and tests link unchanged.
 */
#include "eventlog.h"

#include "util/error.h"

int ef_eventlog_install(const char *source, const char *exe_path)
{
    (void)source;
    (void)exe_path;
    return EF_ENOTSUP;
}

int ef_eventlog_uninstall(const char *source)
{
    (void)source;
    return EF_ENOTSUP;
}

int ef_eventlog_open(const char *source)
{
    (void)source;
    return EF_ENOTSUP;
}

void ef_eventlog_close(void)
{
}

void ef_eventlog_started(const char *version, const char *conf)
{
    (void)version;
    (void)conf;
}

void ef_eventlog_stopped(int exit_code)
{
    (void)exit_code;
}

void ef_eventlog_config_error(const char *msg)
{
    (void)msg;
}

void ef_eventlog_notice(void *ud, const struct ef_notice *n)
{
    (void)ud;
    (void)n;
}

void ef_eventlog_log(int level, const char *text)
{
    (void)level;
    (void)text;
}

void ef_eventlog_log_line(const char *line, size_t len)
{
    (void)line;
    (void)len;
}

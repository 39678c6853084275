/*
 * eventlog.h - etwfwd's Windows event-log source: registration (install,
 * uninstall) and the messages the service reports (service/winsvc/messages.mc,
 * compiled into etwfwd.exe's message table; docs/service.md, "Event log
 * messages").
 *
 * Strings are UTF-8 in; they are converted to UTF-16 for ReportEventW.
 * Reporting is best effort: before ef_eventlog_open, after
 * ef_eventlog_close, or off Windows, the report functions do nothing.
 */
#ifndef EF_SERVICE_EVENTLOG_H
#define EF_SERVICE_EVENTLOG_H

#include <stddef.h>

#include "runner/notice.h"

/*
 * Registers source in the Application log:
 * HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\<source> with
 * EventMessageFile = exe_path (REG_EXPAND_SZ) and TypesSupported = 7
 * (error, warning, information). Overwrites an existing registration.
 * Returns 0, EF_EINVAL (empty name, a '\' in it), EF_EACCES (not
 * elevated), EF_ESYS, EF_ENOTSUP off Windows. Any thread.
 */
int ef_eventlog_install(const char *source, const char *exe_path);

/* Removes that key. 0 also when it did not exist; EF_EACCES, EF_ESYS, EF_ENOTSUP. Any thread. */
int ef_eventlog_uninstall(const char *source);

/*
 * Opens source for reporting (RegisterEventSourceW). Returns 0, EF_ESYS,
 * EF_ENOTSUP off Windows. One source per process; call it before the
 * report functions, from the service's main thread.
 */
int ef_eventlog_open(const char *source);

/* Closes it; reports become no-ops. The thread that opened it, after every report. */
void ef_eventlog_close(void);

/* "etwfwd VERSION started with configuration CONF." (information). Any thread. */
void ef_eventlog_started(const char *version, const char *conf);

/* "etwfwd stopped (exit code N)." (information when 0, error otherwise). Any thread. */
void ef_eventlog_stopped(int exit_code);

/* One configuration error ("FILE:LINE: what"; error). Usable as on_config_error's body. Any thread.
 */
void ef_eventlog_config_error(const char *msg);

/* A pipeline notice; usable as ef_run_args.on_notice (ud unused). Any thread. */
void ef_eventlog_notice(void *ud, const struct ef_notice *n);

/* A log line of level EF_LOG_ERROR, EF_LOG_WARN or EF_LOG_INFO (util/log.h) as "%1". Any thread. */
void ef_eventlog_log(int level, const char *text);

/*
 * A formatted log line as util/log.h's hook gets it ("TIME LEVEL [module]
 * text\n"): reported with ef_eventlog_log when its level is error, the
 * time and the newline left out; other lines are ignored (the log file
 * has them). Any thread.
 */
void ef_eventlog_log_line(const char *line, size_t len);

/*
 * Parses such a line: its level (enum ef_log_level) and where "[module]
 * text" starts and how long it is without the line end. Returns 0 or
 * EF_EFORMAT. Any thread.
 */
int ef_eventlog_parse_line(const char *line, size_t len, int *level, const char **text,
                           size_t *text_len);

#endif

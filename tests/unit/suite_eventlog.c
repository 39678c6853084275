/*
 * suite_eventlog.c - the event-log source and etwfwd.exe's resources
 * (Windows only, run under Wine in a throwaway prefix).
 */
#include "runner.h"

TCase *ef_eventlog_case(void);

const char *const ef_suite_name = "eventlog";
TCase *(*const ef_suite_cases[])(void) = {
    ef_eventlog_case,
    NULL,
};

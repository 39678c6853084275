/*
 * suite_live.c - live ETW sessions through `run`'s pipeline (Windows only,
 * run under Wine against the fake ETW of fake_trace.h).
 */
#include "runner.h"

TCase *ef_live_case(void);
TCase *ef_live_notice_case(void);
TCase *ef_selftest_case(void);

const char *const ef_suite_name = "live";
TCase *(*const ef_suite_cases[])(void) = {
    ef_live_case,
    ef_live_notice_case,
    ef_selftest_case,
    NULL,
};

/*
 * suite_runner.c - the core/runner suite: the pieces that need no process
 * (path expansion, the metrics listener, the Prometheus names, the live
 * callback path).
 */
#include "runner.h"

TCase *ef_runner_checkpoint_case(void);
TCase *ef_runner_eventpath_case(void);
TCase *ef_runner_glob_case(void);
TCase *ef_runner_http_case(void);
TCase *ef_runner_metrics_case(void);
TCase *ef_runner_notice_case(void);
TCase *ef_runner_reload_case(void);
TCase *ef_runner_selftest_case(void);
TCase *ef_runner_statelock_case(void);
TCase *ef_runner_tracefile_case(void);

const char *const ef_suite_name = "runner";
TCase *(*const ef_suite_cases[])(void) = {
    ef_runner_checkpoint_case,
    ef_runner_eventpath_case,
    ef_runner_glob_case,
    ef_runner_http_case,
    ef_runner_metrics_case,
    ef_runner_notice_case,
    ef_runner_reload_case,
    ef_runner_tracefile_case,
    ef_runner_selftest_case,
    ef_runner_statelock_case,
    NULL,
};

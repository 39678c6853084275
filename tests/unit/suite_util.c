/*
 * suite_util.c - the core/util suite.
 */
#include "runner.h"

TCase *ef_util_text_case(void);
TCase *ef_util_ids_case(void);
TCase *ef_util_time_case(void);
TCase *ef_util_sha1_case(void);

const char *const ef_suite_name = "util";
TCase *(*const ef_suite_cases[])(void) = {
    ef_util_text_case,
    ef_util_ids_case,
    ef_util_time_case,
    ef_util_sha1_case,
    NULL,
};

/*
 * suite_spool.c - the core/pipeline spool suite.
 */
#include "runner.h"

TCase *ef_spool_basic_case(void);
TCase *ef_spool_damage_case(void);
TCase *ef_spool_bg_case(void);

const char *const ef_suite_name = "spool";
TCase *(*const ef_suite_cases[])(void) = {
    ef_spool_basic_case,
    ef_spool_damage_case,
    ef_spool_bg_case,
    NULL,
};

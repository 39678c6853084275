/*
 * suite_etl.c - the core/etl suite: the portable .etl reader.
 */
#include "runner.h"

TCase *ef_etl_real_case(void);
TCase *ef_etl_synth_case(void);
TCase *ef_etl_damage_case(void);

const char *const ef_suite_name = "etl";
TCase *(*const ef_suite_cases[])(void) = {
    ef_etl_real_case,
    ef_etl_synth_case,
    ef_etl_damage_case,
    NULL,
};

/*
 * suite_schema_text.c - the text schema sources: manifest XML and kernel MOF.
 */
#include "runner.h"

TCase *ef_manifest_real_case(void);
TCase *ef_manifest_synth_case(void);
TCase *ef_mof_case(void);
TCase *ef_mof_builtin_case(void);

const char *const ef_suite_name = "schema_text";
TCase *(*const ef_suite_cases[])(void) = {
    ef_manifest_real_case,
    ef_manifest_synth_case,
    ef_mof_case,
    ef_mof_builtin_case,
    NULL,
};

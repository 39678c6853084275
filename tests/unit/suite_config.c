/*
 * suite_config.c - the config/ suite: values, provider strings, loading.
 */
#include "runner.h"

TCase *ef_config_provider_case(void);
TCase *ef_config_load_case(void);
TCase *ef_config_session_case(void);

const char *const ef_suite_name = "config";
TCase *(*const ef_suite_cases[])(void) = {
    ef_config_provider_case,
    ef_config_load_case,
    ef_config_session_case,
    NULL,
};

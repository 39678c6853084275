/*
 * suite_decode.c - the core/decode suite: plans, interpreter, cache, decoder.
 */
#include "runner.h"

TCase *ef_decode_plan_case(void);
TCase *ef_decode_cache_case(void);
TCase *ef_decode_enrich_case(void);

const char *const ef_suite_name = "decode";
TCase *(*const ef_suite_cases[])(void) = {
    ef_decode_plan_case,
    ef_decode_cache_case,
    ef_decode_enrich_case,
    NULL,
};

/*
 * suite_pipeline.c - the core/pipeline suite (queue, clock, backoff, sink driver).
 */
#include "runner.h"

TCase *ef_pipeline_queue_case(void);
TCase *ef_pipeline_clock_case(void);
TCase *ef_pipeline_sinkdrv_case(void);

const char *const ef_suite_name = "pipeline";
TCase *(*const ef_suite_cases[])(void) = {
    ef_pipeline_queue_case,
    ef_pipeline_clock_case,
    ef_pipeline_sinkdrv_case,
    NULL,
};

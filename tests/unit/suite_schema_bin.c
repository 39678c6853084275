/*
 * suite_schema_bin.c - the binary schema sources: TraceLogging metadata,
 * TRACE_EVENT_INFO / EVENT_MAP_INFO blobs, schemas embedded in traces.
 */
#include "runner.h"

TCase *ef_schema_bin_tlg_case(void);
TCase *ef_schema_bin_tei_case(void);
TCase *ef_schema_bin_embedded_case(void);
TCase *ef_schema_bin_real_case(void);

const char *const ef_suite_name = "schema_bin";
TCase *(*const ef_suite_cases[])(void) = {
    ef_schema_bin_tlg_case,
    ef_schema_bin_tei_case,
    ef_schema_bin_embedded_case,
    ef_schema_bin_real_case,
    NULL,
};

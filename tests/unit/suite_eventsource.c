/*
 * suite_eventsource.c - EventSource manifests sent in-band (ManifestData
 * chunks): assembly, bounds and errors, and decoding through them.
 */
#include "runner.h"

TCase *ef_eventsource_chunks_case(void);
TCase *ef_eventsource_trace_case(void);

const char *const ef_suite_name = "eventsource";
TCase *(*const ef_suite_cases[])(void) = {
    ef_eventsource_chunks_case,
    ef_eventsource_trace_case,
    NULL,
};

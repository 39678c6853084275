/*
 * suite_sink_file.c - the file sink, driven through the sink driver over
 * the real spool.
 */
#include "runner.h"

TCase *ef_sink_file_case(void);

const char *const ef_suite_name = "sink_file";
TCase *(*const ef_suite_cases[])(void) = {
    ef_sink_file_case,
    NULL,
};

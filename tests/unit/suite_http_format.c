/*
 * suite_http_format.c - the HTTP sink's pure pieces: request bodies, _id,
 * index names, gzip, status classes and the receivers' responses.
 */
#include "runner.h"

TCase *ef_http_format_case(void);
TCase *ef_http_response_case(void);

const char *const ef_suite_name = "http_format";
TCase *(*const ef_suite_cases[])(void) = {
    ef_http_format_case,
    ef_http_response_case,
    NULL,
};

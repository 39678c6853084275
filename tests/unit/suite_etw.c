/*
 * suite_etw.c - the core/etw suite (Windows only, run under Wine): the
 * Win32 error table, the real API table, and the TDH schema source against
 * a scripted fake serving real TRACE_EVENT_INFO blobs.
 */
#include "runner.h"

TCase *ef_etw_error_case(void);
TCase *ef_etw_tdh_case(void);
TCase *ef_etw_tdh_errors_case(void);
TCase *ef_etw_record_case(void);
TCase *ef_etw_consumer_case(void);
TCase *ef_etw_session_case(void);
TCase *ef_etw_filter_case(void);
TCase *ef_etw_providers_case(void);

const char *const ef_suite_name = "etw";
TCase *(*const ef_suite_cases[])(void) = {
    ef_etw_error_case,  ef_etw_tdh_case,       ef_etw_tdh_errors_case,
    ef_etw_record_case, ef_etw_consumer_case,  ef_etw_session_case,
    ef_etw_filter_case, ef_etw_providers_case, NULL,
};

/*
 * suite_sink_syslog.c - the syslog sink: message formatting and the JSON
 * scanner (table-driven), and the transports against in-process loopback
 * receivers through the sink driver.
 */
#include "runner.h"

TCase *ef_sink_syslog_fmt_case(void);
TCase *ef_sink_syslog_net_case(void);

const char *const ef_suite_name = "sink_syslog";
TCase *(*const ef_suite_cases[])(void) = {
    ef_sink_syslog_fmt_case,
    ef_sink_syslog_net_case,
    NULL,
};

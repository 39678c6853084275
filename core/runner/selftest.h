/*
 * selftest.h - what `etwfwd selftest` does, callable from a test: start a
 * private real-time session, enable the self-test's TraceLogging provider,
 * write N events of known content (selftest_events.h), consume them
 * through the same consumer, decoder and renderer as `run`, and say how
 * many arrived decoded and equal, how many were lost, the latency and the
 * rate.
 *
 * Windows only (it calls ETW through struct ef_etw_api, which a test
 * replaces with the fake ETW of tests/unit/fake_trace.h).
 */
#ifndef EF_RUNNER_SELFTEST_H
#define EF_RUNNER_SELFTEST_H

#include <stdint.h>
#include <stdio.h>

#include "etw/etw_api.h"

struct ef_selftest_opts {
    const struct ef_etw_api *api; /* must outlive the call */
    uint32_t events;              /* N, at least 1 */
    const char *session;          /* NULL: "etwfwd-selftest" */
    /* How the provider is enabled: level (0: 5, verbose) and MatchAnyKeyword (0: all). */
    uint8_t level;
    uint64_t match_any;
    uint32_t idle_ms; /* give up when nothing new arrived for this long (0: 5000) */
    uint32_t join_ms; /* how long the consumer may take to stop (0: 10000) */
    FILE *report;     /* the human report (NULL: none) */
};

struct ef_selftest_result {
    uint32_t written;                           /* events EventWriteTransfer took */
    uint64_t arrived, equal, wrong, duplicates; /* self-test events that came back */
    uint64_t others;                            /* other events in the session */
    uint64_t missing;                           /* of the N, never arrived */
    uint64_t rt_lost_event_records, rt_lost_buffer_records;
    uint64_t events_lost, rt_buffers_lost; /* QUERY's growth while the self-test ran */
    double p50_ms, p99_ms, max_ms;         /* write to callback, of the equal ones */
    double events_per_s;                   /* first write to last arrival */
    int passed;                            /* every event arrived, decoded and equal, once */
    char why[512];                         /* when not passed: the first reason */
};

/*
 * Runs the self-test. Returns 0 when it ran to the end, whether it passed
 * or not (res->passed, res->why), or EF_E* when it could not run (the
 * session, the enable or the consumer failed: res->why says which and
 * why). Any thread but a consumer's; one at a time per session name.
 */
int ef_selftest_run(const struct ef_selftest_opts *o, struct ef_selftest_result *res);

#endif

/*
 * cmd_selftest.c - `etwfwd selftest [--events N]`: the one-command
 * proof on a real Windows machine that live ETW works end to end.
 *
 * The work is runner/selftest.h's (so that the tests run it against the
 * fake ETW): a private real-time session (etwfwd-selftest), a TraceLogging
 * provider of its own, N events of known content written, consumed through
 * the same consumer, decoder and renderer as `run`, every rendered line
 * checked. This file reads the command line, prints the report and turns
 * the verdict into the exit code: 0 only when every event arrived, decoded
 * and equal, once.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_EVENTS 1000u
#define MAX_EVENTS     10000000u

#ifdef _WIN32

#include "etw/etw_api.h"
#include "etw/etw_defs.h"
#include "runner/selftest.h"
#include "util/error.h"

static int selftest(uint32_t events)
{
    struct ef_selftest_opts o;
    struct ef_selftest_result res;
    int rc;

    memset(&o, 0, sizeof(o));
    o.events = events;
    o.api = ef_etw_api_get(&rc);
    if (!o.api) {
        fprintf(stderr, "etwfwd selftest: the ETW functions are missing: %s\n", ef_strerror(rc));
        return EF_EXIT_FAILURE;
    }
    o.report = stdout;
    printf("selftest: %u events through session %sselftest\n", o.events, EF_ETW_SESSION_PREFIX);
    fflush(stdout);
    rc = ef_selftest_run(&o, &res);
    if (rc < 0) {
        fprintf(stderr, "etwfwd selftest: %s\n", res.why);
        return EF_EXIT_FAILURE;
    }
    return res.passed ? EF_EXIT_OK : EF_EXIT_FAILURE;
}

#endif /* _WIN32 */

static const struct ef_opt selftest_opts[] = {
    {"--events", NULL, "N", "a count of events, 1 to 10000000", 0,
     "Writes and checks N events. The default is 1000."},
};

const struct ef_cmd_spec ef_spec_selftest = {
    "selftest",
    "",
    0,
    0,
    NULL,
    "Proves live ETW works here: writes N events of a TraceLogging provider of its own\n"
    "through a private real-time session and checks that every one arrives, decoded and\n"
    "equal, once. Exit 0 only then. Windows only.",
    selftest_opts,
    EF_ARRAY_LEN(selftest_opts),
    0};

int ef_cmd_selftest(int argc, char **argv)
{
    struct ef_args a;
    unsigned long v = DEFAULT_EVENTS;
    int rc = ef_args_parse(&ef_spec_selftest, argc, argv, &a);

    if (rc < 0 && a.value[0]) {
        char *end;

        v = strtoul(a.value[0], &end, 10);
        if (*end || v == 0 || v > MAX_EVENTS)
            rc = ef_args_fail(&ef_spec_selftest, "--events takes 1 to %u, not '%s'", MAX_EVENTS,
                              a.value[0]);
    }
    ef_args_free(&a);
    if (rc >= 0)
        return rc;
#ifdef _WIN32
    return selftest((uint32_t)v);
#else
    fprintf(stderr, "etwfwd selftest: needs Windows (it starts a real-time ETW session)\n");
    return EF_EXIT_USAGE;
#endif
}

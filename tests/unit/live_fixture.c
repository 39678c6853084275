/*
 * live_fixture.c - the live suite's fixture (live_fixture.h).
 */
#include "live_fixture.h"

#include "fake_trace.h"
#include "pipe_helpers.h"

#include <string.h>

char live_dir[1024];
struct ef_etw_api live_api;

void live_setup(void)
{
    th_mkdtemp(live_dir, sizeof(live_dir));
    fake_trace_reset();
    fake_trace.trace = HTTP_TRACE;
    memset(&live_api, 0, sizeof(live_api));
    fake_trace_api(&live_api);
    ef_etw_api_override(&live_api);
}

void live_teardown(void)
{
    unsigned i;

    /* A test that left a stuck consumer un-sticks it before the next one. */
    for (i = 0; i < FAKE_MAX_SESSIONS; i++)
        if (fake_trace.sessions[i].used)
            fake_trace_stop_external(&fake_trace.sessions[i]);
    ef_etw_api_override(NULL);
    th_rmtree(live_dir);
}

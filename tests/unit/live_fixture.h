/*
 * live_fixture.h - what the live suite's tests share: a temporary folder
 * and the fake ETW behind the API table, reset before each test, with
 * HTTP_Server.etl as the trace it feeds unless a test says otherwise.
 */
#ifndef EF_TEST_LIVE_FIXTURE_H
#define EF_TEST_LIVE_FIXTURE_H

#include "etw/etw_api.h"

/* The trace the fake feeds by default, and its provider as a session asks it. */
#define HTTP_TRACE    "testdata/etl/tx/HTTP_Server.etl"
#define HTTP_PROVIDER "provider = {DD5EF90A-6398-47A4-AD34-4DCECDEF795F}"

extern char live_dir[1024];        /* this test's temporary folder */
extern struct ef_etw_api live_api; /* the fake's table, in use by the code under test */

/* Check fixtures: a fresh folder and fake; then sessions left stuck are stopped, all removed. */
void live_setup(void);
void live_teardown(void);

#endif

/*
 * runner.h - what each unit-test executable provides to the shared runner.
 *
 * A test executable is runner.c plus the files of one module's suite; the
 * suite's files each contribute a TCase through a function listed in
 * EF_SUITE below, and runner.c builds the Suite from them.
 */
#ifndef EF_TESTS_RUNNER_H
#define EF_TESTS_RUNNER_H

#include <check.h>

/* Defined by the module's suite: its name and its test cases. */
extern const char *const ef_suite_name;
extern TCase *(*const ef_suite_cases[])(void);

/* The folder of the shared test data (EF_SHARED_DIR, else ../shared). */
const char *ef_test_shared_dir(void);
/* Joins ef_test_shared_dir() and rel into a static buffer (one per call site is fine). */
const char *ef_test_shared_path(const char *rel, char *out, size_t cap);

#endif

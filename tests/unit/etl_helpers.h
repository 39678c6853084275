/*
 * etl_helpers.h - helpers shared by the etl suite's test files.
 */
#ifndef EF_TESTS_ETL_HELPERS_H
#define EF_TESTS_ETL_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "etl/etl.h"

/* Reads a whole file under the shared test data into memory (fails the test if missing). */
uint8_t *etl_test_load(const char *rel, size_t *len);

#endif

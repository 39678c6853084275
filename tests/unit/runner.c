/*
 * runner.c - main() for every unit-test executable.
 *
 * Runs the module's test cases and prints Check's summary line. Under Wine
 * Check runs without fork (Windows has none), so a crashing test ends the
 * run; natively each test is forked.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>

const char *ef_test_shared_dir(void)
{
    const char *d = getenv("EF_SHARED_DIR");

    return d && *d ? d : "../shared";
}

const char *ef_test_shared_path(const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", ef_test_shared_dir(), rel);
    return out;
}

int main(void)
{
    Suite *s = suite_create(ef_suite_name);
    SRunner *sr;
    int failed, i;

    for (i = 0; ef_suite_cases[i]; i++)
        suite_add_tcase(s, ef_suite_cases[i]());
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

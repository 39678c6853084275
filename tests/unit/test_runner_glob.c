/*
 * test_runner_glob.c - a file session's path expansion (source/pathglob.h):
 * glob(3) on POSIX, FindFirstFileW under Wine, with the same expectations.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "pipe_helpers.h"
#include "source/pathglob.h"
#include "util/attr.h"
#include "util/error.h"

static char dir[1024];

static void setup(void)
{
    static const char *const files[] = {"b.etl", "a.etl", "c.txt", "a1.etl", "ab.etl"};
    char path[1200];
    uv_fs_t req;
    size_t i;

    th_mkdtemp(dir, sizeof(dir));
    for (i = 0; i < EF_ARRAY_LEN(files); i++) {
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        fputs("x", f);
        fclose(f);
    }
    /* A folder whose name matches: never returned as a trace. */
    snprintf(path, sizeof(path), "%s/d.etl", dir);
    ck_assert_int_eq(uv_fs_mkdir(NULL, &req, path, 0755, NULL), 0);
    uv_fs_req_cleanup(&req);
}

static void teardown(void)
{
    th_rmtree(dir);
}

/* Expands dir/pattern and compares with the expected names, joined by ','. */
static void expect(const char *pattern, const char *names)
{
    char pat[1200], want[4096], got[4096];
    char **paths = NULL;
    size_t n = 0, i, dlen = strlen(dir) + 1;
    const char *p;

    snprintf(pat, sizeof(pat), "%s/%s", dir, pattern);
    ck_assert_int_eq(ef_pathglob_expand(pat, &paths, &n), 0);
    snprintf(want, sizeof(want), "%s", names);
    got[0] = '\0';
    for (i = 0; i < n; i++) {
        /* Every result keeps the pattern's folder as written. */
        ck_assert_msg(strncmp(paths[i], pat, dlen) == 0, "%s not under %s", paths[i], dir);
        p = paths[i] + dlen;
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "", p);
    }
    ck_assert_msg(strcmp(got, want) == 0, "%s: got '%s', want '%s'", pattern, got, want);
    ef_pathglob_free(paths, n);
}

START_TEST(wildcards_sorted_files_only)
{
    static const struct {
        const char *pattern, *names;
    } rows[] = {
        {"*.etl", "a.etl,a1.etl,ab.etl,b.etl"}, /* sorted; the folder d.etl left out */
        {"a?.etl", "a1.etl,ab.etl"},
        {"*", "a.etl,a1.etl,ab.etl,b.etl,c.txt"},
        {"*.none", ""}, /* no match is not an error */
        {"b.etl", "b.etl"},
        {"missing.etl", "missing.etl"}, /* no wildcard: itself, opening reports it */
    };

    expect(rows[_i].pattern, rows[_i].names);
}
END_TEST

START_TEST(missing_folder_is_no_match)
{
    char pat[1200];
    char **paths = NULL;
    size_t n = 7;

    snprintf(pat, sizeof(pat), "%s/nodir/*.etl", dir);
    ck_assert_int_eq(ef_pathglob_expand(pat, &paths, &n), 0);
    ck_assert_uint_eq(n, 0);
    ef_pathglob_free(paths, n);
    ef_pathglob_free(NULL, 0);
}
END_TEST

START_TEST(has_wildcard)
{
    static const struct {
        const char *s;
        int want;
    } rows[] = {
        {"C:\\traces\\a.etl", 0}, {"/var/a.etl", 0}, {"a*.etl", 1}, {"a?.etl", 1},
        {"a[12].etl", 1},         {"", 0},
    };
    size_t i;

    for (i = 0; i < EF_ARRAY_LEN(rows); i++)
        ck_assert_msg(ef_pathglob_has_wildcard(rows[i].s) == rows[i].want, "%s", rows[i].s);
}
END_TEST

TCase *ef_runner_glob_case(void);
TCase *ef_runner_glob_case(void)
{
    TCase *tc = tcase_create("glob");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, wildcards_sorted_files_only, 0, 6);
    tcase_add_test(tc, missing_folder_is_no_match);
    tcase_add_test(tc, has_wildcard);
    return tc;
}

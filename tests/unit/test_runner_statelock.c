/*
 * test_runner_statelock.c - state_dir's lock (runner/statelock.h): a
 * second taker in the same process (flock and LockFileEx both conflict
 * between two opens of the file) is refused with the holder's pid, which
 * is this process's (uv_os_getpid, not the code under test); the holder's
 * probe says held; a release empties the file and frees the lock; a file
 * nobody locks, whatever pid it says, is taken over and rewritten.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "pipe_helpers.h"
#include "runner/statelock.h"
#include "util/error.h"

static char dir[1024];

static void setup(void)
{
    th_mkdtemp(dir, sizeof(dir));
}

static void teardown(void)
{
    th_rmtree(dir);
}

/* The lock file's text in folder d. */
static char *lock_text(const char *d)
{
    char path[1300];
    size_t len;

    snprintf(path, sizeof(path), "%s/%s", d, EF_STATELOCK_FILE);
    return th_read_file(path, &len);
}

START_TEST(second_taker_refused_with_pid)
{
    struct ef_statelock *a = NULL, *b = NULL;
    char sub[1100], want[32], *text;
    long holder = -1, pid = -1;
    int held = -1;

    /* A state_dir that does not exist yet is created. */
    snprintf(sub, sizeof(sub), "%s/state/x", dir);
    ck_assert_int_eq(ef_statelock_holder(sub, &held, &pid), 0);
    ck_assert_int_eq(held, 0);
    ck_assert_int_eq(ef_statelock_take(sub, &a, &holder), 0);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(ef_statelock_take(sub, &b, &holder), EF_EAGAIN);
    ck_assert_ptr_null(b);
    ck_assert_int_eq(holder, (long)uv_os_getpid());
    ck_assert_int_eq(ef_statelock_holder(sub, &held, &pid), 0);
    ck_assert_int_eq(held, 1);
    ck_assert_int_eq(pid, (long)uv_os_getpid());
    /* The refused taker did not touch the holder's pid. */
    text = lock_text(sub);
    snprintf(want, sizeof(want), "%ld\n", (long)uv_os_getpid());
    ck_assert_str_eq(text, want);
    free(text);

    ef_statelock_release(a);
    text = lock_text(sub);
    ck_assert_str_eq(text, "");
    free(text);
    ck_assert_int_eq(ef_statelock_holder(sub, &held, &pid), 0);
    ck_assert_int_eq(held, 0);
    ck_assert_int_eq(ef_statelock_take(sub, &b, &holder), 0);
    ef_statelock_release(b);
}
END_TEST

START_TEST(stale_file_taken_over)
{
    struct ef_statelock *l = NULL;
    char path[1200], want[32], *text;
    long holder = -1, pid = -1;
    int held = -1;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, EF_STATELOCK_FILE);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("2147483646\nleft by a crash\n", f);
    fclose(f);
    ck_assert_int_eq(ef_statelock_holder(dir, &held, &pid), 0);
    ck_assert_int_eq(held, 0);
    ck_assert_int_eq(pid, 2147483646L);
    ck_assert_int_eq(ef_statelock_take(dir, &l, &holder), 0);
    text = lock_text(dir);
    snprintf(want, sizeof(want), "%ld\n", (long)uv_os_getpid());
    ck_assert_str_eq(text, want);
    free(text);
    ef_statelock_release(l);
}
END_TEST

TCase *ef_runner_statelock_case(void);
TCase *ef_runner_statelock_case(void)
{
    TCase *tc = tcase_create("statelock");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, second_taker_refused_with_pid);
    tcase_add_test(tc, stale_file_taken_over);
    return tc;
}

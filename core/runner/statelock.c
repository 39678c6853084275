/*
 * statelock.c - the state_dir lock (statelock.h), portable: the platform
 * part is ef_fs_trylock in pipeline/fsutil.c and fsutil_win.c.
 *
 * DESIGN. The lock is the open file's: flock on POSIX, a LockFileEx range
 * on Windows, both released by the system when the process ends, which is
 * what makes a crashed instance's file stale rather than a blocker. The
 * pid is the file's text ("1234\n"); a reader that sees the file locked
 * reads it, so the holder writes it right after it took the lock. A
 * starting instance can meet a locked file whose pid is not written yet:
 * it then says pid 0 ("unknown"), which only a race of two starts can see.
 */
#include "runner/statelock.h"

#include "pipeline/fsutil.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

struct ef_statelock {
    int fd;
};

static int lock_path(const char *dir, char *path, size_t cap)
{
    int n = snprintf(path, cap, "%s/%s", dir, EF_STATELOCK_FILE);

    return n < 0 || (size_t)n >= cap ? EF_ERANGE : 0;
}

/* The pid the file holds, 0 when it holds none. */
static long read_pid(int fd)
{
    char text[32];
    size_t got = 0;
    long pid;

    if (ef_fs_pread(fd, text, sizeof(text) - 1, 0, &got) < 0)
        return 0;
    text[got] = '\0';
    pid = strtol(text, NULL, 10);
    return pid > 0 ? pid : 0;
}

int ef_statelock_take(const char *dir, struct ef_statelock **out, long *holder)
{
    struct ef_statelock *l;
    char path[4200], text[32];
    int fd = -1, rc, n;

    *out = NULL;
    *holder = 0;
    if ((rc = lock_path(dir, path, sizeof(path))) < 0 || (rc = ef_fs_mkdir_p(dir)) < 0)
        return rc;
    if ((rc = ef_fs_open(path, EF_FS_WRITE | EF_FS_CREATE, &fd)) < 0)
        return rc;
    rc = ef_fs_trylock(fd);
    if (rc == EF_EAGAIN)
        *holder = read_pid(fd);
    if (rc < 0)
        goto fail;
    /* Ours now, whatever a crashed instance left in it. */
    n = snprintf(text, sizeof(text), "%ld\n", (long)uv_os_getpid());
    if ((rc = ef_fs_truncate(fd, 0)) < 0 || (rc = ef_fs_pwrite(fd, text, (size_t)n, 0)) < 0)
        goto fail;
    l = malloc(sizeof(*l));
    if (!l) {
        rc = EF_ENOMEM;
        goto fail;
    }
    l->fd = fd;
    *out = l;
    return 0;
fail:
    ef_fs_close(fd);
    return rc;
}

void ef_statelock_release(struct ef_statelock *l)
{
    if (!l)
        return;
    /* Emptied while still held: no reader takes a finished run's pid for a live one. */
    ef_fs_truncate(l->fd, 0);
    ef_fs_unlock(l->fd);
    ef_fs_close(l->fd);
    free(l);
}

int ef_statelock_holder(const char *dir, int *held, long *pid)
{
    char path[4200];
    int fd, rc;

    *held = 0;
    *pid = 0;
    if ((rc = lock_path(dir, path, sizeof(path))) < 0)
        return rc;
    rc = ef_fs_open(path, EF_FS_READ, &fd);
    if (rc == EF_ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    *pid = read_pid(fd);
    rc = ef_fs_trylock(fd);
    if (rc == EF_EAGAIN) {
        *held = 1;
        /* Read again: a holder that just started may have written it since. */
        *pid = read_pid(fd);
        rc = 0;
    } else if (rc == 0) {
        ef_fs_unlock(fd);
    }
    ef_fs_close(fd);
    return rc;
}

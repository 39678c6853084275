/*
 * fsutil.c - POSIX side of fsutil.h (Linux and the other Unixes).
 *
 * fdatasync is enough for segment data (their size changes are metadata
 * that fdatasync also flushes on Linux); directory entries need an fsync of
 * the directory itself, which is why ef_fs_replace takes the directory.
 */
#ifndef _WIN32
#include "fsutil.h"

#include "util/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int ef_fs_open(const char *path, int flags, int *fd)
{
    int of = (flags & EF_FS_WRITE) ? O_RDWR : O_RDONLY;

    if (flags & EF_FS_CREATE)
        of |= O_CREAT;
    if (flags & EF_FS_TRUNC)
        of |= O_TRUNC;
    if (flags & EF_FS_EXCL)
        of |= O_EXCL;
    *fd = open(path, of | O_CLOEXEC, 0644);
    return *fd < 0 ? ef_from_errno(errno) : 0;
}

int ef_fs_close(int fd)
{
    return close(fd) < 0 ? EF_EIO : 0;
}

int ef_fs_pread(int fd, void *buf, size_t len, uint64_t off, size_t *got)
{
    size_t n = 0;

    while (n < len) {
        ssize_t r = pread(fd, (char *)buf + n, len - n, (off_t)(off + n));

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return EF_EIO;
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *got = n;
    return 0;
}

int ef_fs_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
    size_t n = 0;

    while (n < len) {
        ssize_t r = pwrite(fd, (const char *)buf + n, len - n, (off_t)(off + n));

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno == ENOSPC ? EF_ENOSPC : EF_EIO;
        n += (size_t)r;
    }
    return 0;
}

int ef_fs_truncate(int fd, uint64_t size)
{
    return ftruncate(fd, (off_t)size) < 0 ? EF_EIO : 0;
}

int ef_fs_size(int fd, uint64_t *size)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return EF_EIO;
    *size = (uint64_t)st.st_size;
    return 0;
}

int ef_fs_sync_file(int fd)
{
    return fdatasync(fd) < 0 ? EF_EIO : 0;
}

int ef_fs_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

    if (fd < 0)
        return ef_from_errno(errno);
    /* Some file systems refuse fsync on a directory; that is not an error. */
    if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
        rc = EF_EIO;
    close(fd);
    return rc;
}

int ef_fs_replace(const char *from, const char *to, const char *dir)
{
    if (rename(from, to) < 0)
        return ef_from_errno(errno);
    return dir ? ef_fs_sync_dir(dir) : 0;
}

int ef_fs_mkdir_p(const char *dir)
{
    char *p = strdup(dir), *s;
    int rc = 0;

    if (!p)
        return EF_ENOMEM;
    for (s = p + 1;; s++) {
        char c = *s;

        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            rc = ef_from_errno(errno);
            goto out;
        }
        *s = c;
        if (c == '\0')
            break;
    }
out:
    free(p);
    return rc;
}

int ef_fs_list_dir(const char *dir, ef_fs_list_fn fn, void *ud)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    if (!d)
        return ef_from_errno(errno);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        rc = fn(ud, e->d_name);
        if (rc != 0)
            break;
    }
    closedir(d);
    return rc;
}

int ef_fs_remove(const char *path)
{
    return unlink(path) < 0 ? ef_from_errno(errno) : 0;
}
int ef_fs_trylock(int fd)
{
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    return errno == EWOULDBLOCK ? EF_EAGAIN : ef_from_errno(errno);
}

int ef_fs_unlock(int fd)
{
    return flock(fd, LOCK_UN) == 0 ? 0 : ef_from_errno(errno);
}
#endif

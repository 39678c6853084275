/*
 * fsutil.h - the few file-system operations the spool needs to be durable.
 *
 * The spool's correctness rests on a handful of platform facts: a file's
 * bytes reach the disk (fsync / FlushFileBuffers), a file is replaced
 * atomically and durably (rename plus a directory fsync on POSIX,
 * MoveFileExW with MOVEFILE_WRITE_THROUGH on Windows), and an open file can
 * still be deleted or renamed (FILE_SHARE_DELETE on Windows). They live here,
 * in fsutil.c (POSIX) and fsutil_win.c (Windows), so spool*.c stay portable.
 *
 * Files are plain C runtime descriptors on both platforms (on Windows made
 * from a CreateFileW handle with _open_osfhandle). Paths are UTF-8. Every
 * function returns 0 or a negative EF_E* code. Any thread, but a descriptor
 * belongs to one thread at a time.
 */
#ifndef EF_PIPELINE_FSUTIL_H
#define EF_PIPELINE_FSUTIL_H

#include <stddef.h>
#include <stdint.h>

enum {
    EF_FS_READ = 1,   /* open for reading */
    EF_FS_WRITE = 2,  /* open for reading and writing */
    EF_FS_CREATE = 4, /* create if missing */
    EF_FS_TRUNC = 8,  /* truncate to 0 */
    EF_FS_EXCL = 16,  /* fail with EF_EEXIST if it exists */
};

int ef_fs_open(const char *path, int flags, int *fd);
int ef_fs_close(int fd);
/* Reads up to len bytes at off; *got < len only at the end of the file. */
int ef_fs_pread(int fd, void *buf, size_t len, uint64_t off, size_t *got);
/* Writes all of buf at off. */
int ef_fs_pwrite(int fd, const void *buf, size_t len, uint64_t off);
int ef_fs_truncate(int fd, uint64_t size);
int ef_fs_size(int fd, uint64_t *size);
/* Makes the file's data durable (fdatasync / FlushFileBuffers). */
int ef_fs_sync_file(int fd);
/* Makes the directory's entries durable (a no-op on Windows, see fsutil_win.c). */
int ef_fs_sync_dir(const char *dir);
/*
 * Atomically replaces to with from; with dir non-NULL also durably (dir, the
 * folder of both, is synced; Windows writes through instead).
 */
int ef_fs_replace(const char *from, const char *to, const char *dir);
/* Creates dir and its missing parents; an existing folder is fine. */
int ef_fs_mkdir_p(const char *dir);
/* Calls fn for each entry's name (not "." or ".."); a non-zero return stops. */
typedef int (*ef_fs_list_fn)(void *ud, const char *name);
int ef_fs_list_dir(const char *dir, ef_fs_list_fn fn, void *ud);
/* Removes a file; a missing file is EF_ENOENT. */
int ef_fs_remove(const char *path);
/*
 * Takes an exclusive lock on the open file fd without waiting: flock
 * (LOCK_EX | LOCK_NB) on POSIX, LockFileEx (LOCKFILE_EXCLUSIVE_LOCK |
 * LOCKFILE_FAIL_IMMEDIATELY) on Windows on one byte far past any content,
 * so other processes can still read the file (Windows locks are
 * mandatory). Another open of the file, in this process or another, then
 * gets EF_EAGAIN until ef_fs_unlock, a close of fd or the holder's exit.
 */
int ef_fs_trylock(int fd);
int ef_fs_unlock(int fd);

#endif

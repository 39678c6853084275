/*
 * fsutil_win.c - Windows side of fsutil.h.
 *
 * Files are opened with CreateFileW and FILE_SHARE_READ | FILE_SHARE_WRITE |
 * FILE_SHARE_DELETE, so a segment being read can still be deleted and the
 * ledger replaced, then wrapped into a C runtime descriptor. Positioned I/O
 * uses OVERLAPPED offsets on the handle (synchronous handle: the offset is
 * honoured and the call blocks). MoveFileExW with MOVEFILE_WRITE_THROUGH does
 * not return before the rename is on disk, so no directory sync is needed
 * (Windows has no way to fsync a directory anyway).
 */
#ifdef _WIN32
#include "fsutil.h"

#include "util/error.h"

#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

static wchar_t *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0)
        return NULL;
    w = malloc((size_t)n * sizeof(*w));
    if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) <= 0) {
        free(w);
        return NULL;
    }
    return w;
}

static int from_win(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        return EF_ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
        return EF_EACCES;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
        return EF_EEXIST;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
        return EF_ENOSPC;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return EF_ENOMEM;
    default:
        return EF_EIO;
    }
}

static HANDLE handle_of(int fd)
{
    return (HANDLE)_get_osfhandle(fd);
}

int ef_fs_open(const char *path, int flags, int *fd)
{
    wchar_t *w = widen(path);
    DWORD access = GENERIC_READ, disp = OPEN_EXISTING;
    HANDLE h;

    *fd = -1;
    if (!w)
        return EF_EINVAL;
    if (flags & EF_FS_WRITE)
        access |= GENERIC_WRITE;
    if ((flags & EF_FS_CREATE) && (flags & EF_FS_EXCL))
        disp = CREATE_NEW;
    else if ((flags & EF_FS_CREATE) && (flags & EF_FS_TRUNC))
        disp = CREATE_ALWAYS;
    else if (flags & EF_FS_CREATE)
        disp = OPEN_ALWAYS;
    else if (flags & EF_FS_TRUNC)
        disp = TRUNCATE_EXISTING;
    h = CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, disp,
                    FILE_ATTRIBUTE_NORMAL, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return from_win(GetLastError());
    *fd = _open_osfhandle((intptr_t)h, _O_BINARY | ((flags & EF_FS_WRITE) ? 0 : _O_RDONLY));
    if (*fd < 0) {
        CloseHandle(h);
        return EF_EIO;
    }
    return 0;
}

int ef_fs_close(int fd)
{
    return _close(fd) < 0 ? EF_EIO : 0;
}

int ef_fs_pread(int fd, void *buf, size_t len, uint64_t off, size_t *got)
{
    HANDLE h = handle_of(fd);
    size_t n = 0;

    while (n < len) {
        OVERLAPPED ov;
        DWORD want = len - n > 0x40000000u ? 0x40000000u : (DWORD)(len - n), r = 0;
        uint64_t at = off + n;

        memset(&ov, 0, sizeof(ov));
        ov.Offset = (DWORD)at;
        ov.OffsetHigh = (DWORD)(at >> 32);
        if (!ReadFile(h, (char *)buf + n, want, &r, &ov)) {
            if (GetLastError() == ERROR_HANDLE_EOF)
                break;
            return EF_EIO;
        }
        if (r == 0)
            break;
        n += r;
    }
    *got = n;
    return 0;
}

int ef_fs_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
    HANDLE h = handle_of(fd);
    size_t n = 0;

    while (n < len) {
        OVERLAPPED ov;
        DWORD want = len - n > 0x40000000u ? 0x40000000u : (DWORD)(len - n), w = 0;
        uint64_t at = off + n;

        memset(&ov, 0, sizeof(ov));
        ov.Offset = (DWORD)at;
        ov.OffsetHigh = (DWORD)(at >> 32);
        if (!WriteFile(h, (const char *)buf + n, want, &w, &ov))
            return from_win(GetLastError());
        n += w;
    }
    return 0;
}

int ef_fs_truncate(int fd, uint64_t size)
{
    FILE_END_OF_FILE_INFO info;

    info.EndOfFile.QuadPart = (LONGLONG)size;
    if (!SetFileInformationByHandle(handle_of(fd), FileEndOfFileInfo, &info, sizeof(info)))
        return from_win(GetLastError());
    return 0;
}

int ef_fs_size(int fd, uint64_t *size)
{
    LARGE_INTEGER li;

    if (!GetFileSizeEx(handle_of(fd), &li))
        return from_win(GetLastError());
    *size = (uint64_t)li.QuadPart;
    return 0;
}

int ef_fs_sync_file(int fd)
{
    return FlushFileBuffers(handle_of(fd)) ? 0 : from_win(GetLastError());
}

int ef_fs_sync_dir(const char *dir)
{
    (void)dir;
    return 0;
}

int ef_fs_replace(const char *from, const char *to, const char *dir)
{
    wchar_t *wf = widen(from), *wt = widen(to);
    int rc = 0;

    (void)dir;
    if (!wf || !wt)
        rc = EF_EINVAL;
    else if (!MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        rc = from_win(GetLastError());
    free(wf);
    free(wt);
    return rc;
}

int ef_fs_mkdir_p(const char *dir)
{
    char *p = _strdup(dir), *s;
    int rc = 0;

    if (!p)
        return EF_ENOMEM;
    for (s = p; *s; s++) {
        if (*s == '\\')
            *s = '/';
    }
    /* Skip "X:/" and "//server/share/" prefixes: they are not folders to create. */
    s = p;
    if (s[0] && s[1] == ':')
        s += 2;
    for (s++;; s++) {
        char c = *s;
        wchar_t *w;

        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        w = widen(p);
        if (!w) {
            rc = EF_EINVAL;
            goto out;
        }
        if (!CreateDirectoryW(w, NULL) && GetLastError() != ERROR_ALREADY_EXISTS &&
            GetLastError() != ERROR_ACCESS_DENIED) {
            rc = from_win(GetLastError());
            free(w);
            goto out;
        }
        free(w);
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
    size_t n = strlen(dir);
    char *pat = malloc(n + 3);
    wchar_t *w;
    WIN32_FIND_DATAW fd;
    HANDLE h;
    int rc = 0;

    if (!pat)
        return EF_ENOMEM;
    memcpy(pat, dir, n);
    memcpy(pat + n, "/*", 3);
    w = widen(pat);
    free(pat);
    if (!w)
        return EF_EINVAL;
    h = FindFirstFileW(w, &fd);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return GetLastError() == ERROR_FILE_NOT_FOUND ? 0 : from_win(GetLastError());
    do {
        char name[MAX_PATH * 4];

        if (WideCharToMultiByte(CP_UTF8, 0, fd.cFileName, -1, name, sizeof(name), NULL, NULL) <= 0)
            continue;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        rc = fn(ud, name);
    } while (rc == 0 && FindNextFileW(h, &fd));
    FindClose(h);
    return rc;
}

int ef_fs_remove(const char *path)
{
    wchar_t *w = widen(path);
    int rc = 0;

    if (!w)
        return EF_EINVAL;
    if (!DeleteFileW(w))
        rc = from_win(GetLastError());
    free(w);
    return rc;
}
/*
 * The locked byte sits at 4 GiB, where no lock file's content reaches:
 * a Windows byte-range lock is mandatory, so a lock over the content would
 * keep `etwfwd` from reading the holder's pid. Locking past the end of a
 * file is allowed.
 */
static void lock_range(OVERLAPPED *ov)
{
    memset(ov, 0, sizeof(*ov));
    ov->Offset = 0;
    ov->OffsetHigh = 1;
}

int ef_fs_trylock(int fd)
{
    OVERLAPPED ov;
    DWORD e;

    lock_range(&ov);
    if (LockFileEx(handle_of(fd), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0,
                   &ov))
        return 0;
    e = GetLastError();
    return e == ERROR_LOCK_VIOLATION || e == ERROR_IO_PENDING ? EF_EAGAIN : from_win(e);
}

int ef_fs_unlock(int fd)
{
    OVERLAPPED ov;

    lock_range(&ov);
    return UnlockFileEx(handle_of(fd), 0, 1, 0, &ov) ? 0 : from_win(GetLastError());
}
#endif

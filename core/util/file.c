/*
 * file.c - UTF-8 paths on every platform.
 */
#include "file.h"
#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#ifdef _WIN32
#include <windows.h>

FILE *ef_fopen(const char *path, const char *mode)
{
    wchar_t wpath[32768], wmode[16];
    int n;

    n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, wpath, 32768);
    if (n <= 0 || MultiByteToWideChar(CP_UTF8, 0, mode, -1, wmode, 16) <= 0) {
        errno = EINVAL;
        return NULL;
    }
    return _wfopen(wpath, wmode);
}

int ef_path_stat(const char *path, unsigned long long *size)
{
    wchar_t wpath[32768];
    struct _stat64 st;

    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, wpath, 32768) <= 0)
        return EF_EINVAL;
    if (_wstat64(wpath, &st) != 0)
        return ef_from_errno(errno);
    *size = (unsigned long long)st.st_size;
    return (st.st_mode & _S_IFMT) == _S_IFDIR ? EF_EISDIR : 0;
}
#else
FILE *ef_fopen(const char *path, const char *mode)
{
    return fopen(path, mode);
}

int ef_path_stat(const char *path, unsigned long long *size)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return ef_from_errno(errno);
    *size = (unsigned long long)st.st_size;
    return S_ISDIR(st.st_mode) ? EF_EISDIR : 0;
}
#endif

int ef_read_file(const char *path, size_t max, char **data, size_t *len)
{
    FILE *f = ef_fopen(path, "rb");
    char *buf = NULL, *p;
    size_t n = 0, cap = 0, got;
    int rc = 0;

    if (!f)
        return ef_from_errno(errno);
    for (;;) {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 65536;
            p = realloc(buf, cap + 1);
            if (!p) {
                rc = EF_ENOMEM;
                goto out;
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > max) {
            rc = EF_ELIMIT;
            goto out;
        }
        if (got == 0) {
            if (ferror(f))
                rc = EF_EIO;
            break;
        }
    }
    buf[n] = '\0';
out:
    fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *data = buf;
    *len = n;
    return 0;
}

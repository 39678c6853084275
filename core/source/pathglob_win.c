/*
 * pathglob_win.c - path expansion on Windows with FindFirstFileW: wildcards
 * only in the last component, matches sorted by name (NTFS returns them
 * sorted, FAT does not).
 */
#ifdef _WIN32
#include "source/pathglob.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <windows.h>

static wchar_t *to_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0 || !(w = malloc((size_t)n * sizeof(*w))))
        return NULL;
    MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
    return w;
}

static char *to_utf8(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;

    if (n <= 0 || !(s = malloc((size_t)n)))
        return NULL;
    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    return s;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ef_pathglob_expand(const char *pattern, char ***paths, size_t *n)
{
    WIN32_FIND_DATAW fd;
    HANDLE h = INVALID_HANDLE_VALUE;
    wchar_t *wpat = NULL;
    char **v = NULL, *name = NULL;
    const char *slash;
    size_t k = 0, cap = 0, dirlen;
    int rc = 0;

    *paths = NULL;
    *n = 0;
    if (!ef_pathglob_has_wildcard(pattern)) {
        v = calloc(1, sizeof(*v));
        if (!v || !(v[0] = _strdup(pattern))) {
            free(v);
            return EF_ENOMEM;
        }
        *paths = v;
        *n = 1;
        return 0;
    }
    slash = strrchr(pattern, '\\');
    if (!slash || (strrchr(pattern, '/') && strrchr(pattern, '/') > slash))
        slash = strrchr(pattern, '/');
    dirlen = slash ? (size_t)(slash - pattern) + 1 : 0;
    if (!(wpat = to_wide(pattern)))
        return EF_ENOMEM;
    h = FindFirstFileW(wpat, &fd);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();

        rc = e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? 0 : EF_EIO;
        goto out;
    }
    do {
        char **nv;
        size_t len;

        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
            continue;
        if (!(name = to_utf8(fd.cFileName))) {
            rc = EF_ENOMEM;
            goto out;
        }
        if (k == cap) {
            cap = cap ? cap * 2 : 8;
            if (!(nv = realloc(v, cap * sizeof(*v)))) {
                rc = EF_ENOMEM;
                goto out;
            }
            v = nv;
        }
        len = strlen(name);
        if (!(v[k] = malloc(dirlen + len + 1))) {
            rc = EF_ENOMEM;
            goto out;
        }
        memcpy(v[k], pattern, dirlen);
        memcpy(v[k] + dirlen, name, len + 1);
        k++;
        free(name);
        name = NULL;
    } while (FindNextFileW(h, &fd));
    if (k)
        qsort(v, k, sizeof(*v), cmp);
    *paths = v;
    *n = k;
    v = NULL;
out:
    if (h != INVALID_HANDLE_VALUE)
        FindClose(h);
    free(name);
    free(wpat);
    if (v)
        ef_pathglob_free(v, k);
    return rc;
}
#endif

/*
 * pathglob.c - the portable part of path expansion, and glob(3) on POSIX
 * (pathglob_win.c has the Windows expansion).
 */
#include "source/pathglob.h"

#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <glob.h>
#endif

int ef_pathglob_has_wildcard(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

void ef_pathglob_free(char **paths, size_t n)
{
    size_t i;

    if (!paths)
        return;
    for (i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

#ifndef _WIN32
int ef_pathglob_expand(const char *pattern, char ***paths, size_t *n)
{
    glob_t g;
    char **v = NULL;
    size_t i, k = 0;
    int rc = 0, grc;

    *paths = NULL;
    *n = 0;
    if (!ef_pathglob_has_wildcard(pattern)) {
        v = calloc(1, sizeof(*v));
        if (!v || !(v[0] = strdup(pattern))) {
            free(v);
            return EF_ENOMEM;
        }
        *paths = v;
        *n = 1;
        return 0;
    }
    memset(&g, 0, sizeof(g));
    grc = glob(pattern, GLOB_MARK, NULL, &g);
    if (grc == GLOB_NOMATCH)
        goto out;
    if (grc != 0) {
        rc = grc == GLOB_NOSPACE ? EF_ENOMEM : EF_EIO;
        goto out;
    }
    v = calloc(g.gl_pathc ? g.gl_pathc : 1, sizeof(*v));
    if (!v) {
        rc = EF_ENOMEM;
        goto out;
    }
    /* glob sorts its result; GLOB_MARK lets folders (ending in '/') be skipped. */
    for (i = 0; i < g.gl_pathc; i++) {
        size_t len = strlen(g.gl_pathv[i]);

        if (len && g.gl_pathv[i][len - 1] == '/')
            continue;
        if (!(v[k] = strdup(g.gl_pathv[i]))) {
            rc = EF_ENOMEM;
            goto out;
        }
        k++;
    }
    *paths = v;
    *n = k;
    v = NULL;
out:
    if (v)
        ef_pathglob_free(v, k);
    globfree(&g);
    return rc;
}
#endif

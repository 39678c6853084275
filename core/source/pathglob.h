/*
 * pathglob.h - a file source's `path`: one file or a wildcard pattern.
 *
 * POSIX uses glob(3); Windows uses FindFirstFileW, where the wildcards
 * (* and ?) may only appear in the last path component.
 */
#ifndef EF_RUNNER_PATHGLOB_H
#define EF_RUNNER_PATHGLOB_H

#include <stddef.h>

/*
 * Expands pattern into the matching regular files, sorted by name.
 * A pattern without wildcards gives itself (even if missing: opening it
 * reports the error). *paths gets a malloc'd array of malloc'd UTF-8
 * paths; free it with ef_pathglob_free. Returns 0 (possibly no match),
 * EF_ENOMEM or EF_EIO. Any thread.
 */
int ef_pathglob_expand(const char *pattern, char ***paths, size_t *n);
void ef_pathglob_free(char **paths, size_t n);

/* 1 when s holds a wildcard character. Any thread. */
int ef_pathglob_has_wildcard(const char *s);

#endif

/*
 * file.h - opening files by UTF-8 path on every platform.
 *
 * Paths in etwfwd are UTF-8 everywhere (configuration, command line after
 * conversion). On Windows fopen() takes the ANSI code page, so files are
 * opened through _wfopen with the path converted to UTF-16.
 */
#ifndef EF_UTIL_FILE_H
#define EF_UTIL_FILE_H

#include <stddef.h>
#include <stdio.h>

/* fopen() with a UTF-8 path. NULL with errno set on failure. Any thread. */
FILE *ef_fopen(const char *path, const char *mode);

/*
 * Reads a whole file of at most max bytes into a malloc'd, NUL-terminated
 * buffer. Returns 0, EF_ENOENT, EF_EACCES, EF_ELIMIT (larger than max),
 * EF_EIO or EF_ENOMEM. Any thread.
 */
int ef_read_file(const char *path, size_t max, char **data, size_t *len);

/*
 * What path is: 0 a file (its size in *size), EF_EISDIR a directory, or
 * EF_ENOENT/EF_EACCES/EF_EIO. Any thread.
 */
int ef_path_stat(const char *path, unsigned long long *size);

#endif

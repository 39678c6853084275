/*
 * error.h - etwfwd's error codes.
 *
 * Every function that can fail returns 0 or a negative EF_E* code. Foreign
 * errors (errno, Win32, HRESULT, TDHSTATUS, CURLcode, uv) are translated into
 * these at the module boundary that meets them, so callers only ever see one
 * vocabulary and ef_strerror() can describe any of them.
 */
#ifndef EF_UTIL_ERROR_H
#define EF_UTIL_ERROR_H

/* X-macro list: name, value, description. Values are stable; append only. */
#define EF_ERRNO_MAP(X)                                                                   \
    X(EF_OK, 0, "success")                                                                \
    X(EF_ENOMEM, -1, "out of memory")                                                     \
    X(EF_EINVAL, -2, "invalid argument")                                                  \
    X(EF_ERANGE, -3, "value out of range")                                                \
    X(EF_ENOSPC, -4, "buffer or storage too small")                                       \
    X(EF_ETRUNC, -5, "input truncated")                                                   \
    X(EF_EFORMAT, -6, "malformed input")                                                  \
    X(EF_EIO, -7, "input/output error")                                                   \
    X(EF_ENOENT, -8, "no such file or entry")                                             \
    X(EF_EEXIST, -9, "already exists")                                                    \
    X(EF_ENOTSUP, -10, "not supported")                                                   \
    X(EF_EAGAIN, -11, "try again")                                                        \
    X(EF_ETIMEDOUT, -12, "timed out")                                                     \
    X(EF_ECONN, -13, "connection failed")                                                 \
    X(EF_EACCES, -14, "permission denied")                                                \
    X(EF_ELIMIT, -15, "configured limit exceeded")                                        \
    X(EF_ECONFIG, -16, "invalid configuration")                                           \
    X(EF_ECANCELED, -17, "operation canceled")                                            \
    X(EF_ECORRUPT, -18, "data corrupted (checksum mismatch)")                             \
    X(EF_ESYS, -19, "operating system error")                                             \
    X(EF_EREJECTED, -20, "rejected by the receiver")                                      \
    X(EF_EISDIR, -21, "is a directory")

enum ef_errno {
#define EF_ERR_ENUM(name, value, text) name = value,
    EF_ERRNO_MAP(EF_ERR_ENUM)
#undef EF_ERR_ENUM
};

/*
 * Returns a static description of an EF_E* code (negative or zero). Unknown
 * codes give "unknown error". Any thread.
 */
const char *ef_strerror(int err);

/* Returns the symbolic name ("EF_EINVAL") of a code, or "EF_E?". Any thread. */
const char *ef_errname(int err);

/* Translates a positive errno value into an EF_E* code. Any thread. */
int ef_from_errno(int errnum);

#endif

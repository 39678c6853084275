/*
 * error.c - descriptions of EF_E* codes and errno translation.
 */
#include "error.h"

#include <errno.h>

const char *ef_strerror(int err)
{
    switch (err) {
#define EF_ERR_TEXT(name, value, text)                                                    \
    case name:                                                                            \
        return text;
        EF_ERRNO_MAP(EF_ERR_TEXT)
#undef EF_ERR_TEXT
    }
    return "unknown error";
}

const char *ef_errname(int err)
{
    switch (err) {
#define EF_ERR_NAME(name, value, text)                                                    \
    case name:                                                                            \
        return #name;
        EF_ERRNO_MAP(EF_ERR_NAME)
#undef EF_ERR_NAME
    }
    return "EF_E?";
}

int ef_from_errno(int errnum)
{
    switch (errnum) {
    case 0:
        return EF_OK;
    case ENOMEM:
        return EF_ENOMEM;
    case EINVAL:
        return EF_EINVAL;
    case ERANGE:
        return EF_ERANGE;
    case ENOSPC:
        return EF_ENOSPC;
    case ENOENT:
    case ENOTDIR:
        return EF_ENOENT;
    case EEXIST:
        return EF_EEXIST;
    case EACCES:
    case EPERM:
        return EF_EACCES;
    case EAGAIN:
        return EF_EAGAIN;
    case ETIMEDOUT:
        return EF_ETIMEDOUT;
    case ECONNREFUSED:
    case ECONNRESET:
        return EF_ECONN;
    case ENOSYS:
        return EF_ENOTSUP;
    case EIO:
        return EF_EIO;
    case EISDIR:
        return EF_EISDIR;
    default:
        return EF_ESYS;
    }
}

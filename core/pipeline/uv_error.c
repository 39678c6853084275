/*
 * uv_error.c - libuv errors as EF_E* codes; see uv_error.h.
 */
#include "pipeline/uv_error.h"

#include <uv.h>

#include "util/error.h"

int ef_from_uv(int err)
{
    switch (err) {
    case UV_ENOENT:
        return EF_ENOENT;
    case UV_EACCES:
    case UV_EPERM:
        return EF_EACCES;
    case UV_ENOSPC:
        return EF_ENOSPC;
    case UV_EEXIST:
        return EF_EEXIST;
    case UV_ENOMEM:
        return EF_ENOMEM;
    default:
        return EF_EIO;
    }
}

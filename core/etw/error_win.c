/*
 * error_win.c - the table that turns Win32/TDHSTATUS/HRESULT codes into EF_E*.
 *
 * DESIGN: one sorted-by-meaning table, searched linearly (errors are rare,
 * and the table is short). TDH returns plain Win32 codes: ERROR_NOT_FOUND
 * when no schema exists, ERROR_INSUFFICIENT_BUFFER with the needed size,
 * ERROR_RESOURCE_TYPE_NOT_FOUND / ERROR_MUI_FILE_NOT_FOUND when a provider's
 * manifest resources are missing; those all mean "no schema here" to a
 * caller, so they become EF_ENOENT and the next schema source is asked.
 */
#include "etw/error_win.h"

#include "util/attr.h"
#include "util/error.h"

#include <windows.h>

struct row {
    uint32_t win32;
    int ef;
};

static const struct row rows[] = {
    {ERROR_SUCCESS, 0},
    /* nothing there: the schema, provider, session or file does not exist */
    {ERROR_NOT_FOUND, EF_ENOENT},
    {ERROR_FILE_NOT_FOUND, EF_ENOENT},
    {ERROR_PATH_NOT_FOUND, EF_ENOENT},
    {ERROR_RESOURCE_TYPE_NOT_FOUND, EF_ENOENT},
    {ERROR_RESOURCE_NAME_NOT_FOUND, EF_ENOENT},
    {ERROR_RESOURCE_DATA_NOT_FOUND, EF_ENOENT},
    {ERROR_MUI_FILE_NOT_FOUND, EF_ENOENT},
    {ERROR_WMI_INSTANCE_NOT_FOUND, EF_ENOENT},
    {ERROR_WMI_GUID_NOT_FOUND, EF_ENOENT},
    /* the caller's mistake */
    {ERROR_INVALID_PARAMETER, EF_EINVAL},
    {ERROR_INVALID_HANDLE, EF_EINVAL},
    {ERROR_BAD_LENGTH, EF_EINVAL},
    {ERROR_BAD_PATHNAME, EF_EINVAL},
    {ERROR_INVALID_NAME, EF_EINVAL},
    {ERROR_INVALID_FUNCTION, EF_EINVAL},
    /* sizes */
    {ERROR_INSUFFICIENT_BUFFER, EF_ENOSPC},
    {ERROR_MORE_DATA, EF_ENOSPC},
    {ERROR_DISK_FULL, EF_ENOSPC},
    /* resources */
    {ERROR_NOT_ENOUGH_MEMORY, EF_ENOMEM},
    {ERROR_OUTOFMEMORY, EF_ENOMEM},
    {ERROR_NO_SYSTEM_RESOURCES, EF_ENOMEM},
    /* rights: sessions need admin or Performance Log Users */
    {ERROR_ACCESS_DENIED, EF_EACCES},
    {ERROR_PRIVILEGE_NOT_HELD, EF_EACCES},
    /* state */
    {ERROR_ALREADY_EXISTS, EF_EEXIST},
    {ERROR_NOT_SUPPORTED, EF_ENOTSUP},
    {ERROR_CALL_NOT_IMPLEMENTED, EF_ENOTSUP},
    {ERROR_PROC_NOT_FOUND, EF_ENOTSUP},
    {ERROR_TIMEOUT, EF_ETIMEDOUT},
    {WAIT_TIMEOUT, EF_ETIMEDOUT},
    {ERROR_CANCELLED, EF_ECANCELED},
    {ERROR_OPERATION_ABORTED, EF_ECANCELED},
    {ERROR_CTX_CLOSE_PENDING, EF_EAGAIN},
    {ERROR_BUSY, EF_EAGAIN},
    /* the data TDH read was bad */
    {ERROR_INVALID_DATA, EF_EFORMAT},
    {ERROR_FILE_CORRUPT, EF_ECORRUPT},
    {ERROR_HANDLE_EOF, EF_EIO},
    {ERROR_READ_FAULT, EF_EIO},
};

int ef_from_win32(uint32_t code)
{
    size_t i;

    for (i = 0; i < EF_ARRAY_LEN(rows); i++) {
        if (rows[i].win32 == code)
            return rows[i].ef;
    }
    return EF_ESYS;
}

int ef_from_hresult(int32_t hr)
{
    if (hr >= 0)
        return 0;
    if (HRESULT_FACILITY(hr) == FACILITY_WIN32)
        return ef_from_win32((uint32_t)HRESULT_CODE(hr));
    /* E_OUTOFMEMORY, E_INVALIDARG and E_ACCESSDENIED are FACILITY_WIN32 codes. */
    switch ((uint32_t)hr) {
    case (uint32_t)E_POINTER:
        return EF_EINVAL;
    case (uint32_t)E_NOTIMPL:
        return EF_ENOTSUP;
    case (uint32_t)E_ABORT:
        return EF_ECANCELED;
    default:
        return EF_ESYS;
    }
}

/*
 * test_etw_error_win.c - Win32/TDHSTATUS/HRESULT translation, and the real
 * API table (filled, never called: Wine's tdh.dll aborts on the calls).
 */
#include "runner.h"

#include "etw/error_win.h"
#include "etw/etw_api.h"
#include "util/attr.h"
#include "util/error.h"

START_TEST(error_win32_table)
{
    static const struct {
        uint32_t code;
        int want;
    } rows[] = {
        {ERROR_SUCCESS, 0},
        {ERROR_NOT_FOUND, EF_ENOENT},
        {ERROR_RESOURCE_TYPE_NOT_FOUND, EF_ENOENT},
        {ERROR_MUI_FILE_NOT_FOUND, EF_ENOENT},
        {ERROR_WMI_GUID_NOT_FOUND, EF_ENOENT},
        {ERROR_FILE_NOT_FOUND, EF_ENOENT},
        {ERROR_INVALID_PARAMETER, EF_EINVAL},
        {ERROR_BAD_LENGTH, EF_EINVAL},
        {ERROR_INSUFFICIENT_BUFFER, EF_ENOSPC},
        {ERROR_MORE_DATA, EF_ENOSPC},
        {ERROR_NOT_ENOUGH_MEMORY, EF_ENOMEM},
        {ERROR_NO_SYSTEM_RESOURCES, EF_ENOMEM},
        {ERROR_ACCESS_DENIED, EF_EACCES},
        {ERROR_ALREADY_EXISTS, EF_EEXIST},
        {ERROR_NOT_SUPPORTED, EF_ENOTSUP},
        {ERROR_TIMEOUT, EF_ETIMEDOUT},
        {ERROR_CANCELLED, EF_ECANCELED},
        {ERROR_CTX_CLOSE_PENDING, EF_EAGAIN},
        {ERROR_INVALID_DATA, EF_EFORMAT},
        {ERROR_FILE_CORRUPT, EF_ECORRUPT},
        {ERROR_GEN_FAILURE, EF_ESYS}, /* not in the table */
        {0xdeadbeefu, EF_ESYS},
    };
    size_t i;

    for (i = 0; i < EF_ARRAY_LEN(rows); i++)
        ck_assert_msg(ef_from_win32(rows[i].code) == rows[i].want, "win32 %lu: %s, want %s",
                      (unsigned long)rows[i].code, ef_errname(ef_from_win32(rows[i].code)),
                      ef_errname(rows[i].want));
}
END_TEST

START_TEST(error_hresult_table)
{
    static const struct {
        int32_t hr;
        int want;
    } rows[] = {
        {S_OK, 0},
        {S_FALSE, 0},
        {(int32_t)E_OUTOFMEMORY, EF_ENOMEM},
        {(int32_t)E_INVALIDARG, EF_EINVAL},
        {(int32_t)E_ACCESSDENIED, EF_EACCES},
        {(int32_t)HRESULT_FROM_WIN32(ERROR_NOT_FOUND), EF_ENOENT},
        {(int32_t)E_POINTER, EF_EINVAL},
        {(int32_t)E_NOTIMPL, EF_ENOTSUP},
        {(int32_t)E_ABORT, EF_ECANCELED},
        {(int32_t)E_FAIL, EF_ESYS},
    };
    size_t i;

    for (i = 0; i < EF_ARRAY_LEN(rows); i++)
        ck_assert_msg(ef_from_hresult(rows[i].hr) == rows[i].want, "hresult 0x%08lx: %s, want %s",
                      (unsigned long)(uint32_t)rows[i].hr, ef_errname(ef_from_hresult(rows[i].hr)),
                      ef_errname(rows[i].want));
}
END_TEST

/* The table is filled completely or not at all: a half-filled table would crash later. */
START_TEST(error_api_real)
{
    struct ef_etw_api api;
    int rc = ef_etw_api_real(&api);

    ck_assert_msg(rc == 0 || rc == EF_ENOTSUP, "ef_etw_api_real: %s", ef_errname(rc));
    if (rc == 0) {
        ck_assert_ptr_nonnull(api.start_trace);
        ck_assert_ptr_nonnull(api.control_trace);
        ck_assert_ptr_nonnull(api.enable_trace_ex2);
        ck_assert_ptr_nonnull(api.open_trace);
        ck_assert_ptr_nonnull(api.process_trace);
        ck_assert_ptr_nonnull(api.close_trace);
        ck_assert_ptr_nonnull(api.get_event_information);
        ck_assert_ptr_nonnull(api.get_event_map_information);
        ck_assert_ptr_nonnull(api.enumerate_providers);
    } else {
        ck_assert_ptr_null(api.get_event_information);
        ck_assert_ptr_null(api.start_trace);
    }
}
END_TEST

TCase *ef_etw_error_case(void);
TCase *ef_etw_error_case(void)
{
    TCase *tc = tcase_create("error");

    tcase_add_test(tc, error_win32_table);
    tcase_add_test(tc, error_hresult_table);
    tcase_add_test(tc, error_api_real);
    return tc;
}

/*
 * error_win.h - Win32, TDHSTATUS and HRESULT codes to EF_E* codes.
 *
 * The one place where Windows errors meet etwfwd's vocabulary (as libuv's
 * src/win/error.c): every ETW and TDH call's status goes through here, so
 * callers only ever see EF_E* codes.
 */
#ifndef EF_ETW_ERROR_WIN_H
#define EF_ETW_ERROR_WIN_H

#include <stdint.h>

/*
 * Translates a Win32 error code (TDHSTATUS is one: TDH returns Win32 codes)
 * into 0 or a negative EF_E* code; codes it does not know give EF_ESYS.
 * Any thread.
 */
int ef_from_win32(uint32_t code);

/*
 * Translates an HRESULT: S_OK and other successes give 0, FACILITY_WIN32
 * codes (E_OUTOFMEMORY, E_INVALIDARG, E_ACCESSDENIED among them) go through
 * ef_from_win32, E_POINTER/E_NOTIMPL/E_ABORT get their EF_E* codes, the
 * rest EF_ESYS. Any thread.
 */
int ef_from_hresult(int32_t hr);

#endif

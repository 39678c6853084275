/*
 * svc_acl_win.c - the protected DACL the service puts on state_dir before
 * it runs, and the UTF-8/UTF-16 conversions the service files share.
 *
 * state_dir holds tokens (in the configuration beside it, by default) and
 * spooled events: only SYSTEM and Administrators may read it. The MSI
 * cannot set this under Wine (LockPermissions and MsiLockPermissionsEx are
 * skipped there) and wixl cannot author them, so the service sets it at
 * every start; the DACL is protected (no ACE inherited from ProgramData,
 * whose default lets Users read) and inherited by everything below.
 */
#include "svc.h"

#include "pipeline/fsutil.h"
#include "util/error.h"

#include <stdlib.h>
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

wchar_t *ef_svc_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    wchar_t *w;

    if (n <= 0 || !(w = malloc((size_t)n * sizeof(wchar_t))))
        return NULL;
    MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
    return w;
}

char *ef_svc_utf8(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;

    if (n <= 0 || !(s = malloc((size_t)n)))
        return NULL;
    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    return s;
}

int ef_svc_secure_dir(const char *dir)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = NULL;
    wchar_t *wdir;
    DWORD err;
    int rc;

    if ((rc = ef_fs_mkdir_p(dir)) < 0)
        return rc;
    if (!(wdir = ef_svc_wide(dir)))
        return EF_EINVAL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"" EF_SVC_STATE_SDDL,
                                                              SDDL_REVISION_1, &sd, NULL) ||
        !GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) || !present) {
        rc = EF_ESYS;
        goto out;
    }
    err = SetNamedSecurityInfoW(wdir, SE_FILE_OBJECT,
                                DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                NULL, NULL, dacl, NULL);
    if (err == ERROR_ACCESS_DENIED || err == ERROR_PRIVILEGE_NOT_HELD)
        rc = EF_EACCES;
    else if (err != ERROR_SUCCESS)
        rc = EF_ESYS;
out:
    if (sd)
        LocalFree(sd);
    free(wdir);
    return rc;
}

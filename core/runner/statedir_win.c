/*
 * statedir_win.c - the default state_dir on Windows: etwfwd under the
 * machine's ProgramData folder.
 *
 * The folder is asked of the shell (FOLDERID_ProgramData), not read from
 * %ProgramData%: a service's environment need not have it (Wine gives
 * services C:\users\Public there), and the MSI creates the folder where the
 * shell says.
 */
#include "runner/pipeline.h"

#include <knownfolders.h>
#include <shlobj.h>
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

const char *ef_pipeline_default_state_dir(void)
{
    static char dir[1024];
    PWSTR wide = NULL;
    char base[800];

    if (dir[0])
        return dir;
    snprintf(base, sizeof(base), "C:\\ProgramData");
    if (SHGetKnownFolderPath(&FOLDERID_ProgramData, 0, NULL, &wide) == S_OK && wide) {
        if (WideCharToMultiByte(CP_UTF8, 0, wide, -1, base, (int)sizeof(base), NULL, NULL) <= 0)
            snprintf(base, sizeof(base), "C:\\ProgramData");
    }
    CoTaskMemFree(wide);
    snprintf(dir, sizeof(dir), "%s\\etwfwd", base);
    return dir;
}

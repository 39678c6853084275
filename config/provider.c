/*
 * provider.c - the golang-etw provider string and the well-known providers.
 *
 * "Name-or-{GUID}:Level:EventIDs:MatchAnyKeyword:MatchAllKeyword", every part
 * after the name optional: Microsoft-Windows-DNS-Client::3006,3008 enables
 * two events at every level. Names that are not GUIDs stay names; a few
 * well-known ones resolve here so `etwfwd validate` can show their GUID, the
 * rest are resolved when the session starts (manifests, TDH).
 */
#include "config.h"
#include "values.h"

#include "util/attr.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    const char *guid;
} well_known[] = {
    {"Microsoft-Windows-Kernel-Process", "{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}"},
    {"Microsoft-Windows-Kernel-File", "{EDD08927-9CC4-4E65-B970-C2560FB5C289}"},
    {"Microsoft-Windows-Kernel-Network", "{7DD42A49-5329-4832-8DFD-43D979153A88}"},
    {"Microsoft-Windows-Kernel-Registry", "{70EB4F03-C1DE-4F73-A051-33D13D5413BD}"},
    {"Microsoft-Windows-DNS-Client", "{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}"},
    {"Microsoft-Windows-PowerShell", "{A0C1853B-5C40-4B15-8766-3CF1C58F985A}"},
    {"Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-A5BA-3E3B0328C30D}"},
    {"Microsoft-Windows-Threat-Intelligence", "{F4E1897C-BB5D-5668-F1D8-040F4D8DD344}"},
    {"Microsoft-Antimalware-Scan-Interface", "{2A576B87-09A7-520E-C21A-4942F0271D67}"},
    {"Microsoft-Windows-WMI-Activity", "{1418EF04-B0B4-4623-BF7E-D74AB47BBDAA}"},
    {"Microsoft-Windows-Sysmon", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"},
    {"Microsoft-Windows-DotNETRuntime", "{E13C0D23-CCBC-4E12-931B-D9CC2EEE27E4}"},
    {"Microsoft-Windows-HttpService", "{DD5EF90A-6398-47A4-AD34-4DCECDEF795F}"},
};

int ef_provider_well_known(const char *name, struct ef_guid *out)
{
    size_t i;

    for (i = 0; i < EF_ARRAY_LEN(well_known); i++) {
        if (strcasecmp(name, well_known[i].name) == 0)
            return ef_guid_parse(well_known[i].guid, 38, out);
    }
    return EF_ENOENT;
}

void ef_provider_cfg_free(struct ef_provider_cfg *p)
{
    free(p->name);
    free(p->exe_names);
    free(p->section);
    p->name = p->exe_names = p->section = NULL;
}

static int dup_or_null(char **dst, const char *src)
{
    *dst = NULL;
    if (src && !(*dst = strdup(src)))
        return EF_ENOMEM;
    return 0;
}

/* strndup(), which msvcrt (the mingw-w64 build) does not have. */
static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int ef_provider_cfg_copy(struct ef_provider_cfg *dst, const struct ef_provider_cfg *src)
{
    *dst = *src;
    dst->name = dst->exe_names = dst->section = NULL;
    if (dup_or_null(&dst->name, src->name) < 0 ||
        dup_or_null(&dst->exe_names, src->exe_names) < 0 ||
        dup_or_null(&dst->section, src->section) < 0) {
        ef_provider_cfg_free(dst);
        return EF_ENOMEM;
    }
    return 0;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...) EF_PRINTF(4, 5);

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return rc;
}

/* Sets the name and resolves the GUID of p from the first part of a spec. */
static int set_name(struct ef_provider_cfg *p, const char *s, size_t n, char *err, size_t errlen)
{
    char g[EF_GUID_STR_SIZE];
    size_t i;

    if (n == 0)
        return fail(err, errlen, EF_EFORMAT, "no provider name or GUID");
    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] < ' ' || s[i] == ',' || s[i] == ';')
            return fail(err, errlen, EF_EFORMAT, "bad character in the provider name");
    }
    if (ef_guid_parse(s, n, &p->guid) == 0) {
        p->guid_source = EF_GUID_GIVEN;
        ef_guid_format(&p->guid, g);
        p->name = strdup(g);
    } else if (s[0] == '{') {
        return fail(err, errlen, EF_EFORMAT, "malformed GUID");
    } else {
        p->name = dup_n(s, n);
        if (p->name && ef_provider_well_known(p->name, &p->guid) == 0)
            p->guid_source = EF_GUID_WELL_KNOWN;
    }
    return p->name ? 0 : fail(err, errlen, EF_ENOMEM, "out of memory");
}

int ef_provider_spec_parse(const char *s, struct ef_provider_cfg *out, char *err, size_t errlen)
{
    struct ef_provider_cfg p;
    const char *parts[5], *colon;
    size_t lens[5], np = 0;
    char field[32];
    int rc = 0;

    memset(&p, 0, sizeof(p));
    p.level = 0xff;
    p.match_any = UINT64_MAX;
    for (;;) {
        colon = strchr(s, ':');
        if (np == 5)
            return fail(err, errlen, EF_EFORMAT,
                        "more than 5 ':'-separated parts (expected Name-or-{GUID}:Level:"
                        "EventIDs:MatchAnyKeyword:MatchAllKeyword)");
        parts[np] = s;
        lens[np] = colon ? (size_t)(colon - s) : strlen(s);
        np++;
        if (!colon)
            break;
        s = colon + 1;
    }
    rc = set_name(&p, parts[0], lens[0], err, errlen);
    if (rc < 0)
        goto out;
    if (np > 1 && lens[1]) {
        if (lens[1] >= sizeof(field) || (memcpy(field, parts[1], lens[1]), field[lens[1]] = 0,
                                         ef_cfg_parse_level(field, &p.level) < 0)) {
            rc = fail(err, errlen, EF_EFORMAT,
                      "bad level (expected 0 to 255 in decimal or 0x hex, or critical, error, "
                      "warning, information, verbose)");
            goto out;
        }
    }
    if (np > 2 && lens[2]) {
        char *ids = dup_n(parts[2], lens[2]);
        char why[160];
        if (!ids) {
            rc = fail(err, errlen, EF_ENOMEM, "out of memory");
            goto out;
        }
        rc =
            ef_cfg_parse_u32_list(ids, 65535, EF_CFG_MAX_EVENT_IDS, &p.event_ids, why, sizeof(why));
        free(ids);
        if (rc < 0) {
            fail(err, errlen, rc, "event IDs: %s", why);
            goto out;
        }
    }
    for (size_t k = 3; k < np; k++) {
        uint64_t *dst = k == 3 ? &p.match_any : &p.match_all;
        if (!lens[k])
            continue;
        if (lens[k] >= sizeof(field) || (memcpy(field, parts[k], lens[k]), field[lens[k]] = 0,
                                         ef_cfg_parse_hex64(field, dst) < 0)) {
            rc = fail(err, errlen, EF_EFORMAT, "bad %s (expected a 64-bit hex mask like 0x10)",
                      k == 3 ? "MatchAnyKeyword" : "MatchAllKeyword");
            goto out;
        }
    }
out:
    if (rc < 0) {
        ef_provider_cfg_free(&p);
        return rc;
    }
    *out = p;
    return 0;
}

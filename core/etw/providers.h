/*
 * providers.h - the registered providers, and a provider name to its GUID.
 *
 * TdhEnumerateProviders lists the manifest and MOF providers registered on
 * the machine (ETW-NOTES §7); a live source enumerates them once per start
 * and resolves every configured provider name against that list. A
 * TraceLogging or EventSource provider is never registered: its GUID is the
 * hash of its name, which is the last resort, because a typo in a manifest
 * provider's name also "resolves" that way (to a provider nobody writes).
 *
 * Windows only (includes etw_api.h): the list itself is plain data.
 */
#ifndef EF_ETW_PROVIDERS_H
#define EF_ETW_PROVIDERS_H

#include <stddef.h>
#include <stdint.h>

#include "etw/etw_api.h"
#include "util/guid.h"

/* TRACE_PROVIDER_INFO.SchemaSource */
enum ef_etw_schema_source {
    EF_ETW_SCHEMA_MANIFEST = 0,
    EF_ETW_SCHEMA_MOF = 1,
};

/*
 * Bounds of one enumeration: TdhEnumerateProviders answers 122
 * (ERROR_INSUFFICIENT_BUFFER) with the size it needs, which grows when a
 * provider registers between two calls; past these it is an error
 * (EF_ELIMIT), not an allocation spree. A Windows 11 machine needs about
 * 200 KB for some 1,300 providers.
 */
#define EF_ETW_PROVIDERS_MAX_TRIES 8
#define EF_ETW_PROVIDERS_MAX_BYTES (32u * 1024 * 1024)

struct ef_etw_provider {
    struct ef_guid guid;
    char *name;             /* UTF-8, NUL-terminated */
    uint32_t schema_source; /* enum ef_etw_schema_source; other values kept as given */
};

struct ef_etw_provider_list {
    struct ef_etw_provider *v;
    size_t n;
};

/*
 * Enumerates the registered providers through api->enumerate_providers into
 * out (fully overwritten; free it with ef_etw_providers_free). The call runs
 * on a short-lived thread of its own, guarded: an exception raised inside it
 * (Wine's tdh.dll implements TdhEnumerateProviders as a stub that raises
 * 0x80000100, which would end the process) ends only that thread and gives
 * EF_ENOTSUP. Returns 0; EF_ENOTSUP (no such call, or it raised); EF_ELIMIT
 * (still 122 after EF_ETW_PROVIDERS_MAX_TRIES calls, or a size over
 * EF_ETW_PROVIDERS_MAX_BYTES); EF_EFORMAT (an answer whose counts or name
 * offsets fall outside the buffer); EF_ENOMEM; or the call's Win32 error
 * translated. On error, err (may be NULL) says what happened. Any thread.
 */
int ef_etw_providers_enumerate(const struct ef_etw_api *api, struct ef_etw_provider_list *out,
                               char *err, size_t errlen);

/*
 * Parses a PROVIDER_ENUMERATION_INFO of size bytes (what the enumeration
 * does with a successful answer; public so tests can hand it damaged
 * blobs). Returns 0, EF_EFORMAT or EF_ENOMEM. Any thread.
 */
int ef_etw_providers_parse(const void *buf, size_t size, struct ef_etw_provider_list *out);

void ef_etw_providers_free(struct ef_etw_provider_list *l);

/* "manifest", "mof", or "unknown". Any thread. */
const char *ef_etw_schema_source_name(uint32_t source);

/* Where a resolved GUID came from, in the order the resolver tries them. */
enum ef_etw_resolved {
    EF_ETW_RESOLVED_GUID = 1,       /* the name is a literal {GUID} */
    EF_ETW_RESOLVED_WELL_KNOWN = 2, /* config's built-in table (ef_provider_well_known) */
    EF_ETW_RESOLVED_TDH = 3,        /* TdhEnumerateProviders' list, case-insensitive */
    EF_ETW_RESOLVED_TLG_HASH = 4,   /* the TraceLogging/EventSource name hash */
};

/* "guid", "well-known", "tdh", "tracelogging-hash". Any thread. */
const char *ef_etw_resolved_name(int how);

/*
 * Resolves a provider name to its GUID: a literal {GUID}, the well-known
 * table, list (may be NULL or empty when the enumeration failed), then the
 * name hash; *how (may be NULL) gets an enum ef_etw_resolved. A hash
 * resolution logs a warning naming the provider, so a misspelt manifest
 * provider is visible. Returns 0 or EF_EINVAL (an empty name). Any thread.
 */
int ef_etw_resolve_provider(const struct ef_etw_provider_list *list, const char *name,
                            struct ef_guid *guid, int *how);

#endif

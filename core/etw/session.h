/*
 * session.h - controlling an ETW session: start it (deciding what to do
 * when one of that name already runs), enable providers with their
 * filters, ask for rundown, query its counters, disable and stop it.
 *
 * Windows only (it calls through struct ef_etw_api). Every call that
 * passes EVENT_TRACE_PROPERTIES builds a fresh copy: ControlTrace writes
 * into the properties it is given (../shared/ETW-NOTES.md §1).
 *
 * DESIGN. A session is in one of three states: started by us (we own it:
 * our providers are disabled and it is stopped by ef_etw_session_stop),
 * attached (on_exists = attach, kind = existing: we never stop or change
 * it), or stopped. on_exists = restart stops the old one by name with a
 * copy of the properties, then starts again once; 4201 from that stop
 * (already gone) and 234 (stopped, struct too small) count as stopped.
 */
#ifndef EF_ETW_SESSION_H
#define EF_ETW_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "etw/etw_api.h"

/* What ETW applied, read back with ControlTrace(QUERY). */
struct ef_etw_query {
    uint32_t buffer_size_kb;
    uint32_t min_buffers, max_buffers;
    uint32_t number_of_buffers;
    uint32_t free_buffers;
    uint32_t flush_timer_s;
    uint32_t log_file_mode;
    uint32_t clock;       /* Wnode.ClientContext */
    uint32_t events_lost; /* cumulative, as ETW keeps them */
    uint32_t buffers_written;
    uint32_t log_buffers_lost;
    uint32_t rt_buffers_lost;
    uint32_t logger_thread_id;
};

struct ef_etw_session_opts {
    const struct ef_etw_api *api; /* must outlive the session */
    const char *name;             /* the ETW session name (UTF-8), e.g. "etwfwd-main" */
    int kind;                     /* EF_SESSION_REALTIME, _KERNEL or _EXISTING */
    int on_exists;                /* enum ef_on_exists (realtime, kernel) */
    uint32_t buffer_size_kb, min_buffers, max_buffers, flush_timer_s;
    uint32_t clock;         /* EF_ETW_CLOCK_* */
    uint32_t log_file_mode; /* 0: the default for the kind (docs/etw.md) */
    uint32_t enable_flags;  /* kernel: EVENT_TRACE_FLAG_* */
    int nt_kernel_logger;   /* kernel: the one NT Kernel Logger instead of a system logger */
};

struct ef_etw_session;

/*
 * Starts (or, per on_exists and kind = existing, attaches to) the session.
 * *applied gets what ETW applied (NULL: not asked). On failure err says
 * what and why, naming the Win32 error and what to do about it. Returns 0,
 * EF_EEXIST (it runs and on_exists = fail), or the Win32 error through
 * ef_from_win32 (EF_EACCES: not elevated; EF_ENOMEM for 1450: too many
 * sessions; EF_ENOENT: kind = existing and no such session). Any thread.
 */
int ef_etw_session_start(const struct ef_etw_session_opts *o, struct ef_etw_session **out,
                         struct ef_etw_query *applied, char *err, size_t errlen);

/* 1 when we started the session (we stop it), 0 when attached. */
int ef_etw_session_owned(const struct ef_etw_session *s);

/* The session handle for OpenTrace's logger name (UTF-16, NUL-ended). */
const wchar_t *ef_etw_session_wname(const struct ef_etw_session *s);

/*
 * Enables one provider (its GUID already resolved) with level, keywords,
 * enable properties and the filters of p (filter.h). Refuses to touch an
 * attached session (EF_EINVAL). Returns 0 or EF_E* with err filled. Any
 * thread, one at a time per session.
 */
int ef_etw_session_enable(struct ef_etw_session *s, const struct ef_provider_cfg *p,
                          const struct ef_guid *guid, char *err, size_t errlen);

/*
 * EnableTraceEx2(CAPTURE_STATE) for a provider already enabled. For
 * SystemTraceControlGuid (the kernel) the call carries one
 * EVENT_FILTER_TYPE_TRACEHANDLE filter holding this session's handle, so
 * the kernel's rundown goes to this session (ETW-NOTES §8; Windows 10+).
 * Refuses an attached session (EF_EINVAL). Returns 0 or EF_E* with err
 * filled. Any thread, one at a time per session.
 */
int ef_etw_session_rundown(struct ef_etw_session *s, const struct ef_guid *guid, char *err,
                           size_t errlen);

/* The kernel's rundown (processes, threads, images... as kernel_flags say) into s. Same rules. */
int ef_etw_session_kernel_rundown(struct ef_etw_session *s, char *err, size_t errlen);

/* Queries the session's counters. EF_ENOENT when it is no longer running (4201). */
int ef_etw_session_query(struct ef_etw_session *s, struct ef_etw_query *q);

/*
 * Disables every provider we enabled, then stops the session with a fresh
 * copy of the properties; 4201 and 234 count as stopped. An attached
 * session is left alone. Returns 0 or EF_E*. Any thread.
 */
int ef_etw_session_stop(struct ef_etw_session *s);

/* Frees (does not stop). NULL is fine. */
void ef_etw_session_free(struct ef_etw_session *s);

/*
 * The EVENT_TRACE_PROPERTIES block for name: the struct, then room for two
 * names of EF_ETW_MAX_NAME units, the session name copied in at
 * LoggerNameOffset. Returns its size in bytes, 0 when buf is too small.
 * Exposed for the fake's byte-by-byte checks and `etwfwd sessions`.
 */
size_t ef_etw_props_init(void *buf, size_t cap, const struct ef_etw_session_opts *o);

/* A Win32 error of a session call as text ("183 ERROR_ALREADY_EXISTS: ..."). */
const char *ef_etw_win_error_name(unsigned long code);

#endif

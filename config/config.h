/*
 * config.h - etwfwd's configuration: one INI file loaded into a plain tree.
 *
 * The file has a [service] section, [session:NAME], [provider:NAME],
 * [sink:NAME] and [route:NAME] sections (docs/config.md). Every option is a
 * row of the table in options.c, which drives parsing, validation, the
 * summary of `etwfwd validate` and the generated reference; this header is
 * the result the rest of etwfwd reads. Loading collects every error of a file
 * at once, each formatted as "FILE:LINE: [section] key: what is wrong (what is
 * expected)", and never puts a secret's value in one.
 *
 * A loaded ef_config is read-only: any thread may read it once it is built.
 */
#ifndef EF_CONFIG_CONFIG_H
#define EF_CONFIG_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/guid.h"

/* ETW's limits for one provider's filters (MAX_EVENT_FILTER_*_COUNT). */
#define EF_CFG_MAX_EVENT_IDS 64
#define EF_CFG_MAX_PIDS      8

/* The largest configuration file read, and the longest value after ${ENV}. */
#define EF_CFG_MAX_FILE_SIZE (4u * 1024 * 1024)
#define EF_CFG_MAX_VALUE     65536

struct ef_str_list {
    char **v;
    size_t n;
};

struct ef_u32_list {
    uint32_t v[EF_CFG_MAX_EVENT_IDS];
    unsigned n;
};

/* Where a provider's GUID came from. */
enum ef_guid_source {
    EF_GUID_UNRESOLVED = 0, /* a name etwfwd does not know: resolved later (manifests, TDH) */
    EF_GUID_GIVEN,          /* written in the configuration */
    EF_GUID_WELL_KNOWN,     /* a name from the built-in table */
};

/* One provider enabled in a session, from a provider = line or a [provider:NAME]. */
struct ef_provider_cfg {
    char *name; /* as written: a name, or the GUID in upper-case braces */
    struct ef_guid guid;
    int guid_source; /* enum ef_guid_source */
    unsigned level;  /* 0..255 */
    uint64_t match_any;
    uint64_t match_all;
    struct ef_u32_list event_ids; /* empty: every event */
    int event_ids_exclude;        /* 1: the IDs are filtered out, not in */
    struct ef_u32_list pids;      /* at most EF_CFG_MAX_PIDS; empty: every process */
    char *exe_names;              /* "a.exe;b.exe" or NULL */
    int stack_trace, sid, ts_id, process_start_key, ignore_keyword_0;
    int rundown;
    char *section; /* the [provider:NAME] it came from, NULL for a provider = line */
    unsigned line;
};

struct ef_provider_list {
    struct ef_provider_cfg *v;
    size_t n;
};

/* Enum values are the index of their name in the option table's list. */
enum ef_session_kind {
    EF_SESSION_REALTIME,
    EF_SESSION_KERNEL,
    EF_SESSION_EXISTING,
    EF_SESSION_FILE
};
enum ef_on_exists { EF_ON_EXISTS_RESTART, EF_ON_EXISTS_ATTACH, EF_ON_EXISTS_FAIL };
/* The timestamp clock; WNODE_HEADER.ClientContext is the value + 1 (EF_ETW_CLOCK_*). */
enum ef_ts_clock { EF_TS_CLOCK_QPC, EF_TS_CLOCK_SYSTEM, EF_TS_CLOCK_CYCLES };
/* Which kernel logger a kind = kernel session is (ETW-NOTES section 2). */
enum ef_kernel_session {
    EF_KERNEL_PRIVATE,         /* a SYSTEM_LOGGER_MODE session named etwfwd-NAME (Windows 8+) */
    EF_KERNEL_NT_KERNEL_LOGGER /* the single "NT Kernel Logger", shared with other tools */
};
enum ef_queue_full { EF_QUEUE_FULL_BLOCK, EF_QUEUE_FULL_DROP };
enum ef_sink_type { EF_SINK_FILE, EF_SINK_HTTP, EF_SINK_SYSLOG };
enum ef_spool_mode { EF_SPOOL_DISK, EF_SPOOL_MEMORY };
enum ef_spool_full { EF_SPOOL_FULL_DROP_OLDEST, EF_SPOOL_FULL_DROP_NEWEST, EF_SPOOL_FULL_BLOCK };
enum ef_spool_sync { EF_SPOOL_SYNC_ALWAYS, EF_SPOOL_SYNC_INTERVAL, EF_SPOOL_SYNC_NEVER };
enum ef_format { EF_FORMAT_NATIVE, EF_FORMAT_ECS };
enum ef_http_format { EF_HTTP_NDJSON, EF_HTTP_JSON, EF_HTTP_ES_BULK, EF_HTTP_SPLUNK_HEC };
/* EF_COMPRESS_AUTO exists only while loading: check.c settles it to NONE or GZIP. */
enum ef_compress { EF_COMPRESS_NONE, EF_COMPRESS_GZIP, EF_COMPRESS_AUTO };
enum ef_syslog_transport { EF_SYSLOG_UDP, EF_SYSLOG_TCP, EF_SYSLOG_TLS };
enum ef_syslog_framing { EF_SYSLOG_OCTET_COUNTING, EF_SYSLOG_LF };
enum ef_syslog_rfc { EF_SYSLOG_RFC5424, EF_SYSLOG_RFC3164 };
enum ef_oversize { EF_OVERSIZE_TRUNCATE, EF_OVERSIZE_DROP };

/* Durations are in milliseconds, sizes in bytes. */
struct ef_service_cfg {
    char *state_dir; /* "" : the platform's default (see docs/config.md) */
    int log_level;   /* enum ef_log_level */
    char *log_file;
    char *metrics_listen; /* "" : no metrics endpoint */
    uint64_t stats_interval_ms;
    int spool;
    uint64_t spool_segment_size;
    uint64_t spool_max_size;
    int spool_full;
    int spool_sync;
    uint64_t spool_sync_interval_ms;
    int64_t queue_max_events;
    uint64_t queue_max_bytes;
    uint64_t shutdown_timeout_ms;
    uint64_t health_max_age_ms;
    /* /health: a sink whose every delivery attempt failed for this long is unhealthy. */
    uint64_t health_failing_after_ms;
    int int64_as_string;
    int typed_event_data; /* 0: EventData values as strings (render.h event_data_strings) */
    int format;
    char *hostname; /* "" : the machine's name */
    /* A live session's loss in one stats interval above this is a notice. */
    int64_t loss_alert_events;
};

struct ef_session_cfg {
    char *name;
    unsigned line;
    int kind;
    struct ef_provider_list providers;
    int64_t buffer_size_kb, min_buffers, max_buffers;
    uint64_t flush_timer_ms;
    int on_exists;
    char *trace_name;
    char *path;
    struct ef_str_list manifests, mofs;
    int64_t replay_speed;
    int queue_full; /* defaults to block for kind = file, drop otherwise */
    uint64_t kernel_flags;
    int clock;          /* enum ef_ts_clock (realtime, kernel) */
    int kernel_session; /* enum ef_kernel_session (kernel) */
    /* The watchdog's backoff before a reconnect: the first wait and the longest. */
    uint64_t reconnect_min_ms, reconnect_max_ms;
    int tdh; /* ask Windows' TDH for schemas the manifests and TraceLogging lack */
};

struct ef_sink_cfg {
    char *name;
    unsigned line;
    int type;
    int64_t batch_max_events;
    uint64_t batch_max_bytes;
    uint64_t batch_max_age_ms;
    int64_t in_flight;
    /* file */
    char *path;
    uint64_t rotate_size;
    uint64_t rotate_interval_ms;
    int64_t keep;
    int compress;
    int sync;
    /* http */
    char *url;
    int format;
    char *index;
    char *token, *user, *password;
    struct ef_str_list headers; /* "Name: value" */
    int tls_verify;
    char *ca_file, *ca_path, *client_cert, *client_key;
    char *proxy, *no_proxy;
    uint64_t connect_timeout_ms, timeout_ms;
    uint64_t max_body_size;
    int hec_ack;
    /* syslog */
    char *address;
    int transport, framing, rfc, facility;
    uint64_t max_message_size;
    int oversize;
};

struct ef_route_cfg {
    char *name;
    unsigned line;
    struct ef_str_list sessions, sinks;
    int implicit; /* 1: no [route:NAME] in the file, every session to every sink */
};

struct ef_config {
    char *path;
    struct ef_service_cfg service;
    struct ef_session_cfg **sessions;
    size_t n_sessions;
    struct ef_sink_cfg **sinks;
    size_t n_sinks;
    struct ef_route_cfg **routes;
    size_t n_routes;
};

/* The errors of one load, each a formatted line without a newline. */
struct ef_config_errors {
    char **msgs;
    size_t n;
};

/*
 * Loads and validates the file at path (UTF-8, with or without BOM, LF or
 * CRLF). On success *out gets the configuration and 0 is returned. On failure
 * *out is NULL, errs (optional) gets every error and EF_ECONFIG is returned,
 * or EF_ENOMEM. errs is appended to; free it with ef_config_errors_free.
 * Any thread.
 */
int ef_config_load_file(const char *path, struct ef_config **out, struct ef_config_errors *errs);

/* The same for len bytes of text, named name in the errors. Any thread. */
int ef_config_load_string(const char *text, size_t len, const char *name, struct ef_config **out,
                          struct ef_config_errors *errs);

void ef_config_free(struct ef_config *cfg);
void ef_config_errors_free(struct ef_config_errors *errs);

/*
 * Parses a golang-etw provider string, Name-or-{GUID}:Level:EventIDs:
 * MatchAnyKeyword:MatchAllKeyword, every part but the name optional, into
 * out (fully overwritten; release with ef_provider_cfg_free). Known names get
 * their GUID from the built-in table. Returns 0, or EF_EFORMAT / EF_ELIMIT
 * with a message in err (errlen bytes). Any thread.
 */
int ef_provider_spec_parse(const char *s, struct ef_provider_cfg *out, char *err, size_t errlen);

void ef_provider_cfg_free(struct ef_provider_cfg *p);

/*
 * The name ETW knows a session by: etwfwd-NAME for the sessions etwfwd
 * starts (realtime, kernel_session = private), "NT Kernel Logger", or the
 * trace_name of kind = existing. NULL for kind = file (and a missing kind
 * or trace_name). buf (cap bytes) may hold the result. Any thread.
 */
const char *ef_session_etw_name(const struct ef_session_cfg *s, char *buf, size_t cap);

/* Deep copy of src into dst. Returns 0 or EF_ENOMEM. Any thread. */
int ef_provider_cfg_copy(struct ef_provider_cfg *dst, const struct ef_provider_cfg *src);

/* Looks a provider name up in the built-in table (any case). 0 or EF_ENOENT. Any thread. */
int ef_provider_well_known(const char *name, struct ef_guid *out);

/*
 * Writes the summary `etwfwd validate` prints (docs/config.md, "Summary").
 * Secrets print as ***. Any thread.
 */
void ef_config_print_summary(const struct ef_config *cfg, const char *shown_path, FILE *f);

#endif

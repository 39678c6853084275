/*
 * options.c - the option table: every configuration key, declared once.
 *
 * Adding an option is adding a row here and a field in config.h; parsing,
 * validation, the summary, `etwfwd config --help` and docs/config.md follow.
 * Defaults are written as a user would write them and parsed by the same code
 * as the file's values, so the reference cannot show a default the loader
 * does not apply.
 */
#include "internal.h"
#include "values.h"

#include "util/attr.h"

#include <string.h>

#define I64_MAX INT64_MAX
#define KIB     1024LL
#define MIB     (1024LL * 1024)
#define GIB     (1024LL * 1024 * 1024)
#define SEC     1000LL
#define MIN     (60 * SEC)
#define HOUR    (60 * MIN)

const char *const ef_session_kind_names[] = {"realtime", "kernel", "existing", "file", NULL};
const char *const ef_sink_type_names[] = {"file", "http", "syslog", NULL};

static const char *const log_levels[] = {"error", "warn", "info", "debug", "trace", NULL};
static const char *const spool_modes[] = {"disk", "memory", NULL};
static const char *const spool_fulls[] = {"drop_oldest", "drop_newest", "block", NULL};
static const char *const spool_syncs[] = {"always", "interval", "never", NULL};
static const char *const formats[] = {"native", "ecs", NULL};
static const char *const on_exists[] = {"restart", "attach", "fail", NULL};
/* In enum ef_ts_clock order. */
static const char *const clocks[] = {"qpc", "system", "cycles", NULL};
static const char *const kernel_sessions[] = {"private", "nt_kernel_logger", NULL};
static const char *const queue_fulls[] = {"block", "drop", NULL};
static const char *const in_out[] = {"in", "out", NULL};
/* In enum ef_compress order; auto is settled per sink type by check.c. */
static const char *const compressions[] = {"none", "gzip", "auto", NULL};
static const char *const http_formats[] = {"ndjson", "json", "es-bulk", "splunk-hec", NULL};
static const char *const http_schemes[] = {"http", "https", NULL};
static const char *const proxy_schemes[] = {"http", "https", "socks5", "socks5h", NULL};
static const char *const transports[] = {"udp", "tcp", "tls", NULL};
static const char *const framings[] = {"octet-counting", "lf", NULL};
static const char *const oversizes[] = {"truncate", "drop", NULL};
static const char *const rfcs[] = {"5424", "3164", NULL};
/* In code order: the index is the syslog facility number. */
static const char *const facilities[] = {
    "kern",   "user",     "mail",   "daemon", "auth",   "syslog", "lpr",   "news",   "uucp",
    "cron",   "authpriv", "ftp",    "ntp",    "audit",  "alert",  "clock", "local0", "local1",
    "local2", "local3",   "local4", "local5", "local6", "local7", NULL};

#define RT       EF_V(EF_SESSION_REALTIME)
#define KERN     EF_V(EF_SESSION_KERNEL)
#define EXIST    EF_V(EF_SESSION_EXISTING)
#define FILEK    EF_V(EF_SESSION_FILE)
#define FILE_S   EF_V(EF_SINK_FILE)
#define HTTP_S   EF_V(EF_SINK_HTTP)
#define SYSLOG_S EF_V(EF_SINK_SYSLOG)

#define SVC(k, t, f, d, lo, hi, v, field, h)                                                       \
    {                                                                                              \
        EF_SEC_SERVICE, k, t, f, d, lo, hi, v, 0, offsetof(struct ef_service_cfg, field), h        \
    }
#define SES(k, t, f, d, lo, hi, v, var, field, h)                                                  \
    {                                                                                              \
        EF_SEC_SESSION, k, t, f, d, lo, hi, v, var, offsetof(struct ef_session_cfg, field), h      \
    }
#define PRV(k, t, f, d, lo, hi, v, field, h)                                                       \
    {                                                                                              \
        EF_SEC_PROVIDER, k, t, f, d, lo, hi, v, 0, offsetof(struct ef_provider_section, field), h  \
    }
#define SNK(k, t, f, d, lo, hi, v, var, field, h)                                                  \
    {                                                                                              \
        EF_SEC_SINK, k, t, f, d, lo, hi, v, var, offsetof(struct ef_sink_cfg, field), h            \
    }
#define RTE(k, field, h)                                                                           \
    {                                                                                              \
        EF_SEC_ROUTE, k, EF_T_NAMELIST, EF_F_REPEAT | EF_F_REQUIRED, NULL, 0, 0, NULL, 0,          \
            offsetof(struct ef_route_cfg, field), h                                                \
    }

static const struct ef_option options[] = {
    /* [service] */
    SVC("state_dir", EF_T_PATH, EF_F_EMPTY_OK, "", 0, 0, NULL, state_dir,
        "Folder of the spool and bookkeeping. Empty: %ProgramData%\\etwfwd on Windows, "
        "/var/lib/etwfwd elsewhere."),
    SVC("log_level", EF_T_ENUM, 0, "info", 0, 0, log_levels, log_level,
        "The most verbose log messages written."),
    SVC("log_file", EF_T_PATH, EF_F_EMPTY_OK, "", 0, 0, NULL, log_file,
        "Also write the log to this file. Empty: the console, or the event log for the service."),
    SVC("metrics_listen", EF_T_HOSTPORT, EF_F_EMPTY_OK, "127.0.0.1:9464", 0, 0, NULL,
        metrics_listen, "Address of the Prometheus metrics and /health endpoint. Empty: none."),
    SVC("stats_interval", EF_T_DURATION, 0, "60s", SEC, 24 * HOUR, NULL, stats_interval_ms,
        "How often a statistics event goes into the stream."),
    SVC("spool", EF_T_ENUM, 0, "disk", 0, 0, spool_modes, spool,
        "Where accepted events wait for the sinks: disk survives restarts, memory does not "
        "(the stats say so)."),
    SVC("spool_segment_size", EF_T_SIZE, 0, "64MiB", MIB, GIB, NULL, spool_segment_size,
        "Size of one spool segment file; a segment is deleted once every sink passed it."),
    SVC("spool_max_size", EF_T_SIZE, 0, "1GiB", MIB, I64_MAX, NULL, spool_max_size,
        "Largest total size of the spool."),
    SVC("spool_full", EF_T_ENUM, 0, "drop_oldest", 0, 0, spool_fulls, spool_full,
        "What a full spool does; dropped events are counted with their reason."),
    SVC("spool_sync", EF_T_ENUM, 0, "interval", 0, 0, spool_syncs, spool_sync,
        "When the spool is flushed to disk: after every append, every spool_sync_interval, "
        "or when the OS decides."),
    SVC("spool_sync_interval", EF_T_DURATION, 0, "1s", 10, HOUR, NULL, spool_sync_interval_ms,
        "Flush period for spool_sync = interval."),
    SVC("queue_max_events", EF_T_INT, 0, "65536", 16, 16 * MIB, NULL, queue_max_events,
        "Capacity in events of the queue from the ETW threads to the sinks' loop."),
    SVC("queue_max_bytes", EF_T_SIZE, 0, "16MiB", 64 * KIB, 4 * GIB, NULL, queue_max_bytes,
        "Capacity in bytes of the same queue."),
    SVC("shutdown_timeout", EF_T_DURATION, 0, "30s", SEC, 10 * MIN, NULL, shutdown_timeout_ms,
        "How long a stop may take to drain the queue into the spool."),
    SVC("health_max_age", EF_T_DURATION, 0, "5m", SEC, 24 * HOUR, NULL, health_max_age_ms,
        "/health reports a sink unhealthy when its last acknowledged batch is older."),
    SVC("int64_as_string", EF_T_BOOL, 0, "false", 0, 0, NULL, int64_as_string,
        "Render 64-bit integers as JSON strings, for consumers that lose their precision."),
    SVC("format", EF_T_ENUM, 0, "native", 0, 0, formats, format,
        "Event JSON layout: native (the Windows event XML's names) or ecs (Elastic)."),
    SVC("hostname", EF_T_STRING, EF_F_EMPTY_OK, "", 0, 0, NULL, hostname,
        "Computer name put in events. Empty: the machine's name."),

    /* [session:NAME] */
    SES("kind", EF_T_ENUM, EF_F_REQUIRED, NULL, 0, 0, ef_session_kind_names, 0, kind,
        "realtime: an ETW session of manifest/TraceLogging providers; kernel: a kernel session: "
        "a private system logger (Windows 8+) or the NT Kernel Logger (kernel_session); "
        "existing: attach to a session someone else runs; file: replay .etl files (what runs "
        "on Linux)."),
    SES("provider", EF_T_PROVIDER, EF_F_REPEAT, NULL, 0, 0, NULL, RT, providers,
        "A provider to enable, one per line, in the golang-etw syntax "
        "Name-or-{GUID}:Level:EventIDs:MatchAnyKeyword:MatchAllKeyword."),
    SES("kernel_flags", EF_T_KERNEL_FLAGS, 0, NULL, 0, 0, NULL, KERN, kernel_flags,
        "What the kernel logger records: flag names separated by commas and/or a hex mask."),
    SES("kernel_session", EF_T_ENUM, 0, "private", 0, 0, kernel_sessions, KERN, kernel_session,
        "private: a system logger session of its own, etwfwd-NAME (Windows 8+), so etwfwd does "
        "not fight other tools; nt_kernel_logger: the one \"NT Kernel Logger\" of the machine, "
        "shared with every other tool (for older Windows)."),
    SES("trace_name", EF_T_STRING, EF_F_REQUIRED, NULL, 0, 0, NULL, EXIST, trace_name,
        "Name of the running session to read, e.g. EventLog-Security."),
    SES("path", EF_T_PATH, EF_F_REQUIRED, NULL, 0, 0, NULL, FILEK, path,
        "An .etl file or a glob of them (* and ?), replayed in name order."),
    SES("replay_speed", EF_T_INT, 0, "0", 0, 1000, NULL, FILEK, replay_speed,
        "0: as fast as possible; 1: real time; N: N times real time."),
    SES("manifest", EF_T_PATH, EF_F_REPEAT, NULL, 0, 0, NULL, 0, manifests,
        "A manifest (.man/.xml) or a folder of them, to decode with where TDH is not there."),
    SES("mof", EF_T_PATH, EF_F_REPEAT, NULL, 0, 0, NULL, 0, mofs,
        "A MOF file or folder describing classic and kernel events."),
    SES("buffer_size_kb", EF_T_INT, 0, "256", 4, 16384, NULL, RT | KERN, buffer_size_kb,
        "Size of one ETW buffer in KiB."),
    SES("min_buffers", EF_T_INT, 0, "16", 2, 65536, NULL, RT | KERN, min_buffers,
        "Buffers ETW allocates up front."),
    SES("max_buffers", EF_T_INT, 0, "64", 2, 65536, NULL, RT | KERN, max_buffers,
        "Most buffers ETW may use; at least min_buffers."),
    SES("flush_timer", EF_T_DURATION, 0, "1s", SEC, HOUR, NULL, RT | KERN, flush_timer_ms,
        "How often ETW flushes partly filled buffers (whole seconds)."),
    SES("clock", EF_T_ENUM, 0, "qpc", 0, 0, clocks, RT | KERN, clock,
        "Clock of the timestamps: qpc (the performance counter: precise, ETW's default), system "
        "(the system time: coarse) or cycles (the CPU cycle counter: cheapest, but not steady "
        "on every CPU)."),
    SES("on_exists", EF_T_ENUM, 0, "restart", 0, 0, on_exists, RT | KERN, on_exists,
        "What to do when a session of this name already runs."),
    SES("reconnect_min", EF_T_DURATION, 0, "1s", 100, HOUR, NULL, RT | KERN | EXIST,
        reconnect_min_ms,
        "When the session stops from outside (logman stop) or its consumer ends, the wait "
        "before the first restart or re-attach; each failed attempt waits longer."),
    SES("reconnect_max", EF_T_DURATION, 0, "60s", 100, HOUR, NULL, RT | KERN | EXIST,
        reconnect_max_ms,
        "The longest wait between two restart or re-attach attempts; at least reconnect_min."),
    SES("tdh", EF_T_BOOL, 0, "true", 0, 0, NULL, RT | KERN | EXIST, tdh,
        "Ask Windows (TDH) for the schema of events the manifests and TraceLogging do not "
        "describe."),
    SES("queue_full", EF_T_ENUM, 0, NULL, 0, 0, queue_fulls, 0, queue_full,
        "When the queue to the sinks is full: block the reader or drop (counted). Default: "
        "block for kind = file (nothing is lost by waiting), drop otherwise (blocking would "
        "make ETW lose buffers). A blocking session already waits once the queue is a quarter "
        "full, leaving the rest to the dropping ones."),

    /* [provider:NAME] */
    PRV("session", EF_T_NAMELIST, EF_F_REPEAT | EF_F_REQUIRED, NULL, 0, 0, NULL, sessions,
        "A realtime session to enable this provider in; repeat for several."),
    PRV("name", EF_T_STRING, 0, NULL, 0, 0, NULL, p.name,
        "Provider name or {GUID}. Default: the section's NAME."),
    PRV("guid", EF_T_GUID, 0, NULL, 0, 0, NULL, guid,
        "The provider's GUID, when name is a label etwfwd cannot resolve."),
    PRV("level", EF_T_LEVEL, 0, "0xff", 0, 0, NULL, p.level, "Most verbose level enabled."),
    PRV("match_any_keyword", EF_T_HEXMASK, 0, "0xffffffffffffffff", 0, 0, NULL, p.match_any,
        "Events with any of these keyword bits. Legacy MOF/WPP providers need every bit; "
        "manifest providers read 0 as all."),
    PRV("match_all_keyword", EF_T_HEXMASK, 0, "0x0", 0, 0, NULL, p.match_all,
        "Events must also have all of these keyword bits."),
    PRV("event_ids", EF_T_IDLIST, 0, NULL, 0, EF_CFG_MAX_EVENT_IDS, NULL, p.event_ids,
        "Event ID filter (ETW takes at most 64). Empty: every event."),
    PRV("event_ids_filter", EF_T_ENUM, 0, "in", 0, 0, in_out, p.event_ids_exclude,
        "in: only the listed event IDs; out: every event but them."),
    PRV("pids", EF_T_PIDLIST, 0, NULL, 0, EF_CFG_MAX_PIDS, NULL, p.pids,
        "Only events of these process IDs (ETW takes at most 8)."),
    PRV("exe_names", EF_T_STRING, 0, NULL, 0, 0, NULL, p.exe_names,
        "Only events of processes with these executable names, separated by ';' without "
        "spaces."),
    PRV("stack_trace", EF_T_BOOL, 0, "false", 0, 0, NULL, p.stack_trace,
        "Attach a call stack to each event."),
    PRV("sid", EF_T_BOOL, 0, "false", 0, 0, NULL, p.sid, "Attach the user's SID."),
    PRV("ts_id", EF_T_BOOL, 0, "false", 0, 0, NULL, p.ts_id, "Attach the terminal session ID."),
    PRV("process_start_key", EF_T_BOOL, 0, "false", 0, 0, NULL, p.process_start_key,
        "Attach the process start key."),
    PRV("ignore_keyword_0", EF_T_BOOL, 0, "false", 0, 0, NULL, p.ignore_keyword_0,
        "Drop events written with keyword 0."),
    PRV("rundown", EF_T_BOOL, 0, "false", 0, 0, NULL, p.rundown,
        "Ask the provider for its rundown (state) events once enabled."),

    /* [sink:NAME], every type */
    SNK("type", EF_T_ENUM, EF_F_REQUIRED, NULL, 0, 0, ef_sink_type_names, 0, type,
        "Where events go."),
    SNK("batch_max_events", EF_T_INT, 0, "1000", 1, 1000000, NULL, 0, batch_max_events,
        "A batch is sent when it holds this many events,"),
    SNK("batch_max_bytes", EF_T_SIZE, 0, "1MiB", KIB, GIB, NULL, 0, batch_max_bytes,
        "or this many bytes,"),
    SNK("batch_max_age", EF_T_DURATION, 0, "1s", 1, HOUR, NULL, 0, batch_max_age_ms,
        "or when its first event is this old."),
    SNK("in_flight", EF_T_INT, 0, NULL, 1, 64, NULL, 0, in_flight,
        "Batches sent and not yet acknowledged. Default: 2 for type = http (a second "
        "request hides the round trip), 1 otherwise."),
    /* file */
    SNK("path", EF_T_PATH, EF_F_REQUIRED, NULL, 0, 0, NULL, FILE_S, path,
        "The file written, one JSON event a line."),
    SNK("rotate_size", EF_T_SIZE, 0, "100MiB", 0, I64_MAX, NULL, FILE_S, rotate_size,
        "Rotate when the file reaches this size. 0: never by size."),
    SNK("rotate_interval", EF_T_DURATION, 0, "0", 0, 30 * 24 * HOUR, NULL, FILE_S,
        rotate_interval_ms, "Rotate at this interval. 0: never by time."),
    SNK("keep", EF_T_INT, 0, "10", 0, 100000, NULL, FILE_S, keep, "Rotated files kept. 0: all."),
    SNK("sync", EF_T_BOOL, 0, "false", 0, 0, NULL, FILE_S, sync,
        "fsync each batch before acknowledging it."),
    SNK("compress", EF_T_ENUM, 0, "auto", 0, 0, compressions, FILE_S | HTTP_S, compress,
        "file: gzip rotated files; http: gzip request bodies. auto: gzip for format = "
        "es-bulk and splunk-hec (large bodies to a SIEM), none otherwise."),
    /* http */
    SNK("url", EF_T_URL, EF_F_REQUIRED, NULL, 0, 0, http_schemes, HTTP_S, url,
        "Where batches are POSTed."),
    SNK("format", EF_T_ENUM, 0, "ndjson", 0, 0, http_formats, HTTP_S, format,
        "Body layout: ndjson, a json array, Elasticsearch _bulk, or Splunk HEC."),
    SNK("index", EF_T_STRING, EF_F_EMPTY_OK, "", 0, 0, NULL, HTTP_S, index,
        "Index for es-bulk and splunk-hec. Empty: the receiver's default."),
    SNK("token", EF_T_STRING, EF_F_SECRET, NULL, 0, 0, NULL, HTTP_S, token,
        "Bearer token (Splunk: the HEC token). Write ${ENV_VAR} to keep it out of the file."),
    SNK("user", EF_T_STRING, 0, NULL, 0, 0, NULL, HTTP_S, user, "Basic authentication user."),
    SNK("password", EF_T_STRING, EF_F_SECRET, NULL, 0, 0, NULL, HTTP_S, password,
        "Basic authentication password; ${ENV_VAR} welcome."),
    SNK("headers", EF_T_HEADER, EF_F_REPEAT | EF_F_SECRET, NULL, 0, 0, NULL, HTTP_S, headers,
        "An extra request header \"Name: value\", one per line; values are never printed."),
    SNK("tls_verify", EF_T_BOOL, 0, "true", 0, 0, NULL, HTTP_S | SYSLOG_S, tls_verify,
        "Verify the server's certificate and name."),
    SNK("ca_file", EF_T_PATH, 0, NULL, 0, 0, NULL, HTTP_S | SYSLOG_S, ca_file,
        "PEM bundle of trusted CAs. Default: the system's store."),
    SNK("ca_path", EF_T_PATH, 0, NULL, 0, 0, NULL, HTTP_S | SYSLOG_S, ca_path,
        "Folder of trusted CA certificates."),
    SNK("client_cert", EF_T_PATH, 0, NULL, 0, 0, NULL, HTTP_S | SYSLOG_S, client_cert,
        "PEM client certificate, with client_key."),
    SNK("client_key", EF_T_PATH, 0, NULL, 0, 0, NULL, HTTP_S | SYSLOG_S, client_key,
        "PEM private key of client_cert."),
    SNK("proxy", EF_T_URL, EF_F_EMPTY_OK, NULL, 0, 0, proxy_schemes, HTTP_S, proxy,
        "Proxy URL. Default: the environment's (HTTPS_PROXY...)."),
    SNK("no_proxy", EF_T_STRING, 0, NULL, 0, 0, NULL, HTTP_S, no_proxy,
        "Hosts reached without the proxy, separated by commas."),
    SNK("connect_timeout", EF_T_DURATION, 0, "10s", 100, 10 * MIN, NULL, HTTP_S | SYSLOG_S,
        connect_timeout_ms, "Longest wait for a connection."),
    SNK("timeout", EF_T_DURATION, 0, "30s", SEC, HOUR, NULL, HTTP_S | SYSLOG_S, timeout_ms,
        "Longest wait for a batch to be acknowledged, after which it is retried."),
    SNK("max_body_size", EF_T_SIZE, 0, "10MiB", KIB, GIB, NULL, HTTP_S, max_body_size,
        "Largest request body; batches are split to fit."),
    SNK("hec_ack", EF_T_BOOL, 0, "false", 0, 0, NULL, HTTP_S, hec_ack,
        "format = splunk-hec: wait for Splunk's indexer acknowledgement."),
    /* syslog */
    SNK("address", EF_T_HOSTPORT, EF_F_REQUIRED, NULL, 0, 0, NULL, SYSLOG_S, address,
        "The syslog server, host:port."),
    SNK("transport", EF_T_ENUM, 0, "tcp", 0, 0, transports, SYSLOG_S, transport,
        "udp (may lose messages), tcp or tls."),
    SNK("framing", EF_T_ENUM, 0, "octet-counting", 0, 0, framings, SYSLOG_S, framing,
        "tcp/tls framing: RFC 6587 octet counting or a line feed after each message."),
    SNK("rfc", EF_T_ENUM, 0, "5424", 0, 0, rfcs, SYSLOG_S, rfc, "Message header format."),
    SNK("facility", EF_T_ENUM, 0, "user", 0, 0, facilities, SYSLOG_S, facility,
        "Syslog facility of the messages."),
    SNK("max_message_size", EF_T_SIZE, 0, "64KiB", 480, 16 * MIB, NULL, SYSLOG_S, max_message_size,
        "Largest message (udp: at most 65507 bytes)."),
    SNK("oversize", EF_T_ENUM, 0, "truncate", 0, 0, oversizes, SYSLOG_S, oversize,
        "A larger message is truncated (and marked) or dropped (counted)."),

    /* [route:NAME] */
    RTE("session", sessions, "A session whose events take this route; repeat for several."),
    RTE("sink", sinks, "A sink the route delivers to; repeat for several."),
};

const struct ef_option *ef_config_options(size_t *n)
{
    *n = EF_ARRAY_LEN(options);
    return options;
}

const struct ef_option *ef_config_option_find(int section, const char *key)
{
    size_t i;

    for (i = 0; i < EF_ARRAY_LEN(options); i++) {
        if (options[i].section == section && strcmp(options[i].key, key) == 0)
            return &options[i];
    }
    return NULL;
}

const char *ef_config_section_name(int section)
{
    static const char *const names[] = {"service", "session", "provider", "sink", "route"};

    return section >= 0 && section < EF_SEC_COUNT ? names[section] : "?";
}

/* Appends "a, b or c" for the set bits of mask over names. */
static int join_names(const char *const *names, unsigned mask, struct ef_buf *b)
{
    unsigned i, total = 0, done = 0;
    int rc = 0;

    for (i = 0; names[i]; i++)
        total += (mask >> i) & 1;
    for (i = 0; names[i] && rc == 0; i++) {
        if (!((mask >> i) & 1))
            continue;
        if (done)
            rc = ef_buf_append_str(b, done + 1 == total ? " or " : ", ");
        if (rc == 0)
            rc = ef_buf_append_str(b, names[i]);
        done++;
    }
    return rc;
}

int ef_config_variants_text(const struct ef_option *o, struct ef_buf *b)
{
    if (!o->variants)
        return 0;
    if (o->section == EF_SEC_SESSION) {
        int rc = ef_buf_append_str(b, "kind = ");
        return rc ? rc : join_names(ef_session_kind_names, o->variants, b);
    }
    if (o->section == EF_SEC_SINK) {
        int rc = ef_buf_append_str(b, "type = ");
        return rc ? rc : join_names(ef_sink_type_names, o->variants, b);
    }
    return 0;
}

static int range_text(const struct ef_option *o, struct ef_buf *b)
{
    int rc = 0;

    if (o->type == EF_T_INT)
        return ef_buf_appendf(b, " from %lld to %lld", (long long)o->min, (long long)o->max);
    rc = ef_buf_append_str(b, " from ");
    if (rc == 0)
        rc = o->type == EF_T_SIZE ? ef_cfg_format_size((uint64_t)o->min, b)
                                  : ef_cfg_format_duration((uint64_t)o->min, b);
    if (rc == 0 && o->max == I64_MAX)
        return ef_buf_append_str(b, " up");
    if (rc == 0)
        rc = ef_buf_append_str(b, " to ");
    if (rc == 0)
        rc = o->type == EF_T_SIZE ? ef_cfg_format_size((uint64_t)o->max, b)
                                  : ef_cfg_format_duration((uint64_t)o->max, b);
    return rc;
}

int ef_config_expected_text(const struct ef_option *o, struct ef_buf *b)
{
    size_t i;
    int rc = 0;

    switch (o->type) {
    case EF_T_BOOL:
        return ef_buf_append_str(b, "true or false");
    case EF_T_INT:
        rc = ef_buf_append_str(b, "an integer");
        return rc ? rc : range_text(o, b);
    case EF_T_SIZE:
        rc = ef_buf_append_str(b, "a size");
        if (rc == 0)
            rc = range_text(o, b);
        return rc ? rc : ef_buf_append_str(b, ", in B, KiB, MiB, GiB, KB, MB or GB");
    case EF_T_DURATION:
        rc = ef_buf_append_str(b, "a duration");
        if (rc == 0)
            rc = range_text(o, b);
        return rc ? rc : ef_buf_append_str(b, ", in ms, s, m or h");
    case EF_T_ENUM:
        rc = ef_buf_append_str(b, "one of ");
        for (i = 0; o->values[i] && rc == 0; i++)
            rc = ef_buf_appendf(b, "%s%s", i ? ", " : "", o->values[i]);
        return rc;
    case EF_T_STRING:
        return ef_buf_append_str(b, "text");
    case EF_T_PATH:
        return ef_buf_append_str(b, "a path");
    case EF_T_HOSTPORT:
        return ef_buf_append_str(b, "host:port, e.g. 127.0.0.1:9464 or [::1]:9464");
    case EF_T_URL:
        rc = ef_buf_append_str(b, "a URL starting with ");
        for (i = 0; o->values[i] && rc == 0; i++)
            rc = ef_buf_appendf(b, "%s%s://",
                                i == 0             ? ""
                                : o->values[i + 1] ? ", "
                                                   : " or ",
                                o->values[i]);
        return rc;
    case EF_T_GUID:
        return ef_buf_append_str(b, "a GUID like {22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}");
    case EF_T_HEXMASK:
        return ef_buf_append_str(b, "a 64-bit hex mask like 0x10");
    case EF_T_LEVEL:
        return ef_buf_append_str(b, "a level 0 to 255 in decimal or 0x hex, or critical, error, "
                                    "warning, information, verbose");
    case EF_T_PROVIDER:
        return ef_buf_append_str(b, "Name-or-{GUID}:Level:EventIDs:MatchAnyKeyword:"
                                    "MatchAllKeyword, every part but the first optional");
    case EF_T_IDLIST:
        return ef_buf_appendf(b, "event IDs 0 to 65535 separated by commas, at most %lld",
                              (long long)o->max);
    case EF_T_PIDLIST:
        return ef_buf_appendf(b, "process IDs separated by commas, at most %lld",
                              (long long)o->max);
    case EF_T_KERNEL_FLAGS:
        rc = ef_buf_append_str(b, "kernel flags separated by commas (");
        for (i = 0; ef_kernel_flag_names[i] && rc == 0; i++) {
            if (*ef_kernel_flag_names[i])
                rc = ef_buf_appendf(b, "%s, ", ef_kernel_flag_names[i]);
        }
        return rc ? rc : ef_buf_append_str(b, "or a 0x hex mask)");
    case EF_T_HEADER:
        return ef_buf_append_str(b, "Name: value");
    case EF_T_NAMELIST:
        return ef_buf_appendf(b, "the NAME of a [%s:NAME] section", o->key);
    }
    return 0;
}

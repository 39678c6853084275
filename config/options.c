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
        "The folder of the spool and of etwfwd's bookkeeping. When empty, it is "
        "%ProgramData%\\etwfwd on Windows and /var/lib/etwfwd elsewhere."),
    SVC("log_level", EF_T_ENUM, 0, "info", 0, 0, log_levels, log_level,
        "The log keeps messages up to this level of detail."),
    SVC("log_file", EF_T_PATH, EF_F_EMPTY_OK, "", 0, 0, NULL, log_file,
        "The log is also written to this file. When empty, it goes to the console only, "
        "or to the event log for the service."),
    SVC("metrics_listen", EF_T_HOSTPORT, EF_F_EMPTY_OK, "127.0.0.1:9464", 0, 0, NULL,
        metrics_listen,
        "The address where the Prometheus metrics and the /health endpoint listen. When "
        "empty, there is no endpoint."),
    SVC("stats_interval", EF_T_DURATION, 0, "60s", SEC, 24 * HOUR, NULL, stats_interval_ms,
        "A statistics event goes into the stream this often."),
    SVC("loss_alert_events", EF_T_INT, 0, "0", 0, I64_MAX, NULL, loss_alert_events,
        "A live session that loses more events than this in one stats_interval (ETW's "
        "EventsLost) raises a warning in the event log (the service) and in the log. With "
        "0, any loss raises it."),
    SVC("spool", EF_T_ENUM, 0, "disk", 0, 0, spool_modes, spool,
        "Accepted events wait for the sinks on disk, which survives restarts, or in "
        "memory, which does not (the stats say so)."),
    SVC("spool_segment_size", EF_T_SIZE, 0, "64MiB", MIB, GIB, NULL, spool_segment_size,
        "This is the size of one spool segment file. A segment is deleted once every sink "
        "has passed it."),
    SVC("spool_max_size", EF_T_SIZE, 0, "1GiB", MIB, I64_MAX, NULL, spool_max_size,
        "The spool grows to this total size at most."),
    SVC("spool_full", EF_T_ENUM, 0, "drop_oldest", 0, 0, spool_fulls, spool_full,
        "This decides what a full spool does. Dropped events are counted with their "
        "reason."),
    SVC("spool_sync", EF_T_ENUM, 0, "interval", 0, 0, spool_syncs, spool_sync,
        "The spool is flushed to disk after every append, every spool_sync_interval, or "
        "when the OS decides."),
    SVC("spool_sync_interval", EF_T_DURATION, 0, "1s", 10, HOUR, NULL, spool_sync_interval_ms,
        "The spool is flushed this often when spool_sync = interval."),
    SVC("queue_max_events", EF_T_INT, 0, "65536", 16, 16 * MIB, NULL, queue_max_events,
        "The queue from the ETW threads to the sinks' loop holds this many events at "
        "most."),
    SVC("queue_max_bytes", EF_T_SIZE, 0, "16MiB", 64 * KIB, 4 * GIB, NULL, queue_max_bytes,
        "The same queue holds this many bytes at most."),
    SVC("shutdown_timeout", EF_T_DURATION, 0, "30s", SEC, 10 * MIN, NULL, shutdown_timeout_ms,
        "A stop may take this long to drain the queue into the spool."),
    SVC("health_max_age", EF_T_DURATION, 0, "5m", SEC, 24 * HOUR, NULL, health_max_age_ms,
        "The /health endpoint reports a sink unhealthy when its last acknowledged batch is "
        "older than this."),
    SVC("health_failing_after", EF_T_DURATION, 0, "60s", SEC, 24 * HOUR, NULL,
        health_failing_after_ms,
        "The /health endpoint reports a sink unhealthy once every delivery attempt has "
        "failed for this long without pause (a refused connection, a timeout, HTTP 5xx), "
        "whatever its backlog. The first attempt the receiver takes makes it healthy again."),
    SVC("int64_as_string", EF_T_BOOL, 0, "false", 0, 0, NULL, int64_as_string,
        "When true, 64-bit integers are written as JSON strings, for consumers that lose "
        "their precision."),
    SVC("typed_event_data", EF_T_BOOL, 0, "false", 0, 0, NULL, typed_event_data,
        "When true, EventData values are written as typed JSON (numbers, booleans, value "
        "maps as objects) instead of the strings Windows shows. Typed values make one "
        "field a number for one provider and a string for another, which Elasticsearch's "
        "dynamic mapping refuses: use it with an index template, or with receivers that "
        "do not map types."),
    SVC("format", EF_T_ENUM, 0, "native", 0, 0, formats, format,
        "This is the layout of the event JSON: native (the names of the Windows event "
        "XML) or ecs (the Elastic Common Schema)."),
    SVC("hostname", EF_T_STRING, EF_F_EMPTY_OK, "", 0, 0, NULL, hostname,
        "Every event carries this host name (System.Computer, or host.name in ECS). When "
        "empty, it is the machine's name."),

    /* [session:NAME] */
    SES("kind", EF_T_ENUM, EF_F_REQUIRED, NULL, 0, 0, ef_session_kind_names, 0, kind,
        "This is where the events come from. A realtime session enables manifest and "
        "TraceLogging providers in an ETW session of its own. A kernel session is a "
        "private system logger (Windows 8+) or the NT Kernel Logger (see kernel_session). "
        "An existing session is one someone else runs, which etwfwd attaches to. A file "
        "session replays .etl files, and is what runs on Linux."),
    SES("provider", EF_T_PROVIDER, EF_F_REPEAT, NULL, 0, 0, NULL, RT, providers,
        "Each line names a provider to enable, in the golang-etw syntax "
        "Name-or-{GUID}:Level:EventIDs:MatchAnyKeyword:MatchAllKeyword."),
    SES("kernel_flags", EF_T_KERNEL_FLAGS, 0, NULL, 0, 0, NULL, KERN, kernel_flags,
        "These are what the kernel logger records: flag names separated by commas, a hex "
        "mask, or both."),
    SES("kernel_session", EF_T_ENUM, 0, "private", 0, 0, kernel_sessions, KERN, kernel_session,
        "With private, the session is a system logger of its own, etwfwd-NAME (Windows "
        "8+), so etwfwd does not fight other tools. With nt_kernel_logger, it is the one "
        "\"NT Kernel Logger\" of the machine, which every other tool shares (for older "
        "Windows)."),
    SES("trace_name", EF_T_STRING, EF_F_REQUIRED, NULL, 0, 0, NULL, EXIST, trace_name,
        "This names the running session to read, e.g. EventLog-Security."),
    SES("path", EF_T_PATH, EF_F_REQUIRED, NULL, 0, 0, NULL, FILEK, path,
        "This is an .etl file or a glob of them (* and ?); the files are replayed in name "
        "order."),
    SES("replay_speed", EF_T_INT, 0, "0", 0, 1000, NULL, FILEK, replay_speed,
        "With 0, events are replayed as fast as possible; with 1, in real time; with N, "
        "at N times real time."),
    SES("manifest", EF_T_PATH, EF_F_REPEAT, NULL, 0, 0, NULL, 0, manifests,
        "A manifest (.man or .xml), or a folder of them, decodes the events that TDH "
        "cannot describe here."),
    SES("mof", EF_T_PATH, EF_F_REPEAT, NULL, 0, 0, NULL, 0, mofs,
        "A MOF file or folder describes classic and kernel events."),
    SES("buffer_size_kb", EF_T_INT, 0, "256", 4, 16384, NULL, RT | KERN, buffer_size_kb,
        "This is the size of one ETW buffer, in KiB."),
    SES("min_buffers", EF_T_INT, 0, "16", 2, 65536, NULL, RT | KERN, min_buffers,
        "ETW allocates this many buffers up front."),
    SES("max_buffers", EF_T_INT, 0, "64", 2, 65536, NULL, RT | KERN, max_buffers,
        "ETW may use this many buffers at most. It must be at least min_buffers."),
    SES("flush_timer", EF_T_DURATION, 0, "1s", SEC, HOUR, NULL, RT | KERN, flush_timer_ms,
        "ETW flushes partly filled buffers this often (in whole seconds)."),
    SES("clock", EF_T_ENUM, 0, "qpc", 0, 0, clocks, RT | KERN, clock,
        "The timestamps come from this clock: qpc (the performance counter: precise, and "
        "ETW's default), system (the system time: coarse) or cycles (the CPU cycle "
        "counter: cheapest, but not steady on every CPU)."),
    SES("on_exists", EF_T_ENUM, 0, "restart", 0, 0, on_exists, RT | KERN, on_exists,
        "This decides what happens when a session of this name already runs."),
    SES("reconnect_min", EF_T_DURATION, 0, "1s", 100, HOUR, NULL, RT | KERN | EXIST,
        reconnect_min_ms,
        "When the session stops from outside (logman stop) or its consumer ends, etwfwd "
        "waits this long before the first restart or re-attach. Each failed attempt waits "
        "longer."),
    SES("reconnect_max", EF_T_DURATION, 0, "60s", 100, HOUR, NULL, RT | KERN | EXIST,
        reconnect_max_ms,
        "This is the longest wait between two restart or re-attach attempts. It must be "
        "at least reconnect_min."),
    SES("tdh", EF_T_BOOL, 0, "true", 0, 0, NULL, RT | KERN | EXIST, tdh,
        "When true, etwfwd asks Windows (TDH) for the schema of events that the manifests "
        "and TraceLogging do not describe."),
    SES("queue_full", EF_T_ENUM, 0, NULL, 0, 0, queue_fulls, 0, queue_full,
        "This decides what the session does when the queue to the sinks is full: block "
        "the reader, or drop the event (counted). The default is block for kind = file "
        "(nothing is lost by waiting) and drop otherwise (blocking would make ETW lose "
        "buffers). A blocking session already waits once the queue is a quarter full, "
        "leaving the rest to the dropping ones."),

    /* [provider:NAME] */
    PRV("session", EF_T_NAMELIST, EF_F_REPEAT | EF_F_REQUIRED, NULL, 0, 0, NULL, sessions,
        "This names a realtime session to enable this provider in. Repeat it for several."),
    PRV("name", EF_T_STRING, 0, NULL, 0, 0, NULL, p.name,
        "This is the provider's name or {GUID}. The default is the section's NAME."),
    PRV("guid", EF_T_GUID, 0, NULL, 0, 0, NULL, guid,
        "This is the provider's GUID, for when name is a label etwfwd cannot resolve."),
    PRV("level", EF_T_LEVEL, 0, "0xff", 0, 0, NULL, p.level,
        "The provider writes events up to this level of detail."),
    PRV("match_any_keyword", EF_T_HEXMASK, 0, "0xffffffffffffffff", 0, 0, NULL, p.match_any,
        "Events must have any of these keyword bits. Legacy MOF and WPP providers need "
        "every bit; manifest providers read 0 as all."),
    PRV("match_all_keyword", EF_T_HEXMASK, 0, "0x0", 0, 0, NULL, p.match_all,
        "Events must also have all of these keyword bits."),
    PRV("event_ids", EF_T_IDLIST, 0, NULL, 0, EF_CFG_MAX_EVENT_IDS, NULL, p.event_ids,
        "This filters the events by ID (ETW takes at most 64). When empty, every event "
        "passes."),
    PRV("event_ids_filter", EF_T_ENUM, 0, "in", 0, 0, in_out, p.event_ids_exclude,
        "With in, only the listed event IDs pass; with out, every event but them passes."),
    PRV("pids", EF_T_PIDLIST, 0, NULL, 0, EF_CFG_MAX_PIDS, NULL, p.pids,
        "Only the events of these process IDs pass (ETW takes at most 8)."),
    PRV("exe_names", EF_T_STRING, 0, NULL, 0, 0, NULL, p.exe_names,
        "Only the events of processes with these executable names pass. The names are "
        "separated by ';' without spaces."),
    PRV("stack_trace", EF_T_BOOL, 0, "false", 0, 0, NULL, p.stack_trace,
        "When true, each event carries a call stack."),
    PRV("sid", EF_T_BOOL, 0, "false", 0, 0, NULL, p.sid,
        "When true, each event carries the user's SID."),
    PRV("ts_id", EF_T_BOOL, 0, "false", 0, 0, NULL, p.ts_id,
        "When true, each event carries the terminal session ID."),
    PRV("process_start_key", EF_T_BOOL, 0, "false", 0, 0, NULL, p.process_start_key,
        "When true, each event carries the process start key."),
    PRV("ignore_keyword_0", EF_T_BOOL, 0, "false", 0, 0, NULL, p.ignore_keyword_0,
        "When true, events written with keyword 0 are dropped."),
    PRV("rundown", EF_T_BOOL, 0, "false", 0, 0, NULL, p.rundown,
        "When true, the provider is asked for its rundown (state) events once enabled."),

    /* [sink:NAME], every type */
    SNK("type", EF_T_ENUM, EF_F_REQUIRED, NULL, 0, 0, ef_sink_type_names, 0, type,
        "This is where the events go: a file, an HTTP receiver or a syslog server."),
    SNK("batch_max_events", EF_T_INT, 0, "1000", 1, 1000000, NULL, 0, batch_max_events,
        "A batch is sent when it holds this many events."),
    SNK("batch_max_bytes", EF_T_SIZE, 0, "1MiB", KIB, GIB, NULL, 0, batch_max_bytes,
        "A batch is sent when it holds this many bytes."),
    SNK("batch_max_age", EF_T_DURATION, 0, "1s", 1, HOUR, NULL, 0, batch_max_age_ms,
        "A batch is sent when its first event is this old."),
    SNK("in_flight", EF_T_INT, 0, NULL, 1, 64, NULL, 0, in_flight,
        "This many batches may be sent and not yet acknowledged. The default is 2 for "
        "type = http (a second request hides the round trip) and 1 otherwise."),
    /* file */
    SNK("path", EF_T_PATH, EF_F_REQUIRED, NULL, 0, 0, NULL, FILE_S, path,
        "This is the file written, one JSON event a line. Missing parent folders are "
        "created."),
    SNK("rotate_size", EF_T_SIZE, 0, "100MiB", 0, I64_MAX, NULL, FILE_S, rotate_size,
        "The file is rotated when it reaches this size. With 0, it is never rotated by "
        "size."),
    SNK("rotate_interval", EF_T_DURATION, 0, "0", 0, 30 * 24 * HOUR, NULL, FILE_S,
        rotate_interval_ms,
        "The file is rotated at this interval. With 0, it is never rotated by time."),
    SNK("keep", EF_T_INT, 0, "10", 0, 100000, NULL, FILE_S, keep,
        "This many rotated files are kept. With 0, all are kept."),
    SNK("sync", EF_T_BOOL, 0, "false", 0, 0, NULL, FILE_S, sync,
        "When true, each batch is written to disk (fsync) before it is acknowledged."),
    SNK("compress", EF_T_ENUM, 0, "auto", 0, 0, compressions, FILE_S | HTTP_S, compress,
        "A file sink gzips its rotated files; an http sink gzips its request bodies. With "
        "auto, gzip is used for format = es-bulk and splunk-hec (large bodies to a SIEM) "
        "and none otherwise."),
    /* http */
    SNK("url", EF_T_URL, EF_F_REQUIRED, NULL, 0, 0, http_schemes, HTTP_S, url,
        "Batches are POSTed to this URL."),
    SNK("format", EF_T_ENUM, 0, "ndjson", 0, 0, http_formats, HTTP_S, format,
        "This is the layout of the request body: ndjson, a json array, Elasticsearch "
        "_bulk, or Splunk HEC."),
    SNK("index", EF_T_STRING, EF_F_EMPTY_OK, "", 0, 0, NULL, HTTP_S, index,
        "This is the index for es-bulk and splunk-hec. When empty, the receiver's default "
        "is used."),
    SNK("token", EF_T_STRING, EF_F_SECRET, NULL, 0, 0, NULL, HTTP_S, token,
        "This is the bearer token (for Splunk, the HEC token). Write ${ENV_VAR} to keep "
        "it out of the file."),
    SNK("user", EF_T_STRING, 0, NULL, 0, 0, NULL, HTTP_S, user,
        "This is the user of basic authentication."),
    SNK("password", EF_T_STRING, EF_F_SECRET, NULL, 0, 0, NULL, HTTP_S, password,
        "This is the password of basic authentication. Write ${ENV_VAR} to keep it out of "
        "the file."),
    SNK("headers", EF_T_HEADER, EF_F_REPEAT | EF_F_SECRET, NULL, 0, 0, NULL, HTTP_S, headers,
        "Each line is an extra request header \"Name: value\". The values are never "
        "printed."),
    SNK("tls_verify", EF_T_BOOL, 0, "true", 0, 0, NULL, HTTP_S | SYSLOG_S, tls_verify,
        "When true, the server's certificate and name are verified."),
    SNK("ca_file", EF_T_PATH, 0, NULL, 0, 0, NULL, HTTP_S | SYSLOG_S, ca_file,
        "This PEM bundle holds the trusted CAs. The default is the system's store."),
    SNK("ca_path", EF_T_PATH, 0, NULL, 0, 0, NULL, HTTP_S | SYSLOG_S, ca_path,
        "This folder holds the trusted CA certificates."),
    SNK("client_cert", EF_T_PATH, 0, NULL, 0, 0, NULL, HTTP_S | SYSLOG_S, client_cert,
        "This is the PEM client certificate, used with client_key."),
    SNK("client_key", EF_T_PATH, 0, NULL, 0, 0, NULL, HTTP_S | SYSLOG_S, client_key,
        "This is the PEM private key of client_cert."),
    SNK("proxy", EF_T_URL, EF_F_EMPTY_OK, NULL, 0, 0, proxy_schemes, HTTP_S, proxy,
        "Requests go through this proxy URL. The default is the environment's "
        "(HTTPS_PROXY and the like)."),
    SNK("no_proxy", EF_T_STRING, 0, NULL, 0, 0, NULL, HTTP_S, no_proxy,
        "These hosts, separated by commas, are reached without the proxy."),
    SNK("connect_timeout", EF_T_DURATION, 0, "10s", 100, 10 * MIN, NULL, HTTP_S | SYSLOG_S,
        connect_timeout_ms, "A connection may take this long at most."),
    SNK("timeout", EF_T_DURATION, 0, "30s", SEC, HOUR, NULL, HTTP_S | SYSLOG_S, timeout_ms,
        "A batch that is not acknowledged within this time is retried."),
    SNK("max_body_size", EF_T_SIZE, 0, "10MiB", KIB, GIB, NULL, HTTP_S, max_body_size,
        "A request body is this large at most; batches are split to fit."),
    SNK("hec_ack", EF_T_BOOL, 0, "false", 0, 0, NULL, HTTP_S, hec_ack,
        "When true (with format = splunk-hec), the sink waits for Splunk's indexer "
        "acknowledgement."),
    /* syslog */
    SNK("address", EF_T_HOSTPORT, EF_F_REQUIRED, NULL, 0, 0, NULL, SYSLOG_S, address,
        "This is the syslog server, as host:port."),
    SNK("transport", EF_T_ENUM, 0, "tcp", 0, 0, transports, SYSLOG_S, transport,
        "Messages go over udp (which may lose them), tcp or tls."),
    SNK("framing", EF_T_ENUM, 0, "octet-counting", 0, 0, framings, SYSLOG_S, framing,
        "Over tcp and tls, messages are framed by RFC 6587 octet counting or by a line "
        "feed after each."),
    SNK("rfc", EF_T_ENUM, 0, "5424", 0, 0, rfcs, SYSLOG_S, rfc,
        "This is the format of the message header."),
    SNK("facility", EF_T_ENUM, 0, "user", 0, 0, facilities, SYSLOG_S, facility,
        "The messages carry this syslog facility."),
    SNK("max_message_size", EF_T_SIZE, 0, "64KiB", 480, 16 * MIB, NULL, SYSLOG_S, max_message_size,
        "A message is this large at most (over udp, 65507 bytes at most)."),
    SNK("oversize", EF_T_ENUM, 0, "truncate", 0, 0, oversizes, SYSLOG_S, oversize,
        "A larger message is truncated (and marked) or dropped (counted)."),

    /* [route:NAME] */
    RTE("session", sessions,
        "This names a session whose events take this route. Repeat it for several."),
    RTE("sink", sinks, "This names a sink the route delivers to. Repeat it for several."),
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
        return rc ? rc : ef_buf_append_str(b, ", then a host and an optional port 1-65535");
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

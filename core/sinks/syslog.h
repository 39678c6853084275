/*
 * syslog.h - the syslog sink: events as RFC 5424 (or RFC 3164) messages
 * over UDP, TCP or TLS (RFC 5425), framed per RFC 6587.
 *
 * Each event of a batch becomes one message whose MSG is the event's JSON.
 * The header fields come from a few values read out of that JSON by a
 * small scanner (no parse tree): provider name and GUID, event id, level,
 * time, process id, computer and session, in the native or the ECS layout.
 * Decisions (severity mapping, PROCID, MSGID, SD-ID, oversize handling,
 * what an acknowledgement means) are in docs/sinks-syslog.md.
 */
#ifndef EF_SINKS_SYSLOG_H
#define EF_SINKS_SYSLOG_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/sink.h"
#include "util/buf.h"

extern const struct ef_sink_ops ef_sink_syslog_ops;

/* The structured-data ID: etw@ + the IANA enterprise number 32473 (documentation). */
#define EF_SYSLOG_SD_ID        "etw@32473"
#define EF_SYSLOG_APP_NAME     "etwfwd"
#define EF_SYSLOG_MAX_HOSTNAME 255

/* The fields the scanner looks for. */
enum ef_syslog_field {
    EF_SLF_PROVIDER,
    EF_SLF_GUID,
    EF_SLF_EVENT_ID,
    EF_SLF_LEVEL,
    EF_SLF_TIME,
    EF_SLF_PID,
    EF_SLF_COMPUTER,
    EF_SLF_SESSION,
    EF_SLF_COUNT,
};

/*
 * What the scanner found: for each field the raw JSON token inside the
 * event (a string's contents without quotes, still escaped, or a number),
 * p == NULL when absent.
 */
struct ef_syslog_meta {
    struct {
        const char *p;
        size_t n;
        int is_str;
    } v[EF_SLF_COUNT];
};

/*
 * Finds the fields in one event's JSON. Never reads outside [json,
 * json+len); malformed JSON gives EF_EFORMAT with whatever was found
 * before the error kept. Any thread.
 */
int ef_syslog_scan(const char *json, size_t len, struct ef_syslog_meta *m);

/* Maps an ETW level (0-255) to a syslog severity (0-7). Any thread. */
int ef_syslog_severity(unsigned level);

/* How messages are built; filled from the sink's configuration. */
struct ef_syslog_fmt {
    int rfc;      /* enum ef_syslog_rfc */
    int facility; /* 0-23 */
    int framing;  /* enum ef_syslog_framing, or EF_SYSLOG_FRAME_NONE (UDP) */
    size_t max_size;
    int oversize;                              /* enum ef_oversize */
    char hostname[EF_SYSLOG_MAX_HOSTNAME + 1]; /* when the event names no computer */
    unsigned long self_pid;                    /* when the event has no process id */
    struct ef_buf hdr;                         /* scratch, ef_buf_init'ed by the owner */
};

#define EF_SYSLOG_FRAME_NONE 2

/* Outcome flags of ef_syslog_format. */
#define EF_SYSLOG_TRUNCATED 1
#define EF_SYSLOG_REFUSED   2 /* with EF_ELIMIT: over max_size, oversize = drop */

/*
 * Appends one event as one framed message to out. Returns 0 (with
 * *flags EF_SYSLOG_TRUNCATED when it was cut to max_size), EF_ELIMIT with
 * EF_SYSLOG_REFUSED when the message is over max_size and oversize = drop
 * (or even its header does not fit), or out's own EF_ELIMIT/EF_ENOMEM. out is unchanged on
 * error. The caller's thread.
 */
int ef_syslog_format(struct ef_syslog_fmt *f, const char *json, size_t len, struct ef_buf *out,
                     int *flags);

/* The sink's counters. */
struct ef_syslog_sink_stats {
    uint64_t messages, bytes; /* written (acknowledged batches) */
    uint64_t truncated;       /* messages cut to max_message_size */
    uint64_t oversize_rejected;
    uint64_t connects, connect_errors, disconnects, write_errors, tls_errors;
};

/* The sink's counters; state is what ef_sink_syslog_ops.open made. Loop thread. */
void ef_syslog_sink_get_stats(void *state, struct ef_syslog_sink_stats *st);

/*
 * Splits "host:port" or "[v6]:port" into host (without brackets) and port.
 * Returns 0 or EF_EINVAL. Any thread.
 */
int ef_syslog_split_address(const char *addr, char *host, size_t hostcap, char *port,
                            size_t portcap);

#endif

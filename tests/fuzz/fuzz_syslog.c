/*
 * fuzz_syslog.c - libFuzzer target: the syslog sink's message builder
 * (core/sinks/syslog.c) and JSON scanner (syslog_scan.c) on arbitrary event
 * bytes.
 *
 * The first byte picks the RFC, the framing, the oversize policy and a
 * max_message_size from tiny to large; the rest is the event. The input is
 * copied into an exact-size allocation so ASan catches any read past it.
 * Checked contracts: the message is appended only on success; on success
 * it is at most max_size bytes without framing (octet-counting's LEN equals
 * the message length), and on a refusal out is unchanged.
 */
#include "config/config.h"
#include "sinks/syslog.h"
#include "util/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t sizes[] = {0, 1, 40, 120, 200, 480, 2048, 65536};
    struct ef_syslog_fmt f;
    struct ef_syslog_meta m;
    struct ef_buf out;
    char *ev;
    size_t n;
    int flags, rc;

    if (size < 1)
        return 0;
    n = size - 1;
    ev = malloc(n ? n : 1);
    if (!ev)
        return 0;
    memcpy(ev, data + 1, n);
    (void)ef_syslog_scan(ev, n, &m);
    memset(&f, 0, sizeof(f));
    f.rfc = data[0] & 1 ? EF_SYSLOG_RFC3164 : EF_SYSLOG_RFC5424;
    f.framing = (data[0] >> 1) % 3; /* octet counting, LF, none */
    f.oversize = (data[0] >> 3) & 1 ? EF_OVERSIZE_DROP : EF_OVERSIZE_TRUNCATE;
    f.max_size = sizes[(data[0] >> 4) & 7];
    f.facility = 16;
    f.self_pid = 42;
    snprintf(f.hostname, sizeof(f.hostname), "fuzz");
    ef_buf_init(&f.hdr, 1 << 16);
    ef_buf_init(&out, 1 << 20);
    (void)ef_buf_append(&out, "x", 1);
    rc = ef_syslog_format(&f, ev, n, &out, &flags);
    if (rc < 0) {
        if (out.len != 1)
            abort(); /* out must be unchanged on error */
    } else {
        const char *msg = out.data + 1;
        size_t len = out.len - 1;

        if (f.framing == EF_SYSLOG_OCTET_COUNTING) {
            char *sp = memchr(msg, ' ', len);
            size_t want;

            if (!sp)
                abort();
            want = strtoul(msg, NULL, 10);
            len -= (size_t)(sp + 1 - msg);
            if (want != len)
                abort();
        } else if (f.framing == EF_SYSLOG_LF) {
            if (len == 0 || msg[len - 1] != '\n')
                abort();
            len--;
        }
        if (len > f.max_size)
            abort();
    }
    ef_buf_free(&out);
    ef_buf_free(&f.hdr);
    free(ev);
    return 0;
}

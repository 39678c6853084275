/*
 * spool_writer.c - a stand-in for `etwfwd run` in the crash-safety harness.
 *
 * usage: spool_writer DIR OUT TOTAL
 * Runs the pipeline's durable path on one thread: a deterministic source
 * produces events 0..TOTAL-1 in bursts, each burst is appended to the spool
 * in DIR and committed (only then is it accepted), and a file-sink-like
 * consumer reads from its cursor, writes the events as lines to OUT, fsyncs
 * OUT and only then acknowledges. The harness kills it with SIGKILL at
 * random points and starts it again; it must resume without losing any
 * accepted event. On start, a torn last line of OUT (a kill in the middle of
 * a write) is cut off, as a file sink does, and the source resumes after
 * the newest event the spool or OUT holds: what was accepted is never asked
 * for again, what was not is produced again. Exits 0 once every event was
 * produced and acknowledged.
 */
#include "pipeline/fsutil.h"
#include "pipeline/spool.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

/* The payload of event n: what the harness expects, byte for byte. */
static size_t payload(uint64_t n, char *out, size_t cap)
{
    size_t pad = (size_t)((n * 7) % 200), len;

    len = (size_t)snprintf(out, cap, "{\"n\":%" PRIu64 ",\"pad\":\"", n);
    memset(out + len, 'a' + (int)(n % 26), pad);
    len += pad;
    memcpy(out + len, "\"}", 2);
    return len + 2;
}

static uint64_t parse_n(const char *p, size_t len)
{
    uint64_t n = 0;

    if (len < 6 || memcmp(p, "{\"n\":", 5) != 0)
        return UINT64_MAX;
    for (p += 5, len -= 5; len && *p >= '0' && *p <= '9'; p++, len--)
        n = n * 10 + (uint64_t)(*p - '0');
    return n;
}

struct out_file {
    int fd;
    uint64_t size;
    char *buf;
    size_t len, cap;
};

/* Cuts a torn last line and finds the highest event number in OUT. */
static int recover_out(struct out_file *o, uint64_t *max_n)
{
    char *data;
    uint64_t end;
    size_t got;
    int rc;

    rc = ef_fs_size(o->fd, &o->size);
    if (rc < 0 || o->size == 0)
        return rc;
    data = malloc((size_t)o->size);
    if (!data)
        return EF_ENOMEM;
    rc = ef_fs_pread(o->fd, data, (size_t)o->size, 0, &got);
    if (rc == 0) {
        uint64_t i, start = 0;

        for (end = got; end > 0 && data[end - 1] != '\n'; end--)
            ;
        for (i = 0; i < end; i++) {
            if (data[i] == '\n') {
                uint64_t n = parse_n(data + start, (size_t)(i - start));

                if (n != UINT64_MAX && (*max_n == UINT64_MAX || n > *max_n))
                    *max_n = n;
                start = i + 1;
            }
        }
        if (end != o->size) {
            fprintf(stderr, "spool_writer: cutting a torn line of %" PRIu64 " bytes\n",
                    o->size - end);
            rc = ef_fs_truncate(o->fd, end);
            o->size = end;
        }
    }
    free(data);
    return rc;
}

static int find_max(void *ud, const struct ef_spool_event *ev)
{
    uint64_t *max_n = ud, n = parse_n(ev->data, ev->len);

    if (n != UINT64_MAX && (*max_n == UINT64_MAX || n > *max_n))
        *max_n = n;
    return 0;
}

static int to_out(void *ud, const struct ef_spool_event *ev)
{
    struct out_file *o = ud;

    if (o->len + ev->len + 1 > o->cap) {
        size_t nc = (o->len + ev->len + 1) * 2;
        char *nb = realloc(o->buf, nc);

        if (!nb)
            return EF_ENOMEM;
        o->buf = nb;
        o->cap = nc;
    }
    memcpy(o->buf + o->len, ev->data, ev->len);
    o->len += ev->len;
    o->buf[o->len++] = '\n';
    return 0;
}

/* One sink turn: read a batch, write it, fsync, acknowledge. */
static int deliver(struct ef_spool *sp, struct out_file *o)
{
    uint64_t next;
    int n, rc;

    o->len = 0;
    n = ef_spool_read(sp, ef_spool_cursor(sp, 0) + 1, 300, 1 << 20, to_out, o, &next);
    if (n <= 0)
        return n;
    rc = ef_fs_pwrite(o->fd, o->buf, o->len, o->size);
    if (rc == 0)
        rc = ef_fs_sync_file(o->fd);
    if (rc < 0)
        return rc;
    o->size += o->len;
    rc = ef_spool_ack(sp, 0, next - 1);
    return rc < 0 ? rc : n;
}

static uint64_t next_seq(const struct ef_spool *sp)
{
    struct ef_spool_stats st;

    ef_spool_get_stats(sp, &st);
    return st.next_seq;
}

int main(int argc, char **argv)
{
    static const char *const sinks[] = {"out"};
    struct ef_spool_options opt;
    struct ef_spool_recovery rec;
    struct ef_spool *sp = NULL;
    struct out_file o = {-1, 0, NULL, 0, 0};
    uint64_t total, n, max_n = UINT64_MAX, next, seq, rng = 88172645463325252ull;
    char ev[512];
    int rc;

    if (argc != 4) {
        fprintf(stderr, "usage: spool_writer DIR OUT TOTAL\n");
        return 2;
    }
    total = strtoull(argv[3], NULL, 10);
    memset(&opt, 0, sizeof(opt));
    opt.dir = argv[1];
    opt.segment_size = 256 * 1024; /* many segments: deletions happen all the time */
    opt.sync = EF_SPOOL_SYNC_PERIODIC;
    opt.sync_interval_ms = 50;
    opt.sinks = sinks;
    opt.n_sinks = 1;
    rc = ef_spool_open(&opt, &sp, &rec);
    if (rc < 0)
        goto out;
    printf("recovery: events=%" PRIu64 " truncated_bytes=%" PRIu64 " bad_records=%" PRIu64
           " ledger_missing=%d ledger_ahead=%d\n",
           rec.events, rec.truncated_bytes, rec.bad_records, rec.ledger_missing, rec.ledger_ahead);
    fflush(stdout);
    rc = ef_fs_open(argv[2], EF_FS_WRITE | EF_FS_CREATE, &o.fd);
    if (rc == 0)
        rc = recover_out(&o, &max_n);
    next = 1;
    while (rc == 0 && ef_spool_read(sp, next, 100000, 64 << 20, find_max, &max_n, &next) > 0)
        ;
    if (rc < 0)
        goto out;
    n = max_n == UINT64_MAX ? 0 : max_n + 1;
    while (rc == 0) {
        uint64_t burst, k;

        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        burst = 1 + rng % 500;
        for (k = 0; k < burst && n < total && rc == 0; k++, n++) {
            size_t len = payload(n, ev, sizeof(ev));

            rc = ef_spool_append(sp, ev, (uint32_t)len, &seq);
        }
        if (rc == 0)
            rc = ef_spool_commit(sp);
        if (rc == 0)
            rc = deliver(sp, &o);
        if (rc > 0)
            rc = 0;
        if (rc == 0)
            rc = ef_spool_tick(sp, uv_hrtime() / 1000000);
        if (rc == 0 && n == total && ef_spool_cursor(sp, 0) + 1 == next_seq(sp))
            break;
    }
out:
    if (rc < 0)
        fprintf(stderr, "spool_writer: %s\n", ef_strerror(rc));
    ef_spool_close(sp);
    if (o.fd >= 0)
        ef_fs_close(o.fd);
    free(o.buf);
    return rc < 0 ? 1 : 0;
}

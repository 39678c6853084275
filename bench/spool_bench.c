/*
 * spool_bench.c - throughput of the spool: append, read and acknowledge.
 *
 * Usage: spool_bench [DIR [EVENTS [EVENT_BYTES [SYNC]]]]   (SYNC: always|interval|never|memory)
 * Appends EVENTS events of EVENT_BYTES bytes in batches of 1000 (one commit
 * each), reads every batch back as a sink would and acknowledges it, with
 * the interval tick on a real clock: the loop the pipeline runs, on one
 * core. Prints events/s, MB/s, fsyncs and the peak RSS.
 */
#include "bench_util.h"
#include "pipeline/spool.h"
#include "util/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define BATCH 1000

struct sink_ctx {
    uint64_t events, bytes, sum;
};

static int visit(void *ud, const struct ef_spool_event *ev)
{
    struct sink_ctx *c = ud;

    /* Touch the bytes as a sink copying them into a batch would. */
    c->sum += ((const uint8_t *)ev->data)[ev->len / 2];
    c->events++;
    c->bytes += ev->len;
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const sinks[] = {"bench"};
    const char *dir = argc > 1 ? argv[1] : "spool-bench";
    uint64_t events = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000000;
    uint32_t size = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 500;
    const char *sync = argc > 4 ? argv[4] : "interval";
    struct ef_spool_options o;
    struct ef_spool_stats st;
    struct ef_spool *sp;
    struct sink_ctx sink = {0, 0, 0};
    uint64_t i, seq, next = 1, t0, t1;
    double cpu0, cpu1;
    char *payload;
    int rc;

    memset(&o, 0, sizeof(o));
    o.dir = dir;
    o.segment_size = 64ull * 1024 * 1024;
    o.sync = strcmp(sync, "always") == 0  ? EF_SPOOL_SYNC_EVERY
             : strcmp(sync, "never") == 0 ? EF_SPOOL_SYNC_OFF
                                          : EF_SPOOL_SYNC_PERIODIC;
    o.mode = strcmp(sync, "memory") == 0 ? EF_SPOOL_MODE_MEMORY : EF_SPOOL_MODE_DISK;
    o.sync_interval_ms = 1000;
    o.sinks = sinks;
    o.n_sinks = 1;
    payload = malloc(size);
    if (!payload)
        return 1;
    memset(payload, 'x', size);
    payload[0] = '{';
    payload[size - 1] = '}';
    rc = ef_spool_open(&o, &sp, NULL);
    if (rc < 0) {
        fprintf(stderr, "spool_bench: %s: %s\n", dir, ef_strerror(rc));
        return 1;
    }
    cpu0 = ef_bench_cpu_seconds();
    t0 = uv_hrtime();
    for (i = 0; i < events && rc == 0; i += BATCH) {
        uint64_t k, n = events - i < BATCH ? events - i : BATCH;

        for (k = 0; k < n && rc == 0; k++)
            rc = ef_spool_append(sp, payload, size, &seq);
        if (rc == 0)
            rc = ef_spool_commit(sp);
        while (rc == 0 && (rc = ef_spool_read(sp, next, BATCH, 1 << 20, visit, &sink, &next)) > 0)
            rc = ef_spool_ack(sp, 0, next - 1);
        if (rc == 0)
            rc = ef_spool_tick(sp, uv_hrtime() / 1000000);
    }
    t1 = uv_hrtime();
    cpu1 = ef_bench_cpu_seconds();
    ef_spool_get_stats(sp, &st);
    ef_spool_close(sp);
    if (rc < 0) {
        fprintf(stderr, "spool_bench: %s\n", ef_strerror(rc));
        return 1;
    }
    if (sink.events != events) {
        fprintf(stderr, "spool_bench: read %" PRIu64 " of %" PRIu64 " events\n", sink.events,
                events);
        return 1;
    }
    {
        double secs = (double)(t1 - t0) / 1e9;

        printf("spool_bench: %" PRIu64 " events of %" PRIu32 " bytes, sync=%s: %.3f s, "
               "%.0f events/s, %.0f MB/s appended+read, %" PRIu64 " fsyncs, peak RSS %ld KiB\n",
               events, size, sync, secs, (double)events / secs, (double)sink.bytes / secs / 1e6,
               st.fsyncs, ef_bench_peak_rss_kib());
        if (cpu1 > cpu0)
            printf("spool_bench: %.3f CPU s: %.0f events per CPU second\n", cpu1 - cpu0,
                   (double)events / (cpu1 - cpu0));
    }
    free(payload);
    return 0;
}

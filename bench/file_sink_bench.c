/*
 * file_sink_bench.c - throughput of the file sink through the sink driver
 * (memory spool, real clock, default batching: 1000 events / 1 MiB).
 *
 * Usage: file_sink_bench DIR [EVENTS [EVENT_BYTES [ROTATE_MIB]]]
 * Appends EVENTS events of EVENT_BYTES bytes to the spool in slices of
 * 10,000, keeping at most two slices unacknowledged, and writes them to
 * DIR/bench.ndjson. Prints events/s, MB/s and the peak RSS.
 */
#include "bench_sink.h"
#include "bench_util.h"
#include "config/config.h"
#include "pipeline/sinkdrv.h"
#include "pipeline/spool.h"
#include "sinks/file.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define SLICE 10000

int main(int argc, char **argv)
{
    static const char *const names[] = {"bench"};
    uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000000, i, seq = 0, t0, t1;
    uint32_t len = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 10) : 400;
    uint64_t rotate = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
    struct ef_spool_options so = {.mode = EF_SPOOL_MODE_MEMORY, .sinks = names, .n_sinks = 1};
    struct ef_sink_cfg cfg = {0};
    struct ef_file_sink_stats fst;
    struct ef_clock clock;
    struct ef_spool *sp;
    struct ef_sink *s;
    uv_loop_t loop;
    char path[4096], *ev;
    double secs;

    if (argc < 2 || len < 16)
        return 2;
    snprintf(path, sizeof(path), "%s/bench.ndjson", argv[1]);
    remove(path);
    ev = malloc(len);
    memset(ev, 'x', len);
    ev[0] = '{';
    ev[len - 1] = '}';
    uv_loop_init(&loop);
    ef_clock_init_uv(&clock, &loop);
    if (ef_spool_open(&so, &sp, NULL) < 0)
        return 1;
    cfg.name = "bench";
    cfg.path = path;
    cfg.rotate_size = rotate * 1024 * 1024;
    if (ef_bench_open_sink(&loop, &clock, sp, &cfg, &ef_sink_file_ops, argv[1], &s) < 0)
        return 1;
    ef_sinkdrv_flush(s); /* measure throughput, not batch_max_age */
    t0 = uv_hrtime();
    for (i = 0; i < n; i++) {
        if (ef_spool_append(sp, ev, len, &seq) < 0)
            return 1;
        if ((i + 1) % SLICE == 0 || i + 1 == n) {
            ef_spool_commit(sp);
            ef_sinkdrv_notify(s);
            while (seq - ef_spool_cursor(sp, 0) > 2 * SLICE)
                uv_run(&loop, UV_RUN_ONCE);
        }
    }
    while (ef_spool_cursor(sp, 0) < seq)
        uv_run(&loop, UV_RUN_ONCE);
    t1 = uv_hrtime();
    ef_file_sink_get_stats(ef_sinkdrv_state(s), &fst);
    ef_bench_stop_sink(&loop, s);
    ef_spool_close(sp);
    ef_clock_close(&clock, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    secs = (double)(t1 - t0) / 1e9;
    printf("file sink: %" PRIu64 " events of %u bytes in %.3f s: %.0f events/s, %.1f MB/s "
           "(%" PRIu64 " batches, %" PRIu64 " rotations), peak RSS %ld KiB\n",
           n, len, secs, (double)n / secs, (double)fst.bytes / secs / 1e6, fst.batches,
           fst.rotations, ef_bench_peak_rss_kib());
    free(ev);
    return 0;
}

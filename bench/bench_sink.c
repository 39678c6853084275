/*
 * bench_sink.c - feeding a sink driver for the sink benchmarks; see
 * bench_sink.h.
 */
#include "bench_sink.h"

#include "bench_util.h"

int ef_bench_feed(uv_loop_t *loop, struct ef_spool *sp, struct ef_sink *s, uint64_t n, size_t len,
                  ef_bench_event_fn make, char *ev, size_t cap, uint64_t max_retried)
{
    struct ef_sink_stats st;
    uint64_t i = 0, seq;

    for (;;) {
        ef_sinkdrv_get_stats(s, &st);
        /* Keep at most two slices in the spool that the sink has not acknowledged. */
        if (i < n && st.backlog < 2 * EF_BENCH_SLICE) {
            uint64_t end = i + EF_BENCH_SLICE < n ? i + EF_BENCH_SLICE : n;

            for (; i < end; i++) {
                size_t l = make(ev, cap, i, len);

                ef_spool_append(sp, ev, (uint32_t)l, &seq);
            }
            ef_spool_commit(sp);
            ef_sinkdrv_notify(s);
            if (i == n)
                ef_sinkdrv_flush(s);
            continue;
        }
        if (i == n && st.backlog == 0 && st.in_flight == 0)
            return 0;
        if (st.retried > max_retried)
            return -1;
        uv_run(loop, UV_RUN_ONCE);
    }
}

int ef_bench_open_sink(uv_loop_t *loop, struct ef_clock *clock, struct ef_spool *sp,
                       const struct ef_sink_cfg *cfg, const struct ef_sink_ops *ops,
                       const char *dead_letter_dir, struct ef_sink **out)
{
    struct ef_sinkdrv_options o = {0};

    ef_sinkdrv_options_from_cfg(&o, cfg);
    o.ops = ops;
    o.dead_letter_dir = dead_letter_dir;
    ef_backoff_init(&o.backoff, 1);
    return ef_sinkdrv_open(loop, clock, sp, &o, out);
}

void ef_bench_stop_sink(uv_loop_t *loop, struct ef_sink *s)
{
    int stopped = 0;

    ef_sinkdrv_stop(s, ef_bench_on_stopped, &stopped);
    while (!stopped)
        uv_run(loop, UV_RUN_ONCE);
}

/*
 * bench_util.h - what every benchmark measures with: wall and CPU time,
 * peak RSS, and the flag a stopping sink driver sets.
 *
 * Main thread of a benchmark (ef_bench_on_stopped: the loop thread).
 */
#ifndef EF_BENCH_UTIL_H
#define EF_BENCH_UTIL_H

/* Seconds on libuv's monotonic clock: portable, where timespec_get is not (mingw + msvcrt). */
double ef_bench_now(void);
/* User + system CPU seconds of the whole process so far (all its threads); 0 on Windows. */
double ef_bench_cpu_seconds(void);
/* The process's peak resident set in KiB; -1 where getrusage is missing (Windows). */
long ef_bench_peak_rss_kib(void);
/*
 * Keeps the whole process (every thread it has and will start) on CPU 0,
 * for "events/s on one core". Returns 0, or -1 where it cannot (not Linux).
 */
int ef_bench_pin_one_cpu(void);
/* Deletes path and, if it is a folder, everything under it (best effort). */
void ef_bench_remove_tree(const char *path);
/* A stop callback (ef_sinkdrv_stop's): sets the int that ud points to. */
void ef_bench_on_stopped(void *ud);

#endif

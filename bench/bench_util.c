/*
 * bench_util.c - timing and memory figures for the benchmarks; see
 * bench_util.h.
 */
#include "bench_util.h"

#include <uv.h>
#ifndef _WIN32
#include <sys/resource.h>
#endif

double ef_bench_now(void)
{
    return (double)uv_hrtime() / 1e9;
}

double ef_bench_cpu_seconds(void)
{
#ifndef _WIN32
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) == 0)
        return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
#endif
    return 0;
}

long ef_bench_peak_rss_kib(void)
{
#ifndef _WIN32
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) == 0)
        return ru.ru_maxrss;
#endif
    return -1;
}

void ef_bench_on_stopped(void *ud)
{
    *(int *)ud = 1;
}

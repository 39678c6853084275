/*
 * bench_util.c - timing and memory figures for the benchmarks; see
 * bench_util.h.
 */
#include "bench_util.h"

#include <stdio.h>
#include <uv.h>
#ifdef __linux__
#include <sched.h>
#endif
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

static void bench_unlink(const char *path)
{
    uv_fs_t req;

    uv_fs_unlink(NULL, &req, path, NULL);
    uv_fs_req_cleanup(&req);
}

int ef_bench_pin_one_cpu(void)
{
#ifdef __linux__
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(0, &set);
    return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : -1;
#else
    return -1;
#endif
}

void ef_bench_remove_tree(const char *path)
{
    uv_fs_t req;
    uv_dirent_t ent;
    char sub[4096];

    if (uv_fs_scandir(NULL, &req, path, 0, NULL) >= 0) {
        while (uv_fs_scandir_next(&req, &ent) != UV_EOF) {
            snprintf(sub, sizeof(sub), "%s/%s", path, ent.name);
            if (ent.type == UV_DIRENT_DIR)
                ef_bench_remove_tree(sub);
            else
                bench_unlink(sub);
        }
        uv_fs_req_cleanup(&req);
        uv_fs_rmdir(NULL, &req, path, NULL);
        uv_fs_req_cleanup(&req);
        return;
    }
    uv_fs_req_cleanup(&req);
    bench_unlink(path);
}

void ef_bench_on_stopped(void *ud)
{
    *(int *)ud = 1;
}

/*
 * etl_bench.c - throughput of the portable .etl reader.
 *
 * usage: etl_bench [-n ROUNDS] [FILE.etl...]
 * (default: every .etl under ../shared/testdata/etl, 200 rounds of each)
 *
 * Reads each file ROUNDS times from disk (page cache) through ef_etl_open_file
 * and touches every record's payload, then prints per file and in total the
 * MB/s of decoded (uncompressed) buffer bytes, the MB/s of file bytes, the
 * records per second, and the process's peak RSS. Not a test: run by hand.
 */
#include "bench_util.h"
#include "etl/etl.h"
#include "util/error.h"

#include <stdio.h>
#include <uv.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *default_files[] = {
    "testdata/etl/perfview/net.4.5.2.x86.etl",
    "testdata/etl/perfview/gcevents.etl",
    "testdata/etl/perfview/gcrundownevents.etl",
    "testdata/etl/etl-parser/AMSITrace.etl",
    "testdata/etl/tx/HTTP_Server.etl",
    "testdata/etl/perfview/primitive-types.etl",
    "testdata/etl/etl-parser/lxcore_kernel.etl",
    "testdata/etl/perfview/SelfDescribingSingleEvent.etl",
    "testdata/etl/perfview/smallEtlFile.etl",
};

struct totals {
    double secs;
    unsigned long long decoded, in, records;
};

static int bench_file(const char *path, int rounds, struct totals *t)
{
    unsigned long long decoded = 0, in = 0, records = 0;
    double t0 = ef_bench_now(), dt;
    volatile unsigned sink = 0;
    int i, rc;

    for (i = 0; i < rounds; i++) {
        struct ef_etl_reader *r = NULL;
        const struct ef_record *rec;

        rc = ef_etl_open_file(path, NULL, &r);
        if (rc < 0) {
            fprintf(stderr, "%s: %s\n", path, ef_strerror(rc));
            return rc;
        }
        while ((rc = ef_etl_next(r, &rec)) == 1)
            sink += rec->user_data_len ? rec->user_data[rec->user_data_len - 1] : 0;
        decoded += ef_etl_stats(r)->bytes_decoded;
        in += ef_etl_stats(r)->bytes_in;
        records += ef_etl_stats(r)->records;
        ef_etl_close(r);
        if (rc < 0)
            return rc;
    }
    dt = ef_bench_now() - t0;
    (void)sink;
    printf("%-40s %8.1f MB/s decoded %8.1f MB/s file %10.0f records/s (%d rounds)\n",
           strrchr(path, '/') ? strrchr(path, '/') + 1 : path, decoded / dt / 1e6, in / dt / 1e6,
           records / dt, rounds);
    t->secs += dt;
    t->decoded += decoded;
    t->in += in;
    t->records += records;
    return 0;
}

int main(int argc, char **argv)
{
    const char *shared = getenv("EF_SHARED_DIR");
    struct totals t = {0};
    int rounds = 200, i, first = 1;
    char path[1024];

    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        rounds = atoi(argv[2]);
        first = 3;
    }
    if (rounds <= 0)
        rounds = 1;
    if (!shared || !*shared)
        shared = "../shared";
    if (first < argc) {
        for (i = first; i < argc; i++)
            if (bench_file(argv[i], rounds, &t) < 0)
                return 1;
    } else {
        for (i = 0; i < (int)(sizeof(default_files) / sizeof(default_files[0])); i++) {
            snprintf(path, sizeof(path), "%s/%s", shared, default_files[i]);
            if (bench_file(path, rounds, &t) < 0)
                return 1;
        }
    }
    printf("total: %.1f MB/s decoded, %.1f MB/s file, %.0f records/s; peak RSS %ld KiB\n",
           t.decoded / t.secs / 1e6, t.in / t.secs / 1e6, t.records / t.secs,
           ef_bench_peak_rss_kib());
    return 0;
}

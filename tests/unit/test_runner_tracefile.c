/*
 * test_runner_tracefile.c - a session's schemas shared by its files
 * (source/tracefile.h): every file gives the same lines as when it is
 * opened alone with schemas of its own, whichever files came before it.
 */
#include "runner.h"

#include <stdio.h>
#include <string.h>

#include "source/tracefile.h"
#include "util/attr.h"
#include "util/crc32c.h"
#include "util/error.h"

/* What a trace gave: its lines' count, bytes and a CRC over them all. */
struct digest {
    uint64_t lines, bytes;
    uint32_t crc;
};

struct trace_case {
    const char *etl;
    const char *manifest; /* NULL: none */
};

/* Files with manifest, TraceLogging, EventSource, embedded and MOF-less kernel schemas. */
static const struct trace_case traces[] = {
    {"testdata/etl/tx/HTTP_Server.etl", "testdata/etl/tx/HTTP_Server.man"},
    {"testdata/etl/perfview/net.4.5.2.x86.etl", NULL},
    {"testdata/etl/perfview/SelfDescribingSingleEvent.etl", NULL},
    {"testdata/etl/perfview/gcevents.etl", "testdata/etl/perfview/ClrEtwAll.man"},
    {"testdata/etl/etl-parser/AMSITrace.etl", NULL},
};

static void read_all(struct ef_tracefile *tf, struct digest *d)
{
    struct ef_buf line;
    uint64_t ts;
    int rc;

    memset(d, 0, sizeof(*d));
    ef_buf_init(&line, 16u << 20);
    while ((rc = ef_tracefile_next(tf, &line, &ts)) == 1) {
        d->lines++;
        d->bytes += line.len;
        d->crc = ef_crc32c(d->crc, line.data, line.len);
    }
    ck_assert_int_eq(rc, 0);
    ef_buf_free(&line);
}

/* Every manifest of the table, as one session would list them. */
static void session_opts(struct ef_tracefile_opts *o, const char **mans, char paths[][1024])
{
    size_t i;

    memset(o, 0, sizeof(*o));
    for (i = 0; i < EF_ARRAY_LEN(traces); i++) {
        if (traces[i].manifest) {
            mans[o->n_manifests] =
                ef_test_shared_path(traces[i].manifest, paths[o->n_manifests], 1024);
            o->n_manifests++;
        }
    }
    o->manifests = mans;
}

START_TEST(shared_schemas_same_lines)
{
    const char *mans[EF_ARRAY_LEN(traces)];
    char manpaths[EF_ARRAY_LEN(traces)][1024], etl[1024];
    struct digest alone[EF_ARRAY_LEN(traces)], d;
    struct ef_tracefile_schemas *schemas;
    struct ef_tracefile_error err;
    struct ef_tracefile_opts o;
    struct ef_tracefile *tf;
    size_t i, round;

    session_opts(&o, mans, manpaths);
    for (i = 0; i < EF_ARRAY_LEN(traces); i++) {
        ef_test_shared_path(traces[i].etl, etl, sizeof(etl));
        ck_assert_msg(ef_tracefile_open(etl, &o, &tf, &err) == 0, "%s", err.msg);
        read_all(tf, &alone[i]);
        ck_assert_uint_gt(alone[i].lines, 0);
        ef_tracefile_close(tf);
    }
    /* One session's schemas for all the files, twice over: what one learnt does not leak. */
    ck_assert_msg(ef_tracefile_schemas_new(&o, &schemas, &err) == 0, "%s", err.msg);
    for (round = 0; round < 2; round++) {
        for (i = 0; i < EF_ARRAY_LEN(traces); i++) {
            size_t k = round ? EF_ARRAY_LEN(traces) - 1 - i : i;

            ef_test_shared_path(traces[k].etl, etl, sizeof(etl));
            ck_assert_msg(ef_tracefile_open_with(etl, schemas, &o, &tf, &err) == 0, "%s", err.msg);
            read_all(tf, &d);
            ef_tracefile_close(tf);
            ck_assert_msg(d.lines == alone[k].lines && d.bytes == alone[k].bytes &&
                              d.crc == alone[k].crc,
                          "%s differs with shared schemas", traces[k].etl);
        }
    }
    ef_tracefile_schemas_free(schemas);
}
END_TEST

START_TEST(bad_schema_files)
{
    static const char *const bad[] = {"testdata/etl/tx/no-such.man",
                                      "testdata/etl/tx/HTTP_Server.etl"};
    struct ef_tracefile_schemas *schemas = (struct ef_tracefile_schemas *)&schemas;
    struct ef_tracefile_error err;
    struct ef_tracefile_opts o;
    char path[1024];
    const char *p = ef_test_shared_path(bad[_i], path, sizeof(path));

    memset(&o, 0, sizeof(o));
    o.manifests = &p;
    o.n_manifests = 1;
    ck_assert_int_lt(ef_tracefile_schemas_new(&o, &schemas, &err), 0);
    ck_assert_ptr_null(schemas);
    ck_assert_int_eq(err.schemas, 1);
    ck_assert_msg(err.msg[0] != '\0', "no message");
    ef_tracefile_schemas_free(NULL);
}
END_TEST

TCase *ef_runner_tracefile_case(void);

TCase *ef_runner_tracefile_case(void)
{
    TCase *tc = tcase_create("tracefile");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, shared_schemas_same_lines);
    tcase_add_loop_test(tc, bad_schema_files, 0, 2);
    return tc;
}

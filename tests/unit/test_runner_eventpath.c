/*
 * test_runner_eventpath.c - the live callback path (source/eventpath.h)
 * against the replay path: every record of a real trace, read with the
 * portable .etl reader and pushed through an eventpath into a real queue
 * drained on a uv loop, gives the lines ef_tracefile_next gives for the
 * same trace, byte for byte and in order, with the same counters. Three
 * traces cover the schema sources a live session asks: a manifest
 * (HTTP_Server with HTTP_Server.man), TraceLogging (lxcore_kernel's LxCore
 * events) and the kernel MOF classes built in (SelfDescribingSingleEvent's
 * MSNT_SystemTrace SysConfig events, beside its TraceLogging event).
 * Also a full queue under EF_QUEUE_DROP: the pushes end in bounded time,
 * and every event pushed is either drained or counted as dropped.
 */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "etl/etl.h"
#include "pipe_helpers.h"
#include "source/eventpath.h"
#include "source/tracefile.h"
#include "util/attr.h"
#include "util/error.h"

/* Lines as the queue's drain function got them: one buffer, an offset per line. */
struct lines {
    char *data;
    size_t len, cap;
    size_t *off; /* n + 1 entries: line i is data[off[i] .. off[i + 1]) */
    size_t n, ncap;
};

static void lines_add(struct lines *l, const void *data, size_t len)
{
    if (l->len + len > l->cap) {
        l->cap = (l->len + len) * 2 + 4096;
        l->data = realloc(l->data, l->cap);
        ck_assert_ptr_nonnull(l->data);
    }
    if (l->n + 2 > l->ncap) {
        l->ncap = l->ncap * 2 + 64;
        l->off = realloc(l->off, l->ncap * sizeof(*l->off));
        ck_assert_ptr_nonnull(l->off);
    }
    if (l->n == 0)
        l->off[0] = 0;
    memcpy(l->data + l->len, data, len);
    l->len += len;
    l->off[++l->n] = l->len;
}

static void lines_free(struct lines *l)
{
    free(l->data);
    free(l->off);
    memset(l, 0, sizeof(*l));
}

static int drain(void *ud, uint32_t session, const void *data, uint32_t len)
{
    struct lines *l = ud;

    ck_assert_uint_eq(session, 7);
    lines_add(l, data, len);
    return 0;
}

struct drained_ctx {
    struct lines *l;
    size_t want;
};

static int all_drained(void *ud)
{
    const struct drained_ctx *c = ud;

    return c->l->n >= c->want;
}

static int closed;

static void on_closed(void *ud)
{
    (void)ud;
    closed = 1;
}

static int is_closed(void *ud)
{
    (void)ud;
    return closed;
}

static void close_queue(uv_loop_t *loop, struct ef_queue *q)
{
    closed = 0;
    ef_queue_close(q, on_closed, NULL);
    ck_assert(th_run_until(loop, is_closed, NULL, 1000));
}

/*
 * A queue on loop holding at most max_events and max_bytes (0: its default),
 * whose drain collects into got, and an eventpath of session 7 pushing into
 * it under EF_QUEUE_DROP with the manifests mans.
 */
static struct ef_eventpath *path_into_queue(uv_loop_t *loop, uint64_t max_events,
                                            uint64_t max_bytes, const char *const *mans,
                                            size_t n_mans, struct lines *got, struct ef_queue **q)
{
    struct ef_queue_options qo;
    struct ef_eventpath_opts eo;
    struct ef_eventpath *ep = NULL;
    char err[1024];

    memset(&qo, 0, sizeof(qo));
    qo.max_events = max_events;
    qo.max_bytes = max_bytes;
    qo.drain = drain;
    qo.drain_ud = got;
    ck_assert_int_eq(ef_queue_new(loop, &qo, q), 0);
    memset(&eo, 0, sizeof(eo));
    eo.manifests = mans;
    eo.n_manifests = n_mans;
    eo.queue = *q;
    eo.session = 7;
    eo.policy = EF_QUEUE_DROP;
    ck_assert_msg(ef_eventpath_new(&eo, &ep, err, sizeof(err)) == 0, "%s", err);
    return ep;
}

/* What the replay path gives for a trace: its lines and counters. */
static void replay(const char *etl, const char *const *mans, size_t n_mans, struct lines *want,
                   struct ef_tracefile_stats *st)
{
    struct ef_tracefile_opts o;
    struct ef_tracefile_error err;
    struct ef_tracefile *tf = NULL;
    struct ef_buf line;
    uint64_t ts;
    int rc;

    memset(&o, 0, sizeof(o));
    o.manifests = mans;
    o.n_manifests = n_mans;
    ck_assert_msg(ef_tracefile_open(etl, &o, &tf, &err) == 0, "%s", err.msg);
    ef_buf_init(&line, 16u << 20);
    while ((rc = ef_tracefile_next(tf, &line, &ts)) == 1)
        lines_add(want, line.data, line.len);
    ck_assert_int_eq(rc, 0);
    ef_tracefile_get_stats(tf, st);
    ef_buf_free(&line);
    ef_tracefile_close(tf);
}

static void same_as_replay(const char *etl_rel, const char *man_rel)
{
    char etl[1024], man[1024];
    const char *mans[1];
    size_t n_mans = 0, i;
    struct ef_queue_stats qs;
    struct ef_tracefile_stats tst;
    struct ef_eventpath_stats es;
    struct ef_eventpath *ep;
    struct ef_etl_reader *rd = NULL;
    const struct ef_record *rec;
    struct ef_queue *q = NULL;
    struct lines want = {0}, got = {0};
    struct drained_ctx dc;
    uint64_t records = 0;
    uv_loop_t loop;
    int rc;

    ef_test_shared_path(etl_rel, etl, sizeof(etl));
    if (man_rel) {
        mans[0] = ef_test_shared_path(man_rel, man, sizeof(man));
        n_mans = 1;
    }
    replay(etl, mans, n_mans, &want, &tst);
    ck_assert_uint_gt(want.n, 0);

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    /* Room for the whole trace: nothing may be dropped here. */
    ep = path_into_queue(&loop, 1u << 20, 1u << 30, mans, n_mans, &got, &q);

    ck_assert_int_eq(ef_etl_open_file(etl, NULL, &rd), 0);
    while ((rc = ef_etl_next(rd, &rec)) == 1) {
        ck_assert_int_eq(ef_eventpath_push(ep, rec), 0);
        /* Flush now and then, as a consumer does once per ETW buffer. */
        if (++records % 100 == 0)
            ck_assert_int_eq(ef_eventpath_flush(ep), 0);
    }
    ck_assert_int_eq(rc, 0);
    ef_etl_close(rd);
    ck_assert_int_eq(ef_eventpath_flush(ep), 0);

    dc.l = &got;
    dc.want = want.n;
    ck_assert(th_run_until(&loop, all_drained, &dc, 10000));
    ck_assert_uint_eq(got.n, want.n);
    for (i = 0; i < want.n; i++) {
        size_t wl = want.off[i + 1] - want.off[i], gl = got.off[i + 1] - got.off[i];

        ck_assert_msg(wl == gl && memcmp(want.data + want.off[i], got.data + got.off[i], wl) == 0,
                      "%s: line %zu differs:\n  replay: %.*s\n  live:   %.*s", etl_rel, i, (int)wl,
                      want.data + want.off[i], (int)gl, got.data + got.off[i]);
    }

    ef_eventpath_get_stats(ep, &es);
    ck_assert_uint_eq(es.events, records);
    ck_assert_uint_eq(es.events, tst.events);
    ck_assert_uint_gt(es.decoded, 0);
    ck_assert_uint_eq(es.decoded, tst.decoded);
    ck_assert_uint_eq(es.no_schema, tst.no_schema);
    ck_assert_uint_eq(es.decode_errors, tst.decode_errors);
    ck_assert_uint_eq(es.render_errors, tst.render_errors);
    ck_assert_uint_eq(es.pushed, want.n);
    ck_assert_uint_eq(es.dropped, 0);
    ef_queue_get_stats(q, &qs);
    ck_assert_uint_eq(qs.drained, want.n);

    ef_eventpath_free(ep);
    close_queue(&loop, q);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
    lines_free(&want);
    lines_free(&got);
}

START_TEST(manifest_events_as_replay)
{
    same_as_replay("testdata/etl/tx/HTTP_Server.etl", "testdata/etl/tx/HTTP_Server.man");
}
END_TEST

START_TEST(kernel_mof_events_as_replay)
{
    same_as_replay("testdata/etl/etl-parser/lxcore_kernel.etl", NULL);
}
END_TEST

START_TEST(tracelogging_events_as_replay)
{
    same_as_replay("testdata/etl/perfview/SelfDescribingSingleEvent.etl", NULL);
}
END_TEST

/* Without a queue (benchmarks), ef_eventpath_last shows each line as the replay renders it. */
START_TEST(render_only_last_line)
{
    char etl[1024], man[1024], err[1024];
    const char *mans[1];
    struct ef_tracefile_stats tst;
    struct ef_eventpath_opts eo;
    struct ef_eventpath_stats es;
    struct ef_eventpath *ep = NULL;
    struct ef_etl_reader *rd = NULL;
    const struct ef_record *rec;
    const struct ef_buf *last;
    struct lines want = {0};
    size_t i = 0;
    int rc;

    ef_test_shared_path("testdata/etl/tx/HTTP_Server.etl", etl, sizeof(etl));
    mans[0] = ef_test_shared_path("testdata/etl/tx/HTTP_Server.man", man, sizeof(man));
    replay(etl, mans, 1, &want, &tst);
    memset(&eo, 0, sizeof(eo));
    eo.manifests = mans;
    eo.n_manifests = 1;
    ck_assert_msg(ef_eventpath_new(&eo, &ep, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(ef_etl_open_file(etl, NULL, &rd), 0);
    while ((rc = ef_etl_next(rd, &rec)) == 1) {
        ck_assert_int_eq(ef_eventpath_push(ep, rec), 0);
        last = ef_eventpath_last(ep);
        ck_assert_uint_lt(i, want.n);
        ck_assert_uint_eq(last->len, want.off[i + 1] - want.off[i]);
        ck_assert(memcmp(last->data, want.data + want.off[i], last->len) == 0);
        i++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(i, want.n);
    ef_etl_close(rd);
    /* Counters are published by flush only. */
    ef_eventpath_get_stats(ep, &es);
    ck_assert_uint_eq(es.events, 0);
    ck_assert_int_eq(ef_eventpath_flush(ep), 0);
    ef_eventpath_get_stats(ep, &es);
    ck_assert_uint_eq(es.events, tst.events);
    ck_assert_uint_gt(es.decoded, 0);
    ck_assert_uint_eq(es.decoded, tst.decoded);
    ck_assert_uint_eq(es.pushed, 0);
    ef_eventpath_free(ep);
    lines_free(&want);
}
END_TEST

/* A manifest that does not load fails new and says which file. */
START_TEST(bad_manifest_fails_new)
{
    char dir[1024], path[1200], err[1024];
    const char *mans[1] = {path};
    struct ef_eventpath_opts eo;
    struct ef_eventpath *ep = (struct ef_eventpath *)1;
    FILE *f;

    th_mkdtemp(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/broken.man", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("<instrumentationManifest><instrumentation><events><provider", f);
    fclose(f);
    memset(&eo, 0, sizeof(eo));
    eo.manifests = mans;
    eo.n_manifests = 1;
    ck_assert_int_lt(ef_eventpath_new(&eo, &ep, err, sizeof(err)), 0);
    ck_assert_ptr_null(ep);
    ck_assert_msg(strstr(err, "broken.man") != NULL, "%s", err);
    th_rmtree(dir);
}
END_TEST

/* --- a full queue under EF_QUEUE_DROP ---------------------------------- */

/* The records of a trace, copied: they outlive the reader. */
struct recs {
    struct ef_record *v;
    uint8_t **bufs;
    size_t n;
};

static void recs_load(const char *etl, struct recs *rs)
{
    struct ef_etl_reader *rd = NULL;
    const struct ef_record *rec;
    size_t cap = 0;
    int rc;

    memset(rs, 0, sizeof(*rs));
    ck_assert_int_eq(ef_etl_open_file(etl, NULL, &rd), 0);
    while ((rc = ef_etl_next(rd, &rec)) == 1) {
        struct ef_record *r;
        struct ef_ext_item *ext;
        size_t need = rec->user_data_len + rec->ext_count * sizeof(*ext), k;
        uint8_t *b, *p;

        for (k = 0; k < rec->ext_count; k++)
            need += rec->ext[k].size;
        if (rs->n == cap) {
            cap = cap * 2 + 256;
            rs->v = realloc(rs->v, cap * sizeof(*rs->v));
            rs->bufs = realloc(rs->bufs, cap * sizeof(*rs->bufs));
            ck_assert(rs->v && rs->bufs);
        }
        b = malloc(need + 1);
        ck_assert_ptr_nonnull(b);
        r = &rs->v[rs->n];
        *r = *rec;
        ext = (struct ef_ext_item *)b;
        p = b + rec->ext_count * sizeof(*ext);
        for (k = 0; k < rec->ext_count; k++) {
            ext[k] = rec->ext[k];
            memcpy(p, rec->ext[k].data, rec->ext[k].size);
            ext[k].data = p;
            p += rec->ext[k].size;
        }
        r->ext = rec->ext_count ? ext : NULL;
        memcpy(p, rec->user_data, rec->user_data_len);
        r->user_data = p;
        rs->bufs[rs->n++] = b;
    }
    ck_assert_int_eq(rc, 0);
    ef_etl_close(rd);
}

static void recs_free(struct recs *rs)
{
    size_t i;

    for (i = 0; i < rs->n; i++)
        free(rs->bufs[i]);
    free(rs->bufs);
    free(rs->v);
}

struct pusher {
    struct ef_eventpath *ep;
    const struct recs *rs;
    unsigned rounds;
    int rc;
    uv_mutex_t mu;
    uv_cond_t cond;
    int done;
};

/* Pushes every record rounds times, flushing every 64, on a thread of its own. */
static void push_all(void *arg)
{
    struct pusher *pu = arg;
    unsigned r;
    size_t i;
    int rc = 0;

    for (r = 0; r < pu->rounds && rc == 0; r++)
        for (i = 0; i < pu->rs->n && rc == 0; i++) {
            rc = ef_eventpath_push(pu->ep, &pu->rs->v[i]);
            if (rc == 0 && i % 64 == 63)
                rc = ef_eventpath_flush(pu->ep);
        }
    if (rc == 0)
        rc = ef_eventpath_flush(pu->ep);
    uv_mutex_lock(&pu->mu);
    pu->rc = rc;
    pu->done = 1;
    uv_cond_signal(&pu->cond);
    uv_mutex_unlock(&pu->mu);
}

START_TEST(full_queue_drops_and_counts)
{
    char etl[1024], man[1024];
    const char *mans[1];
    struct ef_queue_stats qs;
    struct ef_eventpath_stats es;
    struct ef_queue *q = NULL;
    struct lines got = {0};
    struct drained_ctx dc;
    struct pusher pu;
    struct recs rs;
    uv_thread_t th;
    uv_loop_t loop;
    uint64_t deadline;

    ef_test_shared_path("testdata/etl/tx/HTTP_Server.etl", etl, sizeof(etl));
    mans[0] = ef_test_shared_path("testdata/etl/tx/HTTP_Server.man", man, sizeof(man));
    recs_load(etl, &rs);
    ck_assert_uint_gt(rs.n, 64);

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    memset(&pu, 0, sizeof(pu));
    /* 64 events: far fewer than pushed; the loop does not drain meanwhile. */
    pu.ep = path_into_queue(&loop, 64, 0, mans, 1, &got, &q);
    pu.rs = &rs;
    pu.rounds = 4;
    ck_assert_int_eq(uv_mutex_init(&pu.mu), 0);
    ck_assert_int_eq(uv_cond_init(&pu.cond), 0);

    /* A push that blocked on the full queue would never end: give it 20 s, far above need. */
    ck_assert_int_eq(uv_thread_create(&th, push_all, &pu), 0);
    deadline = uv_hrtime() + 20ull * 1000000000;
    uv_mutex_lock(&pu.mu);
    while (!pu.done && uv_hrtime() < deadline)
        (void)uv_cond_timedwait(&pu.cond, &pu.mu, deadline - uv_hrtime());
    uv_mutex_unlock(&pu.mu);
    ck_assert_msg(pu.done, "the pushes into a full queue did not end: a push blocked");
    uv_thread_join(&th);
    ck_assert_int_eq(pu.rc, 0);

    ef_eventpath_get_stats(pu.ep, &es);
    ck_assert_uint_eq(es.events, 4 * rs.n);
    ck_assert_uint_eq(es.pushed + es.render_errors, es.events);
    ck_assert_uint_gt(es.dropped, 0);
    ck_assert_uint_lt(es.dropped, es.pushed);
    /* The queue holds what it accepted, at most its capacity. */
    ef_queue_get_stats(q, &qs);
    ck_assert_uint_eq(qs.dropped, es.dropped);
    ck_assert_uint_le(qs.accepted, 64);
    ck_assert_uint_eq(qs.accepted, es.pushed - es.dropped);

    dc.l = &got;
    dc.want = (size_t)(es.pushed - es.dropped);
    ck_assert(th_run_until(&loop, all_drained, &dc, 1000));
    ck_assert_uint_eq(got.n, es.pushed - es.dropped);

    ef_eventpath_free(pu.ep);
    uv_cond_destroy(&pu.cond);
    uv_mutex_destroy(&pu.mu);
    close_queue(&loop, q);
    ck_assert_int_eq(th_loop_fini(&loop), 0);
    lines_free(&got);
    recs_free(&rs);
}
END_TEST

TCase *ef_runner_eventpath_case(void);
TCase *ef_runner_eventpath_case(void)
{
    TCase *tc = tcase_create("eventpath");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, manifest_events_as_replay);
    tcase_add_test(tc, kernel_mof_events_as_replay);
    tcase_add_test(tc, tracelogging_events_as_replay);
    tcase_add_test(tc, render_only_last_line);
    tcase_add_test(tc, bad_manifest_fails_new);
    tcase_add_test(tc, full_queue_drops_and_counts);
    return tc;
}

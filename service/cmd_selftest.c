/*
 * cmd_selftest.c - `etwfwd selftest [--events N]`: the one-command
 * proof on a real Windows machine that live ETW works end to end.
 *
 * It starts a private real-time session (etwfwd-selftest), enables a
 * TraceLogging provider of its own (runner/selftest_events.h), writes N
 * events of known content, consumes them through the same consumer,
 * decoder and renderer as `run` (core/etw/consumer.h, runner/eventpath.h),
 * checks every rendered line, and prints how many arrived decoded and
 * equal, how many were lost, the latency from write to callback and the
 * rate. Exit 0 only when every event arrived, decoded and equal, once.
 *
 * DESIGN. The consumer thread checks each event as it renders it (the
 * event path renders without a queue here), marking it in a bitmap and
 * keeping its latency; the main thread writes, then waits until all
 * arrived or nothing new arrived for a few flush intervals, then stops
 * the session (which flushes what ETW holds) and joins the consumer.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#ifdef _WIN32

#include "etw/consumer.h"
#include "etw/etw_api.h"
#include "etw/etw_defs.h"
#include "etw/session.h"
#include "runner/eventpath.h"
#include "runner/selftest_events.h"
#include "util/error.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define DEFAULT_EVENTS 1000u
#define MAX_EVENTS     10000000u
#define IDLE_MS        5000u /* give up when nothing arrives for this long */

struct selftest {
    uint32_t n;
    struct ef_eventpath *ep;
    uv_mutex_t mu;
    uint8_t *seen;     /* one byte per event: 0 missing, 1 equal */
    uint32_t *latency; /* microseconds, by event */
    uint64_t arrived, equal, wrong, duplicates, others;
    uint64_t last_arrival_ns;
    char first_why[256];
};

static uint64_t now_filetime(void)
{
    FILETIME ft;

    GetSystemTimePreciseAsFileTime(&ft);
    return ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

static void on_record(void *ud, const struct ef_record *r)
{
    struct selftest *t = ud;
    const struct ef_buf *line;
    uint64_t now = now_filetime();
    uint32_t seq = UINT32_MAX;
    char why[256];
    int rc;

    if (ef_eventpath_push(t->ep, r) < 0)
        return;
    line = ef_eventpath_last(t->ep);
    rc = ef_selftest_check((const char *)line->data, line->len, &seq, why, sizeof(why));
    uv_mutex_lock(&t->mu);
    t->last_arrival_ns = uv_hrtime();
    if (rc == EF_ENOENT || rc == EF_EFORMAT) {
        t->others++;
    } else if (seq >= t->n) {
        t->wrong++;
    } else if (t->seen[seq]) {
        t->duplicates++;
    } else {
        t->arrived++;
        t->seen[seq] = 1;
        if (rc == 0) {
            t->equal++;
            t->latency[seq] = now > r->timestamp ? (uint32_t)((now - r->timestamp) / 10) : 0;
        } else {
            t->wrong++;
            if (!t->first_why[0])
                snprintf(t->first_why, sizeof(t->first_why), "event %u: %s", seq, why);
        }
    }
    uv_mutex_unlock(&t->mu);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

static int parse_args(int argc, char **argv, uint32_t *n)
{
    int i;

    *n = DEFAULT_EVENTS;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);

            if (*end || v == 0 || v > MAX_EVENTS) {
                fprintf(stderr, "etwfwd selftest: --events takes 1 to %u\n", MAX_EVENTS);
                return -1;
            }
            *n = (uint32_t)v;
        } else {
            fprintf(stderr, "usage: etwfwd selftest [--events N]\n");
            return -1;
        }
    }
    return 0;
}

/* Writes the n events. Returns 0 or EF_E* with err filled. */
static int write_events(const struct ef_etw_api *api, const struct ef_selftest_meta *m, uint32_t n,
                        char *err, size_t errlen)
{
    EVENT_DESCRIPTOR d;
    EVENT_DATA_DESCRIPTOR v[3];
    uint8_t payload[EF_SELFTEST_PAYLOAD_MAX];
    REGHANDLE h = 0;
    GUID g;
    ULONG st;
    uint32_t i;
    size_t len;

    memcpy(&g, &m->provider, sizeof(g));
    st = api->event_register(&g, NULL, NULL, &h);
    if (st != 0) {
        snprintf(err, errlen, "EventRegister: %s", ef_etw_win_error_name(st));
        return EF_ESYS;
    }
    st = api->event_set_information(h, (EVENT_INFO_CLASS)EF_SELFTEST_SET_TRAITS, (PVOID)m->traits,
                                    m->traits_len);
    if (st != 0)
        ef_log_warn("selftest", "EventSetInformation(traits): %s", ef_etw_win_error_name(st));
    memset(&d, 0, sizeof(d));
    d.Channel = m->channel;
    d.Level = m->level;
    d.Opcode = m->opcode;
    d.Keyword = m->keyword;
    memset(v, 0, sizeof(v));
    v[0].Ptr = (ULONGLONG)(uintptr_t)m->traits;
    v[0].Size = m->traits_len;
    v[0].Reserved = EF_SELFTEST_DESC_PROVIDER_METADATA;
    v[1].Ptr = (ULONGLONG)(uintptr_t)m->event;
    v[1].Size = m->event_len;
    v[1].Reserved = EF_SELFTEST_DESC_EVENT_METADATA;
    for (i = 0; i < n; i++) {
        if (ef_selftest_payload(i, payload, sizeof(payload), &len) < 0)
            break;
        v[2].Ptr = (ULONGLONG)(uintptr_t)payload;
        v[2].Size = (ULONG)len;
        st = api->event_write_transfer(h, &d, NULL, NULL, 3, v);
        if (st != 0) {
            snprintf(err, errlen, "EventWriteTransfer of event %u: %s", i,
                     ef_etw_win_error_name(st));
            break;
        }
    }
    api->event_unregister(h);
    return i == n ? 0 : EF_ESYS;
}

/* Waits until every event arrived or nothing arrived for IDLE_MS. */
static void wait_arrivals(struct selftest *t)
{
    for (;;) {
        uint64_t arrived, last;

        uv_mutex_lock(&t->mu);
        arrived = t->arrived;
        last = t->last_arrival_ns;
        uv_mutex_unlock(&t->mu);
        if (arrived >= t->n || uv_hrtime() - last > (uint64_t)IDLE_MS * 1000000)
            return;
        Sleep(20);
    }
}

static void report(struct selftest *t, const struct ef_etw_consumer_stats *cs,
                   const struct ef_etw_query *q, uint64_t t0, uint64_t t_written)
{
    uint32_t *lat = malloc((size_t)(t->equal ? t->equal : 1) * sizeof(*lat));
    uint64_t span = t->last_arrival_ns > t0 ? t->last_arrival_ns - t0 : 1;
    uint32_t i, k = 0;

    printf("written:  %u events in %.3f s\n", t->n, (double)(t_written - t0) / 1e9);
    printf("arrived:  %llu of %u (decoded and equal %llu, wrong %llu, duplicates %llu, "
           "other events %llu), missing %llu\n",
           (unsigned long long)t->arrived, t->n, (unsigned long long)t->equal,
           (unsigned long long)t->wrong, (unsigned long long)t->duplicates,
           (unsigned long long)t->others, (unsigned long long)(t->n - t->arrived));
    if (t->first_why[0])
        printf("first difference: %s\n", t->first_why);
    printf("lost:     RT_LostEvent records %llu (events) %llu (buffers); EventsLost %u, "
           "RealTimeBuffersLost %u\n",
           (unsigned long long)cs->lost_events, (unsigned long long)cs->lost_buffers,
           q->events_lost, q->rt_buffers_lost);
    if (lat) {
        for (i = 0; i < t->n; i++)
            if (t->seen[i])
                lat[k++] = t->latency[i];
        if (k) {
            qsort(lat, k, sizeof(*lat), cmp_u32);
            printf("latency:  p50 %.1f ms, p99 %.1f ms, max %.1f ms (write to callback)\n",
                   lat[k / 2] / 1000.0, lat[(uint64_t)k * 99 / 100] / 1000.0, lat[k - 1] / 1000.0);
        }
        free(lat);
    }
    printf("rate:     %.0f events/s (first write to last arrival)\n",
           (double)t->arrived * 1e9 / (double)span);
}

/* The session, enabled and consumed; returns an EF_EXIT_* code. */
static int run_selftest(const struct ef_etw_api *api, struct selftest *t)
{
    struct ef_etw_session_opts so;
    struct ef_etw_consumer_opts co;
    struct ef_etw_consumer_stats cs;
    struct ef_etw_consumer *cons = NULL;
    struct ef_etw_session *sess = NULL;
    struct ef_eventpath_opts eo;
    struct ef_selftest_meta m;
    struct ef_provider_cfg prov;
    struct ef_etw_query q;
    char err[1024];
    uint64_t t0, t1;
    int rc, code = EF_EXIT_FAILURE, stuck = 0;

    memset(&cs, 0, sizeof(cs));
    memset(&q, 0, sizeof(q));
    if (ef_selftest_meta_build(&m) < 0) {
        fprintf(stderr, "etwfwd selftest: cannot build the provider's metadata\n");
        return EF_EXIT_FAILURE;
    }
    memset(&eo, 0, sizeof(eo));
    eo.render.format = 0;
    eo.policy = 1;
    if (ef_eventpath_new(&eo, &t->ep, err, sizeof(err)) < 0) {
        fprintf(stderr, "etwfwd selftest: %s\n", err);
        return EF_EXIT_FAILURE;
    }
    memset(&so, 0, sizeof(so));
    so.api = api;
    so.name = EF_ETW_SESSION_PREFIX "selftest";
    so.kind = 0;      /* realtime */
    so.on_exists = 0; /* restart: a session left by a killed selftest is ours */
    so.buffer_size_kb = 256;
    so.min_buffers = 16;
    so.max_buffers = 256;
    so.flush_timer_s = 1;
    so.clock = EF_ETW_CLOCK_QPC;
    rc = ef_etw_session_start(&so, &sess, &q, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "etwfwd selftest: %s\n", err);
        goto out;
    }
    memset(&prov, 0, sizeof(prov));
    prov.name = (char *)EF_SELFTEST_PROVIDER;
    prov.level = 5;
    rc = ef_etw_session_enable(sess, &prov, &m.provider, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "etwfwd selftest: %s\n", err);
        goto out;
    }
    memset(&co, 0, sizeof(co));
    co.api = api;
    co.logger_name = ef_etw_session_wname(sess);
    co.on_record = on_record;
    co.ud = t;
    rc = ef_etw_consumer_start(&co, &cons, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "etwfwd selftest: %s\n", err);
        goto out;
    }
    t0 = uv_hrtime();
    t->last_arrival_ns = t0;
    rc = write_events(api, &m, t->n, err, sizeof(err));
    t1 = uv_hrtime();
    if (rc < 0)
        fprintf(stderr, "etwfwd selftest: %s\n", err);
    else
        wait_arrivals(t);
    (void)ef_etw_session_query(sess, &q);
    (void)ef_etw_session_stop(sess);
    (void)ef_etw_consumer_close(cons);
    if (ef_etw_consumer_join(cons, 10000) < 0) {
        fprintf(stderr, "etwfwd selftest: the consumer did not stop within 10 s\n");
        stuck = 1; /* left running, with what it uses: the process ends anyway */
    } else {
        ef_etw_consumer_get_stats(cons, &cs);
    }
    uv_mutex_lock(&t->mu);
    report(t, &cs, &q, t0, t1);
    code = rc == 0 && t->equal == t->n && t->wrong == 0 && t->duplicates == 0 ? EF_EXIT_OK
                                                                              : EF_EXIT_FAILURE;
    uv_mutex_unlock(&t->mu);
    printf("%s\n", code == EF_EXIT_OK ? "PASS" : "FAIL");
out:
    if (sess && !cons)
        (void)ef_etw_session_stop(sess); /* started, then enabling or opening failed */
    ef_etw_session_free(sess);
    if (!stuck) {
        ef_etw_consumer_free(cons);
        ef_eventpath_free(t->ep);
    }
    return code;
}

static int selftest(int argc, char **argv)
{
    const struct ef_etw_api *api;
    struct selftest t;
    int rc, code;

    memset(&t, 0, sizeof(t));
    if (parse_args(argc, argv, &t.n) < 0)
        return EF_EXIT_USAGE;
    api = ef_etw_api_get(&rc);
    if (!api) {
        fprintf(stderr, "etwfwd selftest: the ETW functions are missing: %s\n", ef_strerror(rc));
        return EF_EXIT_FAILURE;
    }
    t.seen = calloc(t.n, 1);
    t.latency = calloc(t.n, sizeof(*t.latency));
    if (!t.seen || !t.latency || uv_mutex_init(&t.mu) != 0) {
        fprintf(stderr, "etwfwd selftest: out of memory\n");
        free(t.seen);
        free(t.latency);
        return EF_EXIT_FAILURE;
    }
    printf("selftest: %u events through session %sselftest\n", t.n, EF_ETW_SESSION_PREFIX);
    code = run_selftest(api, &t);
    uv_mutex_destroy(&t.mu);
    free(t.seen);
    free(t.latency);
    return code;
}

#endif /* _WIN32 */

int ef_cmd_selftest(int argc, char **argv)
{
#ifdef _WIN32
    return selftest(argc, argv);
#else
    (void)argc;
    (void)argv;
    fprintf(stderr, "etwfwd selftest: needs Windows (it starts a real-time ETW session)\n");
    return EF_EXIT_USAGE;
#endif
}

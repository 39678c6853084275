/*
 * selftest_win.c - the self-test's run (selftest.h): a private real-time
 * session, the self-test's TraceLogging provider enabled into it, N
 * events written, consumed through the same consumer, decoder and
 * renderer as `run`, checked line by line (selftest_events.h).
 *
 * DESIGN. The consumer thread checks each event as it renders it (the
 * event path renders without a queue here), marking it in a bitmap and
 * keeping its latency; the calling thread writes, then waits until all
 * arrived or nothing new arrived for idle_ms, then stops the session
 * (which flushes what ETW holds to the consumer) and joins the consumer.
 * Loss is taken from both ends: the events that never arrived, and what
 * ETW says it lost (the growth of QUERY's EventsLost and
 * RealTimeBuffersLost while the self-test ran, and RT_LostEvent records).
 */
#include "runner/selftest.h"

#include "etw/consumer.h"
#include "etw/etw_defs.h"
#include "etw/session.h"
#include "source/eventpath.h"
#include "runner/selftest_events.h"
#include "util/error.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define DEFAULT_IDLE_MS 5000u
#define DEFAULT_JOIN_MS 10000u

struct check {
    uint32_t n;
    struct ef_eventpath *ep;
    uv_mutex_t mu;
    uint8_t *seen;     /* one byte per event: 0 missing, 1 arrived */
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

/* The consumer thread: render, check, count. */
static void on_record(void *ud, const struct ef_record *r)
{
    struct check *t = ud;
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
        if (!t->first_why[0])
            snprintf(t->first_why, sizeof(t->first_why), "a self-test event with Seq %u of %u", seq,
                     t->n);
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

/* Writes the n events as TraceLoggingWrite would. Returns 0 or EF_E* with err filled. */
static int write_events(const struct ef_etw_api *api, const struct ef_selftest_meta *m, uint32_t n,
                        uint32_t *written, char *err, size_t errlen)
{
    EVENT_DESCRIPTOR d;
    EVENT_DATA_DESCRIPTOR v[3];
    uint8_t payload[EF_SELFTEST_PAYLOAD_MAX];
    REGHANDLE h = 0;
    GUID g;
    ULONG st;
    uint32_t i;
    size_t len;

    *written = 0;
    memcpy(&g, &m->provider, sizeof(g));
    st = api->event_register(&g, NULL, NULL, &h);
    if (st != 0) {
        snprintf(err, errlen, "EventRegister: %s", ef_etw_win_error_name(st));
        return EF_ESYS;
    }
    /* Without the traits ETW ignores the descriptors' Type: the metadata would be payload. */
    st = api->event_set_information(h, (EVENT_INFO_CLASS)EF_SELFTEST_SET_TRAITS, (PVOID)m->traits,
                                    m->traits_len);
    if (st != 0) {
        snprintf(err, errlen, "EventSetInformation(EventProviderSetTraits): %s",
                 ef_etw_win_error_name(st));
        api->event_unregister(h);
        return EF_ESYS;
    }
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
    *written = i;
    api->event_unregister(h);
    return i == n ? 0 : EF_ESYS;
}

/* Waits until every event arrived or nothing arrived for idle_ms. */
static void wait_arrivals(struct check *t, uint32_t idle_ms)
{
    for (;;) {
        uint64_t arrived, last;

        uv_mutex_lock(&t->mu);
        arrived = t->arrived;
        last = t->last_arrival_ns;
        uv_mutex_unlock(&t->mu);
        if (arrived >= t->n || uv_hrtime() - last > (uint64_t)idle_ms * 1000000)
            return;
        Sleep(10);
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* Latency percentiles and the rate, into res. t->mu held. */
static void figures(const struct check *t, uint64_t t0, struct ef_selftest_result *res)
{
    uint32_t *lat = malloc((size_t)(t->equal ? t->equal : 1) * sizeof(*lat));
    uint64_t span = t->last_arrival_ns > t0 ? t->last_arrival_ns - t0 : 1;
    uint32_t i, k = 0;

    if (lat) {
        for (i = 0; i < t->n; i++)
            if (t->seen[i] && k < t->equal)
                lat[k++] = t->latency[i];
        if (k) {
            qsort(lat, k, sizeof(*lat), cmp_u32);
            res->p50_ms = lat[k / 2] / 1000.0;
            res->p99_ms = lat[(uint64_t)k * 99 / 100] / 1000.0;
            res->max_ms = lat[k - 1] / 1000.0;
        }
        free(lat);
    }
    res->events_per_s = (double)t->arrived * 1e9 / (double)span;
}

/* The verdict and its first reason, from the counts. */
static void verdict(const struct check *t, struct ef_selftest_result *res)
{
    res->passed = res->written == t->n && t->equal == t->n && t->wrong == 0 && t->duplicates == 0;
    if (res->passed)
        return;
    if (res->missing)
        snprintf(res->why, sizeof(res->why),
                 "%llu of %u events were lost (never arrived); ETW reports %llu events and %llu "
                 "real-time buffers lost, %llu RT_LostEvent records%s",
                 (unsigned long long)res->missing, t->n, (unsigned long long)res->events_lost,
                 (unsigned long long)res->rt_buffers_lost,
                 (unsigned long long)(res->rt_lost_event_records + res->rt_lost_buffer_records),
                 t->others ? "; other events arrived: self-test events the decoder did not "
                             "recognise?"
                           : "");
    else if (t->wrong)
        snprintf(res->why, sizeof(res->why), "%llu events arrived different: %s",
                 (unsigned long long)t->wrong, t->first_why);
    else if (t->duplicates)
        snprintf(res->why, sizeof(res->why), "%llu events arrived twice",
                 (unsigned long long)t->duplicates);
}

static void report(FILE *f, const struct check *t, const struct ef_selftest_result *res,
                   double write_s)
{
    if (!f)
        return;
    fprintf(f, "written:  %u events in %.3f s\n", res->written, write_s);
    fprintf(f,
            "arrived:  %llu of %u (decoded and equal %llu, wrong %llu, duplicates %llu, "
            "other events %llu), missing %llu\n",
            (unsigned long long)res->arrived, t->n, (unsigned long long)res->equal,
            (unsigned long long)res->wrong, (unsigned long long)res->duplicates,
            (unsigned long long)res->others, (unsigned long long)res->missing);
    if (t->first_why[0])
        fprintf(f, "first difference: %s\n", t->first_why);
    fprintf(f,
            "lost:     RT_LostEvent records %llu (events) %llu (buffers); EventsLost %llu, "
            "RealTimeBuffersLost %llu\n",
            (unsigned long long)res->rt_lost_event_records,
            (unsigned long long)res->rt_lost_buffer_records, (unsigned long long)res->events_lost,
            (unsigned long long)res->rt_buffers_lost);
    if (res->equal)
        fprintf(f, "latency:  p50 %.1f ms, p99 %.1f ms, max %.1f ms (write to callback)\n",
                res->p50_ms, res->p99_ms, res->max_ms);
    fprintf(f, "rate:     %.0f events/s (first write to last arrival)\n", res->events_per_s);
    fprintf(f, "%s%s%s\n", res->passed ? "PASS" : "FAIL", res->passed ? "" : ": ",
            res->passed ? "" : res->why);
}

static uint64_t grown(uint32_t now, uint32_t then)
{
    return now >= then ? (uint64_t)(now - then) : now;
}

/* The session, the provider and the consumer; t is set up. */
static int run(const struct ef_selftest_opts *o, struct check *t, struct ef_selftest_result *res)
{
    struct ef_etw_session_opts so;
    struct ef_etw_consumer_opts co;
    struct ef_etw_consumer_stats cs;
    struct ef_etw_consumer *cons = NULL;
    struct ef_etw_session *sess = NULL;
    struct ef_eventpath_opts eo;
    struct ef_selftest_meta m;
    struct ef_provider_cfg prov;
    struct ef_etw_query q0, q1;
    char err[1024];
    uint64_t t0, t1;
    int rc, stuck = 0;

    memset(&cs, 0, sizeof(cs));
    memset(&q0, 0, sizeof(q0));
    memset(&q1, 0, sizeof(q1));
    if (ef_selftest_meta_build(&m) < 0) {
        snprintf(res->why, sizeof(res->why), "cannot build the provider's metadata");
        return EF_EINVAL;
    }
    memset(&eo, 0, sizeof(eo));
    eo.render.format = 0;
    eo.policy = 1;
    rc = ef_eventpath_new(&eo, &t->ep, err, sizeof(err));
    if (rc < 0) {
        snprintf(res->why, sizeof(res->why), "%s", err);
        return rc;
    }
    memset(&so, 0, sizeof(so));
    so.api = o->api;
    so.name = o->session ? o->session : EF_ETW_SESSION_PREFIX "selftest";
    so.kind = EF_SESSION_REALTIME;
    so.on_exists = EF_ON_EXISTS_RESTART; /* a session left by a killed selftest is ours */
    so.buffer_size_kb = 256;
    so.min_buffers = 16;
    so.max_buffers = 256;
    so.flush_timer_s = 1;
    so.clock = EF_ETW_CLOCK_QPC;
    rc = ef_etw_session_start(&so, &sess, &q0, err, sizeof(err));
    if (rc < 0)
        goto out;
    memset(&prov, 0, sizeof(prov));
    prov.name = (char *)EF_SELFTEST_PROVIDER;
    prov.level = o->level ? o->level : 5;
    prov.match_any = o->match_any;
    rc = ef_etw_session_enable(sess, &prov, &m.provider, err, sizeof(err));
    if (rc < 0)
        goto out;
    memset(&co, 0, sizeof(co));
    co.api = o->api;
    co.logger_name = ef_etw_session_wname(sess);
    co.on_record = on_record;
    co.ud = t;
    rc = ef_etw_consumer_start(&co, &cons, err, sizeof(err));
    if (rc < 0)
        goto out;

    t0 = uv_hrtime();
    t->last_arrival_ns = t0;
    rc = write_events(o->api, &m, t->n, &res->written, err, sizeof(err));
    t1 = uv_hrtime();
    if (rc == 0)
        wait_arrivals(t, o->idle_ms ? o->idle_ms : DEFAULT_IDLE_MS);
    if (ef_etw_session_query(sess, &q1) < 0)
        q1 = q0;
    (void)ef_etw_session_stop(sess);
    (void)ef_etw_consumer_close(cons);
    if (ef_etw_consumer_join(cons, o->join_ms ? o->join_ms : DEFAULT_JOIN_MS) < 0)
        stuck = 1; /* left running, with what it uses: the process ends anyway */
    else
        ef_etw_consumer_get_stats(cons, &cs);

    uv_mutex_lock(&t->mu);
    res->arrived = t->arrived;
    res->equal = t->equal;
    res->wrong = t->wrong;
    res->duplicates = t->duplicates;
    res->others = t->others;
    res->missing = t->n - t->arrived;
    res->rt_lost_event_records = cs.lost_events;
    res->rt_lost_buffer_records = cs.lost_buffers;
    res->events_lost = grown(q1.events_lost, q0.events_lost);
    res->rt_buffers_lost = grown(q1.rt_buffers_lost, q0.rt_buffers_lost);
    figures(t, t0, res);
    verdict(t, res);
    if (rc < 0)
        snprintf(res->why, sizeof(res->why), "%s", err);
    else if (stuck)
        snprintf(res->why, sizeof(res->why), "the consumer did not stop within %u ms",
                 o->join_ms ? o->join_ms : DEFAULT_JOIN_MS);
    if (stuck)
        res->passed = 0;
    report(o->report, t, res, (double)(t1 - t0) / 1e9);
    uv_mutex_unlock(&t->mu);
    rc = 0;
out:
    if (rc < 0)
        snprintf(res->why, sizeof(res->why), "%s", err);
    if (sess && !cons)
        (void)ef_etw_session_stop(sess); /* started, then enabling or opening failed */
    ef_etw_session_free(sess);
    if (stuck)
        return EF_ETIMEDOUT; /* the consumer still uses t: the caller must not free it */
    ef_etw_consumer_free(cons);
    ef_eventpath_free(t->ep);
    t->ep = NULL;
    return rc;
}

int ef_selftest_run(const struct ef_selftest_opts *o, struct ef_selftest_result *res)
{
    struct check *t;
    int rc;

    memset(res, 0, sizeof(*res));
    if (!o->api || o->events == 0) {
        snprintf(res->why, sizeof(res->why), "no ETW API table or no events to write");
        return EF_EINVAL;
    }
    t = calloc(1, sizeof(*t));
    if (t) {
        t->n = o->events;
        t->seen = calloc(t->n, 1);
        t->latency = calloc(t->n, sizeof(*t->latency));
    }
    if (!t || !t->seen || !t->latency || uv_mutex_init(&t->mu) != 0) {
        if (t) {
            free(t->seen);
            free(t->latency);
        }
        free(t);
        snprintf(res->why, sizeof(res->why), "out of memory");
        return EF_ENOMEM;
    }
    rc = run(o, t, res);
    if (rc == EF_ETIMEDOUT)
        return 0; /* ran, failed (res says why); t stays with the consumer left behind */
    uv_mutex_destroy(&t->mu);
    free(t->seen);
    free(t->latency);
    free(t);
    return rc;
}

/*
 * test_etw_session_win.c - session control (core/etw/session_win.c)
 * against the fake controller (fake_control_win.c).
 *
 * A spy sits between the session code and the fake: it copies the bytes of
 * every properties block as the call received it and logs each call in
 * order, so the tests read what StartTrace and ControlTrace saw at the x64
 * byte offsets ETW-NOTES §1 gives (Guid @24, ClientContext @40, Flags @44,
 * BufferSize @48, ... LogFileNameOffset @112, LoggerNameOffset @116), not
 * through the struct the code under test filled. The last test makes sure
 * the fake's own argument checks bite.
 */
#include "runner.h"

#include "fake_trace.h"

#include "etw/etw_defs.h"
#include "etw/session.h"
#include "util/attr.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

_Static_assert(sizeof(EVENT_TRACE_PROPERTIES) == 120, "ETW-NOTES §1: 120 bytes");

/* The struct plus two names of 1024 UTF-16 units: 120 + 4096. */
#define BLOCK 4216u

/* ---- the spy ---- */

struct call {
    char what; /* 'S' StartTrace, 'C' ControlTrace, 'E' EnableTraceEx2 */
    ULONG code, status;
    GUID provider;
    unsigned char bytes[BLOCK]; /* the block as the call received it */
    WCHAR name[64];
    /* EnableTraceEx2: ENABLE_TRACE_PARAMETERS (48 bytes on x64), its first filter and data. */
    int has_params;
    unsigned char params[48], fdesc[16], fdata[16];
};

#define MAX_CALLS 24
static struct call *calls;
static unsigned n_calls;
static struct ef_etw_api inner, api;

static struct call *log_call(char what, ULONG code, LPCWSTR name)
{
    struct call *c = &calls[n_calls < MAX_CALLS ? n_calls++ : MAX_CALLS - 1];

    memset(c, 0, sizeof(*c));
    c->what = what;
    c->code = code;
    if (name)
        wcsncpy(c->name, name, 63);
    return c;
}

static void copy_block(struct call *c, const EVENT_TRACE_PROPERTIES *p)
{
    ULONG n = p->Wnode.BufferSize < BLOCK ? p->Wnode.BufferSize : BLOCK;

    memcpy(c->bytes, p, n);
}

static ULONG WINAPI spy_start(PTRACEHANDLE h, LPCWSTR name, PEVENT_TRACE_PROPERTIES p)
{
    struct call *c = log_call('S', 0, name);

    copy_block(c, p);
    return c->status = inner.start_trace(h, name, p);
}

static ULONG WINAPI spy_control(TRACEHANDLE h, LPCWSTR name, PEVENT_TRACE_PROPERTIES p, ULONG code)
{
    struct call *c = log_call('C', code, name);

    copy_block(c, p);
    return c->status = inner.control_trace(h, name, p, code);
}

static ULONG WINAPI spy_enable(TRACEHANDLE h, LPCGUID g, ULONG code, UCHAR level, ULONGLONG any,
                               ULONGLONG all, ULONG timeout, PENABLE_TRACE_PARAMETERS params)
{
    struct call *c = log_call('E', code, NULL);

    c->provider = *g;
    if (params) {
        _Static_assert(sizeof(ENABLE_TRACE_PARAMETERS) == 48, "ETW-NOTES §4: 48 bytes on x64");
        c->has_params = 1;
        memcpy(c->params, params, sizeof(c->params));
        if (params->FilterDescCount && params->EnableFilterDesc) {
            const EVENT_FILTER_DESCRIPTOR *d = params->EnableFilterDesc;

            memcpy(c->fdesc, d, sizeof(c->fdesc));
            memcpy(c->fdata, (const void *)(uintptr_t)d->Ptr,
                   d->Size < sizeof(c->fdata) ? d->Size : sizeof(c->fdata));
        }
    }
    return c->status = inner.enable_trace_ex2(h, g, code, level, any, all, timeout, params);
}

static void setup(void)
{
    fake_trace_reset();
    memset(&inner, 0, sizeof(inner));
    fake_trace_install_control(&inner);
    api = inner;
    api.start_trace = spy_start;
    api.control_trace = spy_control;
    api.enable_trace_ex2 = spy_enable;
    calls = calloc(MAX_CALLS, sizeof(*calls));
    ck_assert_ptr_nonnull(calls);
    n_calls = 0;
}

static void teardown(void)
{
    free(calls);
    calls = NULL;
}

/* ---- helpers ---- */

static uint32_t u32(const unsigned char *b, size_t off)
{
    uint32_t v;

    memcpy(&v, b + off, 4);
    return v;
}

/* The UTF-16LE bytes of an ASCII name, with its NUL, at off. */
static void assert_name_at(const unsigned char *b, size_t off, const char *name)
{
    size_t i, n = strlen(name);

    for (i = 0; i <= n; i++) {
        ck_assert_msg(b[off + 2 * i] == (unsigned char)name[i] && b[off + 2 * i + 1] == 0,
                      "name byte %zu at %zu: %02x %02x, want '%c' 00", i, off + 2 * i,
                      b[off + 2 * i], b[off + 2 * i + 1], name[i] ? name[i] : '0');
    }
}

static struct ef_etw_session_opts realtime(const char *name)
{
    struct ef_etw_session_opts o;

    memset(&o, 0, sizeof(o));
    o.api = &api;
    o.name = name;
    o.kind = EF_SESSION_REALTIME;
    o.on_exists = EF_ON_EXISTS_RESTART;
    o.buffer_size_kb = 64;
    o.min_buffers = 40;
    o.max_buffers = 80;
    o.flush_timer_s = 3;
    o.clock = EF_ETW_CLOCK_SYSTEM;
    return o;
}

/* A kind = existing session: someone else's, read as it is. */
static struct ef_etw_session_opts existing(const char *name)
{
    struct ef_etw_session_opts o;

    memset(&o, 0, sizeof(o));
    o.api = &api;
    o.name = name;
    o.kind = EF_SESSION_EXISTING;
    return o;
}

static struct ef_provider_cfg provider(const char *name)
{
    struct ef_provider_cfg p;

    memset(&p, 0, sizeof(p));
    p.name = (char *)name;
    return p;
}

/*
 * StartTrace answers status once: the start of a realtime session fails
 * with want and leaves no session. Returns what the start gave back.
 */
static struct ef_etw_session *start_refused(const char *name, ULONG status, int want, char *err,
                                            size_t cap)
{
    struct ef_etw_session_opts o = realtime(name);
    struct ef_etw_session *s;

    fake_trace.start_status[0] = status;
    fake_trace.n_start_status = 1;
    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, cap), want);
    ck_assert_ptr_null(fake_trace_find(name));
    return s;
}

static const struct call *find_call(char what, ULONG code, unsigned from)
{
    unsigned i;

    for (i = from; i < n_calls; i++)
        if (calls[i].what == what && calls[i].code == code)
            return &calls[i];
    return NULL;
}

static const struct ef_guid prov1 = {
    0x22fb2cd6, 0x0e7b, 0x422b, {0xa0, 0xc7, 0x2f, 0xad, 0x1f, 0xd0, 0xe7, 0x16}};
static const struct ef_guid prov2 = {
    0xce5fa4ea, 0xab00, 0x5402, {0x8b, 0x76, 0x9f, 0x76, 0xac, 0x85, 0x8f, 0xb5}};

/* ---- the properties block ---- */

START_TEST(session_realtime_props_bytes)
{
    struct ef_etw_session_opts o = realtime("etwfwd-test");
    struct ef_etw_session *s;
    struct fake_session *fs;
    const unsigned char *b;
    char err[512];
    size_t i;

    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), 0);
    ck_assert_str_eq(fake_trace.last_error, "");
    ck_assert_uint_eq(fake_trace.start_calls, 1);
    ck_assert_uint_ge(n_calls, 1);
    ck_assert_int_eq(calls[0].what, 'S');
    b = calls[0].bytes;
    ck_assert_uint_eq(u32(b, 0), BLOCK);        /* Wnode.BufferSize: struct + two names */
    ck_assert_uint_eq(u32(b, 44), 0x00020000u); /* Wnode.Flags: TRACED_GUID */
    ck_assert_uint_eq(u32(b, 40), 2);           /* ClientContext: system time */
    for (i = 24; i < 40; i++)
        ck_assert_uint_eq(b[i], 0);             /* Wnode.Guid: GUID_NULL, ETW picks one */
    ck_assert_uint_eq(u32(b, 48), 64);          /* BufferSize KB */
    ck_assert_uint_eq(u32(b, 52), 40);          /* MinimumBuffers */
    ck_assert_uint_eq(u32(b, 56), 80);          /* MaximumBuffers */
    ck_assert_uint_eq(u32(b, 64), 0x08000100u); /* REAL_TIME | INDEPENDENT_SESSION */
    ck_assert_uint_eq(u32(b, 68), 3);           /* FlushTimer */
    ck_assert_uint_eq(u32(b, 72), 0);           /* EnableFlags: not a kernel session */
    ck_assert_uint_eq(u32(b, 112), 0);          /* LogFileNameOffset: real time only */
    ck_assert_uint_eq(u32(b, 116), 120);        /* LoggerNameOffset: right after the struct */
    assert_name_at(b, 120, "etwfwd-test");

    ck_assert_int_eq(ef_etw_session_owned(s), 1);
    ck_assert(wcscmp(ef_etw_session_wname(s), L"etwfwd-test") == 0);
    fs = fake_trace_find("etwfwd-test");
    ck_assert_ptr_nonnull(fs);
    ck_assert_int_eq(fs->running, 1);
    ck_assert_int_eq(fs->ours, 1);
    ck_assert_uint_eq(fs->clock, 2);
    ck_assert_uint_eq(fs->log_file_mode, 0x08000100u);
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    ck_assert_int_eq(fs->running, 0);
    ef_etw_session_free(s);
}
END_TEST

START_TEST(session_kernel_private_props)
{
    struct ef_etw_session_opts o = realtime("etwfwd-kernel");
    struct ef_etw_session *s;
    const unsigned char *b;
    char err[512];
    size_t i;

    o.kind = EF_SESSION_KERNEL;
    o.clock = 0;                      /* default: QPC */
    o.enable_flags = 0x1u | 0x10000u; /* PROCESS | NETWORK_TCPIP */
    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), 0);
    b = calls[0].bytes;
    ck_assert_uint_eq(u32(b, 64), 0x02000100u); /* REAL_TIME | SYSTEM_LOGGER */
    ck_assert_uint_eq(u32(b, 72), 0x10001u);
    ck_assert_uint_eq(u32(b, 40), 1); /* QPC */
    for (i = 24; i < 40; i++)
        ck_assert_uint_eq(b[i], 0); /* not SystemTraceControlGuid: a private system logger */
    assert_name_at(b, 120, "etwfwd-kernel");
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    ef_etw_session_free(s);
}
END_TEST

START_TEST(session_kernel_nt_props)
{
    /* SystemTraceControlGuid {9e814aad-3204-11d2-9a82-006008a86939} as wire bytes. */
    static const unsigned char kguid[16] = {0xad, 0x4a, 0x81, 0x9e, 0x04, 0x32, 0xd2, 0x11,
                                            0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39};
    struct ef_etw_session_opts o = realtime("etwfwd-ignored");
    struct ef_etw_session *s;
    const unsigned char *b;
    char err[512];

    o.kind = EF_SESSION_KERNEL;
    o.nt_kernel_logger = 1;
    o.enable_flags = 0x1u;
    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), 0);
    b = calls[0].bytes;
    ck_assert(memcmp(b + 24, kguid, 16) == 0);
    ck_assert_uint_eq(u32(b, 64), 0x100u); /* REAL_TIME only: the name makes it a system logger */
    ck_assert_uint_eq(u32(b, 72), 1);
    assert_name_at(b, 120, "NT Kernel Logger");
    ck_assert(wcscmp(ef_etw_session_wname(s), L"NT Kernel Logger") == 0);
    ck_assert_ptr_nonnull(fake_trace_find("NT Kernel Logger"));
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    ef_etw_session_free(s);
}
END_TEST

START_TEST(session_applied_values)
{
    struct ef_etw_session_opts o = realtime("etwfwd-applied");
    struct ef_etw_query q, q2;
    struct ef_etw_session *s;
    SYSTEM_INFO si;
    char err[512];

    GetSystemInfo(&si);
    o.buffer_size_kb = 2; /* below ETW's 4 KB: raised */
    o.min_buffers = 1;    /* below 2 per CPU: raised */
    o.max_buffers = 1;
    fake_trace.events_lost = 7;
    fake_trace.rt_buffers_lost = 3;
    fake_trace.log_buffers_lost = 2;
    fake_trace.buffers_written = 11;
    fake_trace.free_buffers = 5;
    ck_assert_int_eq(ef_etw_session_start(&o, &s, &q, err, sizeof(err)), 0);
    ck_assert_ptr_nonnull(find_call('C', EF_ETW_CONTROL_QUERY, 0));
    ck_assert_uint_eq(q.buffer_size_kb, 4);
    ck_assert_uint_eq(q.min_buffers, 2 * si.dwNumberOfProcessors);
    ck_assert_uint_eq(q.max_buffers, 2 * si.dwNumberOfProcessors);
    ck_assert_uint_eq(q.flush_timer_s, 3);
    ck_assert_uint_eq(q.clock, 2);
    ck_assert_uint_eq(q.log_file_mode, 0x08000100u);
    ck_assert_uint_eq(q.events_lost, 7);
    ck_assert_uint_eq(q.rt_buffers_lost, 3);
    ck_assert_uint_eq(q.log_buffers_lost, 2);
    ck_assert_uint_eq(q.buffers_written, 11);
    ck_assert_uint_eq(q.free_buffers, 5);

    /* Later queries see the counters move; each gets a fresh block. */
    fake_trace.events_lost = 9;
    n_calls = 0;
    ck_assert_int_eq(ef_etw_session_query(s, &q2), 0);
    ck_assert_uint_eq(q2.events_lost, 9);
    ck_assert_uint_eq(n_calls, 1);
    ck_assert_uint_eq(u32(calls[0].bytes, 44), 0x00020000u);
    ck_assert_uint_eq(u32(calls[0].bytes, 112), 0);

    fake_trace_stop_external(fake_trace_find("etwfwd-applied"));
    ck_assert_int_eq(ef_etw_session_query(s, &q2), EF_ENOENT);
    ck_assert_int_eq(ef_etw_session_stop(s), 0); /* 4201 counts as stopped */
    ef_etw_session_free(s);
}
END_TEST

/* ---- on_exists ---- */

START_TEST(session_exists_restart)
{
    struct ef_etw_session_opts o = realtime("etwfwd-left");
    struct fake_session *fs = fake_trace_seed("etwfwd-left", 0x100);
    const struct call *stop;
    struct ef_etw_session *s;
    char err[512];

    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), 0);
    ck_assert_uint_ge(n_calls, 3);
    ck_assert_int_eq(calls[0].what, 'S');
    ck_assert_uint_eq(calls[0].status, 183);
    ck_assert_int_eq(calls[1].what, 'C');
    ck_assert_uint_eq(calls[1].code, EF_ETW_CONTROL_STOP);
    ck_assert(wcscmp(calls[1].name, L"etwfwd-left") == 0);
    ck_assert_int_eq(calls[2].what, 'S');
    ck_assert_uint_eq(calls[2].status, 0);
    /* The STOP got a fresh block, not the one StartTrace wrote into. */
    stop = &calls[1];
    ck_assert_uint_eq(u32(stop->bytes, 0), BLOCK);
    ck_assert_uint_eq(u32(stop->bytes, 44), 0x00020000u);
    ck_assert_uint_eq(u32(stop->bytes, 112), 0);
    ck_assert_uint_eq(u32(stop->bytes, 116), 120);
    ck_assert_uint_eq(fs->stops, 1);
    ck_assert_uint_eq(fs->starts, 1);
    ck_assert_int_eq(fs->running, 1);
    ck_assert_int_eq(fs->ours, 1);
    ck_assert_int_eq(ef_etw_session_owned(s), 1);
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    ef_etw_session_free(s);
}
END_TEST

START_TEST(session_exists_restart_denied)
{
    struct ef_etw_session_opts o = realtime("etwfwd-theirs");
    struct fake_session *fs = fake_trace_seed("etwfwd-theirs", 0x100);
    struct ef_etw_session *s = (struct ef_etw_session *)&o;
    char err[512];

    fake_trace.stop_status = 5;
    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), EF_EACCES);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err, "etwfwd-theirs"));
    ck_assert_ptr_nonnull(strstr(err, "on_exists = attach"));
    ck_assert_int_eq(fs->running, 1);
    ck_assert_uint_eq(fake_trace.start_calls, 1); /* no second start after a failed stop */
}
END_TEST

START_TEST(session_exists_attach)
{
    struct ef_etw_session_opts o = realtime("etwfwd-other");
    struct fake_session *fs = fake_trace_seed("etwfwd-other", 0x100);
    struct ef_provider_cfg p = provider("P");
    struct ef_etw_query q;
    struct ef_etw_session *s;
    char err[512];

    o.on_exists = EF_ON_EXISTS_ATTACH;
    ck_assert_int_eq(ef_etw_session_start(&o, &s, &q, err, sizeof(err)), 0);
    ck_assert_int_eq(ef_etw_session_owned(s), 0);
    ck_assert_uint_eq(q.buffer_size_kb, 64); /* the running session's, as seeded */
    ck_assert_uint_eq(q.max_buffers, 16);
    ck_assert_int_eq(ef_etw_session_enable(s, &p, &prov1, err, sizeof(err)), EF_EINVAL);
    ck_assert_int_eq(ef_etw_session_rundown(s, &prov1, err, sizeof(err)), EF_EINVAL);
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    ck_assert_uint_eq(fake_trace.stop_calls, 0);
    ck_assert_uint_eq(fake_trace.enable_calls, 0);
    ck_assert_int_eq(fs->running, 1);
    ck_assert_uint_eq(fs->stops, 0);
    ef_etw_session_free(s);
}
END_TEST

START_TEST(session_exists_fail)
{
    struct ef_etw_session_opts o = realtime("etwfwd-dup");
    struct fake_session *fs = fake_trace_seed("etwfwd-dup", 0x100);
    struct ef_etw_session *s = (struct ef_etw_session *)&o;
    char err[512];

    o.on_exists = EF_ON_EXISTS_FAIL;
    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), EF_EEXIST);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err, "etwfwd-dup"));
    ck_assert_ptr_nonnull(strstr(err, "on_exists"));
    ck_assert_uint_eq(fake_trace.stop_calls, 0);
    ck_assert_int_eq(fs->running, 1);
}
END_TEST

/* ---- refusals ---- */

START_TEST(session_access_denied)
{
    char err[512];

    ck_assert_ptr_null(start_refused("etwfwd-denied", 5, EF_EACCES, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "run etwfwd as administrator"));
    ck_assert_ptr_nonnull(strstr(err, "Performance Log Users"));
    ck_assert_ptr_nonnull(strstr(err, "etwfwd-denied"));
    ck_assert_str_eq(fake_trace.last_error, ""); /* ETW said no, not a bad block */
}
END_TEST

START_TEST(session_too_many)
{
    char err[512];

    start_refused("etwfwd-1450", 1450, EF_ENOMEM, err, sizeof(err));
    ck_assert_ptr_nonnull(strstr(err, "EtwMaxLoggers"));
    ck_assert_ptr_nonnull(strstr(err, "too many"));
}
END_TEST

/* ---- kind = existing ---- */

START_TEST(session_existing_attaches)
{
    struct fake_session *fs = fake_trace_seed("EventLog-Test", 0x100);
    struct ef_etw_session_opts o = existing("EventLog-Test");
    struct ef_provider_cfg p = provider("P");
    struct ef_etw_query q;
    struct ef_etw_session *s;
    char err[512];

    ck_assert_int_eq(ef_etw_session_start(&o, &s, &q, err, sizeof(err)), 0);
    ck_assert_int_eq(ef_etw_session_owned(s), 0);
    ck_assert_uint_eq(q.buffer_size_kb, 64);
    ck_assert_uint_eq(q.min_buffers, 4);
    ck_assert_uint_eq(q.log_file_mode, 0x100);
    ck_assert_int_eq(ef_etw_session_enable(s, &p, &prov1, err, sizeof(err)), EF_EINVAL);
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    ef_etw_session_free(s);
    ck_assert_uint_eq(fake_trace.start_calls, 0);
    ck_assert_uint_eq(fake_trace.stop_calls, 0);
    ck_assert_uint_eq(fake_trace.enable_calls, 0);
    ck_assert_uint_eq(fs->n_enabled, 0);
    ck_assert_int_eq(fs->running, 1);
}
END_TEST

START_TEST(session_existing_missing)
{
    struct ef_etw_session_opts o = existing("Missing-One");
    struct ef_etw_session *s;
    char err[512];

    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), EF_ENOENT);
    ck_assert_ptr_nonnull(strstr(err, "no session named Missing-One is running"));
    ck_assert_uint_eq(fake_trace.start_calls, 0);
}
END_TEST

/* ---- enable, rundown, stop ---- */

START_TEST(session_stop_disables_first)
{
    struct ef_etw_session_opts o = realtime("etwfwd-order");
    struct ef_provider_cfg p = provider("P");
    struct ef_etw_session *s;
    struct fake_session *fs;
    struct fake_enabled *e1, *e2;
    const struct call *d1, *d2, *stop;
    unsigned before;
    char err[512];

    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), 0);
    p.level = 4;
    p.match_any = 0x10;
    ck_assert_int_eq(ef_etw_session_enable(s, &p, &prov1, err, sizeof(err)), 0);
    ck_assert_int_eq(ef_etw_session_enable(s, &p, &prov2, err, sizeof(err)), 0);
    ck_assert_int_eq(ef_etw_session_rundown(s, &prov2, err, sizeof(err)), 0);
    fs = fake_trace_find("etwfwd-order");
    e1 = fake_trace_enabled(fs, &prov1);
    e2 = fake_trace_enabled(fs, &prov2);
    ck_assert_ptr_nonnull(e1);
    ck_assert_ptr_nonnull(e2);
    ck_assert_uint_eq(e2->captures, 1);
    ck_assert_uint_eq(e2->code, EF_ETW_CAPTURE_STATE);

    before = n_calls;
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    d1 = find_call('E', EF_ETW_DISABLE, before);
    ck_assert_ptr_nonnull(d1);
    d2 = find_call('E', EF_ETW_DISABLE, (unsigned)(d1 - calls) + 1);
    ck_assert_ptr_nonnull(d2);
    stop = find_call('C', EF_ETW_CONTROL_STOP, before);
    ck_assert_ptr_nonnull(stop);
    ck_assert(d1 < stop && d2 < stop);
    ck_assert_uint_eq(d1->status, 0); /* accepted: the session still ran */
    ck_assert_uint_eq(d2->status, 0);
    ck_assert_uint_eq(e1->disables, 1);
    ck_assert_uint_eq(e2->disables, 1);
    ck_assert_uint_eq(u32(stop->bytes, 44), 0x00020000u);
    ck_assert_uint_eq(u32(stop->bytes, 112), 0);
    ck_assert_int_eq(fs->running, 0);
    ck_assert_uint_eq(fs->stops, 1);

    /* A second stop does nothing. */
    before = n_calls;
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    ck_assert_uint_eq(n_calls, before);
    ck_assert_int_eq(ef_etw_session_enable(s, &p, &prov1, err, sizeof(err)), EF_EINVAL);
    ef_etw_session_free(s);
}
END_TEST

START_TEST(session_stop_answers)
{
    struct ef_etw_session_opts o = realtime("etwfwd-stops");
    struct ef_etw_session *s;
    char err[512];

    /* 234: stopped, only the answer did not fit. */
    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), 0);
    fake_trace.stop_status = 234;
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    ef_etw_session_free(s);

    /* 5: not stopped, and said so. */
    fake_trace.stop_status = 0;
    fake_trace_stop_external(fake_trace_find("etwfwd-stops"));
    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), 0);
    fake_trace.stop_status = 5;
    ck_assert_int_eq(ef_etw_session_stop(s), EF_EACCES);
    ck_assert_int_eq(fake_trace_find("etwfwd-stops")->running, 1);
    /* and a later stop goes through */
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    ck_assert_int_eq(fake_trace_find("etwfwd-stops")->running, 0);
    ef_etw_session_free(s);
}
END_TEST

START_TEST(session_enable_refused)
{
    struct ef_etw_session_opts o = realtime("etwfwd-enable");
    struct ef_provider_cfg p = provider("Busy-Provider");
    struct ef_etw_session *s;
    char err[512];

    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), 0);
    fake_trace.enable_status = 1450;
    ck_assert_int_eq(ef_etw_session_enable(s, &p, &prov1, err, sizeof(err)), EF_ENOMEM);
    ck_assert_ptr_nonnull(strstr(err, "Busy-Provider"));
    ck_assert_ptr_nonnull(strstr(err, "8 sessions"));
    fake_trace.enable_status = 5;
    ck_assert_int_eq(ef_etw_session_enable(s, &p, &prov1, err, sizeof(err)), EF_EACCES);
    ck_assert_ptr_nonnull(strstr(err, "administrator"));
    fake_trace.enable_status = 0;
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    ef_etw_session_free(s);
}
END_TEST

START_TEST(session_error_names)
{
    ck_assert_ptr_nonnull(strstr(ef_etw_win_error_name(183), "183 ERROR_ALREADY_EXISTS"));
    ck_assert_ptr_nonnull(strstr(ef_etw_win_error_name(4201), "4201 ERROR_WMI_INSTANCE_NOT_FOUND"));
    ck_assert_ptr_nonnull(strstr(ef_etw_win_error_name(1450), "1450 ERROR_NO_SYSTEM_RESOURCES"));
    ck_assert_ptr_nonnull(strstr(ef_etw_win_error_name(12345), "12345"));
}
END_TEST

/* ---- the fake's own checks bite ---- */

union block {
    EVENT_TRACE_PROPERTIES p;
    unsigned char b[BLOCK];
};

static ULONG start_with(union block *blk, const WCHAR *name)
{
    TRACEHANDLE h = 0;

    fake_trace.last_error[0] = 0;
    return inner.start_trace(&h, name, &blk->p);
}

START_TEST(session_fake_checks_bite)
{
    struct ef_etw_session_opts o = realtime("etwfwd-fake");
    static const GUID kguid = EF_ETW_SYSTEM_TRACE_CONTROL_GUID;
    union block blk;
    TRACEHANDLE h = 0;

    ck_assert_uint_eq(ef_etw_props_init(&blk, sizeof(blk) - 1, &o), 0);
    ck_assert_uint_eq(ef_etw_props_init(&blk, sizeof(blk), &o), BLOCK);

    blk.p.Wnode.Flags = 0;
    ck_assert_uint_eq(start_with(&blk, L"etwfwd-fake"), 87);
    ck_assert_ptr_nonnull(strstr(fake_trace.last_error, "TRACED_GUID"));

    ef_etw_props_init(&blk, sizeof(blk), &o);
    blk.p.LoggerNameOffset = 8; /* inside the struct */
    ck_assert_uint_eq(start_with(&blk, L"etwfwd-fake"), 87);
    ck_assert_ptr_nonnull(strstr(fake_trace.last_error, "LoggerNameOffset"));

    ef_etw_props_init(&blk, sizeof(blk), &o);
    blk.p.LoggerNameOffset = BLOCK; /* past the end */
    ck_assert_uint_eq(start_with(&blk, L"etwfwd-fake"), 87);

    ef_etw_props_init(&blk, sizeof(blk), &o);
    blk.p.Wnode.BufferSize = 100;
    ck_assert_uint_eq(start_with(&blk, L"etwfwd-fake"), 24);

    ef_etw_props_init(&blk, sizeof(blk), &o);
    blk.p.LogFileMode = 0;
    ck_assert_uint_eq(start_with(&blk, L"etwfwd-fake"), 161);

    ef_etw_props_init(&blk, sizeof(blk), &o);
    blk.p.Wnode.Guid = kguid;
    ck_assert_uint_eq(start_with(&blk, L"etwfwd-fake"), 87);
    ck_assert_ptr_nonnull(strstr(fake_trace.last_error, "NT Kernel Logger"));
    ck_assert_uint_eq(fake_trace.sessions[0].used, 0); /* nothing started so far */

    /* A good block starts; StartTrace wrote the handle and the name back. */
    ef_etw_props_init(&blk, sizeof(blk), &o);
    memset(blk.b + 120, 0, 64);
    ck_assert_uint_eq(inner.start_trace(&h, L"etwfwd-fake", &blk.p), 0);
    ck_assert_uint_ne(h, 0);
    ck_assert_uint_eq(blk.p.Wnode.HistoricalContext, h);
    assert_name_at(blk.b, 120, "etwfwd-fake");
    /* a second start of the same name (any case) */
    ef_etw_props_init(&blk, sizeof(blk), &o);
    ck_assert_uint_eq(start_with(&blk, L"ETWFWD-FAKE"), 183);
    ck_assert_str_eq(fake_trace.last_error, "");

    /* QUERY overwrites the block: reusing it for a start is refused. */
    ef_etw_props_init(&blk, sizeof(blk), &o);
    ck_assert_uint_eq(inner.control_trace(0, L"etwfwd-fake", &blk.p, EF_ETW_CONTROL_QUERY), 0);
    ck_assert_uint_ne(blk.p.LogFileNameOffset, 0);
    ck_assert_uint_ne(start_with(&blk, L"etwfwd-other"), 0);

    /* The name overrides the handle; without a name the handle is used. */
    ef_etw_props_init(&blk, sizeof(blk), &o);
    ck_assert_uint_eq(inner.control_trace(h + 1, L"etwfwd-fake", &blk.p, EF_ETW_CONTROL_QUERY), 0);
    ef_etw_props_init(&blk, sizeof(blk), &o);
    ck_assert_uint_eq(inner.control_trace(h, NULL, &blk.p, EF_ETW_CONTROL_QUERY), 0);
    ef_etw_props_init(&blk, sizeof(blk), &o);
    ck_assert_uint_eq(inner.control_trace(h, L"etwfwd-none", &blk.p, EF_ETW_CONTROL_QUERY), 4201);

    /* ControlTrace without room for two names: 234, and STOP stops anyway. */
    ef_etw_props_init(&blk, sizeof(blk), &o);
    blk.p.Wnode.BufferSize = 120 + 200;
    ck_assert_uint_eq(inner.control_trace(0, L"etwfwd-fake", &blk.p, EF_ETW_CONTROL_QUERY), 234);
    ck_assert_int_eq(fake_trace_find("etwfwd-fake")->running, 1);
    ck_assert_uint_eq(inner.control_trace(0, L"etwfwd-fake", &blk.p, EF_ETW_CONTROL_STOP), 234);
    ck_assert_int_eq(fake_trace_find("etwfwd-fake")->running, 0);
    ef_etw_props_init(&blk, sizeof(blk), &o);
    ck_assert_uint_eq(inner.control_trace(0, L"etwfwd-fake", &blk.p, EF_ETW_CONTROL_STOP), 4201);
}
END_TEST

START_TEST(session_fake_query_all)
{
    struct ef_etw_session_opts o = realtime("x");
    union block *blk = calloc(3, sizeof(*blk));
    PEVENT_TRACE_PROPERTIES arr[3];
    ULONG found = 0;
    unsigned i;

    ck_assert_ptr_nonnull(blk);
    fake_trace_seed("Seed-One", 0x100);
    fake_trace_seed("Seed-Two", 0x100);
    for (i = 0; i < 3; i++) {
        ef_etw_props_init(&blk[i], sizeof(blk[i]), &o);
        arr[i] = &blk[i].p;
    }
    ck_assert_uint_eq(inner.query_all_traces(arr, 1, &found), 234);
    ck_assert_uint_eq(found, 1);
    for (i = 0; i < 3; i++)
        ef_etw_props_init(&blk[i], sizeof(blk[i]), &o);
    ck_assert_uint_eq(inner.query_all_traces(arr, 3, &found), 0);
    ck_assert_uint_eq(found, 2);
    assert_name_at(blk[0].b, blk[0].p.LoggerNameOffset, "Seed-One");
    assert_name_at(blk[1].b, blk[1].p.LoggerNameOffset, "Seed-Two");
    ck_assert_uint_eq(blk[1].p.BufferSize, 64);
    free(blk);
}
END_TEST

/* ---- the kernel's rundown ---- */

/* SystemTraceControlGuid {9e814aad-3204-11d2-9a82-006008a86939} as wire bytes (ETW-NOTES §2). */
static const unsigned char kernel_wire[16] = {0xad, 0x4a, 0x81, 0x9e, 0x04, 0x32, 0xd2, 0x11,
                                              0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39};

START_TEST(session_kernel_rundown_names_the_session)
{
    static const struct ef_guid kernel = {
        0x9e814aad, 0x3204, 0x11d2, {0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39}};
    struct ef_etw_session_opts o = realtime("etwfwd-kernel");
    const struct call *c;
    struct ef_etw_session *s;
    struct fake_session *fs;
    struct fake_enabled *en;
    unsigned char want[8];
    char err[512];
    unsigned i;

    o.kind = EF_SESSION_KERNEL;
    o.enable_flags = 0x1u;
    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), 0);
    fs = fake_trace_find("etwfwd-kernel");
    ck_assert_ptr_nonnull(fs);
    ck_assert_int_eq(ef_etw_session_kernel_rundown(s, err, sizeof(err)), 0);
    ck_assert_str_eq(fake_trace.last_error, "");

    /* What EnableTraceEx2 received, at the offsets ETW-NOTES §4 gives. */
    c = find_call('E', EF_ETW_CAPTURE_STATE, 0);
    ck_assert_ptr_nonnull(c);
    ck_assert(memcmp(&c->provider, kernel_wire, 16) == 0);
    ck_assert(c->has_params);
    ck_assert_uint_eq(u32(c->params, 0), 2);           /* Version 2 */
    ck_assert_uint_eq(u32(c->params, 4), 0);           /* EnableProperty */
    ck_assert_uint_eq(u32(c->params, 8), 0);           /* ControlFlags */
    ck_assert_uint_eq(u32(c->params, 40), 1);          /* FilterDescCount */
    ck_assert_uint_eq(u32(c->fdesc, 8), 8);            /* Size: one TRACEHANDLE */
    ck_assert_uint_eq(u32(c->fdesc, 12), 0x80000002u); /* EVENT_FILTER_TYPE_TRACEHANDLE */
    /* The data is the handle StartTrace gave this session, little-endian. */
    for (i = 0; i < 8; i++)
        want[i] = (unsigned char)(fs->handle >> (8 * i));
    ck_assert(memcmp(c->fdata, want, 8) == 0);

    /* The fake kept the same bytes under the session the call was made on. */
    en = fake_trace_enabled(fs, &kernel);
    ck_assert_ptr_nonnull(en);
    ck_assert_uint_eq(en->captures, 1);
    ck_assert_uint_eq(en->enables, 0);
    ck_assert_uint_eq(en->capture_filter_count, 1);
    ck_assert_uint_eq(en->capture_filter_type, 0x80000002u);
    ck_assert_uint_eq(en->capture_filter_size, 8);
    ck_assert(memcmp(en->capture_filter_data, want, 8) == 0);

    /* A provider's rundown stays a plain CAPTURE_STATE, without parameters. */
    ck_assert_int_eq(ef_etw_session_rundown(s, &prov1, err, sizeof(err)), 0);
    c = find_call('E', EF_ETW_CAPTURE_STATE, (unsigned)(c - calls) + 1);
    ck_assert_ptr_nonnull(c);
    ck_assert(!c->has_params);
    /* The kernel GUID was asked for state, never enabled: stop disables nothing of it. */
    ck_assert_int_eq(ef_etw_session_stop(s), 0);
    ck_assert_uint_eq(en->disables, 0);
    ef_etw_session_free(s);
}
END_TEST

START_TEST(session_kernel_rundown_attached_refused)
{
    struct ef_etw_session_opts o = existing("Someone-Kernel");
    struct ef_etw_session *s;
    char err[512];

    fake_trace_seed("Someone-Kernel", 0x02000100u);
    ck_assert_int_eq(ef_etw_session_start(&o, &s, NULL, err, sizeof(err)), 0);
    ck_assert_int_eq(ef_etw_session_kernel_rundown(s, err, sizeof(err)), EF_EINVAL);
    ck_assert_ptr_null(find_call('E', EF_ETW_CAPTURE_STATE, 0));
    ef_etw_session_free(s);
}
END_TEST

/* EnableTraceEx2 on the fake, as the kernel's rundown would be asked, with one part changed. */
struct rundown_call {
    GUID provider;
    ULONG code, count;
    TRACEHANDLE data;
    ULONG size, type;
    int no_params;
};

static ULONG rundown_with(TRACEHANDLE session, const struct rundown_call *rc)
{
    static const ULONG pid = 4;
    EVENT_FILTER_DESCRIPTOR d[2];
    ENABLE_TRACE_PARAMETERS p;
    TRACEHANDLE data = rc->data;

    memset(d, 0, sizeof(d));
    d[0].Ptr = (ULONGLONG)(uintptr_t)&data;
    d[0].Size = rc->size;
    d[0].Type = rc->type;
    d[1].Ptr = (ULONGLONG)(uintptr_t)&pid;
    d[1].Size = 4;
    d[1].Type = 0x80000004u; /* PID */
    memset(&p, 0, sizeof(p));
    p.Version = 2;
    p.EnableFilterDesc = d;
    p.FilterDescCount = rc->count;
    fake_trace.last_error[0] = 0;
    return inner.enable_trace_ex2(session, &rc->provider, rc->code, 0, 0, 0, 0,
                                  rc->no_params ? NULL : &p);
}

START_TEST(session_fake_refuses_bad_kernel_rundowns)
{
    static const GUID kguid = EF_ETW_SYSTEM_TRACE_CONTROL_GUID;
    struct ef_etw_session_opts o = realtime("etwfwd-k");
    union block blk;
    struct rundown_call good, bad;
    TRACEHANDLE h = 0, h2 = 0;

    o.kind = EF_SESSION_KERNEL;
    ef_etw_props_init(&blk, sizeof(blk), &o);
    ck_assert_uint_eq(inner.start_trace(&h, L"etwfwd-k", &blk.p), 0);
    o.name = "etwfwd-k2";
    ef_etw_props_init(&blk, sizeof(blk), &o);
    ck_assert_uint_eq(inner.start_trace(&h2, L"etwfwd-k2", &blk.p), 0);

    memset(&good, 0, sizeof(good));
    good.provider = kguid;
    good.code = EF_ETW_CAPTURE_STATE;
    good.count = 1;
    good.data = h;
    good.size = 8;
    good.type = 0x80000002u;
    /* The documented shape is taken: the refusals below are each about one change. */
    ck_assert_uint_eq(rundown_with(h, &good), 0);
    ck_assert_str_eq(fake_trace.last_error, "");

    bad = good; /* a plain CAPTURE_STATE, as before: no session named */
    bad.no_params = 1;
    ck_assert_uint_eq(rundown_with(h, &bad), 87);
    ck_assert_ptr_nonnull(strstr(fake_trace.last_error, "TRACEHANDLE"));

    bad = good; /* no filter */
    bad.count = 0;
    ck_assert_uint_eq(rundown_with(h, &bad), 87);

    bad = good; /* a handle of 4 bytes */
    bad.size = 4;
    ck_assert_uint_eq(rundown_with(h, &bad), 87);
    ck_assert_ptr_nonnull(strstr(fake_trace.last_error, "8"));

    bad = good; /* a handle no session has */
    bad.data = h + 0x100000;
    ck_assert_uint_eq(rundown_with(h, &bad), 87);
    ck_assert_ptr_nonnull(strstr(fake_trace.last_error, "no running session"));

    bad = good; /* a second filter besides */
    bad.count = 2;
    ck_assert_uint_eq(rundown_with(h, &bad), 87);

    bad = good; /* ENABLE of the kernel GUID */
    bad.code = EF_ETW_ENABLE;
    ck_assert_uint_eq(rundown_with(h, &bad), 87);

    bad = good; /* the filter with another provider */
    memcpy(&bad.provider, &prov1, sizeof(GUID));
    ck_assert_uint_eq(rundown_with(h, &bad), 87);

    bad = good; /* the filter as another type */
    bad.type = 0x80000000u;
    ck_assert_uint_eq(rundown_with(h, &bad), 87);

    /* Another running session may be named; a stopped one may not. */
    good.data = h2;
    ck_assert_uint_eq(rundown_with(h, &good), 0);
    ef_etw_props_init(&blk, sizeof(blk), &o);
    ck_assert_uint_eq(inner.control_trace(h2, NULL, &blk.p, EF_ETW_CONTROL_STOP), 0);
    ck_assert_uint_eq(rundown_with(h, &good), 87);
}
END_TEST

TCase *ef_etw_session_case(void);
TCase *ef_etw_session_case(void)
{
    TCase *tc = tcase_create("session");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, session_realtime_props_bytes);
    tcase_add_test(tc, session_kernel_private_props);
    tcase_add_test(tc, session_kernel_nt_props);
    tcase_add_test(tc, session_applied_values);
    tcase_add_test(tc, session_exists_restart);
    tcase_add_test(tc, session_exists_restart_denied);
    tcase_add_test(tc, session_exists_attach);
    tcase_add_test(tc, session_exists_fail);
    tcase_add_test(tc, session_access_denied);
    tcase_add_test(tc, session_too_many);
    tcase_add_test(tc, session_existing_attaches);
    tcase_add_test(tc, session_existing_missing);
    tcase_add_test(tc, session_stop_disables_first);
    tcase_add_test(tc, session_stop_answers);
    tcase_add_test(tc, session_enable_refused);
    tcase_add_test(tc, session_error_names);
    tcase_add_test(tc, session_fake_checks_bite);
    tcase_add_test(tc, session_fake_query_all);
    tcase_add_test(tc, session_kernel_rundown_names_the_session);
    tcase_add_test(tc, session_kernel_rundown_attached_refused);
    tcase_add_test(tc, session_fake_refuses_bad_kernel_rundowns);
    return tc;
}

/*
 * fake_trace_win.c - the state shared by the fake controller
 * (fake_control_win.c) and the fake consumer (fake_consume_win.c):
 * reset, the table, sessions seeded as someone else's, lookups, and a
 * stop from outside.
 */
#include "fake_trace.h"

#include <string.h>
#include <wchar.h>

struct fake_trace fake_trace;

static int lock_ready;

void fake_trace_lock(void)
{
    EnterCriticalSection(&fake_trace.lock);
}

void fake_trace_unlock(void)
{
    LeaveCriticalSection(&fake_trace.lock);
}

void fake_trace_reset(void)
{
    CRITICAL_SECTION keep;
    unsigned i;

    if (!lock_ready) {
        InitializeCriticalSection(&fake_trace.lock);
        lock_ready = 1;
    }
    fake_trace_lock();
    for (i = 0; i < FAKE_MAX_SESSIONS; i++) {
        struct fake_session *s = &fake_trace.sessions[i];
        struct fake_queued *q;

        while ((q = fake_trace_queue_pop(s)) != NULL)
            fake_trace_queued_free(q);
        if (s->stopped)
            CloseHandle(s->stopped);
        if (s->queued)
            CloseHandle(s->queued);
    }
    keep = fake_trace.lock;
    memset(&fake_trace, 0, sizeof(fake_trace));
    fake_trace.lock = keep;
    fake_trace_unlock();
}

void fake_trace_api(struct ef_etw_api *api)
{
    if (!lock_ready)
        fake_trace_reset();
    fake_trace_install_control(api);
    fake_trace_install_consume(api);
    fake_trace_install_provider(api);
}

void fake_trace_session_init_events(struct fake_session *s)
{
    struct fake_queued *q;

    while ((q = fake_trace_queue_pop(s)) != NULL)
        fake_trace_queued_free(q);
    if (!s->stopped)
        s->stopped = CreateEventW(NULL, TRUE, FALSE, NULL);
    else
        ResetEvent(s->stopped);
    if (!s->queued)
        s->queued = CreateEventW(NULL, FALSE, FALSE, NULL);
    else
        ResetEvent(s->queued);
}

static void to_wide(const char *s, WCHAR *out, size_t cap)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < cap; i++)
        out[i] = (WCHAR)(unsigned char)s[i];
    out[i] = 0;
}

struct fake_session *fake_trace_seed(const char *name, ULONG log_file_mode)
{
    struct fake_session *s = NULL;
    unsigned i;

    if (!lock_ready)
        fake_trace_reset();
    fake_trace_lock();
    for (i = 0; i < FAKE_MAX_SESSIONS; i++) {
        if (!fake_trace.sessions[i].used) {
            s = &fake_trace.sessions[i];
            break;
        }
    }
    if (s) {
        memset(s, 0, sizeof(*s));
        s->used = 1;
        s->running = 1;
        to_wide(name, s->name, sizeof(s->name) / sizeof(s->name[0]));
        s->handle = 0x1000 + i;
        s->log_file_mode = log_file_mode;
        s->buffer_size = 64;
        s->min_buffers = 4;
        s->max_buffers = 16;
        s->flush_timer = 1;
        s->clock = 1;
        fake_trace_session_init_events(s);
    }
    fake_trace_unlock();
    return s;
}

struct fake_session *fake_trace_find_w(const WCHAR *name)
{
    unsigned i;

    for (i = 0; i < FAKE_MAX_SESSIONS; i++) {
        struct fake_session *s = &fake_trace.sessions[i];

        if (s->used && _wcsicmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

struct fake_session *fake_trace_find(const char *name)
{
    WCHAR w[1024];

    to_wide(name, w, sizeof(w) / sizeof(w[0]));
    return fake_trace_find_w(w);
}

struct fake_enabled *fake_trace_enabled(struct fake_session *s, const struct ef_guid *provider)
{
    unsigned i;

    for (i = 0; i < s->n_enabled; i++)
        if (memcmp(&s->enabled[i].provider, provider, sizeof(GUID)) == 0)
            return &s->enabled[i];
    return NULL;
}

void fake_trace_session_stopped(struct fake_session *s)
{
    s->running = 0;
    s->stops++;
    if (s->stopped)
        SetEvent(s->stopped);
}

void fake_trace_stop_external(struct fake_session *s)
{
    fake_trace_lock();
    if (s->running)
        fake_trace_session_stopped(s);
    fake_trace_unlock();
}

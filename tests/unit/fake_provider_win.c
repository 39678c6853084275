/*
 * fake_provider_win.c - the provider half of the fake ETW (fake_trace.h):
 * EventRegister, EventSetInformation, EventWriteTransfer and
 * EventUnregister, so that `etwfwd selftest` can write events that the
 * fake's ProcessTrace delivers (fake_consume_win.c).
 *
 * DESIGN. EventRegister takes a slot of fake_trace.providers with a handle
 * that never repeats. EventSetInformation(EventProviderSetTraits) keeps
 * the traits blob and, as the EVENT_INFO_CLASS documentation says, makes
 * ETW respect the Type of the provider's EVENT_DATA_DESCRIPTORs; without
 * it every descriptor is user data. EventWriteTransfer checks its
 * arguments, then, for each running real-time session that enables the
 * provider (the last EnableTraceEx2 for it was ENABLE; the event's level
 * is 0 or at most the enabled level; keyword 0 passes unless
 * IGNORE_KEYWORD_0 was asked, others need a MatchAnyKeyword bit, MatchAny
 * 0 meaning all, and every MatchAllKeyword bit: ETW-NOTES §4), copies the
 * event into the session's queue as the EVENT_RECORD a real-time consumer
 * gets:
 *   - header: the descriptor, the provider GUID, the writer's pid and tid,
 *     the time of the write as FILETIME (the fake's consumers do not ask
 *     for raw timestamps), the activity id given, flags EXTENDED_INFO when
 *     there are items and the pointer-size flag of this process;
 *   - extended items: a Type 1 descriptor (event metadata) becomes
 *     EVENT_HEADER_EXT_TYPE_EVENT_SCHEMA_TL, a Type 2 descriptor (provider
 *     metadata) EVENT_HEADER_EXT_TYPE_PROV_TRAITS, the related activity id
 *     EVENT_HEADER_EXT_TYPE_RELATED_ACTIVITYID, in that order, chained by
 *     Linkage;
 *   - user data: the other descriptors, concatenated in order.
 * A write no session enables succeeds and goes nowhere, as on Windows.
 * Scripted drops (write_drop_*) are counted in fake_trace.events_lost,
 * which QUERY reports as EventsLost.
 *
 * Error codes: 6 ERROR_INVALID_HANDLE for a handle EventRegister did not
 * give (or one already unregistered), 87 for NULL or out-of-range
 * arguments (more than MAX_EVENT_DATA_DESCRIPTORS = 128 descriptors, an
 * unknown descriptor Type, a traits blob whose leading UINT16 is not its
 * size), 534 ERROR_ARITHMETIC_OVERFLOW for an event over 64 KB. Which of
 * these Windows picks for each case beyond the handle is UNCONFIRMED.
 * All state is fake_trace's, under fake_trace.lock.
 */
#include "fake_trace.h"

#include "etw/etw_defs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DATA_DESCRIPTORS 128u    /* MAX_EVENT_DATA_DESCRIPTORS (evntprov.h) */
#define MAX_EVENT_BYTES      0xFFFFu /* an event and its header fit 64 KB */
#define QUEUE_MAX            200000u /* events a session holds for its consumer */
#define INFO_SET_TRAITS      2       /* EventProviderSetTraits */
#define INFO_USE_TYPES       3       /* EventProviderUseDescriptorType */
#define TYPE_USER_DATA       0u      /* EVENT_DATA_DESCRIPTOR_TYPE_NONE */
#define TYPE_EVENT_METADATA  1u
#define TYPE_PROVIDER_META   2u
#define EXT_RELATED_ACTIVITY 1u  /* EVENT_HEADER_EXT_TYPE_RELATED_ACTIVITYID */
#define EXT_SCHEMA_TL        11u /* EVENT_HEADER_EXT_TYPE_EVENT_SCHEMA_TL */
#define EXT_PROV_TRAITS      12u /* EVENT_HEADER_EXT_TYPE_PROV_TRAITS */

struct fake_queued {
    struct fake_queued *next;
    EVENT_RECORD er;
    EVENT_HEADER_EXTENDED_DATA_ITEM ext[3];
    unsigned char data[]; /* the items' bytes, then the user data */
};

static REGHANDLE next_reg = 0x5e1f0001;

static ULONG refuse(ULONG code, const char *fmt, const char *what)
{
    snprintf(fake_trace.last_error, sizeof(fake_trace.last_error), fmt, what);
    return code;
}

/* Lock held. The registration of h, or NULL. */
static struct fake_provider *find_provider(REGHANDLE h)
{
    unsigned i;

    for (i = 0; i < FAKE_MAX_PROVIDERS; i++)
        if (fake_trace.providers[i].used && h != 0 && fake_trace.providers[i].handle == h)
            return &fake_trace.providers[i];
    return NULL;
}

static ULONG WINAPI fake_event_register(LPCGUID guid, PENABLECALLBACK cb, PVOID ctx,
                                        PREGHANDLE handle)
{
    struct fake_provider *p = NULL;
    unsigned i;
    ULONG st = 0;

    /* No enable callback is ever called: none of our providers passes one. */
    (void)ctx;
    fake_trace_lock();
    if (!guid || !handle) {
        st = refuse(ERROR_INVALID_PARAMETER, "EventRegister: %s", "a NULL GUID or handle");
    } else if (cb) {
        st = refuse(ERROR_INVALID_PARAMETER, "EventRegister: %s",
                    "the fake calls no enable callback");
    } else {
        for (i = 0; i < FAKE_MAX_PROVIDERS && !p; i++)
            if (!fake_trace.providers[i].used)
                p = &fake_trace.providers[i];
        if (!p) {
            st = ERROR_NO_SYSTEM_RESOURCES;
        } else {
            memset(p, 0, sizeof(*p));
            p->used = 1;
            p->guid = *guid;
            p->handle = next_reg++;
            *handle = p->handle;
        }
    }
    if (st && handle)
        *handle = 0;
    fake_trace_unlock();
    return st;
}

static ULONG WINAPI fake_event_unregister(REGHANDLE h)
{
    struct fake_provider *p;
    ULONG st = 0;

    fake_trace_lock();
    p = find_provider(h);
    if (!p)
        st = refuse(ERROR_INVALID_HANDLE, "EventUnregister: %s", "not a registered handle");
    else
        memset(p, 0, sizeof(*p));
    fake_trace_unlock();
    return st;
}

static ULONG WINAPI fake_event_set_information(REGHANDLE h, EVENT_INFO_CLASS cls, PVOID info,
                                               ULONG len)
{
    struct fake_provider *p;
    ULONG st = 0;

    fake_trace_lock();
    p = find_provider(h);
    if (!p) {
        st = refuse(ERROR_INVALID_HANDLE, "EventSetInformation: %s", "not a registered handle");
    } else if ((int)cls == INFO_SET_TRAITS) {
        const unsigned char *b = info;

        /* The traits: {UINT16 TotalSize; char Name[]; traits...} (ETW-NOTES §8, TLG layout). */
        if (!b || len < 3 || len > FAKE_MAX_TRAITS || (ULONG)(b[0] | b[1] << 8) != len ||
            memchr(b + 2, 0, len - 2) == NULL)
            st = refuse(ERROR_INVALID_PARAMETER, "EventSetInformation: %s",
                        "traits that do not start with their UINT16 size and a NUL-ended name");
        else {
            memcpy(p->traits, b, len);
            p->traits_len = (USHORT)len;
            p->use_types = 1;
        }
    } else if ((int)cls == INFO_USE_TYPES) {
        if (!info || len != 1)
            st = refuse(ERROR_INVALID_PARAMETER, "EventSetInformation: %s",
                        "EventProviderUseDescriptorType takes one BOOLEAN");
        else
            p->use_types = *(const unsigned char *)info != 0;
    } else {
        st = refuse(ERROR_NOT_SUPPORTED, "EventSetInformation: %s",
                    "an information class the "
                    "fake does not keep");
    }
    fake_trace_unlock();
    return st;
}

/* Lock held. 1 when s enables an event of p with descriptor d (ETW-NOTES §4). */
static int session_wants(const struct fake_session *s, const struct fake_provider *p,
                         PCEVENT_DESCRIPTOR d)
{
    const struct fake_enabled *e;
    ULONGLONG kw = d->Keyword;

    if (!s->used || !s->running || !(s->log_file_mode & EF_ETW_REAL_TIME_MODE))
        return 0;
    e = fake_trace_enabled((struct fake_session *)s,
                           (const struct ef_guid *)(const void *)&p->guid);
    if (!e || !e->on)
        return 0;
    if (d->Level != 0 && d->Level > e->level)
        return 0;
    if (kw == 0)
        return !(e->enable_property & EF_ETW_PROP_IGNORE_KEYWORD_0);
    return (e->match_any == 0 || (kw & e->match_any) != 0) && (kw & e->match_all) == e->match_all;
}

/* The parts of one write, as ETW splits them. */
struct parts {
    const EVENT_DATA_DESCRIPTOR *schema, *traits; /* NULL: none */
    size_t user_len;
    size_t total; /* items and user data */
};

/* Lock held. Sorts the descriptors by Type. Returns 0 or the error to answer. */
static ULONG split(const struct fake_provider *p, ULONG count, const EVENT_DATA_DESCRIPTOR *v,
                   LPCGUID related, struct parts *out)
{
    ULONG i;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < count; i++) {
        ULONG type = p->use_types ? v[i].Reserved & 0xFF : TYPE_USER_DATA;

        if (v[i].Size && !v[i].Ptr)
            return refuse(ERROR_INVALID_PARAMETER, "EventWriteTransfer: %s",
                          "a data descriptor with a size and no pointer");
        if (type == TYPE_EVENT_METADATA && !out->schema)
            out->schema = &v[i];
        else if (type == TYPE_PROVIDER_META && !out->traits)
            out->traits = &v[i];
        else if (type == TYPE_USER_DATA)
            out->user_len += v[i].Size;
        else
            return refuse(ERROR_INVALID_PARAMETER, "EventWriteTransfer: %s",
                          "a descriptor Type the fake does not know, or metadata twice");
    }
    out->total = out->user_len + (out->schema ? out->schema->Size : 0) +
                 (out->traits ? out->traits->Size : 0) + (related ? sizeof(GUID) : 0);
    if (out->total + sizeof(EVENT_HEADER) > MAX_EVENT_BYTES)
        return refuse(ERROR_ARITHMETIC_OVERFLOW, "EventWriteTransfer: %s",
                      "an event over 64 KB with its header");
    return 0;
}

static void add_item(struct fake_queued *q, unsigned *n, size_t *at, USHORT type, const void *src,
                     size_t size)
{
    EVENT_HEADER_EXTENDED_DATA_ITEM *x = &q->ext[*n];

    memcpy(q->data + *at, src, size);
    memset(x, 0, sizeof(*x));
    x->ExtType = type;
    x->DataSize = (USHORT)size;
    x->DataPtr = (ULONGLONG)(uintptr_t)(q->data + *at);
    *at += size;
    (*n)++;
}

/* The queued copy of one write. NULL when out of memory. */
static struct fake_queued *build(const struct fake_provider *p, PCEVENT_DESCRIPTOR d,
                                 LPCGUID activity, LPCGUID related, ULONG count,
                                 const EVENT_DATA_DESCRIPTOR *v, const struct parts *pt,
                                 const FILETIME *now)
{
    struct fake_queued *q = calloc(1, sizeof(*q) + pt->total + 1);
    EVENT_HEADER *h;
    size_t at = 0;
    unsigned n = 0, i;

    if (!q)
        return NULL;
    if (pt->schema)
        add_item(q, &n, &at, EXT_SCHEMA_TL, (const void *)(uintptr_t)pt->schema->Ptr,
                 pt->schema->Size);
    if (pt->traits)
        add_item(q, &n, &at, EXT_PROV_TRAITS, (const void *)(uintptr_t)pt->traits->Ptr,
                 pt->traits->Size);
    if (related)
        add_item(q, &n, &at, EXT_RELATED_ACTIVITY, related, sizeof(GUID));
    for (i = 0; i < n; i++)
        q->ext[i].Linkage = i + 1 < n;
    q->er.UserData = q->data + at;
    q->er.UserDataLength = (USHORT)pt->user_len;
    for (i = 0; i < count; i++) {
        ULONG type = p->use_types ? v[i].Reserved & 0xFF : TYPE_USER_DATA;

        if (type != TYPE_USER_DATA || !v[i].Size)
            continue;
        memcpy(q->data + at, (const void *)(uintptr_t)v[i].Ptr, v[i].Size);
        at += v[i].Size;
    }
    q->er.ExtendedDataCount = (USHORT)n;
    q->er.ExtendedData = n ? q->ext : NULL;
    h = &q->er.EventHeader;
    h->Size = (USHORT)(sizeof(*h) + pt->user_len);
    h->Flags =
        (n ? EVENT_HEADER_FLAG_EXTENDED_INFO : 0) |
        (sizeof(void *) == 8 ? EVENT_HEADER_FLAG_64_BIT_HEADER : EVENT_HEADER_FLAG_32_BIT_HEADER);
    h->ThreadId = GetCurrentThreadId();
    h->ProcessId = GetCurrentProcessId();
    h->TimeStamp.LowPart = now->dwLowDateTime;
    h->TimeStamp.HighPart = (LONG)now->dwHighDateTime;
    h->ProviderId = p->guid;
    h->EventDescriptor = *d;
    if (activity)
        h->ActivityId = *activity;
    q->er.BufferContext.ProcessorNumber = (UCHAR)GetCurrentProcessorNumber();
    return q;
}

/* Lock held. Appends q to s's queue and wakes its consumer. */
static void push(struct fake_session *s, struct fake_queued *q)
{
    if (s->q_tail)
        s->q_tail->next = q;
    else
        s->q_head = q;
    s->q_tail = q;
    s->q_len++;
    if (s->queued)
        SetEvent(s->queued);
}

static ULONG write_locked(REGHANDLE h, PCEVENT_DESCRIPTOR d, LPCGUID activity, LPCGUID related,
                          ULONG count, PEVENT_DATA_DESCRIPTOR v)
{
    struct fake_provider *p = find_provider(h);
    struct parts pt;
    FILETIME now;
    unsigned i;
    int wanted = 0;
    ULONG st;

    if (!p)
        return refuse(ERROR_INVALID_HANDLE, "EventWriteTransfer: %s", "not a registered handle");
    if (!d)
        return refuse(ERROR_INVALID_PARAMETER, "EventWriteTransfer: %s", "no event descriptor");
    if (count > MAX_DATA_DESCRIPTORS || (count && !v))
        return refuse(ERROR_INVALID_PARAMETER, "EventWriteTransfer: %s",
                      "more than 128 data descriptors, or a count without descriptors");
    st = split(p, count, v, related, &pt);
    if (st)
        return st;
    p->writes++;
    GetSystemTimePreciseAsFileTime(&now);
    for (i = 0; i < FAKE_MAX_SESSIONS; i++)
        wanted |= session_wants(&fake_trace.sessions[i], p, d);
    if (!wanted)
        return 0;
    /* Scripted loss: ETW had no free buffer for this event. */
    if (fake_trace.writes_enabled >= fake_trace.write_drop_from &&
        fake_trace.writes_enabled < fake_trace.write_drop_from + fake_trace.write_drop_count) {
        fake_trace.writes_enabled++;
        fake_trace.writes_dropped++;
        fake_trace.events_lost++;
        return 0;
    }
    fake_trace.writes_enabled++;
    for (i = 0; i < FAKE_MAX_SESSIONS; i++) {
        struct fake_session *s = &fake_trace.sessions[i];
        struct fake_queued *q;

        if (!session_wants(s, p, d))
            continue;
        if (s->q_len >= QUEUE_MAX || !(q = build(p, d, activity, related, count, v, &pt, &now))) {
            fake_trace.events_lost++; /* no room in the session: lost, as ETW counts it */
            continue;
        }
        push(s, q);
    }
    return 0;
}

static ULONG WINAPI fake_event_write_transfer(REGHANDLE h, PCEVENT_DESCRIPTOR d, LPCGUID activity,
                                              LPCGUID related, ULONG count,
                                              PEVENT_DATA_DESCRIPTOR v)
{
    ULONG st;

    fake_trace_lock();
    st = write_locked(h, d, activity, related, count, v);
    fake_trace_unlock();
    return st;
}

struct fake_queued *fake_trace_queue_pop(struct fake_session *s)
{
    struct fake_queued *q = s->q_head;

    if (!q)
        return NULL;
    s->q_head = q->next;
    if (!s->q_head)
        s->q_tail = NULL;
    s->q_len--;
    q->next = NULL;
    return q;
}

EVENT_RECORD *fake_trace_queued_record(struct fake_queued *q)
{
    return &q->er;
}

void fake_trace_queued_free(struct fake_queued *q)
{
    free(q);
}

void fake_trace_install_provider(struct ef_etw_api *api)
{
    api->event_register = fake_event_register;
    api->event_unregister = fake_event_unregister;
    api->event_set_information = fake_event_set_information;
    api->event_write_transfer = fake_event_write_transfer;
}

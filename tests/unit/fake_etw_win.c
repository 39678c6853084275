/*
 * fake_etw_win.c - the scripted TDH of fake_etw.h, serving real blobs.
 *
 * The blobs come from the MetaData records of a merged trace: what
 * TdhGetEventInformation and TdhGetEventMapInformation returned on the
 * machine that recorded it. Like the embedded source, the fake keeps the
 * first copy of each key, so both answer with the same blob.
 */
#include "fake_etw.h"

#include "runner.h"

#include "decode/embedded.h"
#include "decode/tei.h"
#include "etl/etl.h"
#include "util/bytes.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define MAX_NAME  256
#define MAX_ASKED 1024

struct fake_map {
    struct ef_guid provider;
    WCHAR name[MAX_NAME];
    const uint8_t *blob;
    size_t len;
};

struct asked {
    struct ef_guid provider;
    WCHAR name[MAX_NAME];
};

struct fake_etw fake_etw;

static struct fake_event *events;
static size_t n_events;
static struct fake_map *maps;
static size_t n_maps;
static struct asked asked[MAX_ASKED];
static size_t n_asked;

static const struct ef_guid metadata_guid = EF_EMBEDDED_METADATA_GUID;

_Static_assert(sizeof(GUID) == sizeof(struct ef_guid), "GUID and ef_guid share a layout");

static struct ef_guid from_win(const GUID *g)
{
    struct ef_guid out;

    memcpy(&out, g, sizeof(out));
    return out;
}

static void *grow(void *p, size_t n, size_t size)
{
    void *np = realloc(p, (n + 1) * size);

    ck_assert_ptr_nonnull(np);
    return np;
}

static uint8_t *copy(const uint8_t *p, size_t len)
{
    uint8_t *c = malloc(len ? len : 1);

    ck_assert_ptr_nonnull(c);
    memcpy(c, p, len);
    return c;
}

static void take_event(const struct ef_record *r)
{
    struct ef_tei_header h;
    struct fake_event e;
    size_t i;

    ck_assert_int_eq(ef_tei_header(r->user_data, r->user_data_len, &h), 0);
    memset(&e, 0, sizeof(e));
    e.provider = h.provider;
    e.event_guid = h.event_guid;
    e.id = h.id;
    e.version = h.version;
    e.opcode = h.opcode;
    e.mof = h.decoding_source == EF_TEI_DS_WBEM;
    for (i = 0; i < n_events; i++) {
        const struct fake_event *o = &events[i];

        if (o->mof == e.mof && o->version == e.version &&
            (e.mof ? o->opcode == e.opcode && ef_guid_equal(&o->event_guid, &e.event_guid)
                   : o->id == e.id && ef_guid_equal(&o->provider, &e.provider)))
            return; /* merged traces repeat schemas; the first one stands */
    }
    e.blob = copy(r->user_data, r->user_data_len);
    e.len = r->user_data_len;
    events = grow(events, n_events, sizeof(*events));
    events[n_events++] = e;
}

static void take_map(const struct ef_record *r)
{
    struct fake_map m;
    const uint8_t *b = r->user_data + 16;
    size_t len = r->user_data_len - 16, off, i;

    ck_assert_uint_ge(r->user_data_len, 16 + EF_TEI_MAP_HEADER_SIZE);
    memset(&m, 0, sizeof(m));
    ef_guid_read(r->user_data, &m.provider);
    off = ef_le32(b);
    for (i = 0; i + 1 < MAX_NAME && off + 2 * i + 1 < len && ef_le16(b + off + 2 * i); i++)
        m.name[i] = ef_le16(b + off + 2 * i);
    for (i = 0; i < n_maps; i++) {
        if (ef_guid_equal(&maps[i].provider, &m.provider) && wcscmp(maps[i].name, m.name) == 0)
            return;
    }
    m.blob = copy(b, len);
    m.len = len;
    maps = grow(maps, n_maps, sizeof(*maps));
    maps[n_maps++] = m;
}

size_t fake_etw_load(const char *rel, struct ef_schema_source *embedded)
{
    char path[1024];
    struct ef_etl_reader *rd = NULL;
    const struct ef_record *r;
    int rc;

    fake_etw_unload();
    ck_assert_int_eq(ef_etl_open_file(ef_test_shared_path(rel, path, sizeof(path)), NULL, &rd), 0);
    while ((rc = ef_etl_next(rd, &r)) == 1) {
        if (embedded)
            ck_assert_int_ge(embedded->ops->observe(embedded->ctx, r), 0);
        if (r->kind != EF_REC_CLASSIC || !ef_guid_equal(&r->provider, &metadata_guid))
            continue;
        if (r->opcode == EF_EMBEDDED_OP_EVENTINFO)
            take_event(r);
        else if (r->opcode == EF_EMBEDDED_OP_EVENTMAPINFO)
            take_map(r);
    }
    ck_assert_int_eq(rc, 0);
    ef_etl_close(rd);
    return n_events;
}

void fake_etw_unload(void)
{
    size_t i;

    for (i = 0; i < n_events; i++)
        free((void *)events[i].blob);
    for (i = 0; i < n_maps; i++)
        free((void *)maps[i].blob);
    free(events);
    free(maps);
    events = NULL;
    maps = NULL;
    n_events = n_maps = n_asked = 0;
    memset(&fake_etw, 0, sizeof(fake_etw));
}

const struct fake_event *fake_etw_event(size_t i)
{
    ck_assert_uint_lt(i, n_events);
    return &events[i];
}

/* The EventInfo TDH would use for er, or NULL. */
static const struct fake_event *match(const EVENT_RECORD *er)
{
    struct ef_guid g = from_win(&er->EventHeader.ProviderId);
    const EVENT_DESCRIPTOR *d = &er->EventHeader.EventDescriptor;
    int mof = (er->EventHeader.Flags & EVENT_HEADER_FLAG_CLASSIC_HEADER) != 0;
    size_t i;

    for (i = 0; i < n_events; i++) {
        const struct fake_event *e = &events[i];

        if (e->mof != mof || e->version != d->Version)
            continue;
        if (mof ? e->opcode == d->Opcode && ef_guid_equal(&e->event_guid, &g)
                : e->id == d->Id && ef_guid_equal(&e->provider, &g))
            return e;
    }
    return NULL;
}

/* Answers with blob as TDH does, or as the lie says; *size is the buffer's size on entry. */
static ULONG answer(const uint8_t *blob, size_t len, void *buf, ULONG *size, enum fake_lie lie,
                    unsigned *shorts)
{
    switch (lie) {
    case FAKE_HUGE:
        (*shorts)++;
        *size = 0xfffffff0u;
        return ERROR_INSUFFICIENT_BUFFER;
    case FAKE_FOREVER:
        (*shorts)++;
        *size += 1;
        return ERROR_INSUFFICIENT_BUFFER;
    case FAKE_SMALLER:
        if (*size == 0) {
            (*shorts)++;
            return ERROR_INSUFFICIENT_BUFFER; /* "more, please", asking for nothing */
        }
        break;
    default:
        break;
    }
    if (*size < len) {
        (*shorts)++;
        *size = (ULONG)len;
        return ERROR_INSUFFICIENT_BUFFER;
    }
    ck_assert_ptr_nonnull(buf);
    if (lie == FAKE_TRUNCATED) {
        memcpy(buf, blob, len / 2);
        *size = (ULONG)(len / 2);
        return ERROR_SUCCESS;
    }
    memcpy(buf, blob, len);
    *size = lie == FAKE_OVERSTATED ? *size + 4096 : (ULONG)len;
    return ERROR_SUCCESS;
}

static ULONG WINAPI fake_get_event_information(PEVENT_RECORD er, ULONG n, PTDH_CONTEXT ctx,
                                               PTRACE_EVENT_INFO buf, ULONG *size)
{
    const struct fake_event *e;

    (void)n;
    (void)ctx;
    fake_etw.event_calls++;
    ck_assert_ptr_nonnull(er);
    if (fake_etw.event_status)
        return fake_etw.event_status;
    if (!(e = match(er)))
        return ERROR_NOT_FOUND;
    return answer(e->blob, e->len, buf, size, fake_etw.event_lie, &fake_etw.event_short);
}

static void note_asked(const struct ef_guid *provider, const WCHAR *name)
{
    size_t i;

    for (i = 0; i < n_asked; i++) {
        if (ef_guid_equal(&asked[i].provider, provider) && wcscmp(asked[i].name, name) == 0) {
            fake_etw.map_repeats++;
            return;
        }
    }
    ck_assert_uint_lt(n_asked, MAX_ASKED);
    ck_assert_uint_lt(wcslen(name), MAX_NAME);
    asked[n_asked].provider = *provider;
    wcscpy(asked[n_asked].name, name);
    n_asked++;
}

static ULONG WINAPI fake_get_event_map_information(PEVENT_RECORD er, LPWSTR name,
                                                   PEVENT_MAP_INFO buf, ULONG *size)
{
    const struct fake_event *e;
    size_t i;
    ULONG st;

    fake_etw.map_calls++;
    ck_assert_ptr_nonnull(er);
    ck_assert_ptr_nonnull(name);
    /* TDH takes maps from the provider of the event's schema (for MOF events
     * the record names the class, not the provider). */
    if (!(e = match(er)))
        return ERROR_NOT_FOUND;
    if (fake_etw.map_status) {
        note_asked(&e->provider, name);
        return fake_etw.map_status;
    }
    for (i = 0; i < n_maps; i++) {
        if (ef_guid_equal(&maps[i].provider, &e->provider) && wcscmp(maps[i].name, name) == 0)
            break;
    }
    if (i == n_maps) {
        note_asked(&e->provider, name);
        return ERROR_NOT_FOUND;
    }
    st = answer(maps[i].blob, maps[i].len, buf, size, FAKE_HONEST, &fake_etw.map_short);
    /* A retry after ERROR_INSUFFICIENT_BUFFER is not asking twice. */
    if (st != ERROR_INSUFFICIENT_BUFFER)
        note_asked(&e->provider, name);
    return st;
}

void fake_etw_api(struct ef_etw_api *api)
{
    memset(api, 0, sizeof(*api));
    api->get_event_information = fake_get_event_information;
    api->get_event_map_information = fake_get_event_map_information;
}

void fake_etw_record(const struct fake_event *e, EVENT_RECORD *er, struct ef_record *r)
{
    memset(er, 0, sizeof(*er));
    memset(r, 0, sizeof(*r));
    er->EventHeader.Size = sizeof(EVENT_HEADER);
    er->EventHeader.EventDescriptor.Version = e->version;
    er->EventHeader.EventDescriptor.Opcode = e->opcode;
    r->version = e->version;
    r->opcode = e->opcode;
    r->pointer_size = 8;
    r->native = er;
    if (e->mof) {
        /* Classic records carry the event class GUID where the provider goes. */
        memcpy(&er->EventHeader.ProviderId, &e->event_guid, sizeof(GUID));
        er->EventHeader.Flags = EVENT_HEADER_FLAG_CLASSIC_HEADER;
        r->kind = EF_REC_CLASSIC;
        r->provider = e->event_guid;
        r->flags = EF_HDR_FLAG_CLASSIC_HEADER;
    } else {
        memcpy(&er->EventHeader.ProviderId, &e->provider, sizeof(GUID));
        er->EventHeader.Flags = EVENT_HEADER_FLAG_64_BIT_HEADER;
        er->EventHeader.EventDescriptor.Id = e->id;
        r->kind = EF_REC_EVENT;
        r->provider = e->provider;
        r->id = e->id;
        r->flags = EF_HDR_FLAG_64_BIT_HEADER;
    }
}

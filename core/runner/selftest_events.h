/*
 * selftest_events.h - the TraceLogging events `etwfwd selftest` writes, and
 * the check of each one as it comes out of the renderer.
 *
 * The self-test registers a provider named "etwfwd-selftest" (GUID: the
 * TraceLogging name hash), writes events 0..N-1 of known content into a
 * private session of its own, consumes them through the same consumer,
 * decoder and renderer as `run`, and checks every rendered line here. This
 * file is portable: it builds the bytes TraceLoggingProvider.h would build
 * (provider traits, event metadata, payload) and checks the native JSON
 * (docs/event-json.md); only handing the bytes to ETW is Windows code.
 *
 * Event i carries, in this order (TlgIn types in brackets):
 *   Seq    [UINT32 8]          i
 *   Text   [UNICODESTRING 1]   "selftest #<i> Grüße € U+1F600" (the emoji itself: non-ASCII
 *                              and a surrogate pair on purpose)
 *   Number [INT64 9]           -(i * 1000000007) - 7 (more than 32 bits from i = 3 on)
 *   Id     [GUID 15]           {<i, 8 hex digits>-E7F0-5E1F-8000-5E1F<~i, 8 hex digits>}
 *   Time   [FILETIME 17]       2024-02-29T23:59:50Z + i * 1.2345678 s
 *                              (crosses a day, a month and a leap day)
 *
 * Writing event i on Windows (what TraceLoggingWrite does, with the API
 * table of core/etw/etw_api.h):
 *   once:  api->event_register(&m.provider, NULL, NULL, &h);
 *          api->event_set_information(h, EF_SELFTEST_SET_TRAITS, m.traits, m.traits_len);
 *   each:  EVENT_DESCRIPTOR d = {.Id = 0, .Version = 0, .Channel = m.channel,
 *                                .Level = m.level, .Opcode = m.opcode, .Task = 0,
 *                                .Keyword = m.keyword};
 *          EVENT_DATA_DESCRIPTOR v[3];
 *          v[0] = {.Ptr = m.traits, .Size = m.traits_len,
 *                  .Reserved = EF_SELFTEST_DESC_PROVIDER_METADATA};
 *          v[1] = {.Ptr = m.event, .Size = m.event_len,
 *                  .Reserved = EF_SELFTEST_DESC_EVENT_METADATA};
 *          v[2] = {.Ptr = payload, .Size = len, .Reserved = 0};
 *          api->event_write_transfer(h, &d, NULL, NULL, 3, v);
 * (mingw's EVENT_DATA_DESCRIPTOR calls the Type member "Reserved"; the
 * SDK's is a union of Reserved with {UCHAR Type; UCHAR Reserved1;
 * USHORT Reserved2}, so on little-endian the value is the same.)
 * The consumer then sees the event metadata as an EVENT_SCHEMA_TL extended
 * item and the traits as a PROV_TRAITS item.
 */
#ifndef EF_RUNNER_SELFTEST_EVENTS_H
#define EF_RUNNER_SELFTEST_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "util/guid.h"

#define EF_SELFTEST_PROVIDER   "etwfwd-selftest"
#define EF_SELFTEST_EVENT_NAME "SelftestEvent"

/*
 * Values mingw-w64 10 lacks (TraceLoggingProvider.h, evntprov.h):
 * EVENT_INFO_CLASS EventProviderSetTraits, and the EVENT_DATA_DESCRIPTOR
 * types EVENT_DATA_DESCRIPTOR_TYPE_EVENT_METADATA / _PROVIDER_METADATA.
 */
#define EF_SELFTEST_SET_TRAITS             2u
#define EF_SELFTEST_DESC_EVENT_METADATA    1u
#define EF_SELFTEST_DESC_PROVIDER_METADATA 2u

/* A payload's largest size (the text is the only variable part). */
#define EF_SELFTEST_PAYLOAD_MAX 128u

/* The provider and the one event layout: the same for every event. */
struct ef_selftest_meta {
    struct ef_guid provider; /* ef_guid_from_provider_name(EF_SELFTEST_PROVIDER) */
    uint8_t traits[32];      /* provider metadata: u16 size, name, NUL */
    uint16_t traits_len;
    uint8_t event[96]; /* event metadata: u16 size, tag byte, name, fields */
    uint16_t event_len;
    /* EVENT_DESCRIPTOR: Id, Version and Task are 0, as TraceLogging writes them. */
    uint8_t channel; /* 11: WINEVENT_CHANNEL_TRACELOGGING */
    uint8_t level;   /* 4: information */
    uint8_t opcode;  /* 0: info */
    uint64_t keyword;
};

/* Event i's values, as the list above states them. */
struct ef_selftest_values {
    uint32_t seq;
    int64_t number;
    struct ef_guid id;
    uint64_t filetime;
};

/* Fills m. Returns 0, or EF_EINVAL if the name hash fails. Any thread. */
int ef_selftest_meta_build(struct ef_selftest_meta *m);

/* Event i's values. Any thread. */
void ef_selftest_values(uint32_t i, struct ef_selftest_values *out);

/*
 * Writes event i's payload into buf (cap bytes, EF_SELFTEST_PAYLOAD_MAX is
 * always enough); *len gets its size. Returns 0 or EF_ENOSPC. Any thread.
 */
int ef_selftest_payload(uint32_t i, uint8_t *buf, size_t cap, size_t *len);

/*
 * Checks one rendered JSON line of the native format (len bytes, no NUL
 * needed). Returns 0 when it is a self-test event whose every value is
 * event *seq's (System.Provider Name and Guid, EventName, EventData Seq,
 * Text, Number — a number, or a decimal string under int64_as_string —,
 * Id and Time); EF_ENOENT when the line is valid JSON of another provider
 * or event (*seq untouched); EF_EFORMAT when it is not JSON of an event;
 * EF_ERANGE when it is a self-test event with a wrong or missing value
 * (*seq set when its Seq could be read). why (may be NULL) names what
 * differs. Any thread.
 */
int ef_selftest_check(const char *line, size_t len, uint32_t *seq, char *why, size_t whylen);

#endif

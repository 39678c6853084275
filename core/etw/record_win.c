/*
 * record_win.c - an EVENT_RECORD seen as a struct ef_record, without
 * copying: the ef_record points at the EVENT_RECORD's user data and
 * extended items, which ETW keeps valid during the callback.
 *
 * The result is what core/etl gives for the same event read from a .etl
 * (core/etl/record.c), with these differences, all because an EVENT_RECORD
 * does not carry the information:
 *   - raw_timestamp is the FILETIME too: a real-time consumer without
 *     PROCESS_TRACE_MODE_RAW_TIMESTAMP gets converted timestamps only.
 *   - header_type is 0: the on-disk header type does not reach consumers.
 *   - sequence is 0: WPP sequence numbers and classic instance ids live in
 *     header fields an EVENT_RECORD has no room for, and EF_REC_INSTANCE is
 *     never produced (such records arrive as classic ones).
 *
 * Kind. A record with EVENT_HEADER_FLAG_TRACE_MESSAGE is WPP; one with
 * EVENT_HEADER_FLAG_CLASSIC_HEADER is classic (provider = the event's MOF
 * class GUID, opcode = the event type, as TDH sees it). The NT kernel
 * logger's own events (SYSTEM, COMPACT and PERFINFO headers) also reach a
 * real-time consumer as classic records, with the MOF class GUID of their
 * kernel group as ProviderId. core/etl marks those EF_REC_KERNEL, and the
 * kind goes into the decoder's cache key and the renderer's field cache, so
 * a classic record whose ProviderId is a kernel group's class GUID (the
 * table core/etl uses, ef_etl_kernel_group_guid) or SystemTraceControlGuid
 * (the "Windows Kernel" GUID core/etl gives groups without a class) becomes
 * EF_REC_KERNEL here too. Both kinds decode the same way (MOF schemas by
 * class GUID, type and version: core/decode/mof_source.c, the TDH source),
 * so a classic provider's record taken for a kernel one would still decode.
 *
 * Pointer size. The 32/64-bit header flags win, as TDH and core/etl read
 * them per event (a WOW64 provider's events in a 64-bit trace carry
 * EVENT_HEADER_FLAG_32_BIT_HEADER); the trace's pointer size (from the
 * logfile header) serves records that carry neither flag, and 8 when the
 * trace's is unknown too.
 */
#include "etw/record.h"

#include "etl/etl.h"
#include "etw/etw_defs.h"
#include "util/error.h"

#include <string.h>

_Static_assert(sizeof(struct ef_guid) == sizeof(GUID), "ef_guid mirrors GUID");

/* The kernel groups' class GUIDs; at most one per group id, built once. */
#define MAX_KERNEL_GUIDS 64

static struct ef_guid kernel_guids[MAX_KERNEL_GUIDS];
static unsigned n_kernel_guids;
static INIT_ONCE kernel_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK build_kernel_guids(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    static const struct ef_guid system_trace = EF_ETW_SYSTEM_TRACE_CONTROL_GUID;
    unsigned g, i;

    (void)once;
    (void)param;
    (void)ctx;
    kernel_guids[n_kernel_guids++] = system_trace;
    for (g = 0; g < 256 && n_kernel_guids < MAX_KERNEL_GUIDS; g++) {
        const struct ef_guid *k = ef_etl_kernel_group_guid(g);

        if (!k)
            continue;
        for (i = 0; i < n_kernel_guids; i++)
            if (ef_guid_equal(&kernel_guids[i], k))
                break;
        if (i == n_kernel_guids)
            kernel_guids[n_kernel_guids++] = *k;
    }
    return TRUE;
}

static int is_kernel_class(const struct ef_guid *g)
{
    unsigned i;

    InitOnceExecuteOnce(&kernel_once, build_kernel_guids, NULL, NULL);
    for (i = 0; i < n_kernel_guids; i++)
        if (kernel_guids[i].data1 == g->data1 && ef_guid_equal(&kernel_guids[i], g))
            return 1;
    return 0;
}

static uint8_t record_kind(const EVENT_HEADER *h, const struct ef_guid *provider)
{
    if (h->Flags & EVENT_HEADER_FLAG_TRACE_MESSAGE)
        return EF_REC_WPP;
    if (h->Flags & EVENT_HEADER_FLAG_CLASSIC_HEADER)
        return is_kernel_class(provider) ? EF_REC_KERNEL : EF_REC_CLASSIC;
    return EF_REC_EVENT;
}

static uint8_t record_pointer_size(USHORT flags, unsigned trace)
{
    if (flags & EVENT_HEADER_FLAG_32_BIT_HEADER)
        return 4;
    if (flags & EVENT_HEADER_FLAG_64_BIT_HEADER)
        return 8;
    return trace == 4 ? 4 : 8;
}

/* The extended items: pointers into ETW's array, at most EF_ETW_MAX_EXT. */
static int convert_ext(const EVENT_RECORD *er, struct ef_etw_record *out)
{
    unsigned i, n = er->ExtendedDataCount;

    if (n == 0)
        return 0;
    if (!er->ExtendedData)
        return EF_EFORMAT;
    for (i = 0; i < n; i++) {
        const EVENT_HEADER_EXTENDED_DATA_ITEM *x = &er->ExtendedData[i];

        if (x->DataPtr == 0)
            return EF_EFORMAT;
        if (i >= EF_ETW_MAX_EXT) {
            out->ext_dropped++;
            continue;
        }
        out->ext[i].type = x->ExtType;
        out->ext[i].size = x->DataSize;
        out->ext[i].data = (const uint8_t *)(uintptr_t)x->DataPtr;
    }
    out->r.ext = out->ext;
    out->r.ext_count = (uint16_t)(n < EF_ETW_MAX_EXT ? n : EF_ETW_MAX_EXT);
    return 0;
}

int ef_etw_record_from(const EVENT_RECORD *er, unsigned pointer_size, struct ef_etw_record *out)
{
    const EVENT_HEADER *h = &er->EventHeader;
    const EVENT_DESCRIPTOR *d = &h->EventDescriptor;
    struct ef_record *r = &out->r;

    memset(r, 0, sizeof(*r));
    out->ext_dropped = 0;
    if (er->UserDataLength && !er->UserData)
        return EF_EFORMAT;
    memcpy(&r->provider, &h->ProviderId, sizeof(r->provider));
    r->id = d->Id;
    r->version = d->Version;
    r->channel = d->Channel;
    r->level = d->Level;
    r->opcode = d->Opcode;
    r->task = d->Task;
    r->keywords = d->Keyword;
    r->flags = h->Flags;
    r->event_property = h->EventProperty;
    r->pid = h->ProcessId;
    r->tid = h->ThreadId;
    r->timestamp = (uint64_t)h->TimeStamp.QuadPart;
    r->raw_timestamp = r->timestamp;
    /* The union holds ProcessorTime when the session is private or the
       provider gave no CPU times; reading it as two ULONGs then is wrong. */
    if (h->Flags & (EVENT_HEADER_FLAG_PRIVATE_SESSION | EVENT_HEADER_FLAG_NO_CPUTIME)) {
        r->processor_time = h->ProcessorTime;
    } else {
        r->kernel_time = h->KernelTime;
        r->user_time = h->UserTime;
    }
    r->processor = er->BufferContext.ProcessorIndex;
    r->pointer_size = record_pointer_size(h->Flags, pointer_size);
    r->kind = record_kind(h, &r->provider);
    memcpy(&r->activity_id, &h->ActivityId, sizeof(r->activity_id));
    r->user_data = er->UserData;
    r->user_data_len = er->UserDataLength;
    r->native = er;
    return convert_ext(er, out);
}

int ef_etw_record_is_lost(const EVENT_RECORD *er, unsigned *opcode)
{
    static const GUID lost = EF_ETW_RT_LOST_EVENT_GUID;

    if (memcmp(&er->EventHeader.ProviderId, &lost, sizeof(lost)) != 0)
        return 0;
    if (opcode)
        *opcode = er->EventHeader.EventDescriptor.Opcode;
    return 1;
}

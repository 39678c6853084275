/*
 * test_etw_record_win.c - EVENT_RECORD -> struct ef_record (core/etw/record.h).
 *
 * The expected values come from the portable .etl reader: every event of
 * real traces (manifest events, MOF and kernel events, TraceLogging with
 * its schema item) becomes the EVENT_RECORD a real-time consumer would get
 * (fake_trace_build_event), and the conversion must give back the reader's
 * record field by field, except what an EVENT_RECORD cannot carry
 * (raw_timestamp is the FILETIME, header_type and the WPP/instance
 * sequence are 0: record_win.c says why). Then hand-made records: lost
 * events, extended items, pointer sizes, CPU times, kinds, and impossible
 * lengths.
 */
#include "runner.h"

#include "fake_trace.h"

#include "etl/etl.h"
#include "etw/etw_defs.h"
#include "etw/record.h"
#include "util/error.h"

#include <string.h>

#define MAX_EXT 64

struct trace_case {
    const char *path;
    unsigned events;               /* the file has this many, besides its header */
    enum ef_record_kind must_have; /* and at least one of this kind */
    uint16_t must_have_ext;        /* and one with this extended item (0: none needed) */
    int has_32bit;                 /* some events carry EVENT_HEADER_FLAG_32_BIT_HEADER */
};

/* Event counts (the header excepted) as test_etl_real.c's totals minus one. */
static const struct trace_case traces[] = {
    {"testdata/etl/tx/HTTP_Server.etl", 2041, EF_REC_EVENT, 0},
    {"testdata/etl/perfview/primitive-types.etl", 6, EF_REC_EVENT, 0},
    {"testdata/etl/etl-parser/lxcore_kernel.etl", 3, EF_REC_KERNEL, 0},
    {"testdata/etl/perfview/SelfDescribingSingleEvent.etl", 21, EF_REC_EVENT,
     EF_EXT_EVENT_SCHEMA_TL},
    /* 32-bit providers in a trace whose header says 8: the flags decide. */
    {"testdata/etl/perfview/net.4.5.2.x86.etl", 168297, EF_REC_KERNEL, 0, 1},
};

/*
 * The first field where the converted record c differs from the reader's
 * e, or NULL. Plain comparisons: a Check assertion per field would cost
 * a write per call under Wine, millions for net.4.5.2.x86.etl.
 */
static const char *first_difference(const struct ef_record *c, const struct ef_record *e,
                                    const EVENT_RECORD *er)
{
    uint8_t kind = e->kind == EF_REC_INSTANCE ? EF_REC_CLASSIC : e->kind;
    uint32_t seq = e->kind == EF_REC_WPP || e->kind == EF_REC_INSTANCE ? 0 : e->sequence;
    unsigned i;

#define EQ(f)                                                                                      \
    if (c->f != e->f)                                                                              \
    return #f
    if (!ef_guid_equal(&c->provider, &e->provider))
        return "provider";
    EQ(id);
    EQ(version);
    EQ(channel);
    EQ(level);
    EQ(opcode);
    EQ(task);
    EQ(keywords);
    EQ(flags);
    EQ(event_property);
    EQ(pid);
    EQ(tid);
    EQ(timestamp);
    EQ(kernel_time);
    EQ(user_time);
    EQ(processor_time);
    EQ(processor);
    EQ(pointer_size);
    EQ(user_data_len);
    EQ(ext_count);
#undef EQ
    if (c->raw_timestamp != e->timestamp)
        return "raw_timestamp (the FILETIME)";
    if (c->kind != kind)
        return "kind";
    if (c->header_type != 0)
        return "header_type (0)";
    if (c->sequence != seq)
        return "sequence";
    if (!ef_guid_equal(&c->activity_id, &e->activity_id))
        return "activity_id";
    /* No copy: the payload and the items are the reader's bytes. */
    if (c->user_data != e->user_data)
        return "user_data";
    for (i = 0; i < e->ext_count; i++) {
        if (c->ext[i].type != e->ext[i].type || c->ext[i].size != e->ext[i].size ||
            c->ext[i].data != e->ext[i].data)
            return "ext";
    }
    if (c->native != er)
        return "native";
    return NULL;
}

START_TEST(real_traces_convert_as_the_reader_reads_them)
{
    const struct trace_case *tc = &traces[_i];
    struct ef_etl_reader *rd;
    const struct ef_record *e;
    char path[1024];
    uint64_t n = 0, have_kind = 0, have_ext = 0, have_32 = 0;
    const char *why;
    int rc;

    ck_assert_int_eq(ef_etl_open_file(ef_test_shared_path(tc->path, path, sizeof(path)), NULL, &rd),
                     0);
    while ((rc = ef_etl_next(rd, &e)) == 1) {
        EVENT_RECORD er;
        EVENT_HEADER_EXTENDED_DATA_ITEM ext[MAX_EXT];
        struct ef_etw_record out;

        if (e->kind == EF_REC_LOGFILE_HEADER)
            continue; /* real-time consumers never receive it */
        if (fake_trace_build_event(e, &er, ext, MAX_EXT) < 0 ||
            ef_etw_record_from(&er, ef_etl_header(rd)->pointer_size, &out) < 0)
            ck_abort_msg("event %llu: no EVENT_RECORD or no conversion", (unsigned long long)n);
        if ((why = first_difference(&out.r, e, &er)) != NULL || out.ext_dropped)
            ck_abort_msg("event %llu differs: %s", (unsigned long long)n,
                         why ? why : "ext_dropped");
        have_kind += e->kind == tc->must_have;
        have_32 += out.r.pointer_size == 4;
        have_ext += tc->must_have_ext && ef_record_ext(&out.r, tc->must_have_ext) != NULL;
        n++;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(n, tc->events);
    ck_assert_uint_gt(have_kind, 0);
    if (tc->must_have_ext)
        ck_assert_uint_gt(have_ext, 0);
    if (tc->has_32bit)
        ck_assert_uint_gt(have_32, 0);
    ef_etl_close(rd);
}
END_TEST

/* A plain manifest-style event with nothing special. */
static void plain(EVENT_RECORD *er)
{
    static const GUID p = {
        0x22fb2cd6, 0x0e7b, 0x422b, {0xa0, 0xc7, 0x2f, 0xad, 0x1f, 0xd0, 0xe7, 0x16}};

    memset(er, 0, sizeof(*er));
    er->EventHeader.Size = sizeof(er->EventHeader);
    er->EventHeader.Flags = EVENT_HEADER_FLAG_64_BIT_HEADER;
    er->EventHeader.ProviderId = p;
    er->EventHeader.EventDescriptor.Id = 1;
}

/* er converted with the trace's pointer size ptr, which must succeed. */
static const struct ef_record *converted(const EVENT_RECORD *er, unsigned ptr,
                                         struct ef_etw_record *out)
{
    ck_assert_int_eq(ef_etw_record_from(er, ptr, out), 0);
    return &out->r;
}

START_TEST(lost_event_records_are_recognised)
{
    /* RT_LostEvent {6a399ae0-4bc6-4de9-870b-3657f8947e7e} (ETW-NOTES §6), spelled out here. */
    static const GUID lost = {
        0x6a399ae0, 0x4bc6, 0x4de9, {0x87, 0x0b, 0x36, 0x57, 0xf8, 0x94, 0x7e, 0x7e}};
    EVENT_RECORD er;
    unsigned op = 0;

    plain(&er);
    ck_assert_int_eq(ef_etw_record_is_lost(&er, &op), 0);
    er.EventHeader.ProviderId = lost;
    er.EventHeader.EventDescriptor.Opcode = 33;
    ck_assert_int_eq(ef_etw_record_is_lost(&er, &op), 1);
    ck_assert_uint_eq(op, 33);
    er.EventHeader.EventDescriptor.Opcode = 34;
    ck_assert_int_eq(ef_etw_record_is_lost(&er, NULL), 1);
    /* One byte off is another provider. */
    er.EventHeader.ProviderId.Data4[7] ^= 1;
    ck_assert_int_eq(ef_etw_record_is_lost(&er, &op), 0);
}
END_TEST

START_TEST(extended_items_point_at_etw_data)
{
    static const uint8_t related[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}; /* S-1-5-18 */
    static const uint32_t ts_id = 3;
    static const uint64_t stack[3] = {0, 0xfffff80012345678ull, 0x7ff612340000ull};
    static const uint8_t tl[6] = {6, 0, 0, 'E', 0, 0};
    static const uint64_t start_key = 0x1234000000000042ull;
    const struct {
        USHORT type, size;
        const void *data;
    } items[] = {
        {EF_EXT_RELATED_ACTIVITYID, 16, related},
        {EF_EXT_SID, 12, sid},
        {EF_EXT_TS_ID, 4, &ts_id},
        {EF_EXT_STACK_TRACE64, 24, stack},
        {EF_EXT_EVENT_SCHEMA_TL, 6, tl},
        {EF_EXT_PROCESS_START_KEY, 8, &start_key},
    };
    EVENT_HEADER_EXTENDED_DATA_ITEM x[6];
    struct ef_etw_record out;
    EVENT_RECORD er;
    unsigned i;

    plain(&er);
    memset(x, 0, sizeof(x));
    for (i = 0; i < 6; i++) {
        x[i].ExtType = items[i].type;
        x[i].DataSize = items[i].size;
        x[i].Linkage = i < 5;
        x[i].DataPtr = (ULONGLONG)(uintptr_t)items[i].data;
    }
    er.EventHeader.Flags |= EVENT_HEADER_FLAG_EXTENDED_INFO;
    er.ExtendedDataCount = 6;
    er.ExtendedData = x;
    ck_assert_int_eq(ef_etw_record_from(&er, 8, &out), 0);
    ck_assert_uint_eq(out.r.ext_count, 6);
    for (i = 0; i < 6; i++) {
        const struct ef_ext_item *it = ef_record_ext(&out.r, items[i].type);

        ck_assert_ptr_nonnull(it);
        ck_assert_uint_eq(it->size, items[i].size);
        ck_assert_ptr_eq(it->data, items[i].data);
    }
    ck_assert_ptr_null(ef_record_ext(&out.r, EF_EXT_PSM_KEY));
    /* A TS_ID item holds the session id: 3. */
    ck_assert_uint_eq(*(const uint32_t *)ef_record_ext(&out.r, EF_EXT_TS_ID)->data, 3);
}
END_TEST

START_TEST(extended_items_past_the_cap_are_counted)
{
    static const uint32_t v = 7;
    EVENT_HEADER_EXTENDED_DATA_ITEM x[EF_ETW_MAX_EXT + 8];
    struct ef_etw_record out;
    EVENT_RECORD er;
    unsigned i;

    plain(&er);
    memset(x, 0, sizeof(x));
    for (i = 0; i < EF_ETW_MAX_EXT + 8; i++) {
        x[i].ExtType = (USHORT)(1 + i % 18);
        x[i].DataSize = 4;
        x[i].DataPtr = (ULONGLONG)(uintptr_t)&v;
    }
    er.ExtendedDataCount = EF_ETW_MAX_EXT + 8;
    er.ExtendedData = x;
    ck_assert_int_eq(ef_etw_record_from(&er, 8, &out), 0);
    ck_assert_uint_eq(out.r.ext_count, EF_ETW_MAX_EXT);
    ck_assert_uint_eq(out.ext_dropped, 8);
    ck_assert_uint_eq(out.r.ext[EF_ETW_MAX_EXT - 1].type, 1 + (EF_ETW_MAX_EXT - 1) % 18);
}
END_TEST

START_TEST(impossible_lengths_are_refused)
{
    static const uint32_t v = 7;
    EVENT_HEADER_EXTENDED_DATA_ITEM x[2];
    struct ef_etw_record out;
    EVENT_RECORD er;

    plain(&er);
    er.UserDataLength = 10; /* and no UserData */
    ck_assert_int_eq(ef_etw_record_from(&er, 8, &out), EF_EFORMAT);

    plain(&er);
    er.ExtendedDataCount = 2; /* and no ExtendedData */
    ck_assert_int_eq(ef_etw_record_from(&er, 8, &out), EF_EFORMAT);

    plain(&er);
    memset(x, 0, sizeof(x));
    x[0].ExtType = EF_EXT_TS_ID;
    x[0].DataSize = 4;
    x[0].DataPtr = (ULONGLONG)(uintptr_t)&v;
    x[1].ExtType = EF_EXT_SID;
    x[1].DataSize = 12; /* an item with no data */
    er.ExtendedDataCount = 2;
    er.ExtendedData = x;
    ck_assert_int_eq(ef_etw_record_from(&er, 8, &out), EF_EFORMAT);

    /* No user data at all is fine. */
    plain(&er);
    ck_assert_int_eq(ef_etw_record_from(&er, 8, &out), 0);
    ck_assert_uint_eq(out.r.user_data_len, 0);
}
END_TEST

START_TEST(pointer_size_follows_the_header_flags)
{
    struct ef_etw_record out;
    EVENT_RECORD er;

    plain(&er);
    er.EventHeader.Flags = EVENT_HEADER_FLAG_32_BIT_HEADER; /* a WOW64 provider */
    ck_assert_uint_eq(converted(&er, 8, &out)->pointer_size, 4);
    er.EventHeader.Flags = EVENT_HEADER_FLAG_64_BIT_HEADER;
    ck_assert_uint_eq(converted(&er, 4, &out)->pointer_size, 8);
    er.EventHeader.Flags = 0; /* neither: the trace's */
    ck_assert_uint_eq(converted(&er, 4, &out)->pointer_size, 4);
    ck_assert_uint_eq(converted(&er, 0, &out)->pointer_size, 8);
}
END_TEST

START_TEST(cpu_times_or_processor_time)
{
    struct ef_etw_record out;
    EVENT_RECORD er;

    plain(&er);
    er.EventHeader.KernelTime = 5;
    er.EventHeader.UserTime = 7;
    er.BufferContext.ProcessorIndex = 300; /* above 255: the USHORT, not ProcessorNumber */
    ck_assert_int_eq(ef_etw_record_from(&er, 8, &out), 0);
    ck_assert_uint_eq(out.r.kernel_time, 5);
    ck_assert_uint_eq(out.r.user_time, 7);
    ck_assert_uint_eq(out.r.processor_time, 0);
    ck_assert_uint_eq(out.r.processor, 300);

    er.EventHeader.Flags |= EVENT_HEADER_FLAG_PRIVATE_SESSION;
    er.EventHeader.ProcessorTime = 0x0000000700000005ull;
    ck_assert_int_eq(ef_etw_record_from(&er, 8, &out), 0);
    ck_assert_uint_eq(out.r.processor_time, 0x0000000700000005ull);
    ck_assert_uint_eq(out.r.kernel_time, 0);
    ck_assert_uint_eq(out.r.user_time, 0);

    er.EventHeader.Flags = EVENT_HEADER_FLAG_NO_CPUTIME;
    ck_assert_int_eq(ef_etw_record_from(&er, 8, &out), 0);
    ck_assert_uint_eq(out.r.processor_time, 0x0000000700000005ull);
    ck_assert_uint_eq(out.r.kernel_time, 0);
}
END_TEST

START_TEST(kind_from_flags_and_class)
{
    /* Process {3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c} and Thread
       {3d6fa8d1-...}: MOF classes of the kernel logger
       (kerneltraceeventparser.mof); SystemTraceControlGuid (ETW-NOTES §2);
       and a classic provider of someone else's. */
    static const GUID process = {
        0x3d6fa8d0, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}};
    static const GUID thread = {
        0x3d6fa8d1, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}};
    static const GUID system = {
        0x9e814aad, 0x3204, 0x11d2, {0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39}};
    static const GUID other = {
        0x3d6fa8d9, 0xfe05, 0x11d0, {0x9d, 0xda, 0x00, 0xc0, 0x4f, 0xd7, 0xba, 0x7c}};
    struct ef_etw_record out;
    EVENT_RECORD er;

    plain(&er);
    ck_assert_uint_eq(converted(&er, 8, &out)->kind, EF_REC_EVENT);

    er.EventHeader.Flags |= EVENT_HEADER_FLAG_CLASSIC_HEADER;
    ck_assert_uint_eq(converted(&er, 8, &out)->kind, EF_REC_CLASSIC);
    er.EventHeader.ProviderId = other;
    ck_assert_uint_eq(converted(&er, 8, &out)->kind, EF_REC_CLASSIC);
    er.EventHeader.ProviderId = process;
    er.EventHeader.EventDescriptor.Opcode = 1; /* Process/Start */
    ck_assert_uint_eq(converted(&er, 8, &out)->kind, EF_REC_KERNEL);
    ck_assert_uint_eq(out.r.opcode, 1);
    er.EventHeader.ProviderId = thread;
    ck_assert_uint_eq(converted(&er, 8, &out)->kind, EF_REC_KERNEL);
    er.EventHeader.ProviderId = system;
    ck_assert_uint_eq(converted(&er, 8, &out)->kind, EF_REC_KERNEL);

    er.EventHeader.Flags = EVENT_HEADER_FLAG_TRACE_MESSAGE | EVENT_HEADER_FLAG_CLASSIC_HEADER;
    ck_assert_uint_eq(converted(&er, 8, &out)->kind, EF_REC_WPP);
}
END_TEST

TCase *ef_etw_record_case(void);
TCase *ef_etw_record_case(void)
{
    TCase *tc = tcase_create("etw_record");

    tcase_add_loop_test(tc, real_traces_convert_as_the_reader_reads_them, 0,
                        (int)(sizeof(traces) / sizeof(traces[0])));
    tcase_add_test(tc, lost_event_records_are_recognised);
    tcase_add_test(tc, extended_items_point_at_etw_data);
    tcase_add_test(tc, extended_items_past_the_cap_are_counted);
    tcase_add_test(tc, impossible_lengths_are_refused);
    tcase_add_test(tc, pointer_size_follows_the_header_flags);
    tcase_add_test(tc, cpu_times_or_processor_time);
    tcase_add_test(tc, kind_from_flags_and_class);
    return tc;
}

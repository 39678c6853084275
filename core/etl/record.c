/*
 * record.c - one on-disk ETW record into a struct ef_record.
 *
 * Every record starts with a u32 whose top two bits are set (the marker) and
 * whose byte 2 is the header type; the header type decides where the size,
 * the timestamp and the ids are. Nothing is copied: user data and extended
 * items point into the buffer. Every read is checked against the record's
 * size, and the size against the buffer's end.
 */
#include "etl_int.h"

#include "util/bytes.h"
#include "util/error.h"

#include <string.h>

#define HOOK_GROUP_EVENT_TRACE 0x00

static uint16_t bitness_flag(uint8_t ptr)
{
    return ptr == 4 ? EF_HDR_FLAG_32_BIT_HEADER : EF_HDR_FLAG_64_BIT_HEADER;
}

/* SYSTEM, COMPACT and PERFINFO headers: the NT kernel logger's own records. */
static int parse_kernel(const uint8_t *p, uint8_t type, struct ef_record *rec, uint32_t *hdr)
{
    uint16_t hook = ef_le16(p + 6);
    const struct ef_guid *g = ef_etl_kernel_group_guid(hook >> 8);
    static const struct ef_guid system_trace = {
        0x9e814aad, 0x3204, 0x11d2, {0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39}};

    rec->provider = g ? *g : system_trace;
    rec->opcode = (uint8_t)(hook & 0xFF);
    rec->version = (uint8_t)ef_le16(p);
    rec->kind = EF_REC_KERNEL;
    /* Groups without a GUID of their own keep the group in the task, so they
       stay apart under the "Windows Kernel" provider GUID. */
    rec->task = g ? 0 : (uint16_t)(hook >> 8);
    switch (type) {
    case EF_ETL_HT_SYSTEM32:
    case EF_ETL_HT_SYSTEM64:
        *hdr = 0x20;
        rec->tid = ef_le32(p + 8);
        rec->pid = ef_le32(p + 12);
        rec->raw_timestamp = ef_le64(p + 16);
        rec->kernel_time = ef_le32(p + 24);
        rec->user_time = ef_le32(p + 28);
        rec->pointer_size = type == EF_ETL_HT_SYSTEM32 ? 4 : 8;
        break;
    case EF_ETL_HT_COMPACT32:
    case EF_ETL_HT_COMPACT64:
        *hdr = 0x18;
        rec->tid = ef_le32(p + 8);
        rec->pid = ef_le32(p + 12);
        rec->raw_timestamp = ef_le64(p + 16);
        rec->flags |= EF_HDR_FLAG_NO_CPUTIME;
        rec->pointer_size = type == EF_ETL_HT_COMPACT32 ? 4 : 8;
        break;
    default: /* PERFINFO: no thread or process in the header */
        *hdr = 0x10;
        rec->tid = UINT32_MAX;
        rec->pid = UINT32_MAX;
        rec->raw_timestamp = ef_le64(p + 8);
        rec->flags |= EF_HDR_FLAG_NO_CPUTIME;
        rec->pointer_size = type == EF_ETL_HT_PERFINFO32 ? 4 : 8;
        break;
    }
    rec->flags |= EF_HDR_FLAG_CLASSIC_HEADER | bitness_flag(rec->pointer_size);
    return 0;
}

/* EVENT_TRACE_HEADER (FULL_HEADER) and EVENT_INSTANCE_HEADER: classic providers. */
static void parse_classic(const uint8_t *p, uint8_t type, struct ef_record *rec, uint32_t *hdr)
{
    int instance = type == EF_ETL_HT_INSTANCE32 || type == EF_ETL_HT_INSTANCE64;

    rec->opcode = p[4];
    rec->level = p[5];
    rec->version = (uint8_t)ef_le16(p + 6);
    rec->tid = ef_le32(p + 8);
    rec->pid = ef_le32(p + 12);
    rec->raw_timestamp = ef_le64(p + 16);
    rec->pointer_size = (type == EF_ETL_HT_FULL_HEADER32 || type == EF_ETL_HT_INSTANCE32) ? 4 : 8;
    if (instance) {
        /* EVENT_INSTANCE_HEADER: RegHandle @0x18 (the logger stores no
           GUID), InstanceId @0x20, ParentInstanceId @0x24, times @0x28,
           ParentRegHandle @0x30. The instance id goes to sequence. */
        *hdr = 0x38;
        rec->kind = EF_REC_INSTANCE;
        rec->sequence = ef_le32(p + 0x20);
        rec->kernel_time = ef_le32(p + 0x28);
        rec->user_time = ef_le32(p + 0x2C);
    } else {
        *hdr = 0x30;
        rec->kind = EF_REC_CLASSIC;
        ef_guid_read(p + 0x18, &rec->provider);
        rec->kernel_time = ef_le32(p + 0x28);
        rec->user_time = ef_le32(p + 0x2C);
    }
    rec->flags |= EF_HDR_FLAG_CLASSIC_HEADER | bitness_flag(rec->pointer_size);
}

/* The extended items between an EVENT_HEADER and its user data. */
static int parse_ext(const uint8_t *p, uint32_t size, uint32_t *hdr, struct ef_record *rec,
                     struct ef_ext_item *ext, const char **why)
{
    uint32_t q = *hdr;

    for (;;) {
        uint16_t total, dsize, linkage;

        if (size - q < 8) {
            *why = "extended item header crosses the record's end";
            return EF_EFORMAT;
        }
        total = ef_le16(p + q);
        dsize = ef_le16(p + q + 6);
        linkage = ef_le16(p + q + 4);
        if (total < 8 + (uint32_t)dsize || total > size - q) {
            *why = "extended item size inconsistent with the record";
            return EF_EFORMAT;
        }
        if (rec->ext_count < EF_ETL_EXT_MAX) {
            ext[rec->ext_count].type = ef_le16(p + q + 2);
            ext[rec->ext_count].size = dsize;
            ext[rec->ext_count].data = p + q + 8;
            rec->ext_count++;
        }
        q += total;
        if (!(linkage & 1))
            break;
    }
    *hdr = q;
    return 0;
}

static int parse_event(const uint8_t *p, uint8_t type, uint32_t size, struct ef_record *rec,
                       struct ef_ext_item *ext, uint32_t *hdr, const char **why)
{
    uint16_t flags = ef_le16(p + 4);

    *hdr = 0x50;
    rec->kind = EF_REC_EVENT;
    rec->pointer_size = type == EF_ETL_HT_EVENT_HEADER32 ? 4 : 8;
    /* Windows gives consumers the stored flags plus the header's bitness
       and PROCESSOR_INDEX; the file stores neither. */
    rec->flags = (uint16_t)((flags & ~(EF_HDR_FLAG_32_BIT_HEADER | EF_HDR_FLAG_64_BIT_HEADER)) |
                            bitness_flag(rec->pointer_size));
    rec->event_property = ef_le16(p + 6);
    rec->tid = ef_le32(p + 8);
    rec->pid = ef_le32(p + 12);
    rec->raw_timestamp = ef_le64(p + 16);
    ef_guid_read(p + 0x18, &rec->provider);
    rec->id = ef_le16(p + 0x28);
    rec->version = p[0x2A];
    rec->channel = p[0x2B];
    rec->level = p[0x2C];
    rec->opcode = p[0x2D];
    rec->task = ef_le16(p + 0x2E);
    rec->keywords = ef_le64(p + 0x30);
    if (flags & (EF_HDR_FLAG_PRIVATE_SESSION | EF_HDR_FLAG_NO_CPUTIME)) {
        rec->processor_time = ef_le64(p + 0x38);
    } else {
        rec->kernel_time = ef_le32(p + 0x38);
        rec->user_time = ef_le32(p + 0x3C);
    }
    ef_guid_read(p + 0x40, &rec->activity_id);
    if (flags & EF_HDR_FLAG_EXTENDED_INFO)
        return parse_ext(p, size, hdr, rec, ext, why);
    return 0;
}

/*
 * TRACE_MESSAGE (WPP): Size u16, type, marker, MessageNumber u16,
 * OptionFlags u16, then the optional parts in flag order: sequence (0x01),
 * GUID (0x02) or component id (0x04), timestamp (0x08 or 0x10), thread and
 * process (0x20).
 */
static int parse_message(const uint8_t *p, uint32_t size, uint8_t ptr, struct ef_record *rec,
                         uint32_t *hdr, const char **why)
{
    uint16_t opt = ef_le16(p + 6);
    uint32_t q = 8;

    rec->kind = EF_REC_WPP;
    rec->id = ef_le16(p + 4);
    rec->pointer_size = ptr;
    rec->flags = EF_HDR_FLAG_TRACE_MESSAGE | EF_HDR_FLAG_CLASSIC_HEADER | bitness_flag(ptr);
    if (opt & 0x01) {
        if (size - q < 4)
            goto short_header;
        rec->sequence = ef_le32(p + q);
        q += 4;
    }
    if (opt & 0x02) {
        if (size - q < 16)
            goto short_header;
        ef_guid_read(p + q, &rec->provider);
        q += 16;
    } else if (opt & 0x04) {
        if (size - q < 4)
            goto short_header;
        rec->provider.data1 = ef_le32(p + q); /* component id */
        q += 4;
    }
    if (opt & 0x18) {
        if (size - q < 8)
            goto short_header;
        rec->raw_timestamp = ef_le64(p + q);
        q += 8;
    }
    if (opt & 0x20) {
        if (size - q < 8)
            goto short_header;
        rec->tid = ef_le32(p + q);
        rec->pid = ef_le32(p + q + 4);
        q += 8;
    }
    *hdr = q;
    return 0;
short_header:
    *why = "message record shorter than its option flags say";
    return EF_EFORMAT;
}

static uint32_t min_header(uint8_t type)
{
    switch (type) {
    case EF_ETL_HT_SYSTEM32:
    case EF_ETL_HT_SYSTEM64:
        return 0x20;
    case EF_ETL_HT_COMPACT32:
    case EF_ETL_HT_COMPACT64:
        return 0x18;
    case EF_ETL_HT_PERFINFO32:
    case EF_ETL_HT_PERFINFO64:
        return 0x10;
    case EF_ETL_HT_FULL_HEADER32:
    case EF_ETL_HT_FULL_HEADER64:
        return 0x30;
    case EF_ETL_HT_INSTANCE32:
    case EF_ETL_HT_INSTANCE64:
        return 0x38;
    case EF_ETL_HT_EVENT_HEADER32:
    case EF_ETL_HT_EVENT_HEADER64:
        return 0x50;
    case EF_ETL_HT_MESSAGE:
        return 8;
    default:
        return 0;
    }
}

int ef_etl_parse_record(const struct ef_etl_parse_ctx *c, const uint8_t *buf, uint32_t pos,
                        uint32_t end, struct ef_record *rec, struct ef_ext_item *ext,
                        uint32_t *size, const char **why)
{
    const uint8_t *p = buf + pos;
    uint32_t marker, rsize, hdr = 0, need;
    uint8_t type;
    int rc = 0;

    *size = 0;
    if (end - pos < 4) {
        *why = "record header crosses the buffer's end";
        return EF_ETRUNC;
    }
    marker = ef_le32(p);
    if (marker == UINT32_MAX)
        return 0; /* padding: no more records in this buffer */
    if ((marker & 0xC0000000u) != 0xC0000000u) {
        *why = marker == 0 ? "zero-filled record header" : "record without a trace header marker";
        return EF_EFORMAT;
    }
    type = p[2];
    need = min_header(type);
    if (need == 0) {
        *why = "unsupported record header type";
        return EF_ENOTSUP;
    }
    if (end - pos < 8) {
        *why = "record header crosses the buffer's end";
        return EF_ETRUNC;
    }
    /* The kernel's own headers start with a version; their size is at 4. */
    if (type <= EF_ETL_HT_COMPACT64 || type == EF_ETL_HT_PERFINFO32 || type == EF_ETL_HT_PERFINFO64)
        rsize = ef_le16(p + 4);
    else
        rsize = ef_le16(p);
    if (rsize < need) {
        *why = "record size smaller than its header";
        return EF_EFORMAT;
    }
    if (rsize > end - pos) {
        *why = "record crosses the buffer's end";
        return EF_ETRUNC;
    }

    memset(rec, 0, sizeof(*rec));
    rec->header_type = type;
    rec->processor = c->processor;
    switch (type) {
    case EF_ETL_HT_EVENT_HEADER32:
    case EF_ETL_HT_EVENT_HEADER64:
        rc = parse_event(p, type, rsize, rec, ext, &hdr, why);
        break;
    case EF_ETL_HT_FULL_HEADER32:
    case EF_ETL_HT_FULL_HEADER64:
    case EF_ETL_HT_INSTANCE32:
    case EF_ETL_HT_INSTANCE64:
        parse_classic(p, type, rec, &hdr);
        break;
    case EF_ETL_HT_MESSAGE:
        rc = parse_message(p, rsize, c->file_pointer_size, rec, &hdr, why);
        break;
    default:
        parse_kernel(p, type, rec, &hdr);
        break;
    }
    /* Aligned step; the last record of a buffer may end unaligned at end. */
    *size = (uint32_t)(((uint64_t)rsize + 7) & ~(uint64_t)7);
    if (*size > end - pos)
        *size = end - pos;
    if (rc < 0)
        return rc;
    rec->flags |= EF_HDR_FLAG_PROCESSOR_INDEX;
    if (rec->ext_count) {
        rec->flags |= EF_HDR_FLAG_EXTENDED_INFO;
        rec->ext = ext;
    }
    rec->user_data = p + hdr;
    rec->user_data_len = rsize - hdr;
    return 1;
}

int ef_etl_is_logheader(const struct ef_record *rec)
{
    const struct ef_guid *g = ef_etl_kernel_group_guid(HOOK_GROUP_EVENT_TRACE);

    return (rec->header_type == EF_ETL_HT_SYSTEM32 || rec->header_type == EF_ETL_HT_SYSTEM64) &&
           rec->opcode == 0 && rec->task == 0 && ef_guid_equal(&rec->provider, g);
}

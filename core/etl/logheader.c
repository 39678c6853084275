/*
 * logheader.c - TRACE_LOGFILE_HEADER, the payload of a file's first record.
 *
 * Its layout depends on the pointer size of the session that wrote it
 * (SYSTEM32 or SYSTEM64 header): two pointers (LoggerName, LogFileName)
 * sit before the 172-byte TIME_ZONE_INFORMATION, and the 64-bit fields after
 * it are 8-byte aligned. The two names follow the structure as NUL-terminated
 * UTF-16 strings. Offsets verified on the files in shared/testdata/etl.
 */
#include "etl_int.h"

#include "util/bytes.h"
#include "util/error.h"
#include "util/utf16.h"

#include <string.h>

#define TIME_ZONE_INFO_SIZE 172

int ef_etl_parse_logheader(const struct ef_record *rec, struct ef_etl_header *h)
{
    const uint8_t *p = rec->user_data;
    uint32_t len = rec->user_data_len, ptr, o, fixed;
    size_t used = 0;

    if (!ef_etl_is_logheader(rec))
        return EF_EFORMAT;
    ptr = rec->header_type == EF_ETL_HT_SYSTEM32 ? 4 : 8;
    o = 0x38 + 2 * ptr + TIME_ZONE_INFO_SIZE;
    o = (o + 7) & ~7u;
    fixed = o + 32;
    if (len < fixed)
        return EF_ETRUNC;
    memset(h, 0, sizeof(*h));
    h->buffer_size = ef_le32(p);
    h->major_version = p[4];
    h->minor_version = p[5];
    h->sub_version = p[6];
    h->sub_minor_version = p[7];
    h->build = ef_le32(p + 8);
    h->cpus = ef_le32(p + 0x0C);
    h->end_time = ef_le64(p + 0x10);
    h->timer_resolution = ef_le32(p + 0x18);
    h->max_file_size = ef_le32(p + 0x1C);
    h->log_file_mode = ef_le32(p + 0x20);
    h->buffers_written = ef_le32(p + 0x24);
    h->pointer_size = ef_le32(p + 0x2C);
    h->events_lost = ef_le32(p + 0x30);
    h->cpu_mhz = ef_le32(p + 0x34);
    h->boot_time = ef_le64(p + o);
    h->perf_freq = (int64_t)ef_le64(p + o + 8);
    h->start_time = ef_le64(p + o + 16);
    h->clock_type = ef_le32(p + o + 24);
    h->buffers_lost = ef_le32(p + o + 28);
    h->start_raw = (int64_t)rec->raw_timestamp;
    h->compressed = (h->log_file_mode & EF_ETL_MODE_COMPRESSED) != 0;
    /* The header's own PointerSize wins only when it is a sane value. */
    if (h->pointer_size != 4 && h->pointer_size != 8)
        h->pointer_size = ptr;
    ef_utf16le_to_utf8(p + fixed, len - fixed, EF_UTF16_STOP_AT_NUL, h->logger_name,
                       sizeof(h->logger_name), NULL, &used);
    if (used < len - fixed)
        ef_utf16le_to_utf8(p + fixed + used, len - fixed - used, EF_UTF16_STOP_AT_NUL,
                           h->log_file_name, sizeof(h->log_file_name), NULL, NULL);
    return 0;
}

const char *ef_etl_clock_name(uint32_t clock_type)
{
    switch (clock_type) {
    case EF_ETL_CLOCK_QPC:
        return "qpc";
    case EF_ETL_CLOCK_SYSTEM:
        return "system";
    case EF_ETL_CLOCK_CYCLES:
        return "cycles";
    default:
        return "unknown";
    }
}

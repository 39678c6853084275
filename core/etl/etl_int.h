/*
 * etl_int.h - what the .etl reader's files share: on-disk constants and the
 * record parser. Not for use outside core/etl.
 */
#ifndef EF_ETL_ETL_INT_H
#define EF_ETL_ETL_INT_H

#include <stdint.h>

#include "etl.h"

/* WMI_BUFFER_HEADER: verified on the files in shared/testdata/etl. */
#define EF_ETL_BUFHDR_SIZE            0x48u
#define EF_ETL_BH_BUFFER_SIZE         0x00 /* u32: bytes of this buffer in the file */
#define EF_ETL_BH_SAVED_OFFSET        0x04 /* u32: end of the records (0 in Win7 header buffers) */
#define EF_ETL_BH_TIMESTAMP           0x10
#define EF_ETL_BH_PROCESSOR           0x28 /* u8 */
#define EF_ETL_BH_LOGGER_ID           0x2A /* u16 */
#define EF_ETL_BH_OFFSET              0x30 /* u32: end of the records, used when SavedOffset is 0 */
#define EF_ETL_BH_FLAGS               0x34 /* u16 */
#define EF_ETL_BH_TYPE                0x36 /* u16 */
#define EF_ETL_BUFFER_FLAG_COMPRESSED 0x40

/* TRACE_HEADER_TYPE_*: byte 2 of every record's first u32. */
enum {
    EF_ETL_HT_SYSTEM32 = 1,
    EF_ETL_HT_SYSTEM64 = 2,
    EF_ETL_HT_COMPACT32 = 3,
    EF_ETL_HT_COMPACT64 = 4,
    EF_ETL_HT_FULL_HEADER32 = 10,
    EF_ETL_HT_INSTANCE32 = 11,
    EF_ETL_HT_TIMED = 12,
    EF_ETL_HT_ERROR = 13,
    EF_ETL_HT_WNODE_HEADER = 14,
    EF_ETL_HT_MESSAGE = 15,
    EF_ETL_HT_PERFINFO32 = 16,
    EF_ETL_HT_PERFINFO64 = 17,
    EF_ETL_HT_EVENT_HEADER32 = 18,
    EF_ETL_HT_EVENT_HEADER64 = 19,
    EF_ETL_HT_FULL_HEADER64 = 20,
    EF_ETL_HT_INSTANCE64 = 21,
};

/* Extended items kept per record; more are reported and dropped. */
#define EF_ETL_EXT_MAX 32

/* What the record parser needs to know about the file. */
struct ef_etl_parse_ctx {
    uint16_t processor;
    uint8_t file_pointer_size; /* for records whose header does not say */
};

/*
 * Parses the record at buf[pos], records ending at end (8-byte aligned
 * records, pos < end). Fills rec (raw timestamp only; the caller converts it)
 * and ext. Returns 1 with *size = the aligned bytes to step over, 0 when the
 * rest of the buffer is padding, or a negative EF_E* code with *why set when
 * the record cannot be trusted (*size then 0: the rest of the buffer is lost).
 * A record whose own parts are inconsistent but whose size is sound is
 * skipped alone: the return is then EF_EFORMAT with *size set.
 */
int ef_etl_parse_record(const struct ef_etl_parse_ctx *c, const uint8_t *buf, uint32_t pos,
                        uint32_t end, struct ef_record *rec, struct ef_ext_item *ext,
                        uint32_t *size, const char **why);

/*
 * Fills h from a log file header record (SYSTEM32/64 header, EventTrace
 * group, type 0). Returns 0 or EF_EFORMAT/EF_ETRUNC.
 */
int ef_etl_parse_logheader(const struct ef_record *rec, struct ef_etl_header *h);

/* True for the log file header record. */
int ef_etl_is_logheader(const struct ef_record *rec);

#endif

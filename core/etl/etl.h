/*
 * etl.h - the portable .etl reader: every record of a Windows trace file, in
 * the order a Windows consumer sees them, on any OS.
 *
 * A file is a sequence of buffers (WMI_BUFFER_HEADER + records), each written
 * by one CPU; compressed files (Windows 8+) hold XPRESS-compressed buffers.
 * The reader first walks the buffer headers (72 bytes each) to build a small
 * index of buffers per CPU, then merges the per-CPU streams by timestamp,
 * keeping one decoded buffer per CPU in memory. Records come out as struct
 * ef_record (util/record.h) with the timestamp converted to FILETIME.
 *
 * Damaged input never stops the reader: each problem is reported with its
 * file offset, buffer index and reason, counted, and the reader resumes at
 * the next record or buffer it can trust. docs/etl-format.md has the format
 * notes and decisions.
 *
 * A reader is owned by one thread at a time.
 */
#ifndef EF_ETL_ETL_H
#define EF_ETL_ETL_H

#include <stddef.h>
#include <stdint.h>

#include "util/record.h"

/* TRACE_LOGFILE_HEADER.ReservedFlags: the clock the file's timestamps use. */
enum {
    EF_ETL_CLOCK_QPC = 1,
    EF_ETL_CLOCK_SYSTEM = 2,
    EF_ETL_CLOCK_CYCLES = 3,
};

/* LogFileMode bit of files whose buffers are compressed. */
#define EF_ETL_MODE_COMPRESSED 0x04000000u

/* The log file header (TRACE_LOGFILE_HEADER), from the file's first record. */
struct ef_etl_header {
    uint32_t buffer_size; /* bytes of one (uncompressed) buffer */
    uint8_t major_version, minor_version, sub_version, sub_minor_version;
    uint32_t build; /* ProviderVersion: the OS build number */
    uint32_t cpus;
    uint64_t end_time; /* FILETIME */
    uint32_t timer_resolution;
    uint32_t max_file_size;
    uint32_t log_file_mode;
    uint32_t buffers_written;
    uint32_t pointer_size; /* 4 or 8 */
    uint32_t events_lost;
    uint32_t cpu_mhz;
    uint64_t boot_time;  /* FILETIME */
    int64_t perf_freq;   /* ticks per second of the QPC clock */
    uint64_t start_time; /* FILETIME */
    uint32_t clock_type; /* EF_ETL_CLOCK_* */
    uint32_t buffers_lost;
    int64_t start_raw;       /* the header record's own timestamp: StartTime in file clock units */
    int compressed;          /* 1 when LogFileMode says compressed buffers */
    char logger_name[256];   /* UTF-8 */
    char log_file_name[520]; /* UTF-8 */
};

/* One problem found in the file. */
struct ef_etl_error {
    uint64_t offset; /* file offset of the damaged bytes (within the
                        decompressed buffer for compressed buffers: see buffer) */
    uint32_t buffer; /* buffer index in file order, UINT32_MAX when none */
    int code;        /* EF_ETRUNC, EF_EFORMAT, EF_ELIMIT... */
    char reason[120];
};

struct ef_etl_stats {
    uint64_t records;         /* delivered */
    uint64_t by_kind[6];      /* delivered, per enum ef_record_kind */
    uint64_t errors;          /* problems reported */
    uint64_t records_skipped; /* damaged records dropped */
    uint64_t bytes_skipped;   /* file or buffer bytes that could not be used */
    uint64_t buffers;         /* buffers read */
    uint64_t buffers_compressed;
    uint64_t bytes_in;      /* buffer bytes read from the file */
    uint64_t bytes_decoded; /* uncompressed buffer bytes parsed */
};

typedef void (*ef_etl_error_fn)(void *ctx, const struct ef_etl_error *err);

struct ef_etl_options {
    ef_etl_error_fn on_error; /* called for every problem, may be NULL */
    void *ctx;
    uint32_t max_buffer_size; /* largest buffer accepted; 0: 16 MiB */
};

/* How many errors ef_etl_errors() keeps (the count in stats is complete). */
#define EF_ETL_ERRORS_KEPT 32

struct ef_etl_reader;

/*
 * Opens a file (UTF-8 path) and reads its buffer headers. Returns 0,
 * EF_ENOENT/EF_EACCES/EF_EIO, EF_EISDIR, EF_ENOMEM, or EF_EFORMAT when the
 * file does not start with a buffer holding a log file header (not an .etl
 * file, or empty). opt may be NULL. Any thread; the reader then belongs to
 * that thread.
 */
int ef_etl_open_file(const char *path, const struct ef_etl_options *opt,
                     struct ef_etl_reader **out);

/*
 * The one message every command gives when path could not be opened as a
 * trace (rc from ef_etl_open_file): "PATH: is a directory, not an .etl
 * file", "PATH: empty file, not an .etl file", "PATH: not an .etl file (no
 * log file header)" or "PATH: <error>". Any thread.
 */
void ef_etl_open_message(const char *path, int rc, char *buf, size_t len);

/* The same over len bytes at data, which must outlive the reader. */
int ef_etl_open_memory(const void *data, size_t len, const struct ef_etl_options *opt,
                       struct ef_etl_reader **out);

/*
 * Delivers the next record in consumer order: returns 1 and sets *rec (valid
 * until the next call or ef_etl_close), 0 at the end, or a negative EF_E*
 * code on a fatal error (EF_EIO, EF_ENOMEM). The owning thread.
 */
int ef_etl_next(struct ef_etl_reader *r, const struct ef_record **rec);

/* The log file header. The owning thread. */
const struct ef_etl_header *ef_etl_header(const struct ef_etl_reader *r);

/* Counters so far. The owning thread. */
const struct ef_etl_stats *ef_etl_stats(const struct ef_etl_reader *r);

/* The first EF_ETL_ERRORS_KEPT errors; *n gets how many. The owning thread. */
const struct ef_etl_error *ef_etl_errors(const struct ef_etl_reader *r, unsigned *n);

/* Frees the reader (NULL is fine). The owning thread. */
void ef_etl_close(struct ef_etl_reader *r);

/* "qpc", "system", "cycles" or "unknown". Any thread. */
const char *ef_etl_clock_name(uint32_t clock_type);

/*
 * The classic kernel event group GUID of a SYSTEM/PERFINFO HookId's group
 * (HookId >> 8); NULL for groups with no known GUID. Any thread.
 */
const struct ef_guid *ef_etl_kernel_group_guid(unsigned group);

#endif

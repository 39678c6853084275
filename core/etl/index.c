/*
 * index.c - file access, the first buffer, and the walk over buffer headers.
 *
 * Before any record is delivered the reader walks the file's buffer headers
 * (72 bytes each, stepping by each buffer's own BufferSize) and notes where
 * every buffer is and which CPU wrote it: 24 bytes per buffer, so a 1 GiB
 * file of 64 KiB buffers costs 384 KiB of index. The merge then needs only
 * one decoded buffer per CPU, whatever the file size.
 *
 * A header that cannot be right (size out of range, another logger's id, a
 * records end beyond the buffer) is reported, and the walk scans forward
 * byte by byte for the next plausible header: zero-filled or overwritten
 * regions are skipped and counted, and a lying size costs at most the buffers
 * it hides.
 */
#include "reader_int.h"

#include "util/bytes.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define SCAN_CHUNK (64 * 1024)

void ef_etl_report(struct ef_etl_reader *r, uint64_t off, uint32_t buffer, int code,
                   const char *fmt, ...)
{
    struct ef_etl_error e;
    va_list ap;

    e.offset = off;
    e.buffer = buffer;
    e.code = code;
    va_start(ap, fmt);
    vsnprintf(e.reason, sizeof(e.reason), fmt, ap);
    va_end(ap);
    r->stats.errors++;
    if (r->nerrs < EF_ETL_ERRORS_KEPT)
        r->errs[r->nerrs++] = e;
    if (r->opt.on_error)
        r->opt.on_error(r->opt.ctx, &e);
}

static int seek_to(FILE *f, uint64_t off)
{
#ifdef _WIN32
    return _fseeki64(f, (long long)off, SEEK_SET);
#else
    return fseeko(f, (off_t)off, SEEK_SET);
#endif
}

int64_t ef_etl_read_at(struct ef_etl_reader *r, uint64_t off, void *dst, size_t len)
{
    size_t n;

    if (off >= r->size)
        return 0;
    if (len > r->size - off)
        len = (size_t)(r->size - off);
    if (r->mem) {
        memcpy(dst, r->mem + off, len);
        return (int64_t)len;
    }
    /* Buffers are mostly read in file order: a seek costs a system call. */
    if (off != r->fpos && seek_to(r->f, off) != 0) {
        r->fpos = UINT64_MAX;
        return -1;
    }
    n = fread(dst, 1, len, r->f);
    r->fpos = off + n;
    if (n < len && ferror(r->f)) {
        r->fpos = UINT64_MAX;
        return -1;
    }
    return (int64_t)n;
}

/* Where a buffer's records end: SavedOffset, or Offset when it is 0 (Win7 header buffers). */
static uint32_t records_end(const uint8_t *h)
{
    uint32_t end = ef_le32(h + EF_ETL_BH_SAVED_OFFSET);

    if (end == 0)
        end = ef_le32(h + EF_ETL_BH_OFFSET);
    return end;
}

/* Checks what a header says about itself; cap is the largest decoded size allowed. */
static int header_sane(const struct ef_etl_reader *r, const uint8_t *h)
{
    uint32_t bs = ef_le32(h + EF_ETL_BH_BUFFER_SIZE);
    uint32_t end = records_end(h);
    uint32_t cap = bs;

    if (bs < EF_ETL_BUFHDR_SIZE || bs > r->opt.max_buffer_size)
        return 0;
    if (ef_le16(h + EF_ETL_BH_FLAGS) & EF_ETL_BUFFER_FLAG_COMPRESSED)
        cap = r->bufsize;
    if (end != 0 && (end < EF_ETL_BUFHDR_SIZE || end > cap))
        return 0;
    return ef_le16(h + EF_ETL_BH_LOGGER_ID) == r->logger_id;
}

/* A header good enough to resume at: sane, inside the file, and for a plain
   buffer with a record marker (or padding) where its first record goes. */
static int resync_candidate(const struct ef_etl_reader *r, const uint8_t *h, uint64_t off)
{
    uint32_t bs = ef_le32(h), m;

    if (!header_sane(r, h) || bs > r->size - off)
        return 0;
    if (ef_le16(h + EF_ETL_BH_FLAGS) & EF_ETL_BUFFER_FLAG_COMPRESSED)
        return 1;
    m = ef_le32(h + EF_ETL_BUFHDR_SIZE);
    return m == UINT32_MAX || (m & 0xC0000000u) == 0xC0000000u;
}

/* The offset of the next plausible buffer header at or after from, or r->size. */
static int64_t resync(struct ef_etl_reader *r, uint64_t from, uint8_t *chunk)
{
    const size_t need = EF_ETL_BUFHDR_SIZE + 4;
    uint64_t off = from;

    while (off < r->size && r->size - off >= need) {
        int64_t n = ef_etl_read_at(r, off, chunk, SCAN_CHUNK + need);
        size_t i;

        if (n < 0)
            return -1;
        for (i = 0; i + need <= (size_t)n; i++) {
            if (resync_candidate(r, chunk + i, off + i))
                return (int64_t)(off + i);
        }
        off += (uint64_t)n - need + 1;
    }
    return (int64_t)r->size;
}

static int add_entry(struct ef_etl_reader *r, const struct ef_etl_bufent *e)
{
    if (r->nindex == r->capindex) {
        uint32_t cap = r->capindex ? r->capindex * 2 : 64;
        struct ef_etl_bufent *n = realloc(r->index, cap * sizeof(*n));

        if (!n)
            return EF_ENOMEM;
        r->index = n;
        r->capindex = cap;
    }
    r->index[r->nindex++] = *e;
    if (e->compressed) {
        if (e->size > r->max_packed)
            r->max_packed = e->size;
    } else if (e->size > r->max_plain) {
        r->max_plain = e->size;
    }
    return 0;
}

int ef_etl_build_index(struct ef_etl_reader *r)
{
    uint8_t h[EF_ETL_BUFHDR_SIZE];
    uint8_t *chunk = NULL;
    uint64_t off = 0;
    uint32_t bi = 0;
    int rc = 0;

    while (off < r->size) {
        struct ef_etl_bufent e;
        uint32_t bs, step;
        int64_t n = ef_etl_read_at(r, off, h, sizeof(h));

        if (n < 0) {
            rc = EF_EIO;
            goto out;
        }
        if ((size_t)n < sizeof(h)) {
            ef_etl_report(r, off, bi, EF_ETRUNC, "truncated buffer header: %u bytes at the end",
                          (unsigned)n);
            r->stats.bytes_skipped += (uint64_t)n;
            break;
        }
        bs = ef_le32(h);
        if (!header_sane(r, h)) {
            int64_t next;

            ef_etl_report(r, off, bi, EF_EFORMAT,
                          "invalid buffer header (size 0x%x, records end 0x%x, logger %u)", bs,
                          records_end(h), ef_le16(h + EF_ETL_BH_LOGGER_ID));
            if (!chunk && !(chunk = malloc(SCAN_CHUNK + EF_ETL_BUFHDR_SIZE + 4))) {
                rc = EF_ENOMEM;
                goto out;
            }
            next = resync(r, off + 1, chunk);
            if (next < 0) {
                rc = EF_EIO;
                goto out;
            }
            r->stats.bytes_skipped += (uint64_t)next - off;
            /* Buffer indexes keep counting the buffers the damage covers. */
            bi += r->fixed_size ? (uint32_t)(((uint64_t)next - off + r->bufsize - 1) / r->bufsize)
                                : 1;
            off = (uint64_t)next;
            continue;
        }
        step = bs;
        /* Plain files hold buffers of exactly BufferSize: a header saying
           otherwise lies, and stepping by BufferSize keeps the next buffer. */
        if (r->fixed_size && bs != r->bufsize) {
            ef_etl_report(r, off, bi, EF_EFORMAT,
                          "buffer size 0x%x differs from the file's buffer size 0x%x", bs,
                          r->bufsize);
            step = r->bufsize;
        }
        e.off = off;
        e.size = step;
        e.index = bi;
        e.cpu = h[EF_ETL_BH_PROCESSOR];
        e.compressed = (ef_le16(h + EF_ETL_BH_FLAGS) & EF_ETL_BUFFER_FLAG_COMPRESSED) != 0;
        e.truncated = 0;
        if (step > r->size - off) {
            e.size = (uint32_t)(r->size - off);
            e.truncated = 1;
            ef_etl_report(r, off, bi, EF_ETRUNC,
                          "buffer truncated: 0x%x of its 0x%x bytes are in the file", e.size, step);
        }
        rc = add_entry(r, &e);
        if (rc < 0)
            goto out;
        off += step;
        bi++;
    }
out:
    free(chunk);
    return rc;
}

int ef_etl_read_first(struct ef_etl_reader *r)
{
    struct ef_etl_parse_ctx ctx = {0, 8};
    struct ef_ext_item ext[EF_ETL_EXT_MAX];
    struct ef_record rec;
    uint8_t *buf = NULL;
    uint32_t bs, end, size;
    const char *why = NULL;
    int64_t n;
    int rc = EF_EFORMAT;

    if (r->size < EF_ETL_BUFHDR_SIZE + 0x20)
        return EF_EFORMAT;
    buf = malloc(EF_ETL_BUFHDR_SIZE);
    if (!buf)
        return EF_ENOMEM;
    n = ef_etl_read_at(r, 0, buf, EF_ETL_BUFHDR_SIZE);
    if (n != EF_ETL_BUFHDR_SIZE) {
        rc = n < 0 ? EF_EIO : EF_EFORMAT;
        goto out;
    }
    bs = ef_le32(buf);
    end = records_end(buf);
    if (bs < EF_ETL_BUFHDR_SIZE + 0x20 || bs > r->opt.max_buffer_size ||
        (ef_le16(buf + EF_ETL_BH_FLAGS) & EF_ETL_BUFFER_FLAG_COMPRESSED))
        goto out;
    if (bs > r->size)
        bs = (uint32_t)r->size;
    if (end > bs || end < EF_ETL_BUFHDR_SIZE)
        end = bs;
    free(buf);
    buf = malloc(bs);
    if (!buf) {
        rc = EF_ENOMEM;
        goto out;
    }
    n = ef_etl_read_at(r, 0, buf, bs);
    if (n != (int64_t)bs) {
        rc = n < 0 ? EF_EIO : EF_EFORMAT;
        goto out;
    }
    if (ef_etl_parse_record(&ctx, buf, EF_ETL_BUFHDR_SIZE, end, &rec, ext, &size, &why) != 1)
        goto out;
    rc = ef_etl_parse_logheader(&rec, &r->hdr);
    if (rc < 0) {
        rc = EF_EFORMAT;
        goto out;
    }
    r->logger_id = ef_le16(buf + EF_ETL_BH_LOGGER_ID);
    r->bufsize = r->hdr.buffer_size;
    if (r->bufsize < EF_ETL_BUFHDR_SIZE + 8 || r->bufsize > r->opt.max_buffer_size) {
        ef_etl_report(r, 0, 0, EF_EFORMAT, "log file header: invalid buffer size 0x%x", r->bufsize);
        r->bufsize = bs > (1u << 20) ? bs : (1u << 20);
        if (r->bufsize > r->opt.max_buffer_size)
            r->bufsize = r->opt.max_buffer_size;
    } else {
        /* Without a trustworthy size, plain buffers are stepped by their own. */
        r->fixed_size = !r->hdr.compressed;
    }
    rc = 0;
out:
    free(buf);
    return rc;
}

/*
 * reader.c - opening a trace and delivering its records in consumer order.
 *
 * Each CPU writes its own buffers, so the file holds one time-ordered stream
 * per CPU, interleaved buffer by buffer. A Windows consumer sees the records
 * merged by timestamp across those streams; so does ours: every CPU stream
 * has one decoded buffer and a current record, and a binary min-heap over the
 * streams (keyed by raw timestamp, then file order) picks the next record.
 * Memory is one buffer per CPU plus the buffer index (index.c), and nothing
 * is allocated per record.
 *
 * The log file header record is always delivered first, as Windows does,
 * with kind EF_REC_LOGFILE_HEADER.
 */
#include "reader_int.h"
#include "xpress.h"

#include "util/bytes.h"
#include "util/error.h"
#include "util/file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_BUFFER (16u * 1024 * 1024)

/* ---- timestamps ---- */

/*
 * start_time + (raw - start_raw) * 10^7 / freq, in unsigned arithmetic so
 * that a damaged timestamp wraps instead of overflowing.
 */
static uint64_t to_filetime(struct ef_etl_reader *r, int64_t raw)
{
    uint64_t freq = (uint64_t)r->hdr.perf_freq, d, q, t;
    int neg = raw < r->hdr.start_raw;

    if (r->hdr.clock_type == EF_ETL_CLOCK_SYSTEM)
        return (uint64_t)raw;
    if (r->hdr.clock_type == EF_ETL_CLOCK_CYCLES && r->hdr.cpu_mhz)
        freq = (uint64_t)r->hdr.cpu_mhz * 1000000;
    /* Beyond 10^12 Hz the remainder product could overflow: no such clock exists. */
    if (r->hdr.perf_freq <= 0 || freq == 0 || freq > 1000000000000ULL)
        return (uint64_t)raw;
    d = neg ? (uint64_t)r->hdr.start_raw - (uint64_t)raw
            : (uint64_t)raw - (uint64_t)r->hdr.start_raw;
    if (freq == 10000000) {
        t = d; /* QPC at 10 MHz (Windows 10 and later) ticks in FILETIME units */
    } else {
        if (r->freq_div.d != freq)
            ef_udiv_init(&r->freq_div, freq);
        q = ef_udiv(&r->freq_div, d);
        t = q * 10000000 + ef_udiv(&r->freq_div, (d - q * freq) * 10000000);
    }
    return neg ? r->hdr.start_time - t : r->hdr.start_time + t;
}

/* ---- per-CPU streams ---- */

/* Reads the stream's next buffer into view/pos/end. Returns 1, 0 (no more) or EF_EIO/EF_ENOMEM. */
static int load_buffer(struct ef_etl_reader *r, struct ef_etl_stream *s)
{
    const struct ef_etl_bufent *e;
    uint32_t len, end, bs;
    int64_t n;

    if (s->next == s->nbufs)
        return 0;
    s->cur = s->bufs[s->next++];
    e = &r->index[s->cur];
    if (e->compressed) {
        size_t out = 0;
        int rc;

        n = ef_etl_read_at(r, e->off, r->zbuf, e->size);
        if (n != (int64_t)e->size)
            return EF_EIO;
        memcpy(s->data, r->zbuf, EF_ETL_BUFHDR_SIZE);
        rc = ef_xpress_decompress(r->zbuf + EF_ETL_BUFHDR_SIZE, e->size - EF_ETL_BUFHDR_SIZE,
                                  s->data + EF_ETL_BUFHDR_SIZE, r->bufsize - EF_ETL_BUFHDR_SIZE,
                                  &out);
        if (rc < 0)
            ef_etl_report(r, e->off, e->index, rc,
                          "bad compressed data (%s) after 0x%zx decompressed bytes",
                          ef_strerror(rc), out);
        len = EF_ETL_BUFHDR_SIZE + (uint32_t)out;
        s->view = s->data;
        r->stats.buffers_compressed++;
    } else if (r->mem) {
        s->view = r->mem + e->off;
        len = e->size;
    } else {
        n = ef_etl_read_at(r, e->off, s->data, e->size);
        if (n != (int64_t)e->size)
            return EF_EIO;
        s->view = s->data;
        len = e->size;
    }
    r->stats.buffers++;
    r->stats.bytes_in += e->size;
    bs = ef_le32(s->view);
    end = ef_le32(s->view + EF_ETL_BH_SAVED_OFFSET);
    if (end == 0)
        end = ef_le32(s->view + EF_ETL_BH_OFFSET);
    if (end == 0)
        end = EF_ETL_BUFHDR_SIZE;
    s->truncated = e->truncated;
    if (end > len && !e->truncated) {
        ef_etl_report(r, e->off, e->index, EF_ETRUNC,
                      "records end at 0x%x but the buffer has 0x%x bytes%s", end, len,
                      e->compressed ? " after decompression" : "");
    }
    if (end > len) {
        r->stats.bytes_skipped += end - len;
        end = len;
    }
    (void)bs;
    s->pos = EF_ETL_BUFHDR_SIZE;
    s->end = end;
    r->stats.bytes_decoded += end;
    return 1;
}

/* Moves the stream to its next good record. Returns 1, 0 (stream done) or a fatal error. */
static int advance(struct ef_etl_reader *r, struct ef_etl_stream *s)
{
    for (;;) {
        const struct ef_etl_bufent *e;
        struct ef_etl_parse_ctx ctx;
        const char *why = "";
        uint32_t size;
        int rc;

        if (s->view == NULL || s->pos >= s->end) {
            rc = load_buffer(r, s);
            if (rc <= 0)
                return rc;
            continue;
        }
        e = &r->index[s->cur];
        ctx.processor = e->cpu;
        ctx.file_pointer_size = (uint8_t)r->hdr.pointer_size;
        rc = ef_etl_parse_record(&ctx, s->view, s->pos, s->end, &s->rec, s->ext, &size, &why);
        if (rc == 1) {
            s->rec_pos = s->pos;
            s->pos += size;
            s->rec.timestamp = to_filetime(r, (int64_t)s->rec.raw_timestamp);
            s->key = (int64_t)s->rec.raw_timestamp;
            if (s->cur == 0 && s->rec_pos == EF_ETL_BUFHDR_SIZE && ef_etl_is_logheader(&s->rec)) {
                s->rec.kind = EF_REC_LOGFILE_HEADER;
                s->key = INT64_MIN;
            }
            return 1;
        }
        if (rc == 0) { /* padding */
            s->pos = s->end;
            continue;
        }
        if (s->truncated && rc == EF_ETRUNC)
            ; /* the record the file's end cut: reported with the buffer */
        else if (e->compressed)
            ef_etl_report(r, e->off, e->index, rc, "%s (at 0x%x of the decompressed buffer)", why,
                          s->pos);
        else
            ef_etl_report(r, e->off + s->pos, e->index, rc, "%s", why);
        r->stats.records_skipped++;
        if (size == 0) {
            r->stats.bytes_skipped += s->end - s->pos;
            size = s->end - s->pos;
        }
        s->pos += size;
    }
}

/* ---- the merge heap ---- */

static int less(const struct ef_etl_reader *r, unsigned a, unsigned b)
{
    const struct ef_etl_stream *x = &r->streams[a], *y = &r->streams[b];

    if (x->key != y->key)
        return x->key < y->key;
    if (x->cur != y->cur)
        return x->cur < y->cur;
    return x->rec_pos < y->rec_pos;
}

static void sift_down(struct ef_etl_reader *r, unsigned i)
{
    for (;;) {
        unsigned l = 2 * i + 1, m = i, t;

        if (l < r->nheap && less(r, r->heap[l], r->heap[m]))
            m = l;
        if (l + 1 < r->nheap && less(r, r->heap[l + 1], r->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        t = r->heap[i];
        r->heap[i] = r->heap[m];
        r->heap[m] = t;
        i = m;
    }
}

static void heap_push(struct ef_etl_reader *r, unsigned s)
{
    unsigned i = r->nheap++;

    r->heap[i] = s;
    while (i > 0 && less(r, r->heap[i], r->heap[(i - 1) / 2])) {
        unsigned p = (i - 1) / 2, t = r->heap[p];

        r->heap[p] = r->heap[i];
        r->heap[i] = t;
        i = p;
    }
}

/* ---- open / next / close ---- */

static int setup_streams(struct ef_etl_reader *r)
{
    uint32_t i, cap = r->bufsize > r->max_plain ? r->bufsize : r->max_plain;
    unsigned maxcpu = 0;
    int rc;

    for (i = 0; i < r->nindex; i++) {
        if (r->index[i].cpu > maxcpu)
            maxcpu = r->index[i].cpu;
    }
    r->nstreams = maxcpu + 1;
    r->streams = calloc(r->nstreams, sizeof(*r->streams));
    r->heap = calloc(r->nstreams, sizeof(*r->heap));
    if (!r->streams || !r->heap)
        return EF_ENOMEM;
    if (r->max_packed && !(r->zbuf = malloc(r->max_packed)))
        return EF_ENOMEM;
    for (i = 0; i < r->nindex; i++) {
        struct ef_etl_stream *s = &r->streams[r->index[i].cpu];

        if (s->nbufs == s->capbufs) {
            uint32_t c = s->capbufs ? s->capbufs * 2 : 16;
            uint32_t *n = realloc(s->bufs, c * sizeof(*n));

            if (!n)
                return EF_ENOMEM;
            s->bufs = n;
            s->capbufs = c;
        }
        s->bufs[s->nbufs++] = i;
    }
    for (i = 0; i < r->nstreams; i++) {
        struct ef_etl_stream *s = &r->streams[i];

        if (s->nbufs == 0)
            continue;
        /* Memory sources read plain buffers in place; only compressed ones need room. */
        if (!r->mem || r->max_packed) {
            s->data = malloc(cap);
            if (!s->data)
                return EF_ENOMEM;
        }
        rc = advance(r, s);
        if (rc < 0)
            return rc;
        if (rc == 1)
            heap_push(r, i);
    }
    return 0;
}

static int open_common(struct ef_etl_reader *r, const struct ef_etl_options *opt)
{
    int rc;

    if (opt)
        r->opt = *opt;
    if (r->opt.max_buffer_size == 0)
        r->opt.max_buffer_size = DEFAULT_MAX_BUFFER;
    r->last = -1;
    rc = ef_etl_read_first(r);
    if (rc < 0)
        return rc;
    rc = ef_etl_build_index(r);
    if (rc < 0)
        return rc;
    return setup_streams(r);
}

int ef_etl_open_memory(const void *data, size_t len, const struct ef_etl_options *opt,
                       struct ef_etl_reader **out)
{
    struct ef_etl_reader *r = calloc(1, sizeof(*r));
    int rc;

    *out = NULL;
    if (!r)
        return EF_ENOMEM;
    r->mem = data;
    r->size = len;
    rc = open_common(r, opt);
    if (rc < 0) {
        ef_etl_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* Traces up to this size are read into memory whole (one read call). */
#define EF_ETL_READ_WHOLE_MAX (8u * 1024 * 1024)

void ef_etl_open_message(const char *path, int rc, char *buf, size_t len)
{
    unsigned long long size = 1;

    if (rc == EF_EISDIR)
        snprintf(buf, len, "%s: is a directory, not an .etl file", path);
    else if (rc == EF_EFORMAT && ef_path_stat(path, &size) == 0 && size == 0)
        snprintf(buf, len, "%s: empty file, not an .etl file", path);
    else if (rc == EF_EFORMAT)
        snprintf(buf, len, "%s: not an .etl file (no log file header)", path);
    else
        snprintf(buf, len, "%s: %s", path, ef_strerror(rc));
}

int ef_etl_open_file(const char *path, const struct ef_etl_options *opt, struct ef_etl_reader **out)
{
    struct ef_etl_reader *r = calloc(1, sizeof(*r));
    int rc = 0;
    long long size;

    *out = NULL;
    if (!r)
        return EF_ENOMEM;
    /* fopen takes a directory on Linux (and refuses it as EACCES on Windows): say what it is. */
    rc = ef_path_stat(path, &(unsigned long long){0});
    if (rc == EF_EISDIR)
        goto out;
    rc = 0;
    r->f = ef_fopen(path, "rb");
    r->fpos = UINT64_MAX; /* the size is found by seeking to the end */
    if (!r->f) {
        rc = ef_from_errno(errno);
        goto out;
    }
#ifdef _WIN32
    if (_fseeki64(r->f, 0, SEEK_END) != 0 || (size = _ftelli64(r->f)) < 0) {
#else
    if (fseeko(r->f, 0, SEEK_END) != 0 || (size = (long long)ftello(r->f)) < 0) {
#endif
        rc = EF_EIO;
        goto out;
    }
    r->size = (uint64_t)size;
    /*
     * A small trace is read whole with one call and then parsed in place:
     * its buffers (8 KiB in many traces) would otherwise cost a seek and a
     * read each, twice (index, then records), which showed as ~10 % of a
     * replay of many small files.
     */
    if (size > 0 && size <= EF_ETL_READ_WHOLE_MAX) {
        r->own_mem = malloc((size_t)size);
        if (r->own_mem && ef_etl_read_at(r, 0, r->own_mem, (size_t)size) == size) {
            r->mem = r->own_mem;
            fclose(r->f);
            r->f = NULL;
        } else {
            free(r->own_mem); /* read it buffer by buffer then */
            r->own_mem = NULL;
        }
    }
    rc = open_common(r, opt);
out:
    if (rc < 0) {
        ef_etl_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

int ef_etl_next(struct ef_etl_reader *r, const struct ef_record **rec)
{
    struct ef_etl_stream *s;
    int rc;

    if (r->fatal)
        return r->fatal;
    if (r->last >= 0) {
        /* The stream delivered last is the heap's top: advance it in place. */
        rc = advance(r, &r->streams[r->last]);
        if (rc < 0) {
            r->fatal = rc;
            return rc;
        }
        if (rc == 0)
            r->heap[0] = r->heap[--r->nheap];
        if (r->nheap)
            sift_down(r, 0);
        r->last = -1;
    }
    if (r->nheap == 0)
        return 0;
    r->last = (int)r->heap[0];
    s = &r->streams[r->last];
    r->stats.records++;
    if (s->rec.kind < EF_ARRAY_LEN(r->stats.by_kind))
        r->stats.by_kind[s->rec.kind]++;
    *rec = &s->rec;
    return 1;
}

const struct ef_etl_header *ef_etl_header(const struct ef_etl_reader *r)
{
    return &r->hdr;
}

const struct ef_etl_stats *ef_etl_stats(const struct ef_etl_reader *r)
{
    return &r->stats;
}

const struct ef_etl_error *ef_etl_errors(const struct ef_etl_reader *r, unsigned *n)
{
    *n = r->nerrs;
    return r->errs;
}

void ef_etl_close(struct ef_etl_reader *r)
{
    unsigned i;

    if (!r)
        return;
    for (i = 0; i < r->nstreams && r->streams; i++) {
        free(r->streams[i].bufs);
        free(r->streams[i].data);
    }
    free(r->streams);
    free(r->heap);
    free(r->zbuf);
    free(r->index);
    if (r->f)
        fclose(r->f);
    free(r->own_mem);
    free(r);
}

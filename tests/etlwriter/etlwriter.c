/*
 * etlwriter.c - the test .etl writer: buffers, records, XPRESS compression.
 *
 * The layouts are the ones the reader expects (docs/etl-format.md); keeping
 * them in a separate, simple implementation lets tests build edge cases the
 * shared real files do not have.
 */
#include "etlwriter.h"

#include "util/bytes.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define BUFHDR   0x48
#define MAX_CPUS 64

struct cpubuf {
    uint8_t *data;
    uint32_t fill;
    int64_t first_ts;
};

struct ef_etlw {
    struct ef_etlw_opts o;
    struct cpubuf cpu[MAX_CPUS];
    uint8_t *file;
    size_t len, cap;
    uint8_t *scratch;
    uint64_t seq;
};

static int emit(struct ef_etlw *w, const void *p, size_t n)
{
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 65536;
        uint8_t *d;

        while (cap < w->len + n)
            cap *= 2;
        d = realloc(w->file, cap);
        if (!d)
            return EF_ENOMEM;
        w->file = d;
        w->cap = cap;
    }
    memcpy(w->file + w->len, p, n);
    w->len += n;
    return 0;
}

static void buffer_header(struct ef_etlw *w, uint8_t *h, uint32_t size, uint32_t saved,
                          unsigned cpu, int64_t ts, uint16_t flags, uint16_t type)
{
    memset(h, 0, BUFHDR);
    ef_put_le32(h, size);
    ef_put_le32(h + 4, saved);
    ef_put_le32(h + 8, saved);
    ef_put_le64(h + 0x10, (uint64_t)ts);
    ef_put_le64(h + 0x18, w->seq++);
    h[0x28] = (uint8_t)cpu;
    ef_put_le16(h + 0x2A, 7); /* logger id */
    ef_put_le32(h + 0x2C, 3);
    ef_put_le32(h + 0x30, saved);
    ef_put_le16(h + 0x34, flags);
    ef_put_le16(h + 0x36, type);
}

/* The first buffer: the log file header record, always plain. */
static int write_header_buffer(struct ef_etlw *w)
{
    const struct ef_etlw_opts *o = &w->o;
    uint8_t payload[0x200], rec[0x240], *buf;
    uint32_t ptr = o->pointer_size, fixed, off, size, bs;
    static const uint8_t names[] = {'t', 0,   'e', 0,   's', 0,   't', 0,   0, 0, 't',
                                    0,   '.', 0,   'e', 0,   't', 0,   'l', 0, 0, 0};
    size_t rlen;
    int rc;

    memset(payload, 0, sizeof(payload));
    ef_put_le32(payload, o->buffer_size);
    payload[4] = 10; /* Windows 10.0 */
    ef_put_le32(payload + 8, 19041);
    ef_put_le32(payload + 0x0C, o->cpus);
    ef_put_le64(payload + 0x10, o->start_time + 10000000);
    ef_put_le32(payload + 0x20, o->compress ? 0x04000000u : 0);
    ef_put_le32(payload + 0x2C, ptr);
    ef_put_le32(payload + 0x30, o->events_lost);
    ef_put_le32(payload + 0x34, 3000);
    off = (0x38 + 2 * ptr + 172 + 7) & ~7u;
    ef_put_le64(payload + off + 8, (uint64_t)o->perf_freq);
    ef_put_le64(payload + off + 16, o->start_time);
    ef_put_le32(payload + off + 24, 1); /* QPC */
    fixed = off + 32;
    memcpy(payload + fixed, names, sizeof(names));
    rlen = ef_etlw_system_rec(rec, sizeof(rec), ptr == 4 ? 1 : 2, 0x0000, 2, 0, 0, o->start_raw,
                              payload, fixed + sizeof(names));
    size = (uint32_t)((rlen + 7) & ~7u);
    bs = o->compress ? ((BUFHDR + size + 0x1FF) & ~0x1FFu) : o->buffer_size;
    buf = malloc(bs);
    if (!buf)
        return EF_ENOMEM;
    memset(buf, 0xFF, bs);
    buffer_header(w, buf, bs, BUFHDR + size, 0, 0, 1, 4);
    memcpy(buf + BUFHDR, rec, rlen);
    rc = emit(w, buf, bs);
    free(buf);
    return rc;
}

int ef_etlw_new(const struct ef_etlw_opts *o, struct ef_etlw **out)
{
    struct ef_etlw *w = calloc(1, sizeof(*w));
    unsigned i;

    *out = NULL;
    if (!w)
        return EF_ENOMEM;
    if (o)
        w->o = *o;
    if (!w->o.buffer_size)
        w->o.buffer_size = 0x2000;
    if (w->o.pointer_size != 4)
        w->o.pointer_size = 8;
    if (!w->o.cpus || w->o.cpus > MAX_CPUS)
        w->o.cpus = 4;
    if (!w->o.perf_freq)
        w->o.perf_freq = 10000000;
    if (!w->o.start_time)
        w->o.start_time = 132539328000000000ULL; /* 2021-01-01 */
    if (!w->o.start_raw)
        w->o.start_raw = 1000;
    w->scratch = malloc(w->o.buffer_size * 2 + 64);
    for (i = 0; i < w->o.cpus; i++) {
        w->cpu[i].data = malloc(w->o.buffer_size);
        if (!w->cpu[i].data)
            goto fail;
    }
    if (!w->scratch || write_header_buffer(w) < 0)
        goto fail;
    *out = w;
    return 0;
fail:
    ef_etlw_free(w);
    return EF_ENOMEM;
}

void ef_etlw_free(struct ef_etlw *w)
{
    unsigned i;

    if (!w)
        return;
    for (i = 0; i < MAX_CPUS; i++)
        free(w->cpu[i].data);
    free(w->scratch);
    free(w->file);
    free(w);
}

int ef_etlw_flush(struct ef_etlw *w, unsigned cpu)
{
    struct cpubuf *c;
    uint32_t bs = w->o.buffer_size;

    if (cpu >= w->o.cpus)
        return EF_EINVAL;
    c = &w->cpu[cpu];
    if (c->fill == 0)
        return 0;
    if (w->o.compress) {
        size_t n = ef_etlw_xpress(c->data + BUFHDR, c->fill - BUFHDR, w->scratch + BUFHDR,
                                  bs * 2 + 64 - BUFHDR);

        if (n == 0)
            return EF_ENOSPC;
        buffer_header(w, w->scratch, (uint32_t)(BUFHDR + n), c->fill, cpu, c->first_ts, 0x40, 0);
        c->fill = 0;
        return emit(w, w->scratch, BUFHDR + n);
    }
    memset(c->data + c->fill, 0xFF, bs - c->fill);
    buffer_header(w, c->data, bs, c->fill, cpu, c->first_ts, 0, 0);
    c->fill = 0;
    return emit(w, c->data, bs);
}

int ef_etlw_add(struct ef_etlw *w, unsigned cpu, const void *rec, size_t len)
{
    struct cpubuf *c;
    size_t al = (len + 7) & ~(size_t)7;
    int rc;

    if (cpu >= w->o.cpus || al > w->o.buffer_size - BUFHDR)
        return EF_EINVAL;
    c = &w->cpu[cpu];
    if (c->fill && c->fill + al > w->o.buffer_size) {
        rc = ef_etlw_flush(w, cpu);
        if (rc < 0)
            return rc;
    }
    if (c->fill == 0) {
        c->fill = BUFHDR;
        c->first_ts = 0;
    }
    memcpy(c->data + c->fill, rec, len);
    memset(c->data + c->fill + len, 0, al - len);
    c->fill += (uint32_t)al;
    return 0;
}

int ef_etlw_finish(struct ef_etlw *w, uint8_t **data, size_t *len)
{
    unsigned i;
    int rc;

    for (i = 0; i < w->o.cpus; i++) {
        rc = ef_etlw_flush(w, i);
        if (rc < 0)
            return rc;
    }
    *data = w->file;
    *len = w->len;
    w->file = NULL;
    w->len = w->cap = 0;
    return 0;
}

size_t ef_etlw_event_rec(uint8_t *out, size_t cap, uint8_t ptr, const struct ef_etlw_event *ev)
{
    size_t size = 0x50 + ev->ext_len + ev->data_len;
    uint16_t flags = ev->flags;

    if (size > cap || size > 0xFFFF)
        return 0;
    if (ev->ext_len)
        flags |= 1;
    memset(out, 0, 0x50);
    ef_put_le16(out, (uint16_t)size);
    out[2] = ptr == 4 ? 18 : 19;
    out[3] = 0xC0;
    ef_put_le16(out + 4, flags);
    ef_put_le32(out + 8, ev->tid);
    ef_put_le32(out + 12, ev->pid);
    ef_put_le64(out + 16, (uint64_t)ev->ts);
    ef_guid_write(&ev->provider, out + 0x18);
    ef_put_le16(out + 0x28, ev->id);
    out[0x2A] = ev->version;
    out[0x2B] = ev->channel;
    out[0x2C] = ev->level;
    out[0x2D] = ev->opcode;
    ef_put_le16(out + 0x2E, ev->task);
    ef_put_le64(out + 0x30, ev->keywords);
    ef_guid_write(&ev->activity, out + 0x40);
    if (ev->ext_len)
        memcpy(out + 0x50, ev->ext, ev->ext_len);
    if (ev->data_len)
        memcpy(out + 0x50 + ev->ext_len, ev->data, ev->data_len);
    return size;
}

size_t ef_etlw_system_rec(uint8_t *out, size_t cap, uint8_t header_type, uint16_t hook,
                          uint16_t version, uint32_t tid, uint32_t pid, int64_t ts,
                          const void *data, size_t len)
{
    size_t hdr = header_type >= 16 ? 0x10 : header_type >= 3 ? 0x18 : 0x20;
    size_t size = hdr + len;

    if (size > cap || size > 0xFFFF)
        return 0;
    memset(out, 0, hdr);
    ef_put_le16(out, version);
    out[2] = header_type;
    out[3] = 0xC0;
    ef_put_le16(out + 4, (uint16_t)size);
    ef_put_le16(out + 6, hook);
    if (hdr == 0x10) {
        ef_put_le64(out + 8, (uint64_t)ts);
    } else {
        ef_put_le32(out + 8, tid);
        ef_put_le32(out + 12, pid);
        ef_put_le64(out + 16, (uint64_t)ts);
    }
    if (len)
        memcpy(out + hdr, data, len);
    return size;
}

size_t ef_etlw_classic_rec(uint8_t *out, size_t cap, uint8_t ptr, const struct ef_guid *g,
                           uint8_t type, uint8_t level, uint16_t version, uint32_t tid,
                           uint32_t pid, int64_t ts, const void *data, size_t len)
{
    size_t size = 0x30 + len;

    if (size > cap || size > 0xFFFF)
        return 0;
    memset(out, 0, 0x30);
    ef_put_le16(out, (uint16_t)size);
    out[2] = ptr == 4 ? 10 : 20;
    out[3] = 0xC0;
    out[4] = type;
    out[5] = level;
    ef_put_le16(out + 6, version);
    ef_put_le32(out + 8, tid);
    ef_put_le32(out + 12, pid);
    ef_put_le64(out + 16, (uint64_t)ts);
    ef_guid_write(g, out + 0x18);
    if (len)
        memcpy(out + 0x30, data, len);
    return size;
}

size_t ef_etlw_ext_item(uint8_t *out, size_t cap, uint16_t type, const void *data, uint16_t len,
                        int last)
{
    size_t total = 8 + (((size_t)len + 7) & ~(size_t)7);

    if (total > cap)
        return 0;
    memset(out, 0, total);
    ef_put_le16(out, (uint16_t)total);
    ef_put_le16(out + 2, type);
    ef_put_le16(out + 4, last ? 0 : 1);
    ef_put_le16(out + 6, len);
    memcpy(out + 8, data, len);
    return total;
}

/*
 * render.c - the renderer object and the primitives every format uses.
 *
 * DESIGN: a small JSON writer (jsonw.c) appends straight into the caller's
 * ef_buf, so there is no intermediate copy and nothing to allocate once the
 * buffers have grown. It replaced yajl's generator, whose print callback
 * made rendering four times slower than decoding (docs/event-json.md,
 * "Performance"). Integers are formatted here without printf. Decoded
 * strings are valid UTF-8 by construction; names from untrusted metadata go
 * through ef_render_text(), which sanitizes only when a byte is not ASCII.
 */
#include "render/render_int.h"

#include "decode/plan.h"
#include "util/bytes.h"
#include "util/error.h"
#include "util/hex.h"
#include "util/sid.h"
#include "util/timefmt.h"
#include "util/utf16.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ef_renderer_new(const struct ef_render_opts *opts, struct ef_renderer **out)
{
    struct ef_renderer *r;
    int i, k;

    *out = NULL;
    if (opts->format != EF_RENDER_NATIVE && opts->format != EF_RENDER_ECS)
        return EF_EINVAL;
    r = calloc(1, sizeof(*r));
    if (!r)
        return EF_ENOMEM;
    r->opts = *opts;
    ef_buf_init(&r->text, 1u << 20);
    ef_buf_init(&r->clean, 1u << 20);
    r->ts_second = UINT64_MAX;
    r->frags = calloc(EF_FRAG_SLOTS, sizeof(*r->frags));
    if (!r->frags) {
        free(r);
        return EF_ENOMEM;
    }
    for (i = 0; i < EF_FRAG_SLOTS; i++) {
        for (k = 0; k < EF_FRAG_RUNS; k++)
            ef_buf_init(&r->frags[i].run[k], 1u << 20);
    }
    *out = r;
    return 0;
}

void ef_renderer_free(struct ef_renderer *r)
{
    int i, k;

    if (!r)
        return;
    ef_buf_free(&r->text);
    ef_buf_free(&r->clean);
    for (i = 0; i < EF_FRAG_SLOTS; i++) {
        for (k = 0; k < EF_FRAG_RUNS; k++)
            ef_buf_free(&r->frags[i].run[k]);
    }
    free(r->frags);
    free(r);
}

struct ef_frag *ef_render_frag(struct ef_renderer *r, const struct ef_event *ev, int *hit)
{
    const struct ef_record *rec = ev->rec;
    uint64_t serial = 0, h;
    struct ef_frag *f;

    *hit = 0;
    if (ev->schema) {
        if (!ev->plan || ev->plan->schema != ev->schema)
            return NULL;
        serial = ev->plan->serial;
    }
    h = serial * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)rec->provider.data1 * 0xC2B2AE3D27D4EB4Full;
    h ^= ((uint64_t)rec->id << 24) ^ ((uint64_t)rec->opcode << 8) ^ rec->level ^
         ((uint64_t)rec->task << 40);
    h ^= rec->keywords * 0x165667B19E3779F9ull;
    h ^= h >> 29;
    f = &r->frags[(h * 0x94D049BB133111EBull) >> 56 & (EF_FRAG_SLOTS - 1)];
    if (f->valid && f->serial == serial && f->id == rec->id && f->task == rec->task &&
        f->version == rec->version && f->level == rec->level && f->opcode == rec->opcode &&
        f->channel == rec->channel && f->kind == rec->kind && f->keywords == rec->keywords &&
        ef_guid_equal(&f->provider, &rec->provider)) {
        *hit = 1;
        return f;
    }
    f->valid = 0;
    f->serial = serial;
    f->provider = rec->provider;
    f->keywords = rec->keywords;
    f->id = rec->id;
    f->task = rec->task;
    f->version = rec->version;
    f->level = rec->level;
    f->opcode = rec->opcode;
    f->channel = rec->channel;
    f->kind = (uint8_t)rec->kind;
    return f;
}

size_t ef_render_mark(const struct ef_renderer *r)
{
    return r->jw.out->len;
}

void ef_render_frag_save(struct ef_renderer *r, struct ef_frag *f, int i, size_t mark)
{
    struct ef_buf *b = &f->run[i];

    if (r->jw.err || r->jw.out->len < mark)
        return;
    ef_buf_reset(b);
    if (ef_buf_append(b, r->jw.out->data ? r->jw.out->data + mark : "", r->jw.out->len - mark) < 0)
        return;
    /* Valid once the last run is saved: the runs are written in order. */
    f->valid = i == EF_FRAG_RUNS - 1;
}

void ef_render_frag_replay(struct ef_renderer *r, const struct ef_frag *f, int i)
{
    ef_jw_raw_members(&r->jw, f->run[i].data, f->run[i].len);
}

int ef_render_parse_format(const char *name, int *format)
{
    if (strcmp(name, "native") == 0)
        *format = EF_RENDER_NATIVE;
    else if (strcmp(name, "ecs") == 0)
        *format = EF_RENDER_ECS;
    else
        return EF_EINVAL;
    return 0;
}

int ef_render_event(struct ef_renderer *r, const struct ef_event *ev, struct ef_buf *out)
{
    size_t before = out->len;
    int rc;

    ef_jw_reset(&r->jw, out);
    if (r->opts.format == EF_RENDER_ECS)
        rc = ef_render_ecs(r, ev);
    else
        rc = ef_render_native(r, ev);
    if (rc == 0)
        rc = r->jw.err;
    if (rc < 0) {
        out->len = before;
        if (out->data)
            out->data[before] = '\0';
    }
    r->jw.out = NULL;
    return rc;
}

void ef_render_text(struct ef_renderer *r, const char *s, size_t n)
{
    if (!s) {
        ef_jw_null(&r->jw);
        return;
    }
    if (ef_jw_string_ascii(&r->jw, s, n) == 0)
        return;
    ef_buf_reset(&r->clean);
    if (ef_utf8_sanitize_to_buf(s, n, &r->clean) < 0) {
        r->jw.err = EF_ELIMIT;
        return;
    }
    ef_jw_string(&r->jw, r->clean.data, r->clean.len);
}

void ef_render_str(struct ef_renderer *r, const char *s)
{
    ef_render_text(r, s, s ? strlen(s) : 0);
}

void ef_render_key(struct ef_renderer *r, const char *s)
{
    if (!s || !*s)
        s = "_";
    ef_render_text(r, s, strlen(s));
}

static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

/* Two digits per division: integers are in every event. */
size_t ef_render_fmt_u64(char *end, uint64_t v)
{
    char *p = end;

    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;

        v /= 100;
        p -= 2;
        p[0] = digit_pairs[d], p[1] = digit_pairs[d + 1];
    }
    if (v >= 10) {
        p -= 2;
        p[0] = digit_pairs[v * 2], p[1] = digit_pairs[v * 2 + 1];
    } else {
        *--p = (char)('0' + v);
    }
    return (size_t)(end - p);
}

/* Decimal digits of v. */
static unsigned dec_digits(uint64_t v)
{
    unsigned n = 1;

    while (v >= 10000)
        v /= 10000, n += 4;
    return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

char *ef_render_put_u64(char *p, uint64_t v)
{
    char *end = p + dec_digits(v);

    ef_render_fmt_u64(end, v);
    return end;
}

void ef_render_u64(struct ef_renderer *r, uint64_t v, int is64)
{
    char *p;

    if (is64 && r->opts.int64_as_string) {
        char tmp[24];
        size_t n = ef_render_fmt_u64(tmp + sizeof(tmp), v);

        ef_jw_plain(&r->jw, tmp + sizeof(tmp) - n, n);
        return;
    }
    p = ef_jw_begin(&r->jw, 20);
    if (p)
        ef_jw_end(&r->jw, ef_render_put_u64(p, v));
}

void ef_render_i64(struct ef_renderer *r, int64_t v, int is64)
{
    char tmp[24];
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = ef_render_fmt_u64(tmp + sizeof(tmp), mag);
    char *s = tmp + sizeof(tmp) - n;

    if (v < 0) {
        *--s = '-';
        n++;
    }
    if (is64 && r->opts.int64_as_string)
        ef_jw_plain(&r->jw, s, n);
    else
        ef_jw_number(&r->jw, s, n);
}

/* Upper-case hex of each byte value: two digits per table load. */
static const char hex_pairs[513] =
    "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
    "202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F"
    "404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F"
    "606162636465666768696A6B6C6D6E6F707172737475767778797A7B7C7D7E7F"
    "808182838485868788898A8B8C8D8E8F909192939495969798999A9B9C9D9E9F"
    "A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF"
    "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
    "E0E1E2E3E4E5E6E7E8E9EAEBECEDEEEFF0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF";

size_t ef_render_fmt_hex(char *out, uint64_t v)
{
    /* Digits without leading zeros, at least one. */
    unsigned n = v ? (unsigned)(67 - __builtin_clzll(v)) / 4 : 1, i = n;

    while (i >= 2) {
        i -= 2;
        memcpy(out + i, hex_pairs + (v & 0xff) * 2, 2);
        v >>= 8;
    }
    if (i)
        out[0] = hex_pairs[(v & 15) * 2 + 1];
    return n;
}

void ef_render_hex(struct ef_renderer *r, uint64_t v)
{
    char *p = ef_jw_begin(&r->jw, 20);

    if (!p)
        return;
    p[0] = '"', p[1] = '0', p[2] = 'x';
    p += 3 + ef_render_fmt_hex(p + 3, v);
    *p++ = '"';
    ef_jw_end(&r->jw, p);
}

/* digits (even) upper-case hex digits of v at p, zero-padded; returns the end. */
static char *put_hex(char *p, uint64_t v, int digits)
{
    int i;

    for (i = digits - 2; i >= 0; i -= 2, v >>= 8)
        memcpy(p + i, hex_pairs + (v & 0xff) * 2, 2);
    return p + digits;
}

/*
 * The hex digits of the bytes of y, byte 0 first, two per byte, upper case,
 * as the bytes of a little-endian word (SWAR: each nibble gets a byte, then
 * '0' is added, and 7 more where the nibble is above 9).
 */
static uint64_t hex_spread(uint32_t y)
{
    uint64_t x = y;

    x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFull;
    x = ((x & 0x000F000F000F000Full) << 8) | ((x >> 4) & 0x000F000F000F000Full);
    return x + 0x3030303030303030ull +
           (((x + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull) * 7;
}

/* Hand-rolled (util's ef_guid_format uses snprintf): most events carry GUIDs. */
size_t ef_render_fmt_guid(char *s, const struct ef_guid *g)
{
    uint64_t d4a = hex_spread(ef_le32(g->data4)), d4b = hex_spread(ef_le32(g->data4 + 4));

    s[0] = '{';
    ef_put_le64(s + 1, hex_spread(__builtin_bswap32(g->data1)));
    s[9] = '-';
    ef_put_le32(s + 10, (uint32_t)hex_spread(__builtin_bswap16(g->data2)));
    s[14] = '-';
    ef_put_le32(s + 15, (uint32_t)hex_spread(__builtin_bswap16(g->data3)));
    s[19] = '-';
    ef_put_le32(s + 20, (uint32_t)d4a);
    s[24] = '-';
    ef_put_le32(s + 25, (uint32_t)(d4a >> 32));
    ef_put_le64(s + 29, d4b);
    s[37] = '}';
    return 38;
}

char *ef_render_put_guid(char *p, const struct ef_guid *g)
{
    *p++ = '"';
    p += ef_render_fmt_guid(p, g);
    *p++ = '"';
    return p;
}

void ef_render_guid(struct ef_renderer *r, const struct ef_guid *g)
{
    char *p = ef_jw_begin(&r->jw, EF_RENDER_GUID_MAX);

    if (p)
        ef_jw_end(&r->jw, ef_render_put_guid(p, g));
}

void ef_render_status(struct ef_renderer *r, uint32_t v)
{
    char s[10] = {'0', 'x'};

    put_hex(s + 2, v, 8);
    ef_jw_plain(&r->jw, s, sizeof(s));
}

size_t ef_render_fmt_u32(char *out, uint32_t v)
{
    char tmp[12];
    size_t n = ef_render_fmt_u64(tmp + sizeof(tmp), v);

    memcpy(out, tmp + sizeof(tmp) - n, n);
    out[n] = '\0';
    return n;
}

/*
 * The date and time of day change only when the second does: events come in
 * time order, so the calendar arithmetic runs once per second of trace and
 * each event formats only its seven fractional digits.
 */
char *ef_render_put_filetime(struct ef_renderer *r, char *p, uint64_t ft)
{
    char s[EF_TIME_STR_SIZE];
    uint64_t sec = ft / 10000000u;
    uint32_t frac = (uint32_t)(ft % 10000000u);
    int i;

    if (sec != r->ts_second) {
        if (ef_filetime_format(sec * 10000000u, s) < 0) {
            /* Past what a calendar date can say: the number, as ef_render_u64 writes it. */
            if (!r->opts.int64_as_string)
                return ef_render_put_u64(p, ft);
            *p = '"';
            p = ef_render_put_u64(p + 1, ft);
            *p++ = '"';
            return p;
        }
        memcpy(r->ts_prefix, s, 19);
        r->ts_second = sec;
    }
    /* "YYYY-MM-DDTHH:MM:SS.fffffffZ" with its quotes. */
    p[0] = '"';
    memcpy(p + 1, r->ts_prefix, 19);
    p[20] = '.';
    for (i = 26; i >= 20; i--, frac /= 10)
        p[i + 1] = (char)('0' + frac % 10);
    p[28] = 'Z';
    p[29] = '"';
    return p + 30;
}

void ef_render_filetime(struct ef_renderer *r, uint64_t ft)
{
    char *p = ef_jw_begin(&r->jw, EF_RENDER_FILETIME_MAX);

    if (p)
        ef_jw_end(&r->jw, ef_render_put_filetime(r, p, ft));
}

void ef_render_binary(struct ef_renderer *r, const void *p, size_t n)
{
    ef_buf_reset(&r->text);
    if (ef_hex_append(&r->text, p, n) < 0) {
        r->jw.err = EF_ELIMIT;
        return;
    }
    ef_jw_plain(&r->jw, (r->text.data ? r->text.data : ""), r->text.len);
}

void ef_render_sid(struct ef_renderer *r, const void *p, size_t n)
{
    char s[EF_SID_STR_SIZE];

    if (n == 0) {
        ef_jw_null(&r->jw);
        return;
    }
    if (ef_sid_format(p, n, s, NULL) < 0) {
        ef_render_binary(r, p, n);
        return;
    }
    ef_jw_plain(&r->jw, s, strlen(s));
}

/*
 * http_format.c - request bodies of the HTTP sink: ndjson, json array,
 * Elasticsearch _bulk and Splunk HEC, the deterministic _id, the dated
 * index name, and gzip.
 *
 * DESIGN. Events arrive rendered (JSON objects, one per batch entry) and
 * are copied into the body verbatim: nothing here parses an event. The few
 * facts a format needs (host, session, timestamp) are found by a scan for
 * the first "Key":" string in the event. The renderer writes System first
 * and escapes every quote inside a string, so the first match is the
 * System field, and the text between its quotes is already valid JSON
 * string content that can be copied as is.
 */
#include "sinks/http_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "config/config.h"
#include "util/error.h"

/* memmem, which mingw lacks. */
static const char *find_bytes(const char *h, size_t hn, const char *n, size_t nn)
{
    const char *end = h + hn;

    while ((size_t)(end - h) >= nn) {
        const char *p = memchr(h, n[0], (size_t)(end - h) - nn + 1);

        if (!p)
            return NULL;
        if (memcmp(p, n, nn) == 0)
            return p;
        h = p + 1;
    }
    return NULL;
}

/* Finds "key":"value" in ev; *vlen gets the raw (escaped) value's length. */
static const char *find_str(const char *ev, size_t len, const char *key, size_t *vlen)
{
    size_t klen = strlen(key);
    const char *p = ev, *end = ev + len;

    const char *hit = find_bytes(p, len, key, klen);
    const char *v, *q;

    if (!hit)
        return NULL;
    v = hit + klen;
    for (q = v; q < end && *q != '"'; q++) {
        if (*q == '\\')
            q++;
    }
    if (q >= end)
        return NULL;
    *vlen = (size_t)(q - v);
    return v;
}

static const char *event_host(const struct ef_http_fmt *f, const char *ev, size_t len, size_t *hlen)
{
    const char *h = find_str(ev, len, "\"Computer\":\"", hlen);

    if (!h)
        h = find_str(ev, len, "\"host\":{\"name\":\"", hlen);
    if (!h && f->host) {
        h = f->host;
        *hlen = strlen(h);
    }
    return h;
}

static const char *event_time(const char *ev, size_t len, size_t *tlen)
{
    const char *t = find_str(ev, len, "\"SystemTime\":\"", tlen);

    if (!t)
        t = find_str(ev, len, "\"@timestamp\":\"", tlen);
    return t;
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;

    while (n--) {
        h ^= *s++;
        h *= 1099511628211ull;
    }
    return h;
}

void ef_http_event_id(const struct ef_http_fmt *f, const char *ev, size_t len, uint64_t seq,
                      char out[48])
{
    uint64_t h = 14695981039346656037ull;
    size_t n = 0;
    const char *s;

    s = event_host(f, ev, len, &n);
    h = fnv1a(h, s ? s : "", s ? n : 0);
    h = fnv1a(h, "|", 1);
    s = find_str(ev, len, "\"Session\":\"", &n);
    h = fnv1a(h, s ? s : "", s ? n : 0);
    h = fnv1a(h, "|", 1);
    s = event_time(ev, len, &n);
    h = fnv1a(h, s ? s : "", s ? n : 0);
    snprintf(out, 48, "%016llx-%llu", (unsigned long long)h, (unsigned long long)seq);
}

/* Reads "YYYY-MM-DD" at t into the three numbers; 0 or -1. */
static int parse_date(const char *t, size_t n, int *y, int *m, int *d)
{
    int i;

    if (n < 10 || t[4] != '-' || t[7] != '-')
        return -1;
    for (i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9'))
            return -1;
    }
    *y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
    *m = (t[5] - '0') * 10 + (t[6] - '0');
    *d = (t[8] - '0') * 10 + (t[9] - '0');
    return 0;
}

int ef_http_index_name(const char *pattern, const char *ev, size_t len, char *out, size_t cap)
{
    int y = 1970, m = 1, d = 1, have = 0;
    size_t o = 0, tlen;
    const char *p, *t;

    for (p = pattern; *p; p++) {
        char tmp[8];
        const char *add = tmp;
        size_t n;

        /* p[1] == '\0' must not match: strchr finds the terminator too. */
        if (*p != '%' || !p[1] || !strchr("Ymd%", p[1])) {
            tmp[0] = *p;
            tmp[1] = '\0';
        } else {
            p++;
            if (*p != '%' && !have) {
                t = event_time(ev, len, &tlen);
                if (!t || parse_date(t, tlen, &y, &m, &d) < 0) {
                    time_t now = time(NULL);
                    struct tm tm;
#ifdef _WIN32
                    gmtime_s(&tm, &now);
#else
                    gmtime_r(&now, &tm);
#endif
                    y = tm.tm_year + 1900;
                    m = tm.tm_mon + 1;
                    d = tm.tm_mday;
                }
                have = 1;
            }
            if (*p == 'Y')
                snprintf(tmp, sizeof(tmp), "%04d", y);
            else if (*p == 'm')
                snprintf(tmp, sizeof(tmp), "%02d", m);
            else if (*p == 'd')
                snprintf(tmp, sizeof(tmp), "%02d", d);
            else
                add = "%";
        }
        n = strlen(add);
        if (o + n + 1 > cap)
            return EF_ELIMIT;
        memcpy(out + o, add, n);
        o += n;
    }
    if (o + 1 > cap)
        return EF_ELIMIT;
    out[o] = '\0';
    return 0;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDTHH:MM:SS[.fff]" to "epoch.fff" seconds for HEC's time field. */
static int hec_time(const char *t, size_t n, char *out, size_t cap)
{
    int y, m, d, hh, mm, ss;
    int64_t secs;

    if (parse_date(t, n, &y, &m, &d) < 0 || n < 19 || t[10] != 'T' || t[13] != ':' || t[16] != ':')
        return -1;
    if (sscanf(t + 11, "%2d:%2d:%2d", &hh, &mm, &ss) != 3)
        return -1;
    secs = days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
    if (n >= 23 && t[19] == '.' && t[20] >= '0' && t[20] <= '9' && t[21] >= '0' && t[21] <= '9' &&
        t[22] >= '0' && t[22] <= '9')
        snprintf(out, cap, "%lld.%c%c%c", (long long)secs, t[20], t[21], t[22]);
    else
        snprintf(out, cap, "%lld", (long long)secs);
    return 0;
}

static int append_quoted_raw(struct ef_buf *out, const char *s, size_t n)
{
    int rc = ef_buf_append_byte(out, '"');

    if (rc == 0)
        rc = ef_buf_append(out, s, n);
    if (rc == 0)
        rc = ef_buf_append_byte(out, '"');
    return rc;
}

/* A configured string (index, sourcetype) as a JSON string, escaped. */
static int append_json_str(struct ef_buf *out, const char *s)
{
    int rc = ef_buf_append_byte(out, '"');

    for (; *s && rc == 0; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            rc = ef_buf_appendf(out, "\\%c", c);
        else if (c < 0x20)
            rc = ef_buf_appendf(out, "\\u%04x", c);
        else
            rc = ef_buf_append_byte(out, (char)c);
    }
    if (rc == 0)
        rc = ef_buf_append_byte(out, '"');
    return rc;
}

static int bulk_item(const struct ef_http_fmt *f, const char *ev, size_t len, uint64_t seq,
                     struct ef_buf *out)
{
    char id[48], index[512];
    int rc;

    ef_http_event_id(f, ev, len, seq, id);
    rc = ef_buf_append_str(out, "{\"create\":{");
    if (rc == 0 && f->index && f->index[0]) {
        rc = ef_http_index_name(f->index, ev, len, index, sizeof(index));
        if (rc == 0)
            rc = ef_buf_append_str(out, "\"_index\":");
        if (rc == 0)
            rc = append_json_str(out, index);
        if (rc == 0)
            rc = ef_buf_append_byte(out, ',');
    }
    if (rc == 0)
        rc = ef_buf_appendf(out, "\"_id\":\"%s\"}}\n", id);
    if (rc == 0)
        rc = ef_buf_append(out, ev, len);
    if (rc == 0)
        rc = ef_buf_append_byte(out, '\n');
    return rc;
}

static int hec_item(const struct ef_http_fmt *f, const char *ev, size_t len, struct ef_buf *out)
{
    const char *s;
    size_t n;
    char when[40], index[512];
    int rc = ef_buf_append_byte(out, '{');

    s = event_time(ev, len, &n);
    if (rc == 0 && s && hec_time(s, n, when, sizeof(when)) == 0)
        rc = ef_buf_appendf(out, "\"time\":%s,", when);
    s = event_host(f, ev, len, &n);
    if (rc == 0 && s) {
        rc = ef_buf_append_str(out, "\"host\":");
        if (rc == 0)
            rc = s == f->host ? append_json_str(out, s) : append_quoted_raw(out, s, n);
        if (rc == 0)
            rc = ef_buf_append_byte(out, ',');
    }
    if (rc == 0)
        rc = ef_buf_append_str(out, "\"source\":\"etwfwd\",\"sourcetype\":");
    if (rc == 0)
        rc = append_json_str(out, f->sourcetype ? f->sourcetype : "etwfwd:json");
    if (rc == 0 && f->index && f->index[0]) {
        rc = ef_http_index_name(f->index, ev, len, index, sizeof(index));
        if (rc == 0)
            rc = ef_buf_append_str(out, ",\"index\":");
        if (rc == 0)
            rc = append_json_str(out, index);
    }
    if (rc == 0)
        rc = ef_buf_append_str(out, ",\"event\":");
    if (rc == 0)
        rc = ef_buf_append(out, ev, len);
    if (rc == 0)
        rc = ef_buf_append_str(out, "}\n");
    return rc;
}

int ef_http_format_body(const struct ef_http_fmt *f, const struct ef_batch *b, size_t from,
                        size_t to, struct ef_buf *out)
{
    size_t i;
    int rc = 0;

    if (f->format == EF_HTTP_JSON)
        rc = ef_buf_append_byte(out, '[');
    for (i = from; i < to && rc == 0; i++) {
        const struct ef_batch_event *e = &b->events[i];
        const char *ev = b->data.data + e->off;

        switch (f->format) {
        case EF_HTTP_JSON:
            if (i > from)
                rc = ef_buf_append_byte(out, ',');
            if (rc == 0)
                rc = ef_buf_append(out, ev, e->len);
            break;
        case EF_HTTP_ES_BULK:
            rc = bulk_item(f, ev, e->len, e->seq, out);
            break;
        case EF_HTTP_SPLUNK_HEC:
            rc = hec_item(f, ev, e->len, out);
            break;
        default:
            rc = ef_buf_append(out, ev, e->len);
            if (rc == 0)
                rc = ef_buf_append_byte(out, '\n');
            break;
        }
    }
    if (rc == 0 && f->format == EF_HTTP_JSON)
        rc = ef_buf_append_byte(out, ']');
    return rc;
}

int ef_http_gzip(const void *in, size_t len, int level, struct ef_buf *out)
{
    z_stream z;
    int zrc, rc = 0;

    ef_buf_reset(out);
    memset(&z, 0, sizeof(z));
    /* 15 + 16: a gzip wrapper, which is what Content-Encoding: gzip means. */
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return EF_ENOMEM;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    do {
        size_t room, want = len / 4 + 4096;

        /* Ask for no more than the cap allows: the output may still fit. */
        if (want > out->max - out->len)
            want = out->max - out->len;
        rc = want ? ef_buf_reserve(out, want) : EF_ELIMIT;
        if (rc < 0)
            break;
        room = out->cap - out->len - 1;
        z.next_out = (Bytef *)out->data + out->len;
        z.avail_out = (uInt)(room > 0x40000000 ? 0x40000000 : room);
        zrc = deflate(&z, Z_FINISH);
        out->len = (size_t)((char *)z.next_out - out->data);
        if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR) {
            rc = EF_ENOMEM;
            break;
        }
    } while (zrc != Z_STREAM_END);
    if (out->data)
        out->data[out->len] = '\0';
    deflateEnd(&z);
    return rc;
}

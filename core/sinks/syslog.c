/*
 * syslog.c - builds syslog messages from events: RFC 5424 (default) and
 * RFC 3164 headers, RFC 6587 framing, the size limit.
 *
 * DESIGN. A message is HEADER + STRUCTURED-DATA + " " + the event's JSON.
 * The header and SD are composed into a scratch buffer first, from the
 * values ef_syslog_scan found, so the total length is known before anything
 * is appended to the output: octet counting needs the length up front, and
 * an oversize message is truncated (with truncated="<original length>" in
 * the SD, or "..." at the end for RFC 3164) or refused before a byte of it
 * is written. The MSG carries no BOM: it is always UTF-8 JSON (the renderer
 * sanitizes), and a BOM in front of JSON breaks the receivers' JSON parsers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "sinks/syslog.h"
#include "util/error.h"

#define SD_VALUE_CAP 256 /* bytes of one SD value kept, before escaping */
#define MSGID_CAP    32  /* RFC 5424 MSGID: 1*32 PRINTUSASCII */

int ef_syslog_severity(unsigned level)
{
    /* ETW levels: 1 critical, 2 error, 3 warning, 4 information, 5 verbose. */
    static const int map[] = {6, 2, 3, 4, 6, 7};

    return level < sizeof(map) / sizeof(map[0]) ? map[level] : 7;
}

int ef_syslog_split_address(const char *addr, char *host, size_t hostcap, char *port,
                            size_t portcap)
{
    const char *colon, *h = addr, *hend;
    size_t n;

    if (!addr || !*addr)
        return EF_EINVAL;
    if (*addr == '[') {
        hend = strchr(addr, ']');
        if (!hend || hend[1] != ':')
            return EF_EINVAL;
        h = addr + 1;
        colon = hend + 1;
    } else {
        colon = strrchr(addr, ':');
        if (!colon || memchr(addr, ':', (size_t)(colon - addr)))
            return EF_EINVAL;
        hend = colon;
    }
    n = (size_t)(hend - h);
    if (n == 0 || n >= hostcap || strlen(colon + 1) == 0 || strlen(colon + 1) >= portcap ||
        strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) < 1 ||
        atoi(colon + 1) > 65535)
        return EF_EINVAL;
    memcpy(host, h, n);
    host[n] = 0;
    strcpy(port, colon + 1);
    return 0;
}

/* Parses a JSON number or numeric string; 0 when absent or not a number. */
static int field_uint(const struct ef_syslog_meta *m, int f, unsigned long long *out)
{
    unsigned long long v = 0;
    size_t i;

    if (!m->v[f].p || m->v[f].n == 0 || m->v[f].n > 19)
        return 0;
    for (i = 0; i < m->v[f].n; i++) {
        char c = m->v[f].p[i];

        if (c < '0' || c > '9')
            return 0;
        v = v * 10 + (unsigned)(c - '0');
    }
    *out = v;
    return 1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static unsigned read_u4(const char *p)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        int h = hexval(p[i]);

        if (h < 0)
            return 0xFFFFFFFFu;
        v = v * 16 + (unsigned)h;
    }
    return v;
}

/*
 * Unescapes a JSON string's contents into out (at most cap-1 bytes, cut
 * at a character boundary, NUL-terminated). Returns the length.
 */
static size_t json_unescape(const char *p, size_t n, char *out, size_t cap)
{
    size_t i = 0, o = 0;

    while (i < n) {
        char tmp[4];
        size_t k = 0;
        unsigned cp;

        if (p[i] != '\\') {
            tmp[k++] = p[i++];
        } else if (i + 1 >= n) {
            break;
        } else if (p[i + 1] != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *x = memchr(from, p[i + 1], sizeof(from) - 1);

            tmp[k++] = x ? to[x - from] : '?';
            i += 2;
        } else {
            cp = i + 6 <= n ? read_u4(p + i + 2) : 0xFFFFFFFFu;
            i += i + 6 <= n ? 6 : n - i;
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= n && p[i] == '\\' && p[i + 1] == 'u') {
                unsigned lo = read_u4(p + i + 2);

                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
                cp = 0xFFFD;
            if (cp < 0x80) {
                tmp[k++] = (char)cp;
            } else if (cp < 0x800) {
                tmp[k++] = (char)(0xC0 | (cp >> 6));
                tmp[k++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                tmp[k++] = (char)(0xE0 | (cp >> 12));
                tmp[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                tmp[k++] = (char)(0x80 | (cp & 0x3F));
            } else {
                tmp[k++] = (char)(0xF0 | (cp >> 18));
                tmp[k++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                tmp[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                tmp[k++] = (char)(0x80 | (cp & 0x3F));
            }
        }
        if (o + k >= cap)
            break;
        memcpy(out + o, tmp, k);
        o += k;
    }
    out[o] = 0;
    return o;
}

/*
 * The RFC 5424 header is the hot path (one per event at hundreds of
 * thousands of events per second), so it is written with a cursor into
 * room reserved once (HDR_5424_MAX bounds every part: host 255, four SD
 * values of at most 255 bytes each doubled by escaping, numbers) rather
 * than with printf-style appends, which cost more than the rest of the
 * message together.
 */
#define HDR_5424_MAX 4096

static char *put_mem(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static char *put_str(char *p, const char *s)
{
    return put_mem(p, s, strlen(s));
}

static char *put_uint(char *p, unsigned long long v)
{
    char tmp[24];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* A header token (HOSTNAME, MSGID): printable US-ASCII without spaces, else '_'. */
static char *put_token(char *p, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        *p++ = c >= 33 && c <= 126 ? (char)c : '_';
    }
    return p;
}

static int append_token(struct ef_buf *b, const char *s, size_t n)
{
    int rc = ef_buf_reserve(b, n);

    if (rc == 0)
        b->len = (size_t)(put_token(b->data + b->len, s, n) - b->data);
    return rc;
}

static char *put_sd_param(char *p, const char *name, const struct ef_syslog_meta *m, int f)
{
    char v[SD_VALUE_CAP];
    const char *src = v;
    size_t n, i;

    if (!m->v[f].p)
        return p;
    n = m->v[f].n;
    if (!m->v[f].is_str) {
        src = m->v[f].p; /* a number token: copied as is, at most 64 bytes */
        n = n < 64 ? n : 64;
    } else if (memchr(m->v[f].p, '\\', n)) {
        n = json_unescape(m->v[f].p, n, v, sizeof(v));
    } else {
        src = m->v[f].p; /* nothing to unescape: the common case */
        n = n < SD_VALUE_CAP - 1 ? n : SD_VALUE_CAP - 1;
    }
    *p++ = ' ';
    p = put_str(p, name);
    *p++ = '=';
    *p++ = '"';
    for (i = 0; i < n; i++) {
        /* RFC 5424 6.3.3: '"', '\' and ']' are escaped with a backslash. */
        if (src[i] == '"' || src[i] == '\\' || src[i] == ']')
            *p++ = '\\';
        *p++ = src[i];
    }
    *p++ = '"';
    return p;
}

/* Event time "YYYY-MM-DDTHH:MM:SS[.f+]Z" checked; fills the parts. */
static int parse_time(const struct ef_syslog_meta *m, int t[6], const char **frac, size_t *nfrac)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:dd";
    const char *p = m->v[EF_SLF_TIME].p;
    size_t n = m->v[EF_SLF_TIME].n, i;

    if (!p || n < sizeof(pat) || !m->v[EF_SLF_TIME].is_str)
        return 0;
    for (i = 0; i < sizeof(pat) - 1; i++) {
        if (pat[i] == 'd' ? (p[i] < '0' || p[i] > '9') : p[i] != pat[i])
            return 0;
    }
    *frac = NULL;
    *nfrac = 0;
    i = sizeof(pat) - 1;
    if (p[i] == '.') {
        *frac = p + ++i;
        while (i < n && p[i] >= '0' && p[i] <= '9')
            i++;
        *nfrac = (size_t)(p + i - *frac);
    }
    if (i + 1 != n || p[i] != 'Z')
        return 0;
    /* The digits were checked above: plain arithmetic instead of atoi. */
    t[0] = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    t[1] = (p[5] - '0') * 10 + (p[6] - '0');
    t[2] = (p[8] - '0') * 10 + (p[9] - '0');
    t[3] = (p[11] - '0') * 10 + (p[12] - '0');
    t[4] = (p[14] - '0') * 10 + (p[15] - '0');
    t[5] = (p[17] - '0') * 10 + (p[18] - '0');
    return t[1] >= 1 && t[1] <= 12 && t[2] >= 1 && t[2] <= 31;
}

static int header_5424(struct ef_syslog_fmt *f, const struct ef_syslog_meta *m, int pri,
                       size_t trunc_from)
{
    struct ef_buf *b = &f->hdr;
    unsigned long long id, pid;
    const char *frac;
    size_t nfrac;
    int t[6], rc;
    char *p;

    rc = ef_buf_reserve(b, HDR_5424_MAX);
    if (rc < 0)
        return rc;
    p = b->data + b->len;
    *p++ = '<';
    p = put_uint(p, (unsigned)pri);
    p = put_mem(p, ">1 ", 3);
    if (parse_time(m, t, &frac, &nfrac)) {
        /*
         * parse_time checked the fixed-width digits, so the date and time
         * are copied as they are. TIME-SECFRAC has at most 6 digits; ETW's
         * 100 ns precision is cut.
         */
        p = put_mem(p, m->v[EF_SLF_TIME].p, 19);
        if (nfrac) {
            *p++ = '.';
            p = put_mem(p, frac, nfrac > 6 ? 6 : nfrac);
        }
        p = put_mem(p, "Z ", 2);
    } else {
        p = put_mem(p, "- ", 2);
    }
    if (m->v[EF_SLF_COMPUTER].p && m->v[EF_SLF_COMPUTER].n) {
        char host[EF_SYSLOG_MAX_HOSTNAME + 1];
        size_t n =
            json_unescape(m->v[EF_SLF_COMPUTER].p, m->v[EF_SLF_COMPUTER].n, host, sizeof(host));

        p = n ? put_token(p, host, n) : put_str(p, f->hostname);
    } else {
        p = put_str(p, f->hostname[0] ? f->hostname : "-");
    }
    p = put_str(p, " " EF_SYSLOG_APP_NAME " ");
    p = put_uint(p, field_uint(m, EF_SLF_PID, &pid) ? pid : f->self_pid);
    *p++ = ' ';
    if (field_uint(m, EF_SLF_EVENT_ID, &id) && id <= 0xFFFF) {
        p = put_mem(p, "EID-", 4);
        p = put_uint(p, id);
        *p++ = ' ';
    } else {
        p = put_mem(p, "- ", 2);
    }
    p = put_str(p, "[" EF_SYSLOG_SD_ID);
    p = put_sd_param(p, "provider", m, EF_SLF_PROVIDER);
    p = put_sd_param(p, "guid", m, EF_SLF_GUID);
    p = put_sd_param(p, "eventId", m, EF_SLF_EVENT_ID);
    p = put_sd_param(p, "session", m, EF_SLF_SESSION);
    if (trunc_from) {
        p = put_str(p, " truncated=\"");
        p = put_uint(p, trunc_from);
        *p++ = '"';
    }
    p = put_mem(p, "] ", 2);
    b->len = (size_t)(p - b->data);
    b->data[b->len] = 0;
    return 0;
}

static int header_3164(struct ef_syslog_fmt *f, const struct ef_syslog_meta *m, int pri)
{
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct ef_buf *b = &f->hdr;
    unsigned long long pid;
    const char *frac;
    size_t nfrac;
    int t[6], rc;

    if (!parse_time(m, t, &frac, &nfrac)) {
        /* RFC 3164 has no "no time" value: use now. */
        time_t now = time(NULL);
        struct tm tm;

#ifdef _WIN32
        gmtime_s(&tm, &now);
#else
        gmtime_r(&now, &tm);
#endif
        t[1] = tm.tm_mon + 1;
        t[2] = tm.tm_mday;
        t[3] = tm.tm_hour;
        t[4] = tm.tm_min;
        t[5] = tm.tm_sec;
    }
    rc = ef_buf_appendf(b, "<%d>%s %2d %02d:%02d:%02d ", pri, months[t[1] - 1], t[2], t[3], t[4],
                        t[5]);
    if (rc == 0 && m->v[EF_SLF_COMPUTER].p && m->v[EF_SLF_COMPUTER].n) {
        char host[EF_SYSLOG_MAX_HOSTNAME + 1];
        size_t n =
            json_unescape(m->v[EF_SLF_COMPUTER].p, m->v[EF_SLF_COMPUTER].n, host, sizeof(host));

        rc = n ? append_token(b, host, n) : ef_buf_append_str(b, f->hostname);
    } else if (rc == 0) {
        rc = ef_buf_append_str(b, f->hostname[0] ? f->hostname : "localhost");
    }
    if (rc == 0) {
        if (!field_uint(m, EF_SLF_PID, &pid))
            pid = f->self_pid;
        rc = ef_buf_appendf(b, " " EF_SYSLOG_APP_NAME "[%llu]: ", pid);
    }
    return rc;
}

/* Where to cut s to at most n bytes without splitting a UTF-8 character. */
static size_t utf8_cut(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

int ef_syslog_format(struct ef_syslog_fmt *f, const char *json, size_t len, struct ef_buf *out,
                     int *flags)
{
    struct ef_syslog_meta m;
    unsigned long long level = 4;
    size_t keep = len, total, start = out->len;
    size_t npre = 0;
    int pri, rc, cut3164 = 0;
    char *p, pre[24];

    *flags = 0;
    (void)ef_syslog_scan(json, len, &m); /* what was found before an error is still used */
    (void)field_uint(&m, EF_SLF_LEVEL, &level);
    pri = f->facility * 8 + ef_syslog_severity(level > 255 ? 255 : (unsigned)level);
    ef_buf_reset(&f->hdr);
    rc = f->rfc == EF_SYSLOG_RFC3164 ? header_3164(f, &m, pri) : header_5424(f, &m, pri, 0);
    if (rc < 0)
        return rc;
    total = f->hdr.len + len;
    if (total > f->max_size) {
        *flags |= EF_SYSLOG_REFUSED;
        if (f->oversize == EF_OVERSIZE_DROP)
            return EF_ELIMIT;
        if (f->rfc == EF_SYSLOG_RFC3164) {
            cut3164 = 1;
        } else {
            ef_buf_reset(&f->hdr);
            rc = header_5424(f, &m, pri, total);
            if (rc < 0)
                return rc;
        }
        if (f->hdr.len + (cut3164 ? 3 : 0) >= f->max_size)
            return EF_ELIMIT;
        keep = utf8_cut(json, f->max_size - f->hdr.len - (cut3164 ? 3 : 0));
        total = f->hdr.len + keep + (cut3164 ? 3 : 0);
        *flags = EF_SYSLOG_TRUNCATED;
    }
    if (f->framing == EF_SYSLOG_OCTET_COUNTING) {
        npre = (size_t)(put_uint(pre, total) - pre);
        pre[npre++] = ' ';
    }
    /* The framed message's room reserved once (out unchanged on error), then plain copies. */
    rc = ef_buf_reserve(out, npre + total + (f->framing == EF_SYSLOG_LF));
    if (rc < 0)
        return rc;
    p = put_mem(out->data + start, pre, npre);
    p = put_mem(p, f->hdr.data, f->hdr.len);
    p = put_mem(p, json, keep);
    if (cut3164)
        p = put_mem(p, "...", 3);
    if (f->framing == EF_SYSLOG_LF)
        *p++ = '\n';
    out->len = (size_t)(p - out->data);
    out->data[out->len] = 0;
    return 0;
}

/*
 * selftest_events.c - the self-test's TraceLogging events and their check.
 *
 * The builder writes the bytes by hand, as TraceLoggingProvider.h lays
 * them out (docs/schemas-binary.md), rather than through anything the
 * decoder shares: the self-test proves the decoder, so it must not lean
 * on it. For the same reason the checker reads the rendered JSON with
 * yajl's tree parser and formats the expected GUID and time text itself
 * (snprintf and a civil-from-days conversion), not with core/util.
 */
#include "runner/selftest_events.h"

#include "util/error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

/* TlgIn_t (TraceLoggingProvider.h). */
enum {
    TLG_UNICODESTRING = 1,
    TLG_INT64 = 9,
    TLG_UINT32 = 8,
    TLG_GUID = 15,
    TLG_FILETIME = 17,
};

/* 2024-02-29T23:59:50Z as a FILETIME (100 ns since 1601-01-01). */
#define TIME_BASE 133537247900000000ull
/* 1.2345678 s */
#define TIME_STEP 12345678ull
/* Seconds from 1601-01-01 to 1970-01-01. */
#define EPOCH_DIFF 11644473600ull

/* The text after "selftest #<i>": " Grüße € " and U+1F600, as UTF-16 and as UTF-8. */
static const uint16_t text_tail16[] = {' ', 'G',    'r', 0x00FC, 0x00DF, 'e',
                                       ' ', 0x20AC, ' ', 0xD83D, 0xDE00};
static const char text_tail8[] = " Gr\xc3\xbc\xc3\x9f"
                                 "e \xe2\x82\xac \xf0\x9f\x98\x80";

static const char *const field_names[] = {"Seq", "Text", "Number", "Id", "Time"};
static const uint8_t field_types[] = {TLG_UINT32, TLG_UNICODESTRING, TLG_INT64, TLG_GUID,
                                      TLG_FILETIME};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static size_t put_str(uint8_t *p, const char *s)
{
    size_t n = strlen(s) + 1;

    memcpy(p, s, n);
    return n;
}

int ef_selftest_meta_build(struct ef_selftest_meta *m)
{
    size_t n, i;

    memset(m, 0, sizeof(*m));
    if (ef_guid_from_provider_name(EF_SELFTEST_PROVIDER, strlen(EF_SELFTEST_PROVIDER),
                                   &m->provider) < 0)
        return EF_EINVAL;
    /* Provider metadata: {UINT16 size; char name[]} and no traits after the name. */
    n = 2 + put_str(m->traits + 2, EF_SELFTEST_PROVIDER);
    put16(m->traits, (uint16_t)n);
    m->traits_len = (uint16_t)n;
    /* Event metadata: {UINT16 size; UINT8 tags (0: none); char name[]; fields}. */
    n = 2;
    m->event[n++] = 0;
    n += put_str(m->event + n, EF_SELFTEST_EVENT_NAME);
    for (i = 0; i < sizeof(field_types); i++) {
        n += put_str(m->event + n, field_names[i]);
        m->event[n++] = field_types[i];
    }
    put16(m->event, (uint16_t)n);
    m->event_len = (uint16_t)n;
    m->channel = 11;
    m->level = 4;
    m->opcode = 0;
    m->keyword = 0;
    return 0;
}

void ef_selftest_values(uint32_t i, struct ef_selftest_values *out)
{
    uint32_t inv = ~i;

    out->seq = i;
    out->number = -(int64_t)i * 1000000007 - 7;
    out->id.data1 = i;
    out->id.data2 = 0xE7F0;
    out->id.data3 = 0x5E1F;
    out->id.data4[0] = 0x80;
    out->id.data4[1] = 0x00;
    out->id.data4[2] = 0x5E;
    out->id.data4[3] = 0x1F;
    out->id.data4[4] = (uint8_t)(inv >> 24);
    out->id.data4[5] = (uint8_t)(inv >> 16);
    out->id.data4[6] = (uint8_t)(inv >> 8);
    out->id.data4[7] = (uint8_t)inv;
    out->filetime = TIME_BASE + (uint64_t)i * TIME_STEP;
}

int ef_selftest_payload(uint32_t i, uint8_t *buf, size_t cap, size_t *len)
{
    struct ef_selftest_values v;
    char head[32];
    size_t n = 0, k, hn;

    ef_selftest_values(i, &v);
    hn = (size_t)snprintf(head, sizeof(head), "selftest #%" PRIu32, i);
    if (cap < 4 + (hn + sizeof(text_tail16) / 2 + 1) * 2 + 8 + 16 + 8)
        return EF_ENOSPC;
    for (k = 0; k < 4; k++)
        buf[n++] = (uint8_t)(v.seq >> (8 * k));
    for (k = 0; k < hn; k++, n += 2)
        put16(buf + n, (uint8_t)head[k]);
    for (k = 0; k < sizeof(text_tail16) / 2; k++, n += 2)
        put16(buf + n, text_tail16[k]);
    put16(buf + n, 0);
    n += 2;
    for (k = 0; k < 8; k++)
        buf[n++] = (uint8_t)((uint64_t)v.number >> (8 * k));
    ef_guid_write(&v.id, buf + n);
    n += 16;
    for (k = 0; k < 8; k++)
        buf[n++] = (uint8_t)(v.filetime >> (8 * k));
    *len = n;
    return 0;
}

/* Howard Hinnant's civil_from_days: days since 1970-01-01 to y-m-d. */
static void civil(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, yy;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static void time_text(uint64_t ft, char *out, size_t cap)
{
    uint64_t secs = ft / 10000000u, frac = ft % 10000000u;
    int64_t unix_s = (int64_t)secs - (int64_t)EPOCH_DIFF;
    int64_t days = unix_s >= 0 ? unix_s / 86400 : (unix_s - 86399) / 86400;
    int64_t sod = unix_s - days * 86400, y;
    unsigned mo, d;

    civil(days, &y, &mo, &d);
    snprintf(out, cap, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%07" PRIu64 "Z", y, mo, d,
             (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60), frac);
}

static void guid_text(const struct ef_guid *g, char *out, size_t cap)
{
    snprintf(out, cap, "{%08" PRIX32 "-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", g->data1,
             g->data2, g->data3, g->data4[0], g->data4[1], g->data4[2], g->data4[3], g->data4[4],
             g->data4[5], g->data4[6], g->data4[7]);
}

static void say(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    if (!why || !whylen)
        return;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
}

static const char *str_at(yajl_val root, const char *a, const char *b, const char *c)
{
    const char *path[] = {a, b, c, NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_string);

    return v ? YAJL_GET_STRING(v) : NULL;
}

/* A JSON integer, or a decimal string holding one (int64_as_string). */
static int int_at(yajl_val root, const char *field, long long *out)
{
    const char *path[] = {"EventData", field, NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_any);
    const char *s;
    char *end;

    if (v && YAJL_IS_INTEGER(v)) {
        *out = YAJL_GET_INTEGER(v);
        return 0;
    }
    s = v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
    if (s && s[0]) {
        *out = strtoll(s, &end, 10);
        return *end ? -1 : 0;
    }
    return -1;
}

/* Compares the EventData string field with want; says what differs. */
static int same_str(yajl_val root, const char *field, const char *want, char *why, size_t whylen)
{
    const char *got = str_at(root, "EventData", field, NULL);

    if (got && strcmp(got, want) == 0)
        return 1;
    say(why, whylen, "EventData.%s is %s%s%s, expected \"%s\"", field, got ? "\"" : "",
        got ? got : "missing", got ? "\"" : "", want);
    return 0;
}

int ef_selftest_check(const char *line, size_t len, uint32_t *seq, char *why, size_t whylen)
{
    struct ef_guid prov;
    struct ef_selftest_values v;
    char err[128], want[96], *text = NULL;
    const char *name, *got;
    long long n;
    yajl_val root;
    int rc = EF_ERANGE;

    if (why && whylen)
        why[0] = '\0';
    text = malloc(len + 1);
    if (!text)
        return EF_ENOMEM;
    memcpy(text, line, len);
    text[len] = '\0';
    root = yajl_tree_parse(text, err, sizeof(err));
    free(text);
    if (!root || !YAJL_IS_OBJECT(root)) {
        say(why, whylen, "not a JSON object");
        rc = EF_EFORMAT;
        goto out;
    }
    name = str_at(root, "System", "Provider", "Name");
    if (!name || strcmp(name, EF_SELFTEST_PROVIDER) != 0) {
        say(why, whylen, "another provider: %s", name ? name : "(no name)");
        rc = EF_ENOENT;
        goto out;
    }
    got = str_at(root, "System", "EventName", NULL);
    if (!got || strcmp(got, EF_SELFTEST_EVENT_NAME) != 0) {
        say(why, whylen, "another event: %s", got ? got : "(no name)");
        rc = EF_ENOENT;
        goto out;
    }
    if (ef_guid_from_provider_name(EF_SELFTEST_PROVIDER, strlen(EF_SELFTEST_PROVIDER), &prov) < 0)
        goto out;
    guid_text(&prov, want, sizeof(want));
    got = str_at(root, "System", "Provider", "Guid");
    if (!got || strcmp(got, want) != 0) {
        say(why, whylen, "System.Provider.Guid is %s, expected %s", got ? got : "missing", want);
        goto out;
    }
    if (int_at(root, "Seq", &n) < 0 || n < 0 || n > (long long)UINT32_MAX) {
        say(why, whylen, "EventData.Seq is missing or not a 32-bit count");
        goto out;
    }
    *seq = (uint32_t)n;
    ef_selftest_values(*seq, &v);
    snprintf(want, sizeof(want), "selftest #%" PRIu32 "%s", *seq, text_tail8);
    if (!same_str(root, "Text", want, why, whylen))
        goto out;
    if (int_at(root, "Number", &n) < 0 || n != v.number) {
        say(why, whylen, "EventData.Number is not %" PRId64, v.number);
        goto out;
    }
    guid_text(&v.id, want, sizeof(want));
    if (!same_str(root, "Id", want, why, whylen))
        goto out;
    time_text(v.filetime, want, sizeof(want));
    if (!same_str(root, "Time", want, why, whylen))
        goto out;
    rc = 0;
out:
    yajl_tree_free(root);
    return rc;
}

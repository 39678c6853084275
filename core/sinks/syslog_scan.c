/*
 * syslog_scan.c - reads the few header values the syslog sink needs out of
 * an event's JSON, without building a tree.
 *
 * DESIGN. The pipeline hands sinks rendered JSON only. Parsing all of it
 * for eight values would cost more than formatting the message, so this
 * scanner descends only into the objects that can hold a wanted value
 * (System, winlog, event, host in the native and ECS layouts) and skips
 * everything else (EventData, arrays) with a bracket counter. It stops as
 * soon as every field was found, which for the native layout is at the end
 * of "System", before the payload. Every read is bounds-checked: malformed
 * input ends the scan with EF_EFORMAT, never a read past the end.
 */
#include <string.h>

#include "sinks/syslog.h"
#include "util/error.h"

#define MAX_DEPTH 4
#define PATH_CAP  64

#define P(path, field)                                                                             \
    {                                                                                              \
        path, sizeof(path) - 1, field                                                              \
    }
/* The paths of both layouts, with their lengths (compared on every value). */
static const struct {
    const char *path;
    size_t len;
    int field;
} paths[] = {
    P("System.Provider.Name", EF_SLF_PROVIDER),
    P("System.Provider.Guid", EF_SLF_GUID),
    P("System.EventID", EF_SLF_EVENT_ID),
    P("System.Level.Value", EF_SLF_LEVEL),
    P("System.TimeCreated.SystemTime", EF_SLF_TIME),
    P("System.Execution.ProcessID", EF_SLF_PID),
    P("System.Computer", EF_SLF_COMPUTER),
    P("System.Session", EF_SLF_SESSION),
    P("winlog.provider_name", EF_SLF_PROVIDER),
    P("winlog.provider_guid", EF_SLF_GUID),
    P("winlog.event_id", EF_SLF_EVENT_ID),
    P("event.severity", EF_SLF_LEVEL),
    P("@timestamp", EF_SLF_TIME),
    P("winlog.process.pid", EF_SLF_PID),
    P("host.name", EF_SLF_COMPUTER),
    P("winlog.session", EF_SLF_SESSION),
};

#undef P

#define R(name)                                                                                    \
    {                                                                                              \
        name, sizeof(name) - 1                                                                     \
    }
static const struct {
    const char *name;
    size_t len;
} roots[] = {R("System"), R("winlog"), R("event"), R("host"), R("@timestamp")};
#undef R

struct scan {
    const char *p, *end;
    struct ef_syslog_meta *m;
    char path[PATH_CAP];
    size_t plen;
    unsigned found; /* bit per field */
};

#define ALL_FOUND ((1u << EF_SLF_COUNT) - 1)

static void ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* At a '"': moves past the closing quote. */
static int skip_string(struct scan *s)
{
    const char *p = s->p + 1;
    const char *q = memchr(p, '"', (size_t)(s->end - p));

    /* Most strings have no escape: two vectorized searches instead of a byte loop. */
    if (q && !memchr(p, '\\', (size_t)(q - p))) {
        s->p = q + 1;
        return 0;
    }
    for (;;) {
        while (p < s->end && *p != '"' && *p != '\\')
            p++;
        if (p >= s->end)
            return EF_EFORMAT;
        if (*p == '"')
            break;
        if (s->end - p < 2)
            return EF_EFORMAT;
        p += 2;
    }
    s->p = p + 1;
    return 0;
}

static int is_delim(char c)
{
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
           c == ':';
}

/* Skips one value of any kind, nested or not, without looking inside. */
static int skip_value(struct scan *s)
{
    long depth = 0;
    int rc;

    do {
        ws(s);
        if (s->p >= s->end)
            return EF_EFORMAT;
        switch (*s->p) {
        case '"':
            rc = skip_string(s);
            if (rc < 0)
                return rc;
            break;
        case '{':
        case '[':
            depth++;
            s->p++;
            break;
        case '}':
        case ']':
            if (--depth < 0)
                return EF_EFORMAT;
            s->p++;
            break;
        case ',':
        case ':':
            if (depth == 0)
                return EF_EFORMAT;
            s->p++;
            break;
        default:
            while (s->p < s->end && !is_delim(*s->p))
                s->p++;
            break;
        }
    } while (depth > 0);
    return 0;
}

static void record(struct scan *s, const char *p, size_t n, int is_str)
{
    size_t i;

    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        if (paths[i].len == s->plen && memcmp(paths[i].path, s->path, s->plen) == 0) {
            int f = paths[i].field;

            if (!(s->found & (1u << f))) {
                s->m->v[f].p = p;
                s->m->v[f].n = n;
                s->m->v[f].is_str = is_str;
                s->found |= 1u << f;
            }
            return;
        }
    }
}

static int object(struct scan *s, int depth);

/* A value whose path may matter. */
static int value(struct scan *s, int depth)
{
    const char *start;
    int rc;

    ws(s);
    if (s->p >= s->end)
        return EF_EFORMAT;
    if (*s->p == '{')
        return depth < MAX_DEPTH ? object(s, depth) : skip_value(s);
    if (*s->p == '[')
        return skip_value(s);
    start = s->p;
    if (*s->p == '"') {
        rc = skip_string(s);
        if (rc == 0)
            record(s, start + 1, (size_t)(s->p - start - 2), 1);
        return rc;
    }
    while (s->p < s->end && !is_delim(*s->p))
        s->p++;
    if (s->p == start)
        return EF_EFORMAT;
    record(s, start, (size_t)(s->p - start), 0);
    return 0;
}

static int is_root(const char *k, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        if (roots[i].len == n && memcmp(roots[i].name, k, n) == 0)
            return 1;
    }
    return 0;
}

/* At a '{'. Returns 1 when every field was found (stop), 0 at its '}', or EF_E*. */
static int object(struct scan *s, int depth)
{
    int rc;

    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return 0;
    }
    for (;;) {
        const char *key;
        size_t klen, saved = s->plen;
        int wanted;

        ws(s);
        if (s->p >= s->end || *s->p != '"')
            return EF_EFORMAT;
        key = s->p + 1;
        rc = skip_string(s);
        if (rc < 0)
            return rc;
        klen = (size_t)(s->p - key - 1);
        ws(s);
        if (s->p >= s->end || *s->p != ':')
            return EF_EFORMAT;
        s->p++;
        wanted = depth > 0 || is_root(key, klen);
        if (wanted && s->plen + 1 + klen < PATH_CAP) {
            if (s->plen)
                s->path[s->plen++] = '.';
            memcpy(s->path + s->plen, key, klen);
            s->plen += klen;
            rc = value(s, depth + 1);
        } else {
            rc = skip_value(s);
        }
        s->plen = saved;
        if (rc < 0)
            return rc;
        if (rc > 0 || s->found == ALL_FOUND)
            return 1;
        ws(s);
        if (s->p >= s->end)
            return EF_EFORMAT;
        if (*s->p == ',') {
            s->p++;
            continue;
        }
        if (*s->p == '}') {
            s->p++;
            return 0;
        }
        return EF_EFORMAT;
    }
}

int ef_syslog_scan(const char *json, size_t len, struct ef_syslog_meta *m)
{
    struct scan s;
    int rc;

    memset(m, 0, sizeof(*m));
    memset(&s, 0, sizeof(s));
    s.p = json;
    s.end = json + len;
    s.m = m;
    ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return EF_EFORMAT;
    rc = object(&s, 0);
    return rc < 0 ? rc : 0;
}

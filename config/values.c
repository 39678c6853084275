/*
 * values.c - parsing and printing the value types of the option table.
 *
 * Parsers are strict: a value is accepted whole or refused with what is
 * wrong, never read up to the first bad character. Printing uses the largest
 * exact unit so the summary reads like a hand-written file.
 */
#include "values.h"
#include "internal.h"

#include "util/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* EVENT_TRACE_FLAG_* in bit order; "" for bits without a name. */
const char *const ef_kernel_flag_names[] = {
    "process",      "thread",        "image_load",   "process_counters", "cswitch",
    "dpc",          "interrupt",     "system_call",  "disk_io",          "disk_file_io",
    "disk_io_init", "dispatcher",    "page_faults",  "hard_faults",      "virtual_alloc",
    "vamap",        "network_tcpip", "registry",     "dbgprint",         "job",
    "alpc",         "split_io",      "debug_events", "driver",           "profile",
    "file_io",      "file_io_init",  NULL,
};

int ef_cfg_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, k, len;
    uint32_t cp;

    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        if (s[i] >= 0xC2 && s[i] <= 0xDF)
            len = 2, cp = s[i] & 0x1F;
        else if (s[i] >= 0xE0 && s[i] <= 0xEF)
            len = 3, cp = s[i] & 0x0F;
        else if (s[i] >= 0xF0 && s[i] <= 0xF4)
            len = 4, cp = s[i] & 0x07;
        else
            return 0;
        if (n - i < len)
            return 0;
        for (k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

int ef_cfg_expand_env(const char *s, char *out, size_t cap, int *expanded, char *err, size_t errlen)
{
    size_t o = 0, n;
    const char *end, *val;
    char name[128];

    *expanded = 0;
    while (*s) {
        if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
            s++; /* "$${" is a literal "${" */
        } else if (s[0] == '$' && s[1] == '{') {
            end = strchr(s + 2, '}');
            if (!end) {
                snprintf(err, errlen,
                         "unterminated ${ (expected ${NAME}, or $${ for a literal ${)");
                return EF_EFORMAT;
            }
            n = (size_t)(end - (s + 2));
            if (n == 0 || n >= sizeof(name) || !(isalpha((unsigned char)s[2]) || s[2] == '_')) {
                snprintf(err, errlen,
                         "bad variable name in ${...} (expected ${NAME} with "
                         "letters, digits and _)");
                return EF_EFORMAT;
            }
            memcpy(name, s + 2, n);
            name[n] = '\0';
            for (size_t i = 0; i < n; i++) {
                if (!isalnum((unsigned char)name[i]) && name[i] != '_') {
                    snprintf(err, errlen,
                             "bad variable name in ${...} (expected ${NAME} with "
                             "letters, digits and _)");
                    return EF_EFORMAT;
                }
            }
            val = getenv(name);
            if (!val) {
                snprintf(err, errlen, "environment variable %s is not set", name);
                return EF_ENOENT;
            }
            n = strlen(val);
            if (o + n >= cap) {
                snprintf(err, errlen, "value longer than %zu bytes after ${%s}", cap - 1, name);
                return EF_ELIMIT;
            }
            memcpy(out + o, val, n);
            o += n;
            s = end + 1;
            *expanded = 1;
            continue;
        }
        if (o + 1 >= cap) {
            snprintf(err, errlen, "value longer than %zu bytes", cap - 1);
            return EF_ELIMIT;
        }
        out[o++] = *s++;
    }
    out[o] = '\0';
    return 0;
}

/* Parses an unsigned decimal (or 0x hex when allow_hex) of the whole string. */
static int parse_u64(const char *s, int allow_hex, uint64_t *out)
{
    char *end;
    unsigned long long v;
    int base = 10;

    if (allow_hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!isxdigit((unsigned char)*s) || (base == 10 && !isdigit((unsigned char)*s)))
        return EF_EFORMAT;
    errno = 0;
    v = strtoull(s, &end, base);
    if (*end)
        return EF_EFORMAT;
    if (errno == ERANGE)
        return EF_ERANGE;
    *out = v;
    return 0;
}

int ef_cfg_parse_hex64(const char *s, uint64_t *out)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return parse_u64(s, 1, out);
    /* Keywords are hex even without the prefix, as golang-etw reads them. */
    {
        char tmp[24];
        if (strlen(s) > 16 || !*s)
            return *s ? EF_ERANGE : EF_EFORMAT;
        snprintf(tmp, sizeof(tmp), "0x%s", s);
        return parse_u64(tmp, 1, out);
    }
}

int ef_cfg_parse_level(const char *s, unsigned *out)
{
    static const char *const names[] = {"always",  "critical",    "error",
                                        "warning", "information", "verbose"};
    uint64_t v;
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcasecmp(s, names[i]) == 0) {
            *out = (unsigned)i;
            return 0;
        }
    }
    if (parse_u64(s, 1, &v) < 0 || v > 255)
        return EF_EFORMAT;
    *out = (unsigned)v;
    return 0;
}

int ef_cfg_parse_u32_list(const char *s, uint32_t max_value, unsigned max_count,
                          struct ef_u32_list *out, char *err, size_t errlen)
{
    char item[32];
    const char *p = s, *comma;
    unsigned count = 0;
    uint64_t v;
    size_t n;

    out->n = 0;
    if (!*s)
        return 0;
    for (;;) {
        comma = strchr(p, ',');
        n = comma ? (size_t)(comma - p) : strlen(p);
        while (n && isspace((unsigned char)*p))
            p++, n--;
        while (n && isspace((unsigned char)p[n - 1]))
            n--;
        if (n == 0 || n >= sizeof(item)) {
            snprintf(err, errlen, n ? "a number is too long" : "an empty item in the list");
            return EF_EFORMAT;
        }
        memcpy(item, p, n);
        item[n] = '\0';
        if (parse_u64(item, 0, &v) < 0 || v > max_value) {
            snprintf(err, errlen, "%s is not a number from 0 to %lu", item,
                     (unsigned long)max_value);
            return EF_EFORMAT;
        }
        count++;
        if (count <= max_count && count <= EF_CFG_MAX_EVENT_IDS)
            out->v[out->n++] = (uint32_t)v;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (count > max_count) {
        snprintf(err, errlen, "%u items, ETW takes at most %u (refused rather than dropped)", count,
                 max_count);
        out->n = 0;
        return EF_ELIMIT;
    }
    return 0;
}

/* Splits "123MiB" into a number and its unit; the number must be whole. */
static int parse_with_unit(const char *s, uint64_t *num, const char **unit)
{
    char digits[24];
    size_t n = 0;

    while (isdigit((unsigned char)s[n]))
        n++;
    if (n == 0 || n >= sizeof(digits))
        return n ? EF_ERANGE : EF_EFORMAT;
    memcpy(digits, s, n);
    digits[n] = '\0';
    *unit = s + n;
    while (**unit == ' ')
        (*unit)++;
    return parse_u64(digits, 0, num);
}

static int parse_scaled(const char *s, const char *const *units, const uint64_t *mult,
                        int unit_required, uint64_t *out)
{
    const char *unit;
    uint64_t n;
    size_t i;
    int rc = parse_with_unit(s, &n, &unit);

    if (rc < 0)
        return rc;
    if (!*unit)
        return unit_required && n != 0 ? EF_EFORMAT : (*out = n, 0);
    for (i = 0; units[i]; i++) {
        if (strcmp(unit, units[i]) == 0) {
            if (n > UINT64_MAX / mult[i])
                return EF_ERANGE;
            *out = n * mult[i];
            return 0;
        }
    }
    return EF_EFORMAT;
}

static int parse_size(const char *s, uint64_t *out)
{
    static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "KB", "MB", "GB", "TB", NULL};
    static const uint64_t m[] = {1,       1ull << 10, 1ull << 20,    1ull << 30,      1ull << 40,
                                 1000ull, 1000000ull, 1000000000ull, 1000000000000ull};

    return parse_scaled(s, u, m, 0, out);
}

static int parse_duration(const char *s, uint64_t *out)
{
    static const char *const u[] = {"ms", "s", "m", "h", NULL};
    static const uint64_t m[] = {1, 1000, 60000, 3600000};

    return parse_scaled(s, u, m, 1, out);
}

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no",
                                                                                "off", "0"};
    size_t i;

    for (i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(s, no[i]) == 0)
            return *out = 0, 0;
    }
    return EF_EFORMAT;
}

/* host:port with a name, IPv4 or [IPv6] host and a port 1..65535. */
static int check_hostport(const char *s)
{
    const char *colon;
    uint64_t port;
    size_t i, hlen;

    if (s[0] == '[') {
        colon = strchr(s, ']');
        if (!colon || colon[1] != ':' || colon == s + 1)
            return EF_EFORMAT;
        for (i = 1; s + i < colon; i++) {
            if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
                return EF_EFORMAT;
        }
        colon++;
    } else {
        colon = strrchr(s, ':');
        if (!colon || colon == s)
            return EF_EFORMAT;
        hlen = (size_t)(colon - s);
        for (i = 0; i < hlen; i++) {
            if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.' && s[i] != '_')
                return EF_EFORMAT;
        }
    }
    if (parse_u64(colon + 1, 0, &port) < 0 || port == 0 || port > 65535)
        return EF_EFORMAT;
    return 0;
}

/* A host name, IPv4 address or [IPv6] address, with an optional :port 1..65535. */
static int check_authority(const char *a, size_t len)
{
    char buf[512], *close;
    size_t i;

    if (len == 0 || len >= sizeof(buf))
        return EF_EFORMAT;
    memcpy(buf, a, len);
    buf[len] = '\0';
    if (buf[0] == '[') {
        close = strchr(buf, ']');
        if (!close)
            return EF_EFORMAT;
        if (close[1] == ':')
            return check_hostport(buf);
        if (close[1] != '\0' || close == buf + 1)
            return EF_EFORMAT;
        for (i = 1; buf + i < close; i++) {
            if (!isxdigit((unsigned char)buf[i]) && buf[i] != ':' && buf[i] != '.')
                return EF_EFORMAT;
        }
        return 0;
    }
    if (strchr(buf, ':'))
        return check_hostport(buf);
    for (i = 0; i < len; i++) {
        if (!isalnum((unsigned char)buf[i]) && buf[i] != '-' && buf[i] != '.' && buf[i] != '_')
            return EF_EFORMAT;
    }
    return 0;
}

/*
 * scheme://[userinfo@]host[:port][/path][?query]: what curl would accept
 * and connect to, so that `validate` refuses what `run` would fail on
 * (a port of 0 or 99999, a space in the host).
 */
static int check_url(const char *s, const char *const *schemes)
{
    const char *host, *end, *at, *p;
    size_t i, n = 0;

    for (i = 0; schemes[i]; i++) {
        n = strlen(schemes[i]);
        if (strncasecmp(s, schemes[i], n) == 0 && strncmp(s + n, "://", 3) == 0)
            break;
    }
    if (!schemes[i])
        return EF_EFORMAT;
    host = s + n + 3;
    for (p = host; *p; p++) {
        if ((unsigned char)*p <= ' ')
            return EF_EFORMAT;
    }
    end = host + strcspn(host, "/?#");
    /* Credentials before the host (user:password@) are not the host's business. */
    for (at = NULL, p = host; p < end; p++) {
        if (*p == '@')
            at = p;
    }
    if (at)
        host = at + 1;
    return check_authority(host, (size_t)(end - host));
}

static int parse_kernel_flags(const char *s, uint64_t *out, char *err, size_t errlen)
{
    char item[64];
    const char *p = s, *comma;
    uint64_t mask = 0, v;
    size_t n, i;

    for (;;) {
        comma = strchr(p, ',');
        n = comma ? (size_t)(comma - p) : strlen(p);
        while (n && isspace((unsigned char)*p))
            p++, n--;
        while (n && isspace((unsigned char)p[n - 1]))
            n--;
        if (n == 0 || n >= sizeof(item)) {
            snprintf(err, errlen, "%s",
                     n ? "a flag name is too long" : "an empty flag in the list");
            return EF_EFORMAT;
        }
        memcpy(item, p, n);
        item[n] = '\0';
        for (i = 0; ef_kernel_flag_names[i]; i++) {
            if (*ef_kernel_flag_names[i] && strcasecmp(item, ef_kernel_flag_names[i]) == 0)
                break;
        }
        if (ef_kernel_flag_names[i]) {
            mask |= 1ull << i;
        } else if ((item[0] == '0' && (item[1] == 'x' || item[1] == 'X')) &&
                   parse_u64(item, 1, &v) == 0 && v <= UINT32_MAX) {
            mask |= v;
        } else {
            snprintf(err, errlen, "unknown kernel flag %s", item);
            return EF_EFORMAT;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    if (mask == 0) {
        snprintf(err, errlen, "no kernel flag set");
        return EF_EFORMAT;
    }
    *out = mask;
    return 0;
}

static int check_header(const char *s)
{
    const char *colon = strchr(s, ':');
    const char *p;

    if (!colon || colon == s)
        return EF_EFORMAT;
    for (p = s; p < colon; p++) {
        /* RFC 9110 token characters. */
        if (!isalnum((unsigned char)*p) && !strchr("!#$%&'*+-.^_`|~", *p))
            return EF_EFORMAT;
    }
    for (p = colon + 1; *p; p++) {
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            return EF_EFORMAT;
    }
    return 0;
}

int ef_cfg_list_add(struct ef_str_list *l, const char *s)
{
    char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
    char *copy;

    if (!v)
        return EF_ENOMEM;
    l->v = v;
    copy = strdup(s);
    if (!copy)
        return EF_ENOMEM;
    l->v[l->n++] = copy;
    return 0;
}

static int set_string(char **slot, const char *s)
{
    char *copy = strdup(s);

    if (!copy)
        return EF_ENOMEM;
    free(*slot);
    *slot = copy;
    return 0;
}

static int add_provider(struct ef_provider_list *l, const char *s, char *err, size_t errlen)
{
    struct ef_provider_cfg p, *v;
    int rc = ef_provider_spec_parse(s, &p, err, errlen);

    if (rc < 0)
        return rc;
    v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (!v) {
        ef_provider_cfg_free(&p);
        return EF_ENOMEM;
    }
    l->v = v;
    l->v[l->n++] = p;
    return 0;
}

static int check_range(const struct ef_option *o, uint64_t v)
{
    if (o->min == 0 && o->max == 0)
        return 0;
    return v < (uint64_t)o->min || v > (uint64_t)o->max ? EF_ERANGE : 0;
}

int ef_cfg_parse_value(const struct ef_option *o, const char *s, void *base, char *err,
                       size_t errlen)
{
    void *field = (char *)base + o->offset;
    uint64_t u = 0;
    int rc = 0;

    err[0] = '\0';
    if (!*s && !(o->flags & EF_F_EMPTY_OK) && o->type != EF_T_IDLIST && o->type != EF_T_PIDLIST) {
        snprintf(err, errlen, "is empty");
        return EF_EFORMAT;
    }
    switch (o->type) {
    case EF_T_BOOL:
        rc = parse_bool(s, field);
        break;
    case EF_T_INT: {
        int neg = s[0] == '-';
        rc = parse_u64(s + neg, 0, &u);
        if (rc == 0 && (u > INT64_MAX || neg || (int64_t)u < o->min || (int64_t)u > o->max))
            rc = EF_ERANGE;
        if (rc == 0)
            *(int64_t *)field = (int64_t)u;
        break;
    }
    case EF_T_SIZE:
    case EF_T_DURATION:
        rc = o->type == EF_T_SIZE ? parse_size(s, &u) : parse_duration(s, &u);
        if (rc == 0)
            rc = check_range(o, u);
        if (rc == 0)
            *(uint64_t *)field = u;
        break;
    case EF_T_ENUM: {
        int i;
        rc = EF_EFORMAT;
        for (i = 0; o->values[i]; i++) {
            if (strcmp(s, o->values[i]) == 0) {
                *(int *)field = i;
                rc = 0;
                break;
            }
        }
        break;
    }
    case EF_T_HOSTPORT:
    case EF_T_URL:
        if (*s)
            rc = o->type == EF_T_URL ? check_url(s, o->values) : check_hostport(s);
        if (rc == 0)
            rc = set_string(field, s);
        break;
    case EF_T_STRING:
    case EF_T_PATH:
    case EF_T_NAMELIST:
        if (o->flags & EF_F_REPEAT)
            rc = ef_cfg_list_add(field, s);
        else
            rc = set_string(field, s);
        break;
    case EF_T_HEADER:
        rc = check_header(s);
        if (rc == 0)
            rc = ef_cfg_list_add(field, s);
        break;
    case EF_T_GUID:
        rc = ef_guid_parse(s, strlen(s), field);
        break;
    case EF_T_HEXMASK:
        rc = ef_cfg_parse_hex64(s, field);
        break;
    case EF_T_LEVEL:
        rc = ef_cfg_parse_level(s, field);
        break;
    case EF_T_PROVIDER:
        return add_provider(field, s, err, errlen);
    case EF_T_IDLIST:
    case EF_T_PIDLIST:
        return ef_cfg_parse_u32_list(s, o->type == EF_T_IDLIST ? 65535 : UINT32_MAX,
                                     (unsigned)o->max, field, err, errlen);
    case EF_T_KERNEL_FLAGS:
        return parse_kernel_flags(s, field, err, errlen);
    }
    if (rc == EF_ENOMEM)
        snprintf(err, errlen, "out of memory");
    else if (rc == EF_ERANGE)
        snprintf(err, errlen, "is out of range");
    else if (rc < 0)
        snprintf(err, errlen, "is not valid");
    return rc;
}

static void free_list(struct ef_str_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void ef_cfg_free_value(const struct ef_option *o, void *base)
{
    void *field = (char *)base + o->offset;
    size_t i;

    switch (o->type) {
    case EF_T_STRING:
    case EF_T_PATH:
    case EF_T_NAMELIST:
    case EF_T_HOSTPORT:
    case EF_T_URL:
    case EF_T_HEADER:
        if (o->flags & EF_F_REPEAT || o->type == EF_T_HEADER) {
            free_list(field);
        } else {
            free(*(char **)field);
            *(char **)field = NULL;
        }
        break;
    case EF_T_PROVIDER: {
        struct ef_provider_list *l = field;
        for (i = 0; i < l->n; i++)
            ef_provider_cfg_free(&l->v[i]);
        free(l->v);
        l->v = NULL;
        l->n = 0;
        break;
    }
    default:
        break;
    }
}

void ef_cfg_free_section(int sec, void *base)
{
    const struct ef_option *opts;
    size_t n, i;

    opts = ef_config_options(&n);
    for (i = 0; i < n; i++) {
        if (opts[i].section == sec)
            ef_cfg_free_value(&opts[i], base);
    }
}

static int format_scaled(uint64_t n, const char *const *units, const uint64_t *mult, size_t count,
                         struct ef_buf *b)
{
    size_t i;

    if (n == 0)
        return ef_buf_append_str(b, "0");
    for (i = count; i-- > 0;) {
        if (n % mult[i] == 0)
            return ef_buf_appendf(b, "%llu%s", (unsigned long long)(n / mult[i]), units[i]);
    }
    return ef_buf_appendf(b, "%llu", (unsigned long long)n);
}

int ef_cfg_format_size(uint64_t n, struct ef_buf *b)
{
    static const char *const u[] = {"B", "KB", "KiB", "MB", "MiB", "GB", "GiB", "TB", "TiB"};
    static const uint64_t m[] = {1,          1000,          1ull << 10, 1000000,
                                 1ull << 20, 1000000000ull, 1ull << 30, 1000000000000ull,
                                 1ull << 40};

    if (n == (uint64_t)INT64_MAX)
        return ef_buf_append_str(b, "unlimited");
    return format_scaled(n, u, m, 9, b);
}

int ef_cfg_format_duration(uint64_t ms, struct ef_buf *b)
{
    static const char *const u[] = {"ms", "s", "m", "h"};
    static const uint64_t m[] = {1, 1000, 60000, 3600000};

    return format_scaled(ms, u, m, 4, b);
}

int ef_cfg_format_kernel_flags(uint64_t mask, struct ef_buf *b)
{
    size_t i;
    int rc = 0, first = 1;

    for (i = 0; ef_kernel_flag_names[i] && rc == 0; i++) {
        if (*ef_kernel_flag_names[i] && (mask >> i) & 1) {
            rc = ef_buf_appendf(b, "%s%s", first ? "" : ",", ef_kernel_flag_names[i]);
            mask &= ~(1ull << i);
            first = 0;
        }
    }
    if (rc == 0 && (mask || first))
        rc = ef_buf_appendf(b, "%s0x%llx", first ? "" : ",", (unsigned long long)mask);
    return rc;
}

/* A URL with its password (user:password@) replaced by ***. */
static int format_url(const char *s, struct ef_buf *b)
{
    const char *host = strstr(s, "://"), *at, *colon;

    if (host) {
        host += 3;
        at = strchr(host, '@');
        colon = strchr(host, ':');
        if (at && colon && colon < at && !memchr(host, '/', (size_t)(at - host))) {
            int rc = ef_buf_append(b, s, (size_t)(colon - s) + 1);
            if (rc == 0)
                rc = ef_buf_append_str(b, "***");
            return rc ? rc : ef_buf_append_str(b, at);
        }
    }
    return ef_buf_append_str(b, s);
}

static int format_list(const struct ef_option *o, const struct ef_str_list *l, const char *sep,
                       struct ef_buf *b)
{
    size_t i;
    int rc = 0;

    for (i = 0; i < l->n && rc == 0; i++) {
        if (i)
            rc = ef_buf_append_str(b, sep);
        if (rc)
            break;
        if (o->type == EF_T_HEADER) {
            const char *colon = strchr(l->v[i], ':');
            rc = ef_buf_append(b, l->v[i], (size_t)(colon - l->v[i]));
            if (rc == 0)
                rc = ef_buf_append_str(b, ": ***");
        } else {
            rc = ef_buf_append_str(b, l->v[i]);
        }
    }
    return rc;
}

static int format_u32_list(const struct ef_u32_list *l, struct ef_buf *b)
{
    unsigned i;
    int rc = 0;

    for (i = 0; i < l->n && rc == 0; i++)
        rc = ef_buf_appendf(b, "%s%lu", i ? "," : "", (unsigned long)l->v[i]);
    return rc;
}

int ef_cfg_format_value(const struct ef_option *o, const void *base, const char *sep,
                        struct ef_buf *b)
{
    const void *field = (const char *)base + o->offset;
    char g[EF_GUID_STR_SIZE];

    if (o->type == EF_T_HEADER)
        return format_list(o, field, sep, b);
    if (o->flags & EF_F_SECRET) {
        const char *s = *(char *const *)field;
        return s ? ef_buf_append_str(b, "***") : 0;
    }
    switch (o->type) {
    case EF_T_BOOL:
        return ef_buf_append_str(b, *(const int *)field ? "true" : "false");
    case EF_T_INT:
        return ef_buf_appendf(b, "%lld", (long long)*(const int64_t *)field);
    case EF_T_SIZE:
        return ef_cfg_format_size(*(const uint64_t *)field, b);
    case EF_T_DURATION:
        return ef_cfg_format_duration(*(const uint64_t *)field, b);
    case EF_T_ENUM: {
        int v = *(const int *)field;
        return v >= 0 ? ef_buf_append_str(b, o->values[v]) : 0;
    }
    case EF_T_STRING:
    case EF_T_PATH:
    case EF_T_NAMELIST:
    case EF_T_HOSTPORT:
        if (o->flags & EF_F_REPEAT)
            return format_list(o, field, sep, b);
        return *(char *const *)field ? ef_buf_append_str(b, *(char *const *)field) : 0;
    case EF_T_URL:
        return *(char *const *)field ? format_url(*(char *const *)field, b) : 0;
    case EF_T_GUID:
        ef_guid_format(field, g);
        return ef_guid_is_zero(field) ? 0 : ef_buf_append_str(b, g);
    case EF_T_HEXMASK:
        return ef_buf_appendf(b, "0x%llx", (unsigned long long)*(const uint64_t *)field);
    case EF_T_LEVEL:
        return ef_buf_appendf(b, "0x%02x", *(const unsigned *)field);
    case EF_T_IDLIST:
    case EF_T_PIDLIST:
        return format_u32_list(field, b);
    case EF_T_KERNEL_FLAGS:
        return *(const uint64_t *)field ? ef_cfg_format_kernel_flags(*(const uint64_t *)field, b)
                                        : 0;
    case EF_T_PROVIDER:
        return 0; /* printed by the summary with their resolution */
    }
    return 0;
}

unsigned ef_cfg_distance(const char *a, const char *b)
{
    unsigned row[64], i, j, prev, tmp, la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

    if (la >= 63 || lb >= 63)
        return 99;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        prev = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            tmp = row[j];
            row[j] = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1])
                         ? prev
                         : 1 + (prev < row[j] ? (prev < row[j - 1] ? prev : row[j - 1])
                                              : (row[j] < row[j - 1] ? row[j] : row[j - 1]));
            prev = tmp;
        }
    }
    return row[lb];
}

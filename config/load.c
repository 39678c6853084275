/*
 * load.c - reading the INI file with inih, with line numbers.
 *
 * inih's handler gets no line number, so inih reads through our own reader
 * function, which hands it one line per call and counts them: when the
 * handler runs, the reader's count is the line of the key. The reader also
 * does what inih cannot report precisely: it remembers [section] headers
 * (so empty and repeated sections are seen), refuses lines that are too long
 * for inih's fixed buffer, hold a NUL, are not UTF-8 or are not "key = value",
 * strips the UTF-8 BOM and the CR of CRLF files, and un-indents indented
 * "key = value" lines so that only value lines continue a key (DESIGN:
 * docs/config.md, "Syntax"). Every error is collected; none stops the load.
 */
#include "loader.h"
#include "values.h"

#include "util/error.h"
#include "util/file.h"

#include <ctype.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ef_cfg_error(struct ef_cfg_loader *ld, unsigned line, const struct ef_cfg_sec *sec,
                  const char *key, const char *fmt, ...)
{
    struct ef_buf b;
    struct ef_cfg_err *v;
    va_list ap;
    int rc;

    ef_buf_init(&b, 4096);
    rc = ef_buf_append_str(&b, ld->fname);
    if (rc == 0 && line)
        rc = ef_buf_appendf(&b, ":%u", line);
    if (rc == 0)
        rc = ef_buf_append_str(&b, ": ");
    if (rc == 0 && sec)
        rc = ef_buf_appendf(&b, "[%s]%s", sec->header, key ? " " : ": ");
    if (rc == 0 && key)
        rc = ef_buf_appendf(&b, "%s: ", key);
    if (rc == 0) {
        va_start(ap, fmt);
        rc = ef_buf_vappendf(&b, fmt, ap);
        va_end(ap);
    }
    v = realloc(ld->errs, (ld->n_errs + 1) * sizeof(*v));
    if (rc == EF_ELIMIT)
        rc = 0; /* a long message is cut, not lost */
    if (rc < 0 || !v || !b.data) {
        ld->oom = 1;
        ef_buf_free(&b);
        if (v)
            ld->errs = v;
        return;
    }
    ld->errs = v;
    v[ld->n_errs].line = line;
    v[ld->n_errs].msg = b.data;
    v[ld->n_errs].seq = ld->n_errs;
    ld->n_errs++;
    ld->last_err_line = line;
}

const char *ef_cfg_suggest(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    unsigned d, best_d = 99, limit = (unsigned)strlen(word) / 3 + 1;
    size_t i;

    if (limit < 2)
        limit = 2;
    for (i = 0; i < n; i++) {
        if (!names[i])
            continue;
        d = ef_cfg_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best_d <= limit ? best : NULL;
}

static int name_ok(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > 64)
        return 0;
    for (i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
            return 0;
    }
    return 1;
}

static void *push(void ***arr, size_t *n, size_t size)
{
    void **v = realloc(*arr, (*n + 1) * sizeof(*v));
    void *obj;

    if (!v)
        return NULL;
    *arr = v;
    obj = calloc(1, size);
    if (obj)
        v[(*n)++] = obj;
    return obj;
}

/* Fills a new section's struct with the table's defaults. */
static void apply_defaults(struct ef_cfg_loader *ld, struct ef_cfg_sec *sec)
{
    const struct ef_option *opts;
    char err[256];
    size_t n, i;

    opts = ef_config_options(&n);
    for (i = 0; i < n; i++) {
        const struct ef_option *o = &opts[i];
        if (o->section != sec->kind)
            continue;
        if (o->type == EF_T_ENUM && !o->def)
            *(int *)((char *)sec->obj + o->offset) = -1;
        if (o->def && ef_cfg_parse_value(o, o->def, sec->obj, err, sizeof(err)) < 0)
            ef_cfg_error(ld, 0, sec, o->key, "internal error: bad default: %s", err);
    }
}

static void *new_object(struct ef_cfg_loader *ld, int kind)
{
    struct ef_config *c = ld->cfg;

    switch (kind) {
    case EF_SEC_SERVICE:
        return &c->service;
    case EF_SEC_SESSION:
        return push((void ***)&c->sessions, &c->n_sessions, sizeof(struct ef_session_cfg));
    case EF_SEC_PROVIDER:
        return push((void ***)&ld->psecs, &ld->n_psecs, sizeof(struct ef_provider_section));
    case EF_SEC_SINK:
        return push((void ***)&c->sinks, &c->n_sinks, sizeof(struct ef_sink_cfg));
    default:
        return push((void ***)&c->routes, &c->n_routes, sizeof(struct ef_route_cfg));
    }
}

/* The name and line fields every named section struct starts with. */
static void set_identity(int kind, void *obj, char *name, unsigned line)
{
    switch (kind) {
    case EF_SEC_SESSION:
        ((struct ef_session_cfg *)obj)->name = name;
        ((struct ef_session_cfg *)obj)->line = line;
        break;
    case EF_SEC_PROVIDER:
        ((struct ef_provider_section *)obj)->name = name;
        ((struct ef_provider_section *)obj)->line = line;
        break;
    case EF_SEC_SINK:
        ((struct ef_sink_cfg *)obj)->name = name;
        ((struct ef_sink_cfg *)obj)->line = line;
        break;
    case EF_SEC_ROUTE:
        ((struct ef_route_cfg *)obj)->name = name;
        ((struct ef_route_cfg *)obj)->line = line;
        break;
    default:
        free(name);
        break;
    }
}

static int find_kind(const char *s, size_t n)
{
    int k;

    for (k = 0; k < EF_SEC_COUNT; k++) {
        const char *kn = ef_config_section_name(k);
        if (strlen(kn) == n && strncmp(s, kn, n) == 0)
            return k;
    }
    return -1;
}

/* Starts the section of a "[header]" line; a refused one gets kind -1. */
static void begin_section(struct ef_cfg_loader *ld, const char *header)
{
    static const char *const kinds[] = {"service", "session", "provider", "sink", "route"};
    struct ef_cfg_sec *sec, *v;
    const char *colon = strchr(header, ':'), *hint;
    size_t klen = colon ? (size_t)(colon - header) : strlen(header), i, nopts;
    char kind_word[32];

    v = realloc(ld->secs, (ld->n_secs + 1) * sizeof(*v));
    if (!v) {
        ld->oom = 1;
        return;
    }
    ld->secs = v;
    sec = &v[ld->n_secs];
    memset(sec, 0, sizeof(*sec));
    sec->kind = -1;
    sec->line = ld->line;
    sec->header = strdup(header);
    ef_config_options(&nopts);
    sec->set_line = calloc(nopts, sizeof(unsigned));
    if (!sec->header || !sec->set_line) {
        free(sec->header);
        free(sec->set_line);
        ld->oom = 1;
        return;
    }
    ld->cur = (int)ld->n_secs++;
    int kind = find_kind(header, klen);
    if (kind < 0) {
        snprintf(kind_word, sizeof(kind_word), "%.*s", (int)(klen < 31 ? klen : 31), header);
        hint = ef_cfg_suggest(kind_word, kinds, EF_ARRAY_LEN(kinds));
        if (hint && strcmp(hint, "service") != 0 && colon)
            ef_cfg_error(ld, ld->line, sec, NULL,
                         "unknown section (expected [service], [session:NAME], [provider:NAME], "
                         "[sink:NAME] or [route:NAME]; did you mean [%s%s]?)",
                         hint, colon);
        else
            ef_cfg_error(ld, ld->line, sec, NULL,
                         "unknown section (expected [service], [session:NAME], [provider:NAME], "
                         "[sink:NAME] or [route:NAME]%s%s%s)",
                         hint ? "; did you mean [" : "", hint ? hint : "", hint ? "]?" : "");
        return;
    }
    if (kind == EF_SEC_SERVICE && colon) {
        ef_cfg_error(ld, ld->line, sec, NULL, "takes no NAME (expected [service])");
        return;
    }
    if (kind != EF_SEC_SERVICE && (!colon || !name_ok(colon + 1))) {
        ef_cfg_error(ld, ld->line, sec, NULL,
                     "%s NAME (expected [%s:NAME], NAME of at most 64 letters, digits, '.', '-' "
                     "or '_')",
                     colon ? "bad" : "missing", kinds[kind]);
        return;
    }
    for (i = 0; i + 1 < ld->n_secs; i++) {
        if (ld->secs[i].kind == kind && strcmp(ld->secs[i].header, header) == 0) {
            ef_cfg_error(ld, ld->line, sec, NULL, "defined twice (first at line %u)",
                         ld->secs[i].line);
            return;
        }
    }
    sec->obj = new_object(ld, kind);
    if (colon)
        sec->name = strdup(colon + 1);
    if (!sec->obj || (colon && !sec->name)) {
        ld->oom = 1;
        return;
    }
    sec->kind = kind;
    if (kind != EF_SEC_SERVICE) {
        char *name = strdup(sec->name);
        if (!name)
            ld->oom = 1;
        set_identity(kind, sec->obj, name, ld->line);
        apply_defaults(ld, sec);
    }
}

/* "key =" at the start of s: an indented line that is a key, not a continuation. */
static int looks_like_key(const char *s, size_t n)
{
    size_t i = 0;

    /* The line is not NUL-terminated: every read stays below n. */
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_'))
        i++;
    if (i == 0)
        return 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i < n && s[i] == '=';
}

/* Where inih would see the end of a key or section: '=', ':' or an inline comment. */
static const char *find_sep(const char *s, size_t n, const char *chars)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strchr(chars, s[i]))
            return s + i;
        if (s[i] == ';' && i > 0 && isspace((unsigned char)s[i - 1]))
            return NULL;
    }
    return NULL;
}

static char *hand(char *str, const char *p, size_t n)
{
    memcpy(str, p, n);
    str[n] = '\n';
    str[n + 1] = '\0';
    return str;
}

/* The key of a line, for an error about the line as a whole. */
static void line_key(const char *p, size_t n, char *key, size_t cap)
{
    const char *eq = memchr(p, '=', n);
    size_t k = eq ? (size_t)(eq - p) : 0;

    while (k && isspace((unsigned char)p[k - 1]))
        k--;
    snprintf(key, cap, "%.*s", (int)k, p);
    if (!eq || !ef_cfg_utf8_valid(key, strlen(key)))
        key[0] = '\0';
}

/*
 * inih reads lines into a fixed buffer (200 bytes in Debian's build), too
 * small for a long URL, header or provider list. A "key = value" line longer
 * than that is handed to inih as "key = EF_CFG_LONG_MARK", and the handler,
 * which inih calls before it reads the next line, takes the value from
 * ld->long_value instead. The value is cut at an inline comment the way inih
 * cuts short lines (";" after white space). Returns 1 when it did that.
 */
#define EF_CFG_LONG_MARK "\x01long"

static int long_line(struct ef_cfg_loader *ld, const char *l, size_t n, char *str, int num)
{
    const char *p = l, *eq, *v, *end = l + n;
    size_t k, vn, i;

    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p != l || p == end || *p == '[' || *p == ';' || *p == '#')
        return 0; /* continuations and headers keep inih's limit */
    eq = find_sep(p, (size_t)(end - p), "=:");
    if (!eq)
        return 0;
    k = (size_t)(eq - p);
    while (k && isspace((unsigned char)p[k - 1]))
        k--;
    if (k == 0 || k + sizeof(EF_CFG_LONG_MARK) + 4 > (size_t)num)
        return 0;
    v = eq + 1;
    while (v < end && isspace((unsigned char)*v))
        v++;
    vn = (size_t)(end - v);
    for (i = 1; i < vn; i++) {
        if (v[i] == ';' && (v[i - 1] == ' ' || v[i - 1] == '\t')) {
            vn = i;
            break;
        }
    }
    while (vn && isspace((unsigned char)v[vn - 1]))
        vn--;
    if (vn > EF_CFG_MAX_VALUE)
        return 0;
    if (!ld->long_value) {
        ld->long_value = malloc(EF_CFG_MAX_VALUE + 1);
        if (!ld->long_value) {
            ld->oom = 1;
            return 0;
        }
    }
    memcpy(ld->long_value, v, vn);
    ld->long_value[vn] = '\0';
    ld->long_pending = 1;
    ld->after_key = 1;
    snprintf(str, (size_t)num, "%.*s = %s\n", (int)k, p, EF_CFG_LONG_MARK);
    return 1;
}

/* The ini_reader: one physical line per call (see the top of the file). */
static char *reader(char *str, int num, void *stream)
{
    struct ef_cfg_loader *ld = stream;
    const char *l, *eol, *p;
    size_t n, indent;
    char key[64];

    if (ld->pos >= ld->len || num < 4)
        return NULL;
    l = ld->text + ld->pos;
    eol = memchr(l, '\n', ld->len - ld->pos);
    n = eol ? (size_t)(eol - l) : ld->len - ld->pos;
    ld->pos += n + (eol ? 1 : 0);
    ld->line++;
    ld->line_cont = 0;
    ld->long_pending = 0;
    if (n && l[n - 1] == '\r')
        n--;
    if (ld->line == 1 && n >= 3 && memcmp(l, "\xEF\xBB\xBF", 3) == 0)
        l += 3, n -= 3;
    if (memchr(l, '\0', n)) {
        ef_cfg_error(ld, ld->line, NULL, NULL, "NUL byte in the line (expected UTF-8 text)");
        return hand(str, "", 0);
    }
    if (!ef_cfg_utf8_valid(l, n)) {
        line_key(l, n, key, sizeof(key));
        ef_cfg_error(ld, ld->line, ld->cur >= 0 ? &ld->secs[ld->cur] : NULL, key[0] ? key : NULL,
                     "not valid UTF-8 (expected the file saved as UTF-8)");
        return hand(str, "", 0);
    }
    if (n + 2 > (size_t)num && long_line(ld, l, n, str, num))
        return str;
    if (n + 2 > (size_t)num) {
        line_key(l, n, key, sizeof(key));
        ef_cfg_error(ld, ld->line, ld->cur >= 0 ? &ld->secs[ld->cur] : NULL, key[0] ? key : NULL,
                     "line longer than %d bytes (expected shorter lines; a long value can come "
                     "from ${ENV_VAR})",
                     num - 2);
        return hand(str, "", 0);
    }
    for (indent = 0; indent < n && (l[indent] == ' ' || l[indent] == '\t'); indent++)
        ;
    p = l + indent;
    n -= indent;
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    if (n == 0 || *p == ';' || *p == '#')
        return hand(str, "", 0);
    if (indent && ld->after_key && !looks_like_key(p, n)) {
        ld->line_cont = 1;
        return hand(str, l, indent + n);
    }
    if (*p == '[') {
        const char *close = find_sep(p + 1, n - 1, "]");
        char header[256];
        size_t hn;
        if (!close) {
            ef_cfg_error(ld, ld->line, NULL, NULL, "section header without ] (expected [NAME])");
            ld->cur = -1;
            ld->after_key = 0;
            return hand(str, "", 0);
        }
        hn = (size_t)(close - (p + 1));
        snprintf(header, sizeof(header), "%.*s", (int)hn, p + 1);
        begin_section(ld, header);
        ld->after_key = 0;
        return hand(str, p, n);
    }
    if (!find_sep(p, n, "=:")) {
        ef_cfg_error(ld, ld->line, ld->cur >= 0 ? &ld->secs[ld->cur] : NULL, NULL,
                     "not a key = value line (expected key = value, [section] or ; comment)");
        return hand(str, "", 0);
    }
    ld->after_key = 1;
    return hand(str, p, n);
}

static void value_error(struct ef_cfg_loader *ld, const struct ef_cfg_sec *sec,
                        const struct ef_option *o, const char *value, int from_env, const char *why)
{
    struct ef_buf m, exp;
    const char *hint = NULL;
    int detailed = o->type == EF_T_PROVIDER || o->type == EF_T_IDLIST || o->type == EF_T_PIDLIST ||
                   o->type == EF_T_KERNEL_FLAGS;

    ef_buf_init(&m, 4096);
    ef_buf_init(&exp, 2048);
    ef_config_expected_text(o, &exp);
    if (o->type == EF_T_ENUM) {
        size_t nv = 0;
        while (o->values[nv])
            nv++;
        hint = ef_cfg_suggest(value, o->values, nv);
    }
    if (!*value)
        ef_buf_append_str(&m, "empty value");
    else if ((o->flags & EF_F_SECRET) || from_env)
        ef_buf_appendf(&m, "value%s%s", detailed ? ": " : " ",
                       (o->flags & EF_F_SECRET) && detailed ? "not valid" : why);
    else
        ef_buf_appendf(&m, "'%.80s%s'%s%s", value, strlen(value) > 80 ? "..." : "",
                       detailed ? ": " : " ", why);
    if (!strchr(why, '('))
        ef_buf_appendf(&m, " (expected %s%s%s%s)", exp.data ? exp.data : "",
                       hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "");
    ef_cfg_error(ld, ld->line, sec, o->key, "%s", m.data ? m.data : "bad value");
    ef_buf_free(&m);
    ef_buf_free(&exp);
}

static void unknown_key(struct ef_cfg_loader *ld, const struct ef_cfg_sec *sec, const char *key)
{
    const struct ef_option *opts;
    const char *names[128];
    size_t n, i, k = 0;
    const char *hint;

    opts = ef_config_options(&n);
    for (i = 0; i < n && k < EF_ARRAY_LEN(names); i++) {
        if (opts[i].section == sec->kind)
            names[k++] = opts[i].key;
    }
    hint = ef_cfg_suggest(key, names, k);
    if (hint)
        ef_cfg_error(ld, ld->line, sec, key, "unknown key (did you mean %s?)", hint);
    else
        ef_cfg_error(ld, ld->line, sec, key,
                     "unknown key (expected an option of [%s%s], see etwfwd config --help)",
                     ef_config_section_name(sec->kind), sec->kind == EF_SEC_SERVICE ? "" : ":NAME");
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct ef_cfg_loader *ld = user;
    const struct ef_option *o, *opts;
    struct ef_cfg_sec *sec;
    size_t nopts, idx;
    char why[300];
    int expanded, rc;

    (void)section; /* the reader tracks headers itself, without inih's 50-byte limit */
    if (ld->long_pending && strcmp(value, EF_CFG_LONG_MARK) == 0)
        value = ld->long_value;
    ld->long_pending = 0;
    if (ld->cur < 0) {
        if (ld->last_err_line != ld->line)
            ef_cfg_error(ld, ld->line, NULL, name,
                         "outside any section (expected a [section] header before it)");
        return 1;
    }
    sec = &ld->secs[ld->cur];
    if (sec->kind < 0)
        return 1; /* the header was refused: its keys would only repeat that */
    o = ef_config_option_find(sec->kind, name);
    if (!o) {
        if (!ld->line_cont)
            unknown_key(ld, sec, name);
        return 1;
    }
    opts = ef_config_options(&nopts);
    idx = (size_t)(o - opts);
    if (ld->line_cont && !(o->flags & EF_F_REPEAT)) {
        ef_cfg_error(ld, ld->line, sec, o->key,
                     "an indented line continues this key's value (expected one line; only "
                     "repeatable keys take one more value per indented line)");
        return 1;
    }
    if (!(o->flags & EF_F_REPEAT) && sec->set_line[idx]) {
        ef_cfg_error(ld, ld->line, sec, o->key, "given twice (first at line %u)",
                     sec->set_line[idx]);
        return 1;
    }
    rc = ef_cfg_expand_env(value, ld->value, EF_CFG_MAX_VALUE, &expanded, why, sizeof(why));
    if (rc < 0) {
        ef_cfg_error(ld, ld->line, sec, o->key, "%s", why);
        return 1;
    }
    rc = ef_cfg_parse_value(o, ld->value, sec->obj, why, sizeof(why));
    if (rc == EF_ENOMEM)
        ld->oom = 1;
    if (!sec->set_line[idx])
        sec->set_line[idx] = ld->line; /* set, even if refused: not "missing" as well */
    if (rc < 0) {
        /* A value that came from the environment is not shown: it may be a secret. */
        value_error(ld, sec, o, ld->value, expanded, why);
        return 1;
    }
    if (!sec->set_line[idx])
        sec->set_line[idx] = ld->line;
    if (o->type == EF_T_PROVIDER) {
        struct ef_provider_list *l = (void *)((char *)sec->obj + o->offset);
        l->v[l->n - 1].line = ld->line;
    }
    return 1;
}

static int cmp_err(const void *a, const void *b)
{
    const struct ef_cfg_err *x = a, *y = b;
    unsigned lx = x->line ? x->line : ~0u, ly = y->line ? y->line : ~0u;

    if (lx != ly)
        return lx < ly ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq; /* qsort is not stable */
}

static void free_loader(struct ef_cfg_loader *ld)
{
    size_t i;

    for (i = 0; i < ld->n_secs; i++) {
        free(ld->secs[i].name);
        free(ld->secs[i].header);
        free(ld->secs[i].set_line);
    }
    free(ld->secs);
    for (i = 0; i < ld->n_psecs; i++) {
        ef_cfg_free_section(EF_SEC_PROVIDER, ld->psecs[i]);
        ef_provider_cfg_free(&ld->psecs[i]->p);
        free(ld->psecs[i]->name);
        free(ld->psecs[i]);
    }
    free(ld->psecs);
    for (i = 0; i < ld->n_errs; i++)
        free(ld->errs[i].msg);
    free(ld->errs);
    free(ld->value);
    free(ld->long_value);
}

int ef_config_load_string(const char *text, size_t len, const char *name, struct ef_config **out,
                          struct ef_config_errors *errs)
{
    struct ef_cfg_loader ld;
    struct ef_cfg_sec service;
    size_t i, nopts;
    int rc, ini_rc;

    *out = NULL;
    memset(&ld, 0, sizeof(ld));
    ld.fname = name;
    ld.text = text;
    ld.len = len;
    ld.cur = -1;
    ld.cfg = calloc(1, sizeof(*ld.cfg));
    ld.value = malloc(EF_CFG_MAX_VALUE);
    ef_config_options(&nopts);
    if (!ld.cfg || !ld.value || !(ld.cfg->path = strdup(name))) {
        rc = EF_ENOMEM;
        goto out;
    }
    /* [service] is optional: its defaults apply without it. */
    memset(&service, 0, sizeof(service));
    service.kind = EF_SEC_SERVICE;
    service.header = "service";
    service.obj = &ld.cfg->service;
    apply_defaults(&ld, &service);

    ini_rc = ini_parse_stream(reader, &ld, handler, &ld);
    if (ini_rc > 0 && ld.n_errs == 0)
        ef_cfg_error(&ld, (unsigned)ini_rc, NULL, NULL, "syntax error (expected key = value)");
    else if (ini_rc < 0)
        ld.oom = 1;
    if (!ld.oom)
        ef_cfg_check(&ld);
    if (ld.oom) {
        rc = EF_ENOMEM;
        goto out;
    }
    rc = ld.n_errs ? EF_ECONFIG : 0;
    if (rc == 0) {
        *out = ld.cfg;
        ld.cfg = NULL;
    }
    if (ld.n_errs)
        qsort(ld.errs, ld.n_errs, sizeof(*ld.errs), cmp_err);
    for (i = 0; i < ld.n_errs && errs; i++) {
        char **v = realloc(errs->msgs, (errs->n + 1) * sizeof(*v));
        if (!v) {
            rc = EF_ENOMEM;
            break;
        }
        errs->msgs = v;
        v[errs->n++] = ld.errs[i].msg;
        ld.errs[i].msg = NULL;
    }
out:
    ef_config_free(ld.cfg);
    free_loader(&ld);
    return rc;
}

int ef_config_load_file(const char *path, struct ef_config **out, struct ef_config_errors *errs)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    rc = ef_read_file(path, EF_CFG_MAX_FILE_SIZE, &text, &len);
    if (rc < 0) {
        char msg[512];
        char **v;
        snprintf(msg, sizeof(msg), "%s: cannot read: %s", path,
                 rc == EF_ELIMIT ? "larger than 4 MiB" : ef_strerror(rc));
        if (errs && (v = realloc(errs->msgs, (errs->n + 1) * sizeof(*v)))) {
            errs->msgs = v;
            if ((v[errs->n] = strdup(msg)))
                errs->n++;
        }
        return rc == EF_ENOMEM ? rc : EF_ECONFIG;
    }
    rc = ef_config_load_string(text, len, path, out, errs);
    free(text);
    return rc;
}

void ef_config_errors_free(struct ef_config_errors *errs)
{
    size_t i;

    if (!errs)
        return;
    for (i = 0; i < errs->n; i++)
        free(errs->msgs[i]);
    free(errs->msgs);
    errs->msgs = NULL;
    errs->n = 0;
}

void ef_config_free(struct ef_config *cfg)
{
    size_t i;

    if (!cfg)
        return;
    ef_cfg_free_section(EF_SEC_SERVICE, &cfg->service);
    for (i = 0; i < cfg->n_sessions; i++) {
        ef_cfg_free_section(EF_SEC_SESSION, cfg->sessions[i]);
        free(cfg->sessions[i]->name);
        free(cfg->sessions[i]);
    }
    for (i = 0; i < cfg->n_sinks; i++) {
        ef_cfg_free_section(EF_SEC_SINK, cfg->sinks[i]);
        free(cfg->sinks[i]->name);
        free(cfg->sinks[i]);
    }
    for (i = 0; i < cfg->n_routes; i++) {
        ef_cfg_free_section(EF_SEC_ROUTE, cfg->routes[i]);
        free(cfg->routes[i]->name);
        free(cfg->routes[i]);
    }
    free(cfg->sessions);
    free(cfg->sinks);
    free(cfg->routes);
    free(cfg->path);
    free(cfg);
}

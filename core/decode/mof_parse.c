/*
 * mof_parse.c - class declarations of kernel MOF text.
 *
 * The grammar is the part of MOF that event classes use:
 *
 *   file      := { [quals] "class" NAME [":" BASE] "{" { prop } "}" ";" }
 *   quals     := "[" qual { "," qual } "]"
 *   qual      := NAME [ "(" value ")" | "{" value { "," value } "}" ] [ ":" flavor... ]
 *   prop      := [quals] TYPE NAME [ "[" [NUMBER] "]" ] [ "=" value ] ";"
 *   value     := STRING { STRING } | ["-"] NUMBER | NAME
 *
 * Instances, associations and methods are not event schemas and are
 * refused with the line they start on.
 */
#include "decode/mof_internal.h"

#include <string.h>
#include <strings.h>

#include "util/error.h"

struct parser {
    struct mof_lexer lx;
    struct ef_arena *arena;
};

static int perr(struct parser *ps, const char *what, const char *near)
{
    if (ps->lx.err)
        ef_buf_appendf(ps->lx.err, "%s:%u: %s%s%s%s", ps->lx.path, ps->lx.tok_line, what,
                       near ? " near '" : "", near ? near : "", near ? "'" : "");
    return EF_EFORMAT;
}

static int is_punct(const struct parser *ps, char c)
{
    return ps->lx.tok == MOF_T_PUNCT && ps->lx.punct == c;
}

static int next(struct parser *ps)
{
    return ef_mof_lex_next(&ps->lx);
}

static int expect(struct parser *ps, char c)
{
    char want[16];

    if (!is_punct(ps, c)) {
        want[0] = '\'';
        want[1] = c;
        want[2] = '\'';
        strcpy(want + 3, " expected");
        return perr(ps, want, ps->lx.text);
    }
    return next(ps);
}

static void *palloc(struct parser *ps, size_t n)
{
    return ef_arena_alloc(ps->arena, n);
}

static int parse_value(struct parser *ps, struct mof_val *v)
{
    size_t n1, n2;
    char *cat;
    int rc;

    memset(v, 0, sizeof(*v));
    if (is_punct(ps, '-')) {
        v->negative = 1;
        if ((rc = next(ps)) < 0)
            return rc;
        if (ps->lx.tok != MOF_T_NUMBER)
            return perr(ps, "number expected after '-'", NULL);
    }
    if (ps->lx.tok == MOF_T_NUMBER) {
        v->n = ps->lx.num;
        return next(ps);
    }
    if (ps->lx.tok == MOF_T_IDENT) {
        v->s = ps->lx.text; /* true, false, null */
        return next(ps);
    }
    if (ps->lx.tok != MOF_T_STRING)
        return perr(ps, "value expected", ps->lx.text);
    v->s = ps->lx.text;
    if ((rc = next(ps)) < 0)
        return rc;
    /* Adjacent strings are one string, as in C. */
    while (ps->lx.tok == MOF_T_STRING) {
        n1 = strlen(v->s);
        n2 = strlen(ps->lx.text);
        if (!(cat = palloc(ps, n1 + n2 + 1)))
            return EF_ENOMEM;
        memcpy(cat, v->s, n1);
        memcpy(cat + n1, ps->lx.text, n2 + 1);
        v->s = cat;
        if ((rc = next(ps)) < 0)
            return rc;
    }
    return 0;
}

static int parse_qual(struct parser *ps, struct mof_qual **out)
{
    struct mof_qual *q;
    struct mof_val vals[64];
    char close;
    int rc;

    if (ps->lx.tok != MOF_T_IDENT)
        return perr(ps, "qualifier name expected", ps->lx.text);
    if (!(q = palloc(ps, sizeof(*q))))
        return EF_ENOMEM;
    q->name = ps->lx.text;
    if ((rc = next(ps)) < 0)
        return rc;
    if (is_punct(ps, '(') || is_punct(ps, '{')) {
        q->is_array = ps->lx.punct == '{';
        close = q->is_array ? '}' : ')';
        if ((rc = next(ps)) < 0)
            return rc;
        for (;;) {
            if (q->count == sizeof(vals) / sizeof(vals[0]))
                return perr(ps, "too many values in qualifier", q->name);
            if ((rc = parse_value(ps, &vals[q->count])) < 0)
                return rc;
            q->count++;
            if (!q->is_array || !is_punct(ps, ','))
                break;
            if ((rc = next(ps)) < 0)
                return rc;
        }
        if ((rc = expect(ps, close)) < 0)
            return rc;
        if (!(q->vals = palloc(ps, q->count * sizeof(*q->vals))))
            return EF_ENOMEM;
        memcpy(q->vals, vals, q->count * sizeof(*q->vals));
    }
    /* Flavors (": amended", ": ToSubclass DisableOverride") say how WMI
     * propagates a qualifier; they do not change a schema. */
    if (is_punct(ps, ':')) {
        if ((rc = next(ps)) < 0)
            return rc;
        if (ps->lx.tok != MOF_T_IDENT)
            return perr(ps, "flavor expected after ':'", ps->lx.text);
        while (ps->lx.tok == MOF_T_IDENT) {
            if ((rc = next(ps)) < 0)
                return rc;
        }
    }
    *out = q;
    return 0;
}

static int parse_quals(struct parser *ps, struct mof_qual **out)
{
    struct mof_qual **tail = out, *q;
    int rc;

    *out = NULL;
    if (!is_punct(ps, '['))
        return 0;
    if ((rc = next(ps)) < 0)
        return rc;
    for (;;) {
        if ((rc = parse_qual(ps, &q)) < 0)
            return rc;
        *tail = q;
        tail = &q->next;
        if (!is_punct(ps, ','))
            break;
        if ((rc = next(ps)) < 0)
            return rc;
    }
    return expect(ps, ']');
}

static int parse_prop(struct parser *ps, struct mof_class *c)
{
    struct mof_prop *p;
    struct mof_val v;
    int rc;

    if (!(p = palloc(ps, sizeof(*p))))
        return EF_ENOMEM;
    p->line = ps->lx.tok_line;
    if ((rc = parse_quals(ps, &p->quals)) < 0)
        return rc;
    if (ps->lx.tok != MOF_T_IDENT)
        return perr(ps, "property type expected", ps->lx.text);
    p->type = ps->lx.text;
    p->line = ps->lx.tok_line;
    if ((rc = next(ps)) < 0)
        return rc;
    if (ps->lx.tok != MOF_T_IDENT)
        return perr(ps, "property name expected", ps->lx.text);
    p->name = ps->lx.text;
    if ((rc = next(ps)) < 0)
        return rc;
    if (is_punct(ps, '(')) /* a method */
        return perr(ps, "methods are not supported", p->name);
    if (is_punct(ps, '[')) {
        if ((rc = next(ps)) < 0)
            return rc;
        p->array = 1;
        if (ps->lx.tok == MOF_T_NUMBER) {
            if (ps->lx.num == 0 || ps->lx.num > UINT16_MAX)
                return perr(ps, "bad array size", p->name);
            p->array = 2;
            p->dim = (uint32_t)ps->lx.num;
            if ((rc = next(ps)) < 0)
                return rc;
        }
        if ((rc = expect(ps, ']')) < 0)
            return rc;
    }
    if (is_punct(ps, '=')) { /* a default value: irrelevant to decoding */
        if ((rc = next(ps)) < 0 || (rc = parse_value(ps, &v)) < 0)
            return rc;
    }
    if ((rc = expect(ps, ';')) < 0)
        return rc;
    *c->props_tail = p;
    c->props_tail = &p->next;
    return 0;
}

static int parse_class(struct parser *ps, struct mof_class **out)
{
    struct mof_class *c;
    int rc;

    if (!(c = palloc(ps, sizeof(*c))))
        return EF_ENOMEM;
    c->props_tail = &c->props;
    c->line = ps->lx.tok_line;
    if ((rc = parse_quals(ps, &c->quals)) < 0)
        return rc;
    if (ps->lx.tok != MOF_T_IDENT || strcasecmp(ps->lx.text, "class") != 0)
        return perr(ps, "'class' expected (only class declarations are supported)", ps->lx.text);
    c->line = ps->lx.tok_line;
    if ((rc = next(ps)) < 0)
        return rc;
    if (ps->lx.tok != MOF_T_IDENT)
        return perr(ps, "class name expected", ps->lx.text);
    c->name = ps->lx.text;
    if ((rc = next(ps)) < 0)
        return rc;
    if (is_punct(ps, ':')) {
        if ((rc = next(ps)) < 0)
            return rc;
        if (ps->lx.tok != MOF_T_IDENT)
            return perr(ps, "base class name expected", ps->lx.text);
        c->base = ps->lx.text;
        if ((rc = next(ps)) < 0)
            return rc;
    }
    if ((rc = expect(ps, '{')) < 0)
        return rc;
    while (!is_punct(ps, '}')) {
        if (ps->lx.tok == MOF_T_EOF)
            return perr(ps, "unterminated class", c->name);
        if ((rc = parse_prop(ps, c)) < 0)
            return rc;
    }
    if ((rc = next(ps)) < 0)
        return rc;
    if ((rc = expect(ps, ';')) < 0)
        return rc;
    *out = c;
    return 0;
}

int ef_mof_parse(const char *path, const char *data, size_t len, struct ef_arena *arena,
                 struct mof_class **out, struct ef_buf *err)
{
    struct parser ps;
    struct mof_class **tail = out, *c;
    int rc;

    *out = NULL;
    memset(&ps, 0, sizeof(ps));
    ps.arena = arena;
    ps.lx.p = data;
    ps.lx.end = data + len;
    ps.lx.path = path;
    ps.lx.line = 1;
    ps.lx.arena = arena;
    ps.lx.err = err;
    if ((rc = next(&ps)) < 0)
        goto out;
    while (ps.lx.tok != MOF_T_EOF) {
        if (is_punct(&ps, ';')) {
            if ((rc = next(&ps)) < 0)
                goto out;
            continue;
        }
        if ((rc = parse_class(&ps, &c)) < 0)
            goto out;
        *tail = c;
        tail = &c->next;
    }
out:
    if (rc == EF_ENOMEM && err)
        ef_buf_appendf(err, "%s:%u: out of memory (MOF too large)", path, ps.lx.line);
    return rc;
}

const struct mof_qual *ef_mof_qual(const struct mof_qual *q, const char *name)
{
    for (; q; q = q->next) {
        if (strcasecmp(q->name, name) == 0)
            return q;
    }
    return NULL;
}

/*
 * mof_lex.c - tokens of MOF class text.
 *
 * Identifiers, "strings" (with \\ \" \n \t \r escapes), decimal and 0x
 * numbers, and the punctuation of class declarations. Comments (// and
 * block) are skipped, and so are #pragma lines: the kernel MOF we read has
 * none, but MOF files from Windows do, and they do not change a schema.
 */
#include "decode/mof_internal.h"

#include <ctype.h>
#include <string.h>

#include "util/error.h"

static int lex_fail(struct mof_lexer *lx, const char *what)
{
    if (lx->err)
        ef_buf_appendf(lx->err, "%s:%u: %s", lx->path, lx->line, what);
    return EF_EFORMAT;
}

/* Skips blanks, comments and #pragma lines. */
static int skip(struct mof_lexer *lx)
{
    while (lx->p < lx->end) {
        char c = *lx->p;

        if (c == '\n') {
            lx->line++;
            lx->p++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            lx->p++;
        } else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
        } else if (c == '#') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
        } else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
            lx->p += 2;
            for (;;) {
                if (lx->p + 1 >= lx->end)
                    return lex_fail(lx, "unterminated comment");
                if (lx->p[0] == '*' && lx->p[1] == '/')
                    break;
                if (*lx->p == '\n')
                    lx->line++;
                lx->p++;
            }
            lx->p += 2;
        } else {
            break;
        }
    }
    return 0;
}

static int lex_string(struct mof_lexer *lx)
{
    const char *s = ++lx->p;
    char *out, *o;

    /* The unescaped text is never longer than the quoted one. */
    while (lx->p < lx->end && *lx->p != '"') {
        if (*lx->p == '\n')
            return lex_fail(lx, "newline in string");
        if (*lx->p == '\\')
            lx->p++;
        lx->p++;
    }
    if (lx->p >= lx->end)
        return lex_fail(lx, "unterminated string");
    out = ef_arena_alloc(lx->arena, (size_t)(lx->p - s) + 1);
    if (!out)
        return EF_ENOMEM;
    for (o = out; s < lx->p; s++) {
        if (*s != '\\') {
            *o++ = *s;
            continue;
        }
        s++;
        switch (*s) {
        case 'n':
            *o++ = '\n';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'r':
            *o++ = '\r';
            break;
        default:
            *o++ = *s;
            break;
        }
    }
    *o = '\0';
    lx->p++;
    lx->tok = MOF_T_STRING;
    lx->text = out;
    return 0;
}

static int lex_number(struct mof_lexer *lx)
{
    uint64_t v = 0, base = 10;
    int digits = 0, d;

    if (lx->p + 1 < lx->end && lx->p[0] == '0' && (lx->p[1] == 'x' || lx->p[1] == 'X')) {
        base = 16;
        lx->p += 2;
    }
    for (; lx->p < lx->end; lx->p++, digits++) {
        char c = *lx->p;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && isxdigit((unsigned char)c))
            d = (tolower((unsigned char)c) - 'a') + 10;
        else
            break;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return lex_fail(lx, "number too large");
        v = v * base + (uint64_t)d;
    }
    if (digits == 0 || (lx->p < lx->end && (isalpha((unsigned char)*lx->p) || *lx->p == '_')))
        return lex_fail(lx, "bad number");
    lx->tok = MOF_T_NUMBER;
    lx->num = v;
    return 0;
}

int ef_mof_lex_next(struct mof_lexer *lx)
{
    const char *s;
    char c;
    int rc;

    if ((rc = skip(lx)) < 0)
        return rc;
    lx->tok_line = lx->line;
    lx->text = NULL;
    if (lx->p >= lx->end) {
        lx->tok = MOF_T_EOF;
        return 0;
    }
    c = *lx->p;
    if (c == '"')
        return lex_string(lx);
    if (c >= '0' && c <= '9')
        return lex_number(lx);
    if (isalpha((unsigned char)c) || c == '_') {
        s = lx->p;
        while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '_'))
            lx->p++;
        lx->text = ef_arena_strndup(lx->arena, s, (size_t)(lx->p - s));
        if (!lx->text)
            return EF_ENOMEM;
        lx->tok = MOF_T_IDENT;
        return 0;
    }
    if (strchr("[](){},:;=-", c) && c != '\0') {
        lx->p++;
        lx->tok = MOF_T_PUNCT;
        lx->punct = c;
        return 0;
    }
    return lex_fail(lx, "unexpected character");
}

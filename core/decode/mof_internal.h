/*
 * mof_internal.h - what the kernel MOF parser's files share.
 *
 * mof_lex.c cuts MOF text into tokens, mof_parse.c turns them into class
 * declarations (qualifiers, base class, properties), and mof_build.c turns
 * the event-type classes into ef_schema values and answers lookups
 * (mof_source.c). Everything runs on the thread that loads or decodes.
 */
#ifndef EF_DECODE_MOF_INTERNAL_H
#define EF_DECODE_MOF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "decode/schema.h"
#include "util/arena.h"
#include "util/buf.h"

enum mof_tok {
    MOF_T_EOF = 0,
    MOF_T_IDENT,
    MOF_T_STRING,
    MOF_T_NUMBER,
    MOF_T_PUNCT, /* one of [ ] ( ) { } , : ; = - */
};

struct mof_lexer {
    const char *p, *end;
    const char *path;
    unsigned line;
    struct ef_arena *arena; /* token text lives here */
    struct ef_buf *err;
    /* The current token. */
    enum mof_tok tok;
    unsigned tok_line;
    char punct;
    const char *text; /* identifiers and strings (unescaped) */
    uint64_t num;
};

/* Reads the next token into lx. 0, or EF_EFORMAT with "path:line: what" in err. */
int ef_mof_lex_next(struct mof_lexer *lx);

/* A qualifier value: a string or a number. */
struct mof_val {
    const char *s; /* NULL for numbers */
    uint64_t n;
    int negative;
};

struct mof_qual {
    struct mof_qual *next;
    const char *name;
    struct mof_val *vals;
    uint32_t count; /* 0: a flag like `pointer` */
    int is_array;   /* written with { } */
};

struct mof_prop {
    struct mof_prop *next;
    const char *type;
    const char *name;
    int array;    /* 0: scalar, 1: [] unbounded, 2: [n] */
    uint32_t dim; /* n of [n] */
    struct mof_qual *quals;
    unsigned line;
};

struct mof_class {
    struct mof_class *next;
    const char *name;
    const char *base; /* NULL for a root */
    struct mof_qual *quals;
    struct mof_prop *props, **props_tail;
    unsigned line;
};

/*
 * Parses MOF text into a list of classes allocated from arena. 0, or
 * EF_EFORMAT/EF_ENOMEM with "path:line: what" appended to err.
 */
int ef_mof_parse(const char *path, const char *data, size_t len, struct ef_arena *arena,
                 struct mof_class **out, struct ef_buf *err);

/* What mof_build.c makes of one file's classes. */
struct mof_built_schema {
    struct ef_guid guid;
    const struct ef_schema *schema;
    unsigned line; /* of the class */
};

struct mof_built {
    struct mof_built_schema *items; /* arena memory, sorted by (guid, opcode, version) */
    uint32_t count;
    uint32_t duplicates;
};

/*
 * Builds the schemas of the event-type classes in `fresh` (a file's
 * classes), resolving base classes among fresh and `known` (the classes of
 * files loaded before). Schemas go to arena a. 0 or EF_E* with "path:line:
 * what" in err.
 */
int ef_mof_build(const char *path, struct mof_class *fresh, const struct mof_class *known,
                 struct ef_arena *a, struct mof_built *out, struct ef_buf *err);

/* Orders built schemas by (guid, opcode, version). */
int ef_mof_cmp_built(const void *x, const void *y);

/*
 * The built-in kernel classes (mof_builtin.c): MOF text loaded into a layer
 * of its own in every MOF source, consulted after the files' exact classes.
 */
extern const char ef_mof_builtin_text[];
extern const size_t ef_mof_builtin_len;

/* Finds a qualifier by name (case-insensitive, as MOF is): NULL if absent. */
const struct mof_qual *ef_mof_qual(const struct mof_qual *q, const char *name);

#endif

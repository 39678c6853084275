/*
 * loader.h - the state of one load, shared by load.c (reading) and check.c
 * (validation across sections).
 */
#ifndef EF_CONFIG_LOADER_H
#define EF_CONFIG_LOADER_H

#include "internal.h"

#include "util/attr.h"

/* One [section] of the file as read. kind is -1 when its header was refused. */
struct ef_cfg_sec {
    int kind;
    char *name;   /* the NAME part, NULL for [service] */
    char *header; /* "session:main", for messages */
    unsigned line;
    void *obj;          /* the struct the option table's offsets point into */
    unsigned *set_line; /* per option row: the line that set it, 0 if unset */
};

struct ef_cfg_err {
    unsigned line;
    size_t seq; /* order of recording: ties on a line keep it */
    char *msg;
};

struct ef_cfg_loader {
    const char *fname;
    const char *text;
    size_t len, pos;
    unsigned line; /* the line inih is working on */
    int line_cont; /* that line continues the previous key's value */
    int after_key; /* inih would take an indented line as a continuation */
    int cur;       /* index of the current section, -1 before the first */
    struct ef_cfg_sec *secs;
    size_t n_secs;
    struct ef_config *cfg;
    struct ef_provider_section **psecs;
    size_t n_psecs;
    struct ef_cfg_err *errs;
    size_t n_errs;
    unsigned last_err_line;
    int oom;
    char *value; /* EF_CFG_MAX_VALUE bytes for ${ENV} expansion */
    char *long_value; /* the value of a line too long for inih's buffer (EF_CFG_MAX_VALUE + 1) */
    int long_pending; /* the line handed to inih carries EF_CFG_LONG_MARK for long_value */
};

/*
 * Records an error "FILE:LINE: [sec] key: message"; line 0 leaves LINE out,
 * a NULL sec or key leaves that part out.
 */
void ef_cfg_error(struct ef_cfg_loader *ld, unsigned line, const struct ef_cfg_sec *sec,
                  const char *key, const char *fmt, ...) EF_PRINTF(5, 6);

/* Validation across sections once the whole file is read (check.c). */
void ef_cfg_check(struct ef_cfg_loader *ld);

/* Appends " (did you mean X?)"-ready best match among names, or NULL. */
const char *ef_cfg_suggest(const char *word, const char *const *names, size_t n);

#endif

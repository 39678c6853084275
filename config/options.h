/*
 * options.h - the option table: every configuration key, declared once.
 *
 * One row per (section kind, key) gives the value's type, default, limits,
 * the session kinds or sink types it applies to, where the parsed value lands
 * (an offset into the section's struct) and its help text. The loader, the
 * validator, the summary, `etwfwd config --help` and docs/config.md all read
 * this table, so none of them can disagree about an option.
 */
#ifndef EF_CONFIG_OPTIONS_H
#define EF_CONFIG_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum ef_section_kind {
    EF_SEC_SERVICE,
    EF_SEC_SESSION,
    EF_SEC_PROVIDER,
    EF_SEC_SINK,
    EF_SEC_ROUTE,
    EF_SEC_COUNT,
};

/* Value types, and the C type each lands in. */
enum ef_opt_type {
    EF_T_BOOL,         /* int 0/1 */
    EF_T_INT,          /* int64_t within [min, max] */
    EF_T_SIZE,         /* uint64_t bytes within [min, max] */
    EF_T_DURATION,     /* uint64_t milliseconds within [min, max] */
    EF_T_ENUM,         /* int: index in values */
    EF_T_STRING,       /* char * (struct ef_str_list with EF_F_REPEAT) */
    EF_T_PATH,         /* char * (struct ef_str_list with EF_F_REPEAT) */
    EF_T_HOSTPORT,     /* char * "host:port" */
    EF_T_URL,          /* char *, scheme one of values */
    EF_T_GUID,         /* struct ef_guid */
    EF_T_HEXMASK,      /* uint64_t */
    EF_T_LEVEL,        /* unsigned 0..255, hex, decimal or a level name */
    EF_T_PROVIDER,     /* struct ef_provider_list: one provider string per value */
    EF_T_IDLIST,       /* struct ef_u32_list of event IDs (0..65535), at most max */
    EF_T_PIDLIST,      /* struct ef_u32_list of process IDs, at most max */
    EF_T_KERNEL_FLAGS, /* uint64_t from flag names and/or a hex mask */
    EF_T_HEADER,       /* struct ef_str_list of "Name: value" */
    EF_T_NAMELIST,     /* struct ef_str_list of section names */
};

enum ef_opt_flags {
    EF_F_REPEAT = 1,   /* the key may appear on several lines, one value each */
    EF_F_SECRET = 2,   /* never printed: *** in the summary, absent from errors */
    EF_F_REQUIRED = 4, /* the section must set it (when it applies) */
    EF_F_EMPTY_OK = 8, /* an empty value is allowed and means "unset" */
};

/* Session kinds and sink types an option applies to: bit (1 << enum value). */
#define EF_V(x) (1u << (x))

struct ef_option {
    int section; /* enum ef_section_kind */
    const char *key;
    int type; /* enum ef_opt_type */
    unsigned flags;
    const char *def; /* the default as a user would write it; NULL: none */
    int64_t min, max;
    const char *const *values; /* enum names or URL schemes, NULL-terminated */
    unsigned variants;         /* 0: every session kind / sink type */
    size_t offset;
    const char *help;
};

/* The table, in documentation order. */
const struct ef_option *ef_config_options(size_t *n);

/* The row for key in a section kind, or NULL. Any thread. */
const struct ef_option *ef_config_option_find(int section, const char *key);

/* "service", "session", ... */
const char *ef_config_section_name(int section);

/* Session kind and sink type names, NULL-terminated. */
extern const char *const ef_session_kind_names[];
extern const char *const ef_sink_type_names[];

/*
 * Appends the variants of an option ("kind = file", "type = http or syslog")
 * to b; nothing when it applies everywhere.
 */
int ef_config_variants_text(const struct ef_option *o, struct ef_buf *b);

/*
 * Appends what the option expects, as the "(expected ...)" part of errors
 * and the limits column of the reference.
 */
int ef_config_expected_text(const struct ef_option *o, struct ef_buf *b);

#endif

/*
 * values.h - parsing and printing the value types of the option table.
 *
 * Each parser takes the value text (after ${ENV} expansion), stores into the
 * target the table row names, and on failure writes what is wrong into err
 * without quoting the value (the caller decides whether it may be shown: a
 * secret's may not). Any thread.
 */
#ifndef EF_CONFIG_VALUES_H
#define EF_CONFIG_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "options.h"
#include "util/buf.h"

/*
 * Expands ${NAME} from the environment into out (cap bytes); "$${" stands
 * for a literal "${". *expanded says whether a variable was used. Returns 0,
 * EF_ENOENT with the missing variable's name in err, EF_EFORMAT or EF_ELIMIT.
 */
int ef_cfg_expand_env(const char *s, char *out, size_t cap, int *expanded, char *err,
                      size_t errlen);

/*
 * Parses s as o's type into the field at base + o->offset (lists append).
 * Returns 0 or a negative code with err set to what is wrong.
 */
int ef_cfg_parse_value(const struct ef_option *o, const char *s, void *base, char *err,
                       size_t errlen);

/* Releases what a value of o's type holds at base + o->offset. */
void ef_cfg_free_value(const struct ef_option *o, void *base);

/*
 * Appends the value of o at base in the file's syntax (canonical units),
 * "***" for a secret, each list item separated by sep.
 */
int ef_cfg_format_value(const struct ef_option *o, const void *base, const char *sep,
                        struct ef_buf *b);

/* Whether s is valid UTF-8 of n bytes. */
int ef_cfg_utf8_valid(const char *s, size_t n);

/* Simple parsers shared with the provider string. */
int ef_cfg_parse_level(const char *s, unsigned *out);
int ef_cfg_parse_hex64(const char *s, uint64_t *out);
int ef_cfg_parse_u32_list(const char *s, uint32_t max_value, unsigned max_count,
                          struct ef_u32_list *out, char *err, size_t errlen);

/* Appends n bytes / ms as the largest exact unit ("64MiB", "1s", "0"). */
int ef_cfg_format_size(uint64_t n, struct ef_buf *b);
int ef_cfg_format_duration(uint64_t ms, struct ef_buf *b);

/* Appends a kernel flag mask as names, with any unnamed bits as a hex mask. */
int ef_cfg_format_kernel_flags(uint64_t mask, struct ef_buf *b);

/* The kernel flag names, in bit order, for the reference. */
extern const char *const ef_kernel_flag_names[];

#endif

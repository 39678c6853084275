/*
 * internal.h - what the files of config/ share and nobody else needs.
 */
#ifndef EF_CONFIG_INTERNAL_H
#define EF_CONFIG_INTERNAL_H

#include "config.h"
#include "options.h"

/*
 * A [provider:NAME] section while loading: its settings land in p, and the
 * validator copies p into each session it names.
 */
struct ef_provider_section {
    char *name;
    unsigned line;
    struct ef_provider_cfg p;
    struct ef_guid guid;
    struct ef_str_list sessions;
};

/* Frees what every row of section kind sec holds in the struct at base. */
void ef_cfg_free_section(int sec, void *base);

/* Levenshtein distance, capped: used for "did you mean". */
unsigned ef_cfg_distance(const char *a, const char *b);

/* Appends s to a list (copied). 0 or EF_ENOMEM. */
int ef_cfg_list_add(struct ef_str_list *l, const char *s);

#endif

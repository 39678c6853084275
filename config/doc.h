/*
 * doc.h - the option reference, generated from the option table: the
 * markdown of docs/config.md and the text of `etwfwd config --help`.
 */
#ifndef EF_CONFIG_DOC_H
#define EF_CONFIG_DOC_H

#include <stdio.h>

/* Writes docs/config.md. Any thread. */
void ef_config_write_markdown(FILE *f);

/*
 * Writes the help of every option, or of those named key (either "key" or
 * "section.key"), or of every option of the section key names ("sink",
 * "[sink:NAME]"). Returns the number of options written. Any thread.
 */
int ef_config_write_help(FILE *f, const char *key);

#endif

/*
 * cli_args.h - one option parser for every subcommand.
 *
 * A command describes its options once, in a table (name, the value it
 * takes if any, whether it may repeat, a help sentence); the parser and the
 * `etwfwd X --help` text both come from that table, so they cannot disagree.
 * `--opt=value` and `--opt value` both work, options may come before or
 * after the positional arguments, and `--` ends the options. Errors name
 * the problem ("--format needs a value (native or ecs)", "unknown option
 * '--formt' (did you mean --format?)"), then print the usage, exit 2.
 */
#ifndef EF_SERVICE_CLI_ARGS_H
#define EF_SERVICE_CLI_ARGS_H

#include "util/attr.h"

#include <stdio.h>

#define EF_ARGS_MAX_OPTS 16

enum {
    EF_OPT_REPEAT = 1,   /* may be given more than once; every value is kept */
    EF_OPT_HIDDEN = 2,   /* accepted but not listed by --help */
    EF_OPT_REQUIRED = 4, /* the command cannot run without it: "missing -c FILE" */
};

struct ef_opt {
    const char *name;  /* "--format", or a short "-c" */
    const char *alias; /* another spelling ("--config"), or NULL */
    const char *value; /* the value's name in the usage ("native|ecs"); NULL: a flag */
    const char *hint;  /* what a missing value should be ("native or ecs"), or NULL */
    unsigned flags;    /* EF_OPT_* */
    const char *help;  /* whole sentences */
};

struct ef_cmd_spec {
    const char *cmd;        /* "replay" */
    const char *positional; /* synopsis of the positional arguments ("FILE.etl"), "" if none */
    unsigned min_pos;       /* positional arguments required */
    unsigned max_pos;       /* positional arguments accepted */
    const char *missing;    /* the message when fewer than min_pos ("missing FILE.etl") */
    const char *about;      /* a paragraph under the usage line, or NULL */
    const struct ef_opt *opts;
    unsigned nopts;
    int own_help; /* 1: --help is an option of the table the command handles itself */
};

struct ef_args {
    unsigned count[EF_ARGS_MAX_OPTS];      /* how often each option was given */
    const char *value[EF_ARGS_MAX_OPTS];   /* its last value */
    const char **values[EF_ARGS_MAX_OPTS]; /* every value of an EF_OPT_REPEAT option */
    const char **pos;                      /* positional arguments */
    unsigned npos;
};

/*
 * Parses argv (argv[0] is the subcommand's name) by spec into a. Returns -1
 * when the command should run; otherwise the exit code to return at once:
 * 0 after printing the help to stdout (unless spec->own_help), 2 after
 * printing the problem and the usage to stderr. Call ef_args_free in every
 * case. Any thread.
 */
int ef_args_parse(const struct ef_cmd_spec *spec, int argc, char **argv, struct ef_args *a);

void ef_args_free(struct ef_args *a);

/* Prints the usage and every listed option of spec to f. Any thread. */
void ef_args_usage(const struct ef_cmd_spec *spec, FILE *f);

/*
 * Prints "etwfwd CMD: MESSAGE", a blank line and the usage to stderr, and
 * returns EF_EXIT_USAGE: for problems a command finds after parsing (a bad
 * --format value). Any thread.
 */
int ef_args_fail(const struct ef_cmd_spec *spec, const char *fmt, ...) EF_PRINTF(2, 3);

/*
 * The name among names[0..n) closest to word (edit distance, a swap of two
 * neighbours counting once) if it is close enough to be a likely typo, else
 * NULL. Any thread.
 */
const char *ef_args_suggest(const char *word, const char *const *names, unsigned n);

#endif

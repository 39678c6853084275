/*
 * cli_args.c - the option parser every subcommand uses (cli_args.h).
 *
 * DESIGN: a single pass over argv. A word that starts with '-' (but is not
 * "-" alone) is an option, looked up in the command's table by its name or
 * alias; "--name=value" splits at the first '='. Everything else, and
 * everything after "--", is positional. The parser keeps no state of its
 * own: the results live in the caller's struct ef_args, and the only memory
 * it allocates is the arrays of repeated values and of positionals.
 */
#include "cli_args.h"
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/*
 * Prints one option: its spelling in a left column of 24, its help beside
 * it, wrapped at 79 columns (a long left column gets a line of its own), so
 * the help reads in an 80-column console.
 */
static void print_option(FILE *f, const char *left, const char *help)
{
    const char *p = help;
    size_t col;

    if (strlen(left) > 24)
        fprintf(f, "  %s\n  %-24s", left, "");
    else
        fprintf(f, "  %-24s", left);
    col = 26;
    while (*p) {
        size_t w = strcspn(p, " ");

        if (col > 26 && col + 1 + w > 79) {
            fprintf(f, "\n  %-24s", "");
            col = 26;
        }
        fprintf(f, " %.*s", (int)w, p);
        col += 1 + w;
        p += w;
        while (*p == ' ')
            p++;
    }
    fprintf(f, "\n");
}

void ef_args_usage(const struct ef_cmd_spec *spec, FILE *f)
{
    unsigned i;

    char word[128];
    size_t col;

    col = (size_t)fprintf(f, "usage: etwfwd %s%s%s", spec->cmd, spec->positional[0] ? " " : "",
                          spec->positional);
    for (i = 0; i < spec->nopts; i++) {
        const struct ef_opt *o = &spec->opts[i];
        int req = (o->flags & EF_OPT_REQUIRED) != 0;
        int n;

        if ((o->flags & EF_OPT_HIDDEN) || (spec->own_help && strcmp(o->name, "--help") == 0))
            continue;
        n = snprintf(word, sizeof(word), "%s%s%s%s%s%s", req ? "" : "[", o->name,
                     o->value ? " " : "", o->value ? o->value : "", req ? "" : "]",
                     (o->flags & EF_OPT_REPEAT) ? "..." : "");
        /* The synopsis wraps at 79 columns, continued under the command's name. */
        if (col + 1 + (size_t)n > 79) {
            fprintf(f, "\n%*s", (int)(14 + strlen(spec->cmd)), "");
            col = 14 + strlen(spec->cmd);
        }
        fprintf(f, " %s", word);
        col += 1 + (size_t)n;
    }
    fprintf(f, "\n");
    if (spec->about)
        fprintf(f, "\n%s\n", spec->about);
    fprintf(f, "\noptions:\n");
    for (i = 0; i < spec->nopts; i++) {
        const struct ef_opt *o = &spec->opts[i];
        char left[96];

        if (o->flags & EF_OPT_HIDDEN)
            continue;
        snprintf(left, sizeof(left), "%s%s%s%s%s", o->name, o->alias ? ", " : "",
                 o->alias ? o->alias : "", o->value ? " " : "", o->value ? o->value : "");
        print_option(f, left, o->help);
    }
    if (!spec->own_help)
        print_option(f, "-h, --help", "Prints this help and exits.");
}

int ef_args_fail(const struct ef_cmd_spec *spec, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "etwfwd %s: ", spec->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\n");
    ef_args_usage(spec, stderr);
    return EF_EXIT_USAGE;
}

/* Optimal string alignment distance: insertions, deletions, substitutions and swaps. */
static unsigned distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    unsigned d[40][40];

    if (la >= 40 || lb >= 40)
        return 99;
    for (i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (i = 1; i <= la; i++) {
        for (j = 1; j <= lb; j++) {
            unsigned cost = a[i - 1] != b[j - 1], best = d[i - 1][j - 1] + cost;

            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

const char *ef_args_suggest(const char *word, const char *const *names, unsigned n)
{
    const char *best = NULL;
    unsigned i, bestd = 99;

    for (i = 0; i < n; i++) {
        unsigned d = distance(word, names[i]);

        if (d < bestd) {
            bestd = d;
            best = names[i];
        }
    }
    /*
     * One edit in a short word, two in a longer one: beyond that the
     * "suggestion" is more often a different word than the one meant.
     */
    if (best && bestd <= (strlen(word) >= 6 ? 2u : 1u))
        return best;
    return NULL;
}

/* The table's index of option name (len bytes), or -1. */
static int find(const struct ef_cmd_spec *spec, const char *name, size_t len)
{
    unsigned i;

    for (i = 0; i < spec->nopts; i++) {
        const struct ef_opt *o = &spec->opts[i];

        if ((strlen(o->name) == len && memcmp(o->name, name, len) == 0) ||
            (o->alias && strlen(o->alias) == len && memcmp(o->alias, name, len) == 0))
            return (int)i;
    }
    return -1;
}

static int unknown(const struct ef_cmd_spec *spec, const char *word, size_t len)
{
    const char *names[2 * EF_ARGS_MAX_OPTS + 2];
    char w[64];
    const char *s;
    unsigned i, n = 0;

    snprintf(w, sizeof(w), "%.*s", (int)(len < 63 ? len : 63), word);
    for (i = 0; i < spec->nopts; i++) {
        if (spec->opts[i].flags & EF_OPT_HIDDEN)
            continue;
        names[n++] = spec->opts[i].name;
        if (spec->opts[i].alias)
            names[n++] = spec->opts[i].alias;
    }
    names[n++] = "--help";
    s = ef_args_suggest(w, names, n);
    if (s)
        return ef_args_fail(spec, "unknown option '%s' (did you mean %s?)", w, s);
    return ef_args_fail(spec, "unknown option '%s'", w);
}

static int is_help(const char *w)
{
    return strcmp(w, "--help") == 0 || strcmp(w, "-h") == 0;
}

int ef_args_parse(const struct ef_cmd_spec *spec, int argc, char **argv, struct ef_args *a)
{
    int i, only_pos = 0;
    unsigned k;

    memset(a, 0, sizeof(*a));
    if (spec->nopts > EF_ARGS_MAX_OPTS) {
        fprintf(stderr, "etwfwd %s: too many options in the table\n", spec->cmd);
        return EF_EXIT_FAILURE;
    }
    a->pos = calloc((size_t)argc + 1, sizeof(*a->pos));
    if (!a->pos)
        goto nomem;
    for (k = 0; k < spec->nopts; k++) {
        if (!(spec->opts[k].flags & EF_OPT_REPEAT))
            continue;
        a->values[k] = calloc((size_t)argc + 1, sizeof(*a->values[k]));
        if (!a->values[k])
            goto nomem;
    }
    /* --help anywhere wins over any other problem: the user is asking how. */
    if (!spec->own_help) {
        for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
            if (is_help(argv[i])) {
                ef_args_usage(spec, stdout);
                return EF_EXIT_OK;
            }
        }
    }
    for (i = 1; i < argc; i++) {
        const char *w = argv[i], *eq, *val = NULL;
        const struct ef_opt *o;
        size_t len;
        int idx;

        if (only_pos || w[0] != '-' || w[1] == '\0') {
            if (a->npos >= spec->max_pos) {
                if (spec->max_pos == 0)
                    return ef_args_fail(spec, "takes no arguments, got '%s'", w);
                return ef_args_fail(spec, "unexpected argument '%s'", w);
            }
            a->pos[a->npos++] = w;
            continue;
        }
        if (strcmp(w, "--") == 0) {
            only_pos = 1;
            continue;
        }
        eq = w[1] == '-' ? strchr(w, '=') : NULL;
        len = eq ? (size_t)(eq - w) : strlen(w);
        idx = find(spec, w, len);
        if (idx < 0)
            return unknown(spec, w, len);
        o = &spec->opts[idx];
        /* Messages name the option as the user spelled it (-c or --config). */
        if (!o->value) {
            if (eq)
                return ef_args_fail(spec, "%.*s takes no value", (int)len, w);
        } else if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc && !(argv[i + 1][0] == '-' && argv[i + 1][1] != '\0' &&
                                     find(spec, argv[i + 1], strcspn(argv[i + 1], "=")) >= 0)) {
            /* The next word is the value unless it is one of our options: `--format --typed`. */
            val = argv[++i];
        }
        if (o->value && (!val || val[0] == '\0'))
            return ef_args_fail(spec, "%.*s needs a value (%s)", (int)len, w,
                                o->hint ? o->hint : o->value);
        if (a->count[idx] && !(o->flags & EF_OPT_REPEAT))
            return ef_args_fail(spec, "%.*s given twice", (int)len, w);
        if (o->flags & EF_OPT_REPEAT)
            a->values[idx][a->count[idx]] = val;
        a->value[idx] = val;
        a->count[idx]++;
    }
    for (k = 0; k < spec->nopts; k++) {
        const struct ef_opt *o = &spec->opts[k];

        if ((o->flags & EF_OPT_REQUIRED) && !a->count[k])
            return ef_args_fail(spec, "missing %s %s", o->name, o->value ? o->value : "");
    }
    if (a->npos < spec->min_pos)
        return ef_args_fail(spec, "%s", spec->missing ? spec->missing : "missing an argument");
    return -1;
nomem:
    fprintf(stderr, "etwfwd %s: out of memory\n", spec->cmd);
    return EF_EXIT_FAILURE;
}

void ef_args_free(struct ef_args *a)
{
    unsigned k;

    for (k = 0; k < EF_ARGS_MAX_OPTS; k++) {
        free(a->values[k]);
        a->values[k] = NULL;
    }
    free(a->pos);
    a->pos = NULL;
}

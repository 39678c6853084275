/*
 * manifest_strings.c - string tables, localization and message templates.
 *
 * Names and messages in a manifest are usually "$(string.ID)" references
 * into <localization><resources culture><stringTable>. We resolve them
 * against en-US when the manifest has it, else its first culture, and fall
 * back to the other cultures for an id the preferred one lacks (a partial
 * translation should not fail the load).
 *
 * Messages are FormatMessage strings. They are stored in a form the
 * renderer can expand without knowing FormatMessage: "%N" (1..99) is an
 * insertion, "%%" a literal percent, and every other escape is already
 * replaced by its character (docs/schemas.md, "Message templates").
 */
#include "decode/manifest_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"

static int cmp_string(const void *a, const void *b)
{
    return strcmp(((const struct mf_string *)a)->id, ((const struct mf_string *)b)->id);
}

int ef_mf_strings_prepare(struct mf_doc *doc)
{
    struct mf_resources *r;

    doc->culture = NULL;
    for (r = doc->resources; r; r = r->next) {
        if (r->count > 1)
            qsort(r->strings, r->count, sizeof(*r->strings), cmp_string);
        if (!doc->culture)
            doc->culture = r;
        if (r->culture && strcasecmp(r->culture, "en-US") == 0 &&
            !(doc->culture->culture && strcasecmp(doc->culture->culture, "en-US") == 0))
            doc->culture = r;
    }
    return 0;
}

static const char *find_in(const struct mf_resources *r, const char *id)
{
    struct mf_string key = {id, NULL};
    const struct mf_string *s;

    if (!r || r->count == 0)
        return NULL;
    s = bsearch(&key, r->strings, r->count, sizeof(*r->strings), cmp_string);
    return s ? s->value : NULL;
}

int ef_mf_resolve(const struct mf_doc *doc, const char *s, const char **out)
{
    static const char prefix[] = "$(string.";
    const struct mf_resources *r;
    const char *v;
    char id[512];
    size_t n;

    *out = s;
    if (!s || strncmp(s, prefix, sizeof(prefix) - 1) != 0)
        return 0;
    n = strlen(s);
    if (s[n - 1] != ')' || n - sizeof(prefix) >= sizeof(id))
        return EF_ENOENT;
    n -= sizeof(prefix); /* the id's length: minus the prefix and the ')' */
    memcpy(id, s + sizeof(prefix) - 1, n);
    id[n] = '\0';
    v = find_in(doc->culture, id);
    for (r = doc->resources; !v && r; r = r->next) {
        if (r != doc->culture)
            v = find_in(r, id);
    }
    if (!v)
        return EF_ENOENT;
    *out = v;
    return 0;
}

int ef_mf_message(struct ef_arena *a, const char *s, const char **out)
{
    size_t n = strlen(s), i, o = 0;
    char *d;

    *out = NULL;
    /* Converting never lengthens by more than one byte per lone '%'. */
    d = ef_arena_alloc(a, 2 * n + 1);
    if (!d)
        return EF_ENOMEM;
    for (i = 0; i < n; i++) {
        char c = s[i], e;

        if (c != '%') {
            d[o++] = c;
            continue;
        }
        e = s[i + 1];
        if (e >= '1' && e <= '9') {
            /* %N or %NN, then an optional !printf-spec! that we drop: the
             * renderer formats each value by its own type. */
            d[o++] = '%';
            d[o++] = s[++i];
            if (s[i + 1] >= '0' && s[i + 1] <= '9')
                d[o++] = s[++i];
            if (s[i + 1] == '!') {
                const char *end = strchr(s + i + 2, '!');

                if (end)
                    i = (size_t)(end - s);
            }
            continue;
        }
        switch (e) {
        case '0': /* ends the message, with no trailing newline */
            goto done;
        case 'n':
            d[o++] = '\n';
            break;
        case 'r':
            d[o++] = '\r';
            break;
        case 't':
            d[o++] = '\t';
            break;
        case ' ':
        case '.':
        case '!':
            d[o++] = e;
            break;
        case '%':
            d[o++] = '%';
            d[o++] = '%';
            break;
        default:
            /* A lone '%' (also at the end) stays a literal percent. */
            d[o++] = '%';
            d[o++] = '%';
            continue;
        }
        i++;
    }
done:
    d[o] = '\0';
    *out = d;
    return 0;
}

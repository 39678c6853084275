/*
 * message.c - an event's message from its schema's template.
 *
 * Manifest and TDH templates use FormatMessage inserts: %1..%99 for the
 * top-level fields, optionally followed by a printf-like !spec! that we
 * ignore (the value's own text form is used), and escapes %n (newline),
 * %t (tab), %r, %b (space), %% %. %! for the character itself. An insert
 * past the decoded fields (decoding stopped early) expands to nothing.
 */
#include "render/render_int.h"

#include "util/error.h"

#include <string.h>

/*
 * Where the top-level fields start in ev->values: the first TOP_CACHED are
 * found in one walk per message instead of one walk per insert, which was
 * quadratic in the field count and a visible part of the render time.
 */
#define TOP_CACHED 32

struct tops {
    uint32_t at[TOP_CACHED];
    unsigned n; /* how many of at[] are filled */
};

static void tops_init(const struct ef_event *ev, struct tops *t)
{
    uint32_t i = 0;

    for (t->n = 0; i < ev->count && t->n < TOP_CACHED; t->n++) {
        t->at[t->n] = i;
        i += 1 + ev->values[i].span;
    }
}

/* Index in ev->values of top-level field n (0-based), or UINT32_MAX. */
static uint32_t top_value(const struct ef_event *ev, const struct tops *t, unsigned n)
{
    uint32_t i;
    unsigned k;

    if (n < t->n)
        return t->at[n];
    if (t->n < TOP_CACHED)
        return UINT32_MAX;
    i = t->at[TOP_CACHED - 1];
    k = TOP_CACHED - 1;
    while (i < ev->count) {
        if (k == n)
            return i;
        i += 1 + ev->values[i].span;
        k++;
    }
    return UINT32_MAX;
}

static const char *escape_char(char c)
{
    switch (c) {
    case 'n':
        return "\n";
    case 't':
        return "\t";
    case 'r':
        return "\r";
    case 'b':
        return " ";
    case '%':
        return "%";
    case '.':
        return ".";
    case '!':
        return "!";
    case '0':
        return "";
    default:
        return NULL;
    }
}

int ef_render_message(const struct ef_event *ev, struct ef_buf *out)
{
    const char *t = ev->schema ? ev->schema->message : NULL;
    const char *esc;
    size_t before = out->len;
    struct tops tops;
    int rc = 0;

    if (!t)
        return EF_ENOENT;
    tops_init(ev, &tops);
    while (*t && rc == 0) {
        const char *pct = strchr(t, '%');
        unsigned n = 0;
        uint32_t vi;

        if (!pct) {
            rc = ef_buf_append_str(out, t);
            break;
        }
        rc = ef_render_append(out, t, (size_t)(pct - t));
        t = pct + 1;
        if (rc < 0)
            break;
        if (*t >= '1' && *t <= '9') {
            while (*t >= '0' && *t <= '9' && n < 1000)
                n = n * 10 + (unsigned)(*t++ - '0');
            if (*t == '!') {
                const char *close = strchr(t + 1, '!');

                if (close)
                    t = close + 1;
            }
            vi = top_value(ev, &tops, n - 1);
            if (vi != UINT32_MAX)
                ef_render_value_text(ev, vi, out);
            continue;
        }
        esc = *t ? escape_char(*t) : NULL;
        if (esc) {
            rc = ef_buf_append_str(out, esc);
            t++;
        } else {
            rc = ef_buf_append_byte(out, '%');
        }
    }
    if (rc == 0 && out->len > out->max)
        rc = EF_ELIMIT;
    if (rc < 0) {
        out->len = before;
        if (out->data)
            out->data[before] = '\0';
    }
    return rc;
}

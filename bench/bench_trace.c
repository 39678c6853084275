/*
 * bench_trace.c - a trace's records deep-copied into memory; see
 * bench_trace.h.
 */
#include "bench_trace.h"

#include "etl/etl.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *copy_bytes(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);

    if (!q)
        abort();
    if (n)
        memcpy(q, p, n);
    return q;
}

int ef_bench_trace_load(const char *path, struct ef_bench_trace *t)
{
    struct ef_etl_reader *rd;
    const struct ef_record *rec;
    int rc = ef_etl_open_file(path, NULL, &rd);

    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", path, ef_strerror(rc));
        return rc;
    }
    while ((rc = ef_etl_next(rd, &rec)) == 1) {
        struct ef_record *c;
        struct ef_ext_item *ext;
        uint16_t i;

        if (t->n == t->cap) {
            void *p = realloc(t->recs, (t->cap = t->cap ? t->cap * 2 : 4096) * sizeof(*t->recs));

            if (!p)
                abort();
            t->recs = p;
        }
        c = &t->recs[t->n++];
        *c = *rec;
        c->user_data = copy_bytes(rec->user_data, rec->user_data_len);
        ext = copy_bytes(rec->ext, rec->ext_count * sizeof(*ext));
        for (i = 0; i < rec->ext_count; i++)
            ext[i].data = copy_bytes(rec->ext[i].data, rec->ext[i].size);
        c->ext = ext;
        c->native = NULL;
    }
    ef_etl_close(rd);
    if (rc < 0)
        fprintf(stderr, "%s: %s\n", path, ef_strerror(rc));
    return rc;
}

void ef_bench_trace_free(struct ef_bench_trace *t)
{
    size_t i;
    uint16_t k;

    for (i = 0; i < t->n; i++) {
        for (k = 0; k < t->recs[i].ext_count; k++)
            free((void *)t->recs[i].ext[k].data);
        free((void *)t->recs[i].ext);
        free((void *)t->recs[i].user_data);
    }
    free(t->recs);
    memset(t, 0, sizeof(*t));
}

/*
 * fake_spool.c - an in-memory struct ef_spool with the four calls the sink
 * driver makes (read, cursor, ack, stats), which asserts the driver's
 * promises: a cursor only moves forward and never past the end. The
 * pipeline suite links it instead of the real spool so it can count acks
 * and make reads fail; the sink_file suite uses the real spool.
 */
#include "pipe_helpers.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* --- the fake spool --- */

struct ev {
    uint64_t seq;
    char *data;
    uint32_t len;
};

struct ef_spool {
    struct ev *v;
    size_t n, cap;
    uint64_t first_seq, next_seq;
    uint64_t cursors[EF_SPOOL_MAX_SINKS];
    unsigned n_sinks;
    int fail_reads;
    unsigned acks;
};

struct ef_spool *th_spool_new(unsigned n_sinks)
{
    struct ef_spool *sp = calloc(1, sizeof(*sp));

    sp->n_sinks = n_sinks;
    sp->first_seq = sp->next_seq = 1;
    return sp;
}

void th_spool_free(struct ef_spool *sp)
{
    size_t i;

    for (i = 0; i < sp->n; i++)
        free(sp->v[i].data);
    free(sp->v);
    free(sp);
}

uint64_t th_spool_append(struct ef_spool *sp, const void *data, uint32_t len)
{
    if (sp->n == sp->cap) {
        sp->cap = sp->cap ? sp->cap * 2 : 64;
        sp->v = realloc(sp->v, sp->cap * sizeof(*sp->v));
    }
    sp->v[sp->n].seq = sp->next_seq++;
    sp->v[sp->n].data = malloc(len ? len : 1);
    memcpy(sp->v[sp->n].data, data, len);
    sp->v[sp->n].len = len;
    sp->n++;
    return sp->next_seq - 1;
}

void th_spool_fail_reads(struct ef_spool *sp, int rc)
{
    sp->fail_reads = rc;
}

unsigned th_spool_acks(const struct ef_spool *sp)
{
    return sp->acks;
}

int ef_spool_read(struct ef_spool *sp, uint64_t from, size_t max_events, size_t max_bytes,
                  ef_spool_visit_fn visit, void *ud, uint64_t *next)
{
    size_t i, got = 0, bytes = 0;

    *next = from;
    if (sp->fail_reads)
        return sp->fail_reads;
    if (from < sp->first_seq)
        from = sp->first_seq;
    for (i = (size_t)(from - sp->first_seq); i < sp->n && got < max_events; i++) {
        struct ef_spool_event e = {sp->v[i].seq, sp->v[i].data, sp->v[i].len};

        /* As the real spool: at least one event, then stop before max_bytes. */
        if (got > 0 && bytes + e.len > max_bytes)
            break;
        visit(ud, &e);
        got++;
        bytes += e.len;
        *next = e.seq + 1;
    }
    return (int)got;
}

uint64_t ef_spool_cursor(const struct ef_spool *sp, unsigned sink)
{
    return sp->cursors[sink];
}

int ef_spool_ack(struct ef_spool *sp, unsigned sink, uint64_t upto)
{
    ck_assert_msg(sink < sp->n_sinks, "ack for sink %u of %u", sink, sp->n_sinks);
    ck_assert_msg(upto < sp->next_seq, "ack past the end: %llu", (unsigned long long)upto);
    ck_assert_msg(upto > sp->cursors[sink], "cursor moved backwards or stayed");
    sp->cursors[sink] = upto;
    sp->acks++;
    return 0;
}

void ef_spool_get_stats(const struct ef_spool *sp, struct ef_spool_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->first_seq = sp->first_seq;
    st->next_seq = sp->next_seq;
    st->memory = 1;
}

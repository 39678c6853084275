/*
 * queue_bench.c - throughput of the handoff queue: producer threads push
 * rendered-event-sized records, the loop drains them.
 *
 * Usage: queue_bench [EVENTS_PER_PRODUCER [EVENT_BYTES [PRODUCERS]]]
 * Defaults: 5,000,000 events of 300 bytes from 2 producers, block policy,
 * the default capacity (65536 events, 64 MiB). Prints events/s and MB/s.
 */
#include "pipeline/queue.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

struct counts {
    uint64_t events, bytes, sum;
};

static int drain(void *ud, uint32_t session, const void *data, uint32_t len)
{
    struct counts *c = ud;

    /* Touch the bytes as the spool's copy would. */
    c->sum += ((const unsigned char *)data)[len - 1] + session;
    c->events++;
    c->bytes += len;
    return 0;
}

struct prod {
    struct ef_queue *q;
    uint32_t session;
    uint64_t n;
    uint32_t len;
};

static void producer(void *arg)
{
    struct prod *p = arg;
    struct ef_queue_producer *qp;
    char *ev = malloc(p->len);
    uint64_t i;

    memset(ev, 'x', p->len);
    if (ef_queue_producer_new(p->q, p->session, EF_QUEUE_BLOCK, &qp) < 0)
        abort();
    for (i = 0; i < p->n; i++) {
        memcpy(ev, &i, sizeof(i));
        if (ef_queue_push(qp, ev, p->len) < 0)
            abort();
    }
    ef_queue_producer_free(qp);
    free(ev);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
    uint32_t len = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 300;
    unsigned np = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 2, i;
    struct counts c = {0};
    struct ef_queue_options o = {.drain = drain, .drain_ud = &c};
    struct ef_queue_stats st;
    struct ef_queue *q;
    struct prod *p;
    uv_thread_t *t;
    uv_loop_t loop;
    uint64_t t0, t1;
    double secs;

    if (np == 0 || np > 64 || len < 8)
        return 2;
    p = calloc(np, sizeof(*p));
    t = calloc(np, sizeof(*t));
    uv_loop_init(&loop);
    if (ef_queue_new(&loop, &o, &q) < 0)
        return 1;
    t0 = uv_hrtime();
    for (i = 0; i < np; i++) {
        p[i] = (struct prod){q, i, n, len};
        uv_thread_create(&t[i], producer, &p[i]);
    }
    while (c.events < n * np)
        uv_run(&loop, UV_RUN_ONCE);
    t1 = uv_hrtime();
    for (i = 0; i < np; i++)
        uv_thread_join(&t[i]);
    ef_queue_get_stats(q, &st);
    ef_queue_close(q, NULL, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    secs = (double)(t1 - t0) / 1e9;
    printf("queue: %u producers x %" PRIu64 " events of %u bytes in %.3f s: %.0f events/s, "
           "%.1f MB/s; wakeups %" PRIu64 ", producer waits %" PRIu64 " (checksum %" PRIu64 ")\n",
           np, n, len, secs, (double)c.events / secs, (double)c.bytes / secs / 1e6, st.wakeups,
           st.blocked, c.sum);
    free(p);
    free(t);
    return 0;
}

/*
 * spool_bg.c - the spool's background thread: fsync, close, ledger, delete.
 *
 * DESIGN. One thread per disk spool (sync = interval or never), a FIFO of
 * jobs under a mutex, a condition variable each way. Jobs run in the order
 * they were queued, which is what the spool's guarantees rest on: a segment
 * is closed after the fsyncs queued for it, and a delivered segment is
 * deleted only after the ledger write that lets it go (the spool queues the
 * delete when it has polled that write's completion). Results (fsync count,
 * the cursors of the last ledger written, the first error) accumulate under
 * the mutex until the owner polls them; a job allocates one small node, a
 * few per second. Without memory for the node the job runs at once on the
 * owner's thread, after the queue drained, so no caller needs a fallback.
 */
#include "spool_bg.h"

#include "fsutil.h"
#include "spool_int.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <uv.h>

enum job_kind { J_SYNC_FILE, J_SYNC_DIR, J_LEDGER, J_REMOVE };

struct job {
    struct job *next;
    int kind;
    int fd, sync, close_after;
    const char *path;        /* J_REMOVE */
    const uint64_t *cursors; /* J_LEDGER: n_sinks values */
};

struct ef_spool_bg {
    uv_thread_t thread;
    uv_mutex_t mu;
    uv_cond_t work, idle;
    struct job *head, *tail;
    int running; /* a job is being done */
    int stop;
    unsigned file_syncs, ledgers; /* queued or running */

    char *dir;
    const char *const *names;
    unsigned n_sinks;

    /* results, until polled */
    uint64_t fsyncs;
    int ledger_written, ledger_failed;
    uint64_t *cursors;
    int error;
    const char *error_what;
};

static void record_error(struct ef_spool_bg *bg, int rc, const char *what)
{
    if (rc < 0 && bg->error == 0) {
        bg->error = rc;
        bg->error_what = what;
    }
}

/* Does one job without the lock; returns the fsyncs it made. */
static unsigned run_job(struct ef_spool_bg *bg, const struct job *j, int *rc, const char **what)
{
    unsigned fsyncs = 0;

    *rc = 0;
    switch (j->kind) {
    case J_SYNC_FILE:
        *what = "fsync";
        if (j->sync) {
            *rc = ef_fs_sync_file(j->fd);
            fsyncs += *rc == 0;
        }
        if (j->close_after)
            ef_fs_close(j->fd);
        break;
    case J_SYNC_DIR:
        *what = "fsync";
        *rc = ef_fs_sync_dir(bg->dir);
        fsyncs += *rc == 0;
        break;
    case J_LEDGER:
        *what = "ledger";
        *rc = ef_ledger_write(bg->dir, bg->names, j->cursors, bg->n_sinks, j->sync);
        fsyncs += *rc == 0 && j->sync;
        break;
    case J_REMOVE:
        *what = "delete";
        *rc = ef_fs_remove(j->path);
        if (*rc == EF_ENOENT)
            *rc = 0;
        break;
    }
    return fsyncs;
}

/* Takes the results of job j (queued: it was counted as pending). Caller holds bg->mu. */
static void finished_locked(struct ef_spool_bg *bg, const struct job *j, int queued, int rc,
                            unsigned fsyncs, const char *what)
{
    bg->fsyncs += fsyncs;
    record_error(bg, rc, what);
    if (queued && j->kind == J_SYNC_FILE && j->sync)
        bg->file_syncs--;
    if (queued && j->kind == J_LEDGER)
        bg->ledgers--;
    if (j->kind == J_LEDGER && rc == 0) {
        memcpy(bg->cursors, j->cursors, bg->n_sinks * sizeof(uint64_t));
        bg->ledger_written = 1;
    }
    if (j->kind == J_LEDGER && rc < 0)
        bg->ledger_failed = 1;
}

static void worker(void *arg)
{
    struct ef_spool_bg *bg = arg;

    uv_mutex_lock(&bg->mu);
    for (;;) {
        struct job *j = bg->head;
        const char *what = "";
        unsigned n;
        int rc;

        if (!j) {
            uv_cond_broadcast(&bg->idle);
            if (bg->stop)
                break;
            uv_cond_wait(&bg->work, &bg->mu);
            continue;
        }
        bg->head = j->next;
        if (!bg->head)
            bg->tail = NULL;
        bg->running = 1;
        uv_mutex_unlock(&bg->mu);
        n = run_job(bg, j, &rc, &what);
        uv_mutex_lock(&bg->mu);
        bg->running = 0;
        finished_locked(bg, j, 1, rc, n, what);
        free(j);
    }
    uv_mutex_unlock(&bg->mu);
}

int ef_spool_bg_start(const char *dir, const char *const *names, unsigned n_sinks,
                      struct ef_spool_bg **out)
{
    struct ef_spool_bg *bg = calloc(1, sizeof(*bg));
    int rc = EF_ENOMEM;

    *out = NULL;
    if (!bg)
        return rc;
    bg->dir = strdup(dir);
    bg->cursors = calloc(n_sinks ? n_sinks : 1, sizeof(uint64_t));
    bg->names = names;
    bg->n_sinks = n_sinks;
    if (!bg->dir || !bg->cursors)
        goto fail;
    rc = EF_ESYS;
    if (uv_mutex_init(&bg->mu) != 0)
        goto fail;
    if (uv_cond_init(&bg->work) != 0)
        goto fail_mu;
    if (uv_cond_init(&bg->idle) != 0)
        goto fail_work;
    if (uv_thread_create(&bg->thread, worker, bg) != 0)
        goto fail_idle;
    *out = bg;
    return 0;
fail_idle:
    uv_cond_destroy(&bg->idle);
fail_work:
    uv_cond_destroy(&bg->work);
fail_mu:
    uv_mutex_destroy(&bg->mu);
fail:
    free(bg->cursors);
    free(bg->dir);
    free(bg);
    return rc;
}

void ef_spool_bg_stop(struct ef_spool_bg *bg)
{
    if (!bg)
        return;
    uv_mutex_lock(&bg->mu);
    bg->stop = 1;
    uv_cond_signal(&bg->work);
    uv_mutex_unlock(&bg->mu);
    uv_thread_join(&bg->thread);
    uv_cond_destroy(&bg->idle);
    uv_cond_destroy(&bg->work);
    uv_mutex_destroy(&bg->mu);
    free(bg->cursors);
    free(bg->dir);
    free(bg);
}

static void queue_job(struct ef_spool_bg *bg, struct job *j)
{
    uv_mutex_lock(&bg->mu);
    if (j->kind == J_SYNC_FILE && j->sync)
        bg->file_syncs++;
    if (j->kind == J_LEDGER)
        bg->ledgers++;
    if (bg->tail)
        bg->tail->next = j;
    else
        bg->head = j;
    bg->tail = j;
    uv_cond_signal(&bg->work);
    uv_mutex_unlock(&bg->mu);
}

/*
 * Queues a copy of j, with the n bytes at data (its cursors or its path)
 * copied behind it in the same allocation. Without the memory for that,
 * the job is done here, after the queued ones, so the order holds either
 * way, and its result is returned (its counts are polled like the others).
 */
static int submit(struct ef_spool_bg *bg, const struct job *j, const void *data, size_t n)
{
    struct job *q = malloc(sizeof(*q) + n);
    const char *what = "";
    unsigned fsyncs;
    int rc;

    if (q) {
        *q = *j;
        q->next = NULL;
        if (n)
            memcpy(q + 1, data, n);
        if (j->kind == J_LEDGER)
            q->cursors = (const uint64_t *)(const void *)(q + 1);
        if (j->kind == J_REMOVE)
            q->path = (const char *)(q + 1);
        queue_job(bg, q);
        return 0;
    }
    ef_spool_bg_wait(bg);
    fsyncs = run_job(bg, j, &rc, &what);
    uv_mutex_lock(&bg->mu);
    finished_locked(bg, j, 0, rc, fsyncs, what);
    uv_mutex_unlock(&bg->mu);
    return rc;
}

int ef_spool_bg_sync_file(struct ef_spool_bg *bg, int fd, int sync, int close_after)
{
    struct job j = {.kind = J_SYNC_FILE, .fd = fd, .sync = sync, .close_after = close_after};

    return submit(bg, &j, NULL, 0);
}

int ef_spool_bg_sync_dir(struct ef_spool_bg *bg)
{
    struct job j = {.kind = J_SYNC_DIR};

    return submit(bg, &j, NULL, 0);
}

int ef_spool_bg_ledger(struct ef_spool_bg *bg, const uint64_t *cursors, int sync)
{
    struct job j = {.kind = J_LEDGER, .sync = sync, .cursors = cursors};

    return submit(bg, &j, cursors, bg->n_sinks * sizeof(uint64_t));
}

int ef_spool_bg_remove(struct ef_spool_bg *bg, const char *path)
{
    struct job j = {.kind = J_REMOVE, .path = path};

    return submit(bg, &j, path, strlen(path) + 1);
}

static int pending(struct ef_spool_bg *bg, const unsigned *count)
{
    int n;

    uv_mutex_lock(&bg->mu);
    n = *count > 0;
    uv_mutex_unlock(&bg->mu);
    return n;
}

int ef_spool_bg_file_sync_pending(struct ef_spool_bg *bg)
{
    return pending(bg, &bg->file_syncs);
}

int ef_spool_bg_ledger_pending(struct ef_spool_bg *bg)
{
    return pending(bg, &bg->ledgers);
}

void ef_spool_bg_poll(struct ef_spool_bg *bg, struct ef_spool_bg_done *done)
{
    uv_mutex_lock(&bg->mu);
    done->fsyncs = bg->fsyncs;
    done->ledger_written = bg->ledger_written;
    done->ledger_failed = bg->ledger_failed;
    if (bg->ledger_written)
        memcpy(done->cursors, bg->cursors, bg->n_sinks * sizeof(uint64_t));
    done->error = bg->error;
    done->error_what = bg->error_what;
    bg->fsyncs = 0;
    bg->ledger_written = bg->ledger_failed = 0;
    bg->error = 0;
    bg->error_what = NULL;
    uv_mutex_unlock(&bg->mu);
}

void ef_spool_bg_wait(struct ef_spool_bg *bg)
{
    uv_mutex_lock(&bg->mu);
    while (bg->head || bg->running)
        uv_cond_wait(&bg->idle, &bg->mu);
    uv_mutex_unlock(&bg->mu);
}

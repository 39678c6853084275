/*
 * file.c - the file sink: NDJSON writes, rotation, keep N, gzip. See file.h.
 *
 * DESIGN. The loop thread never touches the disk after open. Batches wait
 * in a FIFO; one job at a time runs on the threadpool (uv_queue_work) and
 * does, with blocking uv_fs calls: write the batch's lines at the end of the
 * file, fsync if configured, and rotate if the size or the time says so.
 * A failed write is cut back off (truncate to the old size), so a retry
 * never leaves half a line. Compressing rotated files and deleting those
 * beyond `keep` is a second, independent job ("maintenance") so a slow
 * gzip never delays writes. Time rotation runs on the pipeline's clock.
 */
#include "sinks/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "config/config.h"
#include "pipeline/clock.h"
#include "pipeline/uv_error.h"
#include "util/buf.h"
#include "pipeline/fsutil.h"
#include "util/error.h"
#include "util/log.h"

#define PATH_CAP    4096
#define MAX_PENDING 64 /* EF_SINKDRV_MAX_IN_FLIGHT */
#define STAMP_CHARS 19 /* YYYYMMDD-HHMMSS.mmm */

struct filesink {
    struct ef_sink *sink;
    uv_loop_t *loop;
    struct ef_clock *clock;
    char *path;
    uint64_t rotate_size, rotate_interval_ms;
    int64_t keep;
    int compress, sync;

    uv_file fd;
    uint64_t size;

    /* batches waiting, oldest first (a ring) */
    struct ef_batch *pending[MAX_PENDING];
    unsigned p_head, p_count;

    /* the write job */
    uv_work_t work;
    int busy;
    int completing; /* inside ef_sink_complete: a close it causes must not free us yet */
    struct ef_batch *cur;
    struct ef_buf wbuf;          /* the lines, when the batch is not laid out as lines */
    size_t job_len;              /* bytes the job writes */
    int rotate_now;              /* the rotation timer fired: rotate at the next job */
    int job_rotate;              /* the running job's copy of rotate_now */
    uint64_t wall_ms;            /* for the rotated name */
    int rc;                      /* the job's result */
    int rotated;                 /* the job rotated */
    char rotated_path[PATH_CAP]; /* ... to here */
    char err_what[64];
    char last_stamp[STAMP_CHARS + 1]; /* the newest rotated name's stamp and -N */
    unsigned long last_uniq;

    /* the maintenance job: compress rotated files, delete beyond keep */
    uv_work_t mwork;
    int mbusy, mscan, mneeded;
    int job_scan; /* the running job's copy of mscan */
    char **todo;  /* rotated files to compress */
    size_t n_todo, cap_todo;
    char **mtodo;
    size_t n_mtodo;
    uint64_t m_compressed, m_errors, m_removed;

    struct ef_timer rot_timer;
    uint64_t opened_ms;
    int closing;
    void (*closed_cb)(struct ef_sink *sink);
    struct ef_file_sink_stats st;
    uint64_t log_every;
};

static uint64_t wall_now_ms(void)
{
    uv_timeval64_t tv;

    if (uv_gettimeofday(&tv) != 0)
        return 0;
    return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static int open_current(struct filesink *f)
{
    uv_fs_t req;
    int r;

    r = uv_fs_open(NULL, &req, f->path, UV_FS_O_WRONLY | UV_FS_O_CREAT, 0644, NULL);
    uv_fs_req_cleanup(&req);
    if (r < 0)
        return ef_from_uv(r);
    f->fd = r;
    r = uv_fs_fstat(NULL, &req, f->fd, NULL);
    f->size = r == 0 ? req.statbuf.st_size : 0;
    uv_fs_req_cleanup(&req);
    return r < 0 ? ef_from_uv(r) : 0;
}

static void close_current(struct filesink *f)
{
    uv_fs_t req;

    if (f->fd < 0)
        return;
    uv_fs_close(NULL, &req, f->fd, NULL);
    uv_fs_req_cleanup(&req);
    f->fd = -1;
}

/* Whether path or path.gz exists. */
static int name_taken(const char *path)
{
    char gz[PATH_CAP + 4];
    uv_fs_t req;
    int r;

    r = uv_fs_stat(NULL, &req, path, NULL);
    uv_fs_req_cleanup(&req);
    if (r != UV_ENOENT)
        return 1;
    snprintf(gz, sizeof(gz), "%s.gz", path);
    r = uv_fs_stat(NULL, &req, gz, NULL);
    uv_fs_req_cleanup(&req);
    return r != UV_ENOENT;
}

/* Notes the stamp and number of a rotated file's name (PATH.<stamp>[-N][.gz]). */
static const char *last_component(const char *p)
{
    const char *b = p;

    for (; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

static void note_rotated(struct filesink *f, const char *name)
{
    const char *rest = last_component(name) + strlen(last_component(f->path)) + 1;

    if (strlen(rest) < STAMP_CHARS)
        return;
    memcpy(f->last_stamp, rest, STAMP_CHARS);
    f->last_stamp[STAMP_CHARS] = '\0';
    f->last_uniq = rest[STAMP_CHARS] == '-' ? strtoul(rest + STAMP_CHARS + 1, NULL, 10) : 0;
}

/*
 * Picks the rotated name: the time's stamp, but never one that sorts before
 * the previous rotation (several rotations in a millisecond, a clock set
 * back, a name freed by keep): then the previous stamp with -N, N growing.
 */
static int pick_name(struct filesink *f)
{
    char *out = f->rotated_path;
    size_t n = strlen(f->path) + 1, len;
    unsigned long uniq = 0;
    int rc, i;

    rc = ef_file_rotated_name(f->path, f->wall_ms, out, sizeof(f->rotated_path));
    if (rc < 0)
        return rc;
    if (f->last_stamp[0] && strncmp(out + n, f->last_stamp, STAMP_CHARS) <= 0) {
        memcpy(out + n, f->last_stamp, STAMP_CHARS);
        uniq = f->last_uniq + 1;
    }
    len = n + STAMP_CHARS;
    for (i = 0; i < 100000; i++, uniq++) {
        if (uniq > 0)
            snprintf(out + len, sizeof(f->rotated_path) - len, "-%lu", uniq);
        else
            out[len] = '\0';
        if (!name_taken(out)) {
            memcpy(f->last_stamp, out + n, STAMP_CHARS);
            f->last_stamp[STAMP_CHARS] = '\0';
            f->last_uniq = uniq;
            return 0;
        }
    }
    return EF_EEXIST;
}

/* Renames the current file away and starts a new one. Threadpool. */
static int rotate(struct filesink *f)
{
    uv_fs_t req;
    int r, rc;

    if (strlen(f->path) + STAMP_CHARS + 16 >= sizeof(f->rotated_path))
        return EF_ENOSPC;
    rc = pick_name(f);
    if (rc < 0)
        return rc;
    close_current(f);
    r = uv_fs_rename(NULL, &req, f->path, f->rotated_path, NULL);
    uv_fs_req_cleanup(&req);
    rc = r < 0 ? ef_from_uv(r) : 0;
    if (rc == 0)
        f->rotated = 1;
    /* Whatever happened, keep a file to write to. */
    r = open_current(f);
    return rc < 0 ? rc : r;
}

/*
 * Lays out the batch as lines: each event then '\n', unless the pipeline
 * did (batch->lines, asked for by wants_lines): then the batch's own bytes
 * are written. Threadpool: the batch stays unchanged until its completion
 * (sink.h).
 */
static int build_lines(struct filesink *f, const struct ef_batch *b, const char **p, size_t *n)
{
    size_t i;
    int rc;

    if (b->lines) {
        *p = b->data.data;
        *n = b->data.len;
        return 0;
    }
    ef_buf_reset(&f->wbuf);
    rc = ef_buf_reserve(&f->wbuf, b->data.len + b->count);
    for (i = 0; rc == 0 && i < b->count; i++) {
        rc = ef_buf_append(&f->wbuf, b->data.data + b->events[i].off, b->events[i].len);
        if (rc == 0)
            rc = ef_buf_append_byte(&f->wbuf, '\n');
    }
    *p = f->wbuf.data;
    *n = f->wbuf.len;
    return rc;
}

static void write_job(uv_work_t *w)
{
    struct filesink *f = w->data;
    uint64_t old = f->size, off = f->size;
    const char *p;
    size_t left;
    uv_fs_t req;
    int r;

    f->rc = 0;
    f->rotated = 0;
    f->err_what[0] = '\0';
    p = NULL;
    left = 0;
    if (f->cur && (f->rc = build_lines(f, f->cur, &p, &left)) < 0) {
        snprintf(f->err_what, sizeof(f->err_what), "buffer");
        return;
    }
    f->job_len = left;
    if (f->fd < 0 && (f->rc = open_current(f)) < 0) {
        snprintf(f->err_what, sizeof(f->err_what), "open");
        return;
    }
    while (left > 0) {
        uv_buf_t b = uv_buf_init((char *)p, (unsigned)(left > (1u << 30) ? (1u << 30) : left));

        r = uv_fs_write(NULL, &req, f->fd, &b, 1, (int64_t)off, NULL);
        uv_fs_req_cleanup(&req);
        if (r <= 0) {
            f->rc = r < 0 ? ef_from_uv(r) : EF_EIO;
            snprintf(f->err_what, sizeof(f->err_what), "write");
            /* No half line stays behind for the retry to append to. */
            uv_fs_ftruncate(NULL, &req, f->fd, (int64_t)old, NULL);
            uv_fs_req_cleanup(&req);
            return;
        }
        p += r;
        left -= (size_t)r;
        off += (uint64_t)r;
    }
    f->size = off;
    if (f->sync && f->job_len > 0) {
        r = uv_fs_fsync(NULL, &req, f->fd, NULL);
        uv_fs_req_cleanup(&req);
        if (r < 0) {
            f->rc = ef_from_uv(r);
            snprintf(f->err_what, sizeof(f->err_what), "fsync");
            return;
        }
    }
    if (f->size > 0 && (f->job_rotate || (f->rotate_size > 0 && f->size >= f->rotate_size))) {
        r = rotate(f);
        if (r < 0) {
            /* The batch is written: only the rotation failed. Logged, not retried. */
            snprintf(f->err_what, sizeof(f->err_what), "rotate");
            f->rc = r;
        }
    }
}

static void start_next(struct filesink *f);
static void start_maint(struct filesink *f);
static void maybe_closed(struct filesink *f);

static int push_todo(struct filesink *f, const char *path)
{
    char *copy;

    if (f->n_todo == f->cap_todo) {
        size_t ncap = f->cap_todo ? f->cap_todo * 2 : 8;
        char **nv = realloc(f->todo, ncap * sizeof(*nv));

        if (!nv)
            return EF_ENOMEM;
        f->todo = nv;
        f->cap_todo = ncap;
    }
    copy = malloc(strlen(path) + 1);
    if (!copy)
        return EF_ENOMEM;
    strcpy(copy, path);
    f->todo[f->n_todo++] = copy;
    return 0;
}

static void arm_rotation_timer(struct filesink *f)
{
    if (f->rotate_interval_ms > 0 && !f->closing)
        ef_timer_start(f->clock, &f->rot_timer, f->rotate_interval_ms);
}

static void write_done(uv_work_t *w, int status)
{
    struct filesink *f = w->data;
    struct ef_batch *b = f->cur;
    struct ef_sink_result res = {.verdict = EF_SINK_ACK};
    char reason[160];
    int wrote = f->rc == 0 || strcmp(f->err_what, "rotate") == 0;

    f->busy = 0;
    f->cur = NULL;
    if (status < 0 && f->rc == 0) {
        f->rc = EF_ECANCELED;
        wrote = 0;
    }
    f->st.size = f->size;
    if (f->job_rotate && (f->rotated || f->size == 0)) {
        f->rotate_now = 0;
        f->opened_ms = ef_clock_now(f->clock);
        arm_rotation_timer(f);
    }
    if (f->rotated) {
        f->st.rotations++;
        if (push_todo(f, f->rotated_path) < 0)
            ef_log_error("file", "%s: out of memory queueing %s", f->path, f->rotated_path);
        f->mneeded = 1;
        start_maint(f);
    }
    if (f->rc < 0) {
        f->st.write_errors++;
        snprintf(reason, sizeof(reason), "%s %s: %s", f->err_what, f->path, ef_strerror(f->rc));
        EF_LOG_EVERY(f->log_every, 100, EF_LOG_ERROR, "file", "%s", reason);
        if (!wrote) {
            res.verdict = EF_SINK_RETRY;
            res.reason = reason;
        }
    }
    if (b) {
        if (res.verdict == EF_SINK_ACK) {
            f->st.batches++;
            f->st.events += b->count;
            f->st.bytes += f->job_len;
        }
        /*
         * Completing may stop the driver (a reload restarting the sink, the
         * shutdown timeout), which closes the sink: maybe_closed below frees
         * it, not the close inside the call, since f is used after it.
         */
        f->completing = 1;
        ef_sink_complete(f->sink, b, &res);
        f->completing = 0;
    }
    start_next(f);
    maybe_closed(f);
}

static void start_next(struct filesink *f)
{
    struct ef_batch *b = NULL;
    int rc;

    if (f->busy)
        return;
    if (f->p_count > 0) {
        b = f->pending[f->p_head];
        f->p_head = (f->p_head + 1) % MAX_PENDING;
        f->p_count--;
        /* write_job lays the batch out. */
    } else if (f->rotate_now && !f->closing) {
        f->job_len = 0;
    } else {
        return;
    }
    f->cur = b;
    f->busy = 1;
    f->job_rotate = f->rotate_now;
    f->wall_ms = wall_now_ms();
    f->work.data = f;
    rc = uv_queue_work(f->loop, &f->work, write_job, write_done);
    if (rc < 0) {
        f->rc = EF_ESYS;
        snprintf(f->err_what, sizeof(f->err_what), "queue");
        f->rotated = 0;
        write_done(&f->work, 0);
    }
}

/* --- maintenance: compress, then keep only the newest `keep` rotated files --- */

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);

    return n >= m && strcmp(s + n - m, suf) == 0;
}

static void maint_job(uv_work_t *w)
{
    struct filesink *f = w->data;
    char dst[PATH_CAP + 4];
    char **names = NULL;
    size_t i, n = 0;
    uv_fs_t req;
    int rc;

    if (f->job_scan && f->compress == EF_COMPRESS_GZIP) {
        /* Rotated files a previous run had no time to compress. */
        if (ef_file_list_rotated(f->path, &names, &n) == 0) {
            for (i = 0; i < n; i++) {
                if (has_suffix(names[i], ".gz"))
                    continue;
                snprintf(dst, sizeof(dst), "%s.gz", names[i]);
                if (ef_file_gzip(names[i], dst) == 0)
                    f->m_compressed++;
                else
                    f->m_errors++;
            }
            ef_file_free_list(names, n);
            names = NULL;
        }
    }
    for (i = 0; i < f->n_mtodo; i++) {
        if (f->compress != EF_COMPRESS_GZIP)
            break;
        snprintf(dst, sizeof(dst), "%s.gz", f->mtodo[i]);
        rc = ef_file_gzip(f->mtodo[i], dst);
        if (rc == 0)
            f->m_compressed++;
        else
            f->m_errors++;
    }
    if (f->keep > 0 && ef_file_list_rotated(f->path, &names, &n) == 0) {
        for (i = 0; i + (size_t)f->keep < n; i++) {
            if (uv_fs_unlink(NULL, &req, names[i], NULL) == 0)
                f->m_removed++;
            uv_fs_req_cleanup(&req);
        }
        ef_file_free_list(names, n);
    }
}

static void maint_done(uv_work_t *w, int status)
{
    struct filesink *f = w->data;
    size_t i;

    (void)status;
    for (i = 0; i < f->n_mtodo; i++)
        free(f->mtodo[i]);
    free(f->mtodo);
    f->mtodo = NULL;
    f->n_mtodo = 0;
    f->mbusy = 0;
    f->st.compressed += f->m_compressed;
    f->st.removed += f->m_removed;
    if (f->m_errors) {
        f->st.compress_errors += f->m_errors;
        ef_log_error("file", "%s: %llu rotated file(s) could not be compressed", f->path,
                     (unsigned long long)f->m_errors);
    }
    start_maint(f);
    maybe_closed(f);
}

static void start_maint(struct filesink *f)
{
    if (f->mbusy || (!f->mneeded && f->n_todo == 0) || f->closing)
        return;
    f->mtodo = f->todo;
    f->n_mtodo = f->n_todo;
    f->todo = NULL;
    f->n_todo = f->cap_todo = 0;
    f->mneeded = 0;
    f->m_compressed = f->m_errors = f->m_removed = 0;
    f->mbusy = 1;
    f->job_scan = f->mscan;
    f->mscan = 0;
    f->mwork.data = f;
    if (uv_queue_work(f->loop, &f->mwork, maint_job, maint_done) < 0)
        maint_done(&f->mwork, 0);
}

/* --- the ops --- */

static void on_rotation_timer(struct ef_timer *t)
{
    struct filesink *f = t->data;

    f->rotate_now = 1;
    start_next(f);
}

static char *dup_str(const char *s)
{
    char *d = malloc(strlen(s) + 1);

    if (d)
        strcpy(d, s);
    return d;
}

static void free_sink(struct filesink *f)
{
    size_t i;

    for (i = 0; i < f->n_todo; i++)
        free(f->todo[i]);
    free(f->todo);
    ef_buf_free(&f->wbuf);
    free(f->path);
    free(f);
}

/* Rotated names continue after what an earlier run left. Loop thread, at open. */
static void remember_last_rotated(struct filesink *f)
{
    char **names;
    size_t n;

    if (ef_file_list_rotated(f->path, &names, &n) < 0)
        return;
    if (n > 0)
        note_rotated(f, names[n - 1]);
    ef_file_free_list(names, n);
}

/* Creates the folders path's file goes in. Loop thread, at open. */
static int make_parent(const char *path)
{
    char dir[4096];
    size_t n = strlen(path);
    int rc;

    while (n > 0 && path[n - 1] != '/'
#ifdef _WIN32
           && path[n - 1] != '\\' && !(n == 2 && path[1] == ':')
#endif
    )
        n--;
    while (n > 1 && (path[n - 1] == '/' || path[n - 1] == '\\'))
        n--;
    if (n == 0 || n >= sizeof(dir) || (n == 2 && path[1] == ':'))
        return 0; /* a bare file name or a drive's root: the folder exists */
    memcpy(dir, path, n);
    dir[n] = '\0';
    rc = ef_fs_mkdir_p(dir);
    if (rc < 0)
        ef_log_error("file", "cannot create the folder %s: %s", dir, ef_strerror(rc));
    return rc;
}

static int file_open(struct ef_sink *sink, const struct ef_sink_cfg *cfg, uv_loop_t *loop,
                     void **state)
{
    struct filesink *f;
    int rc;

    *state = NULL;
    if (!cfg || !cfg->path || !*cfg->path)
        return EF_EINVAL;
    f = calloc(1, sizeof(*f));
    if (!f)
        return EF_ENOMEM;
    f->sink = sink;
    f->loop = loop;
    f->clock = ef_sink_clock(sink);
    f->fd = -1;
    f->rotate_size = cfg->rotate_size;
    f->rotate_interval_ms = cfg->rotate_interval_ms;
    f->keep = cfg->keep;
    f->compress = cfg->compress;
    f->sync = cfg->sync;
    ef_buf_init(&f->wbuf, (size_t)-1 / 2);
    ef_timer_init(&f->rot_timer, on_rotation_timer, f);
    f->path = dup_str(cfg->path);
    if (!f->path) {
        free_sink(f);
        return EF_ENOMEM;
    }
    /* Missing folders are created, as rsyslog and Fluent Bit do. */
    rc = make_parent(f->path);
    /* Once, at start: a wrong path is reported now, not at the first event. */
    if (rc == 0)
        rc = open_current(f);
    if (rc < 0) {
        ef_log_error("file", "cannot open %s: %s", f->path, ef_strerror(rc));
        free_sink(f);
        return rc;
    }
    f->st.size = f->size;
    remember_last_rotated(f);
    f->opened_ms = ef_clock_now(f->clock);
    arm_rotation_timer(f);
    /* Compress what an earlier run rotated but left uncompressed, apply keep. */
    f->mscan = 1;
    f->mneeded = 1;
    start_maint(f);
    *state = f;
    return 0;
}

static int file_send(void *state, struct ef_batch *batch)
{
    struct filesink *f = state;

    if (f->closing)
        return EF_ECANCELED;
    if (f->p_count == MAX_PENDING)
        return EF_ELIMIT;
    f->pending[(f->p_head + f->p_count) % MAX_PENDING] = batch;
    f->p_count++;
    start_next(f);
    return 0;
}

static void maybe_closed(struct filesink *f)
{
    struct ef_sink *sink = f->sink;
    void (*cb)(struct ef_sink * sink) = f->closed_cb;

    if (!f->closing || f->busy || f->mbusy || f->p_count > 0 || f->completing)
        return;
    /* Both jobs are done: the descriptor is ours alone again. */
    close_current(f);
    f->closing = 2;
    free_sink(f);
    if (cb)
        cb(sink);
}

static void file_close(void *state, void (*done)(struct ef_sink *sink))
{
    struct filesink *f = state;

    if (f->closing)
        return;
    f->closing = 1;
    f->closed_cb = done;
    ef_timer_stop(f->clock, &f->rot_timer);
    maybe_closed(f);
}

static void file_stats(void *state, struct ef_buf *out)
{
    struct filesink *f = state;

    ef_buf_appendf(out,
                   "etwfwd_file_rotations_total{sink=\"%s\"} %llu\n"
                   "etwfwd_file_write_errors_total{sink=\"%s\"} %llu\n"
                   "etwfwd_file_compressed_total{sink=\"%s\"} %llu\n"
                   "etwfwd_file_compress_errors_total{sink=\"%s\"} %llu\n"
                   "etwfwd_file_size_bytes{sink=\"%s\"} %llu\n",
                   ef_sink_name(f->sink), (unsigned long long)f->st.rotations,
                   ef_sink_name(f->sink), (unsigned long long)f->st.write_errors,
                   ef_sink_name(f->sink), (unsigned long long)f->st.compressed,
                   ef_sink_name(f->sink), (unsigned long long)f->st.compress_errors,
                   ef_sink_name(f->sink), (unsigned long long)f->st.size);
}

void ef_file_sink_get_stats(void *state, struct ef_file_sink_stats *st)
{
    struct filesink *f = state;

    *st = f->st;
}

const struct ef_sink_ops ef_sink_file_ops = {
    .type = "file",
    .wants_lines = 1,
    .open = file_open,
    .send = file_send,
    .close = file_close,
    .stats = file_stats,
};

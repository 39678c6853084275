/*
 * checkpoint.c - file sessions' checkpoints (checkpoint.h).
 *
 * The file, one trace a line, the path last since it may hold spaces:
 *
 *   etwfwd-checkpoints 1
 *   done EVENTS SIZE SHA1 PATH     every event of the trace reached the spool
 *   at EVENTS SIZE SHA1 PATH       its first EVENTS events did
 *   crc32c XXXXXXXX                of everything above
 *
 * written through FILE.tmp and a rename, as the spool's ledger is.
 */
#include "source/checkpoint.h"

#include "pipeline/fsutil.h"
#include "util/crc32c.h"
#include "util/error.h"
#include "util/file.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/sha1.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define HEADER       "etwfwd-checkpoints 1\n"
#define IDENTITY_LEN (64u * 1024)
#define MAX_FILE     (64u * 1024 * 1024)

struct entry {
    char *path;
    uint64_t size;
    uint8_t hash[EF_SHA1_DIGEST_SIZE];
    uint64_t events; /* events of the trace the spool accepted, over every run */
    int done;
    /* This run. */
    int active;     /* begun in this run */
    uint64_t skip;  /* events forwarded by earlier runs */
    uint64_t first; /* the session's queued-event count when it began */
    uint64_t end;
    int ended;
};

struct ef_ckpt {
    uv_mutex_t mu;
    char *file, *dir, *session;
    struct entry *v;
    size_t n, cap;
    size_t cur;    /* the entry begun last */
    uint64_t base; /* where the next source's count starts */
    int dirty;
    int save_error_logged;
};

static void free_entries(struct ef_ckpt *c)
{
    size_t i;

    for (i = 0; i < c->n; i++)
        free(c->v[i].path);
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

static struct entry *add(struct ef_ckpt *c, const char *path)
{
    struct entry *e;

    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct entry *v = realloc(c->v, cap * sizeof(*v));

        if (!v)
            return NULL;
        c->v = v;
        c->cap = cap;
    }
    e = &c->v[c->n];
    memset(e, 0, sizeof(*e));
    e->path = strdup(path);
    if (!e->path)
        return NULL;
    c->n++;
    return e;
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* Parses one entry line; 0 or EF_EFORMAT. */
static int parse_line(struct ef_ckpt *c, char *line)
{
    char kind[8], hash[2 * EF_SHA1_DIGEST_SIZE + 1];
    unsigned long long events, size;
    struct entry *e;
    int off = 0, i;

    if (sscanf(line, "%7s %llu %llu %40s %n", kind, &events, &size, hash, &off) != 4 || off == 0 ||
        line[off] == '\0' || strlen(hash) != 2 * EF_SHA1_DIGEST_SIZE)
        return EF_EFORMAT;
    if (strcmp(kind, "done") != 0 && strcmp(kind, "at") != 0)
        return EF_EFORMAT;
    for (i = 0; i < 2 * EF_SHA1_DIGEST_SIZE; i++)
        if (hex_digit(hash[i]) < 0)
            return EF_EFORMAT;
    e = add(c, line + off);
    if (!e)
        return EF_ENOMEM;
    for (i = 0; i < EF_SHA1_DIGEST_SIZE; i++)
        e->hash[i] = (uint8_t)(hex_digit(hash[2 * i]) << 4 | hex_digit(hash[2 * i + 1]));
    e->events = events;
    e->size = size;
    e->done = kind[0] == 'd';
    return 0;
}

/* Reads the file into c: 0 (also when missing), EF_ECORRUPT, EF_EFORMAT or an I/O error. */
static int load(struct ef_ckpt *c)
{
    char *data = NULL, *p, *nl, *crc_line;
    unsigned crc;
    size_t len;
    int rc;

    rc = ef_read_file(c->file, MAX_FILE, &data, &len);
    if (rc == EF_ENOENT)
        return 0;
    if (rc < 0)
        return rc;
    rc = EF_EFORMAT;
    if (len < strlen(HEADER) || memcmp(data, HEADER, strlen(HEADER)) != 0)
        goto out;
    /* The last line is the checksum of everything before it. */
    if (data[len - 1] != '\n')
        goto out;
    data[len - 1] = '\0';
    for (p = data + len - 1; p > data && p[-1] != '\n'; p--)
        ;
    crc_line = p;
    if (sscanf(crc_line, "crc32c %8x", &crc) != 1) {
        rc = EF_ECORRUPT;
        goto out;
    }
    if (ef_crc32c(0, data, (size_t)(crc_line - data)) != crc) {
        rc = EF_ECORRUPT;
        goto out;
    }
    *crc_line = '\0';
    for (p = data + strlen(HEADER); *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl)
            goto out;
        *nl = '\0';
        if ((rc = parse_line(c, p)) < 0)
            goto out;
    }
    rc = 0;
out:
    free(data);
    if (rc < 0)
        free_entries(c);
    return rc;
}

int ef_ckpt_open(const char *file, const char *session, struct ef_ckpt **out)
{
    struct ef_ckpt *c = calloc(1, sizeof(*c));
    size_t i, kept = 0, n;
    unsigned long long size;
    char *slash;
    int rc;

    *out = NULL;
    if (!c)
        return EF_ENOMEM;
    c->file = strdup(file);
    c->dir = strdup(file);
    c->session = strdup(session);
    if (!c->file || !c->dir || !c->session || uv_mutex_init(&c->mu) != 0) {
        free(c->file);
        free(c->dir);
        free(c->session);
        free(c);
        return EF_ENOMEM;
    }
    slash = strrchr(c->dir, '/');
#ifdef _WIN32
    if (!slash || strrchr(c->dir, '\\') > slash)
        slash = strrchr(c->dir, '\\');
#endif
    if (slash)
        *slash = '\0';
    rc = load(c);
    if (rc == EF_ENOMEM) {
        ef_ckpt_free(c);
        return rc;
    }
    if (rc < 0)
        ef_log_warn("source",
                    "session %s: checkpoints %s: %s; its traces are read from their start "
                    "(events already forwarded are sent again)",
                    session, file, ef_strerror(rc));
    /* Traces that are gone need no checkpoint. */
    n = c->n;
    for (i = 0; i < n; i++) {
        if (ef_path_stat(c->v[i].path, &size) == 0)
            c->v[kept++] = c->v[i];
        else
            free(c->v[i].path);
    }
    c->n = kept;
    c->cur = SIZE_MAX;
    *out = c;
    return 0;
}

/* The identity of the trace at path: its size and the SHA-1 of its first 64 KiB. */
static int identity(const char *path, uint64_t *size, uint8_t hash[EF_SHA1_DIGEST_SIZE])
{
    static const size_t chunk = 16 * 1024;
    unsigned long long sz;
    struct ef_sha1 h;
    char buf[16 * 1024];
    size_t got, total = 0;
    FILE *f;
    int rc;

    rc = ef_path_stat(path, &sz);
    if (rc < 0)
        return rc;
    f = ef_fopen(path, "rb");
    if (!f)
        return ef_from_errno(errno);
    ef_sha1_init(&h);
    while (total < IDENTITY_LEN && (got = fread(buf, 1, chunk, f)) > 0) {
        if (got > IDENTITY_LEN - total)
            got = IDENTITY_LEN - total;
        ef_sha1_update(&h, buf, got);
        total += got;
    }
    rc = ferror(f) ? EF_EIO : 0;
    fclose(f);
    ef_sha1_final(&h, hash);
    *size = sz;
    return rc;
}

int ef_ckpt_begin_file(struct ef_ckpt *c, const char *path, uint64_t first, uint64_t *skip)
{
    uint8_t hash[EF_SHA1_DIGEST_SIZE];
    struct entry *e = NULL;
    uint64_t size;
    size_t i;
    int rc;

    *skip = 0;
    /* A name with a line break cannot be written in the file: such a trace has no checkpoint. */
    if (strchr(path, '\n') || strchr(path, '\r'))
        return 0;
    rc = identity(path, &size, hash);
    if (rc < 0)
        return rc;
    uv_mutex_lock(&c->mu);
    for (i = 0; i < c->n && !e; i++)
        if (strcmp(c->v[i].path, path) == 0)
            e = &c->v[i];
    if (e && (e->size != size || memcmp(e->hash, hash, sizeof(hash)) != 0)) {
        /* Not the trace forwarded before: all of it is new. */
        e->events = 0;
        e->done = 0;
        c->dirty = 1;
    }
    if (e && e->done) {
        uv_mutex_unlock(&c->mu);
        return 1;
    }
    if (!e)
        e = add(c, path);
    if (!e) {
        uv_mutex_unlock(&c->mu);
        return EF_ENOMEM;
    }
    e->size = size;
    memcpy(e->hash, hash, sizeof(hash));
    e->active = 1;
    e->skip = e->events;
    e->first = first;
    e->ended = 0;
    c->cur = (size_t)(e - c->v);
    *skip = e->skip;
    c->dirty = 1;
    uv_mutex_unlock(&c->mu);
    return 0;
}

void ef_ckpt_end_file(struct ef_ckpt *c, uint64_t end)
{
    uv_mutex_lock(&c->mu);
    if (c->cur < c->n) {
        c->v[c->cur].end = end;
        c->v[c->cur].ended = 1;
    }
    uv_mutex_unlock(&c->mu);
}

uint64_t ef_ckpt_base(struct ef_ckpt *c)
{
    uint64_t base;

    uv_mutex_lock(&c->mu);
    base = c->base;
    uv_mutex_unlock(&c->mu);
    return base;
}

void ef_ckpt_source_ended(struct ef_ckpt *c, uint64_t queued)
{
    uv_mutex_lock(&c->mu);
    if (queued > c->base)
        c->base = queued;
    /* A trace it did not finish is read again, from what the spool accepted, by the next one. */
    c->cur = SIZE_MAX;
    uv_mutex_unlock(&c->mu);
}

void ef_ckpt_accepted(struct ef_ckpt *c, uint64_t pos)
{
    size_t i;

    uv_mutex_lock(&c->mu);
    for (i = 0; i < c->n; i++) {
        struct entry *e = &c->v[i];
        uint64_t upto, events;
        int done;

        if (!e->active)
            continue;
        upto = e->ended && pos > e->end ? e->end : pos;
        events = e->skip + (upto > e->first ? upto - e->first : 0);
        done = e->ended && pos >= e->end;
        if (events != e->events || done != e->done) {
            e->events = events;
            e->done = done;
            c->dirty = 1;
        }
    }
    uv_mutex_unlock(&c->mu);
}

int ef_ckpt_save(struct ef_ckpt *c)
{
    char tmp[4200];
    struct ef_buf b;
    size_t i;
    int fd = -1, rc = 0;

    ef_buf_init(&b, MAX_FILE);
    uv_mutex_lock(&c->mu);
    if (!c->dirty) {
        uv_mutex_unlock(&c->mu);
        return 0;
    }
    rc = ef_buf_append_str(&b, HEADER);
    for (i = 0; i < c->n && rc == 0; i++) {
        const struct entry *e = &c->v[i];

        rc = ef_buf_appendf(&b, "%s %" PRIu64 " %" PRIu64 " ", e->done ? "done" : "at", e->events,
                            e->size);
        if (rc == 0)
            rc = ef_hex_append(&b, e->hash, sizeof(e->hash));
        if (rc == 0)
            rc = ef_buf_appendf(&b, " %s\n", e->path);
    }
    c->dirty = rc < 0;
    uv_mutex_unlock(&c->mu);
    if (rc == 0)
        rc = ef_buf_appendf(&b, "crc32c %08x\n", (unsigned)ef_crc32c(0, b.data, b.len));
    if (rc == 0)
        rc = ef_fs_mkdir_p(c->dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", c->file);
    if (rc == 0)
        rc = ef_fs_open(tmp, EF_FS_WRITE | EF_FS_CREATE | EF_FS_TRUNC, &fd);
    if (rc == 0) {
        rc = ef_fs_pwrite(fd, b.data, b.len, 0);
        if (rc == 0)
            rc = ef_fs_sync_file(fd);
        ef_fs_close(fd);
    }
    if (rc == 0)
        rc = ef_fs_replace(tmp, c->file, c->dir);
    ef_buf_free(&b);
    if (rc < 0) {
        uv_mutex_lock(&c->mu);
        c->dirty = 1;
        uv_mutex_unlock(&c->mu);
        if (!c->save_error_logged++)
            ef_log_error("source",
                         "session %s: checkpoints %s: %s (a restart may send events again)",
                         c->session, c->file, ef_strerror(rc));
    }
    return rc;
}

void ef_ckpt_free(struct ef_ckpt *c)
{
    if (!c)
        return;
    free_entries(c);
    uv_mutex_destroy(&c->mu);
    free(c->file);
    free(c->dir);
    free(c->session);
    free(c);
}

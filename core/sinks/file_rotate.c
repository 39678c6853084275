/*
 * file_rotate.c - the file sink's rotated files: their names, listing them
 * oldest first, and compressing them with zlib. Everything here blocks and
 * runs on the threadpool (or in tests); uv_fs_* calls without a callback
 * are synchronous and touch no loop state, so they are safe there.
 */
#include "sinks/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <zlib.h>

#include "pipeline/uv_error.h"
#include "util/error.h"

#define STAMP_LEN 19 /* YYYYMMDD-HHMMSS.mmm */
#define IO_CHUNK  (256u * 1024)

/* Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static void civil(int64_t days, int *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int ef_file_rotated_name(const char *path, uint64_t wall_ms, char *out, size_t cap)
{
    uint64_t secs = wall_ms / 1000, sod = secs % 86400;
    unsigned mo, d;
    int y, w;

    civil((int64_t)(secs / 86400), &y, &mo, &d);
    w = snprintf(out, cap, "%s.%04d%02u%02u-%02u%02u%02u.%03u", path, y, mo, d,
                 (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60),
                 (unsigned)(wall_ms % 1000));
    return w < 0 || (size_t)w >= cap ? EF_ENOSPC : 0;
}

/* Splits path into its folder ("." if none) and its last component. */
static void split_path(const char *path, char *dir, size_t cap, const char **base)
{
    const char *slash = NULL, *p;
    size_t n;

    for (p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            slash = p;
    if (!slash) {
        snprintf(dir, cap, ".");
        *base = path;
        return;
    }
    n = (size_t)(slash - path);
    if (n == 0)
        n = 1; /* "/file": the root */
    if (n >= cap)
        n = cap - 1;
    memcpy(dir, path, n);
    dir[n] = '\0';
    *base = slash + 1;
}

static int is_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Parses "<stamp>[-N][.gz]" after "base."; gives the uniquifier N (0 if none). */
static int match_rotated(const char *rest, unsigned long *uniq)
{
    const char *p = rest + STAMP_LEN;

    if (strlen(rest) < STAMP_LEN || !is_digits(rest, 8) || rest[8] != '-' ||
        !is_digits(rest + 9, 6) || rest[15] != '.' || !is_digits(rest + 16, 3))
        return 0;
    *uniq = 0;
    if (*p == '-') {
        char *end;

        if (p[1] < '0' || p[1] > '9')
            return 0;
        *uniq = strtoul(p + 1, &end, 10);
        p = end;
    }
    return strcmp(p, "") == 0 || strcmp(p, ".gz") == 0;
}

struct rotated {
    char *path;
    char stamp[STAMP_LEN + 1];
    unsigned long uniq;
};

static int cmp_rotated(const void *a, const void *b)
{
    const struct rotated *x = a, *y = b;
    int c = strcmp(x->stamp, y->stamp);

    if (c)
        return c;
    return x->uniq < y->uniq ? -1 : x->uniq > y->uniq;
}

void ef_file_free_list(char **names, size_t n)
{
    size_t i;

    if (!names)
        return;
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int ef_file_list_rotated(const char *path, char ***names, size_t *n)
{
    char dir[4096];
    const char *base;
    size_t blen, count = 0, cap = 0, i;
    struct rotated *v = NULL;
    uv_fs_t req;
    uv_dirent_t ent;
    int r, rc = 0;

    *names = NULL;
    *n = 0;
    split_path(path, dir, sizeof(dir), &base);
    blen = strlen(base);
    r = uv_fs_scandir(NULL, &req, dir, 0, NULL);
    if (r < 0) {
        uv_fs_req_cleanup(&req);
        return ef_from_uv(r);
    }
    while (uv_fs_scandir_next(&req, &ent) != UV_EOF) {
        unsigned long uniq;
        size_t plen;

        if (strncmp(ent.name, base, blen) != 0 || ent.name[blen] != '.' ||
            !match_rotated(ent.name + blen + 1, &uniq))
            continue;
        if (count == cap) {
            struct rotated *nv;

            cap = cap ? cap * 2 : 16;
            nv = realloc(v, cap * sizeof(*v));
            if (!nv) {
                rc = EF_ENOMEM;
                goto out;
            }
            v = nv;
        }
        plen = strlen(dir) + 1 + strlen(ent.name) + 1;
        v[count].path = malloc(plen);
        if (!v[count].path) {
            rc = EF_ENOMEM;
            goto out;
        }
        snprintf(v[count].path, plen, "%s/%s", dir, ent.name);
        memcpy(v[count].stamp, ent.name + blen + 1, STAMP_LEN);
        v[count].stamp[STAMP_LEN] = '\0';
        v[count].uniq = uniq;
        count++;
    }
    if (count > 1) /* qsort(NULL, 0, ...) is undefined */
        qsort(v, count, sizeof(*v), cmp_rotated);
    *names = calloc(count ? count : 1, sizeof(char *));
    if (!*names) {
        rc = EF_ENOMEM;
        goto out;
    }
    for (i = 0; i < count; i++) {
        (*names)[i] = v[i].path;
        v[i].path = NULL;
    }
    *n = count;
out:
    for (i = 0; i < count; i++)
        free(v[i].path);
    free(v);
    uv_fs_req_cleanup(&req);
    return rc;
}

/* Writes all of len bytes (blocking). */
static int write_all(uv_file fd, const void *data, size_t len, int64_t off)
{
    uv_fs_t req;
    int r;

    while (len > 0) {
        uv_buf_t b = uv_buf_init((char *)data, (unsigned)(len > IO_CHUNK ? IO_CHUNK : len));

        r = uv_fs_write(NULL, &req, fd, &b, 1, off, NULL);
        uv_fs_req_cleanup(&req);
        if (r < 0)
            return ef_from_uv(r);
        if (r == 0)
            return EF_EIO;
        data = (const char *)data + r;
        len -= (size_t)r;
        if (off >= 0)
            off += r;
    }
    return 0;
}

static int open_file(const char *path, int flags, uv_file *fd)
{
    uv_fs_t req;
    int r = uv_fs_open(NULL, &req, path, flags, 0644, NULL);

    uv_fs_req_cleanup(&req);
    if (r < 0)
        return ef_from_uv(r);
    *fd = r;
    return 0;
}

static void close_file(uv_file fd)
{
    uv_fs_t req;

    if (fd < 0)
        return;
    uv_fs_close(NULL, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
}

/* Streams src through deflate (gzip wrapper) into the open file out. */
static int deflate_file(uv_file in, uv_file out, unsigned char *ibuf, unsigned char *obuf)
{
    z_stream z;
    uv_fs_t req;
    int rc = 0, zr, flush;

    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return EF_ENOMEM;
    do {
        uv_buf_t b = uv_buf_init((char *)ibuf, IO_CHUNK);
        int r = uv_fs_read(NULL, &req, in, &b, 1, -1, NULL);

        uv_fs_req_cleanup(&req);
        if (r < 0) {
            rc = ef_from_uv(r);
            break;
        }
        flush = r == 0 ? Z_FINISH : Z_NO_FLUSH;
        z.next_in = ibuf;
        z.avail_in = (unsigned)r;
        do {
            z.next_out = obuf;
            z.avail_out = IO_CHUNK;
            zr = deflate(&z, flush);
            if (zr == Z_STREAM_ERROR) {
                rc = EF_EIO;
                break;
            }
            rc = write_all(out, obuf, IO_CHUNK - z.avail_out, -1);
        } while (rc == 0 && z.avail_out == 0);
    } while (rc == 0 && flush != Z_FINISH);
    deflateEnd(&z);
    return rc;
}

int ef_file_gzip(const char *src, const char *dst)
{
    char tmp[4096 + 8];
    unsigned char *ibuf = malloc(IO_CHUNK), *obuf = malloc(IO_CHUNK);
    uv_file in = -1, out = -1;
    uv_fs_t req;
    int rc, r;

    rc = EF_ENOMEM;
    if (!ibuf || !obuf)
        goto out;
    rc = EF_ENOSPC;
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", dst) >= sizeof(tmp))
        goto out;
    rc = open_file(src, UV_FS_O_RDONLY, &in);
    if (rc < 0)
        goto out;
    rc = open_file(tmp, UV_FS_O_WRONLY | UV_FS_O_CREAT | UV_FS_O_TRUNC, &out);
    if (rc < 0)
        goto out;
    rc = deflate_file(in, out, ibuf, obuf);
    if (rc < 0)
        goto out;
    /* The compressed copy must be on disk before the original goes. */
    r = uv_fs_fsync(NULL, &req, out, NULL);
    uv_fs_req_cleanup(&req);
    if (r < 0) {
        rc = ef_from_uv(r);
        goto out;
    }
    close_file(out);
    out = -1;
    r = uv_fs_rename(NULL, &req, tmp, dst, NULL);
    uv_fs_req_cleanup(&req);
    if (r < 0) {
        rc = ef_from_uv(r);
        goto out;
    }
    close_file(in);
    in = -1;
    r = uv_fs_unlink(NULL, &req, src, NULL);
    uv_fs_req_cleanup(&req);
    rc = r < 0 ? ef_from_uv(r) : 0;
out:
    close_file(in);
    if (out >= 0) {
        close_file(out);
        uv_fs_unlink(NULL, &req, tmp, NULL);
        uv_fs_req_cleanup(&req);
    }
    free(ibuf);
    free(obuf);
    return rc;
}

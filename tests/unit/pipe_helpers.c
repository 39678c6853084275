/*
 * pipe_helpers.c - fixtures for the pipeline suites. See pipe_helpers.h.
 */
#include "pipe_helpers.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#ifdef _WIN32
#include <direct.h>
#include <io.h>
#endif

#include "util/error.h"
#include "util/file.h"

void th_mkdtemp(char *out, size_t cap)
{
    const char *base = getenv("TMPDIR");
    static unsigned counter;

#ifdef _WIN32
    if (!base)
        base = getenv("TEMP");
    if (!base)
        base = ".";
    for (;;) {
        char name[] = "efpipeXXXXXX";

        ck_assert(_mktemp_s(name, sizeof(name)) == 0);
        snprintf(out, cap, "%s\\%s%u", base, name, counter++);
        if (_mkdir(out) == 0)
            return;
    }
#else
    if (!base)
        base = "/tmp";
    snprintf(out, cap, "%s/efpipe-XXXXXX", base);
    (void)counter;
    ck_assert_ptr_nonnull(mkdtemp(out));
#endif
}

static void rm_entries(const char *dir, int depth)
{
    uv_fs_t req, r2;
    uv_dirent_t ent;
    char path[4096];

    if (uv_fs_scandir(NULL, &req, dir, 0, NULL) >= 0) {
        while (uv_fs_scandir_next(&req, &ent) != UV_EOF) {
            snprintf(path, sizeof(path), "%s/%s", dir, ent.name);
            if (ent.type == UV_DIRENT_DIR && depth < 3) {
                rm_entries(path, depth + 1);
                uv_fs_rmdir(NULL, &r2, path, NULL);
            } else {
                uv_fs_unlink(NULL, &r2, path, NULL);
            }
            uv_fs_req_cleanup(&r2);
        }
    }
    uv_fs_req_cleanup(&req);
}

void th_rmtree(const char *dir)
{
    uv_fs_t req;

    rm_entries(dir, 0);
    uv_fs_rmdir(NULL, &req, dir, NULL);
    uv_fs_req_cleanup(&req);
}

char *th_read_file(const char *path, size_t *len)
{
    char *data = NULL;

    if (ef_read_file(path, (size_t)1 << 30, &data, len) < 0)
        return NULL;
    return data;
}

char *th_read_gzip(const char *path, size_t *len)
{
    char *raw, *out = NULL;
    size_t rlen, cap = 1 << 16;
    z_stream z;
    int zr;

    raw = th_read_file(path, &rlen);
    if (!raw)
        return NULL;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        goto out;
    out = malloc(cap + 1);
    z.next_in = (unsigned char *)raw;
    z.avail_in = (unsigned)rlen;
    *len = 0;
    do {
        if (*len == cap) {
            cap *= 2;
            out = realloc(out, cap + 1);
        }
        z.next_out = (unsigned char *)out + *len;
        z.avail_out = (unsigned)(cap - *len);
        zr = inflate(&z, Z_NO_FLUSH);
        *len = cap - z.avail_out;
    } while (zr == Z_OK);
    inflateEnd(&z);
    if (zr != Z_STREAM_END) {
        free(out);
        out = NULL;
    } else {
        out[*len] = '\0';
    }
out:
    free(raw);
    return out;
}

int th_run_until(uv_loop_t *loop, int (*cond)(void *ud), void *ud, int max)
{
    int i;

    for (i = 0; i < max; i++) {
        if (cond(ud))
            return 1;
        uv_run(loop, UV_RUN_ONCE);
    }
    return cond(ud);
}

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

int th_loop_fini(uv_loop_t *loop)
{
    uv_run(loop, UV_RUN_DEFAULT);
    uv_walk(loop, close_walk, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    return uv_loop_close(loop);
}

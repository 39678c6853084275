/*
 * deadletter.c - formatting and writing dead-letter lines. See deadletter.h.
 */
#include "pipeline/deadletter.h"

#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "pipeline/fsutil.h"
#include "pipeline/uv_error.h"
#include "util/error.h"

static int append_json_string(struct ef_buf *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    int rc = ef_buf_append_byte(out, '"');

    for (; rc == 0 && *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            rc = ef_buf_append(out, esc, 2);
        } else if (c < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            rc = ef_buf_append(out, esc, 6);
        } else {
            rc = ef_buf_append_byte(out, (char)c);
        }
    }
    if (rc == 0)
        rc = ef_buf_append_byte(out, '"');
    return rc;
}

int ef_deadletter_format(struct ef_buf *out, const char *reason, const void *event, size_t len)
{
    size_t mark = out->len;
    const char *e = event;
    int rc;

    /* A trailing newline in the event would split the line. */
    while (len > 0 && (e[len - 1] == '\n' || e[len - 1] == '\r'))
        len--;
    rc = ef_buf_append_str(out, "{\"reason\":");
    if (rc == 0)
        rc = append_json_string(out, reason && *reason ? reason : "rejected");
    if (rc == 0)
        rc = ef_buf_append_str(out, ",\"event\":");
    if (rc == 0)
        rc = len ? ef_buf_append(out, e, len) : ef_buf_append_str(out, "null");
    if (rc == 0)
        rc = ef_buf_append_str(out, "}\n");
    if (rc < 0) {
        /* Leave no half line behind. */
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
    }
    return rc;
}

int ef_deadletter_path(const char *dir, const char *sink, char *out, size_t cap)
{
    size_t n = strlen(dir), i;
    int w;

    w = snprintf(out, cap, "%s/%s.ndjson", dir, sink);
    if (w < 0 || (size_t)w >= cap)
        return EF_ENOSPC;
    for (i = n + 1; out[i] && i < (size_t)w - 7; i++) {
        char c = out[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            out[i] = '_';
    }
    return 0;
}

int ef_deadletter_write(const char *dir, const char *sink, const void *data, size_t len)
{
    char path[4096];
    uv_fs_t req;
    uv_buf_t b;
    uv_file fd = -1;
    int rc, r;

    rc = ef_deadletter_path(dir, sink, path, sizeof(path));
    if (rc < 0)
        goto out;
    rc = ef_fs_mkdir_p(dir);
    if (rc < 0)
        goto out;
    r = uv_fs_open(NULL, &req, path, UV_FS_O_WRONLY | UV_FS_O_APPEND | UV_FS_O_CREAT, 0644, NULL);
    uv_fs_req_cleanup(&req);
    if (r < 0) {
        rc = ef_from_uv(r);
        goto out;
    }
    fd = r;
    while (len > 0) {
        b = uv_buf_init((char *)data, (unsigned)(len > (1u << 30) ? (1u << 30) : len));
        r = uv_fs_write(NULL, &req, fd, &b, 1, -1, NULL);
        uv_fs_req_cleanup(&req);
        if (r <= 0) {
            rc = r < 0 ? ef_from_uv(r) : EF_EIO;
            goto out;
        }
        data = (const char *)data + r;
        len -= (size_t)r;
    }
    r = uv_fs_fsync(NULL, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
    if (r < 0)
        rc = ef_from_uv(r);
out:
    if (fd >= 0) {
        uv_fs_close(NULL, &req, fd, NULL);
        uv_fs_req_cleanup(&req);
    }
    return rc;
}

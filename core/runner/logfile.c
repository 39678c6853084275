/*
 * logfile.c - a size-rotated log file fed by the util/log.h hook. Lines
 * come from any thread, so writes and rotation happen under a mutex.
 */
#include "runner/logfile.h"

#include "util/error.h"
#include "util/file.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static struct {
    uv_mutex_t mu;
    FILE *f;
    char *path;
    uint64_t size, max_size;
    unsigned keep;
    int on;
} lf;

static void rotate(void)
{
    size_t n = strlen(lf.path) + 16;
    char *from = malloc(n), *to = malloc(n);
    unsigned i;

    if (from && to) {
        fclose(lf.f);
        snprintf(to, n, "%s.%u", lf.path, lf.keep);
        remove(to);
        for (i = lf.keep; i > 1; i--) {
            snprintf(from, n, "%s.%u", lf.path, i - 1);
            snprintf(to, n, "%s.%u", lf.path, i);
            rename(from, to);
        }
        snprintf(to, n, "%s.1", lf.path);
        if (lf.keep)
            rename(lf.path, to);
        else
            remove(lf.path);
        lf.f = ef_fopen(lf.path, "ab");
        lf.size = 0;
    }
    free(from);
    free(to);
}

static void hook(void *ud, const char *line, size_t len)
{
    (void)ud;
    uv_mutex_lock(&lf.mu);
    if (lf.f && lf.max_size && lf.size + len > lf.max_size && lf.size > 0)
        rotate();
    if (lf.f) {
        fwrite(line, 1, len, lf.f);
        fflush(lf.f);
        lf.size += len;
    }
    uv_mutex_unlock(&lf.mu);
}

int ef_logfile_open(const char *path, uint64_t max_size, unsigned keep)
{
    if (lf.on)
        return EF_EEXIST;
    lf.f = ef_fopen(path, "ab");
    if (!lf.f)
        return EF_EIO;
    lf.path = strdup(path);
    if (!lf.path || uv_mutex_init(&lf.mu) != 0) {
        fclose(lf.f);
        free(lf.path);
        lf.f = NULL;
        return EF_ENOMEM;
    }
    fseek(lf.f, 0, SEEK_END);
    lf.size = (uint64_t)ftell(lf.f);
    lf.max_size = max_size;
    lf.keep = keep;
    lf.on = 1;
    ef_log_set_hook(hook, NULL);
    return 0;
}

void ef_logfile_close(void)
{
    if (!lf.on)
        return;
    ef_log_set_hook(NULL, NULL);
    fclose(lf.f);
    lf.f = NULL;
    free(lf.path);
    lf.path = NULL;
    uv_mutex_destroy(&lf.mu);
    lf.on = 0;
}

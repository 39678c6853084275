/*
 * svc_common.c - the portable parts of the service: where the default
 * configuration lives, creating it from the default shipped beside the
 * executable, and the status file (state_dir/service-status.json) that the
 * running service rewrites at every stats interval and at its stop, and
 * that `etwfwd status` reads for the uptime and the events forwarded.
 *
 * DESIGN: the status file is the only channel from the service to `status`:
 * the SCM knows the state, the pid and the exit codes, but not what the
 * pipeline did. It is written to a temporary file and renamed over the old
 * one, so a reader never sees half a file; a stale file (a crash) is told
 * apart by its pid, which `status` compares with the SCM's.
 */
#include "svc.h"

#include "config/config.h"
#include "pipeline/fsutil.h"
#include "runner/pipeline.h"
#include "util/error.h"
#include "util/file.h"
#include "util/timefmt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>
#include <yajl/yajl_tree.h>

#ifdef _WIN32
#define SEP '\\'
#else
#define SEP '/'
#endif

/* Unix epoch in FILETIME units (100 ns since 1601). */
#define FT_UNIX_EPOCH   116444736000000000ull
#define DEFAULT_INI_MAX (1024u * 1024)

const char *ef_svc_default_conf(void)
{
#ifdef _WIN32
    static char path[1024];
    const char *pd = getenv("ProgramData");

    snprintf(path, sizeof(path), "%s\\etwfwd\\etwfwd.ini", pd && *pd ? pd : "C:\\ProgramData");
    return path;
#else
    return "/etc/etwfwd/etwfwd.ini";
#endif
}

uint64_t ef_svc_now_ms(void)
{
    uv_timeval64_t tv;

    if (uv_gettimeofday(&tv) != 0)
        return 0;
    return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

/* The folder part of path (without the separator) into out; "" when it has none. */
static void dirname_of(const char *path, char *out, size_t cap)
{
    const char *s = strrchr(path, '/');
#ifdef _WIN32
    const char *b = strrchr(path, '\\');

    if (!s || (b && b > s))
        s = b;
#endif
    if (!s) {
        out[0] = '\0';
        return;
    }
    snprintf(out, cap, "%.*s", (int)(s - path), path);
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = ef_fopen(path, "wb");
    int rc = 0;

    if (!f)
        return errno == EACCES ? EF_EACCES : EF_EIO;
    if (fwrite(data, 1, len, f) != len)
        rc = EF_EIO;
    if (fclose(f) != 0)
        rc = EF_EIO;
    return rc;
}

int ef_svc_ensure_config(const char *conf)
{
    char exe[4096], dir[4096], def[4200], tmp[4200];
    size_t n = sizeof(exe), len = 0;
    char *data = NULL;
    FILE *f;
    int rc;

    f = ef_fopen(conf, "rb");
    if (f) {
        fclose(f);
        return 0;
    }
    /* It exists but we may not read it: that is the loader's error to report, not ours. */
    if (errno != ENOENT)
        return 0;
    if (uv_exepath(exe, &n) != 0)
        return EF_EIO;
    dirname_of(exe, dir, sizeof(dir));
    snprintf(def, sizeof(def), "%s%c%s", dir, SEP, EF_SVC_DEFAULT_INI);
    rc = ef_read_file(def, DEFAULT_INI_MAX, &data, &len);
    if (rc < 0)
        return rc == EF_ENOENT ? EF_ENOENT : rc;
    dirname_of(conf, dir, sizeof(dir));
    if (dir[0] && (rc = ef_fs_mkdir_p(dir)) < 0)
        goto out;
    /*
     * Through a temporary file and a rename: a service killed half-way
     * must not leave a truncated configuration that the next start would
     * keep (it only copies when the file is missing).
     */
    snprintf(tmp, sizeof(tmp), "%s.new", conf);
    if ((rc = write_file(tmp, data, len)) < 0)
        goto out;
    rc = ef_fs_replace(tmp, conf, NULL);
    if (rc < 0)
        ef_fs_remove(tmp);
out:
    free(data);
    return rc;
}

int ef_svc_conf_state_dir(const char *conf, char *out, size_t cap)
{
    struct ef_config_errors errs = {0};
    struct ef_config *cfg = NULL;
    const char *sd;
    int n;

    if (ef_config_load_file(conf, &cfg, &errs) < 0) {
        ef_config_errors_free(&errs);
        return EF_ECONFIG;
    }
    sd = cfg->service.state_dir && *cfg->service.state_dir ? cfg->service.state_dir
                                                           : ef_pipeline_default_state_dir();
    n = snprintf(out, cap, "%s", sd);
    ef_config_free(cfg);
    return n < 0 || (size_t)n >= cap ? EF_ENOSPC : 0;
}

static void status_path(const char *state_dir, const char *suffix, char *out, size_t cap)
{
    snprintf(out, cap, "%s%c%s%s", state_dir, SEP, EF_SVC_STATUS_FILE, suffix);
}

int ef_svc_status_write(const char *state_dir, const struct ef_svc_status *st)
{
    char path[4200], tmp[4200], started[EF_TIME_STR_SIZE], body[512];
    int n, rc;

    if (ef_filetime_format(FT_UNIX_EPOCH + st->started_ms * 10000, started) < 0)
        snprintf(started, sizeof(started), "?");
    n = snprintf(body, sizeof(body),
                 "{\"pid\":%" PRId64 ",\"running\":%s,\"started\":\"%s\",\"started_ms\":%" PRIu64
                 ",\"updated_ms\":%" PRIu64 ",\"events_forwarded\":%" PRIu64 ",\"exit_code\":%d}\n",
                 st->pid, st->running ? "true" : "false", started, st->started_ms, st->updated_ms,
                 st->events_forwarded, st->exit_code);
    if (n < 0 || (size_t)n >= sizeof(body))
        return EF_ENOSPC;
    status_path(state_dir, ".tmp", tmp, sizeof(tmp));
    status_path(state_dir, "", path, sizeof(path));
    if ((rc = write_file(tmp, body, (size_t)n)) < 0)
        return rc;
    rc = ef_fs_replace(tmp, path, NULL);
    if (rc < 0)
        ef_fs_remove(tmp);
    return rc;
}

static int get_u64(yajl_val root, const char *key, uint64_t *out)
{
    const char *path[] = {key, NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_number);

    if (!v || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0)
        return EF_EFORMAT;
    *out = (uint64_t)YAJL_GET_INTEGER(v);
    return 0;
}

int ef_svc_status_read(const char *state_dir, struct ef_svc_status *st)
{
    const char *running[] = {"running", NULL};
    char path[4200], err[128];
    char *data = NULL;
    size_t len;
    uint64_t pid = 0, code = 0;
    yajl_val root, v;
    int rc;

    memset(st, 0, sizeof(*st));
    status_path(state_dir, "", path, sizeof(path));
    if ((rc = ef_read_file(path, 64 * 1024, &data, &len)) < 0)
        return rc;
    root = yajl_tree_parse(data, err, sizeof(err));
    free(data);
    if (!root)
        return EF_EFORMAT;
    rc = get_u64(root, "pid", &pid);
    if (rc == 0)
        rc = get_u64(root, "started_ms", &st->started_ms);
    if (rc == 0)
        rc = get_u64(root, "updated_ms", &st->updated_ms);
    if (rc == 0)
        rc = get_u64(root, "events_forwarded", &st->events_forwarded);
    if (rc == 0)
        rc = get_u64(root, "exit_code", &code);
    v = yajl_tree_get(root, running, yajl_t_any);
    if (rc == 0 && !(v && (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))))
        rc = EF_EFORMAT;
    if (rc == 0) {
        st->pid = (int64_t)pid;
        st->running = YAJL_IS_TRUE(v);
        st->exit_code = (int)code;
    }
    yajl_tree_free(root);
    return rc;
}

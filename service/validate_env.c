/*
 * validate_env.c - what `validate` checks beyond the file's syntax: what
 * `run` needs from this machine. Every manifest and MOF file a session
 * names must load, and every folder run writes to (state_dir unless the
 * spool is in memory, each file sink's folder) must exist or be creatable,
 * and be writable.
 *
 * DESIGN. A folder is checked without creating it: the nearest existing
 * ancestor must be a folder in which a file can be created. That is probed
 * by creating and removing a uniquely named empty file there, because
 * permission bits alone say nothing on Windows (ACLs) or on read-only
 * mounts. The probe is the only change validate makes, and it is undone.
 */
#include "validate_env.h"

#include "runner/pipeline.h"
#include "source/tracefile.h"
#include "util/error.h"
#include "util/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static int is_sep(char c)
{
#ifdef _WIN32
    if (c == '\\')
        return 1;
#endif
    return c == '/';
}

/* Cuts the last component off path (in place); 0 when nothing is left to cut. */
static int parent(char *path)
{
    size_t n = strlen(path);

    while (n > 0 && !is_sep(path[n - 1]))
        n--;
    while (n > 1 && is_sep(path[n - 1]))
        n--;
    if (n == 0 || (n == 2 && path[1] == ':') || strlen(path) == n)
        return 0;
    path[n] = '\0';
    return 1;
}

/* Creates and removes an empty file in dir: 0 or the error creating it. */
static int probe(const char *dir)
{
    char path[4400];
    FILE *f;
    int rc;

    snprintf(path, sizeof(path), "%s/.etwfwd-validate-%lu.tmp", dir, (unsigned long)uv_os_getpid());
    f = ef_fopen(path, "wb");
    if (!f)
        return ef_from_errno(errno);
    fclose(f);
    rc = remove(path) == 0 ? 0 : ef_from_errno(errno);
    return rc;
}

/*
 * Checks that dir can be written to, creating it if needed. Returns 0, or
 * fills why and returns an error.
 */
static int check_dir(const char *dir, char *why, size_t len)
{
    char cur[4096];
    unsigned long long size;
    int rc;

    if (strlen(dir) >= sizeof(cur)) {
        snprintf(why, len, "the path is too long");
        return EF_ELIMIT;
    }
    snprintf(cur, sizeof(cur), "%s", dir);
    for (;;) {
        rc = ef_path_stat(cur, &size);
        if (rc == EF_EISDIR)
            break;
        if (rc == 0) {
            snprintf(why, len, "%s is a file, not a folder", cur);
            return EF_EEXIST;
        }
        if (rc != EF_ENOENT) {
            snprintf(why, len, "%s: %s", cur, ef_strerror(rc));
            return rc;
        }
        if (!parent(cur)) {
            snprintf(why, len, "no part of the path exists");
            return EF_ENOENT;
        }
    }
    rc = probe(cur);
    if (rc < 0)
        snprintf(why, len, "cannot create files in %s: %s", cur, ef_strerror(rc));
    return rc;
}

static void report(FILE *out, const char *conf, unsigned line, const char *section, const char *key,
                   const char *what, unsigned *n)
{
    fprintf(out, "%s:%u: [%s] %s: %s\n", conf, line, section, key, what);
    (*n)++;
}

static void check_schemas(const char *conf, const struct ef_session_cfg *s, FILE *out, unsigned *n)
{
    struct ef_schema_source man, mof;
    struct ef_tracefile_error err;
    char section[300];
    size_t i;

    snprintf(section, sizeof(section), "session:%s", s->name);
    for (i = 0; i < s->manifests.n + s->mofs.n; i++) {
        int is_mof = i >= s->manifests.n;
        const char *file = is_mof ? s->mofs.v[i - s->manifests.n] : s->manifests.v[i];

        if (ef_tracefile_load_schema_files(is_mof ? NULL : &file, is_mof ? 0 : 1,
                                           is_mof ? &file : NULL, is_mof ? 1 : 0, &man, &mof,
                                           &err) < 0) {
            report(out, conf, s->line, section, is_mof ? "mof" : "manifest", err.msg, n);
            continue;
        }
        man.ops->destroy(man.ctx);
        mof.ops->destroy(mof.ctx);
    }
}

static void check_sink_dir(const char *conf, const struct ef_sink_cfg *k, FILE *out, unsigned *n)
{
    char dir[4096], why[4400], section[300];

    if (k->type != EF_SINK_FILE || !k->path || strlen(k->path) >= sizeof(dir))
        return;
    snprintf(dir, sizeof(dir), "%s", k->path);
    if (!parent(dir))
        snprintf(dir, sizeof(dir), ".");
    if (check_dir(dir, why, sizeof(why)) < 0) {
        snprintf(section, sizeof(section), "sink:%s", k->name);
        report(out, conf, k->line, section, "path", why, n);
    }
}

unsigned ef_validate_environment(const struct ef_config *cfg, const char *conf, FILE *out)
{
    const struct ef_service_cfg *sv = &cfg->service;
    char why[4400];
    unsigned n = 0;
    size_t i;

    for (i = 0; i < cfg->n_sessions; i++)
        check_schemas(conf, cfg->sessions[i], out, &n);
    if (sv->spool != EF_SPOOL_MEMORY) {
        const char *sd =
            sv->state_dir && *sv->state_dir ? sv->state_dir : ef_pipeline_default_state_dir();

        if (check_dir(sd, why, sizeof(why)) < 0) {
            fprintf(out, "%s: [service] state_dir: %s (%s)\n", conf, why, sd);
            n++;
        }
    }
    for (i = 0; i < cfg->n_sinks; i++)
        check_sink_dir(conf, cfg->sinks[i], out, &n);
    return n;
}

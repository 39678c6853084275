/*
 * cmd_sessions.c - `etwfwd sessions [--json]`: the ETW sessions running on
 * this machine, with their buffers and losses, ours marked.
 *
 * QueryAllTracesW fills one EVENT_TRACE_PROPERTIES per session; each block
 * is allocated with room for two 1024-character names after the struct,
 * as ControlTrace needs (ETW-NOTES §1), and the call is retried with more
 * blocks while it answers ERROR_MORE_DATA, up to 256 sessions (the most
 * EtwMaxLoggers allows). Private sessions are never listed (§7). A session
 * is ours when its name starts with "etwfwd-".
 * The --json form is a stable contract:
 *   {"sessions":[{"name":"...","ours":true,"log_file":"...","log_file_mode":"0x8000100",
 *     "buffer_size_kb":64,"buffers":20,"free_buffers":18,"events_lost":0,
 *     "realtime_buffers_lost":0,"log_buffers_lost":0,"buffers_written":12}]}
 * Exit codes: 0 listed (possibly none: Wine's QueryAllTracesW answers no
 * sessions), 1 the query failed, 2 usage error or not Windows.
 */
#include "cli.h"
#include "cli_json.h"

#include <stdio.h>
#include <string.h>

#ifdef _WIN32

#include "etw/error_win.h"
#include "etw/etw_api.h"
#include "etw/etw_defs.h"
#include "util/error.h"
#include "util/utf16.h"

#include <stdlib.h>
#include <yajl/yajl_gen.h>

#define FIRST_COUNT 64u
#define MAX_COUNT   256u
/* Each block: the struct, then the session name and the log file name. */
#define NAME_BYTES (EF_ETW_MAX_NAME * 2u)
#define BLOCK_SIZE (sizeof(EVENT_TRACE_PROPERTIES) + 2u * NAME_BYTES)

struct query {
    unsigned char *blocks;
    PEVENT_TRACE_PROPERTIES *props;
    ULONG count, found;
};

static void query_free(struct query *q)
{
    free(q->blocks);
    free(q->props);
    q->blocks = NULL;
    q->props = NULL;
}

/* Allocates count zeroed blocks with their sizes and name offsets set. */
static int query_alloc(struct query *q, ULONG count)
{
    ULONG i;

    query_free(q);
    q->blocks = calloc(count, BLOCK_SIZE);
    q->props = calloc(count, sizeof(*q->props));
    if (!q->blocks || !q->props)
        return EF_ENOMEM;
    for (i = 0; i < count; i++) {
        PEVENT_TRACE_PROPERTIES p = (PEVENT_TRACE_PROPERTIES)(q->blocks + (size_t)i * BLOCK_SIZE);

        p->Wnode.BufferSize = (ULONG)BLOCK_SIZE;
        p->LoggerNameOffset = (ULONG)sizeof(EVENT_TRACE_PROPERTIES);
        p->LogFileNameOffset = (ULONG)(sizeof(EVENT_TRACE_PROPERTIES) + NAME_BYTES);
        q->props[i] = p;
    }
    q->count = count;
    return 0;
}

/* Runs QueryAllTracesW, growing on ERROR_MORE_DATA. Returns 0 or an EF_E* code. */
static int query_run(const struct ef_etw_api *api, struct query *q, ULONG *status)
{
    ULONG count = FIRST_COUNT;
    int rc;

    for (;;) {
        if ((rc = query_alloc(q, count)) < 0)
            return rc;
        q->found = 0;
        *status = api->query_all_traces(q->props, q->count, &q->found);
        if (*status != EF_WIN_MORE_DATA || count >= MAX_COUNT)
            break;
        count *= 2;
    }
    if (*status != EF_WIN_SUCCESS)
        return ef_from_win32(*status);
    if (q->found > q->count)
        q->found = q->count;
    return 0;
}

/* The name at a props block's offset, as UTF-8 ("" when the offset is off). */
static void name_at(PEVENT_TRACE_PROPERTIES p, ULONG off, char *out, size_t cap)
{
    out[0] = '\0';
    if (off < sizeof(EVENT_TRACE_PROPERTIES) || off >= BLOCK_SIZE)
        return;
    ef_utf16le_to_utf8((const unsigned char *)p + off, BLOCK_SIZE - off, EF_UTF16_STOP_AT_NUL, out,
                       cap, NULL, NULL);
}

static int print_sessions(const struct query *q, int json)
{
    char name[EF_UTF8_MAX_FOR_UTF16(NAME_BYTES) + 1], file[EF_UTF8_MAX_FOR_UTF16(NAME_BYTES) + 1];
    char mode[16];
    yajl_gen g = NULL;
    ULONG i;

    if (json) {
        if (!(g = yajl_gen_alloc(NULL)))
            return EF_ENOMEM;
        yajl_gen_map_open(g);
        ef_cli_gen_str(g, "sessions");
        yajl_gen_array_open(g);
    } else {
        printf("%-40s %4s %8s %7s %5s %11s %11s %10s\n", "NAME", "OURS", "BUF(KB)", "BUFFERS",
               "FREE", "EVENTSLOST", "RTBUFSLOST", "MODE");
    }
    for (i = 0; i < q->found; i++) {
        PEVENT_TRACE_PROPERTIES p = q->props[i];
        int ours;

        name_at(p, p->LoggerNameOffset, name, sizeof(name));
        name_at(p, p->LogFileNameOffset, file, sizeof(file));
        ours = strncmp(name, EF_ETW_SESSION_PREFIX, strlen(EF_ETW_SESSION_PREFIX)) == 0;
        snprintf(mode, sizeof(mode), "0x%lX", (unsigned long)p->LogFileMode);
        if (!g) {
            printf("%-40s %4s %8lu %7lu %5lu %11lu %11lu %10s\n", name, ours ? "*" : "",
                   (unsigned long)p->BufferSize, (unsigned long)p->NumberOfBuffers,
                   (unsigned long)p->FreeBuffers, (unsigned long)p->EventsLost,
                   (unsigned long)p->RealTimeBuffersLost, mode);
            continue;
        }
        yajl_gen_map_open(g);
        ef_cli_gen_str(g, "name");
        ef_cli_gen_str(g, name);
        ef_cli_gen_str(g, "ours");
        yajl_gen_bool(g, ours);
        ef_cli_gen_str(g, "log_file");
        ef_cli_gen_str(g, file);
        ef_cli_gen_str(g, "log_file_mode");
        ef_cli_gen_str(g, mode);
        ef_cli_gen_int(g, "buffer_size_kb", (long long)p->BufferSize);
        ef_cli_gen_int(g, "buffers", (long long)p->NumberOfBuffers);
        ef_cli_gen_int(g, "free_buffers", (long long)p->FreeBuffers);
        ef_cli_gen_int(g, "events_lost", (long long)p->EventsLost);
        ef_cli_gen_int(g, "realtime_buffers_lost", (long long)p->RealTimeBuffersLost);
        ef_cli_gen_int(g, "log_buffers_lost", (long long)p->LogBuffersLost);
        ef_cli_gen_int(g, "buffers_written", (long long)p->BuffersWritten);
        yajl_gen_map_close(g);
    }
    if (g) {
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        ef_cli_gen_print(g);
    } else {
        fprintf(stderr, "%lu sessions (private sessions are not listed)\n",
                (unsigned long)q->found);
    }
    return 0;
}

static int list_sessions(int json)
{
    struct ef_etw_api api;
    struct query q = {0};
    ULONG status = 0;
    int rc, code = EF_EXIT_FAILURE;

    /* The advapi32 calls are always filled; only tdh.dll may be missing. */
    ef_etw_api_real(&api);
    if (!api.query_all_traces) {
        fprintf(stderr, "etwfwd sessions: QueryAllTracesW is not available\n");
        return EF_EXIT_FAILURE;
    }
    if ((rc = query_run(&api, &q, &status)) < 0) {
        if (status == EF_WIN_MORE_DATA)
            fprintf(stderr, "etwfwd sessions: more than %u sessions run\n", MAX_COUNT);
        else
            fprintf(stderr, "etwfwd sessions: QueryAllTracesW failed: Win32 error %lu (%s)\n",
                    (unsigned long)status, ef_strerror(rc));
        goto out;
    }
    if (print_sessions(&q, json) == 0)
        code = EF_EXIT_OK;
out:
    query_free(&q);
    return code;
}

#endif /* _WIN32 */

static const struct ef_opt sessions_opts[] = {
    {"--json", NULL, NULL, NULL, 0, "Prints the list as one JSON object."},
};

const struct ef_cmd_spec ef_spec_sessions = {
    "sessions",
    "",
    0,
    0,
    NULL,
    "Lists the ETW sessions running on this machine: name, buffer size and count, free\n"
    "buffers, events lost, real-time buffers lost, log file mode; etwfwd's own sessions\n"
    "(named etwfwd-*) are marked. Private sessions are not listed. Windows only; listing\n"
    "other users' sessions needs administrator rights.",
    sessions_opts,
    EF_ARRAY_LEN(sessions_opts),
    0};

int ef_cmd_sessions(int argc, char **argv)
{
    struct ef_args a;
    int json, rc = ef_args_parse(&ef_spec_sessions, argc, argv, &a);

    json = a.count[0] > 0;
    ef_args_free(&a);
    if (rc >= 0)
        return rc;
#ifdef _WIN32
    return list_sessions(json);
#else
    (void)json;
    fprintf(stderr, "etwfwd sessions: needs Windows (it lists the ETW sessions running on a "
                    "Windows machine)\n");
    return EF_EXIT_USAGE;
#endif
}

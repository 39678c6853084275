/*
 * cmd_spool.c - `etwfwd spool verify|dump DIR`: inspect a spool offline.
 *
 * verify prints what every segment and the ledger hold and what is damaged,
 * and exits 0 when clean, 1 when damage was found (the next start of the
 * service would repair it, as the report says), 2 on usage errors or a
 * folder that is not a spool. dump prints every good event, one per line:
 * its sequence number, a TAB, whether the sinks acknowledged it ("acked",
 * "pending" or "acked-by:NAME,..."), a TAB, its bytes; it exits 1 when
 * records were damaged. Neither changes the spool; run
 * them while the service is stopped, since a running one keeps appending.
 */
#include "cli.h"

#include "pipeline/spool.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const struct ef_cmd_spec ef_spec_spool = {
    "spool",
    "verify|dump DIR",
    2,
    2,
    "missing verify or dump, and DIR",
    "verify checks every segment and the ledger of the spool in DIR (usually\n"
    "STATE_DIR/spool) without changing it: exit 0 clean, 1 damage found.\n"
    "dump prints every event held: sequence number, TAB, acked|pending|\n"
    "acked-by:SINK,... (from the ledger), TAB, the event; exit 1 on damage.",
    NULL,
    0,
    0};

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A folder that could not be read as a spool: exit 2 when it is not one, else 1. */
static int failed(const char *verb, const char *dir, int rc)
{
    if (rc == EF_EFORMAT) {
        fprintf(stderr,
                "etwfwd spool %s: %s: not a spool (no segment or ledger among its files; "
                "spools are the folders under STATE_DIR/spool)\n",
                verb, dir);
        return EF_EXIT_USAGE;
    }
    fprintf(stderr, "etwfwd spool %s: %s: %s\n", verb, dir, ef_strerror(rc));
    return EF_EXIT_FAILURE;
}

int ef_cmd_spool(int argc, char **argv)
{
    struct ef_spool_recovery rec;
    const char *verb, *dir;
    int rc;

    static const char *const verbs[] = {"verify", "dump"};
    struct ef_args a;
    const char *s;

    rc = ef_args_parse(&ef_spec_spool, argc, argv, &a);
    verb = a.npos > 0 ? a.pos[0] : NULL;
    dir = a.npos > 1 ? a.pos[1] : NULL;
    ef_args_free(&a);
    if (rc >= 0)
        return rc;
    if (strcmp(verb, "verify") != 0 && strcmp(verb, "dump") != 0) {
        s = ef_args_suggest(verb, verbs, 2);
        if (s)
            return ef_args_fail(&ef_spec_spool, "unknown action '%s' (did you mean %s?)", verb, s);
        return ef_args_fail(&ef_spec_spool, "unknown action '%s' (verify or dump)", verb);
    }
    if (!is_dir(dir)) {
        fprintf(stderr, "etwfwd spool %s: %s: not a folder\n", verb, dir);
        return EF_EXIT_USAGE;
    }
    if (strcmp(verb, "dump") == 0) {
        rc = ef_spool_dump(dir, &rec, stdout);
        if (fflush(stdout) != 0 && rc == 0)
            rc = EF_EIO;
        if (rc == EF_ECORRUPT) {
            fprintf(stderr,
                    "etwfwd spool dump: %s: damaged: %llu records lost, %llu bytes of damaged "
                    "tails (every good event was printed; `spool verify` says where)\n",
                    dir, (unsigned long long)rec.bad_records,
                    (unsigned long long)rec.truncated_bytes);
            return EF_EXIT_FAILURE;
        }
        if (rc < 0)
            return failed(verb, dir, rc);
        return EF_EXIT_OK;
    }
    rc = ef_spool_verify(dir, &rec, stdout);
    if (rc == 0) {
        printf("clean\n");
        return EF_EXIT_OK;
    }
    if (rc == EF_ECORRUPT) {
        printf("damaged: %llu bytes of damaged tails, %llu records lost, ledger %s\n",
               (unsigned long long)rec.truncated_bytes, (unsigned long long)rec.bad_records,
               rec.ledger_missing ? "missing or unreadable"
               : rec.ledger_ahead ? "past the newest event"
                                  : "ok");
        return EF_EXIT_FAILURE;
    }
    return failed(verb, dir, rc);
}

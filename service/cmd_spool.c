/*
 * cmd_spool.c - `etwfwd spool verify|dump DIR`: inspect a spool offline.
 *
 * verify prints what every segment and the ledger hold and what is damaged,
 * and exits 0 when clean, 1 when damage was found (the next start of the
 * service would repair it, as the report says), 2 on usage errors or a
 * folder that cannot be read. dump prints every good event, one per line:
 * its sequence number, a TAB, its bytes. Neither changes the spool; run
 * them while the service is stopped, since a running one keeps appending.
 */
#include "cli.h"

#include "pipeline/spool.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: etwfwd spool verify DIR\n"
               "       etwfwd spool dump DIR\n\n"
               "verify checks every segment and the ledger of the spool in DIR (usually\n"
               "STATE_DIR/spool) without changing it: exit 0 clean, 1 damage found.\n"
               "dump prints every event held: sequence number, TAB, the event.\n");
}

static int is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int ef_cmd_spool(int argc, char **argv)
{
    struct ef_spool_recovery rec;
    const char *verb, *dir;
    int rc;

    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return EF_EXIT_OK;
    }
    if (argc != 3 || (strcmp(argv[1], "verify") != 0 && strcmp(argv[1], "dump") != 0)) {
        usage(stderr);
        return EF_EXIT_USAGE;
    }
    verb = argv[1];
    dir = argv[2];
    if (!is_dir(dir)) {
        fprintf(stderr, "etwfwd spool %s: %s: not a folder\n", verb, dir);
        return EF_EXIT_USAGE;
    }
    if (strcmp(verb, "dump") == 0) {
        rc = ef_spool_dump(dir, stdout);
        if (fflush(stdout) != 0 && rc == 0)
            rc = EF_EIO;
        if (rc < 0) {
            fprintf(stderr, "etwfwd spool dump: %s: %s\n", dir, ef_strerror(rc));
            return EF_EXIT_FAILURE;
        }
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
    fprintf(stderr, "etwfwd spool verify: %s: %s\n", dir, ef_strerror(rc));
    return EF_EXIT_FAILURE;
}

/*
 * spool_ledger.c - the sinks' cursors on disk: DIR/ledger.
 *
 * A small text file, so an operator can read it:
 *   etwfwd-spool-ledger 1
 *   <sink name> <highest acknowledged sequence>
 *   ...
 *   crc32c <8 hex digits of the CRC-32C of every byte before this line>
 * It is replaced whole (temp file, fsync, rename, directory fsync), so it is
 * either the old or the new version after a crash, never a mix; the CRC
 * catches what a rename cannot (a disk that lied about a flush).
 */
#include "spool_int.h"

#include "fsutil.h"
#include "util/crc32c.h"
#include "util/error.h"
#include "util/file.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define HEADER "etwfwd-spool-ledger 1\n"

int ef_ledger_name_ok(const char *name)
{
    size_t n = strlen(name), i;

    if (n == 0 || n > 128)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c <= 0x20 || c == 0x7F)
            return 0;
    }
    return 1;
}

static int parse_u64(const char *s, const char *end, uint64_t *v)
{
    uint64_t x = 0;

    if (s == end)
        return EF_EFORMAT;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
            return EF_EFORMAT;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *v = x;
    return 0;
}

int ef_ledger_read(const char *dir, struct ef_ledger_entry **ents, size_t *n)
{
    char path[4096], *data = NULL, *p, *end, *crcline;
    struct ef_ledger_entry *e = NULL;
    size_t len, count = 0;
    unsigned long want;
    int rc;

    *ents = NULL;
    *n = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, EF_LEDGER_FILE);
    rc = ef_read_file(path, 1024 * 1024, &data, &len);
    if (rc < 0)
        return rc == EF_ELIMIT ? EF_EFORMAT : rc;
    rc = EF_EFORMAT;
    if (len < strlen(HEADER) || memcmp(data, HEADER, strlen(HEADER)) != 0 ||
        data[len - 1] != '\n' || memchr(data, '\0', len))
        goto out;
    /* The last line is the CRC of everything before it. */
    data[len - 1] = '\0';
    crcline = strrchr(data, '\n');
    if (!crcline || strncmp(crcline + 1, "crc32c ", 7) != 0 || strlen(crcline + 8) != 8)
        goto out;
    want = strtoul(crcline + 8, &end, 16);
    if (*end != '\0')
        goto out;
    if (ef_crc32c(0, data, (size_t)(crcline + 1 - data)) != (uint32_t)want) {
        rc = EF_ECORRUPT;
        goto out;
    }
    e = calloc(EF_LEDGER_MAX_ENTRIES, sizeof(*e));
    if (!e) {
        rc = EF_ENOMEM;
        goto out;
    }
    for (p = data + strlen(HEADER); p < crcline + 1;) {
        char *nl = memchr(p, '\n', (size_t)(crcline + 1 - p)), *sp;

        if (!nl || count == EF_LEDGER_MAX_ENTRIES)
            goto out;
        sp = memchr(p, ' ', (size_t)(nl - p));
        if (!sp || sp == p || (size_t)(sp - p) >= sizeof(e->name))
            goto out;
        memcpy(e[count].name, p, (size_t)(sp - p));
        e[count].name[sp - p] = '\0';
        /* A cursor near 2^64 would wrap the next sequence: no real spool gets there. */
        if (!ef_ledger_name_ok(e[count].name) || parse_u64(sp + 1, nl, &e[count].seq) < 0 ||
            e[count].seq >= EF_SEQ_MAX)
            goto out;
        count++;
        p = nl + 1;
    }
    rc = 0;
out:
    free(data);
    if (rc < 0) {
        free(e);
        return rc;
    }
    *ents = e;
    *n = count;
    return 0;
}

int ef_ledger_write(const char *dir, const char *const *names, const uint64_t *seqs, size_t n,
                    int sync)
{
    char path[4096], tmp[4096], line[200];
    char *text;
    size_t len = 0, cap = strlen(HEADER) + n * 160 + 32, i;
    int fd = -1, rc;

    text = malloc(cap);
    if (!text)
        return EF_ENOMEM;
    memcpy(text, HEADER, strlen(HEADER));
    len = strlen(HEADER);
    for (i = 0; i < n; i++) {
        int k = snprintf(line, sizeof(line), "%s %" PRIu64 "\n", names[i], seqs[i]);

        memcpy(text + len, line, (size_t)k);
        len += (size_t)k;
    }
    len +=
        (size_t)snprintf(text + len, cap - len, "crc32c %08x\n", (unsigned)ef_crc32c(0, text, len));
    snprintf(path, sizeof(path), "%s/%s", dir, EF_LEDGER_FILE);
    snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, EF_LEDGER_FILE);
    rc = ef_fs_open(tmp, EF_FS_WRITE | EF_FS_CREATE | EF_FS_TRUNC, &fd);
    if (rc < 0)
        goto out;
    rc = ef_fs_pwrite(fd, text, len, 0);
    if (rc == 0 && sync)
        rc = ef_fs_sync_file(fd);
    ef_fs_close(fd);
    if (rc < 0)
        goto out;
    rc = ef_fs_replace(tmp, path, sync ? dir : NULL);
out:
    free(text);
    return rc;
}

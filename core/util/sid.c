/*
 * sid.c - SID formatting with bounds checks.
 *
 * Layout: Revision (1), SubAuthorityCount (1), IdentifierAuthority (6,
 * big-endian), SubAuthority[count] (4 each, little-endian).
 */
#include "sid.h"
#include "bytes.h"
#include "error.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

int ef_sid_size(const void *p, size_t len, size_t *size)
{
    const uint8_t *b = p;

    if (len < 8)
        return EF_ETRUNC;
    if (b[0] != 1 || b[1] > 15)
        return EF_EFORMAT;
    *size = 8 + 4 * (size_t)b[1];
    return 0;
}

int ef_sid_format(const void *p, size_t len, char out[EF_SID_STR_SIZE], size_t *used)
{
    const uint8_t *b = p;
    uint64_t auth = 0;
    size_t size, o;
    int rc, i, n;

    out[0] = '\0';
    rc = ef_sid_size(p, len, &size);
    if (rc < 0)
        return rc;
    if (len < size)
        return EF_ETRUNC;
    for (i = 2; i < 8; i++)
        auth = (auth << 8) | b[i];
    if (auth >> 32)
        n = snprintf(out, EF_SID_STR_SIZE, "S-%u-0x%012" PRIX64, b[0], auth);
    else
        n = snprintf(out, EF_SID_STR_SIZE, "S-%u-%" PRIu64, b[0], auth);
    o = (size_t)n;
    for (i = 0; i < b[1]; i++) {
        n = snprintf(out + o, EF_SID_STR_SIZE - o, "-%" PRIu32, ef_le32(b + 8 + 4 * i));
        o += (size_t)n;
    }
    if (used)
        *used = size;
    return 0;
}

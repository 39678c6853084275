/*
 * sid.h - binary security identifiers as S-1-... text.
 */
#ifndef EF_UTIL_SID_H
#define EF_UTIL_SID_H

#include <stddef.h>

/* "S-1-" + 15 hex-digit authority + 15 sub-authorities of 10 digits, with dashes. */
#define EF_SID_STR_SIZE 192
/* A SID has at most 15 sub-authorities: 8 + 15 * 4 bytes. */
#define EF_SID_MAX_BYTES 68

/* Bytes the SID at p occupies, from its header; EF_ETRUNC if len < 8. */
int ef_sid_size(const void *p, size_t len, size_t *size);

/*
 * Formats the binary SID at p, which has len readable bytes, as
 * S-R-A-S1-...: the authority in decimal when it fits 32 bits, else as
 * 0x%012X, as Windows prints it. *used (optional) gets the SID's size.
 * Returns 0, EF_ETRUNC (len shorter than the SID says), or EF_EFORMAT
 * (revision not 1 or more than 15 sub-authorities). Any thread.
 */
int ef_sid_format(const void *p, size_t len, char out[EF_SID_STR_SIZE], size_t *used);

#endif

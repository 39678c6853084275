/*
 * timefmt.h - ETW time stamps as ISO-8601 UTC text.
 *
 * FILETIME counts 100 ns ticks since 1601-01-01 UTC; etwfwd prints it with
 * all seven fractional digits: 2026-11-26T06:05:38.1234567Z. SYSTEMTIME has
 * millisecond precision; it is printed in the same shape (the last four
 * digits are zero) so every time in the output parses the same way.
 */
#ifndef EF_UTIL_TIMEFMT_H
#define EF_UTIL_TIMEFMT_H

#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SS.fffffffZ" plus the NUL. */
#define EF_TIME_STR_SIZE 29

/* FILETIME of 1970-01-01T00:00:00Z. */
#define EF_FILETIME_UNIX_EPOCH 116444736000000000ULL

struct ef_systemtime {
    uint16_t year, month, day_of_week, day, hour, minute, second, milliseconds;
};

/*
 * Formats a FILETIME. Returns 0, or EF_ERANGE for times past
 * 9999-12-31T23:59:59.9999999Z (out then holds an empty string). Any thread.
 */
int ef_filetime_format(uint64_t ft, char out[EF_TIME_STR_SIZE]);

/*
 * Formats a SYSTEMTIME after checking every field's range (the day against
 * its month, leap years included; day_of_week is ignored). Returns 0 or
 * EF_ERANGE (out empty). Any thread.
 */
int ef_systemtime_format(const struct ef_systemtime *st, char out[EF_TIME_STR_SIZE]);

/* Reads the 16 wire bytes of a SYSTEMTIME. Any thread. */
void ef_systemtime_read(const void *p, struct ef_systemtime *st);

/* Splits a FILETIME into its calendar fields (UTC). Any thread. */
void ef_filetime_to_systemtime(uint64_t ft, struct ef_systemtime *st, uint32_t *ticks_in_second);

#endif

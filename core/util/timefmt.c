/*
 * timefmt.c - FILETIME and SYSTEMTIME formatting.
 *
 * Calendar arithmetic uses the days-from-civil algorithm (proleptic
 * Gregorian), which is exact over FILETIME's whole range.
 */
#include "timefmt.h"
#include "bytes.h"
#include "error.h"


#define TICKS_PER_SECOND 10000000ULL
#define SECONDS_PER_DAY 86400ULL
/* Days from 1601-01-01 to 1970-01-01. */
#define DAYS_1601_TO_1970 134774LL
/* FILETIME of 10000-01-01T00:00:00Z. */
#define FILETIME_YEAR_10000 2650467743999999999ULL

/* Civil date of a day count relative to 1970-01-01. */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    int64_t era, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    yoe = z - era * 146097;
    yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
    doy = (z - era * 146097) - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void ef_filetime_to_systemtime(uint64_t ft, struct ef_systemtime *st, uint32_t *ticks_in_second)
{
    uint64_t secs = ft / TICKS_PER_SECOND;
    uint64_t days = secs / SECONDS_PER_DAY;
    uint64_t sod = secs % SECONDS_PER_DAY;
    int y;
    unsigned m, d;

    civil_from_days((int64_t)days - DAYS_1601_TO_1970, &y, &m, &d);
    st->year = (uint16_t)y;
    st->month = (uint16_t)m;
    st->day = (uint16_t)d;
    /* 1601-01-01 was a Monday (1). */
    st->day_of_week = (uint16_t)((days + 1) % 7);
    st->hour = (uint16_t)(sod / 3600);
    st->minute = (uint16_t)(sod / 60 % 60);
    st->second = (uint16_t)(sod % 60);
    st->milliseconds = (uint16_t)(ft % TICKS_PER_SECOND / 10000);
    if (ticks_in_second)
        *ticks_in_second = (uint32_t)(ft % TICKS_PER_SECOND);
}

/* Writes v as exactly n decimal digits at p (v < 10^n by the callers' checks). */
static void put_digits(char *p, unsigned v, int n)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

/*
 * Hand-rolled instead of snprintf: every rendered event carries a time, and
 * this is several times faster than the formatted print.
 */
static void print_time(char out[EF_TIME_STR_SIZE], const struct ef_systemtime *st,
                       uint32_t ticks)
{
    put_digits(out, st->year, 4);
    out[4] = '-';
    put_digits(out + 5, st->month, 2);
    out[7] = '-';
    put_digits(out + 8, st->day, 2);
    out[10] = 'T';
    put_digits(out + 11, st->hour, 2);
    out[13] = ':';
    put_digits(out + 14, st->minute, 2);
    out[16] = ':';
    put_digits(out + 17, st->second, 2);
    out[19] = '.';
    put_digits(out + 20, ticks, 7);
    out[27] = 'Z';
    out[28] = '\0';
}

int ef_filetime_format(uint64_t ft, char out[EF_TIME_STR_SIZE])
{
    struct ef_systemtime st;
    uint32_t ticks;

    if (ft > FILETIME_YEAR_10000) {
        out[0] = '\0';
        return EF_ERANGE;
    }
    ef_filetime_to_systemtime(ft, &st, &ticks);
    print_time(out, &st, ticks);
    return 0;
}

static int is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int ef_systemtime_format(const struct ef_systemtime *st, char out[EF_TIME_STR_SIZE])
{
    static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned dim;

    out[0] = '\0';
    if (st->year < 1601 || st->year > 9999 || st->month < 1 || st->month > 12)
        return EF_ERANGE;
    dim = mdays[st->month - 1] + (st->month == 2 && is_leap(st->year));
    if (st->day < 1 || st->day > dim || st->hour > 23 || st->minute > 59 || st->second > 59 ||
        st->milliseconds > 999)
        return EF_ERANGE;
    print_time(out, st, (uint32_t)st->milliseconds * 10000u);
    return 0;
}

void ef_systemtime_read(const void *p, struct ef_systemtime *st)
{
    const uint8_t *b = p;

    st->year = ef_le16(b);
    st->month = ef_le16(b + 2);
    st->day_of_week = ef_le16(b + 4);
    st->day = ef_le16(b + 6);
    st->hour = ef_le16(b + 8);
    st->minute = ef_le16(b + 10);
    st->second = ef_le16(b + 12);
    st->milliseconds = ef_le16(b + 14);
}

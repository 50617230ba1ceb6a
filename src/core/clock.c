/*
 * Wall-clock and monotonic time, and RFC 3339 parsing and formatting.
 * Conversions use timegm/gmtime_r: UTC only, never the process's TZ.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firelater/clock.h"
#include "firelater/err.h"

fl_time_t fl_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (fl_time_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t fl_clock_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Reads exactly n digits at *p into *out and advances *p. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return FL_EINVAL;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int parse_integer(const char *s, fl_time_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return FL_EINVAL;
    *out = v;
    return 0;
}

/* Fraction of a second after '.', up to microseconds (further digits are dropped). */
static int parse_fraction(const char **p, int *us)
{
    int n = 0, v = 0;
    while (isdigit((unsigned char)**p)) {
        if (n < 6) {
            v = v * 10 + (**p - '0');
            n++;
        }
        (*p)++;
    }
    if (n == 0)
        return FL_EINVAL;
    while (n++ < 6)
        v *= 10;
    *us = v;
    return 0;
}

/* "Z", "+hh:mm" or "-hh:mm" → seconds east of UTC. */
static int parse_offset(const char *p, int *secs)
{
    int hh, mm, sign;
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0' ? (*secs = 0, 0) : FL_EINVAL;
    if (*p != '+' && *p != '-')
        return FL_EINVAL;
    sign = *p++ == '-' ? -1 : 1;
    if (digits(&p, 2, &hh) < 0 || *p++ != ':' || digits(&p, 2, &mm) < 0 || *p != '\0')
        return FL_EINVAL;
    if (hh > 23 || mm > 59)
        return FL_EINVAL;
    *secs = sign * (hh * 3600 + mm * 60);
    return 0;
}

static int valid_date(int y, int mo, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[mo - 1] + (mo == 2 && leap);
}

int fl_time_parse(const char *s, fl_time_t *out)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, us = 0, off = 0;
    if (s == NULL || *s == '\0')
        return FL_EINVAL;
    if (strchr(s, '-') == NULL || (s[0] == '-' && strchr(s + 1, '-') == NULL))
        return parse_integer(s, out);
    if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
        digits(&p, 2, &d) < 0 || !valid_date(y, mo, d))
        return FL_EINVAL;
    if (*p != '\0') {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return FL_EINVAL;
        p++;
        if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0 || *p++ != ':' ||
            digits(&p, 2, &sec) < 0)
            return FL_EINVAL;
        if (h > 23 || mi > 59 || sec > 60)
            return FL_EINVAL;
        if (*p == '.' && (p++, parse_fraction(&p, &us) < 0))
            return FL_EINVAL;
        if (parse_offset(p, &off) < 0)
            return FL_EINVAL;
    }
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    *out = ((fl_time_t)t - off) * 1000000 + us;
    return 0;
}

/* n as width digits, zero-padded, at p. */
static char *put_digits(char *p, long long n, int width)
{
    for (int i = width - 1; i >= 0; i--, n /= 10)
        p[i] = (char)('0' + n % 10);
    return p + width;
}

/*
 * Without gmtime_r and snprintf (the projector stamps every row): the civil
 * date of a day count by the era arithmetic of the proleptic Gregorian
 * calendar (400-year eras of 146,097 days, years starting on 1 March so that
 * the leap day ends them). Years outside 0..9999 keep the printf form.
 */
void fl_time_format(fl_time_t t, char *buf, size_t len)
{
    long long secs = t / 1000000, us = t % 1000000;
    if (us < 0) {
        us += 1000000;
        secs -= 1;
    }
    long long days = secs / 86400, sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days -= 1;
    }
    long long z = days + 719468; /* days since 0000-03-01 */
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;                                      /* [0, 146096] */
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    long long mp = (5 * doy + 2) / 153;                                    /* March = 0 */
    long long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    long long year = yoe + era * 400 + (month <= 2);

    if (year < 0 || year > 9999 || len < 28) {
        snprintf(buf, len, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06lldZ", year, month, day,
                 sod / 3600, sod / 60 % 60, sod % 60, us);
        return;
    }
    char *p = put_digits(buf, year, 4);
    *p++ = '-';
    p = put_digits(p, month, 2);
    *p++ = '-';
    p = put_digits(p, day, 2);
    *p++ = 'T';
    p = put_digits(p, sod / 3600, 2);
    *p++ = ':';
    p = put_digits(p, sod / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, sod % 60, 2);
    *p++ = '.';
    p = put_digits(p, us, 6);
    *p++ = 'Z';
    *p = '\0';
}

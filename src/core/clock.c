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

void fl_time_format(fl_time_t t, char *buf, size_t len)
{
    fl_time_t secs = t / 1000000, us = t % 1000000;
    if (us < 0) {
        us += 1000000;
        secs -= 1;
    }
    time_t tt = (time_t)secs;
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)us);
}

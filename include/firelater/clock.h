/*
 * Time as microseconds since the Unix epoch, UTC.
 */
#ifndef FIRELATER_CLOCK_H
#define FIRELATER_CLOCK_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t fl_time_t; /* µs since 1970-01-01T00:00:00Z */

fl_time_t fl_clock_now(void);

/* Monotonic µs, for durations only. */
int64_t fl_clock_mono(void);

/*
 * Parses RFC 3339 / ISO 8601 ("2026-11-25T12:00:00Z", "...12:00:00.123456+01:00",
 * "2026-11-25" as midnight UTC) or a plain integer of µs. Returns 0 or FL_EINVAL.
 */
int fl_time_parse(const char *s, fl_time_t *out);

/* Formats t as "2026-11-25T12:00:00.123456Z" into buf (at least 32 bytes). */
void fl_time_format(fl_time_t t, char *buf, size_t len);

#endif

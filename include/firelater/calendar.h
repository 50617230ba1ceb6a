/*
 * Business-hours calendars: the time arithmetic of SLA clocks.
 *
 * A calendar is an IANA time zone, a weekly schedule of opening intervals
 * (several a day, minute precision, an interval may end at 24:00) and whole
 * days off (holidays, dates in the calendar's zone); or "round the clock"
 * (24x7, no holidays). Instants are fl_time_t (µs since the epoch, UTC) and
 * are kept exact: business time is real elapsed time inside the intervals.
 *
 * Local times that do not exist (the spring-forward gap) map to the instant
 * of the change; local times that occur twice (fall back) map to their first
 * occurrence. src/domain/sla/README.md has the model, the rules and the costs.
 *
 * Threads: a calendar caches the zone's transitions as it is used, so one
 * calendar must be used by one thread at a time; libical itself is called
 * under a lock of this module, so different calendars may be used in parallel.
 */
#ifndef FIRELATER_CALENDAR_H
#define FIRELATER_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/arena.h"
#include "firelater/clock.h"
#include "firelater/domain.h"

#define FL_CAL_TZ_MAX       64   /* bytes of a time zone name */
#define FL_CAL_NAME_MAX     255  /* characters of a calendar's or a holiday's name */
#define FL_CAL_DAY_SPANS    8    /* intervals a day */
#define FL_CAL_HOLIDAYS_MAX 1000 /* holidays a calendar */
#define FL_CAL_NEVER        INT64_MAX

/* Supported instants: [1970-01-01, 3000-01-01) UTC. */
#define FL_CAL_TIME_MIN ((fl_time_t)0)
#define FL_CAL_TIME_MAX ((fl_time_t)32503680000 * 1000000)

typedef struct fl_cal fl_cal_t;

/* One opening interval, in minutes of the local day: 0 <= start < end <= 1440. */
typedef struct fl_cal_span {
    uint16_t start;
    uint16_t end;
} fl_cal_span_t;

typedef struct fl_cal_holiday {
    int32_t day;      /* days since 1970-01-01 (a local date) */
    const char *name; /* may be NULL */
} fl_cal_holiday_t;

/*
 * A business-hours definition, in the spec's business_hours tables:
 * day 0 is Sunday; spans sorted by start, not overlapping; holidays sorted.
 */
typedef struct fl_cal_def {
    const char *name;
    const char *timezone;
    bool is_default;
    fl_cal_span_t spans[7][FL_CAL_DAY_SPANS];
    uint8_t n_spans[7];
    fl_cal_holiday_t *holidays;
    size_t n_holidays;
} fl_cal_def_t;

/*
 * Decodes a business-hours body {name, timezone, is_default, schedule:
 * [{day_of_week, start_time, end_time}], holidays: [{holiday_date, name}]}
 * into def (strings and holidays in a). Every problem is collected in d with
 * the field named ("schedule[2].end_time"); returns 0 or FL_EINVAL.
 */
int fl_cal_decode(const json_t *body, fl_arena_t *a, fl_decision_t *d, fl_cal_def_t *def);

/* The body fl_cal_decode reads back (a new reference). */
json_t *fl_cal_def_json(const fl_cal_def_t *def);

/* True when libical knows the zone ("Europe/Berlin", "UTC"). */
bool fl_cal_zone_is_valid(const char *tz);

/*
 * A calendar from a decoded definition (copied; def may go). Returns 0 or
 * FL_EINVAL (unknown zone, bad spans, no opening at all). Free with fl_cal_free.
 */
int fl_cal_new(const fl_cal_def_t *def, fl_cal_t **out);

/* The round-the-clock calendar (24x7, UTC, no holidays). */
fl_cal_t *fl_cal_new_24x7(void);

void fl_cal_free(fl_cal_t *cal);

/*
 * The instant at which `minutes` business minutes have elapsed after start:
 * the earliest u >= start with fl_cal_elapsed(start, u) == minutes min (so
 * 0 minutes gives start, and a count ending at a closing gives the closing).
 * Returns 0, or FL_EINVAL for negative minutes or an instant out of range.
 */
int fl_cal_add(fl_cal_t *cal, fl_time_t start, int64_t minutes, fl_time_t *out);

/* Business µs in [from, to); 0 when to <= from. Instants are clamped to the supported range. */
int64_t fl_cal_elapsed(fl_cal_t *cal, fl_time_t from, fl_time_t to);

bool fl_cal_is_open(fl_cal_t *cal, fl_time_t t);

/* The first instant >= t at which the calendar is open (t itself when open). */
fl_time_t fl_cal_next_open(fl_cal_t *cal, fl_time_t t);

/*
 * The first instant >= t at which an open period ends (touching intervals
 * are one period), or FL_CAL_NEVER when none ends within a year (24x7).
 */
fl_time_t fl_cal_next_close(fl_cal_t *cal, fl_time_t t);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t fl_cal_days_from_civil(int y, int m, int d);
void fl_cal_civil_from_days(int64_t days, int *y, int *m, int *d);

#endif

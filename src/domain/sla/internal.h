/*
 * Internals of the business-hours calendar (src/domain/sla/): the zone's
 * transition cache and the calendar's compiled schedule.
 */
#ifndef FL_SLA_INTERNAL_H
#define FL_SLA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firelater/calendar.h"

#define FL__DAY_S 86400

/*
 * One change of the zone's UTC offset at UTC second t. key is the first
 * local second the change touches (t + min(before, after)): the start of the
 * gap or of the repeated hour. Keys are sorted because changes are days apart.
 */
typedef struct fl__zone_tr {
    int64_t t;
    int64_t key;
    int32_t before;
    int32_t after;
} fl__zone_tr_t;

/*
 * A zone and the changes libical reported for the UTC seconds (lo, hi]:
 * found lazily, a chunk of about a year at a time, and kept sorted.
 */
typedef struct fl__zone {
    void *ical; /* icaltimezone *, shared and owned by libical */
    int64_t lo, hi;
    int32_t lo_off; /* the offset at lo */
    fl__zone_tr_t *tr;
    size_t n, cap;
} fl__zone_t;

/* 0, or FL_EINVAL for a zone libical does not know. */
int fl__zone_init(fl__zone_t *z, const char *tz);
void fl__zone_free(fl__zone_t *z);

/* The UTC offset (s) at UTC second u. */
int32_t fl__zone_offset(fl__zone_t *z, int64_t u);

/* The UTC second of local second l: a gap maps to the change, a repeat to its first time. */
int64_t fl__zone_to_utc(fl__zone_t *z, int64_t l);

/* The first change strictly after u that is already known, or FL_CAL_NEVER; sets *known_to. */
int64_t fl__zone_next_change(fl__zone_t *z, int64_t u, int64_t *known_to);

struct fl_cal {
    bool always; /* round the clock */
    fl__zone_t zone;
    fl_cal_span_t spans[7][FL_CAL_DAY_SPANS];
    uint8_t n_spans[7];
    int64_t week_us;   /* business µs of a week without holidays or changes */
    int32_t *holidays; /* sorted local days */
    size_t n_holidays;
};

#endif

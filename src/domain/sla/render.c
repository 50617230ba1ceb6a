/*
 * fl_cal_def_t -> the business-hours body fl_cal_decode reads back: the
 * schedule ordered by day and start, the holidays by date.
 */
#include <stdio.h>

#include "internal.h"

static json_t *clock_json(unsigned minutes)
{
    char buf[8];

    snprintf(buf, sizeof(buf), "%02u:%02u", minutes / 60 % 100, minutes % 60);
    return json_string(buf);
}

static json_t *date_json(int32_t day)
{
    char buf[16];
    int y, m, d;

    fl_cal_civil_from_days(day, &y, &m, &d);
    snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
    return json_string(buf);
}

static json_t *schedule_json(const fl_cal_def_t *def)
{
    json_t *arr = json_array();

    for (int w = 0; w < 7; w++) {
        for (size_t i = 0; i < def->n_spans[w]; i++)
            json_array_append_new(arr, json_pack("{s:i, s:o, s:o}", "day_of_week", w, "start_time",
                                                 clock_json(def->spans[w][i].start), "end_time",
                                                 clock_json(def->spans[w][i].end)));
    }
    return arr;
}

json_t *fl_cal_def_json(const fl_cal_def_t *def)
{
    json_t *holidays = json_array();

    for (size_t i = 0; i < def->n_holidays; i++)
        json_array_append_new(holidays, json_pack("{s:o, s:o}", "holiday_date",
                                                  date_json(def->holidays[i].day), "name",
                                                  fl_json_str_or_null(def->holidays[i].name)));
    return json_pack("{s:s, s:s, s:b, s:o, s:o}", "name", def->name, "timezone", def->timezone,
                     "is_default", def->is_default, "schedule", schedule_json(def), "holidays",
                     holidays);
}

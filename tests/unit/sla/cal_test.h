/*
 * The calendar suite (src/domain/sla/): shared helpers and its test cases.
 */
#ifndef FL_CAL_TEST_H
#define FL_CAL_TEST_H

#include <check.h>

#include "firelater/calendar.h"

/* A calendar from a business-hours body; asserts it decodes and builds. */
fl_cal_t *tc_cal(const char *json);

/* An RFC 3339 instant; asserts it parses. */
fl_time_t tc_t(const char *rfc3339);

/* Asserts got is the instant `want` (compared as formatted text, for readable failures). */
#define tc_assert_time(got, want) tc_assert_time_at((got), (want), __FILE__, __LINE__)
void tc_assert_time_at(fl_time_t got, const char *want, const char *file, int line);

/* fl_cal_add that asserts success. */
fl_time_t tc_add(fl_cal_t *cal, const char *start, int64_t minutes);

#define TC_MIN INT64_C(60000000)

TCase *cal_arith_tcase(void);
TCase *cal_dst_tcase(void);
TCase *cal_property_tcase(void);
TCase *cal_decode_tcase(void);

#endif

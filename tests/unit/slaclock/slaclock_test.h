/*
 * The SLA clock suite (src/domain/sla/clock.c, src/core/timerq.c): helpers and test cases.
 */
#ifndef FL_SLACLOCK_TEST_H
#define FL_SLACLOCK_TEST_H

#include <check.h>

#include "firelater/slaclock.h"
#include "firelater/timerq.h"

#define SC_MIN INT64_C(60000000)

/* UTC office: Mon-Fri 09:00-12:00 and 13:00-17:30; 2026-03-02 is a Monday. */
fl_cal_t *sc_office(void);
fl_time_t sc_t(const char *rfc3339);
#define sc_assert_time(got, want) sc_assert_time_at((got), (want), __FILE__, __LINE__)
void sc_assert_time_at(fl_time_t got, const char *want, const char *file, int line);

/* A policy on cal: response critical 60 min / high 120 / medium 240 / low 480, resolution x4;
 * warning 80 %. */
void sc_policy(fl_slaclock_policy_t *p, fl_cal_t *cal);

TCase *sc_engine_tcase(void);
TCase *sc_property_tcase(void);
TCase *sc_timerq_tcase(void);
TCase *sc_facts_tcase(void);
TCase *sc_facts_in_tcase(void);
TCase *sc_idtab_tcase(void);

#endif

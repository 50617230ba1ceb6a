/*
 * Shared by the applications suite's files: the test cases each file adds
 * and the helpers main.c provides.
 */
#ifndef FL_TEST_APPS_H
#define FL_TEST_APPS_H

#include <check.h>
#include <stdbool.h>

#include <jansson.h>

#include "firelater/applications.h"
#include "util.h"

TCase *apps_decode_tcase(void);
TCase *apps_decide_tcase(void);
TCase *apps_read_tcase(void);

/* Folds the decision's events into s as the log would (numbering a created event APP-0000n). */
void at_fold(fl_app_state_t *s, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts);

/* A live application made from a create body (decoded, decided, folded). */
void at_make_app(fl_app_state_t *s, fl_arena_t *a, const char *body);

#endif

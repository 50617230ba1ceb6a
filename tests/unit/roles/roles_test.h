/*
 * Shared by the roles suite's files: the test cases each file adds and the
 * helpers main.c provides.
 */
#ifndef FL_TEST_ROLES_H
#define FL_TEST_ROLES_H

#include <check.h>
#include <stdbool.h>

#include <jansson.h>

#include "firelater/domain.h"
#include "firelater/roles.h"
#include "util.h"

TCase *roles_decode_tcase(void);
TCase *roles_decide_tcase(void);
TCase *roles_fold_tcase(void);
TCase *roles_project_tcase(void);

/* A set of "resource:action" names (asserted known). */
fl_perms_t rt_perms(const char *const *names, size_t n);

/* Folds the decision's events on role streams into r, as the log would (ts given). */
void rt_fold(fl_role_state_t *r, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts);

#endif

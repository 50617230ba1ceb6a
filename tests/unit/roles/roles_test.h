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

TCase *roles_decode_tcase(void);
TCase *roles_decide_tcase(void);
TCase *roles_fold_tcase(void);
TCase *roles_project_tcase(void);

/* JSON text to a value (asserted); the caller decrefs. */
json_t *rt_json(const char *text);

/* True when d holds an error naming field (NULL: the whole body). */
bool rt_has_error(const fl_decision_t *d, const char *field);

/* The i-th event's data as JSON (caller decrefs). */
json_t *rt_event_data(const fl_decision_t *d, size_t i);

/* A command context at time now by an operator. */
fl_cmd_ctx_t rt_ctx(fl_arena_t *a, fl_time_t now);

/* A set of "resource:action" names (asserted known). */
fl_perms_t rt_perms(const char *const *names, size_t n);

/* Folds the decision's events on role streams into r, as the log would (ts given). */
void rt_fold(fl_role_state_t *r, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts);

#endif

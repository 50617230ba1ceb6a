/*
 * Shared by the users suite's files: the test cases each file adds and the
 * helpers main.c provides.
 */
#ifndef FL_TEST_USERS_H
#define FL_TEST_USERS_H

#include <check.h>
#include <stdbool.h>

#include <jansson.h>

#include "firelater/domain.h"
#include "firelater/users.h"
#include "util.h"

TCase *users_decode_tcase(void);
TCase *users_decide_tcase(void);
TCase *users_fold_tcase(void);
TCase *users_project_tcase(void);
TCase *users_list_tcase(void);
TCase *users_reset_tcase(void);

/* A command context at time now, by actor_id (NULL: an operator). */
fl_cmd_ctx_t ut_ctx(fl_arena_t *a, fl_time_t now, const char *actor_id);

/*
 * Folds the decision's events that belong to u's stream (or every event when
 * u has no id yet) into u, as the log would: versions from u->version + 1,
 * ts as given.
 */
void ut_fold_user(fl_user_state_t *u, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts);

/* An active user made by a create decision: email, name, roles as given ("admin" or NULL). */
void ut_make_user(fl_user_state_t *u, fl_arena_t *a, const char *email, const char *role);

#endif

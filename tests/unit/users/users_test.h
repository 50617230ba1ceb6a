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

TCase *users_decode_tcase(void);
TCase *users_decide_tcase(void);
TCase *users_fold_tcase(void);
TCase *users_project_tcase(void);
TCase *users_list_tcase(void);
TCase *users_reset_tcase(void);

/* JSON text to a value (asserted; \u0000 allowed in strings); the caller decrefs. */
json_t *ut_json(const char *text);

/* True when d holds an error naming field (NULL: the whole body). */
bool ut_has_error(const fl_decision_t *d, const char *field);

/* The i-th event's data as JSON (caller decrefs). */
json_t *ut_event_data(const fl_decision_t *d, size_t i);

/* A command context at time now, by actor_id (NULL: an operator). */
fl_cmd_ctx_t ut_ctx(fl_arena_t *a, fl_time_t now, const char *actor_id);

/* The expectation the decision holds for stream; asserts there is one. */
int64_t ut_expect_of(const fl_decision_t *d, const char *stream);

/*
 * Folds the decision's events that belong to u's stream (or every event when
 * u has no id yet) into u, as the log would: versions from u->version + 1,
 * ts as given.
 */
void ut_fold_user(fl_user_state_t *u, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts);

/* An active user made by a create decision: email, name, roles as given ("admin" or NULL). */
void ut_make_user(fl_user_state_t *u, fl_arena_t *a, const char *email, const char *role);

#endif

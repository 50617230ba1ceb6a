/*
 * Shared by the groups suite's files: the test cases each file adds and the
 * helpers helpers.c provides.
 */
#ifndef FL_TEST_GROUPS_H
#define FL_TEST_GROUPS_H

#include <check.h>
#include <stdbool.h>

#include <jansson.h>

#include "firelater/domain.h"
#include "firelater/groups.h"
#include "util.h"

TCase *groups_decode_tcase(void);
TCase *groups_decide_tcase(void);
TCase *groups_fold_tcase(void);
TCase *groups_project_tcase(void);
TCase *groups_query_tcase(void);

/* Folds the decision's events on g's stream (every group:* event when g has no id) into g. */
void gt_fold(fl_group_state_t *g, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts);

/* A live group made by a create decision, with the given name and parent ("" or NULL: none). */
void gt_make_group(fl_group_state_t *g, fl_arena_t *a, const char *name, const char *parent_id);

/* An existing user (active or not) with the id. */
void gt_make_user(fl_user_state_t *u, const char *id, bool active);

#endif

/*
 * Shared by the API keys suite's files: the test cases each file adds and
 * the helpers main.c provides.
 */
#ifndef FL_TEST_APIKEYS_H
#define FL_TEST_APIKEYS_H

#include <check.h>
#include <stdbool.h>

#include <jansson.h>

#include "firelater/apikeys.h"
#include "util.h"
#include "firelater/domain.h"

#define AT_NOW  1764072000000000LL /* 2025-11-25T12:00:00Z */
#define KEY_ID  "0b5e1c3a-7d2f-4e6b-9a8c-1f2e3d4c5b6a"
#define USER_ID "00000000-0000-4000-8000-0000000000a1"

TCase *apikeys_key_tcase(void);
TCase *apikeys_decode_tcase(void);
TCase *apikeys_decide_tcase(void);
TCase *apikeys_fold_tcase(void);

/* A command context at now, tenant acme. */
fl_cmd_ctx_t at_ctx(fl_arena_t *a, fl_time_t now);

/* Perms from "resource:action" names (asserted). */
fl_perms_t at_perms(const char *const *names, size_t n);

/* A created key (scopes users:read, groups:read; no expiry) folded into k. */
void at_make_key(fl_api_key_state_t *k, fl_arena_t *a, const uint8_t secret[32]);

/* Folds the decision's events into k, each at ts. */
void at_fold(fl_api_key_state_t *k, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts);

#endif

/*
 * The test cases of test_auth, one function per source file, gathered into
 * one suite by test_auth.c.
 */
#ifndef FL_TEST_AUTH_H
#define FL_TEST_AUTH_H

#include <check.h>

TCase *auth_tcase_jwt(void);
TCase *auth_tcase_tokens(void);
TCase *auth_tcase_throttle(void);

#endif

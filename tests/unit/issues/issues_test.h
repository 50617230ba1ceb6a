/* Shared by the issues suite's files: the test cases each file adds. */
#ifndef FL_TEST_ISSUES_H
#define FL_TEST_ISSUES_H

#include <check.h>

TCase *issues_rules_tcase(void);
TCase *issues_decode_tcase(void);
TCase *issues_decide_tcase(void);
TCase *issues_read_tcase(void);
TCase *issues_actions_tcase(void);
TCase *issues_sla_tcase(void);

#endif

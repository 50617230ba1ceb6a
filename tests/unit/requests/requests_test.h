/* Shared by the requests suite's files: the test cases each file adds. */
#ifndef FL_TEST_REQUESTS_H
#define FL_TEST_REQUESTS_H

#include <check.h>

TCase *requests_decode_tcase(void);
TCase *requests_machine_tcase(void);
TCase *requests_chain_tcase(void);
TCase *requests_table_tcase(void);
TCase *requests_bundles_tcase(void);
TCase *requests_sla_tcase(void);
TCase *requests_comments_tcase(void);

#endif

/*
 * The groups suite: decode, decide, fold, projection, queries.
 */
#include "groups_test.h"
#include "util.h"

int main(void)
{
    Suite *s = suite_create("groups");

    suite_add_tcase(s, groups_decode_tcase());
    suite_add_tcase(s, groups_decide_tcase());
    suite_add_tcase(s, groups_fold_tcase());
    suite_add_tcase(s, groups_project_tcase());
    suite_add_tcase(s, groups_query_tcase());
    return tu_run(s);
}

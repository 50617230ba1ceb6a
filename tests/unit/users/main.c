/*
 * The users suite: decode, decide, fold, projection, list query.
 */
#include "util.h"
#include "users_test.h"

int main(void)
{
    Suite *s = suite_create("users");

    suite_add_tcase(s, users_decode_tcase());
    suite_add_tcase(s, users_decide_tcase());
    suite_add_tcase(s, users_fold_tcase());
    suite_add_tcase(s, users_project_tcase());
    suite_add_tcase(s, users_list_tcase());
    suite_add_tcase(s, users_reset_tcase());
    return tu_run(s);
}

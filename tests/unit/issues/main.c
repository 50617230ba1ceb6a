/* The issues suite (src/domain/issues/): the rules and decoding. */
#include "issues_test.h"
#include "util.h"

int main(void)
{
    Suite *s = suite_create("issues");

    suite_add_tcase(s, issues_rules_tcase());
    suite_add_tcase(s, issues_decode_tcase());
    suite_add_tcase(s, issues_decide_tcase());
    suite_add_tcase(s, issues_read_tcase());
    suite_add_tcase(s, issues_actions_tcase());
    suite_add_tcase(s, issues_sla_tcase());
    return tu_run(s);
}

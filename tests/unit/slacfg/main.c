/* The SLA configuration suite: policy and business-hours bodies, the selector, calendars. */
#include "slacfg_test.h"
#include "util.h"

int main(void)
{
    Suite *s = suite_create("slacfg");

    suite_add_tcase(s, slacfg_decode_tcase());
    suite_add_tcase(s, slacfg_select_tcase());
    suite_add_tcase(s, slacfg_config_tcase());
    suite_add_tcase(s, slacfg_log_tcase());
    return tu_run(s);
}

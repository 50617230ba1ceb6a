/* The requests suite (src/domain/requests/). */
#include "requests_test.h"
#include "util.h"

int main(void)
{
    Suite *s = suite_create("requests");

    suite_add_tcase(s, requests_decode_tcase());
    suite_add_tcase(s, requests_machine_tcase());
    suite_add_tcase(s, requests_chain_tcase());
    suite_add_tcase(s, requests_table_tcase());
    suite_add_tcase(s, requests_bundles_tcase());
    suite_add_tcase(s, requests_sla_tcase());
    suite_add_tcase(s, requests_comments_tcase());
    return tu_run(s);
}

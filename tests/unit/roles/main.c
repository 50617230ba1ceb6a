/*
 * The roles suite: decode, decide, fold, projection; and the helpers its
 * files share.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/codec.h"
#include "roles_test.h"
#include "util.h"

fl_perms_t rt_perms(const char *const *names, size_t n)
{
    fl_perms_t p = {{0, 0}};

    for (size_t i = 0; i < n; i++) {
        fl_resource_t r;
        fl_action_t a;
        ck_assert_msg(fl_perm_parse(names[i], &r, &a), "unknown %s", names[i]);
        fl_perms_add(&p, r, a);
    }
    return p;
}

void rt_fold(fl_role_state_t *r, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts)
{
    for (size_t i = 0; i < d->n_events; i++) {
        const fl_log_new_t *e = &d->events[i];
        if (strncmp(e->stream, "role:", 5) != 0)
            continue;
        fl_event_t ev = tu_event_of(e, r->version + 1, ts);
        ck_assert_int_eq(fl_role_agg.fold(r, a, &ev), 0);
    }
}

int main(void)
{
    Suite *s = suite_create("roles");

    suite_add_tcase(s, roles_decode_tcase());
    suite_add_tcase(s, roles_decide_tcase());
    suite_add_tcase(s, roles_fold_tcase());
    suite_add_tcase(s, roles_project_tcase());
    return tu_run(s);
}

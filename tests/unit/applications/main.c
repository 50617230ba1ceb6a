/*
 * The applications suite (src/domain/applications/): decode, decide and
 * fold, projection statements and queries. Helpers the files share.
 */
#include <stdio.h>
#include <string.h>

#include "apps_test.h"
#include "firelater/codec.h"
#include "util.h"

void at_fold(fl_app_state_t *s, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts)
{
    for (size_t i = 0; i < d->n_events; i++) {
        const fl_log_new_t *e = &d->events[i];
        fl_event_t ev = tu_event_of(e, s->version + 1, ts);
        ev.num = e->number != NULL ? "APP-00001" : "";
        ck_assert_int_eq(fl_app_agg.fold(s, a, &ev), 0);
    }
}

void at_make_app(fl_app_state_t *s, fl_arena_t *a, const char *body)
{
    fl_cmd_ctx_t ctx = tu_ctx(a, 1000000);
    fl_app_values_t cmd;
    fl_app_refs_t refs = {0};
    fl_decision_t d;
    json_t *j = tu_json(body);

    fl_decision_init(&d);
    ck_assert_int_eq(fl_apps_decode_create(j, a, &cmd, &d), 0);
    json_decref(j);
    ck_assert_int_eq(fl_apps_decide_create(&ctx, &cmd, &refs, &d), 0);
    fl_app_agg.init(s);
    at_fold(s, a, &d, 1000000);
    ck_assert(s->exists);
    fl_decision_release(&d);
}

int main(void)
{
    Suite *s = suite_create("applications");

    suite_add_tcase(s, apps_decode_tcase());
    suite_add_tcase(s, apps_decide_tcase());
    suite_add_tcase(s, apps_read_tcase());
    return tu_run(s);
}

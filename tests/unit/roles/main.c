/*
 * The roles suite: decode, decide, fold, projection; and the helpers its
 * files share.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/codec.h"
#include "roles_test.h"
#include "util.h"

json_t *rt_json(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

    ck_assert_msg(j != NULL, "bad JSON in test: %s", err.text);
    return j;
}

bool rt_has_error(const fl_decision_t *d, const char *field)
{
    for (size_t i = 0; i < d->problem.n_errors; i++) {
        const char *f = d->errors[i].field;
        if ((f == NULL && field == NULL) || (f != NULL && field != NULL && strcmp(f, field) == 0))
            return true;
    }
    return false;
}

json_t *rt_event_data(const fl_decision_t *d, size_t i)
{
    json_t *j = NULL;

    ck_assert_uint_lt(i, d->n_events);
    ck_assert_int_eq(fl_codec_to_json(d->events[i].data, d->events[i].data_len, &j), 0);
    return j;
}

fl_cmd_ctx_t rt_ctx(fl_arena_t *a, fl_time_t now)
{
    return (fl_cmd_ctx_t){
        .a = a, .now = now, .tenant = "acme", .actor = "flctl:test", .request_id = "req-1"};
}

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
        fl_event_t ev = {.pos = r->version + 1,
                         .ts = ts,
                         .type = e->type,
                         .v = 1,
                         .stream = e->stream,
                         .sv = r->version + 1,
                         .actor = "",
                         .cid = "",
                         .corr = "",
                         .num = "",
                         .data = e->data,
                         .data_len = e->data_len};
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

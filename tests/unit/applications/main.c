/*
 * The applications suite (src/domain/applications/): decode, decide and
 * fold, projection statements and queries. Helpers the files share.
 */
#include <stdio.h>
#include <string.h>

#include "apps_test.h"
#include "firelater/codec.h"
#include "util.h"

json_t *at_json(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

    ck_assert_msg(j != NULL, "bad JSON in test: %s", err.text);
    return j;
}

bool at_has_error(const fl_decision_t *d, const char *field)
{
    for (size_t i = 0; i < d->problem.n_errors; i++) {
        const char *f = d->errors[i].field;
        if ((f == NULL && field == NULL) || (f != NULL && field != NULL && strcmp(f, field) == 0))
            return true;
    }
    return false;
}

json_t *at_event_data(const fl_decision_t *d, size_t i)
{
    json_t *j = NULL;

    ck_assert_uint_lt(i, d->n_events);
    ck_assert_int_eq(fl_codec_to_json(d->events[i].data, d->events[i].data_len, &j), 0);
    return j;
}

fl_cmd_ctx_t at_ctx(fl_arena_t *a, fl_time_t now)
{
    return (fl_cmd_ctx_t){
        .a = a, .now = now, .tenant = "acme", .actor = "flctl:test", .request_id = "req-1"};
}

void at_fold(fl_app_state_t *s, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts)
{
    for (size_t i = 0; i < d->n_events; i++) {
        const fl_log_new_t *e = &d->events[i];
        fl_event_t ev = {.pos = s->version + 1,
                         .ts = ts,
                         .type = e->type,
                         .v = 1,
                         .stream = e->stream,
                         .sv = s->version + 1,
                         .actor = "",
                         .cid = "",
                         .corr = "",
                         .num = e->number != NULL ? "APP-00001" : "",
                         .data = e->data,
                         .data_len = e->data_len};
        ck_assert_int_eq(fl_app_agg.fold(s, a, &ev), 0);
    }
}

void at_make_app(fl_app_state_t *s, fl_arena_t *a, const char *body)
{
    fl_cmd_ctx_t ctx = at_ctx(a, 1000000);
    fl_app_values_t cmd;
    fl_app_refs_t refs = {0};
    fl_decision_t d;
    json_t *j = at_json(body);

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

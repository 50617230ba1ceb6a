/*
 * The API keys suite: the key format, decode, decide, fold; and the helpers
 * the suite's files share (apikeys_test.h).
 */
#include <string.h>

#include "apikeys_test.h"
#include "firelater/codec.h"
#include "util.h"

json_t *at_json(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &err);
    ck_assert_msg(j != NULL, "bad JSON in test: %s", err.text);
    return j;
}

bool at_has_error(const fl_decision_t *d, const char *field)
{
    for (size_t i = 0; i < d->problem.n_errors; i++) {
        const char *f = d->errors[i].field;
        if (f != NULL && strcmp(f, field) == 0)
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
    return (fl_cmd_ctx_t){.a = a,
                          .now = now,
                          .tenant = "acme",
                          .actor = "user:" USER_ID,
                          .actor_id = USER_ID,
                          .request_id = "req-1"};
}

fl_perms_t at_perms(const char *const *names, size_t n)
{
    fl_perms_t p = {{0, 0}};
    fl_resource_t r;
    fl_action_t a;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(fl_perm_parse(names[i], &r, &a), "bad permission %s", names[i]);
        fl_perms_add(&p, r, a);
    }
    return p;
}

void at_fold(fl_api_key_state_t *k, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts)
{
    for (size_t i = 0; i < d->n_events; i++) {
        const fl_log_new_t *e = &d->events[i];
        fl_event_t ev = {.pos = k->version + 1,
                         .ts = ts,
                         .type = e->type,
                         .v = 1,
                         .stream = e->stream,
                         .sv = k->version + 1,
                         .actor = "",
                         .cid = "",
                         .corr = "",
                         .num = "",
                         .data = e->data,
                         .data_len = e->data_len};
        ck_assert_int_eq(fl_api_key_agg.fold(k, a, &ev), 0);
    }
}

void at_make_key(fl_api_key_state_t *k, fl_arena_t *a, const uint8_t secret[32])
{
    static const char *const scopes[] = {"users:read", "groups:read"};
    fl_api_key_cmd_t cmd = {.name = "CI", .scopes = at_perms(scopes, 2), .id = KEY_ID};
    fl_api_key_creator_t by = {.user_id = USER_ID};
    fl_decision_t d;
    fl_cmd_ctx_t ctx = at_ctx(a, AT_NOW);
    fl_rbac_system_role_perms("admin", &by.perms);
    fl_apikeys_hash(secret, cmd.secret_hash);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apikeys_decide_create(&ctx, &cmd, &by, &d), 0);
    fl_api_key_agg.init(k);
    at_fold(k, a, &d, AT_NOW);
}

int main(void)
{
    Suite *s = suite_create("apikeys");
    suite_add_tcase(s, apikeys_key_tcase());
    suite_add_tcase(s, apikeys_decode_tcase());
    suite_add_tcase(s, apikeys_decide_tcase());
    suite_add_tcase(s, apikeys_fold_tcase());
    return tu_run(s);
}

/*
 * The API keys suite: the key format, decode, decide, fold; and the helpers
 * the suite's files share (apikeys_test.h).
 */
#include <string.h>

#include "apikeys_test.h"
#include "firelater/codec.h"
#include "util.h"

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
        fl_event_t ev = tu_event_of(e, k->version + 1, ts);
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

/*
 * Helpers the users suites share (users_test.h).
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "util.h"
#include "users_test.h"

fl_cmd_ctx_t ut_ctx(fl_arena_t *a, fl_time_t now, const char *actor_id)
{
    fl_cmd_ctx_t ctx = {.a = a, .now = now, .tenant = "acme", .request_id = "req-1"};

    ctx.actor_id = actor_id;
    ctx.actor = actor_id != NULL ? "user:actor" : "flctl:test";
    return ctx;
}

void ut_fold_user(fl_user_state_t *u, fl_arena_t *a, const fl_decision_t *d, fl_time_t ts)
{
    char stream[64];

    for (size_t i = 0; i < d->n_events; i++) {
        const fl_log_new_t *e = &d->events[i];
        snprintf(stream, sizeof(stream), "user:%s", u->id);
        if (strncmp(e->stream, "user:", 5) != 0 || (u->id[0] && strcmp(e->stream, stream) != 0))
            continue;
        fl_event_t ev = tu_event_of(e, u->version + 1, ts);
        ck_assert_int_eq(fl_user_agg.fold(u, a, &ev), 0);
    }
}

void ut_make_user(fl_user_state_t *u, fl_arena_t *a, const char *email, const char *role)
{
    fl_cmd_ctx_t ctx = ut_ctx(a, 1000000, NULL);
    fl_user_create_cmd_t cmd = {.f = {.email = email, .name = "Ada Lovelace"}};
    fl_email_claim_state_t claim = {0};
    fl_decision_t d;

    if (role != NULL) {
        cmd.f.roles[0] = role;
        cmd.f.n_roles = 1;
    }
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decide_create(&ctx, &cmd, "$argon2id$hash", &claim, &d), 0);
    fl_user_agg.init(u);
    ut_fold_user(u, a, &d, 1000000);
    ck_assert(u->exists);
    fl_decision_release(&d);
}

/*
 * Folds through a real log: a decision's events appended with its
 * expectations, then loaded back with fl_agg_load_uncached. A role's whole
 * life, its name taken again after the delete, racing creates of one name,
 * and seeding twice.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/aggcache.h"
#include "firelater/err.h"
#include "roles_test.h"
#include "util.h"

static char *dir;
static fl_log_t *lg;
static fl_arena_t arena;
static fl_time_t now = 1764072000000000LL;
static fl_perms_t all;

static void setup(void)
{
    lg = tu_open_temp(&dir, &now);
    fl_arena_init(&arena, 0);
    ck_assert(fl_rbac_system_role_perms("admin", &all));
}

static void teardown(void)
{
    tu_close_temp(lg, dir);
    fl_arena_free(&arena);
}

static void load(const char *stream, const fl_agg_type_t *t, void *state)
{
    uint64_t v;

    ck_assert_int_eq(fl_agg_load_uncached(lg, t, stream, &arena, state, &v), 0);
}

/* Creates "auditor" (users:read) and returns its stream, or NULL when refused or lost. */
static const char *create_auditor(int *append_rc)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    const char *names[] = {"users:read"};
    fl_role_cmd_t cmd = {.name = "auditor", .display_name = "Auditor", .perms = rt_perms(names, 1)};
    fl_role_name_claim_state_t claim;
    fl_decision_t d;

    load("role-name:auditor", &fl_role_name_claim_agg, &claim);
    fl_decision_init(&d);
    if (fl_roles_decide_create(&ctx, &cmd, &claim, &all, &d) != 0)
        return NULL;
    *append_rc = tu_append_decision(lg, &d);
    return d.events[0].stream;
}

START_TEST(life)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_role_state_t r;
    fl_role_name_claim_state_t c;
    fl_decision_t d;
    int rc;
    const char *stream = create_auditor(&rc);

    ck_assert_int_eq(rc, 0);
    load(stream, &fl_role_agg, &r);
    ck_assert(r.exists && !r.is_system && !r.deleted);
    ck_assert_str_eq(r.name, "auditor");
    ck_assert(fl_perms_has_exact(&r.perms, FL_RES_USERS, FL_ACT_READ));
    /* update: a stale If-Match loses */
    fl_role_cmd_t up = {.set = FL_ROLE_F_DESCRIPTION, .description = "x"};
    fl_decision_init(&d);
    ck_assert_int_eq(fl_roles_decide_update(&ctx, &r, 5, &up, &all, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), FL_EVERSION);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_roles_decide_update(&ctx, &r, 1, &up, &all, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    load(stream, &fl_role_agg, &r);
    ck_assert_str_eq(r.description, "x");
    ck_assert_uint_eq(r.version, 2);
    /* delete releases the name; a new role takes it */
    fl_decision_init(&d);
    ck_assert_int_eq(fl_roles_decide_delete(&ctx, &r, FL_LOG_ANY, 0, 0, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    load(stream, &fl_role_agg, &r);
    ck_assert(r.deleted);
    load("role-name:auditor", &fl_role_name_claim_agg, &c);
    ck_assert(!c.claimed);
    const char *again = create_auditor(&rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_ne(again, stream);
    load("role-name:auditor", &fl_role_name_claim_agg, &c);
    ck_assert(c.claimed);
    ck_assert_str_eq(again + strlen("role:"), c.role_id);
}
END_TEST

/* Two creates decided on the same claim state: the second append loses. */
START_TEST(racing_creates)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_role_cmd_t cmd = {.name = "auditor", .display_name = "A"};
    fl_role_name_claim_state_t claim = {0};
    fl_decision_t d1, d2;

    fl_decision_init(&d1);
    fl_decision_init(&d2);
    ck_assert_int_eq(fl_roles_decide_create(&ctx, &cmd, &claim, &all, &d1), 0);
    ck_assert_int_eq(fl_roles_decide_create(&ctx, &cmd, &claim, &all, &d2), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d1), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d2), FL_EVERSION);
}
END_TEST

START_TEST(seed_twice)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_decision_t d;
    fl_role_state_t r;
    fl_perms_t agent;

    fl_decision_init(&d);
    ck_assert_int_eq(fl_roles_decide_seed(&ctx, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    load(d.events[0].stream, &fl_role_agg, &r);
    ck_assert(r.exists && r.is_system);
    ck_assert_str_eq(r.name, "admin");
    ck_assert_str_eq(r.display_name, "Administrator");
    ck_assert(fl_perms_equal(&r.perms, &all)); /* the code's grants */
    load(d.events[4].stream, &fl_role_agg, &r);
    ck_assert(fl_rbac_system_role_perms("agent", &agent));
    ck_assert(fl_perms_equal(&r.perms, &agent));
    fl_decision_init(&d);
    ck_assert_int_eq(fl_roles_decide_seed(&ctx, &d), 0);
    ck_assert_int_eq(tu_append_decision(lg, &d), FL_EVERSION);
}
END_TEST

TCase *roles_fold_tcase(void)
{
    TCase *tc = tcase_create("fold");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, life);
    tcase_add_test(tc, racing_creates);
    tcase_add_test(tc, seed_twice);
    return tc;
}

/*
 * Folds through a real log: decisions appended with their expectations, then
 * loaded back with fl_agg_load_uncached. Racing creates of one name (in any
 * case) cannot both land; a released name can be taken again.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/aggcache.h"
#include "firelater/err.h"
#include "groups_test.h"
#include "util.h"

#define U1 "00000000-0000-4000-8000-0000000000a1"

static char *dir;
static fl_log_t *lg;
static fl_arena_t arena;
static fl_time_t now = 1764072000000000LL;

static void setup(void)
{
    lg = tu_open_temp(&dir, &now);
    fl_arena_init(&arena, 0);
}

static void teardown(void)
{
    tu_close_temp(lg, dir);
    fl_arena_free(&arena);
}

static int append(const fl_decision_t *d)
{
    now += 1000000;
    return tu_append_decision(lg, d);
}

static void load(const char *id, fl_group_state_t *g)
{
    uint64_t v;

    ck_assert_int_eq(
        fl_agg_load_uncached(lg, &fl_group_agg, fl_groups_stream(&arena, id), &arena, g, &v), 0);
    ck_assert_uint_eq(v, g->version);
}

static void load_claim(const char *name, fl_group_name_claim_state_t *c)
{
    uint64_t v;

    ck_assert_int_eq(fl_agg_load_uncached(lg, &fl_group_name_claim_agg,
                                          fl_groups_name_stream(&arena, name), &arena, c, &v),
                     0);
}

/* Decides a create against the claim as loaded now; the decision is left in d. */
static void decide_create(const char *name, fl_decision_t *d)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_group_cmd_t cmd = {.f = {.name = name, .description = "d", .type = FL_GROUP_TEAM}};
    fl_group_name_claim_state_t claim;
    fl_group_refs_t refs = {.claim = &claim};

    load_claim(name, &claim);
    fl_decision_init(d);
    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, d), 0);
}

START_TEST(round_trip)
{
    fl_decision_t d, d2;
    fl_group_state_t g;
    fl_group_name_claim_state_t c;
    fl_user_state_t u;
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);

    decide_create("Ops", &d);
    decide_create("OPS", &d2); /* decided against the same (empty) claim: a race */
    ck_assert_int_eq(append(&d), 0);
    ck_assert_int_eq(append(&d2), FL_EVERSION);
    const char *id = d.location + strlen("/api/v1/groups/");
    load(id, &g);
    ck_assert(g.exists);
    ck_assert_str_eq(g.name, "Ops");
    ck_assert_str_eq(g.description, "d");
    ck_assert_uint_eq(g.version, 1);
    load_claim("oPs", &c);
    ck_assert(c.claimed);
    ck_assert_str_eq(c.group_id, id);

    fl_group_member_cmd_t add = {.user_id = U1, .role = FL_GROUP_LEAD};
    gt_make_user(&u, U1, true);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_add_member(&ctx, &g, FL_LOG_ANY, &add, &u, &d), 0);
    ck_assert_int_eq(append(&d), 0);
    ck_assert_int_eq(append(&d), FL_EVERSION); /* the same decision again: stale */
    load(id, &g);
    ck_assert_uint_eq(g.n_members, 1);
    ck_assert_int_eq(g.members[0].role, FL_GROUP_LEAD);

    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_delete(&ctx, &g, FL_LOG_ANY, 0, &d), 0);
    ck_assert_int_eq(append(&d), 0);
    load(id, &g);
    ck_assert(g.deleted);
    ck_assert_uint_eq(g.n_members, 0);
    load_claim("ops", &c);
    ck_assert(!c.claimed);

    decide_create("ops", &d); /* the name is free again */
    ck_assert_int_eq(append(&d), 0);
    tu_verify_ok(lg);
}
END_TEST

START_TEST(rename_frees_old_name)
{
    fl_decision_t d;
    fl_group_state_t g;
    fl_group_name_claim_state_t claim;
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);

    decide_create("Ops", &d);
    ck_assert_int_eq(append(&d), 0);
    load(d.location + strlen("/api/v1/groups/"), &g);
    fl_group_cmd_t cmd = {.f = {.set = FL_GROUP_F_NAME, .name = "Platform"}};
    fl_group_refs_t refs = {.claim = &claim};
    load_claim("Platform", &claim);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &g, FL_LOG_ANY, &cmd, &refs, &d), 0);
    ck_assert_int_eq(append(&d), 0);
    load(g.id, &g);
    ck_assert_str_eq(g.name, "Platform");
    ck_assert_uint_eq(g.version, 2);
    load_claim("ops", &claim);
    ck_assert(!claim.claimed);
    decide_create("OPS", &d);
    ck_assert_int_eq(append(&d), 0);
}
END_TEST

TCase *groups_fold_tcase(void)
{
    TCase *tc = tcase_create("fold");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, rename_frees_old_name);
    return tc;
}

/*
 * Deciding: the events each command produces and the refusals, with the
 * state built by folding earlier decisions (gt_fold).
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "groups_test.h"

#define U1     "00000000-0000-4000-8000-0000000000a1"
#define U2     "00000000-0000-4000-8000-0000000000a2"
#define NOBODY "00000000-0000-4000-8000-0000000000ff"

static fl_arena_t arena;
static fl_decision_t d;
static fl_cmd_ctx_t ctx;

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    ctx = tu_ctx(&arena, 2000000);
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

static void refused_with(int status, const char *field)
{
    ck_assert_int_eq(d.status, status);
    ck_assert_uint_eq(d.n_events, 0);
    if (field != NULL)
        ck_assert_msg(tu_has_error(&d, field), "no error on %s", field);
}

static const char *str_at(json_t *j, const char *a, const char *b, const char *c)
{
    json_t *v = json_object_get(j, a);
    if (b != NULL)
        v = json_object_get(v, b);
    if (c != NULL)
        v = json_object_get(v, c);
    return json_string_value(v);
}

START_TEST(create_events)
{
    fl_group_cmd_t cmd = {
        .f = {.name = "Ops Team", .type = FL_GROUP_DEPARTMENT, .email = "ops@acme.io"}};
    fl_group_name_claim_state_t claim = {.version = 2}; /* claimed once, then released */
    fl_group_refs_t refs = {.claim = &claim};

    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 2);
    ck_assert_str_eq(d.events[0].type, "group.created");
    ck_assert_str_eq(d.events[1].type, "group.name_claimed");
    ck_assert_str_eq(d.events[1].stream, "group-name:ops team");
    ck_assert_int_eq(tu_expect_of(&d, d.events[0].stream), FL_LOG_NO_STREAM);
    ck_assert_int_eq(tu_expect_of(&d, "group-name:ops team"), 2);
    json_t *j = tu_event_data(&d, 0);
    ck_assert_str_eq(str_at(j, "type", NULL, NULL), "department");
    ck_assert(json_is_null(json_object_get(j, "parent_id")));
    ck_assert_str_eq(d.location + strlen("/api/v1/groups/"), str_at(j, "id", NULL, NULL));
    json_decref(j);
}
END_TEST

START_TEST(create_duplicate_name_any_case)
{
    fl_group_cmd_t cmd = {.f = {.name = "OPS TEAM"}};
    fl_group_name_claim_state_t claim = {.claimed = true, .version = 1, .group_id = U1};
    fl_group_refs_t refs = {.claim = &claim};

    ck_assert_str_eq(fl_groups_name_stream(&arena, "OPS TEAM"),
                     fl_groups_name_stream(&arena, "ops team"));
    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), FL_EINVAL);
    refused_with(409, "name");
}
END_TEST

START_TEST(long_names_hashed)
{
    char name[1100];

    for (int i = 0; i < 255; i++)
        memcpy(name + 4 * i, "\xf0\x9f\x98\x80", 5);
    char *s = fl_groups_name_stream(&arena, name);
    ck_assert_uint_le(strlen(s), FL_LOG_STREAM_MAX);
    ck_assert_int_eq(strncmp(s, "group-name:~", 12), 0);
    ck_assert_str_ne(s, fl_groups_name_stream(&arena, "~"));
}
END_TEST

START_TEST(create_refs_checked)
{
    fl_group_cmd_t cmd = {.f = {.name = "Ops", .parent_id = U1, .manager_id = U2}};
    fl_group_name_claim_state_t claim = {0};
    fl_group_state_t parent;
    fl_user_state_t manager;
    fl_group_refs_t refs = {.claim = &claim, .parent = NULL, .manager = &manager};

    gt_make_user(&manager, U2, true);
    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), FL_EINVAL);
    refused_with(422, "parent_id");

    gt_make_group(&parent, &arena, "Parent", NULL);
    memcpy(parent.id, U1, sizeof(U1));
    parent.deleted = true;
    refs.parent = &parent;
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), FL_EINVAL);
    refused_with(422, "parent_id");

    parent.deleted = false;
    gt_make_user(&manager, U2, false);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), FL_EINVAL);
    refused_with(422, "manager_id");

    refs.manager = NULL;
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), FL_EINVAL);
    refused_with(422, "manager_id");

    gt_make_user(&manager, U2, true);
    refs.manager = &manager;
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 2);
}
END_TEST

START_TEST(create_too_deep)
{
    const char *chain[FL_GROUPS_MAX_DEPTH];
    fl_group_cmd_t cmd = {.f = {.name = "Leaf", .parent_id = U1}};
    fl_group_name_claim_state_t claim = {0};
    fl_group_state_t parent;
    fl_group_refs_t refs = {.claim = &claim, .parent = &parent, .ancestors = chain};

    gt_make_group(&parent, &arena, "Parent", NULL);
    memcpy(parent.id, U1, sizeof(U1));
    for (size_t i = 0; i < FL_GROUPS_MAX_DEPTH; i++)
        chain[i] = NOBODY;
    refs.n_ancestors = FL_GROUPS_MAX_DEPTH - 2; /* the leaf lands on the last level */
    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), 0);
    refs.n_ancestors = FL_GROUPS_MAX_DEPTH - 1;
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), FL_EINVAL);
    refused_with(422, "parent_id");
}
END_TEST

START_TEST(update_changes_only)
{
    fl_group_state_t g;
    fl_group_cmd_t cmd = {.f = {.set = FL_GROUP_F_NAME | FL_GROUP_F_TYPE | FL_GROUP_F_EMAIL,
                                .name = "Ops",
                                .type = FL_GROUP_TEAM,
                                .email = "ops@acme.io"}};
    fl_group_refs_t refs = {0};

    gt_make_group(&g, &arena, "Ops", NULL);
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &g, FL_LOG_ANY, &cmd, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    json_t *j = tu_event_data(&d, 0);
    json_t *changes = json_object_get(j, "changes");
    ck_assert_uint_eq(json_object_size(changes), 1);
    ck_assert(json_is_null(json_object_get(json_object_get(changes, "email"), "from")));
    ck_assert_str_eq(str_at(changes, "email", "to", NULL), "ops@acme.io");
    ck_assert_int_eq(tu_expect_of(&d, d.events[0].stream), (int64_t)g.version);
    json_decref(j);

    gt_fold(&g, &arena, &d, 3000000);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &g, 2, &cmd, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 0); /* nothing changes: nothing appended */
}
END_TEST

/* Roles a group holds: in group.created, diffed in group.updated, folded and rendered. */
START_TEST(roles_held)
{
    fl_group_state_t g;
    fl_group_name_claim_state_t claim = {0};
    fl_group_refs_t refs = {.claim = &claim};
    fl_group_cmd_t cmd = {
        .f = {.name = "Auditors", .type = FL_GROUP_TEAM, .roles = {"auditor"}, .n_roles = 1}};

    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), 0);
    json_t *j = tu_event_data(&d, 0);
    char *text = json_dumps(json_object_get(j, "roles"), JSON_COMPACT);
    ck_assert_str_eq(text, "[\"auditor\"]");
    free(text);
    json_decref(j);
    fl_group_agg.init(&g);
    gt_fold(&g, &arena, &d, 1000000);
    ck_assert_uint_eq(g.n_roles, 1);
    ck_assert_str_eq(g.roles[0], "auditor");

    fl_group_cmd_t up = {
        .f = {.set = FL_GROUP_F_ROLES, .roles = {"agent", "auditor"}, .n_roles = 2}};
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &g, FL_LOG_ANY, &up, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    j = tu_event_data(&d, 0);
    text = json_dumps(json_object_get(json_object_get(j, "changes"), "roles"), JSON_COMPACT);
    ck_assert_str_eq(text, "{\"from\":[\"auditor\"],\"to\":[\"agent\",\"auditor\"]}");
    free(text);
    json_decref(j);
    gt_fold(&g, &arena, &d, 2000000);
    ck_assert_uint_eq(g.n_roles, 2);
    j = fl_group_to_json(&g, NULL);
    ck_assert_uint_eq(json_array_size(json_object_get(j, "roles")), 2);
    json_decref(j);
    /* the same roles again: nothing; none: the list emptied */
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &g, FL_LOG_ANY, &up, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 0);
    up.f.n_roles = 0;
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &g, FL_LOG_ANY, &up, &refs, &d), 0);
    gt_fold(&g, &arena, &d, 3000000);
    ck_assert_uint_eq(g.n_roles, 0);
}
END_TEST

START_TEST(update_rename)
{
    fl_group_state_t g;
    fl_group_cmd_t cmd = {.f = {.set = FL_GROUP_F_NAME, .name = "OPS"}};
    fl_group_name_claim_state_t claim = {.claimed = true, .version = 1};
    fl_group_refs_t refs = {.claim = &claim};

    gt_make_group(&g, &arena, "Ops", NULL);
    memcpy(claim.group_id, g.id, sizeof(g.id));
    /* a change of case keeps the claim */
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &g, FL_LOG_ANY, &cmd, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "group.updated");

    cmd.f.name = "Platform";
    claim = (fl_group_name_claim_state_t){.claimed = false, .version = 2};
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &g, FL_LOG_ANY, &cmd, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 3);
    ck_assert_str_eq(d.events[1].type, "group.name_claimed");
    ck_assert_str_eq(d.events[1].stream, "group-name:platform");
    ck_assert_str_eq(d.events[2].type, "group.name_released");
    ck_assert_str_eq(d.events[2].stream, "group-name:ops");
    ck_assert_int_eq(tu_expect_of(&d, "group-name:platform"), 2);

    claim = (fl_group_name_claim_state_t){.claimed = true, .version = 1, .group_id = U1};
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &g, FL_LOG_ANY, &cmd, &refs, &d), FL_EINVAL);
    refused_with(409, "name");
}
END_TEST

/* root <- mid <- leaf: moving root under leaf (its grandchild) or under itself is a cycle. */
START_TEST(update_cycles)
{
    fl_group_state_t root, mid, leaf;
    fl_group_cmd_t cmd = {.f = {.set = FL_GROUP_F_PARENT_ID}};
    fl_group_refs_t refs = {0};

    gt_make_group(&root, &arena, "Root", NULL);
    gt_make_group(&mid, &arena, "Mid", root.id);
    gt_make_group(&leaf, &arena, "Leaf", mid.id);
    const char *leaf_chain[] = {mid.id, root.id};

    cmd.f.parent_id = root.id;
    refs.parent = &root;
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &root, FL_LOG_ANY, &cmd, &refs, &d), FL_EINVAL);
    refused_with(409, "parent_id");
    ck_assert_str_eq(d.problem.title, "a group cannot be its own ancestor");

    cmd.f.parent_id = leaf.id;
    refs = (fl_group_refs_t){.parent = &leaf, .ancestors = leaf_chain, .n_ancestors = 2};
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &root, FL_LOG_ANY, &cmd, &refs, &d), FL_EINVAL);
    refused_with(409, "parent_id");

    /* leaf moved up under root: fine; and detached (null): fine */
    cmd.f.parent_id = root.id;
    refs = (fl_group_refs_t){.parent = &root};
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &leaf, FL_LOG_ANY, &cmd, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    cmd.f.parent_id = NULL;
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_update(&ctx, &leaf, FL_LOG_ANY, &cmd, &refs, &d), 0);
    json_t *j = tu_event_data(&d, 0);
    ck_assert_str_eq(str_at(j, "changes", "parent_id", "from"), mid.id);
    ck_assert(json_is_null(
        json_object_get(json_object_get(json_object_get(j, "changes"), "parent_id"), "to")));
    json_decref(j);
}
END_TEST

START_TEST(delete_group)
{
    fl_group_state_t g;
    fl_group_member_cmd_t add = {.user_id = U1, .role = FL_GROUP_LEAD};
    fl_user_state_t u;

    gt_make_group(&g, &arena, "Ops", NULL);
    ck_assert_int_eq(fl_groups_decide_delete(&ctx, &g, FL_LOG_ANY, 2, &d), FL_EINVAL);
    refused_with(409, "children");
    ck_assert_str_eq(d.errors[0].message, "is the parent_id of 2 live groups");

    gt_make_user(&u, U1, true);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_add_member(&ctx, &g, FL_LOG_ANY, &add, &u, &d), 0);
    gt_fold(&g, &arena, &d, 3000000);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_delete(&ctx, &g, FL_LOG_ANY, 0, &d), 0);
    ck_assert_uint_eq(d.n_events, 2);
    ck_assert_str_eq(d.events[0].type, "group.deleted");
    ck_assert_str_eq(d.events[1].type, "group.name_released");
    json_t *j = tu_event_data(&d, 0);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "members"), 0)), U1);
    json_decref(j);

    gt_fold(&g, &arena, &d, 4000000);
    ck_assert(g.deleted);
    ck_assert_uint_eq(g.n_members, 0);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_delete(&ctx, &g, FL_LOG_ANY, 0, &d), FL_EINVAL);
    refused_with(404, NULL);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_add_member(&ctx, &g, FL_LOG_ANY, &add, &u, &d), FL_EINVAL);
    refused_with(404, NULL);
}
END_TEST

START_TEST(unknown_group)
{
    fl_group_state_t g = {0};
    fl_group_cmd_t cmd = {.f = {.set = FL_GROUP_F_EMAIL}};
    fl_group_refs_t refs = {0};

    ck_assert_int_eq(fl_groups_decide_update(&ctx, &g, FL_LOG_ANY, &cmd, &refs, &d), FL_EINVAL);
    refused_with(404, NULL);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_remove_member(&ctx, &g, FL_LOG_ANY, U1, &d), FL_EINVAL);
    refused_with(404, NULL);
}
END_TEST

START_TEST(members)
{
    fl_group_state_t g;
    fl_group_member_cmd_t add = {.user_id = U1, .role = FL_GROUP_MEMBER};
    fl_user_state_t u;

    gt_make_group(&g, &arena, "Ops", NULL);
    gt_make_user(&u, U1, true);
    ck_assert_int_eq(fl_groups_decide_add_member(&ctx, &g, 1, &add, &u, &d), 0);
    ck_assert_str_eq(d.events[0].type, "group.member_added");
    ck_assert_int_eq(tu_expect_of(&d, d.events[0].stream), 1);
    gt_fold(&g, &arena, &d, 3000000);
    ck_assert_ptr_nonnull(fl_group_member_find(&g, U1));

    fl_decision_init(&d); /* the same again: nothing to append */
    ck_assert_int_eq(fl_groups_decide_add_member(&ctx, &g, FL_LOG_ANY, &add, &u, &d), 0);
    ck_assert_uint_eq(d.n_events, 0);

    add.role = FL_GROUP_LEAD;
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_add_member(&ctx, &g, FL_LOG_ANY, &add, &u, &d), 0);
    ck_assert_str_eq(d.events[0].type, "group.member_role_changed");
    json_t *j = tu_event_data(&d, 0);
    ck_assert_str_eq(str_at(j, "changes", "role", "from"), "member");
    ck_assert_str_eq(str_at(j, "changes", "role", "to"), "lead");
    json_decref(j);
    gt_fold(&g, &arena, &d, 4000000);
    ck_assert_int_eq(fl_group_member_find(&g, U1)->role, FL_GROUP_LEAD);
    ck_assert_int_eq(fl_group_member_find(&g, U1)->joined_at, 3000000);

    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_remove_member(&ctx, &g, FL_LOG_ANY, U2, &d), FL_EINVAL);
    refused_with(404, NULL);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_remove_member(&ctx, &g, FL_LOG_ANY,
                                                    "00000000-0000-4000-8000-0000000000A1", &d),
                     0);
    ck_assert_str_eq(d.events[0].type, "group.member_removed");
    gt_fold(&g, &arena, &d, 5000000);
    ck_assert_uint_eq(g.n_members, 0);
}
END_TEST

START_TEST(member_user_checked)
{
    fl_group_state_t g;
    fl_group_member_cmd_t add = {.user_id = U1, .role = FL_GROUP_MEMBER};
    fl_user_state_t u;

    gt_make_group(&g, &arena, "Ops", NULL);
    gt_make_user(&u, U1, false);
    ck_assert_int_eq(fl_groups_decide_add_member(&ctx, &g, FL_LOG_ANY, &add, &u, &d), FL_EINVAL);
    refused_with(422, "user_id");
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_add_member(&ctx, &g, FL_LOG_ANY, &add, NULL, &d), FL_EINVAL);
    refused_with(422, "user_id");
}
END_TEST

START_TEST(member_bound)
{
    fl_group_state_t g;
    fl_group_member_cmd_t add = {.role = FL_GROUP_MEMBER};
    fl_user_state_t u;
    char id[FL_UUID_LEN + 1];

    gt_make_group(&g, &arena, "Ops", NULL);
    for (int i = 0; i <= FL_GROUPS_MAX_MEMBERS; i++) {
        snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", i);
        add.user_id = id;
        gt_make_user(&u, id, true);
        fl_decision_init(&d);
        int rc = fl_groups_decide_add_member(&ctx, &g, FL_LOG_ANY, &add, &u, &d);
        if (i == FL_GROUPS_MAX_MEMBERS) {
            ck_assert_int_eq(rc, FL_EINVAL);
            refused_with(409, "user_id");
        } else {
            ck_assert_int_eq(rc, 0);
            gt_fold(&g, &arena, &d, 3000000 + i);
        }
    }
    ck_assert_uint_eq(g.n_members, FL_GROUPS_MAX_MEMBERS);
    for (size_t i = 1; i < g.n_members; i++)
        ck_assert_int_lt(strcmp(g.members[i - 1].user_id, g.members[i].user_id), 0);
}
END_TEST

START_TEST(render_state)
{
    fl_group_state_t g;

    gt_make_group(&g, &arena, "Ops", NULL);
    json_t *j = fl_group_to_json(&g, "7");
    ck_assert_str_eq(str_at(j, "name", NULL, NULL), "Ops");
    ck_assert_str_eq(str_at(j, "type", NULL, NULL), "team");
    ck_assert(json_is_null(json_object_get(j, "parent_id")));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), 7);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "member_count")), 0);
    ck_assert_str_eq(str_at(j, "created_at", NULL, NULL), "1970-01-01T00:00:01.000000Z");
    json_decref(j);
    j = fl_group_members_to_json(&g);
    ck_assert_uint_eq(json_array_size(j), 0);
    json_decref(j);
}
END_TEST

TCase *groups_decide_tcase(void)
{
    TCase *tc = tcase_create("decide");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_events);
    tcase_add_test(tc, create_duplicate_name_any_case);
    tcase_add_test(tc, long_names_hashed);
    tcase_add_test(tc, create_refs_checked);
    tcase_add_test(tc, create_too_deep);
    tcase_add_test(tc, update_changes_only);
    tcase_add_test(tc, roles_held);
    tcase_add_test(tc, update_rename);
    tcase_add_test(tc, update_cycles);
    tcase_add_test(tc, delete_group);
    tcase_add_test(tc, unknown_group);
    tcase_add_test(tc, members);
    tcase_add_test(tc, member_user_checked);
    tcase_add_test(tc, member_bound);
    tcase_add_test(tc, render_state);
    return tc;
}

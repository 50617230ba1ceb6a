/*
 * Projection handlers: the statements and parameters each event becomes,
 * through the projector's real batch (fl_proj_out_t of src/projector).
 */
#include <string.h>

#include "firelater/err.h"
#include "groups_test.h"
#include "internal.h"

#define GID "11111111-2222-4333-8444-555555555555"
#define UID "00000000-0000-4000-8000-0000000000a1"

static fl_proj_out_t out;

static void setup(void)
{
    fl__proj_out_init(&out);
}

static void teardown(void)
{
    fl__proj_out_free(&out);
}

static int project(const char *type, const char *data_text)
{
    json_t *data = tu_json(data_text);
    fl_event_t ev = {.pos = 1,
                     .ts = 1764072000000000LL,
                     .type = type,
                     .v = 1,
                     .stream = "group:" GID,
                     .sv = 4,
                     .actor = ""};
    int rc = -1;

    for (const fl_proj_handler_t *h = fl_groups_projections; h->type != NULL; h++) {
        if (strcmp(h->type, type) == 0)
            rc = h->fn(&out, &ev, data);
    }
    json_decref(data);
    return rc;
}

static void param_is(int stmt, int i, const char *want)
{
    ck_assert_int_lt(stmt, out.n);
    ck_assert_int_lt(i, out.stmts[stmt].nparams);
    if (want == NULL)
        ck_assert_ptr_null(out.stmts[stmt].params[i]);
    else
        ck_assert_str_eq(out.stmts[stmt].params[i], want);
}

static bool sql_has(int stmt, const char *s)
{
    return strstr(out.stmts[stmt].sql, s) != NULL;
}

START_TEST(created)
{
    ck_assert_int_eq(project("group.created", "{\"id\":\"" GID "\",\"name\":\"x'); DROP--\","
                                              "\"description\":null,\"type\":\"team\","
                                              "\"parent_id\":null,\"manager_id\":null,"
                                              "\"email\":\"a@b.co\"}"),
                     0);
    ck_assert_int_eq(out.n, 4);
    ck_assert(sql_has(0, "ON CONFLICT (id) DO UPDATE"));
    param_is(0, 1, "x'); DROP--"); /* a parameter, never SQL */
    param_is(0, 2, NULL);
    param_is(0, 7, "2025-11-25T12:00:00.000000Z");
    ck_assert(sql_has(1, "DELETE FROM group_roles"));
    param_is(1, 1, "{}"); /* no roles */
    ck_assert(sql_has(2, "INSERT INTO group_roles"));
    ck_assert(sql_has(3, "version = $2"));
    param_is(3, 1, "4");
}
END_TEST

START_TEST(updated)
{
    ck_assert_int_eq(project("group.updated",
                             "{\"id\":\"" GID "\",\"changes\":{\"name\":{\"from\":\"a\",\"to\":"
                             "\"b\"},\"parent_id\":{\"from\":\"" UID "\",\"to\":null},"
                             "\"evil = 1; --\":{\"to\":\"x\"}}}"),
                     0);
    ck_assert_int_eq(out.n, 2);
    ck_assert_str_eq(out.stmts[0].sql,
                     "UPDATE groups SET id = id, name = $2, parent_id = $3 WHERE id = $1");
    param_is(0, 1, "b");
    param_is(0, 2, NULL);
    /* unreadable: skipped whole */
    ck_assert_int_eq(project("group.updated", "{\"id\":\"" GID "\"}"), 0);
    ck_assert_int_eq(project("group.updated", "{\"id\":\"nope\",\"changes\":{}}"), 0);
    ck_assert_int_eq(out.n, 2);
    /* roles: the set replaced by the live roles named; what is not a role name is dropped */
    ck_assert_int_eq(project("group.updated",
                             "{\"id\":\"" GID "\",\"changes\":{\"roles\":{\"from\":[],"
                             "\"to\":[\"agent\",\"auditor\",\"x'}--\"]}}}"),
                     0);
    ck_assert_int_eq(out.n, 6);
    ck_assert(sql_has(3, "DELETE FROM group_roles"));
    param_is(3, 1, "{agent,auditor}");
    ck_assert(sql_has(4, "INSERT INTO group_roles"));
    ck_assert(sql_has(5, "version = $2"));
}
END_TEST

START_TEST(deleted)
{
    ck_assert_int_eq(project("group.deleted", "{\"id\":\"" GID "\",\"name\":\"a\",\"members\":[]}"),
                     0);
    ck_assert_int_eq(out.n, 4);
    ck_assert(sql_has(0, "deleted_at = $2"));
    ck_assert(sql_has(1, "DELETE FROM group_members WHERE group_id = $1"));
    ck_assert(sql_has(2, "DELETE FROM group_roles WHERE group_id = $1"));
}
END_TEST

START_TEST(members)
{
    ck_assert_int_eq(project("group.member_added", "{\"group_id\":\"" GID "\",\"user_id\":\"" UID
                                                   "\",\"role\":\"lead\"}"),
                     0);
    ck_assert(sql_has(0, "ON CONFLICT (group_id, user_id)"));
    param_is(0, 2, "lead");
    ck_assert_int_eq(project("group.member_role_changed",
                             "{\"group_id\":\"" GID "\",\"user_id\":\"" UID "\",\"changes\":"
                             "{\"role\":{\"from\":\"lead\",\"to\":\"member\"}}}"),
                     0);
    ck_assert(sql_has(2, "UPDATE group_members SET role = $3"));
    param_is(2, 2, "member");
    ck_assert_int_eq(project("group.member_removed", "{\"group_id\":\"" GID "\",\"user_id\":\"" UID
                                                     "\",\"role\":\"member\"}"),
                     0);
    ck_assert(sql_has(4, "DELETE FROM group_members WHERE group_id = $1 AND user_id = $2"));
    ck_assert_int_eq(out.n, 6);
    ck_assert_int_eq(project("group.member_added", "{\"group_id\":\"" GID "\",\"user_id\":1}"), 0);
    ck_assert_int_eq(out.n, 7); /* no membership; the row still reflects the stream's version */
}
END_TEST

START_TEST(registered)
{
    bool found = false;

    for (const fl_proj_handler_t *const *t = fl_domain_projections(); *t != NULL; t++)
        found = found || *t == fl_groups_projections;
    ck_assert(found);
}
END_TEST

TCase *groups_project_tcase(void)
{
    TCase *tc = tcase_create("project");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, created);
    tcase_add_test(tc, updated);
    tcase_add_test(tc, deleted);
    tcase_add_test(tc, members);
    tcase_add_test(tc, registered);
    return tc;
}

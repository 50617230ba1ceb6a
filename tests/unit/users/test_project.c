/*
 * Projection handlers: the statements and parameters each event becomes,
 * through the projector's real batch (fl_proj_out_t of src/projector).
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"
#include "users_test.h"

#define UID   "11111111-2222-4333-8444-555555555555"
#define ACTOR "user:00000000-0000-4000-8000-000000000001"

static fl_proj_out_t out;

static void setup(void)
{
    fl__proj_out_init(&out);
}

static void teardown(void)
{
    fl__proj_out_free(&out);
}

static int project(const char *type, const char *actor, const char *data_text)
{
    json_t *data = tu_json(data_text);
    fl_event_t ev = {.pos = 1,
                     .ts = 1764072000000000LL,
                     .type = type,
                     .v = 1,
                     .stream = "user:" UID,
                     .sv = 1,
                     .actor = actor};
    int rc = -1;

    for (const fl_proj_handler_t *h = fl_users_projections; h->type != NULL; h++) {
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

START_TEST(created)
{
    ck_assert_int_eq(project("user.created", ACTOR,
                             "{\"id\":\"" UID "\",\"email\":\"A@b.co\",\"name\":\"A'; DROP--\","
                             "\"phone\":null,\"timezone\":\"UTC\",\"avatar_url\":null,"
                             "\"status\":\"active\",\"roles\":[\"admin\",\"agent\"],"
                             "\"password_hash\":\"h\"}"),
                     0);
    ck_assert_int_eq(out.n, 4);
    ck_assert_ptr_nonnull(strstr(out.stmts[0].sql, "INSERT INTO users"));
    ck_assert_ptr_nonnull(strstr(out.stmts[0].sql, "ON CONFLICT (id) DO UPDATE"));
    ck_assert_int_eq(out.stmts[0].nparams, 9);
    param_is(0, 0, UID);
    param_is(0, 1, "A@b.co");
    param_is(0, 2, "A'; DROP--");
    param_is(0, 3, NULL);
    param_is(0, 7, "h");
    param_is(0, 8, "2025-11-25T12:00:00.000000Z");
    ck_assert_ptr_nonnull(strstr(out.stmts[1].sql, "DELETE FROM user_roles"));
    param_is(1, 1, "{\"admin\",\"agent\"}");
    ck_assert_ptr_nonnull(strstr(out.stmts[2].sql, "name = ANY($2::text[])"));
    param_is(2, 2, &ACTOR[5]);
    param_is(2, 3, "2025-11-25T12:00:00.000000Z");
    ck_assert_str_eq(out.stmts[3].sql, "UPDATE users SET version = $2 WHERE id = $1");
    param_is(3, 0, UID);
}
END_TEST

START_TEST(created_by_operator)
{
    ck_assert_int_eq(project("user.created", "flctl:root",
                             "{\"id\":\"" UID "\",\"email\":\"a@b.co\",\"name\":\"A\","
                             "\"roles\":[\"a\\\"b\\\\c\"]}"),
                     0);
    param_is(2, 2, NULL); /* no granting user */
    param_is(1, 1, "{\"a\\\"b\\\\c\"}");
}
END_TEST

START_TEST(updated)
{
    ck_assert_int_eq(project("user.updated", ACTOR,
                             "{\"id\":\"" UID "\",\"changes\":{"
                             "\"name\":{\"from\":\"A\",\"to\":\"B\"},"
                             "\"phone\":{\"from\":\"1\",\"to\":null},"
                             "\"name = 'x', password_hash\":{\"from\":1,\"to\":\"pwned\"},"
                             "\"roles\":{\"from\":[],\"to\":[\"agent\"]}}}"),
                     0);
    ck_assert_int_eq(out.n, 4);
    ck_assert_str_eq(out.stmts[0].sql,
                     "UPDATE users SET updated_at = $2, name = $3, phone = $4 WHERE id = $1");
    param_is(0, 0, UID);
    param_is(0, 1, "2025-11-25T12:00:00.000000Z");
    param_is(0, 2, "B");
    param_is(0, 3, NULL);
    param_is(1, 1, "{\"agent\"}");
}
END_TEST

START_TEST(updated_status_only)
{
    ck_assert_int_eq(project("user.updated", ACTOR,
                             "{\"id\":\"" UID "\",\"changes\":{"
                             "\"status\":{\"from\":\"inactive\",\"to\":\"active\"}}}"),
                     0);
    ck_assert_int_eq(out.n, 2);
    ck_assert_str_eq(out.stmts[0].sql,
                     "UPDATE users SET updated_at = $2, status = $3 WHERE id = $1");
    param_is(0, 2, "active");
}
END_TEST

START_TEST(others)
{
    /* Each user event is followed by the row's version (statements 1, 3 and 5). */
    ck_assert_int_eq(project("user.deactivated", ACTOR, "{\"id\":\"" UID "\"}"), 0);
    ck_assert_ptr_nonnull(strstr(out.stmts[0].sql, "status = 'inactive'"));
    param_is(0, 0, UID);
    ck_assert_ptr_nonnull(strstr(out.stmts[1].sql, "SET version = $2"));
    ck_assert_int_eq(
        project("user.password_changed", ACTOR, "{\"id\":\"" UID "\",\"password_hash\":\"h2\"}"),
        0);
    ck_assert_ptr_nonnull(strstr(out.stmts[2].sql, "password_hash = $2"));
    param_is(2, 1, "h2");
    ck_assert_int_eq(project("user.logged_in", ACTOR, "{\"id\":\"" UID "\",\"at\":\"x\"}"), 0);
    ck_assert_ptr_nonnull(strstr(out.stmts[4].sql, "last_login_at = $2"));
    ck_assert_ptr_null(strstr(out.stmts[4].sql, "updated_at"));
    param_is(4, 1, "2025-11-25T12:00:00.000000Z");
}
END_TEST

/* Events this code cannot read are skipped, not retried forever. */
START_TEST(malformed_skipped)
{
    ck_assert_int_eq(project("user.created", ACTOR, "{}"), 0);
    ck_assert_int_eq(project("user.updated", ACTOR, "{\"id\":\"x'--\",\"changes\":{}}"), 0);
    ck_assert_int_eq(project("user.updated", ACTOR, "{\"id\":\"" UID "\",\"changes\":[]}"), 0);
    ck_assert_int_eq(project("user.deactivated", ACTOR, "[]"), 0);
    ck_assert_int_eq(out.n, 0);
}
END_TEST

TCase *users_project_tcase(void)
{
    TCase *tc = tcase_create("project");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, created);
    tcase_add_test(tc, created_by_operator);
    tcase_add_test(tc, updated);
    tcase_add_test(tc, updated_status_only);
    tcase_add_test(tc, others);
    tcase_add_test(tc, malformed_skipped);
    return tc;
}

/*
 * Projection handlers: the statements and parameters each role event
 * becomes, through the projector's real batch (fl_proj_out_t).
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"
#include "roles_test.h"

#define RID "11111111-2222-4333-8444-555555555555"

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
                     .stream = "role:" RID,
                     .sv = 3,
                     .actor = "flctl:test"};
    int rc = -1;

    for (const fl_proj_handler_t *h = fl_roles_projections; h->type != NULL; h++) {
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

START_TEST(created_custom)
{
    ck_assert_int_eq(project("role.created",
                             "{\"id\":\"" RID "\",\"name\":\"auditor\",\"display_name\":\"A\","
                             "\"description\":null,\"is_system\":false,"
                             "\"permissions\":[\"users:read\",\"audit:read\",\"bogus:x\"]}"),
                     0);
    ck_assert_int_eq(out.n, 4);
    ck_assert_ptr_nonnull(strstr(out.stmts[0].sql, "INSERT INTO roles"));
    param_is(0, 1, "auditor");
    param_is(0, 3, NULL);
    param_is(0, 4, "false");
    ck_assert_ptr_nonnull(strstr(out.stmts[1].sql, "DELETE FROM role_permissions"));
    ck_assert_ptr_nonnull(strstr(out.stmts[2].sql, "INSERT INTO role_permissions"));
    param_is(2, 1, "{users:read,audit:read}"); /* unknown names grant nothing */
    ck_assert_ptr_nonnull(strstr(out.stmts[3].sql, "SET version = $2"));
    param_is(3, 1, "3");
}
END_TEST

START_TEST(created_system)
{
    ck_assert_int_eq(project("role.created",
                             "{\"id\":\"" RID "\",\"name\":\"requester\",\"display_name\":\"R\","
                             "\"description\":\"d\",\"is_system\":true}"),
                     0);
    param_is(0, 4, "true");
    /* requester: issues CR, catalog R, requests CR (src/domain/rbac/perms.c) */
    param_is(2, 1, "{issues:create,issues:read,catalog:read,requests:create,requests:read}");
}
END_TEST

START_TEST(updated_and_deleted)
{
    ck_assert_int_eq(project("role.updated",
                             "{\"id\":\"" RID
                             "\",\"changes\":{\"description\":{\"from\":\"a\",\"to\":null},"
                             "\"permissions\":{\"from\":[],\"to\":[\"groups:read\"]}}}"),
                     0);
    ck_assert_int_eq(out.n, 4);
    ck_assert_ptr_nonnull(strstr(out.stmts[0].sql, "description = $2"));
    param_is(0, 1, NULL);
    param_is(2, 1, "{groups:read}");
    ck_assert_ptr_nonnull(strstr(out.stmts[3].sql, "SET version = $2"));
    ck_assert_int_eq(project("role.deleted", "{\"id\":\"" RID "\",\"name\":\"auditor\"}"), 0);
    ck_assert_ptr_nonnull(strstr(out.stmts[4].sql, "deleted_at = $2"));
    ck_assert_ptr_nonnull(strstr(out.stmts[5].sql, "DELETE FROM role_permissions"));
    ck_assert_ptr_nonnull(strstr(out.stmts[6].sql, "DELETE FROM user_roles"));
    ck_assert_ptr_nonnull(strstr(out.stmts[7].sql, "DELETE FROM group_roles"));
}
END_TEST

/* Events this code cannot read are skipped, not retried forever. */
START_TEST(malformed_skipped)
{
    ck_assert_int_eq(project("role.created", "{\"id\":5}"), 0);
    ck_assert_int_eq(project("role.updated", "{\"id\":\"" RID "\",\"changes\":[]}"), 0);
    ck_assert_int_eq(project("role.deleted", "{\"id\":\"x'--\"}"), 0);
    ck_assert_int_eq(out.n, 0);
}
END_TEST

TCase *roles_project_tcase(void)
{
    TCase *tc = tcase_create("project");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, created_custom);
    tcase_add_test(tc, created_system);
    tcase_add_test(tc, updated_and_deleted);
    tcase_add_test(tc, malformed_skipped);
    return tc;
}

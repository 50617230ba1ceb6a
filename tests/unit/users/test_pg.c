/*
 * The module's SQL against a real PostgreSQL (a private cluster, pgfix):
 * events decided and appended to a real log, projected by the projector's
 * own collect loop into a migrated tenant schema (twice: a replay changes
 * nothing), then read back with the list query.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/roles.h"
#include "internal.h"
#include "pgfix.h"
#include "util.h"
#include "users_test.h"

static fl_log_t *lg;
static fl_arena_t arena;
static fl_store_conn_t *conn;
static fl_time_t now = 1764072000000000LL;
static const char *known[] = {"admin", "manager", "agent", "requester"};

static void append(fl_decision_t *d)
{
    fl_log_batch_t b = {d->events, d->n_events, d->expects, d->n_expects, NULL};
    fl_log_result_t r;

    ck_assert_int_eq(fl_log_append(lg, &b, &r), 0);
    now += 1000000;
}

static const char *create(const char *body_text)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, now, NULL);
    fl_user_create_cmd_t cmd;
    fl_email_claim_state_t claim = {0};
    fl_decision_t d;
    json_t *body = tu_json(body_text);

    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decode_create(body, known, 4, &arena, &cmd, &d), 0);
    ck_assert_int_eq(fl_users_decide_create(&ctx, &cmd, "$argon2id$x", &claim, &d), 0);
    json_decref(body);
    append(&d);
    return d.location + strlen("/api/v1/users/");
}

static void project_all(void)
{
    fl_proj_out_t o;
    fl__proj_run_t run = {.after = 0, .to = 0, .max = 10000};
    const fl_proj_handler_t *const handlers[] = {fl_users_projections, fl_roles_projections, NULL};
    fl_store_res_t *res = NULL;

    fl__proj_out_init(&o);
    ck_assert_int_eq(fl__proj_collect(&o, lg, handlers, &run), 0);
    int rc = fl_store_sync_txn(conn, "tenant_acme", o.stmts, o.n, &res);
    ck_assert_msg(rc == 0, "txn: %s (statement %d)", res ? fl_store_res_message(res) : "?",
                  res ? fl_store_res_failed_stmt(res) : -1);
    fl_store_res_free(res);
    fl__proj_out_free(&o);
}

static json_t *list(const char *query)
{
    fl_http_param_t params[8];
    size_t n = 0;
    char *copy = fl_arena_strndup(&arena, query, strlen(query)), *save = NULL;
    fl_users_list_t q;
    fl_decision_t d;
    fl_store_res_t *res = NULL;

    for (char *kv = strtok_r(copy, "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        *eq = '\0';
        params[n++] = (fl_http_param_t){kv, eq + 1};
    }
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_list_query(params, n, &arena, &q, &d), 0);
    int rc = fl_store_sync_exec(conn, "tenant_acme", q.sql, q.nparams, q.params, &res);
    ck_assert_msg(rc == 0, "%s: %s", q.sql, res ? fl_store_res_message(res) : "?");
    json_t *j = fl_users_list_to_json(res, &q);
    fl_store_res_free(res);
    return j;
}

static long long total(json_t *j)
{
    return json_integer_value(json_object_get(json_object_get(j, "meta"), "total"));
}

static json_t *row(json_t *j, size_t i)
{
    return json_array_get(json_object_get(j, "data"), i);
}

static const char *member(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void populate(void)
{
    fl_cmd_ctx_t ctx = ut_ctx(&arena, now, NULL);
    fl_decision_t d;
    fl_user_state_t u;
    uint64_t v;

    fl_decision_init(&d);
    ck_assert_int_eq(fl_roles_decide_seed(&ctx, &d), 0);
    append(&d);
    const char *admin =
        create("{\"email\":\"root@acme.io\",\"name\":\"Root\",\"roles\":[\"admin\"]}");
    create("{\"email\":\"Bob@acme.io\",\"name\":\"Bob 50%_off\",\"roles\":[\"agent\"]}");
    const char *carol = create("{\"email\":\"carol@acme.io\",\"name\":\"Carol\"}");
    ck_assert_int_eq(
        fl_agg_load_uncached(lg, &fl_user_agg, fl_users_stream(&arena, carol), &arena, &u, &v), 0);
    fl_cmd_ctx_t by_admin = ut_ctx(&arena, now, admin);
    fl_user_update_cmd_t up = {.by_admin = true};
    fl_email_claim_state_t claim = {0};
    up.f = (fl_user_fields_t){.set = FL_USER_F_EMAIL | FL_USER_F_ROLES | FL_USER_F_STATUS,
                              .email = "carol@new.io",
                              .roles = {"agent", "manager"},
                              .n_roles = 2,
                              .status = FL_USER_INACTIVE};
    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decide_update(&by_admin, &u, FL_LOG_ANY, &up, &claim, &d), 0);
    append(&d);
}

START_TEST(project_and_list)
{
    char *dir = tu_mkdtemp();
    char *info = pgfix_newdb("users_pg");

    lg = tu_open(dir, &now, true);
    fl_arena_init(&arena, 0);
    conn = pgfix_sync(info);
    ck_assert_int_eq(fl_migrate_tenant(conn, "acme", NULL), 0);
    populate();
    project_all();
    project_all(); /* a replay (rebuild) lands on the same rows */

    json_t *j = list("sort=name&order=asc");
    ck_assert_int_eq(total(j), 3);
    ck_assert_str_eq(member(row(j, 0), "name"), "Bob 50%_off");
    ck_assert_str_eq(member(row(j, 1), "email"), "carol@new.io");
    ck_assert_str_eq(member(row(j, 1), "status"), "inactive");
    ck_assert_str_eq(member(row(j, 1), "timezone"), "UTC");
    ck_assert_uint_eq(json_array_size(json_object_get(row(j, 1), "roles")), 2);
    ck_assert_str_eq(member(row(j, 2), "created_at"), "2025-11-25T12:00:01.000000Z");
    ck_assert_ptr_null(json_object_get(row(j, 0), "password_hash"));
    ck_assert_ptr_null(json_object_get(row(j, 0), "_id"));
    json_decref(j);

    j = list("q=50%_&fields=id,name");
    ck_assert_int_eq(total(j), 1);
    ck_assert_uint_eq(json_object_size(row(j, 0)), 2);
    json_decref(j);
    j = list("q=_");
    ck_assert_int_eq(total(j), 1); /* _ is literal, not a wildcard */
    json_decref(j);
    j = list("role=agent&sort=email&order=desc");
    ck_assert_int_eq(total(j), 2);
    ck_assert_str_eq(member(row(j, 0), "email"), "carol@new.io");
    json_decref(j);
    j = list("email=ROOT@ACME.IO");
    ck_assert_int_eq(total(j), 1);
    json_decref(j);
    j = list("status=inactive");
    ck_assert_int_eq(total(j), 1);
    json_decref(j);
    j = list("page=5&per_page=1");
    ck_assert_int_eq(total(j), 3); /* past the end: the total still comes */
    ck_assert_uint_eq(json_array_size(json_object_get(j, "data")), 0);
    json_decref(j);
    j = list("sort=last_login_at&per_page=2&page=2");
    ck_assert_uint_eq(json_array_size(json_object_get(j, "data")), 1);
    json_decref(j);
    fl_store_sync_close(conn);
    fl_log_close(lg);
    tu_rmrf(dir);
    free(dir);
    free(info);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("users_pg");
    TCase *tc = tcase_create("pg");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, project_and_list);
    suite_add_tcase(s, tc);
    return pgfix_main(s);
}

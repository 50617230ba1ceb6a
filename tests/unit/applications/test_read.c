/*
 * The read side: the statements each event becomes (through the projector's
 * real batch, fl_proj_out_t of src/projector) and the list queries built
 * from query parameters. Their SQL runs against PostgreSQL in the e2e test.
 */
#include <string.h>

#include "apps_test.h"
#include "firelater/err.h"
#include "internal.h"

#define AID "11111111-2222-4333-8444-555555555555"
#define EID "00000000-0000-4000-8000-0000000000e1"

static fl_proj_out_t out;
static fl_arena_t arena;
static fl_decision_t d;

static void setup(void)
{
    fl__proj_out_init(&out);
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
}

static void teardown(void)
{
    fl__proj_out_free(&out);
    fl_arena_free(&arena);
    fl_decision_release(&d);
}

static int project(const char *type, const char *num, const char *data_text)
{
    json_t *data = tu_json(data_text);
    fl_event_t ev = {
        .pos = 1, .ts = 1764072000000000LL, .type = type, .v = 1, .sv = 4, .actor = "", .num = num};
    int rc = -1;

    for (const fl_proj_handler_t *h = fl_apps_projections; h->type != NULL; h++) {
        if (strcmp(h->type, type) == 0)
            rc = h->fn(&out, &ev, data);
    }
    json_decref(data);
    return rc;
}

static bool sql_has(int stmt, const char *s)
{
    ck_assert_int_lt(stmt, out.n);
    return strstr(out.stmts[stmt].sql, s) != NULL;
}

START_TEST(created_is_an_upsert_with_the_number)
{
    ck_assert_int_eq(project("application.created", "APP-00007",
                             "{\"id\":\"" AID "\",\"name\":\"P\",\"tier\":\"P1\",\"status\":"
                             "\"active\",\"tags\":[\"a\",\"b\"],\"metadata\":{\"k\":1}}"),
                     0);
    ck_assert_int_eq(out.n, 2); /* the row, then its version */
    ck_assert(sql_has(0, "INSERT INTO applications (id, app_id, name"));
    ck_assert(sql_has(0, "ON CONFLICT (id) DO UPDATE SET"));
    ck_assert(sql_has(0, "jsonb_array_elements_text"));
    ck_assert_str_eq(out.stmts[0].params[0], AID);
    ck_assert_str_eq(out.stmts[0].params[1], "APP-00007");
    ck_assert_int_eq(out.stmts[0].nparams, 2 + FL_APP_F__N + 1);
    ck_assert_str_eq(out.stmts[0].params[2 + FL_APP_TAGS], "[\"a\",\"b\"]");
    ck_assert_ptr_null(out.stmts[0].params[2 + FL_APP_CRITICALITY]);
    ck_assert(sql_has(1, "SET version = $2"));
    ck_assert_str_eq(out.stmts[1].params[1], "4");
}
END_TEST

START_TEST(updated_sets_only_the_changes)
{
    ck_assert_int_eq(project("application.updated", "",
                             "{\"id\":\"" AID "\",\"changes\":{\"tier\":{\"from\":\"P1\",\"to\":"
                             "\"P2\"},\"owner_user_id\":{\"from\":null,\"to\":\"" EID "\"}}}"),
                     0);
    ck_assert(sql_has(0, "UPDATE applications SET updated_at = $2::timestamptz, tier = $3,"
                         " owner_user_id = $4::uuid WHERE id = $1::uuid"));
    ck_assert_str_eq(out.stmts[0].params[2], "P2");
}
END_TEST

START_TEST(deleted_takes_the_environments)
{
    ck_assert_int_eq(project("application.deleted", "", "{\"id\":\"" AID "\",\"name\":\"P\"}"), 0);
    ck_assert(sql_has(0, "UPDATE applications SET deleted_at"));
    ck_assert(sql_has(1, "UPDATE environments SET deleted_at"));
    ck_assert(sql_has(1, "application_id = $1::uuid"));
}
END_TEST

START_TEST(environment_events)
{
    ck_assert_int_eq(project("application.environment_added", "",
                             "{\"application_id\":\"" AID "\",\"environment_id\":\"" EID
                             "\",\"name\":\"prod\",\"type\":\"prod\",\"resource_ids\":[]}"),
                     0);
    ck_assert(sql_has(0, "INSERT INTO environments (id, application_id, name"));
    ck_assert_str_eq(out.stmts[0].params[0], EID);
    ck_assert_str_eq(out.stmts[0].params[1], AID);
    ck_assert(sql_has(1, "UPDATE applications SET version"));
    ck_assert_int_eq(project("application.environment_removed", "",
                             "{\"application_id\":\"" AID "\",\"environment_id\":\"" EID "\"}"),
                     0);
    ck_assert(sql_has(2, "UPDATE environments SET deleted_at"));
}
END_TEST

START_TEST(unreadable_events_are_skipped)
{
    ck_assert_int_eq(project("application.created", "", "{\"id\":\"nope\"}"), 0);
    ck_assert_int_eq(project("application.updated", "", "{\"id\":\"" AID "\"}"), 0);
    ck_assert_int_eq(out.n, 1); /* only the update's version */
}
END_TEST

static int list(const char *const *kv, size_t n, fl_apps_query_t *q)
{
    fl_http_param_t p[8];

    for (size_t i = 0; i < n; i++)
        p[i] = (fl_http_param_t){.name = kv[2 * i], .value = kv[2 * i + 1]};
    return fl_apps_list_query(p, n, &arena, q, &d);
}

START_TEST(list_filters_are_parameters)
{
    const char *kv[] = {"tier", "P1",     "owner", AID,    "tag",      "x'; DROP TABLE x",
                        "sort", "app_id", "order", "desc", "per_page", "10",
                        "page", "3"};
    fl_apps_query_t q;

    ck_assert_int_eq(list(kv, 7, &q), 0);
    ck_assert(strstr(q.sql, "DROP") == NULL);
    ck_assert(strstr(q.sql, "a.tier = $1") != NULL);
    ck_assert(strstr(q.sql, "$2::uuid IN (a.owner_user_id") != NULL);
    ck_assert(strstr(q.sql, "a.tags @> ARRAY[$3::text]") != NULL);
    ck_assert(strstr(q.sql, "lpad(a.app_id, 32, '0') DESC") != NULL);
    ck_assert_int_eq(q.nparams, 5);
    ck_assert_str_eq(q.params[3], "10");
    ck_assert_str_eq(q.params[4], "20");
}
END_TEST

START_TEST(list_problems_are_named)
{
    const char *kv[] = {"tier", "P9",   "owner", "x",    "sort", "colour", "order",
                        "up",   "page", "0",     "size", "1",    "tier",   "P1"};
    fl_apps_query_t q;

    ck_assert_int_eq(list(kv, 7, &q), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    const char *fields[] = {"tier", "owner", "sort", "order", "page", "size"};
    for (size_t i = 0; i < 6; i++)
        ck_assert_msg(tu_has_error(&d, fields[i]), "no error on %s", fields[i]);
}
END_TEST

START_TEST(get_by_id_or_number)
{
    fl_apps_query_t q;

    ck_assert_int_eq(fl_apps_get_query(AID, &arena, &q), 0);
    ck_assert(strstr(q.sql, "a.id = $1::uuid") != NULL);
    ck_assert_int_eq(fl_apps_get_query("app-00012", &arena, &q), 0);
    ck_assert(strstr(q.sql, "a.app_id = $1") != NULL);
    ck_assert_str_eq(q.params[0], "APP-00012");
    ck_assert_int_eq(fl_apps_get_query("APP-", &arena, &q), FL_EINVAL);
    ck_assert_int_eq(fl_apps_get_query("APP-12x", &arena, &q), FL_EINVAL);
    ck_assert_int_eq(fl_apps_env_get_query(AID, "nope", &arena, &q), FL_EINVAL);
}
END_TEST

START_TEST(environments_query_is_scoped)
{
    const fl_http_param_t p[] = {{.name = "type", .value = "prod"}};
    fl_apps_query_t q;

    ck_assert_int_eq(fl_apps_envs_query(AID, p, 1, &arena, &q, &d), 0);
    ck_assert(strstr(q.sql, "a.application_id = $1::uuid AND a.deleted_at IS NULL") != NULL);
    ck_assert_str_eq(q.params[0], AID);
    ck_assert_str_eq(q.params[1], "prod");
}
END_TEST

TCase *apps_read_tcase(void)
{
    TCase *tc = tcase_create("read");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, created_is_an_upsert_with_the_number);
    tcase_add_test(tc, updated_sets_only_the_changes);
    tcase_add_test(tc, deleted_takes_the_environments);
    tcase_add_test(tc, environment_events);
    tcase_add_test(tc, unreadable_events_are_skipped);
    tcase_add_test(tc, list_filters_are_parameters);
    tcase_add_test(tc, list_problems_are_named);
    tcase_add_test(tc, get_by_id_or_number);
    tcase_add_test(tc, environments_query_is_scoped);
    return tc;
}

/*
 * Deciding and folding: creation numbered by the log, updates that record
 * only real changes, references, environments unique per application,
 * soft delete taking the environments along, the lifecycle's 404s.
 */
#include <string.h>

#include "apps_test.h"
#include "firelater/err.h"

#define UID "00000000-0000-4000-8000-0000000000a1"
#define GID "00000000-0000-4000-8000-0000000000b1"

static fl_arena_t arena;
static fl_decision_t d;
static fl_app_state_t app;

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
    at_make_app(&app, &arena, "{\"name\":\"Payroll\",\"tier\":\"P1\",\"tags\":[\"pci\"]}");
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

static fl_app_values_t values(const char *text, bool env)
{
    fl_app_values_t v;
    json_t *j = tu_json(text);
    fl_decision_t dd;

    fl_decision_init(&dd);
    ck_assert_int_eq(env ? fl_apps_decode_env_update(j, &arena, &v, &dd)
                         : fl_apps_decode_update(j, &arena, &v, &dd),
                     0);
    json_decref(j);
    return v;
}

START_TEST(create_asks_for_a_number)
{
    ck_assert_str_eq(app.app_id, "APP-00001");
    ck_assert_str_eq(app.v[FL_APP_NAME], "Payroll");
    ck_assert_str_eq(app.v[FL_APP_TAGS], "[\"pci\"]");
    ck_assert_uint_eq(app.version, 1);
}
END_TEST

START_TEST(create_event_and_expectation)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);
    fl_app_values_t v = values("{\"name\":\"W\",\"tier\":\"P4\"}", false);
    fl_app_refs_t refs = {0};

    ck_assert_int_eq(fl_apps_decide_create(&ctx, &v, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
    ck_assert_str_eq(d.events[0].type, "application.created");
    ck_assert_str_eq(d.events[0].number, "APP");
    ck_assert_int_eq(d.expects[0].version, FL_LOG_NO_STREAM);
    ck_assert(strncmp(d.location, "/api/v1/applications/", 21) == 0);
}
END_TEST

START_TEST(references_must_be_live)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);
    fl_user_state_t u = {.exists = true, .status = FL_USER_INACTIVE};
    fl_group_state_t g = {.exists = true, .deleted = true};
    fl_app_values_t v =
        values("{\"owner_user_id\":\"" UID "\",\"support_group_id\":\"" GID "\"}", false);
    fl_app_refs_t refs = {.owner_user = &u, .support_group = &g};

    memcpy(u.id, UID, sizeof(UID));
    memcpy(g.id, GID, sizeof(GID));
    ck_assert_int_eq(fl_apps_decide_update(&ctx, &app, FL_LOG_ANY, &v, &refs, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "owner_user_id") && tu_has_error(&d, "support_group_id"));
    fl_decision_release(&d);
    fl_decision_init(&d);
    u.status = FL_USER_ACTIVE;
    g.deleted = false;
    ck_assert_int_eq(fl_apps_decide_update(&ctx, &app, FL_LOG_ANY, &v, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 1);
}
END_TEST

START_TEST(update_records_only_changes)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 5);
    fl_app_values_t v = values("{\"name\":\"Payroll\",\"tier\":\"P2\",\"tags\":[]}", false);
    fl_app_refs_t refs = {0};
    json_t *data;

    ck_assert_int_eq(fl_apps_decide_update(&ctx, &app, 1, &v, &refs, &d), 0);
    data = tu_event_data(&d, 0);
    ck_assert_str_eq(json_string_value(json_object_get(data, "id")), app.id);
    json_t *changes = json_object_get(data, "changes");
    ck_assert_uint_eq(json_object_size(changes), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(changes, "tier"), "from")),
                     "P1");
    ck_assert(json_is_array(json_object_get(json_object_get(changes, "tags"), "to")));
    json_decref(data);
    ck_assert_int_eq(d.expects[0].version, 1);
    at_fold(&app, &arena, &d, 7);
    ck_assert_str_eq(app.v[FL_APP_TIER], "P2");
    ck_assert_str_eq(app.v[FL_APP_TAGS], "[]");
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apps_decide_update(&ctx, &app, FL_LOG_ANY, &v, &refs, &d), 0);
    ck_assert_uint_eq(d.n_events, 0);
}
END_TEST

static const char *add_env(const char *body, int want)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 9);
    fl_app_values_t v;
    json_t *j = tu_json(body);
    const char *id = NULL;

    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apps_decode_env_create(j, &arena, &v, &d), 0);
    json_decref(j);
    ck_assert_int_eq(fl_apps_decide_env_add(&ctx, &app, FL_LOG_ANY, &v, &id, &d), want);
    if (want == 0)
        at_fold(&app, &arena, &d, 9);
    return id;
}

START_TEST(environment_names_are_unique_per_application)
{
    const char *prod = add_env("{\"name\":\"prod\",\"type\":\"prod\"}", 0);
    const char *stg = add_env("{\"name\":\"stg\",\"type\":\"staging\"}", 0);
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 10);

    ck_assert_uint_eq(app.n_envs, 2);
    add_env("{\"name\":\"PROD\",\"type\":\"prod\"}", FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    ck_assert(tu_has_error(&d, "name"));
    fl_app_values_t v = values("{\"name\":\"Prod\"}", true);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apps_decide_env_update(&ctx, &app, FL_LOG_ANY, stg, &v, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 409);
    /* renaming itself by case is fine */
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apps_decide_env_update(&ctx, &app, FL_LOG_ANY, prod, &v, &d), 0);
    at_fold(&app, &arena, &d, 11);
    ck_assert_str_eq(fl_app_env_find(&app, prod)->v[FL_ENV_NAME], "Prod");
    /* removed: the name is free again */
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apps_decide_env_remove(&ctx, &app, FL_LOG_ANY, prod, &d), 0);
    at_fold(&app, &arena, &d, 12);
    ck_assert_uint_eq(app.n_envs, 1);
    add_env("{\"name\":\"prod\",\"type\":\"prod\"}", 0);
}
END_TEST

START_TEST(environment_events_name_the_application)
{
    const char *id = add_env("{\"name\":\"prod\",\"type\":\"prod\"}", 0);
    json_t *data = tu_event_data(&d, 0);

    ck_assert_ptr_null(json_object_get(data, "id")); /* the audit trail's entity is the app */
    ck_assert_str_eq(json_string_value(json_object_get(data, "application_id")), app.id);
    ck_assert_str_eq(json_string_value(json_object_get(data, "environment_id")), id);
    ck_assert_ptr_null(d.events[0].number);
    json_decref(data);
}
END_TEST

START_TEST(delete_is_soft_and_takes_the_environments)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 20);
    const char *env = add_env("{\"name\":\"prod\",\"type\":\"prod\"}", 0);
    fl_app_values_t v = values("{\"name\":\"x\"}", false);
    fl_app_refs_t refs = {0};
    json_t *data;

    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apps_decide_delete(&ctx, &app, FL_LOG_ANY, &d), 0);
    data = tu_event_data(&d, 0);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(data, "environments"), 0)),
                     env);
    json_decref(data);
    at_fold(&app, &arena, &d, 21);
    ck_assert(app.deleted && app.n_envs == 0);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apps_decide_update(&ctx, &app, FL_LOG_ANY, &v, &refs, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
    fl_decision_release(&d);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_apps_decide_delete(&ctx, &app, FL_LOG_ANY, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

START_TEST(unknown_environment_is_404)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 20);

    ck_assert_int_eq(fl_apps_decide_env_remove(&ctx, &app, FL_LOG_ANY,
                                               "00000000-0000-4000-8000-000000000000", &d),
                     FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

START_TEST(render_from_state)
{
    json_t *j = fl_app_to_json(&app);

    ck_assert_str_eq(json_string_value(json_object_get(j, "app_id")), "APP-00001");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "tags"), 0)), "pci");
    ck_assert(json_is_object(json_object_get(j, "metadata")));
    ck_assert(json_is_null(json_object_get(j, "health_score")));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), 1);
    json_decref(j);
}
END_TEST

TCase *apps_decide_tcase(void)
{
    TCase *tc = tcase_create("decide");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, create_asks_for_a_number);
    tcase_add_test(tc, create_event_and_expectation);
    tcase_add_test(tc, references_must_be_live);
    tcase_add_test(tc, update_records_only_changes);
    tcase_add_test(tc, environment_names_are_unique_per_application);
    tcase_add_test(tc, environment_events_name_the_application);
    tcase_add_test(tc, delete_is_soft_and_takes_the_environments);
    tcase_add_test(tc, unknown_environment_is_404);
    tcase_add_test(tc, render_from_state);
    return tc;
}

/*
 * The read side without PostgreSQL: the statements each sla:config event
 * becomes (through the projector's real batch), events the decoders refuse
 * skipped, and the list queries' parameters refused by name.
 */
#include <check.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"
#include "firelater/sla.h"
#include "util.h"

#define ID  "11111111-2222-4333-8444-555555555555"
#define HID "11111111-2222-4333-8444-666666666666"

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
    fl_event_t ev = {.pos = 9, .ts = 1764072000000000LL, .type = type, .v = 1, .sv = 4};
    int rc = -1;

    for (const fl_proj_handler_t *h = fl_sla_config_projections; h->type != NULL; h++)
        if (strcmp(h->type, type) == 0)
            rc = h->fn(&out, &ev, data);
    json_decref(data);
    return rc;
}

static bool sql_has(int stmt, const char *s)
{
    ck_assert_int_lt(stmt, out.n);
    return strstr(out.stmts[stmt].sql, s) != NULL;
}

START_TEST(a_policy_put_upserts_and_replaces_its_targets)
{
    ck_assert_int_eq(project("sla.policy_updated",
                             "{\"id\": \"" ID "\", \"cleared_default\": null, \"body\": {\"name\":"
                             " \"Gold\", \"entity_type\": \"issue\", \"business_hours_id\": \"" HID
                             "\", \"targets\": [{\"metric_type\": \"response_time\", \"priority\":"
                             " \"high\", \"target_minutes\": 60}]}}"),
                     0);
    ck_assert_int_eq(out.n, 4);
    ck_assert(sql_has(0, "UPDATE sla_policies SET is_default = false"));
    ck_assert(sql_has(1, "INSERT INTO sla_policies"));
    ck_assert(sql_has(1, "ON CONFLICT (id) DO UPDATE"));
    ck_assert(sql_has(2, "DELETE FROM sla_targets"));
    ck_assert(sql_has(3, "INSERT INTO sla_targets"));
    ck_assert_int_eq(out.stmts[1].nparams, 5);
    ck_assert_str_eq(out.stmts[1].params[0], ID);
    /* the body as the decoder reads it back: defaults filled in */
    ck_assert_ptr_nonnull(strstr(out.stmts[1].params[1], "\"warning_percent\":80"));
    ck_assert_ptr_nonnull(strstr(out.stmts[1].params[1], "\"business_hours_id\":\"" HID "\""));
    ck_assert_str_eq(out.stmts[1].params[2], "2025-11-25T12:00:00.000000Z");
    ck_assert_str_eq(out.stmts[1].params[3], "4");
    ck_assert_str_eq(out.stmts[1].params[4], "false");
    ck_assert_int_eq(out.stmts[2].nparams, 1);
}
END_TEST

START_TEST(business_hours_replace_schedule_and_holidays)
{
    ck_assert_int_eq(project("sla.business_hours_created",
                             "{\"id\": \"" HID "\", \"body\": {\"timezone\": \"Asia/Tokyo\","
                             " \"schedule\": [{\"day_of_week\": 2, \"start_time\": \"09:00\","
                             " \"end_time\": \"24:00\"}]}}"),
                     0);
    ck_assert_int_eq(out.n, 6);
    ck_assert(sql_has(1, "INSERT INTO business_hours "));
    ck_assert(sql_has(3, "INSERT INTO business_hours_schedule"));
    ck_assert(sql_has(5, "INSERT INTO business_hours_holidays"));
    ck_assert_ptr_nonnull(strstr(out.stmts[1].params[1], "\"name\":\"Default\""));
    ck_assert_ptr_nonnull(strstr(out.stmts[1].params[1], "\"end_time\":\"24:00\""));
    ck_assert_str_eq(out.stmts[1].params[4], "true");
}
END_TEST

START_TEST(deletes_are_soft)
{
    ck_assert_int_eq(project("sla.business_hours_deleted", "{\"id\": \"" HID "\"}"), 0);
    ck_assert_int_eq(project("sla.policy_deleted", "{\"id\": \"" ID "\"}"), 0);
    ck_assert_int_eq(out.n, 2);
    ck_assert(sql_has(0, "UPDATE business_hours SET deleted_at = $2::timestamptz"));
    ck_assert(sql_has(1, "UPDATE sla_policies SET deleted_at = $2::timestamptz"));
    ck_assert_str_eq(out.stmts[1].params[2], "4");
}
END_TEST

START_TEST(events_the_decoders_refuse_are_skipped)
{
    ck_assert_int_eq(project("sla.policy_created", "{\"id\": \"nope\", \"body\": {}}"), 0);
    ck_assert_int_eq(project("sla.policy_created", "{\"id\": \"" ID "\", \"body\": {\"x\": 1}}"),
                     0);
    ck_assert_int_eq(project("sla.business_hours_updated",
                             "{\"id\": \"" HID "\", \"body\": {\"timezone\": \"Mars/Olympus\","
                             " \"schedule\": []}}"),
                     0);
    ck_assert_int_eq(project("sla.policy_deleted", "{}"), 0);
    ck_assert_int_eq(out.n, 0);
}
END_TEST

static int list(fl_sla_kind_t kind, const fl_http_param_t *p, size_t n, fl_decision_t *d,
                fl_sla_query_t *q, fl_arena_t *a)
{
    fl_decision_init(d);
    return fl_sla_list_query(kind, p, n, a, q, d);
}

START_TEST(list_parameters_are_checked_by_name)
{
    fl_arena_t a;
    fl_sla_query_t q;
    fl_decision_t d;
    const fl_http_param_t bad[] = {
        {"sort", "timezone"}, {"per_page", "101"}, {"entity_type", "task"},
        {"colour", "red"},    {"order", "up"},     {"page", "1"},
        {"page", "2"}};
    const fl_http_param_t good[] = {
        {"entity_type", "change"}, {"is_default", "true"}, {"sort", "name"}, {"per_page", "5"}};

    fl_arena_init(&a, 0);
    ck_assert_int_eq(list(FL_SLA_POLICIES, bad, 7, &d, &q, &a), FL_EINVAL);
    ck_assert_int_eq(d.status, 422);
    ck_assert(tu_has_error(&d, "sort"));
    ck_assert(tu_has_error(&d, "per_page"));
    ck_assert(tu_has_error(&d, "entity_type"));
    ck_assert(tu_has_error(&d, "colour"));
    ck_assert(tu_has_error(&d, "order"));
    ck_assert(tu_has_error(&d, "page")); /* given twice */
    fl_decision_release(&d);
    ck_assert_int_eq(list(FL_SLA_HOURS, bad, 1, &d, &q, &a), 0); /* hours sort by timezone */
    fl_decision_release(&d);
    ck_assert_int_eq(list(FL_SLA_HOURS, good, 1, &d, &q, &a), FL_EINVAL);
    ck_assert(tu_has_error(&d, "entity_type")); /* a policies' filter only */
    fl_decision_release(&d);
    ck_assert_int_eq(list(FL_SLA_POLICIES, good, 4, &d, &q, &a), 0);
    ck_assert_int_eq(q.nparams, 4);
    ck_assert_str_eq(q.params[0], "change");
    ck_assert_str_eq(q.params[2], "5");
    ck_assert_str_eq(q.params[3], "0");
    ck_assert_ptr_nonnull(strstr(q.sql, "ORDER BY p.name ASC"));
    fl_decision_release(&d);
    ck_assert_int_eq(fl_sla_get_query(FL_SLA_HOURS, "APP-1", &q), FL_EINVAL);
    fl_arena_free(&a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("slacfg_read");
    TCase *tc = tcase_create("read");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_policy_put_upserts_and_replaces_its_targets);
    tcase_add_test(tc, business_hours_replace_schedule_and_holidays);
    tcase_add_test(tc, deletes_are_soft);
    tcase_add_test(tc, events_the_decoders_refuse_are_skipped);
    tcase_add_test(tc, list_parameters_are_checked_by_name);
    suite_add_tcase(s, tc);
    return tu_run(s);
}

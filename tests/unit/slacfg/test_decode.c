/*
 * Decoding policy bodies (and the business-hours body the config holds):
 * what is accepted with its defaults, what comes back, every refusal named.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "slacfg_test.h"

#define BH_ID "11111111-1111-4111-8111-111111111111"
#define T1    "{\"metric_type\": \"response_time\", \"priority\": \"high\", \"target_minutes\": 60}"

typedef struct run {
    fl_arena_t a;
    fl_decision_t d;
    fl_sla_policy_t p;
    int rc;
} run_t;

static fl_sla_business_hours_t one_bh[2] = {
    {.id = BH_ID},
    {.id = "22222222-2222-4222-8222-222222222222", .deleted = true},
};
static const fl_sla_config_t cfg = {.hours = one_bh, .n_hours = 2};

static void decode(run_t *r, const char *json)
{
    json_error_t jerr;
    json_t *body = json_loads(json, JSON_DECODE_ANY, &jerr);

    ck_assert_msg(body != NULL, "bad test JSON: %s (%s)", jerr.text, json);
    fl_arena_init(&r->a, 1 << 20);
    fl_decision_init(&r->d);
    r->rc = fl_sla_policy_decode(body, &cfg, &r->a, &r->d, &r->p);
    json_decref(body);
}

static void done(run_t *r)
{
    fl_decision_release(&r->d);
    fl_arena_free(&r->a);
}

static bool has_error(const fl_decision_t *d, const char *field, const char *fragment)
{
    for (size_t i = 0; i < d->problem.n_errors; i++) {
        const char *f = d->errors[i].field != NULL ? d->errors[i].field : "";

        if (strcmp(f, field) == 0 && strstr(d->errors[i].message, fragment) != NULL)
            return true;
    }
    return false;
}

static void refused(const char *json, const char *field, const char *fragment)
{
    run_t r;

    decode(&r, json);
    ck_assert_int_eq(r.rc, FL_EINVAL);
    ck_assert_int_eq(r.d.status, 422);
    ck_assert_msg(has_error(&r.d, field, fragment), "%s: no error %s: ...%s... (first: %s: %s)",
                  json, field, fragment,
                  r.d.problem.n_errors && r.d.errors[0].field ? r.d.errors[0].field : "-",
                  r.d.problem.n_errors ? r.d.errors[0].message : "-");
    done(&r);
}

/* A body with one field replaced: name, entity_type and targets are filled in. */
static void refused_with(const char *fields, const char *field, const char *fragment)
{
    char json[2048];

    snprintf(json, sizeof(json), "{\"name\": \"P\", \"entity_type\": \"issue\", %s}", fields);
    refused(json, field, fragment);
}

START_TEST(a_good_policy_decodes_with_defaults_and_renders_back)
{
    run_t r;
    json_t *out, *want;
    json_error_t jerr;

    decode(&r, "{\"name\": \"Gold\", \"entity_type\": \"issue\","
               " \"conditions\": {\"priority\": [\"critical\", \"high\"], \"tier\": \"P1\"},"
               " \"business_hours_id\": \"" BH_ID "\", \"targets\": [" T1 ","
               " {\"metric_type\": \"resolution_time\", \"priority\": \"critical\","
               "  \"target_minutes\": 525600, \"warning_percent\": 99,"
               "  \"business_hours_only\": false}]}");
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.p.name, "Gold");
    ck_assert_ptr_null(r.p.description);
    ck_assert(!r.p.is_default);
    ck_assert_int_eq(r.p.entity_type, FL_SLA_ISSUE);
    ck_assert_int_eq(r.p.conditions.priority, 0x3);
    ck_assert_int_eq(r.p.conditions.tier, 0x1);
    ck_assert_int_eq(r.p.conditions.issue_type, 0);
    ck_assert_str_eq(r.p.business_hours_id, BH_ID);
    ck_assert_int_eq(r.p.n_targets, 2);
    ck_assert_int_eq(r.p.targets[0].warning_percent, 80);
    ck_assert(r.p.targets[0].business_hours_only);
    ck_assert_int_eq(r.p.targets[1].target_minutes, 525600);
    ck_assert(!r.p.targets[1].business_hours_only);
    out = fl_sla_policy_json(&r.p);
    want = json_loads(
        "{\"name\": \"Gold\", \"description\": null, \"entity_type\": \"issue\","
        " \"is_default\": false, \"conditions\": {\"priority\": [\"critical\", \"high\"],"
        " \"tier\": [\"P1\"]}, \"business_hours_id\": \"" BH_ID "\", \"targets\": ["
        " {\"metric_type\": \"response_time\", \"priority\": \"high\", \"target_minutes\": 60,"
        "  \"warning_percent\": 80, \"business_hours_only\": true},"
        " {\"metric_type\": \"resolution_time\", \"priority\": \"critical\","
        "  \"target_minutes\": 525600, \"warning_percent\": 99, \"business_hours_only\": false}]}",
        0, &jerr);
    ck_assert_ptr_nonnull(want);
    ck_assert_msg(json_equal(out, want), "rendered %s", json_dumps(out, JSON_COMPACT));
    json_decref(out);
    json_decref(want);
    done(&r);
}
END_TEST

START_TEST(null_business_hours_and_description_are_taken)
{
    run_t r;

    decode(&r, "{\"name\": \"Any\", \"entity_type\": \"change\", \"is_default\": true,"
               " \"description\": \"line one\\nline two\", \"business_hours_id\": null,"
               " \"conditions\": {}, \"targets\": [" T1 "]}");
    ck_assert_int_eq(r.rc, 0);
    ck_assert(r.p.is_default);
    ck_assert_int_eq(r.p.entity_type, FL_SLA_CHANGE);
    ck_assert_ptr_null(r.p.business_hours_id);
    ck_assert_str_eq(r.p.description, "line one\nline two");
    done(&r);
}
END_TEST

START_TEST(every_bad_top_level_field_is_named)
{
    refused("[]", "", "JSON object");
    refused("{\"entity_type\": \"issue\", \"targets\": [" T1 "]}", "name", "required");
    refused_with("\"name\": \"  \", \"targets\": [" T1 "]", "name", "blank");
    refused_with("\"name\": 5, \"targets\": [" T1 "]", "name", "string");
    refused("{\"name\": \"P\", \"targets\": [" T1 "]}", "entity_type", "required");
    refused("{\"name\": \"P\", \"entity_type\": \"incident\", \"targets\": [" T1 "]}",
            "entity_type", "issue, request or change");
    refused_with("\"is_default\": \"yes\", \"targets\": [" T1 "]", "is_default", "boolean");
    refused_with("\"description\": 3, \"targets\": [" T1 "]", "description", "string");
    refused_with("\"color\": \"red\", \"targets\": [" T1 "]", "color", "not a known field");
    refused_with("\"business_hours_id\": \"nope\", \"targets\": [" T1 "]", "business_hours_id",
                 "UUID");
    refused_with("\"business_hours_id\": \"33333333-3333-4333-8333-333333333333\","
                 " \"targets\": [" T1 "]",
                 "business_hours_id", "names no business hours");
    refused_with("\"business_hours_id\": \"22222222-2222-4222-8222-222222222222\","
                 " \"targets\": [" T1 "]",
                 "business_hours_id", "names no business hours");
}
END_TEST

START_TEST(every_bad_condition_is_named)
{
    refused_with("\"conditions\": [], \"targets\": [" T1 "]", "conditions", "object");
    refused_with("\"conditions\": {\"tier\": \"P5\"}, \"targets\": [" T1 "]", "conditions.tier",
                 "P1, P2, P3 or P4");
    refused_with("\"conditions\": {\"tier\": [\"P1\", \"P9\"]}, \"targets\": [" T1 "]",
                 "conditions.tier[1]", "P1, P2, P3 or P4");
    refused_with("\"conditions\": {\"tier\": []}, \"targets\": [" T1 "]", "conditions.tier",
                 "non-empty");
    refused_with("\"conditions\": {\"priority\": \"urgent\"}, \"targets\": [" T1 "]",
                 "conditions.priority", "critical, high");
    refused_with("\"conditions\": {\"issue_type\": 1}, \"targets\": [" T1 "]",
                 "conditions.issue_type", "value or a non-empty array");
    refused_with("\"conditions\": {\"issue_type\": \"task\"}, \"targets\": [" T1 "]",
                 "conditions.issue_type", "issue, problem or question");
    refused_with("\"conditions\": {\"region\": \"eu\"}, \"targets\": [" T1 "]", "conditions.region",
                 "not a known condition");
}
END_TEST

START_TEST(every_bad_target_is_named)
{
    refused_with("\"x\": 1", "targets", "required");
    refused_with("\"targets\": []", "targets", "1 to 8");
    refused_with("\"targets\": {}", "targets", "1 to 8");
    refused_with("\"targets\": [1]", "targets[0]", "object");
    refused_with("\"targets\": [{\"priority\": \"high\", \"target_minutes\": 5}]",
                 "targets[0].metric_type", "required");
    refused_with("\"targets\": [{\"metric_type\": \"uptime\", \"priority\": \"high\","
                 " \"target_minutes\": 5}]",
                 "targets[0].metric_type", "response_time or resolution_time");
    refused_with("\"targets\": [{\"metric_type\": \"response_time\", \"priority\": \"p1\","
                 " \"target_minutes\": 5}]",
                 "targets[0].priority", "critical, high");
    refused_with("\"targets\": [{\"metric_type\": \"response_time\", \"priority\": \"high\"}]",
                 "targets[0].target_minutes", "required");
    refused_with("\"targets\": [{\"metric_type\": \"response_time\", \"priority\": \"high\","
                 " \"target_minutes\": 0}]",
                 "targets[0].target_minutes", "1 to 525600");
    refused_with("\"targets\": [{\"metric_type\": \"response_time\", \"priority\": \"high\","
                 " \"target_minutes\": 525601}]",
                 "targets[0].target_minutes", "1 to 525600");
    refused_with("\"targets\": [{\"metric_type\": \"response_time\", \"priority\": \"high\","
                 " \"target_minutes\": 1.5}]",
                 "targets[0].target_minutes", "integer");
    refused_with("\"targets\": [{\"metric_type\": \"response_time\", \"priority\": \"high\","
                 " \"target_minutes\": 5, \"warning_percent\": 100}]",
                 "targets[0].warning_percent", "1 to 99");
    refused_with("\"targets\": [{\"metric_type\": \"response_time\", \"priority\": \"high\","
                 " \"target_minutes\": 5, \"warning_percent\": 0}]",
                 "targets[0].warning_percent", "1 to 99");
    refused_with("\"targets\": [{\"metric_type\": \"response_time\", \"priority\": \"high\","
                 " \"target_minutes\": 5, \"business_hours_only\": 1}]",
                 "targets[0].business_hours_only", "boolean");
    refused_with("\"targets\": [{\"metric_type\": \"response_time\", \"priority\": \"high\","
                 " \"target_minutes\": 5, \"goal\": 1}]",
                 "targets[0].goal", "not a known field");
}
END_TEST

START_TEST(a_repeated_metric_and_priority_names_the_later_target)
{
    refused_with("\"targets\": [" T1 ", {\"metric_type\": \"resolution_time\", \"priority\":"
                 " \"high\", \"target_minutes\": 5}, {\"metric_type\": \"response_time\","
                 " \"priority\": \"low\", \"target_minutes\": 5}, " T1 "]",
                 "targets[3]", "repeats");
}
END_TEST

START_TEST(business_hours_bodies_are_refused_by_field)
{
    static const struct {
        const char *json, *field, *fragment;
    } cases[] = {
        {"{\"timezone\": \"Mars/Olympus\", \"schedule\": [{\"day_of_week\": 1, \"start_time\":"
         " \"09:00\", \"end_time\": \"17:00\"}]}",
         "timezone", "time zone"},
        {"{\"schedule\": [{\"day_of_week\": 7, \"start_time\": \"09:00\", \"end_time\":"
         " \"17:00\"}]}",
         "schedule[0].day_of_week", "0 (Sunday) to 6"},
        {"{\"schedule\": [{\"day_of_week\": 1, \"start_time\": \"18:00\", \"end_time\":"
         " \"17:00\"}]}",
         "schedule[0].end_time", "after start_time"},
        {"{\"colour\": 1, \"schedule\": [{\"day_of_week\": 1, \"start_time\": \"09:00\","
         " \"end_time\": \"17:00\"}]}",
         "colour", "not a known field"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *body = json_loads(cases[i].json, 0, NULL);
        fl_arena_t a;
        fl_decision_t d;
        fl_cal_def_t def;

        ck_assert_ptr_nonnull(body);
        fl_arena_init(&a, 1 << 20);
        fl_decision_init(&d);
        ck_assert_int_eq(fl_cal_decode(body, &a, &d, &def), FL_EINVAL);
        ck_assert_msg(has_error(&d, cases[i].field, cases[i].fragment), "%s", cases[i].json);
        fl_decision_release(&d);
        fl_arena_free(&a);
        json_decref(body);
    }
}
END_TEST

TCase *slacfg_decode_tcase(void)
{
    TCase *tc = tcase_create("decode");

    tcase_add_test(tc, a_good_policy_decodes_with_defaults_and_renders_back);
    tcase_add_test(tc, null_business_hours_and_description_are_taken);
    tcase_add_test(tc, every_bad_top_level_field_is_named);
    tcase_add_test(tc, every_bad_condition_is_named);
    tcase_add_test(tc, every_bad_target_is_named);
    tcase_add_test(tc, a_repeated_metric_and_priority_names_the_later_target);
    tcase_add_test(tc, business_hours_bodies_are_refused_by_field);
    return tc;
}

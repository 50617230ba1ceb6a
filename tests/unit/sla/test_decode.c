/*
 * Decoding business hours: what is accepted, what comes back, and every bad
 * input named by its field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal_test.h"
#include "firelater/err.h"

typedef struct run {
    fl_arena_t a;
    fl_decision_t d;
    fl_cal_def_t def;
    int rc;
} run_t;

static void decode(run_t *r, const char *json)
{
    json_error_t jerr;
    json_t *body = json_loads(json, JSON_DECODE_ANY, &jerr);

    ck_assert_msg(body != NULL, "bad test JSON: %s", jerr.text);
    fl_arena_init(&r->a, 1 << 20);
    fl_decision_init(&r->d);
    r->rc = fl_cal_decode(body, &r->a, &r->d, &r->def);
    json_decref(body);
}

static void done(run_t *r)
{
    fl_decision_release(&r->d);
    fl_arena_free(&r->a);
}

/* Asserts the body is refused with (at least) this field and message fragment. */
static void refused(const char *json, const char *field, const char *fragment)
{
    run_t r;
    bool found = false;

    decode(&r, json);
    ck_assert_int_eq(r.rc, FL_EINVAL);
    ck_assert_int_eq(r.d.status, 422);
    for (size_t i = 0; i < r.d.problem.n_errors; i++)
        found = found || (strcmp(r.d.errors[i].field, field) == 0 &&
                          strstr(r.d.errors[i].message, fragment) != NULL);
    ck_assert_msg(found, "%s: no error %s: ...%s... (first: %s: %s)", json, field, fragment,
                  r.d.problem.n_errors ? r.d.errors[0].field : "-",
                  r.d.problem.n_errors ? r.d.errors[0].message : "-");
    done(&r);
}

#define SPAN(d, s, e)                                                                              \
    "{\"day_of_week\": " #d ", \"start_time\": \"" s "\", \"end_time\": \"" e "\"}"

START_TEST(a_good_body_decodes_sorted_and_renders_back)
{
    run_t r;
    json_t *out;
    char *text;

    decode(&r, "{\"name\": \"Support\", \"timezone\": \"Europe/Berlin\", \"is_default\": true,"
               " \"schedule\": [" SPAN(1, "13:00", "17:30") "," SPAN(1, "09:00", "12:00") "," SPAN(
                   0, "20:00:00",
                   "24:00") "],"
                            " \"holidays\": [{\"holiday_date\": \"2026-12-26\"},"
                            " {\"holiday_date\": \"2026-12-25\", \"name\": \"Christmas\"}]}");
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.def.name, "Support");
    ck_assert(r.def.is_default);
    ck_assert_int_eq(r.def.n_spans[1], 2);
    ck_assert_int_eq(r.def.spans[1][0].start, 540);
    ck_assert_int_eq(r.def.spans[0][0].end, 1440);
    ck_assert_int_eq(r.def.n_holidays, 2);
    ck_assert_str_eq(r.def.holidays[0].name, "Christmas");
    out = fl_cal_def_json(&r.def);
    text = json_dumps(out, JSON_COMPACT);
    ck_assert_str_eq(
        text, "{\"name\":\"Support\",\"timezone\":\"Europe/Berlin\",\"is_default\":true,"
              "\"schedule\":[{\"day_of_week\":0,\"start_time\":\"20:00\",\"end_time\":\"24:00\"},"
              "{\"day_of_week\":1,\"start_time\":\"09:00\",\"end_time\":\"12:00\"},"
              "{\"day_of_week\":1,\"start_time\":\"13:00\",\"end_time\":\"17:30\"}],"
              "\"holidays\":[{\"holiday_date\":\"2026-12-25\",\"name\":\"Christmas\"},"
              "{\"holiday_date\":\"2026-12-26\",\"name\":null}]}");
    free(text);
    json_decref(out);
    done(&r);
}
END_TEST

START_TEST(defaults_are_the_specs)
{
    run_t r;

    decode(&r, "{\"schedule\": [" SPAN(3, "00:00", "24:00") "]}");
    ck_assert_int_eq(r.rc, 0);
    ck_assert_str_eq(r.def.name, "Default");
    ck_assert_str_eq(r.def.timezone, "UTC");
    ck_assert(!r.def.is_default);
    ck_assert_int_eq(r.def.n_holidays, 0);
    done(&r);
}
END_TEST

START_TEST(bad_top_level_fields_are_named)
{
    refused("[]", "body", "object");
    refused("{\"schedule\": [" SPAN(1, "09:00", "17:00") "], \"colour\": 1}", "colour",
            "not a known");
    refused("{\"timezone\": \"Mars/Olympus\", \"schedule\": [" SPAN(1, "09:00", "17:00") "]}",
            "timezone", "time zone");
    refused("{\"timezone\": \"../../etc/passwd\", \"schedule\": [" SPAN(1, "09:00", "17:00") "]}",
            "timezone", "time zone");
    refused("{\"timezone\": 5, \"schedule\": [" SPAN(1, "09:00", "17:00") "]}", "timezone",
            "string");
    refused("{\"name\": \" \", \"schedule\": [" SPAN(1, "09:00", "17:00") "]}", "name", "blank");
    refused("{\"is_default\": \"yes\", \"schedule\": [" SPAN(1, "09:00", "17:00") "]}",
            "is_default", "true or false");
    refused("{}", "schedule", "required");
    refused("{\"schedule\": []}", "schedule", "at least one");
    refused("{\"schedule\": {}}", "schedule", "array");
    refused("{\"schedule\": [" SPAN(1, "09:00", "17:00") "], \"holidays\": {}}", "holidays",
            "array");
}
END_TEST

START_TEST(bad_intervals_are_named)
{
    refused("{\"schedule\": [" SPAN(7, "09:00", "17:00") "]}", "schedule[0].day_of_week",
            "0 (Sunday)");
    refused("{\"schedule\": [{\"start_time\": \"09:00\", \"end_time\": \"17:00\"}]}",
            "schedule[0].day_of_week", "required");
    refused("{\"schedule\": [" SPAN(1, "9:00", "17:00") "]}", "schedule[0].start_time", "HH:MM");
    refused("{\"schedule\": [" SPAN(1, "09:60", "17:00") "]}", "schedule[0].start_time", "HH:MM");
    refused("{\"schedule\": [" SPAN(1, "24:00", "24:00") "]}", "schedule[0].start_time", "HH:MM");
    refused("{\"schedule\": [" SPAN(1, "09:00", "24:01") "]}", "schedule[0].end_time", "HH:MM");
    refused("{\"schedule\": [" SPAN(1, "09:00", "17:00:30") "]}", "schedule[0].end_time", "HH:MM");
    refused("{\"schedule\": [" SPAN(1, "17:00", "09:00") "]}", "schedule[0].end_time", "after");
    refused("{\"schedule\": [" SPAN(1, "09:00", "09:00") "]}", "schedule[0].end_time", "after");
    refused("{\"schedule\": [" SPAN(1, "09:00", "12:00") "," SPAN(1, "11:00", "13:00") "]}",
            "schedule[1]", "overlaps schedule[0]");
    refused("{\"schedule\": [" SPAN(2, "11:00", "13:00") "," SPAN(2, "09:00", "12:00") "]}",
            "schedule[0]", "overlaps schedule[1]");
    refused("{\"schedule\": [" SPAN(1, "09:00", "12:00") "," SPAN(1, "09:00", "12:00") "]}",
            "schedule[1]", "overlaps schedule[0]");
    refused("{\"schedule\": [{\"day_of_week\": 1, \"start_time\": \"09:00\", \"end_time\": "
            "\"10:00\", \"note\": 1}]}",
            "schedule[0].note", "not a known");
    refused("{\"schedule\": [5]}", "schedule[0]", "object");
}
END_TEST

START_TEST(touching_intervals_are_fine_but_nine_a_day_are_not)
{
    run_t r;
    char json[2048];
    size_t n = (size_t)snprintf(json, sizeof(json), "{\"schedule\": [");

    decode(&r, "{\"schedule\": [" SPAN(1, "09:00", "12:00") "," SPAN(1, "12:00", "13:00") "]}");
    ck_assert_int_eq(r.rc, 0);
    done(&r);
    for (int i = 0; i < 9; i++)
        n += (size_t)snprintf(json + n, sizeof(json) - n,
                              "%s{\"day_of_week\": 4, \"start_time\": \"%02d:00\", "
                              "\"end_time\": \"%02d:30\"}",
                              i ? "," : "", i + 1, i + 1);
    snprintf(json + n, sizeof(json) - n, "]}");
    refused(json, "schedule[8]", "8 intervals");
}
END_TEST

START_TEST(bad_holidays_are_named)
{
#define BODY(h) "{\"schedule\": [" SPAN(1, "09:00", "17:00") "], \"holidays\": [" h "]}"
    refused(BODY("{\"holiday_date\": \"2026-02-30\"}"), "holidays[0].holiday_date", "YYYY-MM-DD");
    refused(BODY("{\"holiday_date\": \"2026-13-01\"}"), "holidays[0].holiday_date", "YYYY-MM-DD");
    refused(BODY("{\"holiday_date\": \"26-12-25\"}"), "holidays[0].holiday_date", "YYYY-MM-DD");
    refused(BODY("{\"holiday_date\": \"1969-12-25\"}"), "holidays[0].holiday_date", "1970");
    refused(BODY("{\"holiday_date\": 20261225}"), "holidays[0].holiday_date", "YYYY-MM-DD");
    refused(BODY("{\"name\": \"x\"}"), "holidays[0].holiday_date", "required");
    refused(BODY("{\"holiday_date\": \"2026-12-25\"}, {\"holiday_date\": \"2026-12-25\"}"),
            "holidays[1].holiday_date", "repeats holidays[0]");
    refused(BODY("{\"holiday_date\": \"2026-12-25\", \"when\": 1}"), "holidays[0].when",
            "not a known");
    refused(BODY("{\"holiday_date\": \"2026-12-25\", \"name\": 7}"), "holidays[0].name", "string");
    refused(BODY("\"2026-12-25\""), "holidays[0]", "object");
#undef BODY
}
END_TEST

START_TEST(every_problem_is_reported_at_once)
{
    run_t r;

    decode(&r,
           "{\"timezone\": \"Nowhere/X\", \"name\": 1, \"schedule\": [" SPAN(9, "25:00", "x") "]}");
    ck_assert_int_eq(r.rc, FL_EINVAL);
    ck_assert_int_ge(r.d.problem.n_errors, 5);
    done(&r);
}
END_TEST

START_TEST(a_calendar_needs_a_known_zone_and_some_opening)
{
    fl_cal_def_t def;
    fl_cal_t *cal = NULL;

    memset(&def, 0, sizeof(def));
    def.timezone = "UTC";
    ck_assert_int_eq(fl_cal_new(&def, &cal), FL_EINVAL);
    ck_assert_ptr_null(cal);
    def.n_spans[2] = 1;
    def.spans[2][0] = (fl_cal_span_t){600, 540};
    ck_assert_int_eq(fl_cal_new(&def, &cal), FL_EINVAL);
    def.spans[2][0] = (fl_cal_span_t){540, 600};
    def.timezone = "Not/AZone";
    ck_assert_int_eq(fl_cal_new(&def, &cal), FL_EINVAL);
    def.timezone = "America/New_York";
    ck_assert_int_eq(fl_cal_new(&def, &cal), 0);
    fl_cal_free(cal);
    ck_assert(fl_cal_zone_is_valid("Europe/Berlin"));
    ck_assert(!fl_cal_zone_is_valid(""));
}
END_TEST

TCase *cal_decode_tcase(void)
{
    TCase *tc = tcase_create("decode");

    tcase_add_test(tc, a_good_body_decodes_sorted_and_renders_back);
    tcase_add_test(tc, defaults_are_the_specs);
    tcase_add_test(tc, bad_top_level_fields_are_named);
    tcase_add_test(tc, bad_intervals_are_named);
    tcase_add_test(tc, touching_intervals_are_fine_but_nine_a_day_are_not);
    tcase_add_test(tc, bad_holidays_are_named);
    tcase_add_test(tc, every_problem_is_reported_at_once);
    tcase_add_test(tc, a_calendar_needs_a_known_zone_and_some_opening);
    return tc;
}

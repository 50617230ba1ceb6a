/*
 * Form data: every field type and rule accepted and refused; required fields, defaults,
 * unknown fields; visibility by conditional logic (hidden fields not required, their values
 * dropped); the spec's laptop form end to end.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "forms_test.h"

#define OK(members, value)                                                                         \
    ck_assert_msg(ft_value(members, value) == 0, "%s refused: %s", value, ft_dump())

/* Refused, with an error at form_data.f about part. */
static void refused(const char *members, const char *value, const char *part)
{
    ft_clear();
    ck_assert_msg(ft_value(members, value) == FL_EINVAL, "%s accepted", value);
    ck_assert_int_eq(ft.d.status, 422);
    ft_assert_err("form_data.f", part);
}

START_TEST(text_lengths_count_characters)
{
    const char *m = "\"type\":\"text\",\"validation\":{\"min_length\":3,\"max_length\":5}";

    OK(m, "\"abc\"");
    OK(m, "\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\""); /* five é: ten bytes, five characters */
    OK(m, "\"\xf0\x9f\x94\xa5\xf0\x9f\x94\xa5\xf0\x9f\x94\xa5\""); /* three 4-byte emoji */
    refused(m, "\"ab\"", "at least 3 characters");
    refused(m, "\"abcdef\"", "at most 5 characters");
    refused(m, "\"a\\nbc\"", "one line");
    refused(m, "\"a\\u0000bc\"", "control");
    refused(m, "42", "must be a string");
    /* Without max_length a text field takes 1000 characters. */
    char v[1100];
    v[0] = '"';
    memset(v + 1, 'x', 1001);
    memcpy(v + 1002, "\"", 2);
    refused("\"type\":\"text\"", v, "at most 1000 characters");
    v[1001] = '"';
    v[1002] = '\0';
    OK("\"type\":\"text\"", v);
}
END_TEST

START_TEST(textarea_and_rich_text)
{
    const char *ta = "\"type\":\"textarea\",\"validation\":{\"min_length\":5}";
    const char *rt = "\"type\":\"rich_text\",\"validation\":{\"max_length\":12}";

    OK(ta, "\"line 1\\nline 2\\r\\n\\tend\"");
    refused(ta, "\"abcd\"", "at least 5");
    refused(ta, "\"bell\\u0007 rings\"", "control");
    refused(ta, "[\"hello world\"]", "must be a string");
    OK(rt, "\"<b>bold</b>\"");
    refused(rt, "\"<p>too long</p>\"", "at most 12");
    refused(rt, "{\"ops\":[]}", "must be a string");
}
END_TEST

START_TEST(patterns_match_the_whole_value)
{
    const char *m = "\"type\":\"text\",\"validation\":{\"pattern\":\"[A-Z]{3}-[0-9]{2,4}\"}";
    const char *alt = "\"type\":\"text\",\"validation\":{\"pattern\":\"a|ab\"}";
    const char *two = "\"type\":\"text\",\"validation\":{\"pattern\":\"..\"}";

    OK(m, "\"ABC-12\"");
    OK(m, "\"XYZ-1234\"");
    refused(m, "\"ABC-12345\"", "pattern");
    refused(m, "\" ABC-12\"", "pattern");
    refused(m, "\"abc-12\"", "pattern");
    OK(alt, "\"ab\""); /* the second alternative, since the first does not reach the end */
    OK(alt, "\"a\"");
    refused(alt, "\"abc\"", "pattern");
    /* UTF-8 mode: a dot is a character, not a byte. */
    OK(two, "\"\xc3\xa9\xc3\xa9\"");
    refused(two, "\"\xc3\xa9\"", "pattern");
}
END_TEST

START_TEST(a_backtracking_pattern_gives_up)
{
    const char *m = "\"type\":\"text\",\"validation\":{\"pattern\":\"(a+)+$\"}";
    int64_t t0 = fl_clock_mono();

    refused(m,
            "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\"",
            "too complex");
    ck_assert_int_lt(fl_clock_mono() - t0, 2000000); /* µs: well under 2 s even under ASan */
    OK(m, "\"aaaa\"");
}
END_TEST

START_TEST(numbers_bounds_and_steps)
{
    const char *m = "\"type\":\"number\",\"validation\":{\"min\":1,\"max\":10}";
    const char *st = "\"type\":\"number\",\"validation\":{\"step\":0.1}";
    const char *from = "\"type\":\"number\",\"validation\":{\"min\":1,\"step\":5}";

    OK(m, "1");
    OK(m, "10");
    OK(m, "2.5");
    refused(m, "0", "at least 1");
    refused(m, "10.01", "at most 10");
    refused(m, "\"5\"", "must be a number");
    refused(m, "true", "must be a number");
    OK(st, "0.3"); /* 0.3 / 0.1 is 2.9999999999999996 */
    OK(st, "-12.7");
    refused(st, "0.35", "multiple of 0.1");
    OK(from, "11");
    refused(from, "10", "1 plus a multiple of 5");
}
END_TEST

START_TEST(single_choices)
{
    const char *sel = "\"type\":\"select\",\"options\":[{\"value\":\"16gb\",\"label\":\"16\"},"
                      "{\"value\":\"32gb\",\"label\":\"32\"}]";
    const char *rad = "\"type\":\"radio\",\"options\":[{\"value\":\"yes\",\"label\":\"Yes\"},"
                      "{\"value\":\"no\",\"label\":\"No\"}]";

    OK(sel, "\"32gb\"");
    refused(sel, "\"32GB\"", "options");
    refused(sel, "\"32 GB\"", "options");
    refused(sel, "[\"32gb\"]", "options");
    OK(rad, "\"no\"");
    refused(rad, "\"maybe\"", "options");
    refused(rad, "false", "options");
}
END_TEST

START_TEST(multiple_choices_and_counts)
{
    const char *ms = "\"type\":\"multi_select\",\"options\":[{\"value\":\"a\",\"label\":\"A\"},"
                     "{\"value\":\"b\",\"label\":\"B\"},{\"value\":\"c\",\"label\":\"C\"}],"
                     "\"validation\":{\"max_selections\":2}";
    const char *cg = "\"type\":\"checkbox_group\",\"options\":[{\"value\":\"a\",\"label\":\"A\"},"
                     "{\"value\":\"b\",\"label\":\"B\"},{\"value\":\"c\",\"label\":\"C\"}],"
                     "\"validation\":{\"min_selected\":2,\"max_selected\":2}";

    OK(ms, "[\"c\",\"a\"]");
    OK(ms, "[]");
    refused(ms, "[\"a\",\"b\",\"c\"]", "at most 2 selections");
    refused(ms, "\"a\"", "array");
    refused(ms, "[\"a\",\"a\",\"b\",\"c\"]", "more values than the field has options");
    ft_clear();
    ck_assert_int_eq(ft_value(ms, "[\"a\",\"zz\"]"), FL_EINVAL);
    ft_assert_err("form_data.f[1]", "options");
    ft_clear();
    ck_assert_int_eq(ft_value(ms, "[\"b\",\"b\"]"), FL_EINVAL);
    ft_assert_err("form_data.f[1]", "selected twice");
    OK(cg, "[\"a\",\"b\"]");
    refused(cg, "[\"a\"]", "at least 2 selections");
    refused(cg, "[\"a\",\"b\",\"c\"]", "at most 2 selections");
}
END_TEST

START_TEST(checkboxes)
{
    OK("\"type\":\"checkbox\"", "false");
    OK("\"type\":\"checkbox\",\"required\":true", "true");
    refused("\"type\":\"checkbox\",\"required\":true", "false", "must be checked");
    refused("\"type\":\"checkbox\"", "\"true\"", "true or false");
    refused("\"type\":\"checkbox\"", "1", "true or false");
}
END_TEST

START_TEST(dates_relative_to_today)
{
    /* Today is 2026-12-01 (FT_NOW). */
    const char *m =
        "\"type\":\"date\",\"validation\":{\"min_date\":\"today\",\"max_date\":\"+90d\"}";
    const char *abs = "\"type\":\"date\",\"validation\":{\"min_date\":\"-10d\",\"max_date\":"
                      "\"2026-12-24\"}";

    OK(m, "\"2026-12-01\"");
    OK(m, "\"2027-03-01\""); /* today + 90 days */
    refused(m, "\"2026-11-30\"", "not be before 2026-12-01");
    refused(m, "\"2027-03-02\"", "not be after 2027-03-01");
    refused(m, "\"2026-02-29\"", "YYYY-MM-DD");
    refused(m, "\"2026-12-1\"", "YYYY-MM-DD");
    refused(m, "\"2026-12-01T00:00:00Z\"", "YYYY-MM-DD");
    refused(m, "20261201", "YYYY-MM-DD");
    OK(abs, "\"2026-11-21\"");
    refused(abs, "\"2026-11-20\"", "before 2026-11-21");
    refused(abs, "\"2026-12-25\"", "after 2026-12-24");
    OK("\"type\":\"date\"", "\"2028-02-29\"");
}
END_TEST

START_TEST(datetimes)
{
    const char *m = "\"type\":\"datetime\",\"validation\":{\"min_date\":\"today\",\"max_date\":"
                    "\"+1d\"}";

    OK(m, "\"2026-12-01T00:00:00Z\"");
    OK(m, "\"2026-12-02T23:59:59.999+00:00\"");
    OK(m, "\"2026-12-02T08:00:00+05:00\""); /* 03:00 UTC on the 2nd */
    refused(m, "\"2026-12-03T03:00:00+02:00\"", "after 2026-12-02");
    OK(m, "\"2026-12-03T01:00:00+02:00\""); /* 23:00 UTC on the 2nd */
    refused(m, "\"2026-11-30T23:59:59Z\"", "before 2026-12-01");
    refused(m, "\"2026-12-01\"", "RFC 3339");
    refused(m, "\"2026-12-01T10:00:00\"", "RFC 3339");
    refused(m, "\"2026-12-01 10:00:00Z\"", "RFC 3339");
    refused(m, "\"1796119200000000\"", "RFC 3339");
    refused(m, "\"2026-12-01T25:00:00Z\"", "RFC 3339");
}
END_TEST

START_TEST(required_defaults_and_unknown_fields)
{
    fl_form_t *f = ft_form("{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\","
                           "\"required\":true},{\"id\":\"n\",\"type\":\"number\",\"label\":\"N\","
                           "\"required\":true,\"default\":1},{\"id\":\"m\",\"type\":"
                           "\"multi_select\",\"label\":\"M\",\"required\":true,\"options\":[{"
                           "\"value\":\"x\",\"label\":\"X\"}]},{\"id\":\"o\",\"type\":\"text\","
                           "\"label\":\"O\"}]}");
    json_t *out = NULL;

    ck_assert_int_eq(ft_validate(f, "{\"a\":\"  \",\"m\":[],\"colour\":\"red\",\"A\":\"x\"}", &out),
                     FL_EINVAL);
    ck_assert_ptr_null(out);
    ft_assert_err("form_data.a", "is required");
    ft_assert_err("form_data.m", "is required");
    ft_assert_err("form_data.colour", "not a field of this form");
    ft_assert_err("form_data.A", "not a field of this form");
    ck_assert_ptr_null(ft_msg("form_data.n")); /* its default answers it */
    ck_assert_uint_eq(ft.d.problem.n_errors, 4);
    ft_clear();
    ck_assert_int_eq(ft_validate(f, "{\"a\":\"x\",\"n\":null,\"m\":[\"x\"],\"o\":\"\"}", &out), 0);
    ft_assert_json(out, "{\"a\":\"x\",\"m\":[\"x\"],\"n\":1}");
    /* The default in the answer is a copy: changing it leaves the form alone. */
    json_integer_set(json_object_get(out, "n"), 7);
    json_decref(out);
    ck_assert_int_eq(ft_validate(f, "{\"a\":\"x\",\"m\":[\"x\"]}", &out), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(out, "n")), 1);
    json_decref(out);
    ft_clear();
    ck_assert_int_eq(ft_validate(f, "[]", NULL), FL_EINVAL);
    ft_assert_err("form_data", "must be an object");
    fl_form_free(f);
}
END_TEST

START_TEST(the_laptop_form)
{
    fl_form_t *f = ft_laptop_form();
    json_t *out = NULL;

    ck_assert_msg(ft_validate(f, ft_laptop_ok, &out) == 0, "%s", ft_dump());
    ck_assert_uint_eq(json_object_size(out), 10);
    json_decref(out);
    /* 16 GB hides the software (field_3): not required, and its answer is dropped. */
    ck_assert_int_eq(
        ft_validate(f,
                    "{\"field_1\":\"XPS 13\",\"field_2\":\"16gb\",\"field_3\":[\"adobe\"],"
                    "\"field_4\":\"Fifty characters of justification, at the very "
                    "least, go here.\",\"field_5\":\"2027-01-10\",\"field_6\":\"" FT_SELF
                    "\",\"field_9\":true}",
                    &out),
        0);
    ck_assert_ptr_null(json_object_get(out, "field_3"));
    ck_assert_int_eq(json_integer_value(json_object_get(out, "field_10")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(out, "field_2")), "16gb");
    json_decref(out);
    /* Everything wrong at once, each named. */
    ck_assert_int_eq(ft_validate(f,
                                 "{\"field_1\":\"XP\",\"field_2\":\"128gb\",\"field_4\":\"short\","
                                 "\"field_5\":\"2027-06-01\",\"field_6\":\"" FT_BOB
                                 "\",\"field_9\":false,\"field_10\":11,\"field_11\":1}",
                                 NULL),
                     FL_EINVAL);
    const char *bad[] = {"form_data.field_1",  "form_data.field_2", "form_data.field_4",
                         "form_data.field_5",  "form_data.field_6", "form_data.field_9",
                         "form_data.field_10", "form_data.field_11"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
        ft_assert_err(bad[k], NULL);
    ck_assert_uint_eq(ft.d.problem.n_errors, 8);
    fl_form_free(f);
}
END_TEST

TCase *forms_values_tcase(void)
{
    TCase *tc = tcase_create("values");

    tcase_add_checked_fixture(tc, ft_setup, ft_teardown);
    tcase_add_test(tc, text_lengths_count_characters);
    tcase_add_test(tc, textarea_and_rich_text);
    tcase_add_test(tc, patterns_match_the_whole_value);
    tcase_add_test(tc, a_backtracking_pattern_gives_up);
    tcase_add_test(tc, numbers_bounds_and_steps);
    tcase_add_test(tc, single_choices);
    tcase_add_test(tc, multiple_choices_and_counts);
    tcase_add_test(tc, checkboxes);
    tcase_add_test(tc, dates_relative_to_today);
    tcase_add_test(tc, datetimes);
    tcase_add_test(tc, required_defaults_and_unknown_fields);
    tcase_add_test(tc, the_laptop_form);
    return tc;
}

/*
 * Checking schemas when they are saved: the spec's example passes; every field type with its
 * own validation options passes; options of another type, unknown keys, duplicate or malformed
 * ids, missing or bad options, sections naming unknown fields, bounds out of order and bad
 * defaults are refused, each error naming its path; errors are all collected, up to the cap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "forms_test.h"

START_TEST(the_spec_example_passes)
{
    json_t *j = ft_laptop();
    fl_form_t *f = NULL;

    ck_assert_int_eq(fl_form_compile(j, &ft.e, &f), 0);
    ck_assert_msg(ft.d.problem.n_errors == 0, "%s", ft_dump());
    ck_assert_uint_eq(fl_form_n_fields(f), 10);
    ck_assert_int_eq(fl_form_field_index(f, "field_7", 7), 6);
    ck_assert_int_eq(fl_form_field_index(f, "field_", 6), -1);
    ck_assert_int_eq(fl_form_field_index(f, "nope", 4), -1);
    ck_assert_str_eq(fl_form_field_id(f, 9), "field_10");
    ck_assert_int_eq(fl_form_field_type(f, 7), FL_FORM_FILE);
    ck_assert_int_eq(fl_form_schema_check(j, &ft.e), 0);
    fl_form_free(f);
    json_decref(j);
}
END_TEST

START_TEST(every_type_with_its_options_passes)
{
    static const char schema[] =
        "{\"version\":\"1.0\",\"fields\":["
        "{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\",\"help_text\":\"h\",\"validation\":"
        "{\"min_length\":1,\"max_length\":20,\"pattern\":\"[A-Z]{3}-[0-9]+\"},\"default\":\"ABC-"
        "1\"},"
        "{\"id\":\"b\",\"type\":\"textarea\",\"label\":\"B\",\"validation\":{\"min_length\":0,"
        "\"max_length\":20000}},"
        "{\"id\":\"c\",\"type\":\"number\",\"label\":\"C\",\"validation\":{\"min\":-1.5,\"max\":9,"
        "\"step\":0.5},\"default\":0.5},"
        "{\"id\":\"d\",\"type\":\"select\",\"label\":\"D\",\"options\":[{\"value\":\"x\",\"label\":"
        "\"X\"}]},"
        "{\"id\":\"e\",\"type\":\"multi_select\",\"label\":\"E\",\"options\":[{\"value\":\"x\","
        "\"label\":\"X\"},{\"value\":\"y\",\"label\":\"Y\"}],\"validation\":{\"max_selections\":2},"
        "\"default\":[\"y\"]},"
        "{\"id\":\"f\",\"type\":\"radio\",\"label\":\"F\",\"options\":[{\"value\":\"x\",\"label\":"
        "\"X\"}],\"default\":\"x\"},"
        "{\"id\":\"g\",\"type\":\"checkbox\",\"label\":\"G\",\"default\":false},"
        "{\"id\":\"h\",\"type\":\"checkbox_group\",\"label\":\"H\",\"options\":[{\"value\":\"x\","
        "\"label\":\"X\"},{\"value\":\"y\",\"label\":\"Y\"}],\"validation\":{\"min_selected\":1,"
        "\"max_selected\":2}},"
        "{\"id\":\"i\",\"type\":\"date\",\"label\":\"I\",\"validation\":{\"min_date\":\"-5d\","
        "\"max_date\":\"2030-01-01\"}},"
        "{\"id\":\"j\",\"type\":\"datetime\",\"label\":\"J\",\"validation\":{\"min_date\":"
        "\"today\"}},"
        "{\"id\":\"k\",\"type\":\"file\",\"label\":\"K\",\"validation\":{\"max_files\":2,"
        "\"max_size_mb\":0.5,\"allowed_types\":[\"PDF\",\"png\"]}},"
        "{\"id\":\"l\",\"type\":\"user_picker\",\"label\":\"L\",\"allow_self\":false,"
        "\"filter_by_group\":\"" FT_TEAM "\"},"
        "{\"id\":\"m\",\"type\":\"group_picker\",\"label\":\"M\",\"filter_by_type\":[\"team\","
        "\"department\"]},"
        "{\"id\":\"n\",\"type\":\"application_picker\",\"label\":\"N\",\"filter\":{\"status\":"
        "[\"active\",\"deprecated\"],\"tier\":\"P1\",\"lifecycle_stage\":[\"production\"],"
        "\"criticality\":[\"mission_critical\"]}},"
        "{\"id\":\"o\",\"type\":\"environment_picker\",\"label\":\"O\","
        "\"requires_application_field\":\"n\"},"
        "{\"id\":\"p\",\"type\":\"rich_text\",\"label\":\"P\",\"validation\":{\"max_length\":5000}}"
        "]}";

    ck_assert_msg(ft_check(schema) == 0, "%s", ft_dump());
}
END_TEST

START_TEST(options_of_another_type_are_refused)
{
    ck_assert_int_eq(ft_check("{\"fields\":[{\"id\":\"a\",\"type\":\"number\",\"label\":\"A\","
                              "\"validation\":{\"max_length\":3,\"pattern\":\"x\",\"min\":1,"
                              "\"colour\":1},\"options\":[],\"allow_self\":true,\"width\":3}]}"),
                     FL_EINVAL);
    ck_assert_int_eq(ft.d.status, 422);
    ft_assert_err("form_schema.fields[0].validation.max_length", "number fields");
    ft_assert_err("form_schema.fields[0].validation.pattern", "number fields");
    ft_assert_err("form_schema.fields[0].validation.colour", "not a validation option");
    ft_assert_err("form_schema.fields[0].options", "number fields");
    ft_assert_err("form_schema.fields[0].allow_self", "number fields");
    ft_assert_err("form_schema.fields[0].width", "not a part of a field");
    ck_assert_ptr_null(ft_msg("form_schema.fields[0].validation.min"));
    ck_assert_uint_eq(ft.d.problem.n_errors, 6);
}
END_TEST

START_TEST(each_type_takes_only_its_rules)
{
    /* Every validation option on a type the spec does not give it. */
    static const char *const cases[][2] = {
        {"textarea", "pattern"},      {"rich_text", "min_length"},
        {"select", "max_selections"}, {"multi_select", "min_selected"},
        {"checkbox", "max_length"},   {"checkbox_group", "max_selections"},
        {"date", "max_files"},        {"datetime", "step"},
        {"file", "max_length"},       {"user_picker", "min"},
        {"text", "min_date"},
    };
    char schema[512], path[128];

    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        ft_clear();
        snprintf(schema, sizeof(schema),
                 "{\"fields\":[{\"id\":\"a\",\"type\":\"%s\",\"label\":\"A\",\"options\":[{"
                 "\"value\":\"v\",\"label\":\"V\"}],\"validation\":{\"%s\":1}}]}",
                 cases[k][0], cases[k][1]);
        ck_assert_int_eq(ft_check(schema), FL_EINVAL);
        snprintf(path, sizeof(path), "form_schema.fields[0].validation.%s", cases[k][1]);
        ft_assert_err(path, "is not an option of");
    }
}
END_TEST

START_TEST(ids_types_and_labels)
{
    ck_assert_int_eq(ft_check("{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\"},"
                              "{\"id\":\"a\",\"type\":\"text\",\"label\":\"B\"},"
                              "{\"id\":\"1st\",\"type\":\"text\",\"label\":\"C\"},"
                              "{\"id\":\"with space\",\"type\":\"text\",\"label\":\"D\"},"
                              "{\"type\":\"password\",\"label\":\"E\"},"
                              "{\"id\":\"f\",\"label\":\"\"},"
                              "{\"id\":\"g\",\"type\":\"text\"},"
                              "{\"id\":7,\"type\":\"text\",\"label\":\"H\",\"required\":\"yes\"},"
                              "\"text\"]}"),
                     FL_EINVAL);
    ft_assert_err("form_schema.fields[1].id", "already the id of fields[0]");
    ft_assert_err("form_schema.fields[2].id", "starting with a letter");
    ft_assert_err("form_schema.fields[3].id", "letters, digits");
    ft_assert_err("form_schema.fields[4].id", "is required");
    ft_assert_err("form_schema.fields[4].type", "not a field type");
    ft_assert_err("form_schema.fields[5].type", "is required");
    ft_assert_err("form_schema.fields[6].label", "is required");
    ft_assert_err("form_schema.fields[7].id", NULL);
    ft_assert_err("form_schema.fields[7].required", "true or false");
    ft_assert_err("form_schema.fields[8]", "must be an object");
}
END_TEST

START_TEST(choice_fields_need_good_options)
{
    ck_assert_int_eq(
        ft_check("{\"fields\":[{\"id\":\"a\",\"type\":\"select\",\"label\":\"A\"},"
                 "{\"id\":\"b\",\"type\":\"radio\",\"label\":\"B\",\"options\":[]},"
                 "{\"id\":\"c\",\"type\":\"multi_select\",\"label\":\"C\",\"options\":[{\"value\":"
                 "\"x\",\"label\":\"X\"},{\"value\":\"x\",\"label\":\"Again\"},\"y\",{\"value\":3,"
                 "\"label\":\"Three\"},{\"label\":\"none\"},{\"value\":\"z\",\"label\":\"Z\","
                 "\"icon\":\"z.png\"}]},"
                 "{\"id\":\"d\",\"type\":\"checkbox_group\",\"label\":\"D\",\"options\":{}}]}"),
        FL_EINVAL);
    ft_assert_err("form_schema.fields[0].options", "required for select fields");
    ft_assert_err("form_schema.fields[1].options", "1 to 500 options");
    ft_assert_err("form_schema.fields[2].options[2]", "must be an object");
    ft_assert_err("form_schema.fields[2].options[3].value", "text of 1 to 255");
    ft_assert_err("form_schema.fields[2].options[4].value", "is required");
    ft_assert_err("form_schema.fields[2].options[5].icon", "not a part of an option");
    ft_assert_err("form_schema.fields[3].options", "1 to 500 options");
    /* Duplicates are found once every option is well formed. */
    ft_clear();
    ck_assert_int_eq(ft_check("{\"fields\":[{\"id\":\"c\",\"type\":\"multi_select\",\"label\":"
                              "\"C\",\"options\":[{\"value\":\"y\",\"label\":\"Y\"},{\"value\":"
                              "\"x\",\"label\":\"X\"},{\"value\":\"y\",\"label\":\"Again\"}]}]}"),
                     FL_EINVAL);
    ft_assert_err("form_schema.fields[0].options[2].value", "already the value of options[0]");
}
END_TEST

START_TEST(bounds_must_be_in_order)
{
    ck_assert_int_eq(
        ft_check(
            "{\"fields\":["
            "{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\",\"validation\":{\"min_length\":5,"
            "\"max_length\":4}},"
            "{\"id\":\"b\",\"type\":\"number\",\"label\":\"B\",\"validation\":{\"min\":5,"
            "\"max\":4,\"step\":0}},"
            "{\"id\":\"c\",\"type\":\"date\",\"label\":\"C\",\"validation\":{\"min_date\":"
            "\"+10d\",\"max_date\":\"+9d\"}},"
            "{\"id\":\"d\",\"type\":\"multi_select\",\"label\":\"D\",\"options\":[{\"value\":"
            "\"x\",\"label\":\"X\"}],\"validation\":{\"max_selections\":2}},"
            "{\"id\":\"e\",\"type\":\"checkbox_group\",\"label\":\"E\",\"options\":[{\"value\":"
            "\"x\",\"label\":\"X\"},{\"value\":\"y\",\"label\":\"Y\"}],\"validation\":"
            "{\"min_selected\":2,\"max_selected\":1}},"
            "{\"id\":\"f\",\"type\":\"text\",\"label\":\"F\",\"validation\":{\"max_length\":"
            "1001,\"min_length\":-1}},"
            "{\"id\":\"g\",\"type\":\"date\",\"label\":\"G\",\"validation\":{\"min_date\":"
            "\"2026-02-30\",\"max_date\":\"+99999d\"}},"
            "{\"id\":\"h\",\"type\":\"file\",\"label\":\"H\",\"validation\":{\"max_files\":21,"
            "\"max_size_mb\":101,\"allowed_types\":[\"pdf\",\".exe\",\"PDF\"]}}]}"),
        FL_EINVAL);
    ft_assert_err("form_schema.fields[0].validation.min_length", "max_length");
    ft_assert_err("form_schema.fields[1].validation.step", "above 0");
    ft_assert_err("form_schema.fields[1].validation.min", "max");
    ft_assert_err("form_schema.fields[2].validation.min_date", "after max_date");
    ft_assert_err("form_schema.fields[3].validation.max_selections", "number of options");
    ft_assert_err("form_schema.fields[4].validation.min_selected", "max_selected");
    ft_assert_err("form_schema.fields[5].validation.max_length", "from 1 to 1000");
    ft_assert_err("form_schema.fields[5].validation.min_length", "from 0 to 1000");
    ft_assert_err("form_schema.fields[6].validation.min_date", "YYYY-MM-DD");
    ft_assert_err("form_schema.fields[6].validation.max_date", "36600");
    ft_assert_err("form_schema.fields[7].validation.max_files", "from 1 to 20");
    ft_assert_err("form_schema.fields[7].validation.max_size_mb", "at most 100");
    ft_assert_err("form_schema.fields[7].validation.allowed_types[1]", "file extension");
    ft_assert_err("form_schema.fields[7].validation.allowed_types[2]", "twice");
}
END_TEST

START_TEST(patterns_are_compiled_when_saved)
{
    ck_assert_int_eq(ft_check("{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\","
                              "\"validation\":{\"pattern\":\"[a-z\"}},{\"id\":\"b\",\"type\":"
                              "\"text\",\"label\":\"B\",\"validation\":{\"pattern\":\"\\\\C\"}},"
                              "{\"id\":\"c\",\"type\":\"text\",\"label\":\"C\",\"validation\":"
                              "{\"pattern\":\"\"}}]}"),
                     FL_EINVAL);
    ft_assert_err("form_schema.fields[0].validation.pattern", "offset 4");
    ft_assert_err("form_schema.fields[1].validation.pattern", "not a valid regular expression");
    ft_assert_err("form_schema.fields[2].validation.pattern", "1 to 1000 bytes");
}
END_TEST

START_TEST(defaults_must_be_valid_values)
{
    ck_assert_int_eq(
        ft_check("{\"fields\":["
                 "{\"id\":\"a\",\"type\":\"select\",\"label\":\"A\",\"options\":[{\"value\":\"x\","
                 "\"label\":\"X\"}],\"default\":\"y\"},"
                 "{\"id\":\"b\",\"type\":\"number\",\"label\":\"B\",\"validation\":{\"max\":10},"
                 "\"default\":11},"
                 "{\"id\":\"c\",\"type\":\"text\",\"label\":\"C\",\"default\":[[[\"deep\"]]]},"
                 "{\"id\":\"d\",\"type\":\"date\",\"label\":\"D\",\"default\":\"today\"},"
                 "{\"id\":\"e\",\"type\":\"multi_select\",\"label\":\"E\",\"options\":[{\"value\":"
                 "\"x\",\"label\":\"X\"},{\"value\":\"y\",\"label\":\"Y\"}],\"default\":[\"x\","
                 "\"x\"]}]}"),
        FL_EINVAL);
    ft_assert_err("form_schema.fields[0].default", "one of the field's options");
    ft_assert_err("form_schema.fields[1].default", "at most 10");
    ft_assert_err("form_schema.fields[2].default", "must be a string");
    ft_assert_err("form_schema.fields[3].default", "date fields");
    ft_assert_err("form_schema.fields[4].default", "twice");
}
END_TEST

START_TEST(sections_name_existing_fields)
{
    ck_assert_int_eq(
        ft_check("{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\"},{\"id\":\"b\","
                 "\"type\":\"text\",\"label\":\"B\"}],\"sections\":["
                 "{\"id\":\"s1\",\"title\":\"One\",\"fields\":[\"a\",\"zz\",7]},"
                 "{\"id\":\"s1\",\"title\":\"\",\"fields\":[\"a\",\"b\"],\"collapsed\":true},"
                 "{\"id\":\"s3\",\"fields\":\"b\"}, []]}"),
        FL_EINVAL);
    ft_assert_err("form_schema.sections[0].fields[1]", "not the id of a field");
    ft_assert_err("form_schema.sections[0].fields[2]", "not the id of a field");
    ft_assert_err("form_schema.sections[1].id", "already the id of sections[0]");
    ft_assert_err("form_schema.sections[1].title", "1 to 500");
    ft_assert_err("form_schema.sections[1].fields[0]", "already in sections[0]");
    ft_assert_err("form_schema.sections[1].collapsed", "not a part of a section");
    ft_assert_err("form_schema.sections[2].fields", "array of field ids");
    ft_assert_err("form_schema.sections[3]", "must be an object");
    ck_assert_ptr_null(ft_msg("form_schema.sections[1].fields[1]"));
}
END_TEST

START_TEST(the_envelope)
{
    ck_assert_int_eq(ft_check("[]"), 0);
    ck_assert_int_eq(ft_check("[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\"}]"), 0);
    ck_assert_int_eq(ft_check("{\"fields\":[]}"), 0);
    ck_assert_int_eq(ft_check("\"fields\""), FL_EINVAL);
    ft_assert_err("form_schema", "must be an object");
    ft_clear();
    ck_assert_int_eq(ft_check("{\"version\":\"one\",\"fields\":{},\"theme\":\"dark\"}"), FL_EINVAL);
    ft_assert_err("form_schema.version", "\"1.0\"");
    ft_assert_err("form_schema.fields", "must be an array");
    ft_assert_err("form_schema.theme", "not a part of a form schema");
    ft_clear();
    ck_assert_int_eq(ft_check("{\"version\":\"1.0\"}"), FL_EINVAL);
    ft_assert_err("form_schema.fields", "is required");
    ft_clear();
    ft.e.base = "";
    json_t *j = tu_json("{\"fields\":[{\"id\":\"a\",\"type\":\"text\"}]}");
    ck_assert_int_eq(fl_form_schema_check(j, &ft.e), FL_EINVAL);
    json_decref(j);
    ft_assert_err("fields[0].label", "is required");
}
END_TEST

START_TEST(caps_on_sizes)
{
    char *s = ft_fields(201, ",\"label\":\"L\"", "");

    ck_assert_int_eq(ft_check(s), FL_EINVAL);
    ft_assert_err("form_schema.fields", "at most 200 fields");
    ck_assert_uint_eq(ft.d.problem.n_errors, 1);
    free(s);
    /* 200 fields are fine. */
    ft_clear();
    s = ft_fields(200, ",\"label\":\"L\"", "");
    ck_assert_msg(ft_check(s) == 0, "%s", ft_dump());
    free(s);
}
END_TEST

START_TEST(all_errors_are_collected_up_to_the_cap)
{
    /* 100 fields without a label: 100 errors, of which the decision keeps 32. */
    char *s = ft_fields(100, "", "");

    ck_assert_int_eq(ft_check(s), FL_EINVAL);
    ck_assert_uint_eq(ft.e.n, 100);
    ck_assert_uint_eq(ft.d.problem.n_errors, FL_DECISION_MAX_ERRORS);
    ft_assert_err("form_schema.fields[0].label", "is required");
    ft_assert_err("form_schema.fields[31].label", "is required");
    ck_assert_ptr_null(ft_msg("form_schema.fields[32].label"));
    free(s);
}
END_TEST

TCase *forms_schema_tcase(void)
{
    TCase *tc = tcase_create("schema");

    tcase_add_checked_fixture(tc, ft_setup, ft_teardown);
    tcase_add_test(tc, the_spec_example_passes);
    tcase_add_test(tc, every_type_with_its_options_passes);
    tcase_add_test(tc, options_of_another_type_are_refused);
    tcase_add_test(tc, each_type_takes_only_its_rules);
    tcase_add_test(tc, ids_types_and_labels);
    tcase_add_test(tc, choice_fields_need_good_options);
    tcase_add_test(tc, bounds_must_be_in_order);
    tcase_add_test(tc, patterns_are_compiled_when_saved);
    tcase_add_test(tc, defaults_must_be_valid_values);
    tcase_add_test(tc, sections_name_existing_fields);
    tcase_add_test(tc, the_envelope);
    tcase_add_test(tc, caps_on_sizes);
    tcase_add_test(tc, all_errors_are_collected_up_to_the_cap);
    return tc;
}

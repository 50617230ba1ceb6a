/*
 * Pickers and files against the tenant (main.c's callbacks): existing and active entities,
 * the field's filters, an environment of the chosen application, attachments within count,
 * size and type; ids lowercased; a callback's failure returned as it is.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "forms_test.h"

#define OK(members, value)                                                                         \
    ck_assert_msg(ft_value(members, value) == 0, "%s refused: %s", value, ft_dump())

static void refused_at(const char *members, const char *value, const char *field, const char *part)
{
    ft_clear();
    ck_assert_msg(ft_value(members, value) == FL_EINVAL, "%s accepted", value);
    ft_assert_err(field, part);
}

static void refused(const char *members, const char *value, const char *part)
{
    refused_at(members, value, "form_data.f", part);
}

START_TEST(user_pickers)
{
    const char *m = "\"type\":\"user_picker\"";
    const char *team = "\"type\":\"user_picker\",\"filter_by_group\":\"" FT_TEAM "\"";
    const char *others = "\"type\":\"user_picker\",\"allow_self\":false";

    OK(m, "\"" FT_ANN "\"");
    OK(m, "\"" FT_SELF "\""); /* allow_self defaults to true */
    OK(m, "\"11111111-1111-4111-8111-111111111111\"");
    refused(m, "\"" FT_BOB "\"", "inactive");
    refused(m, "\"" FT_NOBODY "\"", "no such user");
    refused(m, "\"ann@example.com\"", "UUID");
    refused(m, "[\"" FT_ANN "\"]", "UUID");
    OK(team, "\"" FT_ANN "\"");
    refused(team, "\"" FT_SELF "\"", "member of the field's group");
    OK(others, "\"" FT_ANN "\"");
    refused(others, "\"" FT_SELF "\"", "cannot be the requester");
    refused(others, "\"33333333-3333-4333-8333-333333333333\"", "requester");
}
END_TEST

START_TEST(ids_are_lowercased)
{
    fl_form_t *f = ft_field("\"type\":\"user_picker\"");
    json_t *out = NULL;

    ck_assert_int_eq(ft_validate(f, "{\"f\":\"AAAAAAAA-1111-4111-8111-11111111111A\"}", NULL),
                     FL_EINVAL); /* asks for the lowercase id, which is nobody */
    ft_clear();
    ck_assert_int_eq(ft_validate(f, "{\"f\":\"11111111-1111-4111-8111-111111111111\"}", &out), 0);
    ft_assert_json(out, "{\"f\":\"" FT_ANN "\"}");
    json_decref(out);
    fl_form_free(f);
    f = ft_field("\"type\":\"file\"");
    ck_assert_int_eq(ft_validate(f, "{\"f\":[\"CCCCCCCC-CCCC-4CCC-8CCC-CCCCCCCCCCCC\"]}", &out), 0);
    ft_assert_json(out, "{\"f\":[\"" FT_PDF "\"]}");
    json_decref(out);
    fl_form_free(f);
}
END_TEST

START_TEST(group_pickers)
{
    const char *m = "\"type\":\"group_picker\"";
    const char *dept = "\"type\":\"group_picker\",\"filter_by_type\":\"department\"";

    OK(m, "\"" FT_TEAM "\"");
    OK(m, "\"" FT_DEPT "\"");
    refused(m, "\"" FT_OLD_GROUP "\"", "inactive");
    refused(m, "\"" FT_ANN "\"", "no such group");
    OK(dept, "\"" FT_DEPT "\"");
    refused(dept, "\"" FT_TEAM "\"", "filter_by_type");
}
END_TEST

START_TEST(application_pickers)
{
    const char *m = "\"type\":\"application_picker\"";
    const char *any = "\"type\":\"application_picker\",\"filter\":{\"status\":[\"active\","
                      "\"deprecated\"]}";
    const char *p1 = "\"type\":\"application_picker\",\"filter\":{\"tier\":[\"P1\",\"P2\"]}";
    const char *crit = "\"type\":\"application_picker\",\"filter\":{\"status\":\"deprecated\","
                       "\"criticality\":\"administrative\"}";

    OK(m, "\"" FT_PAYROLL "\"");
    refused(m, "\"" FT_LEGACY "\"", "not active"); /* only active ones without a filter */
    refused(m, "\"" FT_PAY_PROD "\"", "no such application");
    OK(any, "\"" FT_LEGACY "\"");
    OK(p1, "\"" FT_PAYROLL "\"");
    refused(p1, "\"" FT_LEGACY "\"", "not active");
    refused(crit, "\"" FT_LEGACY "\"", "filter"); /* legacy has no criticality */
    refused(crit, "\"" FT_PAYROLL "\"", "status");
}
END_TEST

START_TEST(environments_of_the_chosen_application)
{
    fl_form_t *f = ft_form("{\"fields\":[{\"id\":\"app\",\"type\":\"application_picker\","
                           "\"label\":\"App\",\"filter\":{\"status\":[\"active\",\"deprecated\"]}},"
                           "{\"id\":\"env\",\"type\":\"environment_picker\",\"label\":\"Env\","
                           "\"requires_application_field\":\"app\"}]}");

    ck_assert_msg(
        ft_validate(f, "{\"app\":\"" FT_PAYROLL "\",\"env\":\"" FT_PAY_PROD "\"}", NULL) == 0, "%s",
        ft_dump());
    ck_assert_int_eq(
        ft_validate(f, "{\"app\":\"" FT_LEGACY "\",\"env\":\"" FT_PAY_PROD "\"}", NULL), FL_EINVAL);
    ft_assert_err("form_data.env", "not an environment of the chosen application");
    ft_clear();
    ck_assert_int_eq(ft_validate(f, "{\"env\":\"" FT_LEG_DEV "\"}", NULL), FL_EINVAL);
    ft_assert_err("form_data.env", "needs an application in app");
    ft_clear();
    ck_assert_int_eq(
        ft_validate(f, "{\"app\":\"" FT_PAYROLL "\",\"env\":\"" FT_PAY_OFF "\"}", NULL), FL_EINVAL);
    ft_assert_err("form_data.env", "inactive");
    ft_clear();
    ck_assert_int_eq(ft_validate(f, "{\"app\":\"" FT_PAYROLL "\",\"env\":\"" FT_NOBODY "\"}", NULL),
                     FL_EINVAL);
    ft_assert_err("form_data.env", "no such environment");
    fl_form_free(f);
    /* Without requires_application_field any active environment of the tenant. */
    OK("\"type\":\"environment_picker\"", "\"" FT_LEG_DEV "\"");
    /* The schema: the field named must be an application picker. */
    ft_clear();
    ck_assert_int_eq(ft_check("{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\"},"
                              "{\"id\":\"e\",\"type\":\"environment_picker\",\"label\":\"E\","
                              "\"requires_application_field\":\"a\"},{\"id\":\"e2\",\"type\":"
                              "\"environment_picker\",\"label\":\"E\","
                              "\"requires_application_field\":\"zz\"}]}"),
                     FL_EINVAL);
    ft_assert_err("form_schema.fields[1].requires_application_field", "application_picker");
    ft_assert_err("form_schema.fields[2].requires_application_field", "application_picker");
}
END_TEST

START_TEST(files_within_count_size_and_type)
{
    const char *m = "\"type\":\"file\",\"validation\":{\"max_files\":2,\"max_size_mb\":10,"
                    "\"allowed_types\":[\"pdf\",\"jpg\"]}";

    OK(m, "[\"" FT_PDF "\"]");
    OK(m, "[\"" FT_PDF "\",\"" FT_JPEG "\"]"); /* Photo.JPEG: jpeg counts as jpg */
    OK(m, "[]");
    refused(m, "[\"" FT_PDF "\",\"" FT_JPEG "\",\"" FT_PDF "\"]", "at most 2 files");
    refused_at(m, "[\"" FT_PDF "\",\"" FT_BIG_PDF "\"]", "form_data.f[1]",
               "larger than the field's 10 MB");
    refused_at(m, "[\"" FT_EXE "\"]", "form_data.f[0]", "allowed_types");
    refused_at(m, "[\"" FT_NOBODY "\"]", "form_data.f[0]", "no such attachment");
    refused_at(m, "[\"" FT_PDF "\",\"CCCCCCCC-CCCC-4CCC-8CCC-CCCCCCCCCCCC\"]", "form_data.f[1]",
               "twice");
    refused_at(m, "[\"spec.pdf\"]", "form_data.f[0]", "UUID");
    refused(m, "\"" FT_PDF "\"", "array of attachment ids");
    /* Defaults: 20 files of up to 100 MB, any type. */
    OK("\"type\":\"file\"", "[\"" FT_EXE "\",\"" FT_BIG_PDF "\"]");
}
END_TEST

START_TEST(a_failing_lookup_is_returned)
{
    fl_form_t *f = ft_laptop_form();
    json_t *out = NULL;

    ft.fail_lookup = FL_EUNAVAIL;
    ck_assert_int_eq(ft_validate(f, ft_laptop_ok, &out), FL_EUNAVAIL);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(ft.lookups, 1); /* stopped at the first */
    ft.fail_lookup = 0;
    ft.lookups = 0;
    ck_assert_int_eq(ft_validate(f, ft_laptop_ok, &out), 0);
    ck_assert_int_eq(ft.lookups, 3); /* a user, an application, an attachment */
    json_decref(out);
    fl_form_free(f);
}
END_TEST

/* A caller that forgets a callback the form needs has a bug: it aborts (fl_assert). */
START_TEST(a_missing_callback_is_a_bug)
{
    fl_form_t *f = ft_field("\"type\":\"group_picker\"");
    fl_form_refs_t refs = ft_refs;
    json_t *data = tu_json("{}");

    refs.group = NULL;
    fl_form_validate(f, data, &refs, FT_NOW, &ft.e, NULL);
}
END_TEST

TCase *forms_refs_tcase(void)
{
    TCase *tc = tcase_create("refs");

    tcase_add_checked_fixture(tc, ft_setup, ft_teardown);
    tcase_add_test(tc, user_pickers);
    tcase_add_test(tc, ids_are_lowercased);
    tcase_add_test(tc, group_pickers);
    tcase_add_test(tc, application_pickers);
    tcase_add_test(tc, environments_of_the_chosen_application);
    tcase_add_test(tc, files_within_count_size_and_type);
    tcase_add_test(tc, a_failing_lookup_is_returned);
    tcase_add_test_raise_signal(tc, a_missing_callback_is_a_bug, SIGABRT);
    return tc;
}

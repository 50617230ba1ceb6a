/*
 * Conditional logic when form data is validated: each operator shows and hides; a hidden
 * field is not required and its answer is dropped; hiding travels down a chain; several rules
 * on one field must all hold.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "forms_test.h"

/* A source field of the given members and a required text field t shown when the condition
 * holds; validates {"s": value, "t": "x"} and tells whether t was shown (kept). */
static bool shown(const char *source, const char *when, const char *value)
{
    char schema[2048], data[512];
    fl_form_t *f;
    json_t *out = NULL;
    bool kept;

    snprintf(schema, sizeof(schema),
             "{\"fields\":[{\"id\":\"s\",\"label\":\"S\",%s},{\"id\":\"t\",\"type\":\"text\","
             "\"label\":\"T\",\"required\":true}],\"conditional_logic\":[{\"field\":\"t\","
             "\"show_when\":{\"field\":\"s\",%s}}]}",
             source, when);
    f = ft_form(schema);
    if (value != NULL)
        snprintf(data, sizeof(data), "{\"s\":%s,\"t\":\"x\"}", value);
    else
        snprintf(data, sizeof(data), "{\"t\":\"x\"}");
    ck_assert_msg(ft_validate(f, data, &out) == 0, "%s: %s", data, ft_dump());
    kept = json_object_get(out, "t") != NULL;
    json_decref(out);
    fl_form_free(f);
    return kept;
}

#define SEL                                                                                        \
    "\"type\":\"select\",\"options\":[{\"value\":\"a\",\"label\":\"A\"},{\"value\":\"b\","         \
    "\"label\":\"B\"},{\"value\":\"c\",\"label\":\"C\"}]"
#define MULTI                                                                                      \
    "\"type\":\"multi_select\",\"options\":[{\"value\":\"a\",\"label\":\"A\"},{\"value\":\"b\","   \
    "\"label\":\"B\"},{\"value\":\"c\",\"label\":\"C\"}]"

START_TEST(each_operator)
{
    const char *eq = "\"operator\":\"equals\",\"value\":\"b\"";
    const char *ne = "\"operator\":\"not_equals\",\"value\":\"b\"";
    const char *in = "\"operator\":\"in\",\"value\":[\"b\",\"c\"]";
    const char *nin = "\"operator\":\"not_in\",\"value\":[\"b\",\"c\"]";

    ck_assert(shown(SEL, eq, "\"b\""));
    ck_assert(!shown(SEL, eq, "\"a\""));
    ck_assert(!shown(SEL, eq, NULL));
    ck_assert(shown(SEL, ne, "\"a\""));
    ck_assert(shown(SEL, ne, NULL));
    ck_assert(!shown(SEL, ne, "\"b\""));
    ck_assert(shown(SEL, in, "\"c\""));
    ck_assert(!shown(SEL, in, "\"a\""));
    ck_assert(shown(SEL, nin, "\"a\""));
    ck_assert(!shown(SEL, nin, "\"b\""));
    ck_assert(shown(MULTI, in, "[\"a\",\"c\"]")); /* any selected one in the list */
    ck_assert(!shown(MULTI, in, "[\"a\"]"));
    ck_assert(shown(MULTI, "\"operator\":\"contains\",\"value\":\"a\"", "[\"b\",\"a\"]"));
    ck_assert(!shown(MULTI, "\"operator\":\"contains\",\"value\":\"a\"", "[\"b\"]"));
    ck_assert(shown("\"type\":\"text\"", "\"operator\":\"contains\",\"value\":\"urgent\"",
                    "\"this is urgent!\""));
    ck_assert(!shown("\"type\":\"text\"", "\"operator\":\"contains\",\"value\":\"urgent\"",
                     "\"Urgent\""));
    ck_assert(shown("\"type\":\"number\"", "\"operator\":\"greater_than\",\"value\":5", "5.5"));
    ck_assert(!shown("\"type\":\"number\"", "\"operator\":\"greater_than\",\"value\":5", "5"));
    ck_assert(shown("\"type\":\"number\"", "\"operator\":\"less_than\",\"value\":5", "-1"));
    ck_assert(!shown("\"type\":\"number\"", "\"operator\":\"less_than\",\"value\":5", NULL));
    ck_assert(shown("\"type\":\"number\"", "\"operator\":\"equals\",\"value\":2", "2.0"));
    ck_assert(shown("\"type\":\"date\"", "\"operator\":\"greater_than\",\"value\":\"2026-12-24\"",
                    "\"2026-12-25\""));
    ck_assert(!shown("\"type\":\"date\"", "\"operator\":\"less_than\",\"value\":\"2026-12-24\"",
                     "\"2026-12-24\""));
    ck_assert(shown("\"type\":\"checkbox\"", "\"operator\":\"equals\",\"value\":true", "true"));
    ck_assert(!shown("\"type\":\"checkbox\"", "\"operator\":\"equals\",\"value\":true", "false"));
    ck_assert(shown("\"type\":\"text\"", "\"operator\":\"is_empty\"", "\"  \""));
    ck_assert(shown("\"type\":\"text\"", "\"operator\":\"is_empty\"", NULL));
    ck_assert(!shown("\"type\":\"text\"", "\"operator\":\"is_empty\"", "\"x\""));
    ck_assert(shown("\"type\":\"text\"", "\"operator\":\"is_not_empty\"", "\"x\""));
    ck_assert(!shown("\"type\":\"file\"", "\"operator\":\"is_not_empty\"", "[]"));
}
END_TEST

START_TEST(hidden_fields_are_not_required_and_dropped)
{
    /* b (required) shows when a is "yes"; c (required) shows when b is not empty. */
    fl_form_t *f =
        ft_form("{\"fields\":[{\"id\":\"c\",\"type\":\"number\",\"label\":\"C\",\"required\":true},"
                "{\"id\":\"a\",\"type\":\"radio\",\"label\":\"A\",\"options\":[{\"value\":\"yes\","
                "\"label\":\"Yes\"},{\"value\":\"no\",\"label\":\"No\"}]},"
                "{\"id\":\"b\",\"type\":\"text\",\"label\":\"B\",\"required\":true,\"validation\":"
                "{\"min_length\":5}}],\"conditional_logic\":["
                "{\"field\":\"c\",\"show_when\":{\"field\":\"b\",\"operator\":\"is_not_empty\"}},"
                "{\"field\":\"b\",\"show_when\":{\"field\":\"a\",\"operator\":\"equals\",\"value\":"
                "\"yes\"}}]}");
    json_t *out = NULL;

    /* a = no: b is hidden, so its bad answer is dropped, and c, shown by b, is hidden too. */
    ck_assert_msg(ft_validate(f, "{\"a\":\"no\",\"b\":\"bad\",\"c\":\"not a number\"}", &out) == 0,
                  "%s", ft_dump());
    ft_assert_json(out, "{\"a\":\"no\"}");
    json_decref(out);
    /* a = yes: both shown, both required, both checked. */
    ck_assert_int_eq(ft_validate(f, "{\"a\":\"yes\",\"b\":\"bad\"}", NULL), FL_EINVAL);
    ft_assert_err("form_data.b", "at least 5");
    ft_assert_err("form_data.c", "is required");
    ft_clear();
    ck_assert_int_eq(ft_validate(f, "{\"a\":\"yes\",\"b\":\"good enough\",\"c\":3}", &out), 0);
    ft_assert_json(out, "{\"a\":\"yes\",\"b\":\"good enough\",\"c\":3}");
    json_decref(out);
    fl_form_free(f);
}
END_TEST

START_TEST(several_rules_must_all_hold)
{
    fl_form_t *f = ft_form("{\"fields\":[{\"id\":\"n\",\"type\":\"number\",\"label\":\"N\"},"
                           "{\"id\":\"k\",\"type\":\"checkbox\",\"label\":\"K\"},"
                           "{\"id\":\"t\",\"type\":\"text\",\"label\":\"T\",\"required\":true}],"
                           "\"conditional_logic\":["
                           "{\"field\":\"t\",\"show_when\":{\"field\":\"n\",\"operator\":\"greater_"
                           "than\",\"value\":1}},"
                           "{\"field\":\"t\",\"show_when\":{\"field\":\"k\",\"operator\":"
                           "\"equals\",\"value\":true}}]}");

    ck_assert_int_eq(ft_validate(f, "{\"n\":2,\"k\":true}", NULL), FL_EINVAL);
    ft_assert_err("form_data.t", "is required");
    ft_clear();
    ck_assert_int_eq(ft_validate(f, "{\"n\":2,\"k\":false}", NULL), 0);
    ck_assert_int_eq(ft_validate(f, "{\"n\":1,\"k\":true}", NULL), 0);
    fl_form_free(f);
}
END_TEST

TCase *forms_visibility_tcase(void)
{
    TCase *tc = tcase_create("visibility");

    tcase_add_checked_fixture(tc, ft_setup, ft_teardown);
    tcase_add_test(tc, each_operator);
    tcase_add_test(tc, hidden_fields_are_not_required_and_dropped);
    tcase_add_test(tc, several_rules_must_all_hold);
    return tc;
}

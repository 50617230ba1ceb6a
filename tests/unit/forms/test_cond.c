/*
 * Conditional logic when saved: fields that exist, a known operator that fits the source's
 * type, a value that fits (an option of a choice field), and no cycles (a field's visibility
 * depending on itself, directly or through a chain).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "forms_test.h"

/* Fields a (text), n (number), s (select x/y), m (multi_select x/y), c (checkbox), d (date),
 * u (file) and t (text), then the rules given. */
static int rules(const char *logic)
{
    char schema[4096];

    snprintf(
        schema, sizeof(schema),
        "{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\"},"
        "{\"id\":\"n\",\"type\":\"number\",\"label\":\"N\"},"
        "{\"id\":\"s\",\"type\":\"select\",\"label\":\"S\",\"options\":[{\"value\":\"x\","
        "\"label\":\"X\"},{\"value\":\"y\",\"label\":\"Y\"}]},"
        "{\"id\":\"m\",\"type\":\"multi_select\",\"label\":\"M\",\"options\":[{\"value\":\"x\","
        "\"label\":\"X\"},{\"value\":\"y\",\"label\":\"Y\"}]},"
        "{\"id\":\"c\",\"type\":\"checkbox\",\"label\":\"C\"},"
        "{\"id\":\"d\",\"type\":\"date\",\"label\":\"D\"},"
        "{\"id\":\"u\",\"type\":\"file\",\"label\":\"U\"},"
        "{\"id\":\"t\",\"type\":\"text\",\"label\":\"T\"}],\"conditional_logic\":%s}",
        logic);
    return ft_check(schema);
}

START_TEST(well_formed_rules_pass)
{
    ck_assert_msg(
        rules("[{\"field\":\"t\",\"show_when\":{\"field\":\"s\",\"operator\":\"equals\","
              "\"value\":\"x\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"n\",\"operator\":\"greater_than\","
              "\"value\":2.5}},"
              "{\"field\":\"a\",\"show_when\":{\"field\":\"m\",\"operator\":\"contains\","
              "\"value\":\"y\"}},"
              "{\"field\":\"n\",\"show_when\":{\"field\":\"c\",\"operator\":\"equals\","
              "\"value\":true}},"
              "{\"field\":\"s\",\"show_when\":{\"field\":\"d\",\"operator\":\"less_than\","
              "\"value\":\"2027-01-01\"}},"
              "{\"field\":\"m\",\"show_when\":{\"field\":\"u\",\"operator\":\"is_not_empty\"}},"
              "{\"field\":\"u\",\"show_when\":{\"field\":\"c\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"d\",\"show_when\":{\"field\":\"n\",\"operator\":\"not_in\","
              "\"value\":[1,2]}}]") == 0,
        "%s", ft_dump());
}
END_TEST

START_TEST(rules_name_existing_fields_and_known_operators)
{
    ck_assert_int_eq(
        rules("[{\"field\":\"zz\",\"show_when\":{\"field\":\"a\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"a\",\"show_when\":{\"field\":\"yy\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"a\",\"show_when\":{\"field\":\"t\",\"operator\":\"matches\","
              "\"value\":\"x\"}},"
              "{\"show_when\":{\"field\":\"t\"}},"
              "{\"field\":\"a\",\"show_when\":[],\"hide\":true},"
              "{\"field\":\"a\",\"show_when\":{\"field\":\"t\",\"operator\":\"is_empty\","
              "\"negate\":true}},"
              "\"a\"]"),
        FL_EINVAL);
    ft_assert_err("form_schema.conditional_logic[0].field", "not the id of a field");
    ft_assert_err("form_schema.conditional_logic[1].show_when.field", "not the id of a field");
    ft_assert_err("form_schema.conditional_logic[2].show_when.operator", "is_not_empty");
    ft_assert_err("form_schema.conditional_logic[3].field", "is required");
    ft_assert_err("form_schema.conditional_logic[3].show_when.operator", "is required");
    ft_assert_err("form_schema.conditional_logic[4].show_when", "must be an object");
    ft_assert_err("form_schema.conditional_logic[4].hide", "not a part of a rule");
    ft_assert_err("form_schema.conditional_logic[5].show_when.negate", "not a part of a condition");
    ft_assert_err("form_schema.conditional_logic[6]", "must be an object");
    ft_clear();
    ck_assert_int_eq(rules("{}"), FL_EINVAL);
    ft_assert_err("form_schema.conditional_logic", "array");
}
END_TEST

START_TEST(operators_fit_the_source_and_values_fit_both)
{
    ck_assert_int_eq(
        rules("[{\"field\":\"t\",\"show_when\":{\"field\":\"c\",\"operator\":\"greater_than\","
              "\"value\":1}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"s\",\"operator\":\"contains\","
              "\"value\":\"x\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"u\",\"operator\":\"equals\","
              "\"value\":\"x\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"s\",\"operator\":\"equals\","
              "\"value\":\"32GB\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"n\",\"operator\":\"equals\","
              "\"value\":\"3\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"s\",\"operator\":\"in\","
              "\"value\":\"x\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"m\",\"operator\":\"in\","
              "\"value\":[\"x\",\"q\"]}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"a\",\"operator\":\"is_empty\","
              "\"value\":\"\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"d\",\"operator\":\"greater_than\","
              "\"value\":\"soon\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"a\",\"operator\":\"equals\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"m\",\"operator\":\"equals\","
              "\"value\":[\"x\"]}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"c\",\"operator\":\"equals\","
              "\"value\":[[[[true]]]]}}]"),
        FL_EINVAL);
    ft_assert_err("form_schema.conditional_logic[0].show_when.operator", "checkbox fields");
    ft_assert_err("form_schema.conditional_logic[1].show_when.operator", "select fields");
    ft_assert_err("form_schema.conditional_logic[2].show_when.operator", "file fields");
    ft_assert_err("form_schema.conditional_logic[3].show_when.value", "option");
    ft_assert_err("form_schema.conditional_logic[4].show_when.value", "type");
    ft_assert_err("form_schema.conditional_logic[5].show_when.value", "array");
    ft_assert_err("form_schema.conditional_logic[6].show_when.value", "option");
    ft_assert_err("form_schema.conditional_logic[7].show_when.value", "not used");
    ft_assert_err("form_schema.conditional_logic[8].show_when.value", "date");
    ft_assert_err("form_schema.conditional_logic[9].show_when.value", "is required");
    ft_assert_err("form_schema.conditional_logic[10].show_when.operator", "multi_select fields");
    ft_assert_err("form_schema.conditional_logic[11].show_when.value", "type");
}
END_TEST

START_TEST(a_field_shown_depending_on_itself_is_a_cycle)
{
    ck_assert_int_eq(rules("[{\"field\":\"a\",\"show_when\":{\"field\":\"a\",\"operator\":"
                           "\"is_not_empty\"}}]"),
                     FL_EINVAL);
    ft_assert_err("form_schema.conditional_logic[0].show_when.field", "forms a cycle: a -> a");
}
END_TEST

START_TEST(cycles_through_a_chain_are_refused)
{
    /* a <- t <- n <- a: each shown depending on the next. */
    ck_assert_int_eq(
        rules("[{\"field\":\"a\",\"show_when\":{\"field\":\"t\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"n\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"n\",\"show_when\":{\"field\":\"a\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"s\",\"show_when\":{\"field\":\"c\",\"operator\":\"is_empty\"}}]"),
        FL_EINVAL);
    ck_assert_uint_eq(ft.d.problem.n_errors, 1);
    ft_assert_err("form_schema.conditional_logic[2].show_when.field", "a -> t -> n -> a");
    /* Two separate cycles: both reported. */
    ft_clear();
    ck_assert_int_eq(
        rules("[{\"field\":\"a\",\"show_when\":{\"field\":\"t\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"a\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"s\",\"show_when\":{\"field\":\"c\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"c\",\"show_when\":{\"field\":\"s\",\"operator\":\"is_empty\"}}]"),
        FL_EINVAL);
    ck_assert_uint_eq(ft.d.problem.n_errors, 2);
    ft_assert_err("form_schema.conditional_logic[1].show_when.field", "a -> t -> a");
    ft_assert_err("form_schema.conditional_logic[3].show_when.field", "s -> c -> s");
}
END_TEST

START_TEST(chains_and_shared_sources_are_not_cycles)
{
    /* a <- t <- n, and s <- n, m <- n: a diamond, no cycle. */
    ck_assert_msg(
        rules("[{\"field\":\"a\",\"show_when\":{\"field\":\"t\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"t\",\"show_when\":{\"field\":\"n\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"s\",\"show_when\":{\"field\":\"n\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"a\",\"show_when\":{\"field\":\"s\",\"operator\":\"is_empty\"}},"
              "{\"field\":\"m\",\"show_when\":{\"field\":\"n\",\"operator\":\"is_empty\"}}]") == 0,
        "%s", ft_dump());
}
END_TEST

START_TEST(a_long_cycle_is_found)
{
    /* 200 fields, each shown depending on the next, the last on the first. */
    size_t len = 200 * 100 + 64, at;
    char *logic = malloc(len), *s;

    at = (size_t)snprintf(logic, len, ",\"conditional_logic\":[");
    for (int i = 0; i < 200; i++)
        at += (size_t)snprintf(logic + at, len - at,
                               "%s{\"field\":\"f%d\",\"show_when\":{\"field\":\"f%d\",\"operator\":"
                               "\"is_empty\"}}",
                               i ? "," : "", i, (i + 1) % 200);
    snprintf(logic + at, len - at, "]");
    s = ft_fields(200, ",\"label\":\"L\"", logic);
    ck_assert_int_eq(ft_check(s), FL_EINVAL);
    ck_assert_uint_eq(ft.d.problem.n_errors, 1);
    ck_assert_ptr_nonnull(strstr(ft.d.errors[0].message, "f0 -> f1 -> f2"));
    ck_assert_ptr_nonnull(strstr(ft.d.errors[0].message, "f199 -> f0 "));
    free(logic);
    free(s);
}
END_TEST

TCase *forms_cond_tcase(void)
{
    TCase *tc = tcase_create("cond");

    tcase_add_checked_fixture(tc, ft_setup, ft_teardown);
    tcase_add_test(tc, well_formed_rules_pass);
    tcase_add_test(tc, rules_name_existing_fields_and_known_operators);
    tcase_add_test(tc, operators_fit_the_source_and_values_fit_both);
    tcase_add_test(tc, a_field_shown_depending_on_itself_is_a_cycle);
    tcase_add_test(tc, cycles_through_a_chain_are_refused);
    tcase_add_test(tc, chains_and_shared_sources_are_not_cycles);
    tcase_add_test(tc, a_long_cycle_is_found);
    return tc;
}

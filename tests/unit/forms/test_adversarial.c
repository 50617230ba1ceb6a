/*
 * Hostile input: every wrong JSON type for every field type; 1 MB strings as values, keys and
 * schema texts; 10,000 options and selections; deep nesting in data and schema; 10,000 unknown
 * fields; strings that look like SQL or HTML kept byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "forms_test.h"

/* One field of each type, ids t0..t15 in fl_form_type_t's order. */
static fl_form_t *every_type(void)
{
    char schema[8192];
    size_t at = (size_t)snprintf(schema, sizeof(schema), "{\"fields\":[");

    for (int t = 0; t < FL_FORM_TYPE__N; t++)
        at += (size_t)snprintf(schema + at, sizeof(schema) - at,
                               "%s{\"id\":\"t%d\",\"type\":\"%s\",\"label\":\"L\",\"options\":"
                               "[{\"value\":\"a\",\"label\":\"A\"}]}",
                               t ? "," : "", t, fl_form_type_name((fl_form_type_t)t));
    snprintf(schema + at, sizeof(schema) - at, "]}");
    /* options is not a key of every type: strip it where it does not belong. */
    json_t *j = tu_json(schema);
    for (int t = 0; t < FL_FORM_TYPE__N; t++) {
        if (t != FL_FORM_SELECT && t != FL_FORM_MULTI_SELECT && t != FL_FORM_RADIO &&
            t != FL_FORM_CHECKBOX_GROUP)
            json_object_del(json_array_get(json_object_get(j, "fields"), (size_t)t), "options");
    }
    fl_form_t *f = NULL;
    ck_assert_msg(fl_form_compile(j, &ft.e, &f) == 0, "%s", ft_dump());
    json_decref(j);
    return f;
}

START_TEST(wrong_json_types_for_every_type)
{
    /* For each type, values of JSON types it never takes. */
    static const char *const wrong[] = {"{}", "[[]]", "1", "\"a\"", "true", "[1]", "{\"a\":1}"};
    fl_form_t *f = every_type();
    char data[128], field[32];

    for (int t = 0; t < FL_FORM_TYPE__N; t++) {
        for (size_t w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
            bool takes_a = t == FL_FORM_TEXT || t == FL_FORM_TEXTAREA || t == FL_FORM_SELECT ||
                           t == FL_FORM_RADIO || t == FL_FORM_RICH_TEXT;
            if ((w == 2 && t == FL_FORM_NUMBER) || (w == 4 && t == FL_FORM_CHECKBOX) ||
                (w == 3 && takes_a))
                continue; /* a value of the right type ("a" is an option or a text) */
            ft_clear();
            snprintf(data, sizeof(data), "{\"t%d\":%s}", t, wrong[w]);
            snprintf(field, sizeof(field), "form_data.t%d", t);
            ck_assert_msg(ft_validate(f, data, NULL) == FL_EINVAL, "%s accepted", data);
            /* Named: the field itself, or an element of it ("form_data.t4[0]"). */
            ck_assert_uint_eq(ft.d.problem.n_errors, 1);
            ck_assert_msg(strncmp(ft.d.errors[0].field, field, strlen(field)) == 0, "%s: %s", data,
                          ft_dump());
        }
    }
    fl_form_free(f);
}
END_TEST

/* {"<key>": <value>} with a value of n repeated c between quotes, malloc'd. */
static char *big_string_data(const char *key, size_t n, char c)
{
    size_t len = strlen(key) + n + 16;
    char *s = malloc(len);
    size_t at = (size_t)snprintf(s, len, "{\"%s\":\"", key);

    memset(s + at, c, n);
    snprintf(s + at + n, len - at - n, "\"}");
    return s;
}

START_TEST(megabyte_strings)
{
    fl_form_t *f = every_type();
    char *data;

    for (int t = 0; t < FL_FORM_TYPE__N; t++) {
        char key[8];
        snprintf(key, sizeof(key), "t%d", t);
        if (t == FL_FORM_NUMBER || t == FL_FORM_CHECKBOX || t == FL_FORM_MULTI_SELECT ||
            t == FL_FORM_CHECKBOX_GROUP || t == FL_FORM_FILE)
            continue;
        ft_clear();
        data = big_string_data(key, 1 << 20, 'a');
        ck_assert_msg(ft_validate(f, data, NULL) == FL_EINVAL, "1 MB accepted by t%d", t);
        free(data);
    }
    /* A megabyte key: refused, and the path shows only its first 100 bytes. */
    ft_clear();
    data = malloc((1 << 20) + 16);
    memcpy(data, "{\"", 2);
    memset(data + 2, 'k', 1 << 20);
    memcpy(data + 2 + (1 << 20), "\":1}", 5);
    ck_assert_int_eq(ft_validate(f, data, NULL), FL_EINVAL);
    ck_assert_uint_eq(ft.d.problem.n_errors, 1);
    ck_assert_uint_eq(strlen(ft.d.errors[0].field), strlen("form_data.") + 100);
    free(data);
    fl_form_free(f);
    /* And in a schema: a megabyte label. */
    ft_clear();
    size_t len = (1 << 20) + 128;
    char *schema = malloc(len);
    int at = snprintf(schema, len, "{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"");
    memset(schema + at, 'L', 1 << 20);
    snprintf(schema + at + (1 << 20), len - (size_t)at - (1 << 20), "\"}]}");
    ck_assert_int_eq(ft_check(schema), FL_EINVAL);
    ft_assert_err("form_schema.fields[0].label", "1 to 500");
    free(schema);
}
END_TEST

/* A schema of one multi_select m with n options o0..o<n-1>, written to s. */
static void options_schema(char *s, size_t len, int n)
{
    size_t at = (size_t)snprintf(s, len,
                                 "{\"fields\":[{\"id\":\"m\",\"type\":\"multi_select\","
                                 "\"label\":\"M\",\"options\":[");

    for (int i = 0; i < n; i++)
        at += (size_t)snprintf(s + at, len - at, "%s{\"value\":\"o%d\",\"label\":\"O\"}",
                               i ? "," : "", i);
    snprintf(s + at, len - at, "]}]}");
}

START_TEST(ten_thousand_options)
{
    size_t len = 10000 * 40 + 256, at;
    char *s = malloc(len);
    fl_form_t *f;

    options_schema(s, len, 10000);
    ck_assert_int_eq(ft_check(s), FL_EINVAL);
    ck_assert_uint_eq(ft.d.problem.n_errors, 1);
    ft_assert_err("form_schema.fields[0].options", "1 to 500");
    /* 500 options pass; then 10,000 selections of them are refused at once. */
    ft_clear();
    options_schema(s, len, 500);
    f = ft_form(s);
    at = (size_t)snprintf(s, len, "{\"m\":[");
    for (int i = 0; i < 10000; i++)
        at += (size_t)snprintf(s + at, len - at, "%s\"o%d\"", i ? "," : "", i % 500);
    snprintf(s + at, len - at, "]}");
    ck_assert_int_eq(ft_validate(f, s, NULL), FL_EINVAL);
    ck_assert_uint_eq(ft.d.problem.n_errors, 1);
    ft_assert_err("form_data.m", "more values than the field has options");
    /* All 500, each once, pass. */
    ft_clear();
    at = (size_t)snprintf(s, len, "{\"m\":[");
    for (int i = 499; i >= 0; i--)
        at += (size_t)snprintf(s + at, len - at, "%s\"o%d\"", i != 499 ? "," : "", i);
    snprintf(s + at, len - at, "]}");
    ck_assert_msg(ft_validate(f, s, NULL) == 0, "%s", ft_dump());
    fl_form_free(f);
    free(s);
}
END_TEST

/* [[[...1...]]] nested depth deep, built without recursion. */
static json_t *nested(int depth)
{
    json_t *v = json_integer(1);

    for (int i = 0; i < depth; i++) {
        json_t *a = json_array();
        json_array_append_new(a, v);
        v = a;
    }
    return v;
}

START_TEST(deep_nesting)
{
    fl_form_t *f = every_type();
    json_t *data = json_object(), *schema;

    /* Every field gets a value nested 100,000 deep: each refused without descending into it. */
    for (int t = 0; t < FL_FORM_TYPE__N; t++) {
        char key[8];
        snprintf(key, sizeof(key), "t%d", t);
        json_object_set_new(data, key, nested(100000));
    }
    ft.e.base = "form_data";
    ck_assert_int_eq(fl_form_validate(f, data, &ft_refs, FT_NOW, &ft.e, NULL), FL_EINVAL);
    ck_assert_uint_eq(ft.e.n, FL_FORM_TYPE__N);
    json_decref(data);
    fl_form_free(f);
    /* In a schema: as a default, a condition's value and a filter. */
    ft_clear();
    schema = tu_json("{\"fields\":[{\"id\":\"a\",\"type\":\"text\",\"label\":\"A\"},{\"id\":\"b\","
                     "\"type\":\"application_picker\",\"label\":\"B\"}],\"conditional_logic\":"
                     "[{\"field\":\"a\",\"show_when\":{\"field\":\"b\",\"operator\":\"in\"}}]}");
    json_object_set_new(json_array_get(json_object_get(schema, "fields"), 0), "default",
                        nested(100000));
    json_object_set_new(json_array_get(json_object_get(schema, "fields"), 1), "filter",
                        nested(100000));
    json_object_set_new(
        json_object_get(json_array_get(json_object_get(schema, "conditional_logic"), 0),
                        "show_when"),
        "value", nested(100000));
    ft.e.base = "form_schema";
    ck_assert_int_eq(fl_form_schema_check(schema, &ft.e), FL_EINVAL);
    ft_assert_err("form_schema.fields[0].default", "string");
    ft_assert_err("form_schema.fields[1].filter", "object");
    ft_assert_err("form_schema.conditional_logic[0].show_when.value", NULL);
    json_decref(schema);
}
END_TEST

START_TEST(ten_thousand_unknown_fields)
{
    fl_form_t *f = ft_laptop_form();
    json_t *data;

    data = tu_json(ft_laptop_ok);
    for (int i = 0; i < 10000; i++) {
        char key[16];
        snprintf(key, sizeof(key), "x%d", i);
        json_object_set_new(data, key, json_string("'; DROP TABLE requests; --"));
    }
    ft.e.base = "form_data";
    ck_assert_int_eq(fl_form_validate(f, data, &ft_refs, FT_NOW, &ft.e, NULL), FL_EINVAL);
    ck_assert_uint_eq(ft.e.n, 10000);
    ck_assert_uint_eq(ft.d.problem.n_errors, FL_DECISION_MAX_ERRORS);
    ft_assert_err("form_data.x0", "not a field of this form");
    json_decref(data);
    fl_form_free(f);
}
END_TEST

START_TEST(sql_and_html_are_kept_verbatim)
{
    static const char *const texts[] = {
        "Robert'); DROP TABLE students;--",
        "1 OR 1=1; SELECT * FROM tenant_acme.users WHERE '' = ''",
        "<script>alert(document.cookie)</script>",
        "<img src=x onerror=\"alert(1)\"> &amp; &lt;b&gt;",
        "$1 \\N \\x00 %s %n {{7*7}} ${jndi:ldap://x}",
    };
    fl_form_t *f = ft_form("{\"fields\":[{\"id\":\"t\",\"type\":\"text\",\"label\":\"T\"},"
                           "{\"id\":\"r\",\"type\":\"rich_text\",\"label\":\"R\"},"
                           "{\"id\":\"a\",\"type\":\"textarea\",\"label\":\"A\"}]}");

    for (size_t k = 0; k < sizeof(texts) / sizeof(texts[0]); k++) {
        json_t *data = json_pack("{s:s, s:s, s:s}", "t", texts[k], "r", texts[k], "a", texts[k]);
        json_t *out = NULL;
        ft.e.base = "form_data";
        ck_assert_int_eq(fl_form_validate(f, data, &ft_refs, FT_NOW, &ft.e, &out), 0);
        ck_assert_str_eq(json_string_value(json_object_get(out, "t")), texts[k]);
        ck_assert_str_eq(json_string_value(json_object_get(out, "r")), texts[k]);
        ck_assert_str_eq(json_string_value(json_object_get(out, "a")), texts[k]);
        json_decref(out);
        json_decref(data);
    }
    fl_form_free(f);
}
END_TEST

TCase *forms_adversarial_tcase(void)
{
    TCase *tc = tcase_create("adversarial");

    tcase_add_checked_fixture(tc, ft_setup, ft_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, wrong_json_types_for_every_type);
    tcase_add_test(tc, megabyte_strings);
    tcase_add_test(tc, ten_thousand_options);
    tcase_add_test(tc, deep_nesting);
    tcase_add_test(tc, ten_thousand_unknown_fields);
    tcase_add_test(tc, sql_and_html_are_kept_verbatim);
    return tc;
}

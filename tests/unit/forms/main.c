/*
 * The forms suite (src/domain/forms/): schema checks, conditional logic, values of every type,
 * pickers and files, adversarial input. The helpers the files share and a small tenant
 * answered through the callbacks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "forms_test.h"

ft_t ft;

void ft_setup(void)
{
    memset(&ft, 0, sizeof(ft));
    fl_arena_init(&ft.a, 0);
    fl_decision_init(&ft.d);
    ft.e = (fl_form_errors_t){.a = &ft.a, .d = &ft.d, .base = "form_schema"};
}

void ft_teardown(void)
{
    fl_decision_release(&ft.d);
    fl_arena_free(&ft.a);
}

void ft_clear(void)
{
    fl_decision_release(&ft.d);
    fl_decision_init(&ft.d);
    ft.e.n = 0;
}

int ft_check(const char *schema)
{
    json_t *j = tu_json(schema);
    int rc;

    ft.e.base = "form_schema";
    rc = fl_form_schema_check(j, &ft.e);
    json_decref(j);
    return rc;
}

fl_form_t *ft_form(const char *schema)
{
    json_t *j = tu_json(schema);
    fl_form_t *f = NULL;
    int rc;

    ft.e.base = "form_schema";
    rc = fl_form_compile(j, &ft.e, &f);
    json_decref(j);
    ck_assert_msg(rc == 0, "schema refused: %s", ft_dump());
    ck_assert_ptr_nonnull(f);
    return f;
}

fl_form_t *ft_field(const char *members)
{
    char text[4096];

    ck_assert_int_lt(
        snprintf(text, sizeof(text), "{\"fields\":[{\"id\":\"f\",\"label\":\"F\",%s}]}", members),
        (int)sizeof(text));
    return ft_form(text);
}

int ft_validate(const fl_form_t *f, const char *data, json_t **out)
{
    json_t *j = tu_json(data);
    int rc;

    ft.e.base = "form_data";
    rc = fl_form_validate(f, j, &ft_refs, FT_NOW, &ft.e, out);
    json_decref(j);
    return rc;
}

int ft_value(const char *members, const char *value)
{
    fl_form_t *f = ft_field(members);
    size_t len = strlen(value) + 16;
    char *data = malloc(len);
    int rc;

    ck_assert_ptr_nonnull(data);
    snprintf(data, len, "{\"f\":%s}", value);
    rc = ft_validate(f, data, NULL);
    free(data);
    fl_form_free(f);
    return rc;
}

const char *ft_msg(const char *field)
{
    for (size_t i = 0; i < ft.d.problem.n_errors; i++) {
        if (ft.d.errors[i].field != NULL && strcmp(ft.d.errors[i].field, field) == 0)
            return ft.d.errors[i].message;
    }
    return NULL;
}

void ft_assert_err(const char *field, const char *part)
{
    const char *m = ft_msg(field);

    ck_assert_msg(m != NULL, "no error at %s (%s)", field, ft_dump());
    ck_assert_msg(part == NULL || strstr(m, part) != NULL,
                  "error at %s is \"%s\", not about \"%s\"", field, m, part != NULL ? part : "");
}

void ft_assert_json(const json_t *v, const char *text)
{
    char *s = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);

    ck_assert_ptr_nonnull(s);
    ck_assert_msg(strcmp(s, text) == 0, "%s is not %s", s, text);
    free(s);
}

const char *ft_dump(void)
{
    size_t len = 1, at = 0;
    char *s;

    for (size_t i = 0; i < ft.d.problem.n_errors; i++)
        len += strlen(ft.d.errors[i].field) + strlen(ft.d.errors[i].message) + 6;
    s = fl_arena_alloc(&ft.a, len);
    s[0] = '\0';
    for (size_t i = 0; i < ft.d.problem.n_errors; i++)
        at += (size_t)snprintf(s + at, len - at, "%s: %s; ", ft.d.errors[i].field,
                               ft.d.errors[i].message);
    return s;
}

json_t *ft_laptop(void)
{
    json_error_t err;
    json_t *j = json_load_file(FL_GOLDEN_DIR "/../../bench/forms_laptop.json", 0, &err);

    ck_assert_msg(j != NULL, "bench/forms_laptop.json: %s", err.text);
    return j;
}

fl_form_t *ft_laptop_form(void)
{
    json_t *j = ft_laptop();
    fl_form_t *f = NULL;

    ck_assert_int_eq(fl_form_compile(j, &ft.e, &f), 0);
    json_decref(j);
    return f;
}

const char ft_laptop_ok[] =
    "{\"field_1\":\"ThinkPad X1 Carbon\",\"field_2\":\"32gb\",\"field_3\":[\"office\",\"slack\"],"
    "\"field_4\":\"I travel weekly to customer sites and my current laptop is five years old.\","
    "\"field_5\":\"2026-12-15\",\"field_6\":\"" FT_ANN "\",\"field_7\":\"" FT_PAYROLL "\","
    "\"field_8\":[\"" FT_PDF "\"],\"field_9\":true,\"field_10\":1}";

char *ft_fields(int n, const char *members, const char *rest)
{
    size_t len = (size_t)n * (strlen(members) + 48) + strlen(rest) + 32;
    char *s = malloc(len);
    size_t at;

    ck_assert_ptr_nonnull(s);
    at = (size_t)snprintf(s, len, "{\"fields\":[");
    for (int i = 0; i < n; i++)
        at += (size_t)snprintf(s + at, len - at, "%s{\"id\":\"f%d\",\"type\":\"text\"%s}",
                               i ? "," : "", i, members);
    snprintf(s + at, len - at, "]%s}", rest);
    return s;
}

/* ------------------------------------------------------------------ the tenant */

/* Every callback counts its call and fails when the test says so. */
static int counted(void *ctx)
{
    ck_assert_ptr_null(ctx);
    ft.lookups++;
    return ft.fail_lookup;
}

static int user(void *ctx, const char *id, const char *group_id, fl_form_user_ref_t *out)
{
    if (counted(ctx) != 0)
        return ft.fail_lookup;
    ck_assert_msg(strspn(id, "0123456789abcdef-") == 36, "callbacks get lowercase ids: %s", id);
    if (strcmp(id, FT_ANN) == 0 || strcmp(id, FT_SELF) == 0)
        out->status = FL_FORM_REF_ACTIVE;
    else if (strcmp(id, FT_BOB) == 0)
        out->status = FL_FORM_REF_INACTIVE;
    out->in_group = group_id != NULL && strcmp(id, FT_ANN) == 0 && strcmp(group_id, FT_TEAM) == 0;
    return 0;
}

static int group(void *ctx, const char *id, fl_form_group_ref_t *out)
{
    if (counted(ctx) != 0)
        return ft.fail_lookup;
    if (strcmp(id, FT_TEAM) == 0 || strcmp(id, FT_OLD_GROUP) == 0)
        out->type = "team";
    else if (strcmp(id, FT_DEPT) == 0)
        out->type = "department";
    out->status = out->type == NULL          ? FL_FORM_REF_MISSING
                  : strcmp(id, FT_OLD_GROUP) ? FL_FORM_REF_ACTIVE
                                             : FL_FORM_REF_INACTIVE;
    return 0;
}

static int application(void *ctx, const char *id, fl_form_app_ref_t *out)
{
    if (counted(ctx) != 0)
        return ft.fail_lookup;
    if (strcmp(id, FT_PAYROLL) == 0)
        *out = (fl_form_app_ref_t){true, "active", "P1", "production", "mission_critical"};
    else if (strcmp(id, FT_LEGACY) == 0)
        *out = (fl_form_app_ref_t){true, "deprecated", "P3", "sunset", NULL};
    return 0;
}

static int environment(void *ctx, const char *id, fl_form_env_ref_t *out)
{
    if (counted(ctx) != 0)
        return ft.fail_lookup;
    if (strcmp(id, FT_PAY_PROD) == 0)
        *out = (fl_form_env_ref_t){FL_FORM_REF_ACTIVE, FT_PAYROLL};
    else if (strcmp(id, FT_LEG_DEV) == 0)
        *out = (fl_form_env_ref_t){FL_FORM_REF_ACTIVE, FT_LEGACY};
    else if (strcmp(id, FT_PAY_OFF) == 0)
        *out = (fl_form_env_ref_t){FL_FORM_REF_INACTIVE, FT_PAYROLL};
    return 0;
}

static int attachment(void *ctx, const char *id, fl_form_file_ref_t *out)
{
    if (counted(ctx) != 0)
        return ft.fail_lookup;
    if (strcmp(id, FT_PDF) == 0)
        *out = (fl_form_file_ref_t){true, "spec.pdf", 2 << 20};
    else if (strcmp(id, FT_BIG_PDF) == 0)
        *out = (fl_form_file_ref_t){true, "huge.pdf", 20 << 20};
    else if (strcmp(id, FT_EXE) == 0)
        *out = (fl_form_file_ref_t){true, "setup.exe", 1024};
    else if (strcmp(id, FT_JPEG) == 0)
        *out = (fl_form_file_ref_t){true, "Photo.JPEG", 1 << 20};
    return 0;
}

const fl_form_refs_t ft_refs = {
    .ctx = NULL,
    .self_id = FT_SELF,
    .user = user,
    .group = group,
    .application = application,
    .environment = environment,
    .attachment = attachment,
};

int main(void)
{
    Suite *s = suite_create("forms");

    suite_add_tcase(s, forms_schema_tcase());
    suite_add_tcase(s, forms_cond_tcase());
    suite_add_tcase(s, forms_values_tcase());
    suite_add_tcase(s, forms_visibility_tcase());
    suite_add_tcase(s, forms_refs_tcase());
    suite_add_tcase(s, forms_adversarial_tcase());
    return tu_run(s);
}

/*
 * The catalog module: decode of every field's bad input (items, categories,
 * bundles), the item lifecycle table draft/active/retired with every
 * transition, form versions on publish and on edit of an active item, and
 * bundles' totals with the discount's rounding. The compiled-form cache is
 * test_forms_cache.c.
 */
#include <math.h>
#include <string.h>

#include "cat_test.h"
#include "firelater/err.h"

static fl_arena_t arena;
static fl_decision_t d;
static const fl_cat_item_refs_t no_refs = {0};

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
}

static void teardown(void)
{
    fl_decision_release(&d);
    fl_arena_free(&arena);
}

/* ------------------------------------------------------------ helpers */

json_t *ct_item_values(fl_arena_t *a, const char *body, bool create)
{
    fl_decision_t dd;
    json_t *b = tu_json(body), *v = NULL;

    fl_decision_init(&dd);
    ck_assert_int_eq(fl_cat_decode_item(b, create, a, &v, &dd), 0);
    json_decref(b);
    fl_decision_release(&dd);
    return v;
}

static void fold_into(const fl_agg_type_t *t, void *state, fl_cat_entity_t *e, fl_arena_t *a,
                      const fl_decision_t *dd, const char *prefix)
{
    for (size_t i = 0; i < dd->n_events; i++) {
        if (strncmp(dd->events[i].stream, prefix, strlen(prefix)) != 0)
            continue;
        fl_event_t ev = tu_event_of(&dd->events[i], e->version + 1, 1000 + (fl_time_t)i);
        ck_assert_int_eq(t->fold(state, a, &ev), 0);
    }
}

void ct_fold_item(fl_cat_item_t *s, fl_arena_t *a, const fl_decision_t *dd)
{
    fold_into(&fl_cat_item_agg, s, &s->e, a, dd, "catalog_item:");
}

void ct_make_item(fl_cat_item_t *s, fl_arena_t *a, const char *body, bool publish)
{
    fl_cmd_ctx_t ctx = tu_ctx(a, 100);
    fl_decision_t dd;
    json_t *v = ct_item_values(a, body, true);

    fl_cat_item_agg.init(s);
    fl_decision_init(&dd);
    ck_assert_int_eq(fl_cat_decide_item_create(&ctx, v, &no_refs, &dd), 0);
    ct_fold_item(s, a, &dd);
    fl_decision_release(&dd);
    json_decref(v);
    ck_assert(s->e.exists && s->status == FL_CAT_DRAFT);
    if (!publish)
        return;
    fl_decision_init(&dd);
    ck_assert_int_eq(fl_cat_decide_item_publish(&ctx, s, FL_LOG_ANY, &no_refs, &dd), 0);
    ct_fold_item(s, a, &dd);
    fl_decision_release(&dd);
    ck_assert(s->status == FL_CAT_ACTIVE);
}

/* ------------------------------------------------------------- decode */

typedef struct bad {
    const char *body;  /* the item body's other members: name is "X" unless given */
    const char *field; /* the error's field */
} bad_t;

static const bad_t bad_items[] = {
    {"\"name\":7", "name"},
    {"\"name\":\"\"", "name"},
    {"\"name\":\"a\\u0001b\"", "name"},
    {"\"category_id\":\"x\"", "category_id"},
    {"\"category_id\":7", "category_id"},
    {"\"short_desc\":[]", "short_desc"},
    {"\"description\":{}", "description"},
    {"\"icon\":1", "icon"},
    {"\"image_url\":\"ftp://x\"", "image_url"},
    {"\"image_url\":\"javascript:alert(1)\"", "image_url"},
    {"\"form_schema\":{\"fields\":[{\"id\":\"a\",\"type\":\"nope\",\"label\":\"A\"}]}",
     "form_schema.fields[0].type"},
    {"\"form_schema\":\"x\"", "form_schema"},
    {"\"fulfillment_type\":\"magic\"", "fulfillment_type"},
    {"\"fulfillment_config\":[]", "fulfillment_config"},
    {"\"fulfillment_group_id\":\"y\"", "fulfillment_group_id"},
    {"\"approval_required\":\"yes\"", "approval_required"},
    {"\"approval_type\":\"all\"", "approval_type"},
    {"\"approval_groups\":[\"x\"]", "approval_groups[0]"},
    {"\"approval_groups\":\"x\"", "approval_groups"},
    {"\"sla_policy_id\":1", "sla_policy_id"},
    {"\"default_priority\":\"urgent\"", "default_priority"},
    {"\"estimated_hours\":-1", "estimated_hours"},
    {"\"estimated_hours\":1.5", "estimated_hours"},
    {"\"cost\":1.234", "cost"},
    {"\"cost\":-1", "cost"},
    {"\"cost\":\"100000000\"", "cost"},
    {"\"cost_type\":\"weekly\"", "cost_type"},
    {"\"cost_center\":7", "cost_center"},
    {"\"visible_to_groups\":\"all\"", "visible_to_groups"},
    {"\"tags\":[\"a\",\"a\"]", "tags[1]"},
    {"\"tags\":\"a\"", "tags"},
    {"\"sort_order\":1.5", "sort_order"},
    {"\"status\":\"active\"", "status"},
    {"\"wat\":1", "wat"},
};

START_TEST(item_bad_fields)
{
    const bad_t *b = &bad_items[_i];
    char body[1024];
    json_t *j, *v = (json_t *)1;

    snprintf(body, sizeof(body), "{%s%s}",
             strncmp(b->body, "\"name\"", 6) == 0 ? "" : "\"name\":\"X\",", b->body);
    j = tu_json(body);
    ck_assert_int_eq(fl_cat_decode_item(j, true, &arena, &v, &d), FL_EINVAL);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(d.status, 422);
    ck_assert_msg(tu_has_error(&d, b->field), "%s: no error on %s", body, b->field);
    json_decref(j);
}
END_TEST

START_TEST(item_decode_normalises)
{
    json_t *v = ct_item_values(&arena,
                               "{\"name\":\"Laptop\",\"cost\":\"12.5\",\"category_id\":"
                               "\"00000000-0000-4000-8000-0000000000AB\"}",
                               true);

    ck_assert_str_eq(json_string_value(json_object_get(v, "cost")), "12.50");
    ck_assert_str_eq(json_string_value(json_object_get(v, "category_id")),
                     "00000000-0000-4000-8000-0000000000ab");
    ck_assert_str_eq(json_string_value(json_object_get(v, "fulfillment_type")), "manual");
    ck_assert_str_eq(json_string_value(json_object_get(v, "default_priority")), "medium");
    ck_assert(json_is_false(json_object_get(v, "approval_required")));
    json_decref(v);
    /* An update decodes only what is present: no defaults, no required name. */
    v = ct_item_values(&arena, "{\"cost\":3}", false);
    ck_assert_uint_eq(json_object_size(v), 1);
    json_decref(v);
}
END_TEST

typedef int (*decode_fn)(const json_t *, bool, fl_arena_t *, json_t **, fl_decision_t *);

/* decode refuses body (a create), naming field. */
static void refused(decode_fn decode, const char *body, const char *field)
{
    json_t *j = tu_json(body), *v = NULL;
    fl_decision_t dd;

    fl_decision_init(&dd);
    ck_assert_int_eq(decode(j, true, &arena, &v, &dd), FL_EINVAL);
    ck_assert_ptr_null(v);
    ck_assert_msg(tu_has_error(&dd, field), "%s: no error on %s", body, field);
    fl_decision_release(&dd);
    json_decref(j);
}

START_TEST(category_and_bundle_bad_fields)
{
    static const char *const cats[][2] = {
        {"{\"name\":\"\"}", "name"},
        {"{\"name\":\"A\",\"color\":\"red\"}", "color"},
        {"{\"name\":\"A\",\"parent_id\":\"x\"}", "parent_id"},
        {"{\"name\":\"A\",\"status\":\"gone\"}", "status"},
        {"{\"name\":\"A\",\"sort_order\":\"1\"}", "sort_order"},
        {"{\"name\":\"A\",\"x\":1}", "x"},
    };
    static const char *const bundles[][2] = {
        {"{\"name\":\"B\"}", "items"},
        {"{\"name\":\"B\",\"items\":[]}", "items"},
        {"{\"name\":\"B\",\"items\":[{\"item_id\":\"x\",\"quantity\":1}]}", "items[0].item_id"},
        {"{\"name\":\"B\",\"items\":[{\"item_id\":\"00000000-0000-4000-8000-000000000001\","
         "\"quantity\":0}]}",
         "items[0].quantity"},
        {"{\"name\":\"B\",\"discount_percent\":101,\"items\":[{\"item_id\":"
         "\"00000000-0000-4000-8000-000000000001\",\"quantity\":1}]}",
         "discount_percent"},
        {"{\"name\":\"B\",\"status\":\"retired\",\"items\":[{\"item_id\":"
         "\"00000000-0000-4000-8000-000000000001\",\"quantity\":1}]}",
         "status"},
    };

    for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++)
        refused(fl_cat_decode_category, cats[i][0], cats[i][1]);
    for (size_t i = 0; i < sizeof(bundles) / sizeof(bundles[0]); i++)
        refused(fl_cat_decode_bundle, bundles[i][0], bundles[i][1]);
}
END_TEST

/* ------------------------------------------------------------ lifecycle */

typedef enum { C_UPDATE, C_PUBLISH, C_RETIRE, C_CLONE, C__N } cmd_t;

/* An item in status from: draft, active (published) or retired. */
static void item_in(fl_cat_item_t *s, fl_cat_status_t from)
{
    ct_make_item(s, &arena, "{\"name\":\"Laptop\",\"form_schema\":" FORM1 "}",
                 from != FL_CAT_DRAFT);
    if (from == FL_CAT_RETIRED) {
        fl_cmd_ctx_t ctx = tu_ctx(&arena, 200);
        fl_decision_t dd;
        fl_decision_init(&dd);
        ck_assert_int_eq(fl_cat_decide_item_retire(&ctx, s, FL_LOG_ANY, &no_refs, &dd), 0);
        ct_fold_item(s, &arena, &dd);
        fl_decision_release(&dd);
    }
    ck_assert_int_eq(s->status, from);
}

/* The table: after[from][cmd], -1 for 409. */
static const int after[FL_CAT_STATUS__N][C__N] = {
    [FL_CAT_DRAFT] = {FL_CAT_DRAFT, FL_CAT_ACTIVE, -1, FL_CAT_DRAFT},
    [FL_CAT_ACTIVE] = {FL_CAT_ACTIVE, -1, FL_CAT_RETIRED, FL_CAT_DRAFT},
    [FL_CAT_RETIRED] = {-1, -1, -1, FL_CAT_DRAFT},
};

START_TEST(lifecycle_table)
{
    fl_cat_status_t from = (fl_cat_status_t)(_i / C__N);
    cmd_t cmd = (cmd_t)(_i % C__N);
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 300);
    fl_cat_item_t s, clone;
    json_t *v = ct_item_values(&arena, "{\"name\":\"Laptop 2\"}", false);
    int rc = -1;

    item_in(&s, from);
    uint64_t before = s.e.version;
    switch (cmd) {
    case C_UPDATE:
        rc = fl_cat_decide_item_update(&ctx, &s, FL_LOG_ANY, v, &no_refs, &d);
        break;
    case C_PUBLISH:
        rc = fl_cat_decide_item_publish(&ctx, &s, FL_LOG_ANY, &no_refs, &d);
        break;
    case C_RETIRE:
        rc = fl_cat_decide_item_retire(&ctx, &s, FL_LOG_ANY, &no_refs, &d);
        break;
    default:
        rc = fl_cat_decide_item_clone(&ctx, &s, NULL, &no_refs, &d);
        break;
    }
    json_decref(v);
    if (after[from][cmd] < 0) {
        ck_assert_int_eq(rc, FL_EINVAL);
        ck_assert_int_eq(d.status, 409);
        ck_assert_uint_eq(d.n_events, 0);
        ck_assert(tu_has_error(&d, "status"));
        ck_assert_ptr_nonnull(strstr(d.problem.title, fl_cat_status_name(from)));
        return;
    }
    ck_assert_int_eq(rc, 0);
    if (cmd == C_CLONE) { /* a new item: the source is untouched */
        fl_cat_item_agg.init(&clone);
        ct_fold_item(&clone, &arena, &d);
        ck_assert(clone.e.exists && strcmp(clone.e.id, s.e.id) != 0);
        ck_assert_int_eq(clone.status, FL_CAT_DRAFT);
        json_t *name = fl_cat_field(&clone.e, "name");
        ck_assert_str_eq(json_string_value(name), "Laptop (copy)");
        json_decref(name);
        ck_assert_uint_eq(s.e.version, before);
        return;
    }
    ct_fold_item(&s, &arena, &d);
    ck_assert_int_eq(s.status, after[from][cmd]);
    ck_assert_uint_gt(s.e.version, before);
}
END_TEST

/* -------------------------------------------------------- form versions */

static const char *schema_of(const fl_cat_item_t *s, int version)
{
    json_t *j = fl_cat_item_to_json(s, version);
    ck_assert_ptr_nonnull(j);
    char *text = json_dumps(json_object_get(j, "form_schema"), JSON_COMPACT | JSON_SORT_KEYS);
    const char *out = fl_arena_strndup(&arena, text, strlen(text));
    free(text);
    json_decref(j);
    return out;
}

static const char *compact(const char *text)
{
    json_t *j = tu_json(text);
    char *t = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    const char *out = fl_arena_strndup(&arena, t, strlen(t));
    free(t);
    json_decref(j);
    return out;
}

START_TEST(form_versions)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 400);
    fl_cat_item_t s;
    json_t *v;

    ct_make_item(&s, &arena, "{\"name\":\"Laptop\",\"form_schema\":" FORM1 "}", false);
    ck_assert_int_eq(s.form_version, 0);
    /* A draft's form is edited freely: no version. */
    v = ct_item_values(&arena, "{\"form_schema\":" FORM2 "}", false);
    ck_assert_int_eq(fl_cat_decide_item_update(&ctx, &s, FL_LOG_ANY, v, &no_refs, &d), 0);
    json_decref(v);
    ck_assert_uint_eq(d.n_events, 1);
    ct_fold_item(&s, &arena, &d);
    ck_assert_int_eq(s.form_version, 0);
    fl_decision_release(&d);
    fl_decision_init(&d);
    /* Publish: version 1 is the draft's form. */
    ck_assert_int_eq(fl_cat_decide_item_publish(&ctx, &s, FL_LOG_ANY, &no_refs, &d), 0);
    ct_fold_item(&s, &arena, &d);
    ck_assert_int_eq(s.form_version, 1);
    ck_assert_str_eq(schema_of(&s, 1), compact(FORM2));
    fl_decision_release(&d);
    fl_decision_init(&d);
    /* Editing an active item's form publishes version 2 at once; version 1 stays. */
    v = ct_item_values(&arena, "{\"form_schema\":" FORM1 "}", false);
    ck_assert_int_eq(fl_cat_decide_item_update(&ctx, &s, FL_LOG_ANY, v, &no_refs, &d), 0);
    json_decref(v);
    ck_assert_uint_eq(d.n_events, 2);
    ck_assert_str_eq(d.events[1].type, "catalog_item.published");
    ct_fold_item(&s, &arena, &d);
    ck_assert_int_eq(s.form_version, 2);
    ck_assert_str_eq(schema_of(&s, 2), compact(FORM1));
    ck_assert_str_eq(schema_of(&s, 1), compact(FORM2));
    ck_assert_ptr_null(fl_cat_item_to_json(&s, 3));
    fl_decision_release(&d);
    fl_decision_init(&d);
    /* Another field only: no new version; the same form again: no event at all. */
    v = ct_item_values(&arena, "{\"name\":\"Laptop Pro\"}", false);
    ck_assert_int_eq(fl_cat_decide_item_update(&ctx, &s, FL_LOG_ANY, v, &no_refs, &d), 0);
    json_decref(v);
    ck_assert_uint_eq(d.n_events, 1);
    ct_fold_item(&s, &arena, &d);
    ck_assert_int_eq(s.form_version, 2);
    fl_decision_release(&d);
    fl_decision_init(&d);
    v = ct_item_values(&arena, "{\"form_schema\":" FORM1 "}", false);
    ck_assert_int_eq(fl_cat_decide_item_update(&ctx, &s, FL_LOG_ANY, v, &no_refs, &d), 0);
    json_decref(v);
    ck_assert_uint_eq(d.n_events, 0);
}
END_TEST

/* -------------------------------------------------------------- bundles */

/* A bundle of items a (quantity qa) and b (qb) at discount, folded; its total_cost. */
static double bundle_total(const char *cost_a, int qa, const char *cost_b, int qb,
                           const char *discount)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 500);
    fl_cat_item_t a, b;
    fl_cat_bundle_t s;
    char body[512];
    json_t *j, *v = NULL, *out;
    fl_decision_t dd;

    snprintf(body, sizeof(body), "{\"name\":\"A\",\"cost\":\"%s\"}", cost_a);
    ct_make_item(&a, &arena, body, true);
    snprintf(body, sizeof(body), "{\"name\":\"B\",\"cost\":\"%s\"}", cost_b);
    ct_make_item(&b, &arena, body, true);
    snprintf(body, sizeof(body),
             "{\"name\":\"Kit\",\"discount_percent\":\"%s\",\"items\":[{\"item_id\":\"%s\","
             "\"quantity\":%d},{\"item_id\":\"%s\",\"quantity\":%d}]}",
             discount, a.e.id, qa, b.e.id, qb);
    j = tu_json(body);
    fl_decision_init(&dd);
    ck_assert_int_eq(fl_cat_decode_bundle(j, true, &arena, &v, &dd), 0);
    json_decref(j);
    const fl_cat_item_t *items[] = {&a, &b};
    ck_assert_int_eq(fl_cat_decide_bundle_create(&ctx, v, items, &dd), 0);
    json_decref(v);
    fl_cat_bundle_agg.init(&s);
    fold_into(&fl_cat_bundle_agg, &s, &s.e, &arena, &dd, "catalog_bundle:");
    fl_decision_release(&dd);
    out = fl_cat_bundle_to_json(&s, items);
    double total = json_real_value(json_object_get(out, "total_cost"));
    ck_assert_str_eq(json_string_value(
                         json_object_get(json_array_get(json_object_get(out, "items"), 1), "name")),
                     "B");
    json_decref(out);
    return total;
}

/* What a request reads of an item is parsed at each event: it follows every change. */
START_TEST(request_info_follows_events)
{
    fl_cat_item_t s;
    const char *g1 = "11111111-1111-4111-8111-111111111111",
               *g2 = "22222222-2222-4222-8222-222222222222";
    char changes[512];

    ct_make_item(&s, &arena,
                 "{\"name\":\"Laptop\",\"approval_type\":\"parallel\","
                 "\"default_priority\":\"high\"}",
                 true);
    ck_assert(s.info.exists);
    ck_assert_str_eq(s.info.id, s.e.id);
    ck_assert_str_eq(s.info.name, "Laptop");
    ck_assert(!s.info.approval_required);
    ck_assert_str_eq(s.info.approval_type, "parallel");
    ck_assert_str_eq(s.info.default_priority, "high");
    ck_assert_uint_eq(s.info.n_approval_groups, 0);
    ck_assert_ptr_null(s.info.visible_to_groups); /* everyone */
    ck_assert_ptr_null(s.info.sla_policy_id);
    snprintf(changes, sizeof(changes),
             "{\"id\":\"%s\",\"changes\":{\"name\":{\"from\":\"Laptop\",\"to\":\"Laptop Pro\"},"
             "\"approval_required\":{\"from\":false,\"to\":true},"
             "\"approval_groups\":{\"from\":null,\"to\":[\"%s\",\"%s\"]},"
             "\"visible_to_groups\":{\"from\":null,\"to\":[\"%s\"]}}}",
             s.e.id, g2, g1, g1);
    fl_log_new_t e = tu_ev(&arena, "catalog_item:x", "catalog_item.updated", changes);
    fl_event_t ev = tu_event_of(&e, s.e.version + 1, 5000);
    ck_assert_int_eq(fl_cat_item_agg.fold(&s, &arena, &ev), 0);
    ck_assert_str_eq(s.info.name, "Laptop Pro");
    ck_assert(s.info.approval_required);
    ck_assert_uint_eq(s.info.n_approval_groups, 2);
    ck_assert_str_eq(s.info.approval_groups[0], g2); /* chain order kept */
    ck_assert_str_eq(s.info.approval_groups[1], g1);
    ck_assert_uint_eq(s.info.n_visible_to_groups, 1);
    ck_assert_str_eq(s.info.visible_to_groups[0], g1);
}
END_TEST

START_TEST(bundle_totals)
{
    ck_assert_double_eq_tol(bundle_total("10.00", 3, "0.99", 1, "0"), 30.99, 1e-9);
    /* 30.99 * 0.875 = 27.11625: cents rounded */
    ck_assert_double_eq_tol(bundle_total("10.00", 3, "0.99", 1, "12.50"), 27.12, 1e-9);
    /* half a cent rounds away from zero */
    ck_assert_double_eq_tol(bundle_total("0.01", 1, "0.00", 1, "50"), 0.01, 1e-9);
    ck_assert_double_eq_tol(bundle_total("1.00", 1, "2.00", 1, "33.33"), 2.0, 1e-9);
    ck_assert_double_eq_tol(bundle_total("99.99", 2, "5.00", 4, "100"), 0.0, 1e-9);
}
END_TEST

START_TEST(bundle_refuses_retired_and_missing_items)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, 600);
    fl_cat_item_t a;
    char body[256];
    json_t *j, *v = NULL;

    item_in(&a, FL_CAT_RETIRED);
    snprintf(body, sizeof(body),
             "{\"name\":\"Kit\",\"items\":[{\"item_id\":\"%s\",\"quantity\":1},{\"item_id\":"
             "\"00000000-0000-4000-8000-000000000009\",\"quantity\":1}]}",
             a.e.id);
    j = tu_json(body);
    ck_assert_int_eq(fl_cat_decode_bundle(j, true, &arena, &v, &d), 0);
    json_decref(j);
    const fl_cat_item_t *items[] = {&a, NULL};
    ck_assert_int_eq(fl_cat_decide_bundle_create(&ctx, v, items, &d), FL_EINVAL);
    json_decref(v);
    ck_assert_uint_eq(d.n_events, 0);
    ck_assert(tu_has_error(&d, "items[0].item_id"));
    ck_assert(tu_has_error(&d, "items[1].item_id"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("catalog");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, item_bad_fields, 0, (int)(sizeof(bad_items) / sizeof(bad_items[0])));
    tcase_add_test(tc, item_decode_normalises);
    tcase_add_test(tc, category_and_bundle_bad_fields);
    tcase_add_loop_test(tc, lifecycle_table, 0, FL_CAT_STATUS__N * C__N);
    tcase_add_test(tc, form_versions);
    tcase_add_test(tc, request_info_follows_events);
    tcase_add_test(tc, bundle_totals);
    tcase_add_test(tc, bundle_refuses_retired_and_missing_items);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ct_forms_cache_tcase());
    return s;
}

int main(void)
{
    return tu_run(suite());
}

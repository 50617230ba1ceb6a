/*
 * The field tables: every body key of a category, an item and a bundle, by
 * the spec's column names, with how it is read and its default on create.
 * The same names are the events' keys and the read model's columns, so the
 * projector can hand a value over as it is (project.c).
 */
#include "internal.h"

#define N(t)      (sizeof(t) / sizeof((t)[0]))
#define INT_RANGE -2147483647 - 1, 2147483647

static const char *const category_status[] = {"active", "hidden", NULL};
static const char *const fulfillment_types[] = {"manual", "automated", "hybrid", NULL};
static const char *const approval_types[] = {"sequential", "parallel", "any", NULL};
static const char *const priorities[] = {"critical", "high", "medium", "low", NULL};
static const char *const cost_types[] = {"one_time", "monthly", "yearly", NULL};
static const char *const bundle_status[] = {"active", "inactive", NULL};

static const fl__cat_field_t category[] = {
    {"name", FL__CAT_NAME, 1, 255, NULL, NULL, false},
    {"description", FL__CAT_TEXT, 0, 4000, NULL, NULL, true},
    {"icon", FL__CAT_LINE, 0, 100, NULL, NULL, true},
    {"color", FL__CAT_COLOR, 0, 0, NULL, NULL, true},
    {"sort_order", FL__CAT_INT, INT_RANGE, NULL, "0", false},
    {"parent_id", FL__CAT_UUID, 0, 0, NULL, NULL, true},
    {"status", FL__CAT_ENUM, 0, 0, category_status, "\"active\"", false},
};

static const fl__cat_field_t item[] = {
    {"category_id", FL__CAT_UUID, 0, 0, NULL, NULL, true},
    {"name", FL__CAT_NAME, 1, 255, NULL, NULL, false},
    {"short_desc", FL__CAT_LINE, 0, 500, NULL, NULL, true},
    {"description", FL__CAT_TEXT, 0, 20000, NULL, NULL, true},
    {"icon", FL__CAT_LINE, 0, 100, NULL, NULL, true},
    {"image_url", FL__CAT_URL, 0, 0, NULL, NULL, true},
    {"form_schema", FL__CAT_FORM, 0, 0, NULL, "[]", false},
    {"fulfillment_type", FL__CAT_ENUM, 0, 0, fulfillment_types, "\"manual\"", false},
    {"fulfillment_config", FL__CAT_OBJECT, 0, 0, NULL, "{}", false},
    {"fulfillment_group_id", FL__CAT_UUID, 0, 0, NULL, NULL, true},
    {"approval_required", FL__CAT_BOOL, 0, 0, NULL, "false", false},
    {"approval_type", FL__CAT_ENUM, 0, 0, approval_types, "\"sequential\"", false},
    {"approval_groups", FL__CAT_UUIDS, 0, 0, NULL, "[]", false},
    {"sla_policy_id", FL__CAT_UUID, 0, 0, NULL, NULL, true},
    {"default_priority", FL__CAT_ENUM, 0, 0, priorities, "\"medium\"", false},
    {"estimated_hours", FL__CAT_INT, 0, 100000, NULL, NULL, true},
    {"cost", FL__CAT_DECIMAL, 0, 99999999, NULL, NULL, true},
    {"cost_type", FL__CAT_ENUM, 0, 0, cost_types, NULL, true},
    {"cost_center", FL__CAT_LINE, 0, 100, NULL, NULL, true},
    {"visible_to_groups", FL__CAT_UUIDS, 0, 0, NULL, NULL, true},
    {"tags", FL__CAT_TAGS, 0, 0, NULL, "[]", false},
    {"sort_order", FL__CAT_INT, INT_RANGE, NULL, "0", false},
};

static const fl__cat_field_t bundle[] = {
    {"name", FL__CAT_NAME, 1, 255, NULL, NULL, false},
    {"description", FL__CAT_TEXT, 0, 4000, NULL, NULL, true},
    {"icon", FL__CAT_LINE, 0, 100, NULL, NULL, true},
    {"status", FL__CAT_ENUM, 0, 0, bundle_status, "\"active\"", false},
    {"discount_percent", FL__CAT_DECIMAL, 0, 100, NULL, "\"0.00\"", false},
    {"items", FL__CAT_ITEMS, 0, 0, NULL, NULL, false},
};

const fl__cat_table_t fl__cat_category_fields = {category, N(category)};
const fl__cat_table_t fl__cat_item_fields = {item, N(item)};
const fl__cat_table_t fl__cat_bundle_fields = {bundle, N(bundle)};

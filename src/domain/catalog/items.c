/*
 * Commands -> events for catalog items. Pure: time is ctx->now, memory
 * ctx->a. The lifecycle (SQLite pager.c style: each transition names the
 * function that performs it):
 *
 *   from      command   to        events                                  by
 *   (none)    create    draft     catalog_item.created (+ item_added)     fl_cat_decide_item_create
 *   (none)    clone     draft     catalog_item.cloned (+ item_added)      fl_cat_decide_item_clone
 *   draft     update    draft     catalog_item.updated                    fl_cat_decide_item_update
 *   active    update    active    .updated (+ .published N+1 when the form changed)
 *   draft     publish   active    catalog_item.published {form_version 1}
 * fl_cat_decide_item_publish active    retire    retired   catalog_item.retired (+ item_removed)
 * fl_cat_decide_item_retire
 *
 * Every other (status, command) pair is 409 naming the current status. A
 * retired item comes back only as a clone (a new draft).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

typedef enum cmd { C_UPDATE, C_PUBLISH, C_RETIRE, C__N } cmd_t;

/* allowed[status][command] */
static const bool allowed[FL_CAT_STATUS__N][C__N] = {
    [FL_CAT_DRAFT] = {[C_UPDATE] = true, [C_PUBLISH] = true},
    [FL_CAT_ACTIVE] = {[C_UPDATE] = true, [C_RETIRE] = true},
    [FL_CAT_RETIRED] = {false},
};

static int check_transition(const fl_cmd_ctx_t *ctx, const fl_cat_item_t *s, cmd_t c,
                            fl_decision_t *d)
{
    char msg[64];

    if (fl__cat_check_live(&s->e, "item not found", d) < 0)
        return FL_EINVAL;
    if (allowed[s->status][c])
        return 0;
    snprintf(msg, sizeof(msg), "the item is %s", fl_cat_status_name(s->status));
    return fl_decision_refuse(d, 409, fl_arena_strndup(ctx->a, msg, strlen(msg)), "status",
                              fl_arena_strndup(ctx->a, msg, strlen(msg)));
}

static bool group_live(const fl_cat_item_refs_t *r, const char *id)
{
    for (size_t i = 0; i < r->n_groups; i++) {
        if (strcmp(r->groups[i].id, id) == 0)
            return r->groups[i].live;
    }
    return false;
}

size_t fl_cat_item_group_ids(const json_t *v, const char **out, size_t max)
{
    static const char *const lists[] = {"approval_groups", "visible_to_groups"};
    const char *one = json_string_value(json_object_get(v, "fulfillment_group_id"));
    size_t n = 0, i;
    json_t *x;

    if (one != NULL && n < max)
        out[n++] = one;
    for (int k = 0; k < 2; k++) {
        json_array_foreach(json_object_get(v, lists[k]), i, x)
        {
            if (json_is_string(x) && n < max)
                out[n++] = json_string_value(x);
        }
    }
    return n;
}

/* The groups of one list field, each live. */
static void check_list(const fl_cmd_ctx_t *ctx, const json_t *v, const char *key,
                       const fl_cat_item_refs_t *r, fl_decision_t *d)
{
    char path[64];
    size_t i;
    json_t *x;

    json_array_foreach(json_object_get(v, key), i, x)
    {
        if (group_live(r, json_string_value(x)))
            continue;
        snprintf(path, sizeof(path), "%s[%zu]", key, i);
        fl_decision_field(d, fl_arena_strndup(ctx->a, path, strlen(path)), "no such group");
    }
}

/* The references v gives (only those: unchanged ones are not checked again) and the rules
 * across fields of the item after the command. */
static int check_refs(const fl_cmd_ctx_t *ctx, const json_t *v, const json_t *after,
                      const fl_cat_item_refs_t *r, fl_decision_t *d)
{
    const json_t *cat = json_object_get(v, "category_id"),
                 *sla = json_object_get(v, "sla_policy_id");
    const char *fg = json_string_value(json_object_get(v, "fulfillment_group_id"));
    const json_t *vis = json_object_get(v, "visible_to_groups");

    if (json_is_string(cat) &&
        (r->category == NULL || !r->category->e.exists || r->category->e.deleted))
        fl_decision_field(d, "category_id", "no such category");
    if (json_is_string(sla) && (r->sla_policy == NULL || !r->sla_policy->live))
        fl_decision_field(d, "sla_policy_id", "no such SLA policy");
    if (fg != NULL && !group_live(r, fg))
        fl_decision_field(d, "fulfillment_group_id", "no such group");
    if (json_is_array(vis) && json_array_size(vis) == 0)
        fl_decision_field(d, "visible_to_groups", "must name at least one group, or be null");
    check_list(ctx, v, "approval_groups", r, d);
    check_list(ctx, v, "visible_to_groups", r, d);
    if (json_is_true(json_object_get(after, "approval_required")) &&
        json_array_size(json_object_get(after, "approval_groups")) == 0)
        fl_decision_field(d, "approval_groups", "must name a group when approval_required is true");
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

/* item_added / item_removed on a category's stream (added expects its version). */
static int file(const fl_cmd_ctx_t *ctx, const fl_cat_category_t *c, const char *item_id, bool add,
                fl_decision_t *d)
{
    if (c == NULL || !c->e.exists)
        return 0;
    return fl_decision_emit_at(
        d, ctx, fl_cat_category_stream(ctx->a, c->e.id), add ? (int64_t)c->e.version : FL_LOG_ANY,
        add ? "catalog_category.item_added" : "catalog_category.item_removed",
        json_pack("{s:s,s:s}", "category_id", c->e.id, "item_id", item_id));
}

/* A new item (created or cloned) from its fields. */
static int start(const fl_cmd_ctx_t *ctx, json_t *data, const char *type,
                 const fl_cat_category_t *cat, fl_decision_t *d)
{
    char *id = fl_uuid_new(ctx->a);
    int rc;

    if (id == NULL) {
        json_decref(data);
        return FL_ETOOBIG;
    }
    json_object_set_new(data, "id", json_string(id));
    rc = fl_decision_emit_at(d, ctx, fl_cat_item_stream(ctx->a, id), FL_LOG_NO_STREAM, type, data);
    if (rc == 0)
        rc = file(ctx, cat, id, true, d);
    d->location = fl_arena_concat(ctx->a, "/api/v1/catalog/items/", id);
    return rc == 0 && d->location == NULL ? FL_ETOOBIG : rc;
}

int fl_cat_decide_item_create(const fl_cmd_ctx_t *ctx, const json_t *v,
                              const fl_cat_item_refs_t *refs, fl_decision_t *d)
{
    if (check_refs(ctx, v, v, refs, d) < 0)
        return FL_EINVAL;
    return start(ctx, json_deep_copy(v), "catalog_item.created",
                 json_is_string(json_object_get(v, "category_id")) ? refs->category : NULL, d);
}

static int publish(const fl_cmd_ctx_t *ctx, const fl_cat_item_t *s, int64_t expected,
                   json_t *schema, fl_decision_t *d)
{
    return fl_decision_emit_at(d, ctx, fl_cat_item_stream(ctx->a, s->e.id), expected,
                               "catalog_item.published",
                               json_pack("{s:s,s:i,s:o}", "id", s->e.id, "form_version",
                                         (int)s->n_versions + 1, "form_schema", schema));
}

int fl_cat_decide_item_update(const fl_cmd_ctx_t *ctx, const fl_cat_item_t *s, int64_t expected,
                              const json_t *v, const fl_cat_item_refs_t *refs, fl_decision_t *d)
{
    if (check_transition(ctx, s, C_UPDATE, d) < 0)
        return FL_EINVAL;
    json_t *ch = fl__cat_changes(&s->e, v), *after = fl__cat_merged(&s->e, v);
    int rc = json_object_size(ch) > 0 ? check_refs(ctx, v, after, refs, d) : 0;
    bool moved = json_object_get(ch, "category_id") != NULL;

    if (rc == 0 && json_object_size(ch) > 0)
        rc = fl_decision_emit_at(d, ctx, fl_cat_item_stream(ctx->a, s->e.id),
                                 fl__cat_expected(&s->e, expected), "catalog_item.updated",
                                 json_pack("{s:s,s:O}", "id", s->e.id, "changes", ch));
    if (rc == 0 && moved)
        rc = file(ctx, refs->old_category, s->e.id, false, d);
    if (rc == 0 && moved && json_is_string(json_object_get(v, "category_id")))
        rc = file(ctx, refs->category, s->e.id, true, d);
    if (rc == 0 && s->status == FL_CAT_ACTIVE && json_object_get(ch, "form_schema") != NULL)
        rc = publish(ctx, s, FL_LOG_ANY, json_incref(json_object_get(after, "form_schema")), d);
    json_decref(ch);
    json_decref(after);
    return rc;
}

int fl_cat_decide_item_publish(const fl_cmd_ctx_t *ctx, const fl_cat_item_t *s, int64_t expected,
                               const fl_cat_item_refs_t *refs, fl_decision_t *d)
{
    (void)refs;
    if (check_transition(ctx, s, C_PUBLISH, d) < 0)
        return FL_EINVAL;
    json_t *schema = fl_cat_field(&s->e, "form_schema");
    return publish(ctx, s, fl__cat_expected(&s->e, expected), schema, d);
}

int fl_cat_decide_item_retire(const fl_cmd_ctx_t *ctx, const fl_cat_item_t *s, int64_t expected,
                              const fl_cat_item_refs_t *refs, fl_decision_t *d)
{
    int rc;

    if (check_transition(ctx, s, C_RETIRE, d) < 0)
        return FL_EINVAL;
    rc = fl_decision_emit_at(d, ctx, fl_cat_item_stream(ctx->a, s->e.id),
                             fl__cat_expected(&s->e, expected), "catalog_item.retired",
                             json_pack("{s:s}", "id", s->e.id));
    return rc == 0 ? file(ctx, refs->category, s->e.id, false, d) : rc;
}

int fl_cat_decide_item_clone(const fl_cmd_ctx_t *ctx, const fl_cat_item_t *s, const char *name,
                             const fl_cat_item_refs_t *refs, fl_decision_t *d)
{
    char copy[1100];

    if (fl__cat_check_live(&s->e, "item not found", d) < 0)
        return FL_EINVAL;
    json_t *none = json_object(), *data = fl__cat_merged(&s->e, none);

    json_decref(none);
    if (name == NULL) {
        snprintf(copy, sizeof(copy), "%s (copy)", json_string_value(json_object_get(data, "name")));
        name = copy;
    }
    if (fl_utf8_chars(name) > 255) {
        json_decref(data);
        return fl_decision_refuse(d, 422, "validation failed", "name", "is too long");
    }
    const fl_cat_category_t *cat = refs->category;
    if (cat == NULL || !cat->e.exists || cat->e.deleted) {
        cat = NULL;
        json_object_set_new(data, "category_id", json_null());
    }
    json_object_set_new(data, "name", json_string(name));
    json_object_set_new(data, "source_id", json_string(s->e.id));
    return start(ctx, data, "catalog_item.cloned", cat, d);
}

/*
 * Commands -> events for bundles. Pure.
 *
 *   from     command   to       events
 *   (none)   create    live     catalog_bundle.created
 *   live     update    live     catalog_bundle.updated (items replaced whole)
 *   live     delete    deleted  catalog_bundle.deleted (soft)
 *
 * Every other pair is 404. Items are checked when the bundle names them:
 * they must exist and not be retired (one retired later stays listed, and
 * the requests module refuses to order it).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define NOT_FOUND "bundle not found"

static int check_items(const fl_cmd_ctx_t *ctx, const json_t *v, const fl_cat_item_t *const *items,
                       fl_decision_t *d)
{
    char path[48];
    size_t i;
    json_t *x;

    json_array_foreach(json_object_get(v, "items"), i, x)
    {
        const fl_cat_item_t *it = items != NULL ? items[i] : NULL;
        const char *why = it == NULL || !it->e.exists    ? "no such item"
                          : it->status == FL_CAT_RETIRED ? "the item is retired"
                                                         : NULL;
        if (why == NULL)
            continue;
        snprintf(path, sizeof(path), "items[%zu].item_id", i);
        fl_decision_field(d, fl_arena_strndup(ctx->a, path, strlen(path)), why);
    }
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

int fl_cat_decide_bundle_create(const fl_cmd_ctx_t *ctx, const json_t *v,
                                const fl_cat_item_t *const *items, fl_decision_t *d)
{
    char *id;
    int rc;

    if (check_items(ctx, v, items, d) < 0)
        return FL_EINVAL;
    if ((id = fl_uuid_new(ctx->a)) == NULL)
        return FL_ETOOBIG;
    json_t *data = json_deep_copy(v);
    json_object_set_new(data, "id", json_string(id));
    rc = fl_decision_emit_at(d, ctx, fl_cat_bundle_stream(ctx->a, id), FL_LOG_NO_STREAM,
                             "catalog_bundle.created", data);
    d->location = fl_arena_concat(ctx->a, "/api/v1/catalog/bundles/", id);
    return rc == 0 && d->location == NULL ? FL_ETOOBIG : rc;
}

int fl_cat_decide_bundle_update(const fl_cmd_ctx_t *ctx, const fl_cat_bundle_t *s, int64_t expected,
                                const json_t *v, const fl_cat_item_t *const *items,
                                fl_decision_t *d)
{
    if (fl__cat_check_live(&s->e, NOT_FOUND, d) < 0)
        return FL_EINVAL;
    json_t *ch = fl__cat_changes(&s->e, v);
    int rc = 0;

    if (json_object_get(ch, "items") != NULL)
        rc = check_items(ctx, v, items, d);
    if (rc == 0 && json_object_size(ch) > 0)
        rc = fl_decision_emit_at(d, ctx, fl_cat_bundle_stream(ctx->a, s->e.id),
                                 fl__cat_expected(&s->e, expected), "catalog_bundle.updated",
                                 json_pack("{s:s,s:O}", "id", s->e.id, "changes", ch));
    json_decref(ch);
    return rc;
}

int fl_cat_decide_bundle_delete(const fl_cmd_ctx_t *ctx, const fl_cat_bundle_t *s, int64_t expected,
                                fl_decision_t *d)
{
    if (fl__cat_check_live(&s->e, NOT_FOUND, d) < 0)
        return FL_EINVAL;
    return fl_decision_emit_at(
        d, ctx, fl_cat_bundle_stream(ctx->a, s->e.id), fl__cat_expected(&s->e, expected),
        "catalog_bundle.deleted",
        json_pack("{s:s,s:o}", "id", s->e.id, "name", fl_cat_field(&s->e, "name")));
}

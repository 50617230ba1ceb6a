/*
 * Commands -> events for issue categories. Pure: time is ctx->now, memory
 * ctx->a.
 *
 *   from     command   to       events
 *   (none)   create    live     issue_category.created + .linked (siblings' stream)
 *   live     update    live     issue_category.updated [+ .unlinked old, .linked new]
 *   live     delete    deleted  issue_category.deleted + .unlinked
 *
 * Every other pair is 404: a deleted category is gone for the API.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "firelater/err.h"
#include "internal.h"

typedef enum state { ST_NONE, ST_LIVE, ST_DELETED, ST__N } state_t;

static const bool accepts[ST__N] = {[ST_NONE] = false, [ST_LIVE] = true, [ST_DELETED] = false};

static int check_live(const fl_icat_state_t *s, fl_decision_t *d)
{
    state_t st = !s->exists ? ST_NONE : s->deleted ? ST_DELETED : ST_LIVE;

    return accepts[st] ? 0 : fl_decision_refuse(d, 404, "category not found", NULL, NULL);
}

static json_t *link_data(const char *id, const char *parent, const char *name)
{
    json_t *j = json_pack("{s:s,s:o}", "issue_category_id", id, "parent_id",
                          fl_json_str_or_null(parent != NULL && *parent ? parent : NULL));

    if (name != NULL)
        json_object_set_new(j, "name", json_string(name));
    return j;
}

/* The new place: parent live, no cycle (self: the category moved, or NULL), not too deep. */
static int check_place(const char *self, const fl_icat_refs_t *r, fl_decision_t *d)
{
    const fl_icat_state_t *p = r->parent;

    if (p == NULL)
        return r->height > FL_ICATS_MAX_DEPTH
                   ? fl_decision_refuse(d, 422, "validation failed", "parent_id", "too deep")
                   : 0;
    if (!p->exists)
        return fl_decision_refuse(d, 422, "validation failed", "parent_id", "no such category");
    if (p->deleted)
        return fl_decision_refuse(d, 422, "validation failed", "parent_id",
                                  "the category was deleted");
    for (size_t i = 0; self != NULL && i < r->n_chain; i++) {
        if (strcmp(r->chain[i].id, self) == 0)
            return fl_decision_refuse(d, 409, "a category cannot be its own ancestor", "parent_id",
                                      "a category cannot be its own ancestor");
    }
    if (r->n_chain + (size_t)(r->height > 0 ? r->height : 1) > FL_ICATS_MAX_DEPTH)
        return fl_decision_refuse(d, 422, "validation failed", "parent_id",
                                  "categories nest at most 5 levels deep");
    return 0;
}

/* 409 when a sibling other than self has the name (ASCII case folded), or there are too many. */
static int check_name(const char *self, const char *name, const fl_icat_children_t *sib,
                      bool adding, fl_decision_t *d)
{
    for (size_t i = 0; sib != NULL && i < sib->n; i++) {
        if ((self == NULL || strcmp(sib->c[i].id, self) != 0) && sib->c[i].name != NULL &&
            strcasecmp(sib->c[i].name, name) == 0)
            return fl_decision_refuse(d, 409, "name in use", "name",
                                      "a sibling category has this name");
    }
    if (adding && sib != NULL && sib->n >= FL_ICATS_MAX_CHILDREN)
        return fl_decision_refuse(d, 409, "too many categories under this parent", "parent_id",
                                  "at most 1000 categories under one parent");
    return 0;
}

/* Expects the parent and its ancestors unchanged. */
static int expect_chain(const fl_cmd_ctx_t *ctx, const fl_icat_refs_t *r, fl_decision_t *d)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < r->n_chain; i++)
        rc = fl_decision_expect(d, fl_icats_stream(ctx->a, r->chain[i].id),
                                (int64_t)r->chain[i].version);
    return rc;
}

int fl_icats_decide_create(const fl_cmd_ctx_t *ctx, const fl_icat_cmd_t *cmd,
                           const fl_icat_refs_t *refs, fl_decision_t *d)
{
    const char *parent = cmd->parent_id;
    char *id;
    int rc;

    if (check_place(NULL, refs, d) < 0 || check_name(NULL, cmd->name, refs->siblings, true, d) < 0)
        return FL_EINVAL;
    if ((id = fl_uuid_new(ctx->a)) == NULL)
        return FL_ETOOBIG;
    json_t *data =
        json_pack("{s:s,s:s,s:o,s:o,s:I,s:b}", "id", id, "name", cmd->name, "description",
                  fl_json_str_or_null(cmd->description), "parent_id", fl_json_str_or_null(parent),
                  "sort_order", (json_int_t)cmd->sort_order, "is_active", cmd->is_active);
    rc = fl_decision_emit_at(d, ctx, fl_icats_stream(ctx->a, id), FL_LOG_NO_STREAM,
                             "issue_category.created", data);
    if (rc == 0)
        rc = fl_decision_emit_at(d, ctx, fl_icats_children_stream(ctx->a, parent),
                                 refs->siblings != NULL ? (int64_t)refs->siblings->version
                                                        : FL_LOG_NO_STREAM,
                                 "issue_category.linked", link_data(id, parent, cmd->name));
    if (rc == 0)
        rc = expect_chain(ctx, refs, d);
    d->location = fl_arena_concat(ctx->a, "/api/v1/issues/categories/", id);
    return rc == 0 && d->location == NULL ? FL_ETOOBIG : rc;
}

/* {field: {from, to}} for the fields of cmd that change. */
static json_t *changes_of(const fl_icat_state_t *s, const fl_icat_cmd_t *c)
{
    json_t *ch = json_object();
    const char *pid = s->parent_id[0] != '\0' ? s->parent_id : NULL;

#define CHANGE(flag, key, same, from, to)                                                          \
    if ((c->set & (flag)) && !(same))                                                              \
        json_object_set_new(ch, key, json_pack("{s:o,s:o}", "from", from, "to", to));
    CHANGE(FL_ICAT_F_NAME, "name", strcmp(s->name, c->name) == 0, json_string(s->name),
           json_string(c->name))
    CHANGE(FL_ICAT_F_DESCRIPTION, "description",
           s->description == c->description ||
               (s->description && c->description && !strcmp(s->description, c->description)),
           fl_json_str_or_null(s->description), fl_json_str_or_null(c->description))
    CHANGE(FL_ICAT_F_PARENT_ID, "parent_id",
           pid == c->parent_id || (pid && c->parent_id && !strcmp(pid, c->parent_id)),
           fl_json_str_or_null(pid), fl_json_str_or_null(c->parent_id))
    CHANGE(FL_ICAT_F_SORT_ORDER, "sort_order", s->sort_order == c->sort_order,
           json_integer(s->sort_order), json_integer(c->sort_order))
    CHANGE(FL_ICAT_F_IS_ACTIVE, "is_active", s->is_active == c->is_active,
           json_boolean(s->is_active), json_boolean(c->is_active))
#undef CHANGE
    return ch;
}

/* The siblings' streams after a move or a rename. */
static int relink(const fl_cmd_ctx_t *ctx, const fl_icat_state_t *s, const json_t *ch,
                  const char *name, const fl_icat_refs_t *refs, fl_decision_t *d)
{
    const json_t *moved = json_object_get(ch, "parent_id");
    const char *to = json_string_value(json_object_get(moved, "to"));
    int64_t v = refs->siblings != NULL ? (int64_t)refs->siblings->version : FL_LOG_ANY;
    int rc = 0;

    if (moved != NULL)
        rc = fl_decision_emit_at(d, ctx, fl_icats_children_stream(ctx->a, s->parent_id), FL_LOG_ANY,
                                 "issue_category.unlinked", link_data(s->id, s->parent_id, NULL));
    if (rc == 0 && (moved != NULL || json_object_get(ch, "name") != NULL))
        rc = fl_decision_emit_at(
            d, ctx, fl_icats_children_stream(ctx->a, moved ? to : s->parent_id), v,
            "issue_category.linked", link_data(s->id, moved ? to : s->parent_id, name));
    return rc == 0 && moved != NULL ? expect_chain(ctx, refs, d) : rc;
}

int fl_icats_decide_update(const fl_cmd_ctx_t *ctx, const fl_icat_state_t *s, int64_t expected,
                           const fl_icat_cmd_t *cmd, const fl_icat_refs_t *refs, fl_decision_t *d)
{
    if (check_live(s, d) < 0)
        return FL_EINVAL;
    json_t *ch = changes_of(s, cmd);
    const char *name = json_object_get(ch, "name") != NULL ? cmd->name : s->name;
    bool moved = json_object_get(ch, "parent_id") != NULL;
    if (json_object_size(ch) == 0) {
        json_decref(ch);
        return 0;
    }
    if ((moved && check_place(s->id, refs, d) < 0) ||
        ((moved || json_object_get(ch, "name") != NULL) &&
         check_name(s->id, name, refs->siblings, moved, d) < 0)) {
        json_decref(ch);
        return FL_EINVAL;
    }
    json_incref(ch);
    int rc = fl_decision_emit_at(d, ctx, fl_icats_stream(ctx->a, s->id),
                                 expected == FL_LOG_ANY ? (int64_t)s->version : expected,
                                 "issue_category.updated",
                                 json_pack("{s:s,s:o}", "id", s->id, "changes", ch));
    if (rc == 0)
        rc = relink(ctx, s, ch, name, refs, d);
    json_decref(ch);
    return rc;
}

int fl_icats_decide_delete(const fl_cmd_ctx_t *ctx, const fl_icat_state_t *s, int64_t expected,
                           const fl_icat_children_t *children, fl_decision_t *d)
{
    size_t n = children != NULL ? children->n : 0;
    int rc;

    if (check_live(s, d) < 0)
        return FL_EINVAL;
    if (n > 0) {
        char *list = fl_arena_alloc(ctx->a, 1024);
        size_t len = 0;
        for (size_t i = 0; list != NULL && i < n && len < 900; i++)
            len += (size_t)snprintf(list + len, 1024 - len, "%s%s", i ? ", " : "has children: ",
                                    children->c[i].name != NULL ? children->c[i].name : "?");
        return fl_decision_refuse(d, 409, "the category has children", "children",
                                  list != NULL ? list : "has children");
    }
    rc = fl_decision_emit_at(d, ctx, fl_icats_stream(ctx->a, s->id),
                             expected == FL_LOG_ANY ? (int64_t)s->version : expected,
                             "issue_category.deleted",
                             json_pack("{s:s,s:s,s:o}", "id", s->id, "name", s->name, "parent_id",
                                       fl_json_str_or_null(s->parent_id[0] ? s->parent_id : NULL)));
    if (rc == 0)
        rc = fl_decision_emit_at(d, ctx, fl_icats_children_stream(ctx->a, s->parent_id), FL_LOG_ANY,
                                 "issue_category.unlinked", link_data(s->id, s->parent_id, NULL));
    if (rc == 0)
        rc = fl_decision_expect(d, fl_icats_children_stream(ctx->a, s->id),
                                children != NULL && children->version > 0
                                    ? (int64_t)children->version
                                    : FL_LOG_NO_STREAM);
    return rc;
}

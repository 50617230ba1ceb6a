/*
 * The catalog's items (/api/v1/catalog/items): create, update, publish,
 * retire (DELETE), clone, the lists and one item (?form_version=N for an
 * older published form, ?as_of= for its past). Writes load what the body
 * names (the category, groups, the SLA policy) for the pure deciders.
 * Callers without catalog:update see only active items visible to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_catalog.h"
#include "firelater/err.h"
#include "firelater/groups.h"
#include "firelater/sla.h"

#define FORMS_KEPT 256 /* compiled forms kept per tenant */

fl_catalog_forms_t *fl_srv_catalog_forms(fl_srv_tenant_t *t)
{
    if (t->forms == NULL)
        fl_catalog_forms_init(&t->forms, FORMS_KEPT);
    return t->forms;
}

static json_t *render(const void *state, uint64_t version)
{
    (void)version;
    return fl_cat_item_to_json(state, 0);
}

static bool live(const void *state)
{
    return ((const fl_cat_item_t *)state)->e.exists;
}

static fl_commit_t *commit(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->type = &fl_cat_item_agg;
    c->render = render;
    c->stream = id != NULL ? fl_cat_item_stream(&req->arena, id) : NULL;
    return c;
}

static const fl_cat_category_t *category(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    return fl__cat_load(req, p->tenant, &fl_cat_category_agg, fl_cat_category_stream, id);
}

/* Every group v names, and its SLA policy, found live or not. */
static void load_names(fl_http_req_t *req, fl_principal_t *p, const json_t *v,
                       fl_cat_item_refs_t *r)
{
    const char *ids[2 * FL_CAT_MAX_GROUPS + 1];
    size_t n = fl_cat_item_group_ids(v, ids, 2 * FL_CAT_MAX_GROUPS + 1);
    fl_cat_ref_t *g = fl_arena_alloc(&req->arena, (n + 1) * sizeof(*g));
    for (size_t i = 0; i < n; i++) {
        const fl_group_state_t *s =
            fl_srv_agg_copy(req, p->tenant, &fl_group_agg, fl_groups_stream(&req->arena, ids[i]));
        g[i] = (fl_cat_ref_t){ids[i], s != NULL && s->exists && !s->deleted};
    }
    r->groups = g;
    r->n_groups = n;
    const char *sla = json_string_value(json_object_get(v, "sla_policy_id"));
    if (sla == NULL)
        return;
    const fl_sla_config_t *cfg = fl_srv_agg_copy(req, p->tenant, &fl_sla_config_agg, FL_SLA_STREAM);
    const fl_sla_policy_t *pol = cfg != NULL ? fl_sla_policy_find(cfg, sla) : NULL;
    fl_cat_ref_t *ref = fl_arena_alloc(&req->arena, sizeof(*ref));
    *ref = (fl_cat_ref_t){sla, pol != NULL && !pol->deleted};
    r->sla_policy = ref;
}

/* The refs of a command on item s (NULL for a create) with values v (NULL: none). */
static void load_refs(fl_http_req_t *req, fl_principal_t *p, const fl_cat_item_t *s,
                      const json_t *v, fl_cat_item_refs_t *r)
{
    json_t *now = s != NULL ? fl_cat_field(&s->e, "category_id") : json_null();
    const json_t *to = v != NULL ? json_object_get(v, "category_id") : NULL;
    memset(r, 0, sizeof(*r));
    if (v != NULL)
        load_names(req, p, v, r);
    r->category = category(req, p, json_string_value(to != NULL ? to : now));
    if (s != NULL && to != NULL)
        r->old_category = category(req, p, json_string_value(now));
    json_decref(now);
}

int fl_api_catalog_items_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_cat_item_refs_t refs;
    json_t *v;
    fl_commit_t *c = commit(req, p, NULL);
    c->status = 201;
    c->location = "/api/v1/catalog/items/";
    c->idem_key = fl_srv_idem_key(req, p, "catitem", true);
    if (fl_commit_replayed(s, c))
        return 0;
    int rc = fl__cat_body(req, fl_cat_decode_item, true, &v, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        load_refs(req, p, NULL, v, &refs);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_cat_decide_item_create(&ctx, v, &refs, &c->d);
    }
    json_decref(v);
    fl_commit_submit(s, c);
    return 0;
}

static const fl_cat_item_t *target(fl_http_req_t *req, fl_principal_t *p, int64_t *expected)
{
    return fl__cat_target(req, p, &fl_cat_item_agg, fl_cat_item_stream, "no such item", expected);
}

int fl_api_catalog_items_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_cat_item_refs_t refs;
    int64_t expected;
    json_t *v;
    const fl_cat_item_t *it = target(req, p, &expected);
    if (it == NULL)
        return 0;
    fl_commit_t *c = commit(req, p, it->e.id);
    int rc = fl__cat_body(req, fl_cat_decode_item, false, &v, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        load_refs(req, p, it, v, &refs);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_cat_decide_item_update(&ctx, it, expected, v, &refs, &c->d);
    }
    json_decref(v);
    fl_commit_submit(s, c);
    return 0;
}

typedef int (*lifecycle_fn)(const fl_cmd_ctx_t *, const fl_cat_item_t *, int64_t,
                            const fl_cat_item_refs_t *, fl_decision_t *);

/* publish and retire: no body, the item's own category. */
static int lifecycle(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, lifecycle_fn fn)
{
    fl_cmd_ctx_t ctx;
    fl_cat_item_refs_t refs;
    int64_t expected;
    const fl_cat_item_t *it = target(req, p, &expected);
    if (it == NULL)
        return 0;
    fl_commit_t *c = commit(req, p, it->e.id);
    load_refs(req, p, it, NULL, &refs);
    fl_srv_cmd_ctx(req, p, &ctx);
    fn(&ctx, it, expected, &refs, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_catalog_items_publish(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return lifecycle(s, req, p, fl_cat_decide_item_publish);
}

int fl_api_catalog_items_retire(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return lifecycle(s, req, p, fl_cat_decide_item_retire);
}

int fl_api_catalog_items_clone(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_cat_item_refs_t refs;
    int64_t expected;
    const char *name = NULL;
    json_t *body = NULL;
    const fl_cat_item_t *it = target(req, p, &expected);
    if (it == NULL)
        return 0;
    fl_commit_t *c = commit(req, p, NULL);
    c->status = 201;
    c->location = "/api/v1/catalog/items/";
    if (req->body_len > 0 && fl_http_read_json(req, &body) != 0)
        return 0;
    int rc = fl_cat_decode_clone(body, &req->arena, &name, &c->d);
    json_decref(body);
    if (rc == 0) {
        load_refs(req, p, it, NULL, &refs);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_cat_decide_item_clone(&ctx, it, name, &refs, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

/* ------------------------------------------------------------------ reads */

int fl_api_catalog_items_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return fl__cat_list(s, req, p, fl_cat_items_query);
}

static void on_one(fl__cat_read_t *r, fl_store_res_t *res)
{
    int col = fl_store_res_col(res, "no_version");
    if (fl_store_res_rows(res) == 1 && col >= 0 &&
        strcmp(fl_store_res_value(res, 0, col), "t") == 0) {
        fl_http_respond_error(r->req, 404, "no such form version");
        return;
    }
    fl_srv_answer_entity(r->req, fl_store_res_rows(res) == 1 ? fl_json_row(res, 0) : NULL,
                         "no such item");
}

/* ?form_version=N: 1 to 1000000, else 0 after answering 422. */
static long form_version(fl_http_req_t *req)
{
    const char *v = fl_http_query(req, "form_version");
    long n = 0;
    const char *why = v != NULL ? fl_param_count(v, 1000000, &n) : NULL;
    if (why != NULL) {
        fl_problem_error_t e = {"form_version", why};
        fl_problem_t pr = {
            .slug = "validation", .title = "validation failed", .errors = &e, .n_errors = 1};
        fl_http_respond_problem(req, 422, &pr);
        return -1;
    }
    return n;
}

int fl_api_catalog_items_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    bool manager = fl__cat_manager(p);
    if (manager && fl_uuid_is_valid(id) &&
        fl_srv_answer_as_of(req, p->tenant, &fl_cat_item_agg, fl_cat_item_stream(&req->arena, id),
                            render, live))
        return 0;
    if (!fl_srv_params_only(req, "form_version"))
        return 0;
    long n = form_version(req);
    if (n < 0)
        return 0;
    fl__cat_read_t *r = fl__cat_read_new(req, on_one);
    if (fl_cat_item_get_query(id, manager ? NULL : p->user_id, (int)n, &req->arena, &r->q) != 0)
        return fl_http_respond_error(req, 404, "no such item");
    return fl__cat_read_run(s, p, r);
}

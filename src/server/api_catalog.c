/*
 * The catalog's categories (/api/v1/catalog/categories) and what the
 * catalog's endpoints share. Writes decide against the category and the
 * tenant's whole category tree (catalog_tree); reads walk the tree of the
 * read model (src/domain/catalog/tree.c). Hidden categories and their
 * subtrees are only for catalog managers (catalog:update).
 */
#include <stdio.h>
#include <string.h>

#include "api_catalog.h"
#include "firelater/err.h"

bool fl__cat_manager(const fl_principal_t *p)
{
    return fl_srv_can(p, FL_RES_CATALOG, FL_ACT_UPDATE);
}

int fl__cat_body(fl_http_req_t *req, fl__cat_decode_fn fn, bool create, json_t **v,
                 fl_decision_t *d)
{
    json_t *body;

    *v = NULL;
    if (fl_http_read_json(req, &body) != 0)
        return 1;
    int rc = fn(body, create, &req->arena, v, d);
    json_decref(body);
    return rc;
}

const void *fl__cat_load(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_agg_type_t *type,
                         char *(*stream)(fl_arena_t *, const char *), const char *id)
{
    char low[FL_UUID_LEN + 1];

    if (id == NULL || !fl_uuid_is_valid(id))
        return NULL;
    for (size_t i = 0; i <= FL_UUID_LEN; i++)
        low[i] = (char)(id[i] >= 'A' && id[i] <= 'F' ? id[i] - 'A' + 'a' : id[i]);
    return fl_srv_agg_copy(req, t, type, stream(&req->arena, low));
}

const void *fl__cat_target(fl_http_req_t *req, fl_principal_t *p, const fl_agg_type_t *type,
                           char *(*stream)(fl_arena_t *, const char *), const char *missing,
                           int64_t *expected)
{
    *expected = fl_srv_if_match(req);
    if (*expected == FL_SRV_BAD_IF_MATCH) {
        fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
        return NULL;
    }
    const fl_cat_entity_t *e = fl__cat_load(req, p->tenant, type, stream, fl_http_param(req, "id"));
    if (e == NULL || !e->exists || e->deleted) {
        fl_http_respond_error(req, 404, missing);
        return NULL;
    }
    return e;
}

static void on_read(fl_store_res_t *res, void *ctx)
{
    fl__cat_read_t *r = ctx;
    if (!fl_srv_res_failed(r->req, res))
        r->on_rows(r, res);
}

fl__cat_read_t *fl__cat_read_new(fl_http_req_t *req,
                                 void (*on_rows)(fl__cat_read_t *, fl_store_res_t *))
{
    fl__cat_read_t *r = fl_arena_alloc(&req->arena, sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->req = req;
    r->on_rows = on_rows;
    return r;
}

int fl__cat_read_run(fl_server_t *s, fl_principal_t *p, fl__cat_read_t *r)
{
    return fl_srv_query(s, r->req, p->tenant->schema, r->q.sql, r->q.nparams, r->q.params, on_read,
                        r);
}

static void page_rows(fl__cat_read_t *r, fl_store_res_t *res)
{
    fl_http_respond_json(r->req, 200, fl_json_page(res, r->q.page, r->q.per_page));
}

int fl__cat_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, fl__cat_list_fn fn)
{
    fl_decision_t d;
    fl__cat_read_t *r = fl__cat_read_new(req, page_rows);
    fl_decision_init(&d);
    if (fn(req->query, req->n_query, fl__cat_manager(p) ? NULL : p->user_id, &req->arena, &r->q,
           &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    return fl__cat_read_run(s, p, r);
}

/* ------------------------------------------------------------- categories */

static json_t *render(const void *state, uint64_t version)
{
    (void)version;
    return fl_cat_category_to_json(state);
}

static bool live(const void *state)
{
    const fl_cat_category_t *c = state;
    return c->e.exists && !c->e.deleted;
}

static fl_commit_t *commit(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->type = &fl_cat_category_agg;
    c->render = render;
    c->stream = id != NULL ? fl_cat_category_stream(&req->arena, id) : NULL;
    return c;
}

static const fl_cat_tree_t *tree(fl_http_req_t *req, fl_principal_t *p)
{
    return fl_srv_agg_copy(req, p->tenant, &fl_cat_tree_agg, FL_CAT_TREE_STREAM);
}

int fl_api_catalog_categories_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    json_t *v;
    fl_commit_t *c = commit(req, p, NULL);
    c->status = 201;
    c->location = "/api/v1/catalog/categories/";
    c->idem_key = fl_srv_idem_key(req, p, "catcat", true);
    if (fl_commit_replayed(s, c))
        return 0;
    int rc = fl__cat_body(req, fl_cat_decode_category, true, &v, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_cat_decide_category_create(&ctx, v, tree(req, p), &c->d);
    }
    json_decref(v);
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_catalog_categories_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    int64_t expected;
    json_t *v;
    const fl_cat_category_t *cat = fl__cat_target(
        req, p, &fl_cat_category_agg, fl_cat_category_stream, "no such category", &expected);
    if (cat == NULL)
        return 0;
    fl_commit_t *c = commit(req, p, cat->e.id);
    int rc = fl__cat_body(req, fl_cat_decode_category, false, &v, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_cat_decide_category_update(&ctx, cat, expected, v, tree(req, p), &c->d);
    }
    json_decref(v);
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_catalog_categories_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    int64_t expected;
    const fl_cat_category_t *cat = fl__cat_target(
        req, p, &fl_cat_category_agg, fl_cat_category_stream, "no such category", &expected);
    if (cat == NULL)
        return 0;
    fl_commit_t *c = commit(req, p, cat->e.id);
    c->render = NULL;
    fl_srv_cmd_ctx(req, p, &ctx);
    fl_cat_decide_category_delete(&ctx, cat, expected, tree(req, p), &c->d);
    fl_commit_submit(s, c);
    return 0;
}

static void on_list(fl__cat_read_t *r, fl_store_res_t *res)
{
    fl_http_respond_json(r->req, 200, fl_cat_categories_json(res, &r->q));
}

static void on_one(fl__cat_read_t *r, fl_store_res_t *res)
{
    fl_srv_answer_entity(r->req, fl_cat_category_find(res, &r->q, r->id), "no such category");
}

int fl_api_catalog_categories_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_decision_t d;
    fl__cat_read_t *r = fl__cat_read_new(req, on_list);
    fl_decision_init(&d);
    if (fl_cat_categories_query(req->query, req->n_query, fl__cat_manager(p), &req->arena, &r->q,
                                &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    return fl__cat_read_run(s, p, r);
}

int fl_api_catalog_categories_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    bool manager = fl__cat_manager(p);
    if (manager && fl_uuid_is_valid(id) &&
        fl_srv_answer_as_of(req, p->tenant, &fl_cat_category_agg,
                            fl_cat_category_stream(&req->arena, id), render, live))
        return 0;
    if (!fl_srv_params_only(req, NULL))
        return 0;
    if (!fl_uuid_is_valid(id))
        return fl_http_respond_error(req, 404, "no such category");
    fl__cat_read_t *r = fl__cat_read_new(req, on_one);
    r->id = id;
    fl_cat_category_get_query(&r->q, manager);
    return fl__cat_read_run(s, p, r);
}

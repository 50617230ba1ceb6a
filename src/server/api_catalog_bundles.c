/*
 * The catalog's bundles (/api/v1/catalog/bundles). A write loads the items
 * the body names for the decider, and its answer shows them with their
 * names and the discounted total, from the write side; reads come from the
 * read model, with only active bundles for callers without catalog:update.
 */
#include <stdio.h>
#include <string.h>

#include "api_catalog.h"
#include "firelater/err.h"

/* The states of the items of list ([{item_id}...]), in its order; NULL entries: unknown. */
static const fl_cat_item_t **load_items(fl_http_req_t *req, fl_srv_tenant_t *t, const json_t *list)
{
    size_t n = json_array_size(list), i;
    const fl_cat_item_t **items = fl_arena_alloc(&req->arena, (n + 1) * sizeof(*items));
    json_t *x;

    json_array_foreach(list, i, x)
    {
        const fl_cat_item_t *it = fl__cat_load(req, t, &fl_cat_item_agg, fl_cat_item_stream,
                                               json_string_value(json_object_get(x, "item_id")));
        items[i] = it != NULL && it->e.exists ? it : NULL;
    }
    return items;
}

/* The answer: the bundle with its items, from the write side. */
static void on_done(fl_commit_t *c, int rc)
{
    fl_server_t *s = c->ctx;
    if (rc != 0 || fl_decision_failed(&c->d) || c->status == 204) {
        fl_commit_answer(s, c, rc, false);
        return;
    }
    const char *stream = c->stream != NULL ? c->stream : c->d.events[0].stream;
    fl_decision_release(&c->d);
    const fl_cat_bundle_t *b = fl_srv_agg_copy(c->req, c->tenant, &fl_cat_bundle_agg, stream);
    if (b == NULL || !b->e.exists) {
        fl_http_respond_error(c->req, 500, "the bundle could not be read back");
        return;
    }
    json_t *items = fl_cat_field(&b->e, "items");
    json_t *body = fl_cat_bundle_to_json(b, load_items(c->req, c->tenant, items));
    json_decref(items);
    char buf[160];
    snprintf(buf, sizeof(buf), "\"%llu\"", (unsigned long long)b->e.version);
    fl_http_set_header(c->req, "ETag", buf);
    snprintf(buf, sizeof(buf), "%llu",
             (unsigned long long)(c->result.first_pos + c->result.count - 1));
    if (c->result.count > 0)
        fl_http_set_header(c->req, "X-Log-Position", buf);
    if (c->status == 201) {
        snprintf(buf, sizeof(buf), "/api/v1/catalog/bundles/%s", b->e.id);
        fl_http_set_header(c->req, "Location", buf);
    }
    fl_http_respond_json(c->req, c->status, body);
}

static fl_commit_t *commit(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->type = &fl_cat_bundle_agg;
    c->stream = id != NULL ? fl_cat_bundle_stream(&req->arena, id) : NULL;
    c->status = 200;
    c->done = on_done;
    c->ctx = s;
    return c;
}

int fl_api_catalog_bundles_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    json_t *v;
    fl_commit_t *c = commit(s, req, p, NULL);
    c->status = 201;
    int rc = fl__cat_body(req, fl_cat_decode_bundle, true, &v, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_cat_decide_bundle_create(&ctx, v,
                                    load_items(req, p->tenant, json_object_get(v, "items")), &c->d);
    }
    json_decref(v);
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_catalog_bundles_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    int64_t expected;
    json_t *v;
    const fl_cat_bundle_t *b = fl__cat_target(req, p, &fl_cat_bundle_agg, fl_cat_bundle_stream,
                                              "no such bundle", &expected);
    if (b == NULL)
        return 0;
    fl_commit_t *c = commit(s, req, p, b->e.id);
    int rc = fl__cat_body(req, fl_cat_decode_bundle, false, &v, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_cat_decide_bundle_update(&ctx, b, expected, v,
                                    load_items(req, p->tenant, json_object_get(v, "items")), &c->d);
    }
    json_decref(v);
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_catalog_bundles_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    int64_t expected;
    const fl_cat_bundle_t *b = fl__cat_target(req, p, &fl_cat_bundle_agg, fl_cat_bundle_stream,
                                              "no such bundle", &expected);
    if (b == NULL)
        return 0;
    fl_commit_t *c = commit(s, req, p, b->e.id);
    c->status = 204;
    fl_srv_cmd_ctx(req, p, &ctx);
    fl_cat_decide_bundle_delete(&ctx, b, expected, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_catalog_bundles_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return fl__cat_list(s, req, p, fl_cat_bundles_query);
}

static void on_one(fl__cat_read_t *r, fl_store_res_t *res)
{
    fl_srv_answer_entity(r->req, fl_store_res_rows(res) == 1 ? fl_json_row(res, 0) : NULL,
                         "no such bundle");
}

int fl_api_catalog_bundles_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    if (!fl_srv_params_only(req, NULL))
        return 0;
    fl__cat_read_t *r = fl__cat_read_new(req, on_one);
    if (fl_cat_bundle_get_query(fl_http_param(req, "id"), fl__cat_manager(p) ? NULL : p->user_id,
                                &r->q) != 0)
        return fl_http_respond_error(req, 404, "no such bundle");
    return fl__cat_read_run(s, p, r);
}

/*
 * Issue categories' endpoints (/api/v1/issues/categories). Writes decide
 * against the category's aggregate, its proposed parent's chain up to the
 * root and the siblings' children stream (names unique among siblings
 * whatever the read model says); reads run the tree walk on the read model.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "firelater/err.h"
#include "firelater/issue_categories.h"

static json_t *render(const void *state, uint64_t version)
{
    (void)version;
    return fl_icat_to_json(state);
}

static bool live(const void *state)
{
    const fl_icat_state_t *c = state;
    return c->exists && !c->deleted;
}

static const fl_icat_state_t *load(fl_http_req_t *req, fl_srv_tenant_t *t, const char *id)
{
    if (id == NULL || !fl_uuid_is_valid(id))
        return NULL;
    return fl_srv_agg_copy(req, t, &fl_icat_agg, fl_icats_stream(&req->arena, id));
}

/* Walks from parent_id to the root: the chain of links, nearest first. */
static void load_chain(fl_http_req_t *req, fl_srv_tenant_t *t, const char *parent_id,
                       fl_icat_refs_t *r)
{
    fl_icat_link_t *chain = fl_arena_alloc(&req->arena, (FL_ICATS_MAX_DEPTH + 2) * sizeof(*chain));
    const char *id = parent_id;
    r->chain = chain;
    r->n_chain = 0;
    while (id != NULL && *id != '\0' && r->n_chain < FL_ICATS_MAX_DEPTH + 2) {
        const fl_icat_state_t *c = load(req, t, id);
        if (c == NULL || !c->exists)
            break;
        snprintf(chain[r->n_chain].id, sizeof(chain[0].id), "%s", c->id);
        chain[r->n_chain++].version = c->version;
        id = c->parent_id;
    }
}

/* Levels of the subtree under id (1 for a leaf), through the children streams. */
static int height(fl_http_req_t *req, fl_srv_tenant_t *t, const char *id, int depth)
{
    const fl_icat_children_t *ch =
        fl_srv_agg_copy(req, t, &fl_icat_children_agg, fl_icats_children_stream(&req->arena, id));
    int best = 0;
    for (size_t i = 0; ch != NULL && depth < 32 && i < ch->n; i++) {
        int h = height(req, t, ch->c[i].id, depth + 1);
        best = h > best ? h : best;
    }
    return best + 1;
}

/* The references of a create (s NULL) or update: parent, chain, siblings, height. */
static void load_refs(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_icat_state_t *s,
                      const fl_icat_cmd_t *cmd, fl_icat_refs_t *r)
{
    bool moves = s == NULL || (cmd->set & FL_ICAT_F_PARENT_ID);
    const char *parent = moves ? cmd->parent_id : s->parent_id;
    memset(r, 0, sizeof(*r));
    if (moves && parent != NULL) {
        r->parent = load(req, t, parent);
        load_chain(req, t, parent, r);
    }
    r->siblings = fl_srv_agg_copy(req, t, &fl_icat_children_agg,
                                  fl_icats_children_stream(&req->arena, parent));
    r->height = s != NULL && moves ? height(req, t, s->id, 1) : 1;
}

static fl_commit_t *commit(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->type = &fl_icat_agg;
    c->render = render;
    c->stream = id != NULL ? fl_icats_stream(&req->arena, id) : NULL;
    return c;
}

typedef int (*decode_fn)(const json_t *, fl_arena_t *, fl_icat_cmd_t *, fl_decision_t *);
/* 0, FL_EINVAL (d says why) or 1 (the body could not be read: answered). */
static int decode_body(fl_http_req_t *req, decode_fn fn, fl_icat_cmd_t *cmd, fl_decision_t *d)
{
    json_t *body;
    if (fl_http_read_json(req, &body) != 0)
        return 1;
    int rc = fn(body, &req->arena, cmd, d);
    json_decref(body);
    return rc;
}

int fl_api_icats_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_icat_cmd_t cmd;
    fl_icat_refs_t refs;
    fl_commit_t *c = commit(req, p, NULL);
    c->status = 201;
    c->location = "/api/v1/issues/categories/";
    c->idem_key = fl_srv_idem_key(req, p, "icat", true);
    if (fl_commit_replayed(s, c))
        return 0;
    int rc = decode_body(req, fl_icats_decode_create, &cmd, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        load_refs(req, p->tenant, NULL, &cmd, &refs);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_icats_decide_create(&ctx, &cmd, &refs, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

/* If-Match and the live category of {id}: NULL after answering 412 or 404. */
static const fl_icat_state_t *write_target(fl_http_req_t *req, fl_principal_t *p, int64_t *expected)
{
    *expected = fl_srv_if_match(req);
    if (*expected == FL_SRV_BAD_IF_MATCH) {
        fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
        return NULL;
    }
    const fl_icat_state_t *c = load(req, p->tenant, fl_http_param(req, "id"));
    if (c == NULL || !live(c)) {
        fl_http_respond_error(req, 404, "no such category");
        return NULL;
    }
    return c;
}

int fl_api_icats_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_icat_cmd_t cmd;
    fl_icat_refs_t refs;
    int64_t expected;
    const fl_icat_state_t *cat = write_target(req, p, &expected);
    if (cat == NULL)
        return 0;
    fl_commit_t *c = commit(req, p, cat->id);
    int rc = decode_body(req, fl_icats_decode_update, &cmd, &c->d);
    if (rc == 1)
        return 0;
    if (rc == 0) {
        load_refs(req, p->tenant, cat, &cmd, &refs);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_icats_decide_update(&ctx, cat, expected, &cmd, &refs, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_icats_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    int64_t expected;
    const fl_icat_state_t *cat = write_target(req, p, &expected);
    if (cat == NULL)
        return 0;
    const fl_icat_children_t *children = fl_srv_agg_copy(
        req, p->tenant, &fl_icat_children_agg, fl_icats_children_stream(&req->arena, cat->id));
    fl_commit_t *c = commit(req, p, cat->id);
    c->render = NULL;
    fl_srv_cmd_ctx(req, p, &ctx);
    fl_icats_decide_delete(&ctx, cat, expected, children, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

/* ------------------------------------------------------------------ reads */

typedef struct read_ctx {
    fl_http_req_t *req;
    fl_icats_query_t q;
    bool one;
} read_ctx_t;

static void on_read(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (fl_srv_res_failed(rc->req, res))
        return;
    if (!rc->one) {
        fl_http_respond_json(rc->req, 200, fl_icats_rows_to_json(res, &rc->q));
        return;
    }
    json_t *one = fl_store_res_rows(res) == 1 ? fl_icats_row_to_json(res, 0) : NULL;
    fl_srv_answer_entity(rc->req, one, "no such category");
}

static read_ctx_t *read_ctx(fl_http_req_t *req, bool one)
{
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    memset(rc, 0, sizeof(*rc));
    rc->req = req;
    rc->one = one;
    return rc;
}

static int run(fl_server_t *s, fl_principal_t *p, read_ctx_t *rc)
{
    return fl_srv_query(s, rc->req, p->tenant->schema, rc->q.sql, rc->q.nparams, rc->q.params,
                        on_read, rc);
}

int fl_api_icats_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_decision_t d;
    read_ctx_t *rc = read_ctx(req, false);
    fl_decision_init(&d);
    if (fl_icats_list_query(req->query, req->n_query, &req->arena, &rc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    return run(s, p, rc);
}

int fl_api_icats_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    if (fl_uuid_is_valid(id) && fl_srv_answer_as_of(req, p->tenant, &fl_icat_agg,
                                                    fl_icats_stream(&req->arena, id), render, live))
        return 0;
    if (!fl_srv_params_only(req, NULL))
        return 0;
    read_ctx_t *rc = read_ctx(req, true);
    if (fl_icats_get_query(id, &rc->q) != 0)
        return fl_http_respond_error(req, 404, "no such category");
    return run(s, p, rc);
}

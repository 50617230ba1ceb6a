/*
 * The service requests' endpoints: submit, update, cancel (DELETE), the
 * list, one request (?as_of= for its past), its approval chain and its
 * status history. A submission loads the catalog item (fl_catalog_item_lookup)
 * and its current compiled form (fl_catalog_form, compiled once per tenant)
 * and validates the form data with the tenant's aggregates answering the
 * form's references. A requester (a principal without requests:update)
 * sees only the requests they made or that are for them: others' are 404.
 * The actions (approve ... reopen) are in api_request_actions.c.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "firelater/applications.h"
#include "firelater/attachments.h"
#include "firelater/err.h"
#include "firelater/groups.h"
#include "firelater/requests.h"

static json_t *render(const void *state, uint64_t version)
{
    (void)version;
    return fl_request_to_json(state);
}

static bool live(const void *state)
{
    return ((const fl_request_state_t *)state)->exists;
}

const char *fl_srv_request_party_only(const fl_principal_t *p)
{
    if (fl_srv_can(p, FL_RES_REQUESTS, FL_ACT_UPDATE))
        return NULL;
    return p->user_id != NULL ? p->user_id : "00000000-0000-0000-0000-000000000000";
}

const fl_request_state_t *fl_srv_request_load(fl_http_req_t *req, fl_principal_t *p, const char *id,
                                              bool any)
{
    if (id == NULL || !fl_uuid_is_valid(id))
        return NULL;
    const fl_request_state_t *r =
        fl_srv_agg_copy(req, p->tenant, &fl_request_agg, fl_requests_stream(&req->arena, id));
    if (r == NULL || !r->exists)
        return NULL;
    if (!any && fl_srv_request_party_only(p) != NULL && !fl_request_is_party(r, p->user_id))
        return NULL;
    return r;
}

const fl_request_state_t *fl_srv_request_target(fl_http_req_t *req, fl_principal_t *p, bool any,
                                                int64_t *expected)
{
    *expected = fl_srv_if_match(req);
    if (*expected == FL_SRV_BAD_IF_MATCH) {
        fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
        return NULL;
    }
    const fl_request_state_t *r = fl_srv_request_load(req, p, fl_http_param(req, "id"), any);
    if (r == NULL)
        fl_http_respond_error(req, 404, "no such request");
    return r;
}

fl_commit_t *fl_srv_request_commit(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->type = &fl_request_agg;
    c->render = render;
    c->stream = id != NULL ? fl_requests_stream(&req->arena, id) : NULL;
    return c;
}

/* ------------------------------------------------------ form references */

/* What the form's pickers and files are checked against: the tenant's aggregates. */
typedef struct form_ctx {
    fl_http_req_t *req;
    fl_srv_tenant_t *t;
    const fl_app_state_t *apps[8]; /* the applications asked for, for their environments */
    size_t n_apps;
} form_ctx_t;

static fl_form_ref_status_t live_status(bool exists, bool active)
{
    return !exists ? FL_FORM_REF_MISSING : active ? FL_FORM_REF_ACTIVE : FL_FORM_REF_INACTIVE;
}

static int ref_user(void *ctx, const char *id, const char *group_id, fl_form_user_ref_t *out)
{
    form_ctx_t *f = ctx;
    const fl_user_state_t *u =
        fl_srv_agg_copy(f->req, f->t, &fl_user_agg, fl_users_stream(&f->req->arena, id));
    out->status = live_status(u != NULL && u->exists, u != NULL && u->status == FL_USER_ACTIVE);
    out->in_group = group_id != NULL && fl_srv_is_member(f->t, id, group_id);
    return 0;
}

static int ref_group(void *ctx, const char *id, fl_form_group_ref_t *out)
{
    form_ctx_t *f = ctx;
    const fl_group_state_t *g =
        fl_srv_agg_copy(f->req, f->t, &fl_group_agg, fl_groups_stream(&f->req->arena, id));
    bool ok = g != NULL && g->exists && !g->deleted;
    out->status = live_status(ok, ok);
    out->type = ok ? fl_group_type_name(g->type) : NULL;
    return 0;
}

static int ref_app(void *ctx, const char *id, fl_form_app_ref_t *out)
{
    form_ctx_t *f = ctx;
    const fl_app_state_t *a =
        fl_srv_agg_copy(f->req, f->t, &fl_app_agg, fl_apps_stream(&f->req->arena, id));
    out->found = a != NULL && a->exists && !a->deleted;
    if (!out->found)
        return 0;
    out->status = a->v[FL_APP_STATUS];
    out->tier = a->v[FL_APP_TIER];
    out->lifecycle_stage = a->v[FL_APP_LIFECYCLE_STAGE];
    out->criticality = a->v[FL_APP_CRITICALITY];
    if (f->n_apps < sizeof(f->apps) / sizeof(f->apps[0]))
        f->apps[f->n_apps++] = a;
    return 0;
}

/* An environment lives in its application's stream: it is found among the applications the
 * form's pickers named (README: an environment picker needs its application field). */
static int ref_env(void *ctx, const char *id, fl_form_env_ref_t *out)
{
    form_ctx_t *f = ctx;
    out->status = FL_FORM_REF_MISSING;
    for (size_t i = 0; i < f->n_apps; i++) {
        const fl_app_env_t *e = fl_app_env_find(f->apps[i], id);
        if (e != NULL) {
            out->status = FL_FORM_REF_ACTIVE;
            out->application_id = f->apps[i]->id;
        }
    }
    return 0;
}

static int ref_file(void *ctx, const char *id, fl_form_file_ref_t *out)
{
    form_ctx_t *f = ctx;
    fl_attach_ref_t a;
    int rc = fl_attach_lookup(f->t->cache, &f->req->arena, id, &a);
    if (rc != 0)
        return rc;
    out->found = a.exists && !a.deleted;
    out->filename = a.filename;
    out->size = (int64_t)a.size_bytes;
    return 0;
}

/* Validates data against version of item for p at now: 0 with *out the normalised data (a new
 * reference), FL_EINVAL with the problems in d (form_data.<field>), or a log error. */
static int validate(fl_http_req_t *req, fl_principal_t *p, const char *item, int version,
                    const json_t *data, fl_time_t now, const char *base, json_t **out,
                    fl_decision_t *d)
{
    const fl_form_t *form;
    form_ctx_t fc = {.req = req, .t = p->tenant};
    fl_form_refs_t refs = {&fc, p->user_id, ref_user, ref_group, ref_app, ref_env, ref_file};
    fl_form_errors_t e = {.a = &req->arena, .d = d, .base = base};
    json_t *empty = data == NULL ? json_object() : NULL;

    *out = NULL;
    int rc =
        fl_catalog_form(fl_srv_catalog_forms(p->tenant), p->tenant->cache, item, version, &form);
    if (rc == 0)
        rc = fl_form_validate(form, data != NULL ? data : empty, &refs, now, &e, out);
    json_decref(empty);
    return rc;
}

/* ---------------------------------------------------------------- writes */

static bool item_visible(fl_principal_t *p, const fl_catalog_item_info_t *it)
{
    if (it->visible_to_groups == NULL || fl_srv_can(p, FL_RES_CATALOG, FL_ACT_UPDATE))
        return true;
    for (size_t i = 0; p->user_id != NULL && i < it->n_visible_to_groups; i++) {
        if (fl_srv_is_member(p->tenant, p->user_id, it->visible_to_groups[i]))
            return true;
    }
    return false;
}

/* Loads what a submission names, validates its form data and decides. */
static void submit(fl_http_req_t *req, fl_principal_t *p, const fl_req_create_cmd_t *cmd,
                   fl_decision_t *d)
{
    fl_catalog_item_info_t it;
    fl_req_create_refs_t refs = {.item = &it};
    fl_cmd_ctx_t ctx;
    json_t *data = NULL;
    const char *who = cmd->requested_for_id != NULL ? cmd->requested_for_id : p->user_id;

    if (fl_catalog_item_lookup(p->tenant->cache, cmd->catalog_item_id, &req->arena, &it) != 0) {
        fl_decision_fail(d, 503, "the event log cannot be read", NULL);
        return;
    }
    fl_srv_cmd_ctx(req, p, &ctx);
    refs.item_visible = it.exists && item_visible(p, &it);
    if (who != NULL)
        refs.requested_for =
            fl_srv_agg_copy(req, p->tenant, &fl_user_agg, fl_users_stream(&req->arena, who));
    if (refs.item_visible && it.status == FL_CAT_ACTIVE && it.form_version > 0) {
        int rc = validate(req, p, it.id, it.form_version, cmd->form_data, ctx.now, "form_data",
                          &data, d);
        if (rc != 0 && rc != FL_EINVAL)
            fl_decision_fail(d, 503, "the catalog form cannot be read", NULL);
        if (rc != 0)
            return;
    }
    refs.form_data = data;
    fl_requests_decide_create(&ctx, cmd, &refs, d);
    fl_srv_request_stamp(p->tenant, &ctx, NULL, 0, d);
    json_decref(data);
}

/* A bundle: each child's item and form data (errors children[i].form_data.<field>), then the
 * domain checks the bundle and decides the parent and its children at once. */
static void submit_bundle(fl_http_req_t *req, fl_principal_t *p, const fl_req_create_cmd_t *cmd,
                          fl_decision_t *d)
{
    fl_cmd_ctx_t ctx;
    size_t n = cmd->n_children;
    fl_catalog_item_info_t *items = fl_arena_alloc(&req->arena, (n + 1) * sizeof(*items));
    fl_req_create_refs_t *kids = fl_arena_alloc(&req->arena, (n + 1) * sizeof(*kids));
    json_t *data[FL_REQ_MAX_CHILDREN] = {NULL};
    const char *who = cmd->requested_for_id != NULL ? cmd->requested_for_id : p->user_id;
    const fl_user_state_t *user = who != NULL ? fl_srv_agg_copy(req, p->tenant, &fl_user_agg,
                                                                fl_users_stream(&req->arena, who))
                                              : NULL;
    fl_req_bundle_refs_t refs = {fl_srv_agg_copy(req, p->tenant, &fl_cat_bundle_agg,
                                                 fl_cat_bundle_stream(&req->arena, cmd->bundle_id)),
                                 kids};
    int rc = items != NULL && kids != NULL ? 0 : FL_ETOOBIG;

    fl_srv_cmd_ctx(req, p, &ctx);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        fl_catalog_item_info_t *it = &items[i];
        char base[48];
        if (fl_catalog_item_lookup(p->tenant->cache, cmd->children[i].item_id, &req->arena, it) !=
            0) {
            rc = fl_decision_fail(d, 503, "the event log cannot be read", NULL);
            break;
        }
        kids[i] = (fl_req_create_refs_t){it, it->exists && item_visible(p, it), NULL, user};
        if (!kids[i].item_visible || it->status != FL_CAT_ACTIVE || it->form_version < 1)
            continue;
        snprintf(base, sizeof(base), "children[%zu].form_data", i);
        int v = validate(req, p, it->id, it->form_version, cmd->children[i].form_data, ctx.now,
                         fl_arena_strndup(&req->arena, base, strlen(base)), &data[i], d);
        if (v != 0 && v != FL_EINVAL)
            rc = fl_decision_fail(d, 503, "the catalog form cannot be read", NULL);
        kids[i].form_data = data[i];
    }
    if (rc == 0)
        fl_requests_decide_bundle(&ctx, cmd, &refs, d);
    fl_srv_request_stamp(p->tenant, &ctx, NULL, 0, d);
    for (size_t i = 0; i < n; i++)
        json_decref(data[i]);
}

int fl_api_requests_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_req_create_cmd_t cmd;
    json_t *body;
    fl_commit_t *c = fl_srv_request_commit(req, p, NULL);
    c->status = 201;
    c->location = "/api/v1/requests/";
    c->idem_key = fl_srv_idem_key(req, p, "request", true);
    if (fl_commit_replayed(s, c))
        return 0;
    if (fl_http_read_json(req, &body) != 0)
        return 0;
    if (fl_requests_decode_create(body, &req->arena, &cmd, &c->d) == 0) {
        if (cmd.bundle_id != NULL)
            submit_bundle(req, p, &cmd, &c->d);
        else
            submit(req, p, &cmd, &c->d);
    }
    json_decref(body);
    fl_commit_submit(s, c);
    return 0;
}

/* The requester (or an agent) edits: priority, due_date, form_data (against its own version). */
int fl_api_requests_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_req_update_cmd_t cmd;
    int64_t expected;
    json_t *body, *data = NULL;
    const fl_request_state_t *r = fl_srv_request_target(req, p, false, &expected);
    if (r == NULL || fl_http_read_json(req, &body) != 0)
        return 0;
    fl_commit_t *c = fl_srv_request_commit(req, p, r->id);
    int rc = fl_requests_decode_update(body, &req->arena, &cmd, &c->d);
    if (rc == 0 && fl_srv_request_party_only(p) != NULL &&
        (p->user_id == NULL || strcmp(r->requester_id, p->user_id) != 0))
        rc = fl_decision_fail(&c->d, 403, "forbidden", "only the requester or an agent edits it");
    if (rc == 0 && (cmd.set & FL_REQ_UPD_FORM) && fl_request_is_parent(r))
        rc = fl_decision_refuse(&c->d, 422, "validation failed", "form_data",
                                "a bundle request has no form of its own: edit its children");
    bool editable = r->status == FL_REQ_PENDING_APPROVAL || r->status == FL_REQ_APPROVED;
    fl_srv_cmd_ctx(req, p, &ctx);
    if (rc == 0 && (cmd.set & FL_REQ_UPD_FORM) && editable) {
        rc = validate(req, p, r->catalog_item_id, r->form_version, cmd.form_data, ctx.now,
                      "form_data", &data, &c->d);
        if (rc != 0 && rc != FL_EINVAL)
            fl_decision_fail(&c->d, 503, "the catalog form cannot be read", NULL);
    }
    if (rc == 0)
        fl_requests_decide_update(&ctx, r, expected, &cmd, data, &c->d);
    fl_srv_request_stamp(p->tenant, &ctx, &r, 1, &c->d);
    json_decref(data);
    json_decref(body);
    fl_commit_submit(s, c);
    return 0;
}

/* ------------------------------------------------------------------ reads */

typedef struct read_ctx {
    fl_http_req_t *req;
    fl_apps_query_t q;
    bool one;
} read_ctx_t;

static void on_read(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (fl_srv_res_failed(rc->req, res))
        return;
    if (!rc->one) {
        fl_http_respond_json(rc->req, 200, fl_apps_page_to_json(res, &rc->q));
        return;
    }
    fl_srv_answer_entity(rc->req, fl_store_res_rows(res) == 1 ? fl_apps_row_to_json(res, 0) : NULL,
                         "no such request");
}

static int run(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, read_ctx_t *rc)
{
    rc->req = req;
    return fl_srv_query(s, req, p->tenant->schema, rc->q.sql, rc->q.nparams, rc->q.params, on_read,
                        rc);
}

static read_ctx_t *read_ctx(fl_http_req_t *req, bool one)
{
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    memset(rc, 0, sizeof(*rc));
    rc->one = one;
    return rc;
}

int fl_api_requests_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_decision_t d;
    read_ctx_t *rc = read_ctx(req, false);
    fl_decision_init(&d);
    if (fl_requests_list_query(req->query, req->n_query, fl_srv_request_party_only(p), &req->arena,
                               &rc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    return run(s, req, p, rc);
}

int fl_api_requests_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    bool uuid = id != NULL && fl_uuid_is_valid(id);
    if (uuid && fl_srv_request_load(req, p, id, false) != NULL &&
        fl_srv_answer_as_of(req, p->tenant, &fl_request_agg, fl_requests_stream(&req->arena, id),
                            render, live))
        return 0;
    if (!fl_srv_params_only(req, uuid ? "as_of" : NULL))
        return 0;
    read_ctx_t *rc = read_ctx(req, true);
    if (fl_requests_get_query(id, fl_srv_request_party_only(p), &req->arena, &rc->q) != 0)
        return fl_http_respond_error(req, 404, "no such request");
    return run(s, req, p, rc);
}

typedef void (*sub_query_fn)(const char *, fl_apps_query_t *);

/* The approvals and the history: whoever sees the request (approvers: their chain's). */
static int sub(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, sub_query_fn fn)
{
    const fl_request_state_t *r = fl_srv_request_load(req, p, fl_http_param(req, "id"), true);
    if (r != NULL && fl_srv_request_party_only(p) != NULL && !fl_request_is_party(r, p->user_id) &&
        !fl_srv_request_may_see_chain(p, r))
        r = NULL;
    if (r == NULL)
        return fl_http_respond_error(req, 404, "no such request");
    if (!fl_srv_params_only(req, NULL))
        return 0;
    read_ctx_t *rc = read_ctx(req, false);
    fn(r->id, &rc->q);
    return run(s, req, p, rc);
}

int fl_api_requests_approvals(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return sub(s, req, p, fl_requests_approvals_query);
}

int fl_api_requests_history(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return sub(s, req, p, fl_requests_history_query);
}

/*
 * The groups endpoints: teams, departments and distribution lists with their
 * hierarchy and members. Writes decide against the write side's aggregates
 * (the parent chain is walked through the aggregate cache, so a cycle is
 * refused whatever the read model says); reads run recursive SQL on the
 * tenant's read model. The roles a group holds are checked like a user's:
 * each must be a live role, and no one grants a group (or makes someone a
 * member of a group holding) permissions they do not hold themselves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "firelater/err.h"
#include "firelater/groups.h"
#include "firelater/users.h"

static json_t *render_group(const void *state, uint64_t version)
{
    (void)version;
    return fl_group_to_json(state, NULL);
}

static const fl_group_state_t *load_group(fl_http_req_t *req, fl_srv_tenant_t *t, const char *id)
{
    if (!fl_uuid_is_valid(id))
        return NULL;
    const fl_group_state_t *g =
        fl_srv_agg_copy(req, t, &fl_group_agg, fl_groups_stream(&req->arena, id));
    return g != NULL && g->exists && !g->deleted ? g : NULL;
}

/* The parent and its ancestors (walked through the write side), for cycle checks. */
static void load_parent(fl_http_req_t *req, fl_srv_tenant_t *t, const char *parent_id,
                        fl_group_refs_t *refs)
{
    const char **chain = fl_arena_alloc(&req->arena, FL_GROUPS_MAX_DEPTH * sizeof(*chain));
    size_t n = 0;
    refs->parent = fl_uuid_is_valid(parent_id) ? load_group(req, t, parent_id) : NULL;
    for (const fl_group_state_t *g = refs->parent; g != NULL && n < FL_GROUPS_MAX_DEPTH;) {
        chain[n++] = fl_arena_strndup(&req->arena, g->id, strlen(g->id));
        g = g->parent_id[0] != '\0' ? load_group(req, t, g->parent_id) : NULL;
    }
    refs->ancestors = chain;
    refs->n_ancestors = n;
}

static void load_refs(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_group_cmd_t *cmd,
                      fl_group_refs_t *refs)
{
    memset(refs, 0, sizeof(*refs));
    if (cmd->f.set & FL_GROUP_F_NAME)
        refs->claim = fl_srv_agg_copy(req, t, &fl_group_name_claim_agg,
                                      fl_groups_name_stream(&req->arena, cmd->f.name));
    if ((cmd->f.set & FL_GROUP_F_PARENT_ID) && cmd->f.parent_id != NULL)
        load_parent(req, t, cmd->f.parent_id, refs);
    if ((cmd->f.set & FL_GROUP_F_MANAGER_ID) && fl_uuid_is_valid(cmd->f.manager_id))
        refs->manager =
            fl_srv_agg_copy(req, t, &fl_user_agg, fl_users_stream(&req->arena, cmd->f.manager_id));
}

static fl_commit_t *group_commit(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->type = &fl_group_agg;
    c->render = render_group;
    c->stream = id != NULL ? fl_groups_stream(&req->arena, id) : NULL;
    return c;
}

static int read_body(fl_http_req_t *req, json_t **body)
{
    return fl_http_read_json(req, body) == 0 ? 0 : FL_EINVAL;
}

/* 403 unless p holds every permission of the roles cmd grants that g (NULL: none) lacks. */
static bool may_grant(fl_principal_t *p, const fl_group_cmd_t *cmd, const fl_group_state_t *g,
                      fl_decision_t *d)
{
    const char *added[FL_GROUPS_MAX_ROLES];
    size_t n;
    if (!(cmd->f.set & FL_GROUP_F_ROLES))
        return true;
    n = fl_srv_roles_added(cmd->f.roles, cmd->f.n_roles, g != NULL ? g->roles : NULL,
                           g != NULL ? g->n_roles : 0, added);
    if (fl_srv_may_grant(p->tenant, p, added, n))
        return true;
    fl_decision_fail(d, 403, "you cannot grant a role with permissions you do not hold", NULL);
    fl_decision_field(d, "roles", "grants permissions you do not hold yourself");
    return false;
}

/*
 * Decodes a create (g NULL) or update body, with the body's live role names
 * as known: 0, FL_EINVAL (d says why), or ANSWERED (the body could not be read).
 */
#define ANSWERED 1
static int decode_group(fl_http_req_t *req, fl_principal_t *p, const fl_group_state_t *g,
                        fl_group_cmd_t *cmd, fl_decision_t *d)
{
    json_t *body;
    size_t n_known;
    if (read_body(req, &body) != 0)
        return ANSWERED;
    const char **known =
        fl_srv_live_role_names(req, p->tenant, json_object_get(body, "roles"), &n_known);
    int rc = g == NULL ? fl_groups_decode_create(body, known, n_known, &req->arena, cmd, d)
                       : fl_groups_decode_update(body, known, n_known, &req->arena, cmd, d);
    json_decref(body);
    if (rc == 0 && !may_grant(p, cmd, g, d))
        rc = FL_EINVAL;
    return rc;
}

int fl_api_groups_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_group_cmd_t cmd;
    fl_group_refs_t refs;
    fl_commit_t *c = group_commit(req, p, NULL);
    int rc = decode_group(req, p, NULL, &cmd, &c->d);
    if (rc == ANSWERED)
        return 0;
    if (rc != 0) {
        fl_commit_submit(s, c); /* answers the problem */
        return 0;
    }
    load_refs(req, p->tenant, &cmd, &refs);
    fl_srv_cmd_ctx(req, p, &ctx);
    c->status = 201;
    c->location = "/api/v1/groups/";
    fl_groups_decide_create(&ctx, &cmd, &refs, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_groups_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    fl_group_cmd_t cmd;
    fl_group_refs_t refs;
    const char *id = fl_http_param(req, "id");
    int64_t expected = fl_srv_if_match(req);
    fl_commit_t *c = group_commit(req, p, id);
    if (expected == FL_SRV_BAD_IF_MATCH)
        return fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
    const fl_group_state_t *g = load_group(req, p->tenant, id);
    if (g == NULL)
        return fl_http_respond_error(req, 404, "no such group");
    int rc = decode_group(req, p, g, &cmd, &c->d);
    if (rc == ANSWERED)
        return 0;
    if (rc == 0) {
        load_refs(req, p->tenant, &cmd, &refs);
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_groups_decide_update(&ctx, g, expected, &cmd, &refs, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

typedef struct pending_delete {
    fl_server_t *s;
    fl_http_req_t *req;
    fl_principal_t p;
    const char *id;
    int64_t expected;
} pending_delete_t;

static void on_children(fl_store_res_t *res, void *ctx)
{
    pending_delete_t *w = ctx;
    fl_cmd_ctx_t cctx;
    int err = fl_store_res_err(res);
    if (err != 0) {
        fl_srv_answer_store_error(w->req, err);
        return;
    }
    long n = fl_store_res_rows(res) == 1 ? strtol(fl_store_res_value(res, 0, 0), NULL, 10) : 0;
    const fl_group_state_t *g = load_group(w->req, w->p.tenant, w->id);
    if (g == NULL) {
        fl_http_respond_error(w->req, 404, "no such group");
        return;
    }
    fl_commit_t *c = group_commit(w->req, &w->p, w->id);
    c->render = NULL; /* 204 */
    fl_srv_cmd_ctx(w->req, &w->p, &cctx);
    fl_groups_decide_delete(&cctx, g, w->expected, n, &c->d);
    fl_commit_submit(w->s, c);
}

/* Deleting asks the read model how many live groups name this one as parent. */
int fl_api_groups_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_groups_query_t q;
    pending_delete_t *w = fl_arena_alloc(&req->arena, sizeof(*w));
    *w = (pending_delete_t){.s = s, .req = req, .p = *p, .id = fl_http_param(req, "id")};
    w->expected = fl_srv_if_match(req);
    if (w->expected == FL_SRV_BAD_IF_MATCH)
        return fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
    if (load_group(req, p->tenant, w->id) == NULL)
        return fl_http_respond_error(req, 404, "no such group");
    if (s->store == NULL || fl_groups_children_count_query(w->id, &req->arena, &q) != 0) {
        fl_srv_answer_store_error(req, FL_EUNAVAIL);
        return 0;
    }
    int err =
        fl_store_query(s->store, p->tenant->schema, q.sql, q.nparams, q.params, on_children, w);
    if (err != 0)
        fl_srv_answer_store_error(req, err);
    return 0;
}

int fl_api_groups_add_member(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    json_t *body;
    fl_cmd_ctx_t ctx;
    fl_group_member_cmd_t cmd;
    const char *id = fl_http_param(req, "id");
    fl_commit_t *c = group_commit(req, p, id);
    const fl_group_state_t *g = load_group(req, p->tenant, id);
    if (g == NULL)
        return fl_http_respond_error(req, 404, "no such group");
    if (!fl_srv_may_grant_group(p->tenant, p, g->id))
        return fl_http_respond_error(req, 403,
                                     "you cannot make someone a member of a group whose "
                                     "roles grant permissions you do not hold");
    if (read_body(req, &body) != 0)
        return 0;
    int rc = fl_groups_decode_member(body, &req->arena, &cmd, &c->d);
    json_decref(body);
    if (rc == 0) {
        const fl_user_state_t *u = fl_srv_agg_copy(req, p->tenant, &fl_user_agg,
                                                   fl_users_stream(&req->arena, cmd.user_id));
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_groups_decide_add_member(&ctx, g, fl_srv_if_match(req), &cmd, u, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_groups_remove_member(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_cmd_ctx_t ctx;
    const char *id = fl_http_param(req, "id");
    const fl_group_state_t *g = load_group(req, p->tenant, id);
    if (g == NULL)
        return fl_http_respond_error(req, 404, "no such group");
    fl_commit_t *c = group_commit(req, p, id);
    c->render = NULL; /* 204 */
    fl_srv_cmd_ctx(req, p, &ctx);
    fl_groups_decide_remove_member(&ctx, g, fl_srv_if_match(req), fl_http_param(req, "userId"),
                                   &c->d);
    fl_commit_submit(s, c);
    return 0;
}

/* ------------------------------------------------------------------ reads */

typedef struct read_ctx {
    fl_http_req_t *req;
    fl_groups_query_t q;
    /* GET /groups/{id}: the group, then each ?include= in turn. */
    fl_server_t *s;
    const char *schema;
    const char *id;
    json_t *group;
    bool want[3]; /* ancestors, descendants, members */
    int step;
} read_ctx_t;

static const char *const includes[] = {"ancestors", "descendants", "members"};

static int run(fl_server_t *s, read_ctx_t *rc, const char *schema, fl_store_cb cb)
{
    return fl_srv_query(s, rc->req, schema, rc->q.sql, rc->q.nparams, rc->q.params, cb, rc);
}

static void on_page(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (!fl_srv_res_failed(rc->req, res))
        fl_http_respond_json(rc->req, 200, fl_groups_page_to_json(res, &rc->q));
}

/* Runs a paged query built by build, or answers its problem. */
static int paged(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const char *id,
                 int (*build)(const char *, const fl_http_param_t *, size_t, fl_arena_t *,
                              fl_groups_query_t *, fl_decision_t *))
{
    fl_decision_t d;
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    memset(rc, 0, sizeof(*rc));
    rc->req = req;
    fl_decision_init(&d);
    if (!fl_uuid_is_valid(id))
        return fl_http_respond_error(req, 404, "not found");
    if (build(id, req->query, req->n_query, &req->arena, &rc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    return run(s, rc, p->tenant->schema, on_page);
}

int fl_api_groups_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_decision_t d;
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    memset(rc, 0, sizeof(*rc));
    rc->req = req;
    fl_decision_init(&d);
    if (fl_groups_list_query(req->query, req->n_query, &req->arena, &rc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    return run(s, rc, p->tenant->schema, on_page);
}

int fl_api_groups_members(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    if (load_group(req, p->tenant, fl_http_param(req, "id")) == NULL)
        return fl_http_respond_error(req, 404, "no such group");
    return paged(s, req, p, fl_http_param(req, "id"), fl_groups_members_query);
}

int fl_api_user_groups(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    const fl_user_state_t *u =
        fl_uuid_is_valid(id)
            ? fl_srv_agg_copy(req, p->tenant, &fl_user_agg, fl_users_stream(&req->arena, id))
            : NULL;
    if (u == NULL || !u->exists)
        return fl_http_respond_error(req, 404, "no such user");
    return paged(s, req, p, id, fl_groups_of_user_query);
}

static void on_get_step(fl_store_res_t *res, void *ctx);

/* Runs the next wanted include, or answers with the group. */
static void next_step(read_ctx_t *rc)
{
    while (rc->step < 3 && !rc->want[rc->step])
        rc->step++;
    if (rc->step == 3) {
        fl_http_respond_json(rc->req, 200, rc->group);
        return;
    }
    int err = 0;
    fl_decision_t d;
    fl_decision_init(&d);
    if (rc->step == 0)
        err = fl_groups_ancestors_query(rc->id, &rc->req->arena, &rc->q);
    else if (rc->step == 1)
        err = fl_groups_descendants_query(rc->id, &rc->req->arena, &rc->q);
    else
        err = fl_groups_members_query(rc->id, NULL, 0, &rc->req->arena, &rc->q, &d);
    if (err == 0)
        err = fl_store_query(rc->s->store, rc->schema, rc->q.sql, rc->q.nparams, rc->q.params,
                             on_get_step, rc);
    if (err != 0) {
        json_decref(rc->group);
        fl_srv_answer_store_error(rc->req, err < 0 ? err : FL_EIO);
    }
}

static void on_get_step(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    int err = fl_store_res_err(res);
    if (err != 0) {
        json_decref(rc->group);
        fl_srv_answer_store_error(rc->req, err);
        return;
    }
    json_object_set_new(rc->group, includes[rc->step], fl_groups_rows_to_json(res));
    rc->step++;
    next_step(rc);
}

static void on_get(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (fl_srv_res_failed(rc->req, res))
        return;
    rc->group = fl_store_res_rows(res) == 1 ? fl_groups_row_to_json(res, 0) : NULL;
    if (rc->group == NULL) {
        fl_http_respond_error(rc->req, 404, "no such group");
        return;
    }
    next_step(rc);
}

/* ?include=ancestors,descendants,members; 422 naming include for anything else. */
static int parse_include(fl_http_req_t *req, read_ctx_t *rc)
{
    const char *inc = fl_http_query(req, "include");
    for (const char *p = inc; p != NULL && *p != '\0';) {
        size_t n = strcspn(p, ",");
        size_t k = 0;
        while (k < 3 && (strlen(includes[k]) != n || strncmp(includes[k], p, n) != 0))
            k++;
        if (k == 3) {
            static const fl_problem_error_t e = {"include", "may hold ancestors, descendants, "
                                                            "members"};
            fl_problem_t pr = {
                .slug = "validation", .title = "validation failed", .errors = &e, .n_errors = 1};
            fl_http_respond_problem(req, 422, &pr);
            return FL_EINVAL;
        }
        rc->want[k] = true;
        p += n + (p[n] == ',');
    }
    for (size_t i = 0; i < req->n_query; i++) {
        if (strcmp(req->query[i].name, "include") != 0 && strcmp(req->query[i].name, "as_of")) {
            fl_http_respond_error(req, 422, "the only query parameter here is include");
            return FL_EINVAL;
        }
    }
    return 0;
}

static bool group_exists(const void *state)
{
    const fl_group_state_t *g = state;
    return g->exists && !g->deleted;
}

int fl_api_groups_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    if (fl_uuid_is_valid(id) &&
        fl_srv_answer_as_of(req, p->tenant, &fl_group_agg, fl_groups_stream(&req->arena, id),
                            render_group, group_exists))
        return 0;
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    memset(rc, 0, sizeof(*rc));
    *rc = (read_ctx_t){
        .req = req, .s = s, .schema = p->tenant->schema, .id = fl_http_param(req, "id")};
    if (!fl_uuid_is_valid(rc->id))
        return fl_http_respond_error(req, 404, "no such group");
    if (parse_include(req, rc) != 0)
        return 0;
    if (fl_groups_get_query(rc->id, &req->arena, &rc->q) != 0)
        return fl_http_respond_error(req, 500, "the query could not be built");
    return run(s, rc, p->tenant->schema, on_get);
}

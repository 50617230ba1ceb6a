/*
 * Reading attachments: who may (the uploader, and whoever may read the
 * entity it is linked to), the metadata from the write side, and the
 * entity table that links and uploads check (requests plug in with a line).
 */
#include <string.h>
#include <strings.h>

#include "app.h"
#include "firelater/attachments.h"
#include "firelater/err.h"

static bool issue_readable(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    return fl_srv_can(p, FL_RES_ISSUES, FL_ACT_READ) && fl_srv_issue_load(req, p, id) != NULL;
}

static bool request_readable(fl_http_req_t *req, fl_principal_t *p, const char *id)
{
    return fl_srv_request_load(req, p, id, false) != NULL;
}

/* The entities an attachment links to, with who may read one (and so its attachments). */
static const struct {
    const char *name;
    bool (*readable)(fl_http_req_t *req, fl_principal_t *p, const char *id);
} entities[] = {
    {"issue", issue_readable},
    {"request", request_readable},
};

static bool entity_readable(fl_http_req_t *req, fl_principal_t *p, const char *type, const char *id)
{
    for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
        if (strcmp(entities[i].name, type) == 0)
            return entities[i].readable(req, p, id);
    return false;
}

const char *fl_srv_attach_entity_problem(fl_http_req_t *req, fl_principal_t *p,
                                         const char *entity_type, const char *entity_id)
{
    if (fl_attach_entity(entity_type) == NULL)
        return "entity_type must be issue or request";
    if (entity_id == NULL || !fl_uuid_is_valid(entity_id))
        return "must be a uuid";
    if (!entity_readable(req, p, entity_type, entity_id))
        return "no such entity";
    return NULL;
}

/* The live attachment of {id} that p may read, or NULL (404: nothing says whether it exists). */
const fl_attach_state_t *fl_srv_attach_readable(fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    const fl_attach_state_t *a;

    if (id == NULL || !fl_uuid_is_valid(id))
        return NULL;
    a = fl_srv_agg_copy(req, p->tenant, &fl_attach_agg, fl_attach_stream(&req->arena, id));
    if (a == NULL || !a->exists || a->deleted)
        return NULL;
    if (p->user_id != NULL && strcasecmp(a->uploaded_by, p->user_id) == 0)
        return a;
    if (a->entity_type[0] != '\0' && entity_readable(req, p, a->entity_type, a->entity_id))
        return a;
    return NULL;
}

int fl_api_attach_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const fl_attach_state_t *a = fl_srv_attach_readable(req, p);

    (void)s;
    fl_srv_answer_entity(req, a != NULL ? fl_attach_to_json(a) : NULL, "no such attachment");
    return 0;
}

static json_t *render(const void *state, uint64_t version)
{
    (void)version;
    return fl_attach_to_json(state);
}

static fl_commit_t *attach_commit(fl_http_req_t *req, fl_principal_t *p, const fl_attach_state_t *a)
{
    fl_commit_t *c = fl_commit_new(req, p->tenant);

    c->type = &fl_attach_agg;
    c->render = render;
    c->stream = fl_attach_stream(&req->arena, a->id);
    return c;
}

/* {entity_type, entity_id}: 1 when read, else answered. */
static int link_body(fl_http_req_t *req, const char **type, const char **id)
{
    json_t *body, *v;
    const char *key;
    fl_problem_error_t e = {NULL, NULL};

    if (fl_http_read_json(req, &body) != 0)
        return 0;
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "entity_type") != 0 && strcmp(key, "entity_id") != 0)
            e = (fl_problem_error_t){fl_arena_strndup(&req->arena, key, strlen(key)),
                                     "unknown field"};
    }
    *type = json_string_value(json_object_get(body, "entity_type"));
    *id = json_string_value(json_object_get(body, "entity_id"));
    *type = *type != NULL ? fl_arena_strndup(&req->arena, *type, strlen(*type)) : NULL;
    *id = *id != NULL ? fl_arena_strndup(&req->arena, *id, strlen(*id)) : NULL;
    json_decref(body);
    if (e.field == NULL && (*type == NULL || *id == NULL))
        e = (fl_problem_error_t){*type == NULL ? "entity_type" : "entity_id", "is required"};
    if (e.field == NULL)
        return 1;
    fl_problem_t pr = {.title = "validation failed", .errors = &e, .n_errors = 1};
    fl_http_respond_problem(req, 422, &pr);
    return 0;
}

int fl_api_attach_link(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const fl_attach_state_t *a = fl_srv_attach_readable(req, p);
    const char *type, *id, *why;
    fl_cmd_ctx_t ctx;

    if (a == NULL)
        return fl_http_respond_error(req, 404, "no such attachment");
    if (link_body(req, &type, &id) != 1)
        return 0;
    fl_commit_t *c = attach_commit(req, p, a);
    if ((why = fl_srv_attach_entity_problem(req, p, type, id)) != NULL) {
        fl_decision_field(&c->d, strncmp(why, "entity_type", 11) == 0 ? "entity_type" : "entity_id",
                          why);
    } else {
        fl_srv_cmd_ctx(req, p, &ctx);
        fl_attach_decide_link(&ctx, a, type, id, &c->d);
    }
    fl_commit_submit(s, c);
    return 0;
}

static bool is_admin(const fl_principal_t *p)
{
    for (size_t i = 0; i < p->n_roles; i++)
        if (strcmp(p->roles[i], "admin") == 0)
            return true;
    return false;
}

/* Soft: the file stays (other attachments may share its bytes). The uploader or an admin. */
int fl_api_attach_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const fl_attach_state_t *a = fl_srv_attach_readable(req, p);
    int64_t expected = fl_srv_if_match(req);
    fl_cmd_ctx_t ctx;

    if (expected == FL_SRV_BAD_IF_MATCH)
        return fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
    if (a == NULL)
        return fl_http_respond_error(req, 404, "no such attachment");
    if (!is_admin(p) && (p->user_id == NULL || strcasecmp(a->uploaded_by, p->user_id) != 0))
        return fl_http_respond_error(req, 403,
                                     "only the uploader or an admin deletes an attachment");
    fl_commit_t *c = attach_commit(req, p, a);
    c->render = NULL; /* 204 */
    fl_srv_cmd_ctx(req, p, &ctx);
    fl_attach_decide_delete(&ctx, a, expected, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

/* ------------------------------------------------------------------ lists */

typedef struct list_ctx {
    fl_http_req_t *req;
    fl_attach_query_t q;
} list_ctx_t;

static void on_list(fl_store_res_t *res, void *ctx)
{
    list_ctx_t *lc = ctx;

    if (!fl_srv_res_failed(lc->req, res))
        fl_http_respond_json(lc->req, 200, fl_json_page(res, lc->q.page, lc->q.per_page));
}

/* The live attachments of type:id from the read model (the caller checked who may read). */
static int list_of(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const char *type,
                   const char *id, const fl_http_param_t *query, size_t n)
{
    list_ctx_t *lc = fl_arena_alloc(&req->arena, sizeof(*lc));
    fl_decision_t d;

    fl_assert(lc != NULL);
    lc->req = req;
    fl_decision_init(&d);
    if (fl_attach_list_query(type, id, query, n, &req->arena, &lc->q, &d) != 0) {
        if (!fl_decision_failed(&d))
            return fl_http_respond_error(req, 500, "the list could not be built");
        return fl_http_respond_problem(req, d.status, &d.problem);
    }
    return fl_srv_query(s, req, p->tenant->schema, lc->q.sql, lc->q.nparams, lc->q.params, on_list,
                        lc);
}

/* GET /issues/{id}/attachments: whoever may read the issue. */
int fl_api_attach_list_issue(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");

    if (id == NULL || !fl_uuid_is_valid(id) || !entity_readable(req, p, "issue", id))
        return fl_http_respond_error(req, 404, "no such issue");
    return list_of(s, req, p, "issue", id, req->query, req->n_query);
}

/* GET /attachments?entity_type=&entity_id=[&page&per_page]: whoever may read the entity. */
int fl_api_attach_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_http_param_t *rest = fl_arena_alloc(&req->arena, sizeof(*rest) * (req->n_query + 1));
    const char *type = NULL, *id = NULL, *why;
    size_t n = 0;

    fl_assert(rest != NULL);
    for (size_t i = 0; i < req->n_query; i++) {
        if (strcmp(req->query[i].name, "entity_type") == 0)
            type = req->query[i].value;
        else if (strcmp(req->query[i].name, "entity_id") == 0)
            id = req->query[i].value;
        else
            rest[n++] = req->query[i];
    }
    fl_problem_error_t e = {NULL, NULL};
    if (type == NULL || id == NULL)
        e = (fl_problem_error_t){type == NULL ? "entity_type" : "entity_id", "is required"};
    else if ((why = fl_srv_attach_entity_problem(req, p, type, id)) != NULL)
        e = (fl_problem_error_t){strncmp(why, "entity_type", 11) == 0 ? "entity_type" : "entity_id",
                                 why};
    if (e.field != NULL) {
        fl_problem_t pr = {.title = "validation failed", .errors = &e, .n_errors = 1};
        return fl_http_respond_problem(req, 422, &pr);
    }
    return list_of(s, req, p, type, id, rest, n);
}

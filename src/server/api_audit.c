/*
 * The audit trail's endpoints: reads of the audit_logs read model, which the
 * audit projection fills from every event of the tenant's log. The route
 * table requires audit:read for both.
 */
#include "app.h"
#include "firelater/audit.h"
#include "firelater/err.h"

typedef struct audit_read {
    fl_http_req_t *req;
    fl_audit_list_t q;
} audit_read_t;

static void on_list(fl_store_res_t *res, void *ctx)
{
    audit_read_t *rc = ctx;
    if (!fl_srv_res_failed(rc->req, res))
        fl_http_respond_json(rc->req, 200, fl_audit_list_to_json(res, &rc->q));
}

/* Both routes: entity_type and entity_id from the path, or NULL for the whole trail. */
static int list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const char *entity_type,
                const char *entity_id)
{
    fl_decision_t d;
    audit_read_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    int err;
    if (rc == NULL)
        return fl_http_respond_error(req, 413, "the request is too large");
    fl_decision_init(&d);
    rc->req = req;
    err = fl_audit_list_query(req->query, req->n_query, entity_type, entity_id, &req->arena, &rc->q,
                              &d);
    if (err == FL_EINVAL)
        return fl_http_respond_problem(req, d.status, &d.problem);
    if (err != 0)
        return fl_http_respond_error(req, 413, "the request is too large");
    return fl_srv_query(s, req, p->tenant->schema, rc->q.sql, rc->q.nparams, rc->q.params, on_list,
                        rc);
}

int fl_api_audit_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return list(s, req, p, NULL, NULL);
}

int fl_api_audit_entity(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *type = fl_http_param(req, "entityType"), *id = fl_http_param(req, "id");
    return list(s, req, p, type != NULL ? type : "", id != NULL ? id : "");
}

/*
 * What the endpoints' reads share: running a statement on the tenant's read
 * model, answering the store's error, answering one entity with its ETag,
 * and the Idempotency-Key a create is replayed by.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "firelater/err.h"

int fl_srv_query(fl_server_t *s, fl_http_req_t *req, const char *schema, const char *sql,
                 int nparams, const char *const *params, fl_store_cb cb, void *ctx)
{
    int err = s->store == NULL ? FL_EUNAVAIL
                               : fl_store_query(s->store, schema, sql, nparams, params, cb, ctx);
    if (err != 0)
        fl_srv_answer_store_error(req, err);
    return 0;
}

bool fl_srv_res_failed(fl_http_req_t *req, fl_store_res_t *res)
{
    int err = fl_store_res_err(res);
    if (err != 0)
        fl_srv_answer_store_error(req, err);
    return err != 0;
}

void fl_srv_answer_entity(fl_http_req_t *req, json_t *entity, const char *missing)
{
    char etag[32];
    if (entity == NULL) {
        fl_http_respond_error(req, 404, missing);
        return;
    }
    snprintf(etag, sizeof(etag), "\"%lld\"",
             (long long)json_integer_value(json_object_get(entity, "version")));
    fl_http_set_header(req, "ETag", etag);
    fl_http_respond_json(req, 200, entity);
}

bool fl_srv_params_only(fl_http_req_t *req, const char *allowed)
{
    for (size_t i = 0; i < req->n_query; i++) {
        if (allowed != NULL && strcmp(req->query[i].name, allowed) == 0)
            continue;
        fl_problem_error_t *e = fl_arena_alloc(&req->arena, sizeof(*e));
        e->field = fl_arena_strndup(&req->arena, req->query[i].name, 200);
        e->message = "is not a known parameter";
        fl_problem_t pr = {
            .slug = "validation", .title = "validation failed", .errors = e, .n_errors = 1};
        fl_http_respond_problem(req, 422, &pr);
        return false;
    }
    return true;
}

const char *fl_srv_idem_key(fl_http_req_t *req, const fl_principal_t *p, const char *scope,
                            bool with_path)
{
    const char *k = fl_http_header(req, "Idempotency-Key");
    if (k == NULL || *k == '\0' || strlen(k) > FL_SRV_IDEM_KEY_MAX)
        return NULL; /* refused earlier by the dispatcher */
    const char *path = with_path ? req->path : NULL;
    size_t n = strlen(k) + strlen(p->user_id) + 4;
    n += (scope != NULL ? strlen(scope) + 1 : 0) + (path != NULL ? strlen(path) + 1 : 0);
    char *key = fl_arena_alloc(&req->arena, n);
    if (key == NULL)
        return NULL;
    snprintf(key, n, "%s%s%s|%s%s%s", scope != NULL ? scope : "", scope != NULL ? "|" : "",
             p->user_id, path != NULL ? path : "", path != NULL ? "|" : "", k);
    return key;
}

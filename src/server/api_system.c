/*
 * Liveness, readiness and the API's own description.
 */
#include <string.h>

#include "app.h"
#include "firelater/err.h"

int fl_api_healthz(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    (void)s;
    (void)p;
    return fl_http_respond_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static json_t *tenant_lag(fl_server_t *s, fl_srv_tenant_t *t)
{
    uint64_t applied = 0, head = 0;
    if (s->projector == NULL || fl_projector_status(s->projector, t->slug, &applied, &head) != 0) {
        fl_log_head_t h = {0};
        fl_log_head(t->log, &h);
        head = h.pos;
    }
    return json_pack("{s:s, s:I, s:I, s:I, s:b}", "tenant", t->slug, "log_head", (json_int_t)head,
                     "applied", (json_int_t)applied, "lag",
                     (json_int_t)(head > applied ? head - applied : 0), "suspended", t->suspended);
}

/* Ready when the logs are open and PostgreSQL answers; the lag says how fresh reads are. */
int fl_api_readyz(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    (void)p;
    bool pg = s->store != NULL && fl_store_is_up(s->store);
    bool logs = s->platform != NULL;
    json_t *tenants = json_array();
    for (fl_srv_tenant_t *t = s->tenants; t != NULL; t = t->next)
        json_array_append_new(tenants, tenant_lag(s, t));
    json_t *body =
        json_pack("{s:s, s:{s:b, s:b}, s:o}", "status", pg && logs ? "ready" : "not ready",
                  "checks", "log", logs, "postgresql", pg, "tenants", tenants);
    if (!(pg && logs))
        fl_http_set_header(req, "Retry-After", "1");
    return fl_http_respond_json(req, pg && logs ? 200 : 503, body);
}

int fl_api_openapi(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    (void)s;
    (void)p;
    return fl_http_respond(req, 200, "application/json", fl_srv_openapi_json,
                           strlen(fl_srv_openapi_json));
}

void fl_srv_answer_store_error(fl_http_req_t *req, int rc)
{
    if (rc == FL_EUNAVAIL) {
        fl_http_set_header(req, "Retry-After", "2");
        fl_http_respond_error(req, 503,
                              "the read models are unavailable; the write was not lost "
                              "if one was made, retry the read shortly");
        return;
    }
    fl_http_respond_error(req, fl_err_status(rc) >= 500 ? 500 : fl_err_status(rc), fl_strerror(rc));
}

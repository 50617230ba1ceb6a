/*
 * GET /api/v1/reports/issue-trends, /issue-mttr, /sla-performance
 * (src/domain/reports): one statement each on the tenant's read model.
 */
#include "app.h"
#include "firelater/err.h"
#include "firelater/reports.h"

typedef struct report_read {
    fl_http_req_t *req;
    fl_report_query_t q;
} report_read_t;

static void on_report(fl_store_res_t *res, void *ctx)
{
    report_read_t *rr = ctx;
    if (!fl_srv_res_failed(rr->req, res))
        fl_http_respond_json(rr->req, 200, fl_report_to_json(res, &rr->q));
}

static int run(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, fl_report_kind_t kind)
{
    fl_decision_t d;
    report_read_t *rr = fl_arena_alloc(&req->arena, sizeof(*rr));
    if (rr == NULL)
        return fl_http_respond_error(req, 413, "the request is too large");
    rr->req = req;
    fl_decision_init(&d);
    int err =
        fl_report_query(kind, req->query, req->n_query, fl_clock_now(), &req->arena, &rr->q, &d);
    if (err == FL_EINVAL)
        return fl_http_respond_problem(req, d.status, &d.problem);
    if (err != 0)
        return fl_http_respond_error(req, 413, "the request is too large");
    return fl_srv_query(s, req, p->tenant->schema, rr->q.sql, rr->q.nparams, rr->q.params,
                        on_report, rr);
}

int fl_api_report_issue_trends(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return run(s, req, p, FL_REPORT_ISSUE_TRENDS);
}

int fl_api_report_issue_mttr(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return run(s, req, p, FL_REPORT_ISSUE_MTTR);
}

int fl_api_report_sla_performance(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return run(s, req, p, FL_REPORT_SLA_PERFORMANCE);
}

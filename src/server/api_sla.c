/*
 * SLA configuration's endpoints: /api/v1/sla/policies and
 * /api/v1/sla/business-hours. Every write decides against the whole folded
 * sla:config (one stream, so "one default" and "hours in use" hold whatever
 * the read model says) and expects its version; the answer is the entry
 * rendered from the write side. If-Match and ETag carry the sla:config
 * version: any change to the configuration moves it. Reads run on the read
 * model, and a GET's ETag is the config version that read model holds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/sla.h"

typedef int (*put_fn)(const fl_cmd_ctx_t *, const fl_sla_config_t *, const char *, const json_t *,
                      fl_decision_t *);
typedef int (*del_fn)(const fl_cmd_ctx_t *, const fl_sla_config_t *, const char *, fl_decision_t *);

/* What differs between the two kinds of entry. */
typedef struct kind {
    fl_sla_kind_t kind;
    put_fn put;
    del_fn del;
    const char *missing;  /* a 404's detail */
    const char *scope;    /* of an Idempotency-Key */
    const char *location; /* the collection, for a 201's Location */
} kind_t;

static const kind_t policies = {
    FL_SLA_POLICIES, fl_sla_decide_policy_put, fl_sla_decide_policy_delete, "no such SLA policy",
    "sla_policy",    "/api/v1/sla/policies/"};
static const kind_t hours = {FL_SLA_HOURS,
                             fl_sla_decide_hours_put,
                             fl_sla_decide_hours_delete,
                             "no such business hours",
                             "sla_hours",
                             "/api/v1/sla/business-hours/"};

/* ----------------------------------------------------------------- writes */

typedef struct answer {
    fl_server_t *s;
    const kind_t *k;
    const char *id; /* of the entry written */
} answer_t;

static json_t *render(const fl_sla_config_t *c, const kind_t *k, const char *id)
{
    if (k->kind == FL_SLA_POLICIES) {
        const fl_sla_policy_t *p = fl_sla_policy_find(c, id);
        return p != NULL ? fl_sla_policy_entity_json(p) : NULL;
    }
    const fl_sla_business_hours_t *h = fl_sla_hours_find(c, id);
    return h != NULL ? fl_sla_hours_entity_json(h) : NULL;
}

static void set_headers(fl_commit_t *c, const answer_t *w, uint64_t version)
{
    char buf[128];

    snprintf(buf, sizeof(buf), "\"%" PRIu64 "\"", version);
    fl_http_set_header(c->req, "ETag", buf);
    if (c->result.count > 0) {
        snprintf(buf, sizeof(buf), "%" PRIu64, c->result.first_pos + c->result.count - 1);
        fl_http_set_header(c->req, "X-Log-Position", buf);
    }
    if (c->status == 201) {
        snprintf(buf, sizeof(buf), "%s%s", w->k->location, w->id);
        fl_http_set_header(c->req, "Location", buf);
    }
}

/* After the commit (and the read model's wait): the entry as the write side now holds it. */
static void on_done(fl_commit_t *c, int rc)
{
    answer_t *w = c->ctx;
    const void *state;
    uint64_t version;

    if (rc != 0 || fl_decision_failed(&c->d)) {
        fl_commit_answer(w->s, c, rc, false);
        return;
    }
    fl_decision_release(&c->d);
    if (w->id == NULL ||
        fl_agg_load(c->tenant->cache, &fl_sla_config_agg, FL_SLA_STREAM, &state, &version) != 0) {
        fl_http_respond_error(c->req, 500, "the SLA configuration could not be read back");
        return;
    }
    json_t *entry = render(state, w->k, w->id);
    if (entry == NULL) {
        fl_http_respond_error(c->req, 404, "the entry is gone: it was deleted since");
        return;
    }
    set_headers(c, w, version);
    fl_http_respond_json(c->req, c->status, entry);
}

/* The id in the data of the event at pos (a replayed create's), in the arena; or NULL. */
static const char *id_at(fl_log_t *log, uint64_t pos, fl_arena_t *a)
{
    fl_log_query_t q = {.from = pos, .to = pos};
    fl_log_cursor_t *cur;
    fl_event_t ev;
    json_t *data = NULL;
    const char *id = NULL;

    if (fl_log_cursor_open(log, &q, &cur) != 0)
        return NULL;
    if (fl_log_cursor_next(cur, a, &ev) == 1 && strcmp(ev.stream, FL_SLA_STREAM) == 0 &&
        fl_codec_to_json(ev.data, ev.data_len, &data) == 0) {
        const char *s = json_string_value(json_object_get(data, "id"));
        id = s != NULL ? fl_arena_strndup(a, s, strlen(s)) : NULL;
    }
    json_decref(data);
    fl_log_cursor_close(cur);
    return id;
}

/* A create retried with its Idempotency-Key: answered with the entry it made. */
static bool replayed(fl_commit_t *c, answer_t *w)
{
    if (c->idem_key == NULL || fl_log_idem_get(c->tenant->log, c->idem_key, &c->result) != 1)
        return false;
    w->id = id_at(c->tenant->log, c->result.first_pos, &c->req->arena);
    on_done(c, 0);
    return true;
}

/* The folded config a write decides on, after If-Match: NULL after answering. */
static const fl_sla_config_t *write_target(fl_http_req_t *req, fl_principal_t *p)
{
    int64_t expected = fl_srv_if_match(req);
    char *detail;

    if (expected == FL_SRV_BAD_IF_MATCH) {
        fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
        return NULL;
    }
    const fl_sla_config_t *c = fl_srv_agg_copy(req, p->tenant, &fl_sla_config_agg, FL_SLA_STREAM);
    if (c == NULL) {
        fl_http_respond_error(req, 500, "the SLA configuration could not be read");
        return NULL;
    }
    if (expected != FL_LOG_ANY && expected != c->version) {
        detail = fl_arena_alloc(&req->arena, 128);
        snprintf(detail, 128, "sla:config is at version %" PRId64 ", not %" PRId64, c->version,
                 expected);
        fl_problem_t pr = {
            .slug = "version-mismatch", .title = "version mismatch", .detail = detail};
        fl_http_respond_problem(req, 412, &pr);
        return NULL;
    }
    return c;
}

/* POST (create) or PUT: the whole body replaces the entry. */
static int put(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const kind_t *k, bool create)
{
    fl_cmd_ctx_t ctx;
    json_t *body;
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    answer_t *w = fl_arena_alloc(&req->arena, sizeof(*w));

    *w = (answer_t){.s = s, .k = k};
    c->done = on_done;
    c->ctx = w;
    c->stream = FL_SLA_STREAM;
    if (create) {
        c->status = 201;
        c->idem_key = fl_srv_idem_key(req, p, k->scope, true);
        if (replayed(c, w))
            return 0;
    }
    const fl_sla_config_t *cfg = write_target(req, p);
    if (cfg == NULL || fl_http_read_json(req, &body) != 0)
        return 0;
    fl_srv_cmd_ctx(req, p, &ctx);
    k->put(&ctx, cfg, create ? NULL : fl_http_param(req, "id"), body, &c->d);
    json_decref(body);
    const char *id = json_string_value(json_object_get(c->d.result, "id"));
    if (!fl_decision_failed(&c->d) && id != NULL)
        w->id = fl_arena_strndup(&req->arena, id, strlen(id));
    fl_commit_submit(s, c);
    return 0;
}

static int del(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const kind_t *k)
{
    fl_cmd_ctx_t ctx;
    const fl_sla_config_t *cfg = write_target(req, p);

    if (cfg == NULL)
        return 0;
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    fl_srv_cmd_ctx(req, p, &ctx);
    k->del(&ctx, cfg, fl_http_param(req, "id"), &c->d);
    fl_commit_submit(s, c); /* no render: 204 */
    return 0;
}

/* ------------------------------------------------------------------ reads */

typedef struct read_ctx {
    fl_http_req_t *req;
    fl_sla_query_t q;
    const kind_t *one; /* a single entry's kind; NULL for a page */
} read_ctx_t;

static void on_read(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    char etag[32];

    if (fl_srv_res_failed(rc->req, res))
        return;
    if (rc->one == NULL) {
        fl_http_respond_json(rc->req, 200, fl_sla_page_json(res, &rc->q));
        return;
    }
    json_t *entry = fl_sla_row_json(res, 0);
    if (entry == NULL) {
        fl_http_respond_error(rc->req, 404, rc->one->missing);
        return;
    }
    snprintf(etag, sizeof(etag), "\"%" PRId64 "\"", fl_sla_row_config_version(res, 0));
    fl_http_set_header(rc->req, "ETag", etag);
    fl_http_respond_json(rc->req, 200, entry);
}

static read_ctx_t *read_ctx(fl_http_req_t *req, const kind_t *one)
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

static int list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const kind_t *k)
{
    fl_decision_t d;
    read_ctx_t *rc = read_ctx(req, NULL);

    fl_decision_init(&d);
    if (fl_sla_list_query(k->kind, req->query, req->n_query, &req->arena, &rc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status != 0 ? d.status : 422, &d.problem);
    return run(s, p, rc);
}

static int get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const kind_t *k)
{
    read_ctx_t *rc = read_ctx(req, k);

    if (!fl_srv_params_only(req, NULL))
        return 0;
    if (fl_sla_get_query(k->kind, fl_http_param(req, "id"), &rc->q) != 0)
        return fl_http_respond_error(req, 404, k->missing);
    return run(s, p, rc);
}

/* --------------------------------------------------------------- handlers */

int fl_api_sla_policies_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return list(s, req, p, &policies);
}

int fl_api_sla_policies_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return put(s, req, p, &policies, true);
}

int fl_api_sla_policies_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return get(s, req, p, &policies);
}

int fl_api_sla_policies_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return put(s, req, p, &policies, false);
}

int fl_api_sla_policies_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return del(s, req, p, &policies);
}

int fl_api_sla_hours_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return list(s, req, p, &hours);
}

int fl_api_sla_hours_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return put(s, req, p, &hours, true);
}

int fl_api_sla_hours_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return get(s, req, p, &hours);
}

int fl_api_sla_hours_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return put(s, req, p, &hours, false);
}

int fl_api_sla_hours_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    return del(s, req, p, &hours);
}

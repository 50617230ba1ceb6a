/*
 * The API key endpoints: create (the key is shown once, in the answer),
 * list, get, revoke, and /auth/me for a key. Writes decide against the
 * write side; reads run on the tenant's read model, which holds the hash of
 * each secret and never selects it.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "firelater/apikeys.h"
#include "firelater/err.h"
#include "firelater/users.h"

static json_t *render_key(const void *state, uint64_t version)
{
    (void)version;
    return fl_api_key_to_json(state);
}

/* ----------------------------------------------------------------- create */

/* What the answer to a create needs besides the commit: the key, shown this once. */
typedef struct created {
    fl_server_t *s;
    const char *key;
} created_t;

static void set_created_headers(fl_commit_t *c, const fl_api_key_state_t *k)
{
    char buf[96];
    snprintf(buf, sizeof(buf), "\"%llu\"", (unsigned long long)k->version);
    fl_http_set_header(c->req, "ETag", buf);
    snprintf(buf, sizeof(buf), "%llu",
             (unsigned long long)(c->result.first_pos + c->result.count - 1));
    fl_http_set_header(c->req, "X-Log-Position", buf);
    snprintf(buf, sizeof(buf), "/api/v1/api-keys/%s", k->id);
    fl_http_set_header(c->req, "Location", buf);
    fl_http_set_header(c->req, "Cache-Control", "no-store");
}

static void on_created(fl_commit_t *c, int rc)
{
    created_t *w = c->ctx;
    const void *state;
    uint64_t version;
    /* A refusal, a failed append, or a retried Idempotency-Key: the default answer (no key). */
    if (rc != 0 || fl_decision_failed(&c->d) || c->result.duplicate) {
        fl_commit_answer(w->s, c, rc, false);
        return;
    }
    fl_decision_release(&c->d);
    if (fl_agg_load(c->tenant->cache, &fl_api_key_agg, c->stream, &state, &version) != 0) {
        fl_http_respond_error(c->req, 500, "the API key could not be read back");
        return;
    }
    json_t *body = fl_api_key_to_json(state);
    json_object_set_new(body, "key", json_string(w->key));
    set_created_headers(c, state);
    fl_http_respond_json(c->req, 201, body);
}

/* A new id and secret for cmd; the key a client will hold goes into w->key. */
static int new_key(fl_http_req_t *req, const fl_principal_t *p, fl_api_key_cmd_t *cmd, created_t *w)
{
    fl_api_key_parts_t parts;
    char *key = fl_arena_alloc(&req->arena, FL_APIKEYS_KEY_MAX + 1);
    cmd->id = fl_uuid_new(&req->arena);
    size_t n = strlen(p->tenant->slug);
    if (key == NULL || cmd->id == NULL || n >= sizeof(parts.slug))
        return FL_ETOOBIG;
    memcpy(parts.slug, p->tenant->slug, n + 1);
    snprintf(parts.id, sizeof(parts.id), "%s", cmd->id);
    randombytes_buf(parts.secret, sizeof(parts.secret));
    fl_apikeys_hash(parts.secret, cmd->secret_hash);
    int rc = fl_apikeys_format(&parts, key, FL_APIKEYS_KEY_MAX + 1);
    sodium_memzero(parts.secret, sizeof(parts.secret));
    w->key = key;
    return rc;
}

int fl_api_keys_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    json_t *body;
    fl_cmd_ctx_t ctx;
    fl_api_key_cmd_t cmd = {0};
    fl_api_key_creator_t by = {.user_id = p->user_id, .perms = p->perms};
    created_t *w = fl_arena_alloc(&req->arena, sizeof(*w));
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    *w = (created_t){.s = s};
    c->type = &fl_api_key_agg;
    c->render = render_key;
    c->status = 201;
    c->location = "/api/v1/api-keys/";
    c->done = on_created;
    c->ctx = w;
    c->idem_key = fl_srv_idem_key(req, p, "api-keys", false);
    fl_srv_cmd_ctx(req, p, &ctx);
    /* A key is refused before its body is read: keys never create keys. */
    by.is_api_key = p->api_key_id != NULL;
    if (!by.is_api_key) {
        if (fl_commit_replayed(s, c))
            return 0;
        if (fl_http_read_json(req, &body) != 0)
            return 0;
        int rc = fl_apikeys_decode_create(body, &req->arena, &cmd, &c->d);
        json_decref(body);
        if (rc == 0 && new_key(req, p, &cmd, w) != 0)
            return fl_http_respond_error(req, 500, "the key could not be made");
        if (rc != 0) {
            fl_commit_submit(s, c); /* answers the problem */
            return 0;
        }
        c->stream = fl_apikeys_stream(&req->arena, cmd.id);
    }
    fl_apikeys_decide_create(&ctx, &cmd, &by, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

/* ----------------------------------------------------------------- revoke */

int fl_api_keys_revoke(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const void *state;
    uint64_t version;
    fl_cmd_ctx_t ctx;
    const char *id = fl_http_param(req, "id");
    int64_t expected = fl_srv_if_match(req);
    if (expected == FL_SRV_BAD_IF_MATCH)
        return fl_http_respond_error(req, 412, "If-Match must be a version, like \"3\"");
    char *stream = fl_uuid_is_valid(id) ? fl_apikeys_stream(&req->arena, id) : NULL;
    if (stream == NULL ||
        fl_agg_load(p->tenant->cache, &fl_api_key_agg, stream, &state, &version) != 0 ||
        !((const fl_api_key_state_t *)state)->exists)
        return fl_http_respond_error(req, 404, "no such API key");
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    c->render = NULL; /* 204 */
    fl_srv_cmd_ctx(req, p, &ctx);
    fl_apikeys_decide_revoke(&ctx, state, expected, &c->d);
    fl_commit_submit(s, c);
    return 0;
}

/* ------------------------------------------------------------------ reads */

typedef struct read_ctx {
    fl_http_req_t *req;
    fl_apikeys_query_t q;
} read_ctx_t;

static void on_page(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (!fl_srv_res_failed(rc->req, res))
        fl_http_respond_json(rc->req, 200, fl_apikeys_page_to_json(res, &rc->q));
}

static void on_row(fl_store_res_t *res, void *ctx)
{
    read_ctx_t *rc = ctx;
    if (!fl_srv_res_failed(rc->req, res))
        fl_srv_answer_entity(rc->req,
                             fl_store_res_rows(res) == 1 ? fl_apikeys_row_to_json(res, 0) : NULL,
                             "no such API key");
}

static int run(fl_server_t *s, fl_http_req_t *req, const fl_principal_t *p, read_ctx_t *rc,
               fl_store_cb cb)
{
    return fl_srv_query(s, req, p->tenant->schema, rc->q.sql, rc->q.nparams, rc->q.params, cb, rc);
}

static read_ctx_t *read_ctx_new(fl_http_req_t *req)
{
    read_ctx_t *rc = fl_arena_alloc(&req->arena, sizeof(*rc));
    memset(rc, 0, sizeof(*rc));
    rc->req = req;
    return rc;
}

int fl_api_keys_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    fl_decision_t d;
    read_ctx_t *rc = read_ctx_new(req);
    fl_decision_init(&d);
    if (fl_apikeys_list_query(req->query, req->n_query, &req->arena, &rc->q, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    return run(s, req, p, rc, on_page);
}

int fl_api_keys_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    read_ctx_t *rc = read_ctx_new(req);
    if (fl_apikeys_get_query(fl_http_param(req, "id"), &req->arena, &rc->q) != 0)
        return fl_http_respond_error(req, 404, "no such API key");
    return run(s, req, p, rc, on_row);
}

/* ------------------------------------------------------------------- me */

int fl_api_key_me(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const void *state;
    uint64_t version;
    (void)s;
    char *stream = fl_apikeys_stream(&req->arena, p->api_key_id);
    if (stream == NULL ||
        fl_agg_load(p->tenant->cache, &fl_api_key_agg, stream, &state, &version) != 0)
        return fl_http_respond_error(req, 500, "the API key could not be read");
    const fl_api_key_state_t *k = state;
    json_t *key = json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", k->id, "name", k->name, "prefix",
                            k->prefix, "scopes", fl_apikeys_scopes_to_json(&k->scopes),
                            "expires_at", fl_json_time_or_null(k->expires_at));
    stream = fl_users_stream(&req->arena, p->user_id);
    if (key == NULL || stream == NULL ||
        fl_agg_load(p->tenant->cache, &fl_user_agg, stream, &state, &version) != 0) {
        json_decref(key);
        return fl_http_respond_error(req, 500, "the API key's creator could not be read");
    }
    return fl_http_respond_json(req, 200,
                                json_pack("{s:s, s:o, s:o}", "type", "api_key", "api_key", key,
                                          "user", fl_user_to_json(state, NULL)));
}

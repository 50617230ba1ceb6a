/*
 * Sign-in, token refresh, sign-out and "who am I".
 *
 * Sign-in verifies the password on the thread pool (argon2id), against a
 * dummy hash when the account does not exist, so both cost the same; the
 * answer to a wrong email or a wrong password is the same 401. Failures are
 * throttled per account and per client address (429 with Retry-After).
 * A session is a refresh-token family in the tenant's log (session:<family>):
 * every refresh rotates the token, and presenting a rotated one revokes the
 * whole family. The refresh token a client holds is "<tenant>.<token>", so
 * that refreshing needs no other input.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "firelater/err.h"
#include "firelater/session.h"
#include "firelater/users.h"

#define BAD_LOGIN "invalid tenant, email or password"

typedef struct login {
    fl_server_t *s;
    fl_http_req_t *req;
    fl_srv_tenant_t *t;
    const char *email;
    char user_id[FL_UUID_LEN + 1];
    char acct_key[400];
    char ip_key[80];
    char token[FL_REFRESH_TOKEN_MAX + 80];
    char family[FL_REFRESH_FAMILY_LEN + 1];
} login_t;

/* Signs an access token and answers {access_token, refresh_token, ..., user}. */
static void answer_tokens(fl_server_t *s, fl_commit_t *c, const char *user_id, const char *family,
                          const char *refresh)
{
    fl_http_req_t *req = c->req;
    fl_jwt_claims_t cl = {.iat = fl_clock_now() / 1000000};
    char jwt[1024], jti[33];
    uint8_t rnd[16];
    const void *state;
    uint64_t version;
    cl.exp = cl.iat + FL_ACCESS_TTL_S;
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(jti, sizeof(jti), rnd, sizeof(rnd));
    snprintf(cl.sub, sizeof(cl.sub), "%s", user_id);
    snprintf(cl.tid, sizeof(cl.tid), "%s", c->tenant->slug);
    snprintf(cl.sid, sizeof(cl.sid), "%s", family);
    snprintf(cl.jti, sizeof(cl.jti), "%s", jti);
    char *stream = fl_users_stream(&req->arena, user_id);
    fl_decision_release(&c->d);
    if (fl_jwt_sign(s->jwt_key, &cl, jwt, sizeof(jwt)) != 0 ||
        fl_agg_load(c->tenant->cache, &fl_user_agg, stream, &state, &version) != 0) {
        fl_http_respond_error(req, 500, "the tokens could not be issued");
        return;
    }
    json_t *body = json_pack("{s:s, s:s, s:s, s:i, s:o}", "access_token", jwt, "refresh_token",
                             refresh, "token_type", "Bearer", "expires_in", FL_ACCESS_TTL_S, "user",
                             fl_user_to_json(state, NULL));
    fl_http_set_header(req, "Cache-Control", "no-store");
    fl_http_respond_json(req, 200, body);
}

static void on_login_committed(fl_commit_t *c, int rc)
{
    login_t *l = c->ctx;
    if (rc != 0 || fl_decision_failed(&c->d)) {
        fl_commit_answer(l->s, c, rc, false);
        return;
    }
    answer_tokens(l->s, c, l->user_id, l->family, l->token);
}

static void start_session(login_t *l)
{
    fl_cmd_ctx_t ctx;
    fl_principal_t p = {.tenant = l->t, .user_id = l->user_id};
    char inner[FL_REFRESH_TOKEN_MAX], hash[FL_TOKEN_HASH_HEX];
    const void *state;
    uint64_t version;
    fl_commit_t *c = fl_commit_new(l->req, l->t);
    fl_srv_cmd_ctx(l->req, &p, &ctx);
    fl_refresh_token_new(NULL, inner, l->family, hash);
    snprintf(l->token, sizeof(l->token), "%s.%s", l->t->slug, inner);
    fl_session_decide_start(&ctx, l->family, l->user_id, hash, &c->d);
    char *stream = fl_users_stream(&l->req->arena, l->user_id);
    if (fl_agg_load(l->t->cache, &fl_user_agg, stream, &state, &version) == 0)
        fl_users_decide_login_recorded(&ctx, state, &c->d);
    c->done = on_login_committed;
    c->ctx = l;
    fl_commit_submit(l->s, c);
}

static void on_verified(void *ctx, int rc, bool ok, const char *hash_out)
{
    login_t *l = ctx;
    const void *state;
    uint64_t version;
    (void)hash_out;
    bool active = false;
    if (rc == 0 && ok && l->t != NULL) {
        char *stream = fl_users_stream(&l->req->arena, l->user_id);
        active = fl_agg_load(l->t->cache, &fl_user_agg, stream, &state, &version) == 0 &&
                 ((const fl_user_state_t *)state)->status == FL_USER_ACTIVE;
    }
    if (!active) {
        fl_throttle_fail(l->s->throttle_acct, l->acct_key, fl_clock_now());
        fl_throttle_fail(l->s->throttle_ip, l->ip_key, fl_clock_now());
        fl_http_respond_error(l->req, 401, BAD_LOGIN);
        return;
    }
    if (l->t->suspended) {
        fl_http_respond_error(l->req, 403, "this tenant is suspended");
        return;
    }
    fl_throttle_reset(l->s->throttle_acct, l->acct_key);
    l->req->tenant = l->t->slug;
    l->req->user = l->user_id;
    start_session(l);
}

/* The stored hash for tenant/email, or NULL (then a dummy hash is verified instead). */
static const char *find_hash(login_t *l)
{
    const void *state;
    uint64_t version;
    if (l->t == NULL)
        return NULL;
    char *claim = fl_users_email_stream(&l->req->arena, l->email);
    if (claim == NULL || fl_agg_load(l->t->cache, &fl_email_claim_agg, claim, &state, &version))
        return NULL;
    const fl_email_claim_state_t *cs = state;
    if (!cs->claimed)
        return NULL;
    snprintf(l->user_id, sizeof(l->user_id), "%s", cs->user_id);
    char *stream = fl_users_stream(&l->req->arena, l->user_id);
    if (fl_agg_load(l->t->cache, &fl_user_agg, stream, &state, &version) != 0)
        return NULL;
    const char *hash = ((const fl_user_state_t *)state)->password_hash;
    return hash != NULL ? fl_arena_strndup(&l->req->arena, hash, strlen(hash)) : NULL;
}

/* Reads {tenant, email, password}; answers 422 itself when they are not all strings. */
static int read_login(fl_http_req_t *req, const char **tenant, const char **email,
                      const char **password)
{
    json_t *body, *v;
    const char *key;
    fl_decision_t d;
    fl_decision_init(&d);
    if (fl_http_read_json(req, &body) != 0)
        return FL_EINVAL;
    const char *names[] = {"tenant", "email", "password"};
    const char **outs[] = {tenant, email, password};
    for (int i = 0; i < 3; i++) {
        v = json_object_get(body, names[i]);
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 1024)
            fl_decision_field(&d, names[i], "is required, a non-empty string");
        else
            *outs[i] = fl_arena_strndup(&req->arena, json_string_value(v), json_string_length(v));
    }
    json_object_foreach(body, key, v)
    {
        if (strcmp(key, "tenant") && strcmp(key, "email") && strcmp(key, "password"))
            fl_decision_field(&d, fl_arena_strndup(&req->arena, key, strlen(key)),
                              "is not a known field");
    }
    json_decref(body);
    if (!fl_decision_failed(&d))
        return 0;
    fl_http_respond_problem(req, d.status, &d.problem);
    return FL_EINVAL;
}

static void client_ip(const fl_http_req_t *req, char *out, size_t len)
{
    snprintf(out, len, "ip:%s", req->remote);
    char *colon = strrchr(out, ':');
    if (colon != NULL && colon > out + 3)
        *colon = '\0'; /* drop the port */
}

int fl_api_login(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const char *tenant = NULL, *email = NULL, *password = NULL;
    (void)p;
    if (read_login(req, &tenant, &email, &password) != 0)
        return 0;
    login_t *l = fl_arena_alloc(&req->arena, sizeof(*l));
    memset(l, 0, sizeof(*l));
    *l = (login_t){.s = s, .req = req, .t = fl_srv_tenant_find(s, tenant), .email = email};
    snprintf(l->acct_key, sizeof(l->acct_key), "acct:%s:%s", tenant, email);
    for (char *k = l->acct_key; *k; k++)
        *k = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
    client_ip(req, l->ip_key, sizeof(l->ip_key));
    unsigned wait = fl_throttle_check(s->throttle_acct, l->acct_key, fl_clock_now());
    unsigned wait_ip = fl_throttle_check(s->throttle_ip, l->ip_key, fl_clock_now());
    if (wait > 0 || wait_ip > 0) {
        char ra[16];
        snprintf(ra, sizeof(ra), "%u", wait > wait_ip ? wait : wait_ip);
        fl_http_set_header(req, "Retry-After", ra);
        return fl_http_respond_error(req, 429, "too many failed sign-ins; wait and retry");
    }
    int rc = fl_password_verify_async(s->loop, find_hash(l), password, on_verified, l);
    return rc != 0 ? rc : 0;
}

typedef struct refresh {
    fl_server_t *s;
    char user_id[FL_UUID_LEN + 1];
    char family[FL_REFRESH_FAMILY_LEN + 1];
    char token[FL_REFRESH_TOKEN_MAX + 80];
} refresh_t;

static void on_refresh_committed(fl_commit_t *c, int rc)
{
    refresh_t *r = c->ctx;
    if (rc != 0 || fl_decision_failed(&c->d)) {
        fl_commit_answer(r->s, c, rc, false);
        return;
    }
    answer_tokens(r->s, c, r->user_id, r->family, r->token);
}

/* "<tenant>.<family>.<secret>": the tenant, and the inner token. */
static fl_srv_tenant_t *split_refresh(fl_server_t *s, const char *token, const char **inner)
{
    const char *dot = strchr(token, '.');
    char slug[64];
    if (dot == NULL || dot == token || (size_t)(dot - token) >= sizeof(slug))
        return NULL;
    memcpy(slug, token, (size_t)(dot - token));
    slug[dot - token] = '\0';
    *inner = dot + 1;
    return fl_srv_tenant_find(s, slug);
}

/* The session's user's state: its tokens_valid_after, or "now" when it may not refresh. */
static fl_time_t user_valid_after(fl_srv_tenant_t *t, fl_http_req_t *req, const char *user_id)
{
    const void *state;
    uint64_t version;
    char *stream = fl_users_stream(&req->arena, user_id);
    if (stream == NULL || fl_agg_load(t->cache, &fl_user_agg, stream, &state, &version) != 0)
        return fl_clock_now();
    const fl_user_state_t *u = state;
    return u->status == FL_USER_ACTIVE ? u->tokens_valid_after : fl_clock_now();
}

static int decide_refresh(fl_server_t *s, fl_http_req_t *req, fl_srv_tenant_t *t, const char *inner)
{
    char family[FL_REFRESH_FAMILY_LEN + 1], hash[FL_TOKEN_HASH_HEX], next[FL_REFRESH_TOKEN_MAX],
        next_hash[FL_TOKEN_HASH_HEX], stream[FL_SESSION_STREAM_MAX + 1];
    const void *state;
    uint64_t version;
    fl_cmd_ctx_t ctx;
    if (fl_refresh_token_parse(inner, family, hash) != 0 ||
        fl_session_stream(family, stream, sizeof(stream)) != 0 ||
        fl_agg_load(t->cache, &fl_session_agg, stream, &state, &version) != 0)
        return fl_http_respond_error(req, 401, "invalid refresh token");
    const fl_session_t *ss = state;
    refresh_t *r = fl_arena_alloc(&req->arena, sizeof(*r));
    *r = (refresh_t){.s = s};
    snprintf(r->user_id, sizeof(r->user_id), "%s", ss->user_id);
    snprintf(r->family, sizeof(r->family), "%s", family);
    fl_refresh_token_new(family, next, family, next_hash);
    snprintf(r->token, sizeof(r->token), "%s.%s", t->slug, next);
    fl_principal_t p = {.tenant = t, .user_id = r->user_id};
    fl_srv_cmd_ctx(req, &p, &ctx);
    fl_commit_t *c = fl_commit_new(req, t);
    fl_time_t valid_after = user_valid_after(t, req, r->user_id);
    /* The session state may be evicted by the user's load: load it again before deciding. */
    fl_agg_load(t->cache, &fl_session_agg, stream, &state, &version);
    fl_session_decide_refresh(&ctx, state, version, hash, next_hash, valid_after, &c->d);
    c->done = on_refresh_committed;
    c->ctx = r;
    req->tenant = t->slug;
    req->user = r->user_id;
    fl_commit_submit(s, c);
    return 0;
}

int fl_api_refresh(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    json_t *body;
    const char *inner = NULL;
    (void)p;
    if (fl_http_read_json(req, &body) != 0)
        return 0;
    json_t *tok = json_object_get(body, "refresh_token");
    if (!json_is_string(tok) || json_object_size(body) != 1) {
        json_decref(body);
        static const fl_problem_error_t err = {"refresh_token", "is required, a string, and the "
                                                                "only field"};
        fl_problem_t pr = {
            .slug = "validation", .title = "validation failed", .errors = &err, .n_errors = 1};
        return fl_http_respond_problem(req, 422, &pr);
    }
    char *token = fl_arena_strndup(&req->arena, json_string_value(tok), json_string_length(tok));
    json_decref(body);
    fl_srv_tenant_t *t = split_refresh(s, token, &inner);
    if (t == NULL)
        return fl_http_respond_error(req, 401, "invalid refresh token");
    if (t->suspended)
        return fl_http_respond_error(req, 403, "this tenant is suspended");
    return decide_refresh(s, req, t, inner);
}

int fl_api_logout(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    char stream[FL_SESSION_STREAM_MAX + 1];
    const void *state;
    uint64_t version;
    fl_cmd_ctx_t ctx;
    fl_commit_t *c = fl_commit_new(req, p->tenant);
    /* Signing out of a session that is gone already is done. */
    if (p->session == NULL || fl_session_stream(p->session, stream, sizeof(stream)) != 0 ||
        fl_agg_load(p->tenant->cache, &fl_session_agg, stream, &state, &version) != 0 ||
        !((const fl_session_t *)state)->exists)
        return fl_http_respond(req, 204, NULL, NULL, 0);
    fl_srv_cmd_ctx(req, p, &ctx);
    fl_session_decide_revoke(&ctx, state, version, FL_SESSION_LOGOUT, &c->d);
    c->render = NULL; /* 204 */
    fl_commit_submit(s, c);
    return 0;
}

static json_t *render_user(const void *state, uint64_t version)
{
    (void)version;
    return fl_user_to_json(state, NULL);
}

int fl_api_me(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    if (p->api_key_id != NULL)
        return fl_api_key_me(s, req, p);
    const void *state;
    uint64_t version;
    char etag[32];
    (void)s;
    char *stream = fl_users_stream(&req->arena, p->user_id);
    if (fl_agg_load(p->tenant->cache, &fl_user_agg, stream, &state, &version) != 0)
        return fl_http_respond_error(req, 500, "the user could not be read");
    snprintf(etag, sizeof(etag), "\"%llu\"", (unsigned long long)version);
    fl_http_set_header(req, "ETag", etag);
    return fl_http_respond_json(req, 200, render_user(state, version));
}

/*
 * Forgotten passwords: POST /auth/forgot-password and /auth/reset-password.
 *
 * forgot-password {tenant, email} gives the same 202 whether or not the
 * account exists, is active or was throttled, and takes as long either way:
 * both paths run the same PostgreSQL statement (which inserts nothing when
 * there is nothing to send; so an outage is 503 either way), and both are
 * answered no earlier than FLOOR_MS after the request arrived, which hides
 * the log append only a real request makes. For a real request the token's
 * hash goes to the log (user.password_reset_requested), then the message
 * holding the token itself goes to the notifications table: the plaintext
 * token never enters the log, which is immutable and exported to auditors.
 *
 * reset-password {token, new_password}: the token names its tenant and user
 * ("<tenant>.<user id>.<secret>"); every kind of bad token gets the same 400.
 * The new password is hashed (argon2id, thread pool) only after the token and
 * the policy were checked, and checked again against the state after hashing.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "firelater/err.h"
#include "firelater/users.h"

#define FLOOR_MS 200 /* neither answer comes sooner: longer than a real request takes */
#define NEUTRAL                                                                                    \
    "if the address belongs to an active account of this tenant, instructions to reset its "       \
    "password have been sent to it"
#define SUBJECT "Reset your FireLater password"

/*
 * One statement for both paths: $5 says whether the row is really written.
 * The user id is also the entity: the notification is about that account.
 */
#define SQL_NOTE                                                                                   \
    "INSERT INTO notifications (user_id, event_category, event_type, entity_type, entity_id,"      \
    " subject, content, data, priority, status)"                                                   \
    " SELECT $1::uuid, 'auth', 'user.password_reset_requested', 'user', $1::uuid, $2, $3,"         \
    " $4::jsonb, 'high', 'pending' WHERE $5::boolean"

typedef struct forgot {
    fl_server_t *s;
    fl_http_req_t *req;
    fl_srv_tenant_t *t; /* NULL: no such tenant */
    const char *email;
    char user_id[FL_UUID_LEN + 1];
    char token[FL_USERS_RESET_TOKEN_MAX];
    fl_time_t expires_at;
    int status; /* the answer: 202 or 503 */
    uv_timer_t timer;
} forgot_t;

/* --------------------------------------------------------------- answers */

static void answer_forgot(forgot_t *f)
{
    fl_http_req_t *req = f->req;
    if (f->status != 202) {
        fl_http_set_header(req, "Retry-After", "2");
        fl_http_respond_error(req, 503, "the service is unavailable; ask again shortly");
        return;
    }
    fl_http_set_header(req, "Cache-Control", "no-store");
    fl_http_respond_json(req, 202, json_pack("{s:s}", "message", NEUTRAL));
}

static void on_floor_closed(uv_handle_t *h)
{
    answer_forgot(h->data);
}

static void on_floor(uv_timer_t *t)
{
    uv_close((uv_handle_t *)t, on_floor_closed);
}

/* Answers with status, but not before FLOOR_MS after the request arrived. */
static void finish(forgot_t *f, int status)
{
    fl_time_t elapsed_ms = (fl_clock_now() - f->req->start) / 1000;
    f->status = status;
    sodium_memzero(f->token, sizeof(f->token));
    if (elapsed_ms >= FLOOR_MS || uv_timer_init(f->s->loop, &f->timer) != 0) {
        answer_forgot(f);
        return;
    }
    f->timer.data = f;
    uv_timer_start(&f->timer, on_floor, (uint64_t)(FLOOR_MS - elapsed_ms), 0);
}

/* ---------------------------------------------------------- the message */

static void on_noted(fl_store_res_t *res, void *ctx)
{
    forgot_t *f = ctx;
    int err = fl_store_res_err(res);
    if (err != 0 && f->user_id[0] != '\0')
        fprintf(stderr, "firelater: tenant '%s': a password reset message was not stored: %s\n",
                f->t->slug, fl_store_res_message(res));
    /* Only an outage is told apart: anything else would tell that nothing was sent. */
    finish(f, err == 0 || (err != FL_EUNAVAIL && f->user_id[0] == '\0') ? 202 : 503);
}

static char *message(forgot_t *f, char *expires)
{
    size_t n = 1024 + strlen(f->token);
    char *text = fl_arena_alloc(&f->req->arena, n);
    fl_time_format(f->expires_at, expires, 40);
    snprintf(text, n,
             "Someone asked to reset the password of your FireLater account (tenant %s).\n\n"
             "To choose a new password, send this token and the new password to POST "
             "/api/v1/auth/reset-password ({\"token\": \"...\", \"new_password\": \"...\"}):\n\n"
             "    %s\n\n"
             "It works once, until %s. A new password needs at least %d characters and must "
             "not be your email address.\n"
             "If you did not ask for this, ignore this message: your password stays as it is.\n",
             f->t->slug, f->token, expires, FL_USERS_PASSWORD_MIN);
    return text;
}

/* The statement of both paths; real: the account is active and not throttled. */
static void note(forgot_t *f, bool real)
{
    char expires[40] = "", data[128] = "{}";
    const char *params[5] = {NULL, NULL, NULL, data, real ? "true" : "false"};
    int rc;
    if (f->t == NULL) { /* no schema to write in: a round trip all the same */
        rc = f->s->store != NULL
                 ? fl_store_query(f->s->store, NULL, "SELECT 1", 0, NULL, on_noted, f)
                 : FL_EUNAVAIL;
        if (rc != 0)
            finish(f, 503);
        return;
    }
    if (real) {
        params[0] = f->user_id;
        params[1] = SUBJECT;
        params[2] = message(f, expires);
        snprintf(data, sizeof(data), "{\"expires_at\": \"%s\"}", expires);
    }
    rc = f->s->store != NULL
             ? fl_store_query(f->s->store, f->t->schema, SQL_NOTE, 5, params, on_noted, f)
             : FL_EUNAVAIL;
    if (params[2] != NULL) /* the store copied it: the token lives on only in PostgreSQL */
        sodium_memzero((char *)params[2], strlen(params[2]));
    if (rc != 0)
        finish(f, 503);
}

/* ------------------------------------------------------------ the request */

static void on_requested(fl_commit_t *c, int rc)
{
    forgot_t *f = c->ctx;
    bool failed = rc != 0 || fl_decision_failed(&c->d);
    fl_decision_release(&c->d);
    if (failed) {
        fprintf(stderr, "firelater: tenant '%s': a password reset request was not logged: %s\n",
                f->t->slug, fl_strerror(rc != 0 ? rc : FL_EINVAL));
        finish(f, 503);
        return;
    }
    note(f, true);
}

/* The token's hash to the log first; the message with the token once that is durable. */
static void request_reset(forgot_t *f, const fl_user_state_t *u)
{
    char hash[FL_USERS_RESET_HASH_HEX];
    fl_cmd_ctx_t ctx;
    fl_principal_t p = {.tenant = f->t}; /* the caller is anonymous */
    fl_commit_t *c = fl_commit_new(f->req, f->t);
    fl_srv_cmd_ctx(f->req, &p, &ctx);
    f->expires_at = ctx.now + (fl_time_t)FL_USERS_RESET_TTL_S * 1000000;
    if (fl_users_reset_token_new(f->t->slug, u->id, f->token, hash) != 0 ||
        fl_users_decide_reset_request(&ctx, u, hash, &c->d) != 0) {
        fl_decision_release(&c->d);
        f->user_id[0] = '\0';
        note(f, false);
        return;
    }
    c->done = on_requested;
    c->ctx = f;
    fl_commit_submit(f->s, c);
}

/* The active account of that address, or NULL (no tenant, suspended, unknown, inactive). */
static const fl_user_state_t *find_active(forgot_t *f)
{
    const void *state;
    uint64_t version;
    if (f->t == NULL || f->t->suspended)
        return NULL;
    char *claim = fl_users_email_stream(&f->req->arena, f->email);
    if (claim == NULL || fl_agg_load(f->t->cache, &fl_email_claim_agg, claim, &state, &version))
        return NULL;
    const fl_email_claim_state_t *cs = state;
    if (!cs->claimed)
        return NULL;
    char *stream = fl_users_stream(&f->req->arena, cs->user_id);
    if (stream == NULL || fl_agg_load(f->t->cache, &fl_user_agg, stream, &state, &version) != 0)
        return NULL;
    const fl_user_state_t *u = state;
    return u->exists && u->status == FL_USER_ACTIVE ? u : NULL;
}

/* At most 3 requests an hour per tenant and address, known or not; counts this one. */
static bool admitted(fl_server_t *s, const char *tenant, const char *email)
{
    char key[400];
    snprintf(key, sizeof(key), "reset:%s:%s", tenant, email);
    for (char *k = key; *k; k++)
        *k = (char)(*k >= 'A' && *k <= 'Z' ? *k + 32 : *k);
    if (fl_throttle_check(s->throttle_reset, key, fl_clock_now()) > 0)
        return false;
    fl_throttle_fail(s->throttle_reset, key, fl_clock_now());
    return true;
}

int fl_api_forgot_password(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    json_t *body;
    fl_decision_t d;
    fl_user_forgot_cmd_t cmd;
    (void)p;
    fl_decision_init(&d);
    if (fl_http_read_json(req, &body) != 0)
        return 0;
    int rc = fl_users_decode_forgot(body, &req->arena, &cmd, &d);
    json_decref(body);
    if (rc != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    forgot_t *f = fl_arena_alloc(&req->arena, sizeof(*f));
    memset(f, 0, sizeof(*f));
    *f = (forgot_t){.s = s, .req = req, .t = fl_srv_tenant_find(s, cmd.tenant), .email = cmd.email};
    bool ok = admitted(s, cmd.tenant, cmd.email);
    const fl_user_state_t *u = find_active(f);
    if (f->t != NULL)
        req->tenant = f->t->slug;
    if (u != NULL && !ok)
        fprintf(stderr, "firelater: tenant '%s': password reset for user %s throttled\n",
                f->t->slug, u->id);
    /* With PostgreSQL known to be down nothing is logged: the answer is 503 either way. */
    if (u == NULL || !ok || s->store == NULL || !fl_store_is_up(s->store)) {
        note(f, false);
        return 0;
    }
    snprintf(f->user_id, sizeof(f->user_id), "%s", u->id);
    request_reset(f, u);
    return 0;
}

/* ------------------------------------------------------------- the reset */

typedef struct reset {
    fl_server_t *s;
    fl_http_req_t *req;
    fl_srv_tenant_t *t;
    fl_user_reset_cmd_t cmd;
    char tenant[FL_STORE_SLUG_MAX + 1];
    char user_id[FL_UUID_LEN + 1];
    char hash[FL_USERS_RESET_HASH_HEX];
} reset_t;

static const fl_user_state_t no_user;

/* The user named by the token (in the cache: valid until the next load), or no_user. */
static const fl_user_state_t *token_user(reset_t *r)
{
    const void *state;
    uint64_t version;
    char *stream = r->t != NULL ? fl_users_stream(&r->req->arena, r->user_id) : NULL;
    if (stream == NULL || fl_agg_load(r->t->cache, &fl_user_agg, stream, &state, &version) != 0)
        return &no_user;
    return state;
}

static void reset_ctx(reset_t *r, fl_cmd_ctx_t *ctx)
{
    fl_principal_t p = {.tenant = r->t, .user_id = r->user_id};
    fl_srv_cmd_ctx(r->req, &p, ctx);
}

static void decide_reset(reset_t *r, const char *password_hash)
{
    fl_cmd_ctx_t ctx;
    fl_commit_t *c = fl_commit_new(r->req, r->t);
    c->render = NULL; /* 204 */
    reset_ctx(r, &ctx);
    fl_users_decide_reset(&ctx, token_user(r), r->hash, r->cmd.new_password, password_hash, &c->d);
    fl_commit_submit(r->s, c);
}

static void on_hashed(void *ctx, int rc, bool ok, const char *hash)
{
    reset_t *r = ctx;
    (void)ok;
    if (rc != 0) {
        fl_http_respond_error(r->req, 500, "the password could not be hashed");
        return;
    }
    decide_reset(r, hash);
}

int fl_api_reset_password(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    json_t *body;
    fl_decision_t d;
    fl_cmd_ctx_t ctx;
    (void)p;
    fl_decision_init(&d);
    if (fl_http_read_json(req, &body) != 0)
        return 0;
    reset_t *r = fl_arena_alloc(&req->arena, sizeof(*r));
    memset(r, 0, sizeof(*r));
    *r = (reset_t){.s = s, .req = req};
    int rc = fl_users_decode_reset(body, &req->arena, &r->cmd, &d);
    json_decref(body);
    if (rc != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    /* A malformed token, or one of no tenant, is checked against no user: the same 400. */
    if (fl_users_reset_token_parse(r->cmd.token, r->tenant, r->user_id, r->hash) == 0)
        r->t = fl_srv_tenant_find(s, r->tenant);
    if (r->t != NULL && r->t->suspended)
        return fl_http_respond_error(req, 403, "this tenant is suspended");
    reset_ctx(r, &ctx);
    if (fl_users_check_reset(&ctx, token_user(r), r->hash, r->cmd.new_password, &d) != 0)
        return fl_http_respond_problem(req, d.status, &d.problem);
    req->tenant = r->t->slug;
    req->user = r->user_id;
    return fl_password_hash_async(s->loop, r->cmd.new_password, on_hashed, r);
}

/*
 * Authentication of API calls: a bearer access token (JWT) of an active user
 * of an active tenant. The tenant comes from the token only, never from the
 * path or the body. The user's current state is checked on every call (from
 * the aggregate cache, without PostgreSQL), so a deactivated user or a
 * changed password stops a token at once.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "firelater/err.h"
#include "firelater/users.h"

static const char *copy(fl_http_req_t *req, const char *s)
{
    return s != NULL ? fl_arena_strndup(&req->arena, s, strlen(s)) : NULL;
}

static void fill_principal(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_user_state_t *u,
                           const fl_jwt_claims_t *c, fl_principal_t *p)
{
    p->tenant = t;
    p->user_id = copy(req, u->id);
    p->email = copy(req, u->email);
    p->session = copy(req, c->sid);
    for (size_t i = 0; i < u->n_roles && i < sizeof(p->roles) / sizeof(p->roles[0]); i++)
        p->roles[p->n_roles++] = copy(req, u->roles[i]);
    fl_srv_access_perms(t, u->id, u->roles, u->n_roles, &p->perms);
    req->tenant = t->slug;
    req->user = p->user_id;
}

int fl_srv_authenticate(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const char **detail)
{
    const char *h = fl_http_header(req, "Authorization");
    fl_jwt_claims_t c;
    const void *state;
    uint64_t version;
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return *detail = "a bearer token is required (Authorization: Bearer ...)", 401;
    if (strncmp(h + 7, "fl_", 3) == 0)
        return fl_srv_authenticate_api_key(s, req, h + 7, p, detail);
    int rc = fl_jwt_verify(s->jwt_key, h + 7, fl_clock_now() / 1000000, &c);
    if (rc == FL_EEXPIRED)
        return *detail = "the access token has expired; refresh it", 401;
    if (rc != 0)
        return *detail = "the access token is not valid", 401;
    fl_srv_tenant_t *t = fl_srv_tenant_find(s, c.tid);
    if (t == NULL)
        return *detail = "the access token is not valid", 401;
    if (t->suspended)
        return *detail = "this tenant is suspended", 403;
    char *stream = fl_users_stream(&req->arena, c.sub);
    if (stream == NULL || fl_agg_load(t->cache, &fl_user_agg, stream, &state, &version) != 0)
        return *detail = "the access token is not valid", 401;
    const fl_user_state_t *u = state;
    if (!u->exists || !fl_user_token_is_valid(u, (fl_time_t)c.iat * 1000000))
        return *detail = "the account is inactive or the token was revoked", 401;
    fill_principal(req, t, u, &c, p);
    return 0;
}

bool fl_srv_can(const fl_principal_t *p, fl_resource_t r, fl_action_t a)
{
    return fl_perms_allow(&p->perms, r, a);
}

/*
 * The user agent as the audit trail keeps it: at most UA_MAX bytes, cut at a
 * UTF-8 character boundary (the log refuses metadata over 1 KiB).
 */
#define UA_MAX 512

static const char *audit_user_agent(fl_http_req_t *req)
{
    const char *ua = fl_http_header(req, "User-Agent");
    size_t n = ua != NULL ? strlen(ua) : 0;
    if (n <= UA_MAX)
        return ua;
    n = UA_MAX;
    while (n > 0 && ((unsigned char)ua[n] & 0xC0) == 0x80)
        n--;
    return fl_arena_strndup(&req->arena, ua, n);
}

void fl_srv_cmd_ctx(fl_http_req_t *req, const fl_principal_t *p, fl_cmd_ctx_t *ctx)
{
    char *actor = NULL;
    if (p != NULL && p->api_key_id != NULL) {
        /* An API key acts as itself; actor_id stays its creator's. */
        size_t n = strlen(p->api_key_id) + 8;
        actor = fl_arena_alloc(&req->arena, n);
        snprintf(actor, n, "apikey:%s", p->api_key_id);
    } else if (p != NULL && p->user_id != NULL) {
        size_t n = strlen(p->user_id) + 6;
        actor = fl_arena_alloc(&req->arena, n);
        snprintf(actor, n, "user:%s", p->user_id);
    }
    *ctx = (fl_cmd_ctx_t){.a = &req->arena,
                          .now = fl_clock_now(),
                          .tenant = p != NULL && p->tenant != NULL ? p->tenant->slug : NULL,
                          .actor = actor != NULL ? actor : "anonymous",
                          .actor_id = p != NULL ? p->user_id : NULL,
                          .request_id = req->request_id,
                          .corr = fl_http_header(req, "X-Correlation-Id"),
                          .client = req->remote,
                          .user_agent = audit_user_agent(req)};
}

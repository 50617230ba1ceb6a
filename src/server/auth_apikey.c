/*
 * Authentication with a service account's API key: "Bearer fl_<tenant>_<id>_<secret>".
 *
 * The tenant and the key id are read from the key, so the key's aggregate is
 * one lookup in the tenant's aggregate cache; the secret is checked against
 * its BLAKE2b-256 in constant time. No PostgreSQL on this path. The key acts
 * for its creator, narrowed to its scopes: its permissions are the scopes
 * that the creator still holds, so demoting the creator narrows the key and
 * deactivating them stops it.
 *
 * Uses are recorded as api_key.used at most once a minute per key. The event
 * joins the tenant's next group commit as a commit of its own that no
 * request waits for (its memory is the commit's, freed when it is settled).
 * A small table in the tenant remembers when each key's use was last
 * submitted, so the requests that arrive while that append is in flight do
 * not record it again; the folded last_used_at covers keys the table has
 * forgotten (a collision, a restart).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "firelater/apikeys.h"
#include "firelater/err.h"
#include "firelater/users.h"

#define BAD_KEY      "the API key is not valid"
#define USE_EVERY_US ((int64_t)FL_APIKEYS_USE_EVERY_S * 1000000)

static const char *copy(fl_http_req_t *req, const char *s)
{
    return fl_arena_strndup(&req->arena, s, strlen(s));
}

/* ------------------------------------------------------------ last use */

typedef struct key_use {
    fl_commit_t c; /* first: the commit's done callback gets this back */
    fl_arena_t a;
    char id[FL_UUID_LEN + 1];
} key_use_t;

static fl_srv_key_use_t *use_slot(fl_srv_tenant_t *t, const char *id)
{
    uint32_t h = 2166136261u;
    for (const char *p = id; *p != '\0'; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return &t->key_uses[h % FL_SRV_KEY_USES];
}

static void on_use_recorded(fl_commit_t *c, int rc)
{
    key_use_t *u = (key_use_t *)c;
    if (rc != 0 || fl_decision_failed(&c->d)) {
        /* Not recorded: let the next request try again. */
        fprintf(stderr, "firelater: tenant '%s': recording an API key's use: %s\n", c->tenant->slug,
                fl_strerror(rc != 0 ? rc : FL_EINVAL));
        memset(use_slot(c->tenant, u->id), 0, sizeof(fl_srv_key_use_t));
    }
    fl_decision_release(&c->d);
    fl_arena_free(&u->a);
    free(u);
}

/* The command context of the recording, every string in the commit's own arena. */
static void use_ctx(fl_http_req_t *req, key_use_t *u, const fl_principal_t *p, fl_time_t now,
                    fl_cmd_ctx_t *ctx)
{
    fl_cmd_ctx_t from;
    fl_srv_cmd_ctx(req, p, &from);
    const char *rid = from.request_id, *ip = from.client;
    *ctx = (fl_cmd_ctx_t){
        .a = &u->a,
        .now = now,
        .tenant = p->tenant->slug,
        .actor = fl_arena_strndup(&u->a, from.actor, strlen(from.actor)),
        .actor_id = fl_arena_strndup(&u->a, p->user_id, strlen(p->user_id)),
        .request_id = rid != NULL ? fl_arena_strndup(&u->a, rid, strlen(rid)) : NULL,
        .client = ip != NULL ? fl_arena_strndup(&u->a, ip, strlen(ip)) : NULL,
    };
}

/* Submits api_key.used when the key's last recorded use is a minute old. */
static void record_use(fl_server_t *s, fl_http_req_t *req, const fl_principal_t *p,
                       const fl_api_key_state_t *k, fl_time_t now)
{
    fl_srv_key_use_t *slot = use_slot(p->tenant, k->id);
    fl_cmd_ctx_t ctx;
    if (strcmp(slot->id, k->id) == 0 && now - slot->at < USE_EVERY_US)
        return;
    if (k->last_used_at != 0 && now - k->last_used_at < USE_EVERY_US)
        return;
    key_use_t *u = calloc(1, sizeof(*u));
    if (u == NULL)
        fl_oom();
    fl_arena_init(&u->a, 0);
    u->c.tenant = p->tenant;
    u->c.status = 200;
    u->c.done = on_use_recorded;
    fl_decision_init(&u->c.d);
    snprintf(u->id, sizeof(u->id), "%s", k->id);
    use_ctx(req, u, p, now, &ctx);
    if (fl_apikeys_decide_used(&ctx, k, &u->c.d) != 0 || u->c.d.n_events == 0) {
        fl_arena_free(&u->a);
        free(u);
        return;
    }
    snprintf(slot->id, sizeof(slot->id), "%s", k->id);
    slot->at = now;
    fl_commit_submit(s, &u->c);
}

/* ------------------------------------------------------- authentication */

static void fill_principal(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_api_key_state_t *k,
                           const fl_user_state_t *creator, fl_principal_t *p)
{
    fl_perms_t held;
    fl_srv_access_perms(t, creator->id, creator->roles, creator->n_roles, &held);
    p->tenant = t;
    p->api_key_id = copy(req, k->id);
    p->user_id = copy(req, creator->id);
    p->email = copy(req, creator->email);
    fl_apikeys_effective(&k->scopes, &held, &p->perms);
    req->tenant = t->slug;
    req->user = p->user_id;
}

/* The key's state, copied out of the cache (the creator's load may evict it). */
static int load_key(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_api_key_parts_t *parts,
                    fl_api_key_state_t *k, const char **detail)
{
    const void *state;
    uint64_t version;
    char *stream = fl_apikeys_stream(&req->arena, parts->id);
    if (stream == NULL || fl_agg_load(t->cache, &fl_api_key_agg, stream, &state, &version) != 0)
        return *detail = BAD_KEY, 401;
    memcpy(k, state, sizeof(*k));
    /* Unknown and wrong secret read alike; revoked and expired only to the key's holder. */
    if (!fl_api_key_secret_matches(k, parts->secret))
        return *detail = BAD_KEY, 401;
    if (k->revoked)
        return *detail = "the API key has been revoked", 401;
    if (!fl_api_key_is_usable(k, fl_clock_now()))
        return *detail = "the API key has expired", 401;
    return 0;
}

int fl_srv_authenticate_api_key(fl_server_t *s, fl_http_req_t *req, const char *token,
                                fl_principal_t *p, const char **detail)
{
    fl_api_key_parts_t parts;
    fl_api_key_state_t k;
    const void *state;
    uint64_t version;
    if (fl_apikeys_parse(token, &parts) != 0)
        return *detail = BAD_KEY, 401;
    fl_srv_tenant_t *t = fl_srv_tenant_find(s, parts.slug);
    if (t == NULL)
        return *detail = BAD_KEY, 401;
    if (t->suspended)
        return *detail = "this tenant is suspended", 403;
    int status = load_key(req, t, &parts, &k, detail);
    if (status != 0)
        return status;
    char *stream = fl_users_stream(&req->arena, k.created_by);
    if (stream == NULL || fl_agg_load(t->cache, &fl_user_agg, stream, &state, &version) != 0)
        return *detail = BAD_KEY, 401;
    const fl_user_state_t *creator = state;
    if (!creator->exists || creator->status != FL_USER_ACTIVE)
        return *detail = "the API key's creator is no longer active", 401;
    fill_principal(req, t, &k, creator, p);
    record_use(s, req, p, &k, fl_clock_now());
    return 0;
}

/*
 * The server's context (style.md's fl_server_t): every piece of mutable state
 * of the process hangs off it. Private to src/server/.
 */
#ifndef FIRELATER_SERVER_APP_H
#define FIRELATER_SERVER_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "firelater/aggcache.h"
#include "firelater/auth.h"
#include "firelater/domain.h"
#include "firelater/http.h"
#include "firelater/log.h"
#include "firelater/projector.h"
#include "firelater/rbac.h"
#include "firelater/store.h"

typedef struct fl_server fl_server_t;
typedef struct fl_commit fl_commit_t;
typedef struct fl_srv_sla fl_srv_sla_t;
typedef struct fl__sla_cfg fl__sla_cfg_t;
typedef struct fl_catalog_forms fl_catalog_forms_t;

/* When an API key's use was last recorded (auth_apikey.c), direct-mapped by key id. */
#define FL_SRV_KEY_USES 64
typedef struct fl_srv_key_use {
    char id[40];
    int64_t at; /* µs; 0: free */
} fl_srv_key_use_t;

/* A tenant as the server holds it: its log, its aggregate cache and its staged commits. */
typedef struct fl_srv_tenant {
    char slug[64];
    char schema[64];
    bool suspended;
    fl_log_t *log;
    fl_agg_cache_t *cache;
    fl_access_t *access;       /* roles, groups, memberships: for authorisation */
    fl_commit_t *staged;       /* decided commands waiting for the next group commit */
    fl_commit_t *in_flight;    /* the group being appended on the thread pool */
    fl_log_batch_t *g_batches; /* the group's batches and results, one per commit */
    fl_log_result_t *g_results;
    size_t g_n;
    int g_rc;
    uv_work_t work;
    bool writing;
    fl_srv_key_use_t key_uses[FL_SRV_KEY_USES];
    fl_srv_sla_t *sla;         /* SLA timers (sla_timers.c); NULL until the first tick */
    fl__sla_cfg_t *sla_cfg;    /* the issues' write path's SLA configuration; NULL until used */
    fl_catalog_forms_t *forms; /* compiled catalog forms (catalog.h); NULL until used */
    fl_server_t *srv;
    struct fl_srv_tenant *next;
} fl_srv_tenant_t;

typedef struct fl_server_config {
    const char *data_dir;
    const char *listen;
    const char *pg;
    uint64_t read_wait_ms; /* read-your-writes bound; default 2000 */
    size_t max_body;       /* bytes; default 1 MiB */
    size_t max_header;     /* bytes; default 16 KiB */
    unsigned max_conns;
    unsigned pg_pool;
    const char *access_log; /* path, "-" for stdout (default), "off" */
    /* Days after an issue is resolved or closed during which it may be reopened; default 7. */
    unsigned issue_reopen_days;
    /* A streamed body's limit (attachments; the HTTP layer's 413); default 25 MiB. */
    size_t max_upload;
    /* A tenant's attachment storage: the sum of its live attachments' sizes; 0: none. 10 GiB. */
    uint64_t attach_quota;
} fl_server_config_t;

struct fl_server {
    fl_server_config_t cfg;
    uv_loop_t *loop;
    fl_log_t *platform;
    uint64_t platform_seen; /* platform head folded into the tenant list */
    fl_srv_tenant_t *tenants;
    fl_store_t *store;
    fl_projector_t *projector;
    fl_http_server_t *http;
    fl_http_router_t router;
    uint8_t jwt_key[FL_AUTH_KEY_LEN];
    fl_throttle_t *throttle_acct; /* sign-in failures per tenant and email */
    fl_throttle_t *throttle_ip;   /* ... and per client address */
    /* Password reset requests per tenant and email (api_password.c). */
    fl_throttle_t *throttle_reset;
    FILE *access_log;
    uv_timer_t platform_timer;
    uv_timer_t sla_timer;
    uv_signal_t sigint, sigterm;
    bool stopping;
    int exit_code;
};

/* ------------------------------------------------------------------ tenants */

int fl_srv_tenants_load(fl_server_t *s);
void fl_srv_tenants_free(fl_server_t *s);
fl_srv_tenant_t *fl_srv_tenant_find(fl_server_t *s, const char *slug);
/* Starts the timer that picks up tenants created, suspended or resumed by flctl. */
void fl_srv_tenants_watch(fl_server_t *s);

/*
 * SLA timers (sla_timers.c): start scans every tenant's issues and fires what
 * passed while the server was down, then ticks; stop closes the timer; free
 * releases a tenant's timer state.
 */
void fl_srv_sla_start(fl_server_t *s);
void fl_srv_sla_stop(fl_server_t *s);
void fl_srv_sla_free(fl_srv_tenant_t *t);

/* ------------------------------------------------------------------ commands */

/*
 * Renders the response body of a committed command from the aggregate of the
 * stream its first event went to (state as folded by `type`).
 */
typedef json_t *(*fl_render_fn)(const void *state, uint64_t version);

/*
 * A decided command on its way to the log. Lives in the request's arena.
 * Submitting takes over the request: the events are appended in the next
 * group commit, the projector is awaited (read-your-writes), and the request
 * is answered (the decision's problem, or the rendered aggregate).
 */
struct fl_commit {
    fl_http_req_t *req;
    fl_srv_tenant_t *tenant;
    fl_decision_t d;
    const char *idem_key;
    const fl_agg_type_t *type; /* for the response */
    const char *stream;        /* the aggregate to render; default: the first event's stream */
    fl_render_fn render;       /* NULL: a body-less 204 */
    int status;                /* 200 or 201 on success */
    const char *location;      /* for a 201: the collection path, "/api/v1/users/" */
    void (*done)(fl_commit_t *c, int rc); /* optional: replaces the default answer */
    void *ctx;
    fl_log_result_t result;
    fl_commit_t *next;
};

/* Allocates a commit in the request's arena, with its decision initialised. */
fl_commit_t *fl_commit_new(fl_http_req_t *req, fl_srv_tenant_t *t);
void fl_commit_submit(fl_server_t *s, fl_commit_t *c);
/*
 * When c->idem_key was appended before, answers with what that append
 * produced and returns true: a retried request is not decided again.
 */
bool fl_commit_replayed(fl_server_t *s, fl_commit_t *c);

/* The longest Idempotency-Key accepted; longer ones are refused with 400 (routes.c). */
#define FL_SRV_IDEM_KEY_MAX 128
/*
 * The version a write expects from If-Match ("3" or 3): FL_LOG_ANY when absent
 * or "*", FL_SRV_BAD_IF_MATCH when malformed (answer 412).
 */
#define FL_SRV_BAD_IF_MATCH (-2)
int64_t fl_srv_if_match(fl_http_req_t *req);

/* The default answer after a commit (used by custom done callbacks too). */
void fl_commit_answer(fl_server_t *s, fl_commit_t *c, int rc, bool behind);

/* ------------------------------------------------------------ authentication */

/*
 * Who is calling; strings copied into the request's arena. A user signed in
 * with an access token, or a service account's API key (api_key_id set,
 * user_id the key's creator, perms its scopes).
 */
typedef struct fl_principal {
    fl_srv_tenant_t *tenant;
    const char *user_id;
    const char *email;
    const char *session; /* refresh family of the access token; NULL for an API key */
    const char *api_key_id;
    const char *roles[16];
    size_t n_roles;
    fl_perms_t perms; /* effective: roles held directly and through groups, or a key's scopes */
} fl_principal_t;

/*
 * Authenticates the bearer token of req: a valid access token of an active
 * user of an active tenant. On failure returns the status to answer (401,
 * 403) with *detail saying why; the principal's pointers live in the arena.
 */
int fl_srv_authenticate(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, const char **detail);

/*
 * Authenticates "Bearer fl_..." (a service account's API key; auth_apikey.c):
 * as fl_srv_authenticate, which calls it for tokens with that prefix.
 */
int fl_srv_authenticate_api_key(fl_server_t *s, fl_http_req_t *req, const char *token,
                                fl_principal_t *p, const char **detail);

/* True when the principal may do action on resource (fl_perms_allow on its permissions). */
bool fl_srv_can(const fl_principal_t *p, fl_resource_t r, fl_action_t a);

/* ------------------------------------------------------------------- access */

/*
 * The effective permissions of a user of tenant t holding `roles` directly:
 * the grants of those roles and of the roles of every group the user belongs
 * to, directly or through sub-groups (a member of a group is a member of its
 * ancestors). From the tenant's in-memory access model (access.c), caught up
 * with the log first.
 */
void fl_srv_access_perms(fl_srv_tenant_t *t, const char *user_id, const char *const *roles,
                         size_t n_roles, fl_perms_t *out);

/*
 * No one grants what they do not hold: true when p holds every permission
 * that the roles grant (unknown names grant nothing). For the roles a body
 * gives a user or a group.
 */
bool fl_srv_may_grant(fl_srv_tenant_t *t, const fl_principal_t *p, const char *const *roles,
                      size_t n_roles);

/* True when the user is a member of the group, directly or through a sub-group. */
bool fl_srv_is_member(fl_srv_tenant_t *t, const char *user_id, const char *group_id);

/* ... and for making someone a member of group_id: the roles of the group and its ancestors. */
bool fl_srv_may_grant_group(fl_srv_tenant_t *t, const fl_principal_t *p, const char *group_id);

/*
 * The names in a body's `roles` array (a JSON array, or anything: none)
 * that are live roles of t (their role-name claim is held), copied into the
 * request's arena, at most 16: the known list of fl_users_decode_* and
 * fl_groups_decode_* (api_roles.c).
 */
const char **fl_srv_live_role_names(fl_http_req_t *req, fl_srv_tenant_t *t, const json_t *names,
                                    size_t *n);

/*
 * A copy of the aggregate of stream (fl_agg_load through t's cache) in the
 * request's arena; its strings stay in the cache's. NULL on a log error.
 */
const void *fl_srv_agg_copy(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_agg_type_t *type,
                            const char *stream);

/* The names of now[] that are not in before[], into out (room for n_now): the roles granted. */
size_t fl_srv_roles_added(const char *const *now, size_t n_now, const char *const *before,
                          size_t n_before, const char **out);

/* The command context for a request by principal p (actor "user:<id>"). */
void fl_srv_cmd_ctx(fl_http_req_t *req, const fl_principal_t *p, fl_cmd_ctx_t *ctx);

/*
 * When the request has ?as_of=TIME, answers it with the aggregate of stream
 * folded from the log up to that instant (404 when it did not exist then) and
 * returns true; returns false when there is no as_of.
 */
bool fl_srv_answer_as_of(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_agg_type_t *type,
                         const char *stream, fl_render_fn render, bool (*exists)(const void *));

/* Answers a store failure: 503 with Retry-After when PostgreSQL is unavailable. */
void fl_srv_answer_store_error(fl_http_req_t *req, int rc);

/*
 * The issues' endpoints share (api_issues.c): the requester's own id when p
 * may see only the issues they reported (NULL otherwise); the live issue of
 * a uuid that p may see (NULL otherwise); If-Match and the live issue of
 * {id} (NULL after answering 412 or 404); a commit rendering the issue.
 */
struct fl_issue_state;
const char *fl_srv_issue_own_only(const fl_principal_t *p);
const struct fl_issue_state *fl_srv_issue_load(fl_http_req_t *req, fl_principal_t *p,
                                               const char *id);
const struct fl_issue_state *fl_srv_issue_target(fl_http_req_t *req, fl_principal_t *p,
                                                 int64_t *expected);
fl_commit_t *fl_srv_issue_commit(fl_http_req_t *req, fl_principal_t *p, const char *id);
/*
 * Stamps the SLA into a decided issue command (fl_issues_decide_sla): with
 * the tenant's SLA configuration (its own built copy, refolded when
 * sla:config moves) and the tier of app_id, the application the issue has
 * after the command. i: the issue before it (NULL for a create). A stamp that
 * cannot be made refuses the command (500).
 */
void fl_srv_issue_stamp(fl_srv_tenant_t *t, const fl_cmd_ctx_t *ctx, const struct fl_issue_state *i,
                        const char *app_id, fl_decision_t *d);

/* Reads shared by the endpoints (read.c). fl_srv_query runs sql on schema with cb(res, ctx), or
 * answers the store's error (503 without a store); returns 0. */
int fl_srv_query(fl_server_t *s, fl_http_req_t *req, const char *schema, const char *sql,
                 int nparams, const char *const *params, fl_store_cb cb, void *ctx);
/* True after answering res's store error. */
bool fl_srv_res_failed(fl_http_req_t *req, fl_store_res_t *res);
/* 200 with entity (taken) and its "version" as ETag; 404 `missing` when entity is NULL. */
void fl_srv_answer_entity(fl_http_req_t *req, json_t *entity, const char *missing);
/* True when every query parameter of req is allowed (NULL: none is); else answers 422 naming
 * the first other one and returns false. */
bool fl_srv_params_only(fl_http_req_t *req, const char *allowed);
/* The request's Idempotency-Key (NULL when absent, empty or over 128 bytes), scoped to the
 * caller: "[scope|]<user id>|[<path>|]<key>", in the request's arena. */
const char *fl_srv_idem_key(fl_http_req_t *req, const fl_principal_t *p, const char *scope,
                            bool with_path);

/*
 * Reads answered from the projector's cache (readcache.c), for reads that
 * filter nothing by caller. fl_srv_read_cached answers req (200) and returns
 * true when the same statement with the same values was answered since the
 * read model last changed; else it fills *cr and the caller runs the query,
 * then answers with fl_srv_read_respond, which keeps the body if still exact.
 */
typedef struct fl_srv_cached_read {
    fl_server_t *s;
    fl_http_req_t *req;
    const char *slug;
    uint64_t ticket; /* 0: do not keep */
    const char *key;
    size_t klen;
} fl_srv_cached_read_t;
bool fl_srv_read_cached(fl_server_t *s, fl_http_req_t *req, fl_srv_tenant_t *t, const char *sql,
                        int nparams, const char *const *params, fl_srv_cached_read_t *cr);
/* Responds 200 with body (taken). */
int fl_srv_read_respond(const fl_srv_cached_read_t *cr, json_t *body);

/* ------------------------------------------------------------------- routes */

/* Who may call a route; checked in one place (routes.c) before the handler runs. */
typedef enum fl_route_access {
    FL_ACCESS_PUBLIC, /* no token */
    FL_ACCESS_USER,   /* any signed-in user or API key of an active tenant */
    FL_ACCESS_PERM,   /* ... holding the route's permission (or, with self, named by {id}) */
} fl_route_access_t;

typedef int (*fl_api_fn)(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);

typedef struct fl_route_meta {
    fl_route_access_t access;
    fl_resource_t res; /* with FL_ACCESS_PERM: the permission needed */
    fl_action_t act;
    bool self; /* the user named by {id} may call it without the permission */
    fl_api_fn fn;
    const char *summary; /* for the access log's readers and the OpenAPI test */
} fl_route_meta_t;

extern const fl_http_route_t fl_srv_routes[];
extern const size_t fl_srv_n_routes;

/* The embedded OpenAPI document (src/server/openapi.json). */
extern const char fl_srv_openapi_json[];

int fl_api_healthz(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_readyz(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_openapi(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_login(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_refresh(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_forgot_password(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_reset_password(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_logout(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_me(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* GET /auth/me for an API key (api_apikeys.c): the key and its creator. */
int fl_api_key_me(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_users_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_users_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_users_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_users_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_users_deactivate(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_users_password(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_user_groups(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_groups_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_groups_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_groups_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_groups_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_groups_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_groups_members(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_groups_add_member(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_groups_remove_member(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* roles and the permission catalogue (api_roles.c) */
int fl_api_permissions(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_roles_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_roles_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_roles_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_roles_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_roles_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* API keys (api_apikeys.c) */
int fl_api_keys_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_keys_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_keys_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_keys_revoke(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* the application registry (api_applications.c) */
int fl_api_apps_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_apps_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_apps_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_apps_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_apps_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_apps_envs_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_apps_env_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_apps_env_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_apps_env_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_apps_env_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_icats_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_icats_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_icats_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_icats_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_icats_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* the audit trail (api_audit.c) */
int fl_api_audit_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_audit_entity(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* search (api_search.c) */
int fl_api_search(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_search_issues(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);

/* reports (api_reports.c) */
int fl_api_report_issue_trends(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_report_issue_mttr(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_report_sla_performance(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* issues (api_issues.c) */
int fl_api_issues_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_assign(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_reassign(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_escalate(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_resolve(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_close(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_reopen(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_link(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_comments(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_comment_add(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_comment_edit(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_comment_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_worklogs(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_worklog_add(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_worklog_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_worklog_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_history(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_issues_related(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_apps_issues_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* SLA configuration (api_sla.c) */
int fl_api_sla_policies_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_sla_policies_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_sla_policies_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_sla_policies_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_sla_policies_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_sla_hours_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_sla_hours_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_sla_hours_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_sla_hours_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_sla_hours_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* the service catalog (api_catalog.c, api_catalog_items.c, api_catalog_bundles.c) */
int fl_api_catalog_categories_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_categories_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_categories_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_categories_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_categories_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_items_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_items_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_items_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_items_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_items_retire(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_items_publish(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_items_clone(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_bundles_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_bundles_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_bundles_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_bundles_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_catalog_bundles_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* The tenant's compiled catalog forms (fl_catalog_form), made on first use; for requests. */
fl_catalog_forms_t *fl_srv_catalog_forms(fl_srv_tenant_t *t);

/* ------------------------------------------------------------ attachments */

/* Longest path of a stored attachment or its temporary file. */
#define FL_ATTACH_PATH_MAX 1024
/* <data>/tenants/<slug>/attachments, and a file's path under it: <root>/<aa>/<hash>. */
int fl_srv_attach_root(const fl_server_t *s, const char *slug, char *out, size_t cap);
int fl_srv_attach_path(const char *root, const char *hash, char *out, size_t cap);
/*
 * Whether p may link an attachment to entity_type:entity_id (it exists and
 * p may read it): NULL, else the 422 message (api_attachment_reads.c).
 */
const char *fl_srv_attach_entity_problem(fl_http_req_t *req, fl_principal_t *p,
                                         const char *entity_type, const char *entity_id);
struct fl_attach_state;
const struct fl_attach_state *fl_srv_attach_readable(fl_http_req_t *req, fl_principal_t *p);
int fl_api_attach_upload(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_attach_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_attach_link(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_attach_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* The live attachments of an issue, or of ?entity_type=&entity_id= (api_attachment_reads.c). */
int fl_api_attach_list_issue(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_attach_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* The bytes, streamed from the file (api_attachment_download.c). */
int fl_api_attach_download(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);

/* ------------------------------------------------------- service requests */

struct fl_apps_query;
/*
 * After c's append and projection (its done callback): runs q (one row, column j) and
 * answers it with c->status and c->d.location, or 202 with X-Read-Model: behind when the row
 * is not there yet (readback.c). Releases c->d. Used by issues' notes and requests' comments.
 */
void fl_srv_readback(fl_server_t *s, fl_commit_t *c, const struct fl_apps_query *q);

struct fl_request_state;
/* A requester's own id when p may see only the requests they made or that are for them
 * (no requests:update); NULL otherwise. */
const char *fl_srv_request_party_only(const fl_principal_t *p);
/* The request of a uuid path id that p may see (any: also others', for approvers), in the
 * request's arena; NULL otherwise. */
const struct fl_request_state *fl_srv_request_load(fl_http_req_t *req, fl_principal_t *p,
                                                   const char *id, bool any);
/* If-Match and the request of {id}: NULL after answering 412 or 404. */
const struct fl_request_state *fl_srv_request_target(fl_http_req_t *req, fl_principal_t *p,
                                                     bool any, int64_t *expected);
/* A commit that answers with the request of id after its events (NULL: the first event's). */
fl_commit_t *fl_srv_request_commit(fl_http_req_t *req, fl_principal_t *p, const char *id);
/*
 * Stamps the SLA into a decided request command (fl_requests_decide_sla) with
 * the tenant's SLA configuration (the issues' write path's copy): known are
 * the requests the command loaded (the target, a child's parent, a parent's
 * children), streams it creates start empty. A stamp that cannot be made
 * refuses the command (500). sla_eval.c.
 */
void fl_srv_request_stamp(fl_srv_tenant_t *t, const fl_cmd_ctx_t *ctx,
                          const struct fl_request_state *const *known, size_t n_known,
                          fl_decision_t *d);
/* True when p is a member of a group of r's approval chain (api_request_actions.c). */
bool fl_srv_request_may_see_chain(fl_principal_t *p, const struct fl_request_state *r);
int fl_api_requests_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_update(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_cancel(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_approve(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_reject(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_assign(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_reassign(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_start(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_complete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_reopen(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_approvals(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_history(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_comments(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_comment_add(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_comment_edit(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_requests_comment_delete(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
/* ------------------------------------------------------------ delegations */

/* Folds stream up to `until` into state (of the type's size, in a); *version its sv (asof.c). */
int fl_srv_fold_until(fl_srv_tenant_t *t, fl_arena_t *a, const fl_agg_type_t *type,
                      const char *stream, fl_time_t until, void *state, uint64_t *version);
/* approval delegations (api_delegations.c, issue 6) */
int fl_api_delegations_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_delegations_create(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_delegations_get(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_delegations_revoke(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);
int fl_api_delegations_handed(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p);

#endif

/*
 * The route table (Redis's command table): every route names its handler and
 * who may call it, and one dispatcher authenticates and authorises before
 * any handler runs, so no handler can forget to.
 */
#include <string.h>

#include "app.h"
#include "firelater/err.h"

static int dispatch(fl_http_req_t *req);

/* The access column of the table: who may call the route. */
#define PUBLIC             .access = FL_ACCESS_PUBLIC
#define SIGNED_IN          .access = FL_ACCESS_USER
#define NEED(r, a)         .access = FL_ACCESS_PERM, .res = FL_RES_##r, .act = FL_ACT_##a
#define NEED_OR_SELF(r, a) NEED(r, a), .self = true

#define ROUTE(m, path, acc, f, sum)                                                                \
    {                                                                                              \
        .method = m, .pattern = path, .handler = dispatch, .meta = &(const fl_route_meta_t)        \
        {                                                                                          \
            acc, .fn = f, .summary = sum                                                           \
        }                                                                                          \
    }
/* A route whose body is streamed to its handler (fl_http_body_stream), not buffered. */
#define STREAM_ROUTE(m, path, acc, f, sum)                                                         \
    {                                                                                              \
        .method = m, .pattern = path, .handler = dispatch, .stream_body = true,                    \
        .meta = &(const fl_route_meta_t)                                                           \
        {                                                                                          \
            acc, .fn = f, .summary = sum                                                           \
        }                                                                                          \
    }

const fl_http_route_t fl_srv_routes[] = {
    ROUTE("GET", "/healthz", PUBLIC, fl_api_healthz, "liveness"),
    ROUTE("GET", "/readyz", PUBLIC, fl_api_readyz, "readiness and projection lag"),
    ROUTE("GET", "/api/v1/openapi.json", PUBLIC, fl_api_openapi, "this API"),
    ROUTE("POST", "/api/v1/auth/login", PUBLIC, fl_api_login, "sign in"),
    ROUTE("POST", "/api/v1/auth/refresh", PUBLIC, fl_api_refresh, "rotate tokens"),
    ROUTE("POST", "/api/v1/auth/forgot-password", PUBLIC, fl_api_forgot_password,
          "ask for a password reset token"),
    ROUTE("POST", "/api/v1/auth/reset-password", PUBLIC, fl_api_reset_password,
          "set a new password with a reset token"),
    ROUTE("POST", "/api/v1/auth/logout", SIGNED_IN, fl_api_logout, "end the session"),
    ROUTE("GET", "/api/v1/auth/me", SIGNED_IN, fl_api_me, "the signed-in user"),
    /* users */
    ROUTE("GET", "/api/v1/users", NEED(USERS, READ), fl_api_users_list, "list users"),
    ROUTE("POST", "/api/v1/users", NEED(USERS, CREATE), fl_api_users_create, "create a user"),
    ROUTE("GET", "/api/v1/users/{id}", NEED_OR_SELF(USERS, READ), fl_api_users_get, "a user"),
    ROUTE("PUT", "/api/v1/users/{id}", NEED_OR_SELF(USERS, UPDATE), fl_api_users_update,
          "update a user"),
    ROUTE("DELETE", "/api/v1/users/{id}", NEED(USERS, DELETE), fl_api_users_deactivate,
          "deactivate a user"),
    ROUTE("PUT", "/api/v1/users/{id}/password", NEED_OR_SELF(USERS, MANAGE), fl_api_users_password,
          "change a password"),
    ROUTE("GET", "/api/v1/users/{id}/groups", NEED_OR_SELF(USERS, READ), fl_api_user_groups,
          "a user's groups, inherited ones flagged"),
    /* groups */
    ROUTE("GET", "/api/v1/groups", NEED(GROUPS, READ), fl_api_groups_list, "list groups"),
    ROUTE("POST", "/api/v1/groups", NEED(GROUPS, CREATE), fl_api_groups_create, "create a group"),
    ROUTE("GET", "/api/v1/groups/{id}", NEED(GROUPS, READ), fl_api_groups_get,
          "a group; include=ancestors,descendants,members"),
    ROUTE("PUT", "/api/v1/groups/{id}", NEED(GROUPS, UPDATE), fl_api_groups_update,
          "update a group"),
    ROUTE("DELETE", "/api/v1/groups/{id}", NEED(GROUPS, DELETE), fl_api_groups_delete,
          "delete a group"),
    ROUTE("GET", "/api/v1/groups/{id}/members", NEED(GROUPS, READ), fl_api_groups_members,
          "members, inherited ones flagged"),
    ROUTE("POST", "/api/v1/groups/{id}/members", NEED(GROUPS, UPDATE), fl_api_groups_add_member,
          "add a member or change their role"),
    ROUTE("DELETE", "/api/v1/groups/{id}/members/{userId}", NEED(GROUPS, UPDATE),
          fl_api_groups_remove_member, "remove a member"),
    /* API keys for service accounts */
    ROUTE("GET", "/api/v1/api-keys", NEED(INTEGRATIONS, READ), fl_api_keys_list, "list API keys"),
    ROUTE("POST", "/api/v1/api-keys", NEED(INTEGRATIONS, CREATE), fl_api_keys_create,
          "create an API key (the key is shown once)"),
    ROUTE("GET", "/api/v1/api-keys/{id}", NEED(INTEGRATIONS, READ), fl_api_keys_get, "an API key"),
    ROUTE("DELETE", "/api/v1/api-keys/{id}", NEED(INTEGRATIONS, DELETE), fl_api_keys_revoke,
          "revoke an API key"),
    /* roles and permissions */
    ROUTE("GET", "/api/v1/permissions", NEED(ROLES, READ), fl_api_permissions,
          "the permission catalogue"),
    ROUTE("GET", "/api/v1/roles", NEED(ROLES, READ), fl_api_roles_list, "list roles"),
    ROUTE("POST", "/api/v1/roles", NEED(ROLES, CREATE), fl_api_roles_create,
          "create a custom role"),
    ROUTE("GET", "/api/v1/roles/{id}", NEED(ROLES, READ), fl_api_roles_get,
          "a role with its permissions"),
    ROUTE("PUT", "/api/v1/roles/{id}", NEED(ROLES, UPDATE), fl_api_roles_update, "update a role"),
    ROUTE("DELETE", "/api/v1/roles/{id}", NEED(ROLES, DELETE), fl_api_roles_delete,
          "delete a custom role"),
    /* audit trail */
    ROUTE("GET", "/api/v1/audit-logs", NEED(AUDIT, READ), fl_api_audit_list, "the audit trail"),
    ROUTE("GET", "/api/v1/audit-logs/{entityType}/{id}", NEED(AUDIT, READ), fl_api_audit_entity,
          "an entity's audit history"),
    /* application registry (GET /applications/{id}/issues comes with the issues module) */
    ROUTE("GET", "/api/v1/applications", NEED(APPLICATIONS, READ), fl_api_apps_list,
          "list applications"),
    ROUTE("POST", "/api/v1/applications", NEED(APPLICATIONS, CREATE), fl_api_apps_create,
          "register an application (numbered APP-00001)"),
    ROUTE("GET", "/api/v1/applications/{id}", NEED(APPLICATIONS, READ), fl_api_apps_get,
          "an application, by id or number; ?as_of= for its past"),
    ROUTE("PUT", "/api/v1/applications/{id}", NEED(APPLICATIONS, UPDATE), fl_api_apps_update,
          "update an application"),
    ROUTE("DELETE", "/api/v1/applications/{id}", NEED(APPLICATIONS, DELETE), fl_api_apps_delete,
          "delete an application and its environments (soft)"),
    ROUTE("GET", "/api/v1/applications/{id}/environments", NEED(APPLICATIONS, READ),
          fl_api_apps_envs_list, "an application's environments"),
    ROUTE("POST", "/api/v1/applications/{id}/environments", NEED(APPLICATIONS, UPDATE),
          fl_api_apps_env_create, "add an environment"),
    ROUTE("GET", "/api/v1/applications/{id}/environments/{envId}", NEED(APPLICATIONS, READ),
          fl_api_apps_env_get, "an environment"),
    ROUTE("PUT", "/api/v1/applications/{id}/environments/{envId}", NEED(APPLICATIONS, UPDATE),
          fl_api_apps_env_update, "update an environment"),
    ROUTE("DELETE", "/api/v1/applications/{id}/environments/{envId}", NEED(APPLICATIONS, UPDATE),
          fl_api_apps_env_delete, "remove an environment"),
    /* search: the types searched are those the caller may read */
    ROUTE("GET", "/api/v1/search", SIGNED_IN, fl_api_search,
          "full-text search across users, groups, applications and issues"),
    ROUTE("GET", "/api/v1/search/issues", NEED(ISSUES, READ), fl_api_search_issues,
          "full-text search of issues, their descriptions and comments"),
    /* reports over the read model */
    ROUTE("GET", "/api/v1/reports/issue-trends", NEED(REPORTS, READ), fl_api_report_issue_trends,
          "issues created, resolved and closed per period"),
    ROUTE("GET", "/api/v1/reports/issue-mttr", NEED(REPORTS, READ), fl_api_report_issue_mttr,
          "mean time to resolve and to first response"),
    ROUTE("GET", "/api/v1/reports/sla-performance", NEED(REPORTS, READ),
          fl_api_report_sla_performance, "SLA compliance"),
    /* the service catalog (catalog:update manages: drafts, retired items, hidden categories) */
    ROUTE("GET", "/api/v1/catalog/categories", NEED(CATALOG, READ), fl_api_catalog_categories_list,
          "list catalog categories (tree order; tree=true nests)"),
    ROUTE("POST", "/api/v1/catalog/categories", NEED(CATALOG, CREATE),
          fl_api_catalog_categories_create, "create a catalog category"),
    ROUTE("GET", "/api/v1/catalog/categories/{id}", NEED(CATALOG, READ),
          fl_api_catalog_categories_get, "a catalog category; ?as_of= for its past"),
    ROUTE("PUT", "/api/v1/catalog/categories/{id}", NEED(CATALOG, UPDATE),
          fl_api_catalog_categories_update, "update or move a catalog category"),
    ROUTE("DELETE", "/api/v1/catalog/categories/{id}", NEED(CATALOG, UPDATE),
          fl_api_catalog_categories_delete, "delete a catalog category (soft)"),
    ROUTE("GET", "/api/v1/catalog/items", NEED(CATALOG, READ), fl_api_catalog_items_list,
          "list catalog items (requesters: the active ones visible to them)"),
    ROUTE("POST", "/api/v1/catalog/items", NEED(CATALOG, CREATE), fl_api_catalog_items_create,
          "create a catalog item (a draft)"),
    ROUTE("GET", "/api/v1/catalog/items/{id}", NEED(CATALOG, READ), fl_api_catalog_items_get,
          "a catalog item; ?form_version=N for an older form, ?as_of= for its past"),
    ROUTE("PUT", "/api/v1/catalog/items/{id}", NEED(CATALOG, UPDATE), fl_api_catalog_items_update,
          "update a catalog item"),
    ROUTE("DELETE", "/api/v1/catalog/items/{id}", NEED(CATALOG, UPDATE),
          fl_api_catalog_items_retire, "retire a catalog item"),
    ROUTE("POST", "/api/v1/catalog/items/{id}/publish", NEED(CATALOG, UPDATE),
          fl_api_catalog_items_publish, "publish a draft item (form version 1)"),
    ROUTE("POST", "/api/v1/catalog/items/{id}/clone", NEED(CATALOG, CREATE),
          fl_api_catalog_items_clone, "clone an item as a draft"),
    ROUTE("GET", "/api/v1/catalog/bundles", NEED(CATALOG, READ), fl_api_catalog_bundles_list,
          "list bundles"),
    ROUTE("POST", "/api/v1/catalog/bundles", NEED(CATALOG, CREATE), fl_api_catalog_bundles_create,
          "create a bundle of items"),
    ROUTE("GET", "/api/v1/catalog/bundles/{id}", NEED(CATALOG, READ), fl_api_catalog_bundles_get,
          "a bundle with its items and total cost"),
    ROUTE("PUT", "/api/v1/catalog/bundles/{id}", NEED(CATALOG, UPDATE),
          fl_api_catalog_bundles_update, "update a bundle"),
    ROUTE("DELETE", "/api/v1/catalog/bundles/{id}", NEED(CATALOG, UPDATE),
          fl_api_catalog_bundles_delete, "delete a bundle (soft)"),
    /* service requests (issue 6): requesters see their own; approvers are checked per step */
    ROUTE("GET", "/api/v1/requests", NEED(REQUESTS, READ), fl_api_requests_list,
          "list service requests (requesters: theirs and those for them)"),
    ROUTE("POST", "/api/v1/requests", NEED(REQUESTS, CREATE), fl_api_requests_create,
          "submit a service request for a catalog item"),
    ROUTE("GET", "/api/v1/requests/{id}", NEED(REQUESTS, READ), fl_api_requests_get,
          "a service request, by uuid or number (as_of with the uuid)"),
    ROUTE("PUT", "/api/v1/requests/{id}", NEED(REQUESTS, READ), fl_api_requests_update,
          "update a request's priority, due date or form data (requester or agent)"),
    ROUTE("DELETE", "/api/v1/requests/{id}", NEED(REQUESTS, READ), fl_api_requests_cancel,
          "cancel a request (requester or agent) before completion"),
    ROUTE("POST", "/api/v1/requests/{id}/approve", NEED(REQUESTS, READ), fl_api_requests_approve,
          "approve a pending step (a member of its group, never the requester)"),
    ROUTE("POST", "/api/v1/requests/{id}/reject", NEED(REQUESTS, READ), fl_api_requests_reject,
          "reject a pending step, ending the request"),
    ROUTE("POST", "/api/v1/requests/{id}/assign", NEED(REQUESTS, ASSIGN), fl_api_requests_assign,
          "assign an approved request to a user and/or a group"),
    ROUTE("POST", "/api/v1/requests/{id}/reassign", NEED(REQUESTS, ASSIGN),
          fl_api_requests_reassign, "reassign a request"),
    ROUTE("POST", "/api/v1/requests/{id}/start", NEED(REQUESTS, UPDATE), fl_api_requests_start,
          "start fulfilling an approved request"),
    ROUTE("POST", "/api/v1/requests/{id}/complete", NEED(REQUESTS, UPDATE),
          fl_api_requests_complete, "complete a request with notes"),
    ROUTE("POST", "/api/v1/requests/{id}/reopen", NEED(REQUESTS, UPDATE), fl_api_requests_reopen,
          "reopen a completed request"),
    ROUTE("GET", "/api/v1/requests/{id}/approvals", NEED(REQUESTS, READ), fl_api_requests_approvals,
          "a request's approval chain"),
    ROUTE("GET", "/api/v1/requests/{id}/history", NEED(REQUESTS, READ), fl_api_requests_history,
          "a request's status history"),
    ROUTE("GET", "/api/v1/requests/{id}/comments", NEED(REQUESTS, READ), fl_api_requests_comments,
          "a request's comments (requesters: the public ones)"),
    ROUTE("POST", "/api/v1/requests/{id}/comments", NEED(REQUESTS, READ),
          fl_api_requests_comment_add, "comment on a request (requesters: public comments)"),
    ROUTE("PUT", "/api/v1/requests/{id}/comments/{cid}", NEED(REQUESTS, READ),
          fl_api_requests_comment_edit, "edit a comment (its author, or requests:manage)"),
    ROUTE("DELETE", "/api/v1/requests/{id}/comments/{cid}", NEED(REQUESTS, READ),
          fl_api_requests_comment_delete, "delete a comment (its author, or requests:manage)"),
    /* issue categories */
    ROUTE("GET", "/api/v1/issues/categories", NEED(ISSUES, READ), fl_api_icats_list,
          "list issue categories (tree order; tree=true nests)"),
    ROUTE("POST", "/api/v1/issues/categories", NEED(ISSUES, MANAGE), fl_api_icats_create,
          "create an issue category"),
    ROUTE("GET", "/api/v1/issues/categories/{id}", NEED(ISSUES, READ), fl_api_icats_get,
          "an issue category"),
    ROUTE("PUT", "/api/v1/issues/categories/{id}", NEED(ISSUES, MANAGE), fl_api_icats_update,
          "update an issue category"),
    ROUTE("DELETE", "/api/v1/issues/categories/{id}", NEED(ISSUES, MANAGE), fl_api_icats_delete,
          "delete an issue category"),
    /* issues (requesters: only their own) */
    ROUTE("GET", "/api/v1/issues", NEED(ISSUES, READ), fl_api_issues_list, "list issues"),
    ROUTE("POST", "/api/v1/issues", NEED(ISSUES, CREATE), fl_api_issues_create, "report an issue"),
    ROUTE("GET", "/api/v1/issues/{id}", NEED(ISSUES, READ), fl_api_issues_get,
          "an issue, by uuid or number (as_of with the uuid)"),
    ROUTE("PUT", "/api/v1/issues/{id}", NEED(ISSUES, UPDATE), fl_api_issues_update,
          "update an issue"),
    ROUTE("DELETE", "/api/v1/issues/{id}", NEED(ISSUES, DELETE), fl_api_issues_delete,
          "delete an issue"),
    ROUTE("POST", "/api/v1/issues/{id}/assign", NEED(ISSUES, ASSIGN), fl_api_issues_assign,
          "assign an unassigned issue to a user and/or a group"),
    ROUTE("POST", "/api/v1/issues/{id}/reassign", NEED(ISSUES, ASSIGN), fl_api_issues_reassign,
          "reassign an issue"),
    ROUTE("POST", "/api/v1/issues/{id}/escalate", NEED(ISSUES, ASSIGN), fl_api_issues_escalate,
          "escalate an issue (level + 1, to the group's manager or lead)"),
    ROUTE("POST", "/api/v1/issues/{id}/resolve", NEED(ISSUES, UPDATE), fl_api_issues_resolve,
          "resolve an issue"),
    ROUTE("POST", "/api/v1/issues/{id}/close", NEED(ISSUES, UPDATE), fl_api_issues_close,
          "close a resolved issue"),
    ROUTE("POST", "/api/v1/issues/{id}/reopen", NEED(ISSUES, UPDATE), fl_api_issues_reopen,
          "reopen a resolved or closed issue"),
    ROUTE("GET", "/api/v1/issues/{id}/comments", NEED(ISSUES, READ), fl_api_issues_comments,
          "an issue's comments (requesters: the public ones)"),
    ROUTE("POST", "/api/v1/issues/{id}/comments", NEED(ISSUES, CREATE), fl_api_issues_comment_add,
          "comment on an issue"),
    ROUTE("PUT", "/api/v1/issues/{id}/comments/{cid}", NEED(ISSUES, CREATE),
          fl_api_issues_comment_edit, "edit a comment (its author, or issues:manage)"),
    ROUTE("DELETE", "/api/v1/issues/{id}/comments/{cid}", NEED(ISSUES, CREATE),
          fl_api_issues_comment_delete, "delete a comment (its author, or issues:manage)"),
    ROUTE("GET", "/api/v1/issues/{id}/worklogs", NEED(ISSUES, UPDATE), fl_api_issues_worklogs,
          "an issue's work logs"),
    ROUTE("POST", "/api/v1/issues/{id}/worklogs", NEED(ISSUES, UPDATE), fl_api_issues_worklog_add,
          "log work on an issue"),
    ROUTE("PUT", "/api/v1/issues/{id}/worklogs/{wid}", NEED(ISSUES, UPDATE),
          fl_api_issues_worklog_update, "update a work log (its author, or issues:manage)"),
    ROUTE("DELETE", "/api/v1/issues/{id}/worklogs/{wid}", NEED(ISSUES, UPDATE),
          fl_api_issues_worklog_delete, "delete a work log (its author, or issues:manage)"),
    ROUTE("GET", "/api/v1/issues/{id}/history", NEED(ISSUES, READ), fl_api_issues_history,
          "an issue's status history"),
    ROUTE("GET", "/api/v1/issues/{id}/related", NEED(ISSUES, READ), fl_api_issues_related,
          "the issues linked to an issue, both ways"),
    ROUTE("POST", "/api/v1/issues/{id}/link", NEED(ISSUES, UPDATE), fl_api_issues_link,
          "link an issue to another"),
    ROUTE("GET", "/api/v1/applications/{id}/issues", NEED(ISSUES, READ), fl_api_apps_issues_list,
          "an application's issues"),
    /* SLA configuration: policies and business hours (one stream, sla:config) */
    ROUTE("GET", "/api/v1/sla/policies", NEED(SLA, READ), fl_api_sla_policies_list,
          "list SLA policies"),
    ROUTE("POST", "/api/v1/sla/policies", NEED(SLA, CREATE), fl_api_sla_policies_create,
          "create an SLA policy"),
    ROUTE("GET", "/api/v1/sla/policies/{id}", NEED(SLA, READ), fl_api_sla_policies_get,
          "an SLA policy"),
    ROUTE("PUT", "/api/v1/sla/policies/{id}", NEED(SLA, UPDATE), fl_api_sla_policies_update,
          "replace an SLA policy (targets replaced whole)"),
    ROUTE("DELETE", "/api/v1/sla/policies/{id}", NEED(SLA, DELETE), fl_api_sla_policies_delete,
          "delete an SLA policy"),
    ROUTE("GET", "/api/v1/sla/business-hours", NEED(SLA, READ), fl_api_sla_hours_list,
          "list business hours"),
    ROUTE("POST", "/api/v1/sla/business-hours", NEED(SLA, CREATE), fl_api_sla_hours_create,
          "create business hours"),
    ROUTE("GET", "/api/v1/sla/business-hours/{id}", NEED(SLA, READ), fl_api_sla_hours_get,
          "business hours"),
    ROUTE("PUT", "/api/v1/sla/business-hours/{id}", NEED(SLA, UPDATE), fl_api_sla_hours_update,
          "replace business hours (schedule and holidays replaced whole)"),
    ROUTE("DELETE", "/api/v1/sla/business-hours/{id}", NEED(SLA, DELETE), fl_api_sla_hours_delete,
          "delete business hours (refused while a policy uses them)"),
    /* attachments (issue 6): who may read one is the handlers' (uploader or entity reader) */
    STREAM_ROUTE("POST", "/api/v1/attachments", SIGNED_IN, fl_api_attach_upload,
                 "upload a file (the raw body; ?filename=, entity_type, entity_id)"),
    ROUTE("GET", "/api/v1/attachments/{id}", SIGNED_IN, fl_api_attach_get, "an attachment"),
    ROUTE("DELETE", "/api/v1/attachments/{id}", SIGNED_IN, fl_api_attach_delete,
          "delete an attachment (its uploader or an admin)"),
    ROUTE("POST", "/api/v1/attachments/{id}/link", SIGNED_IN, fl_api_attach_link,
          "link an attachment to an issue"),
    ROUTE("GET", "/api/v1/attachments/{id}/download", SIGNED_IN, fl_api_attach_download,
          "an attachment's bytes (ETag the hash, If-None-Match, one Range)"),
    ROUTE("GET", "/api/v1/attachments", SIGNED_IN, fl_api_attach_list,
          "the live attachments of ?entity_type=&entity_id= (whoever may read the entity)"),
    ROUTE("GET", "/api/v1/issues/{id}/attachments", SIGNED_IN, fl_api_attach_list_issue,
          "an issue's live attachments (whoever may read the issue)"),
    /* approval delegations (issue 6): the user themself, or users:read / users:update */
    ROUTE("GET", "/api/v1/users/{id}/delegations", NEED_OR_SELF(USERS, READ),
          fl_api_delegations_list, "a user's delegations of their approvals; ?as_of="),
    ROUTE("POST", "/api/v1/users/{id}/delegations", NEED_OR_SELF(USERS, UPDATE),
          fl_api_delegations_create, "hand one's approvals to another user for a period"),
    ROUTE("GET", "/api/v1/users/{id}/delegations/{did}", NEED_OR_SELF(USERS, READ),
          fl_api_delegations_get, "a delegation; ?as_of="),
    ROUTE("DELETE", "/api/v1/users/{id}/delegations/{did}", NEED_OR_SELF(USERS, UPDATE),
          fl_api_delegations_revoke, "revoke a delegation (it ends now; history kept)"),
    ROUTE("GET", "/api/v1/delegations", SIGNED_IN, fl_api_delegations_handed,
          "delegations handed to a delegate (delegate_id=me by default)"),
};

const size_t fl_srv_n_routes = sizeof(fl_srv_routes) / sizeof(fl_srv_routes[0]);

/* Forbidden, without saying whether the object exists. */
static int forbid(fl_http_req_t *req)
{
    return fl_http_respond_error(req, 403, "you may not do this");
}

static bool authorized(const fl_route_meta_t *m, fl_http_req_t *req, const fl_principal_t *p)
{
    if (m->access != FL_ACCESS_PERM || fl_srv_can(p, m->res, m->act))
        return true;
    if (!m->self || p->api_key_id != NULL)
        return false;
    const char *id = fl_http_param(req, "id");
    return id != NULL && strcmp(id, p->user_id) == 0;
}

/*
 * An Idempotency-Key is 1 to FL_SRV_IDEM_KEY_MAX printable ASCII characters;
 * any other is refused before anything runs (ignoring it would silently
 * make a retried request run twice).
 */
static bool idem_key_valid(fl_http_req_t *req)
{
    const char *k = fl_http_header(req, "Idempotency-Key");
    size_t n = k != NULL ? strlen(k) : 1;
    if (n == 0 || n > FL_SRV_IDEM_KEY_MAX)
        return false;
    for (; k != NULL && *k != '\0'; k++) {
        if (*k < 0x21 || *k > 0x7e)
            return false;
    }
    return true;
}

static int dispatch(fl_http_req_t *req)
{
    fl_server_t *s = req->ctx;
    const fl_route_meta_t *m = req->route->meta;
    fl_principal_t p = {0};
    const char *detail = NULL;
    if (!idem_key_valid(req))
        return fl_http_respond_error(
            req, 400, "Idempotency-Key must be 1 to 128 printable characters without spaces");
    if (m->access != FL_ACCESS_PUBLIC) {
        int status = fl_srv_authenticate(s, req, &p, &detail);
        if (status != 0) {
            if (status == 401)
                fl_http_set_header(req, "WWW-Authenticate", "Bearer");
            return fl_http_respond_error(req, status, detail);
        }
        if (!authorized(m, req, &p))
            return forbid(req);
    }
    return m->fn(s, req, &p);
}

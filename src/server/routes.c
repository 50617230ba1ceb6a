/*
 * The route table (Redis's command table): every route names its handler and
 * who may call it, and one dispatcher authenticates and authorises before
 * any handler runs, so no handler can forget to.
 */
#include <string.h>

#include "app.h"
#include "firelater/err.h"

static int dispatch(fl_http_req_t *req);

#define ROUTE(m, path, acc, f, sum)                                                                \
    {                                                                                              \
        m, path, dispatch, &(const fl_route_meta_t)                                                \
        {                                                                                          \
            .access = acc, .fn = f, .summary = sum                                                 \
        }                                                                                          \
    }

const fl_http_route_t fl_srv_routes[] = {
    ROUTE("GET", "/healthz", FL_ACCESS_PUBLIC, fl_api_healthz, "liveness"),
    ROUTE("GET", "/readyz", FL_ACCESS_PUBLIC, fl_api_readyz, "readiness and projection lag"),
    ROUTE("GET", "/api/v1/openapi.json", FL_ACCESS_PUBLIC, fl_api_openapi, "this API"),
    ROUTE("POST", "/api/v1/auth/login", FL_ACCESS_PUBLIC, fl_api_login, "sign in"),
    ROUTE("POST", "/api/v1/auth/refresh", FL_ACCESS_PUBLIC, fl_api_refresh, "rotate tokens"),
    ROUTE("POST", "/api/v1/auth/logout", FL_ACCESS_USER, fl_api_logout, "end the session"),
    ROUTE("GET", "/api/v1/auth/me", FL_ACCESS_USER, fl_api_me, "the signed-in user"),
    ROUTE("GET", "/api/v1/users", FL_ACCESS_USER, fl_api_users_list, "list users"),
    ROUTE("POST", "/api/v1/users", FL_ACCESS_ADMIN, fl_api_users_create, "create a user"),
    ROUTE("GET", "/api/v1/users/{id}", FL_ACCESS_USER, fl_api_users_get, "a user"),
    ROUTE("PUT", "/api/v1/users/{id}", FL_ACCESS_SELF_OR_ADMIN, fl_api_users_update,
          "update a user"),
    ROUTE("DELETE", "/api/v1/users/{id}", FL_ACCESS_ADMIN, fl_api_users_deactivate,
          "deactivate a user"),
    ROUTE("PUT", "/api/v1/users/{id}/password", FL_ACCESS_SELF_OR_ADMIN, fl_api_users_password,
          "change a password"),
    ROUTE("GET", "/api/v1/users/{id}/groups", FL_ACCESS_USER, fl_api_user_groups,
          "a user's groups, inherited ones flagged"),
    ROUTE("GET", "/api/v1/groups", FL_ACCESS_USER, fl_api_groups_list, "list groups"),
    ROUTE("POST", "/api/v1/groups", FL_ACCESS_ADMIN, fl_api_groups_create, "create a group"),
    ROUTE("GET", "/api/v1/groups/{id}", FL_ACCESS_USER, fl_api_groups_get,
          "a group; include=ancestors,descendants,members"),
    ROUTE("PUT", "/api/v1/groups/{id}", FL_ACCESS_ADMIN, fl_api_groups_update, "update a group"),
    ROUTE("DELETE", "/api/v1/groups/{id}", FL_ACCESS_ADMIN, fl_api_groups_delete, "delete a group"),
    ROUTE("GET", "/api/v1/groups/{id}/members", FL_ACCESS_USER, fl_api_groups_members,
          "members, inherited ones flagged"),
    ROUTE("POST", "/api/v1/groups/{id}/members", FL_ACCESS_ADMIN, fl_api_groups_add_member,
          "add a member or change their role"),
    ROUTE("DELETE", "/api/v1/groups/{id}/members/{userId}", FL_ACCESS_ADMIN,
          fl_api_groups_remove_member, "remove a member"),
};

const size_t fl_srv_n_routes = sizeof(fl_srv_routes) / sizeof(fl_srv_routes[0]);

/* Forbidden, without saying whether the object exists. */
static int forbid(fl_http_req_t *req)
{
    return fl_http_respond_error(req, 403, "you may not do this");
}

static int authorize(const fl_route_meta_t *m, fl_http_req_t *req, const fl_principal_t *p)
{
    const char *id = fl_http_param(req, "id");
    switch (m->access) {
    case FL_ACCESS_ADMIN:
        return fl_srv_has_role(p, "admin") ? 0 : forbid(req) - 1;
    case FL_ACCESS_SELF_OR_ADMIN:
        if (fl_srv_has_role(p, "admin") || (id != NULL && strcmp(id, p->user_id) == 0))
            return 0;
        return forbid(req) - 1;
    default:
        return 0;
    }
}

static int dispatch(fl_http_req_t *req)
{
    fl_server_t *s = req->ctx;
    const fl_route_meta_t *m = req->route->meta;
    fl_principal_t p = {0};
    const char *detail = NULL;
    if (m->access != FL_ACCESS_PUBLIC) {
        int status = fl_srv_authenticate(s, req, &p, &detail);
        if (status != 0) {
            if (status == 401)
                fl_http_set_header(req, "WWW-Authenticate", "Bearer");
            return fl_http_respond_error(req, status, detail);
        }
        if (authorize(m, req, &p) != 0)
            return 0;
    }
    return m->fn(s, req, &p);
}

/*
 * A request's comments: {body, is_internal} -> request.comment_added on the
 * request's stream (so its history and time travel see them), and their
 * read queries. Internal comments are the fulfilment team's: a requester
 * neither writes nor reads them, as with issues' internal comments.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define TS FL__REQ_TS

int fl_requests_decode_comment(const json_t *body, fl_arena_t *a, fl_req_comment_cmd_t *out,
                               fl_decision_t *d)
{
    const char *key;
    json_t *v;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(body))
        return fl_decision_refuse(d, 422, "validation failed", "body", "must be a JSON object");
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "is_internal") == 0 && json_is_boolean(v))
            out->is_internal = json_is_true(v);
        else if (strcmp(key, "is_internal") == 0)
            fl_decision_field(d, "is_internal", "must be true or false");
        else if (strcmp(key, "body") != 0)
            fl_decision_field(d, fl_arena_strndup(a, key, strnlen(key, 200)),
                              "is not a known field");
    }
    out->body = fl__req_text(json_object_get(body, "body"), a, "body", true, d);
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

int fl_requests_decide_comment(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s,
                               const fl_req_comment_cmd_t *cmd, bool requester, fl_decision_t *d)
{
    if (!s->exists)
        return fl_decision_refuse(d, 404, "no such request", NULL, NULL);
    if (requester && cmd->is_internal)
        return fl_decision_refuse(d, 403, "forbidden", "is_internal",
                                  "a requester cannot write internal comments");
    char *cid = fl_uuid_new(ctx->a);
    char *loc = fl_arena_alloc(ctx->a, 128);
    if (cid == NULL || loc == NULL)
        return FL_ETOOBIG;
    snprintf(loc, 128, "/api/v1/requests/%s/comments/%s", s->id, cid);
    d->location = loc;
    json_t *data = json_pack("{s:s,s:s,s:o,s:s,s:b}", "id", s->id, "comment_id", cid, "user_id",
                             fl_json_str_or_null(ctx->actor_id), "body", cmd->body, "is_internal",
                             cmd->is_internal);
    return fl__req_emit(ctx, s, FL_LOG_ANY, "request.comment_added", data, d);
}

/* clang-format off */
#define COMMENT_JSON                                                                       \
    "json_build_object('id', c.id, 'request_id', c.request_id, 'user_id', c.user_id,"    \
    " 'body', c.body, 'is_internal', c.is_internal,"                                      \
    " 'created_at', " TS("c.created_at") ")::text AS j"
/* clang-format on */

int fl_requests_comments_query(const char *request_id, bool public_only,
                               const fl_http_param_t *query, size_t n, fl_arena_t *a,
                               fl_apps_query_t *out, fl_decision_t *d)
{
    bool desc = false;
    const char *why;

    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = 25;
    for (size_t i = 0; i < n; i++) {
        const char *name = query[i].name, *v = query[i].value;
        if (strcmp(name, "page") == 0)
            why = fl_param_count(v, 1000000, &out->page);
        else if (strcmp(name, "per_page") == 0)
            why = fl_param_count(v, 100, &out->per_page);
        else if (strcmp(name, "order") == 0)
            why = (desc = strcmp(v, "desc") == 0) || strcmp(v, "asc") == 0 ? NULL
                                                                           : "must be asc or desc";
        else
            why = "is not a known parameter";
        if (why != NULL)
            fl_decision_field(d, fl_arena_strndup(a, name, strnlen(name, 200)), why);
    }
    if (fl_decision_failed(d))
        return FL_EINVAL;
    char *buf = fl_arena_alloc(a, 48);
    char *sql = fl_arena_alloc(a, 1024);
    if (buf == NULL || sql == NULL)
        return FL_ETOOBIG;
    snprintf(buf, 24, "%ld", out->per_page);
    snprintf(buf + 24, 24, "%ld", (out->page - 1) * out->per_page);
    const char *where =
        public_only ? "c.request_id = $1::uuid AND NOT c.is_internal" : "c.request_id = $1::uuid";
    const char *dir = desc ? "DESC" : "ASC";
    snprintf(sql, 1024,
             "SELECT t._total, p.j FROM (SELECT count(*) AS _total FROM request_comments c WHERE"
             " %s) t LEFT JOIN LATERAL (SELECT " COMMENT_JSON " FROM request_comments c WHERE %s"
             " ORDER BY c.created_at %s, c.id %s LIMIT $2 OFFSET $3) p ON true",
             where, where, dir, dir);
    out->params[out->nparams++] = request_id;
    out->params[out->nparams++] = buf;
    out->params[out->nparams++] = buf + 24;
    out->sql = sql;
    return 0;
}

void fl_requests_comment_get_query(const char *request_id, const char *comment_id,
                                   fl_apps_query_t *out)
{
    memset(out, 0, sizeof(*out));
    out->params[out->nparams++] = request_id;
    out->params[out->nparams++] = comment_id;
    out->sql = "SELECT " COMMENT_JSON " FROM request_comments c WHERE c.request_id = $1::uuid"
               " AND c.id = $2::uuid";
}

/*
 * A request's comments: {body, is_internal} -> request.comment_added,
 * request.comment_edited and request.comment_deleted on the request's stream
 * (so its history and time travel see them), their fold into the aggregate
 * (who wrote each, whether it is internal or deleted: what deciding an edit
 * reads) and their read queries. Internal comments are the fulfilment team's:
 * a requester neither writes nor reads them, as with issues' internal comments.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
            out->is_internal = json_is_true(v), out->is_internal_set = true;
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
    if (s->n_comments >= FL_REQ_COMMENTS_MAX)
        return fl_decision_refuse(d, 409, "too many comments", NULL, NULL);
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

const fl_req_comment_t *fl_request_comment_find(const fl_request_state_t *s, const char *id)
{
    for (size_t i = 0; id != NULL && i < s->n_comments; i++) {
        if (!s->comments[i].deleted && strcasecmp(s->comments[i].id, id) == 0)
            return &s->comments[i];
    }
    return NULL;
}

int fl_requests_decide_comment_change(const fl_cmd_ctx_t *ctx, const fl_request_state_t *s,
                                      const char *comment_id, const fl_req_comment_cmd_t *cmd,
                                      fl_req_comment_who_t who, fl_decision_t *d)
{
    const fl_req_comment_t *c = fl_request_comment_find(s, comment_id);

    if (!s->exists)
        return fl_decision_refuse(d, 404, "no such request", NULL, NULL);
    /* a requester is not told that an internal comment exists */
    if (c == NULL || (who.requester && c->is_internal))
        return fl_decision_refuse(d, 404, "no such comment", NULL, NULL);
    if (!who.may_moderate && (ctx->actor_id == NULL || strcmp(c->user_id, ctx->actor_id) != 0))
        return fl_decision_refuse(d, 403, "forbidden", NULL,
                                  "only the comment's author edits or deletes it");
    if (cmd != NULL && who.requester && cmd->is_internal_set && cmd->is_internal)
        return fl_decision_refuse(d, 403, "forbidden", "is_internal",
                                  "a requester cannot write internal comments");
    json_t *data = json_pack("{s:s,s:s,s:o}", "id", s->id, "comment_id", c->id, "changed_by",
                             fl_json_str_or_null(ctx->actor_id));
    if (cmd != NULL)
        json_object_set_new(data, "body", json_string(cmd->body));
    if (cmd != NULL && cmd->is_internal_set)
        json_object_set_new(data, "is_internal", json_boolean(cmd->is_internal));
    return fl__req_emit(ctx, s, FL_LOG_ANY,
                        cmd != NULL ? "request.comment_edited" : "request.comment_deleted", data,
                        d);
}

/* request.comment_added: a new entry (the array doubles in a). */
static int comment_added(fl_request_state_t *s, fl_arena_t *a, const char *id, const json_t *data)
{
    const char *user = json_string_value(json_object_get(data, "user_id"));

    if (s->n_comments == s->comments_cap) {
        size_t cap = s->comments_cap == 0 ? 4 : 2 * s->comments_cap;
        fl_req_comment_t *more = fl_arena_alloc(a, cap * sizeof(*more));
        if (more == NULL)
            return FL_ETOOBIG;
        if (s->n_comments > 0)
            memcpy(more, s->comments, s->n_comments * sizeof(*more));
        s->comments = more;
        s->comments_cap = cap;
    }
    fl_req_comment_t *c = &s->comments[s->n_comments++];
    memset(c, 0, sizeof(*c));
    memcpy(c->id, id, FL_UUID_LEN + 1);
    snprintf(c->user_id, sizeof(c->user_id), "%s",
             user != NULL && strlen(user) == FL_UUID_LEN ? user : "");
    c->is_internal = json_is_true(json_object_get(data, "is_internal"));
    return 0;
}

int fl__req_comment_fold(fl_request_state_t *s, fl_arena_t *a, const char *type, const json_t *data)
{
    const char *id = json_string_value(json_object_get(data, "comment_id"));
    const json_t *internal = json_object_get(data, "is_internal");
    fl_req_comment_t *c = NULL;

    if (id == NULL || strlen(id) != FL_UUID_LEN)
        return 0;
    if (strcmp(type, "request.comment_added") == 0)
        return comment_added(s, a, id, data);
    for (size_t i = 0; i < s->n_comments && c == NULL; i++)
        c = strcmp(s->comments[i].id, id) == 0 ? &s->comments[i] : NULL;
    if (c != NULL && strcmp(type, "request.comment_deleted") == 0)
        c->deleted = true;
    else if (c != NULL && json_is_boolean(internal))
        c->is_internal = json_is_true(internal);
    return 0;
}

/* clang-format off */
#define COMMENT_JSON                                                                       \
    "json_build_object('id', c.id, 'request_id', c.request_id, 'user_id', c.user_id,"    \
    " 'body', c.body, 'is_internal', c.is_internal,"                                      \
    " 'created_at', " TS("c.created_at") ", 'edited_at', " TS("c.edited_at") ")::text AS j"
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
        public_only ? "c.request_id = $1::uuid AND c.deleted_at IS NULL AND NOT c.is_internal"
                    : "c.request_id = $1::uuid AND c.deleted_at IS NULL";
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
               " AND c.id = $2::uuid AND c.deleted_at IS NULL";
}

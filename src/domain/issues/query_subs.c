/*
 * The read queries of an issue's sub-resources: comments, work logs, status
 * history and related issues. Same shape as query.c: rows carry _total and
 * the JSON in j, every value is a parameter. Lists are in order of
 * creation (order=desc: newest first), paged with page and per_page.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define TS(expr) "to_char(" expr " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
#define SQL_MAX  4096

#define COMMENT_JSON                                                                               \
    "json_build_object('id', c.id, 'issue_id', c.issue_id, 'user_id', c.user_id, 'content',"       \
    " c.content, 'content_type', c.content_type, 'is_internal', c.is_internal, 'created_at', " TS( \
        "c.created_at") ", 'updated_at', " TS("c.updated_at") ")::text AS j"

#define WORKLOG_JSON                                                                               \
    "json_build_object('id', c.id, 'issue_id', c.issue_id, 'user_id', c.user_id, 'time_spent',"    \
    " c.time_spent, 'work_date', to_char(c.work_date, 'YYYY-MM-DD'), 'description',"               \
    " c.description, 'billable', c.billable, 'created_at', " TS(                                   \
        "c.created_at") ", 'updated_at', " TS("c.updated_at") ")::text AS j"

#define HISTORY_JSON                                                                               \
    "json_build_object('id', c.id, 'issue_id', c.issue_id, 'from_status', c.from_status,"          \
    " 'to_status', c.to_status, 'changed_by', c.changed_by, 'reason', c.reason, "                  \
    "'created_at', " TS("c.created_at") ")::text AS j"

/* Both directions of a link; seen from the target, the link's type is inverted. */
#define RELATED_ROWS                                                                               \
    "(SELECT l.id, l.link_type AS t, 'outgoing' AS dir, l.target_type, l.target_id AS other,"      \
    " l.created_by, l.created_at FROM issue_links l WHERE l.issue_id = $1::uuid UNION ALL"         \
    " SELECT l.id, CASE l.link_type WHEN 'parent' THEN 'child' WHEN 'child' THEN 'parent'"         \
    " WHEN 'duplicate' THEN 'duplicated_by' WHEN 'caused_by' THEN 'causes' ELSE l.link_type END,"  \
    " 'incoming', 'issue', l.issue_id, l.created_by, l.created_at FROM issue_links l"              \
    " WHERE l.target_id = $1::uuid AND l.target_type = 'issue')"

#define RELATED_JSON                                                                               \
    "json_build_object('link_id', c.id, 'link_type', c.t, 'direction', c.dir, 'target_type',"      \
    " c.target_type, 'target_id', c.other, 'issue', CASE WHEN i.id IS NULL THEN NULL ELSE"         \
    " json_build_object('id', i.id, 'issue_number', i.issue_number, 'title', i.title, 'status',"   \
    " i.status, 'priority', i.priority) END, 'created_by', c.created_by, 'created_at', " TS(       \
        "c.created_at") ")::text AS j"

typedef struct sub {
    const char *from;  /* the rows, as c */
    const char *where; /* beyond the issue; %s: the requester's narrowing */
    const char *json;
    const char *join;
} sub_t;

static const sub_t subs[] = {
    [FL_ISSUE_SUB_COMMENTS] = {"issue_comments c", "c.issue_id = $1::uuid AND c.deleted_at IS NULL",
                               COMMENT_JSON, ""},
    [FL_ISSUE_SUB_WORKLOGS] = {"issue_worklogs c", "c.issue_id = $1::uuid AND c.deleted_at IS NULL",
                               WORKLOG_JSON, ""},
    [FL_ISSUE_SUB_HISTORY] = {"issue_status_history c", "c.issue_id = $1::uuid", HISTORY_JSON, ""},
    [FL_ISSUE_SUB_RELATED] = {RELATED_ROWS " c", "true", RELATED_JSON,
                              " LEFT JOIN issues i ON i.id = c.other AND i.deleted_at IS NULL"},
};

int fl_issues_sub_query(fl_issue_sub_t kind, const char *issue_id, bool public_only,
                        const fl_http_param_t *query, size_t n, fl_arena_t *a, fl_apps_query_t *out,
                        fl_decision_t *d)
{
    const sub_t *s = &subs[kind];
    const char *narrow =
        kind == FL_ISSUE_SUB_COMMENTS && public_only ? " AND NOT c.is_internal" : "";
    bool desc = false;
    char *sql, *lim;

    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = 25;
    for (size_t i = 0; i < n; i++) {
        const char *name = query[i].name, *v = query[i].value, *why = NULL;
        if (strcmp(name, "page") == 0)
            why = fl_param_count(v, 1000000L, &out->page);
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
    if ((sql = fl_arena_alloc(a, SQL_MAX)) == NULL || (lim = fl_arena_alloc(a, 48)) == NULL)
        return FL_ETOOBIG;
    snprintf(lim, 24, "%ld", out->per_page);
    snprintf(lim + 24, 24, "%ld", (out->page - 1) * out->per_page);
    out->params[out->nparams++] = issue_id;
    out->params[out->nparams++] = lim;
    out->params[out->nparams++] = lim + 24;
    int len = snprintf(sql, SQL_MAX,
                       "SELECT t._total, p.j FROM (SELECT count(*) AS _total FROM %s WHERE %s%s) t"
                       " LEFT JOIN LATERAL (SELECT %s FROM %s%s WHERE %s%s ORDER BY c.created_at"
                       " %s, c.id %s LIMIT $2 OFFSET $3) p ON true",
                       s->from, s->where, narrow, s->json, s->from, s->join, s->where, narrow,
                       desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
    fl_assert(len > 0 && len < SQL_MAX); /* the words are all ours */
    out->sql = sql;
    return 0;
}

int fl_issues_note_get_query(fl_issue_sub_t kind, const char *issue_id, const char *note_id,
                             fl_arena_t *a, fl_apps_query_t *out)
{
    char *sql;

    memset(out, 0, sizeof(*out));
    if (kind != FL_ISSUE_SUB_COMMENTS && kind != FL_ISSUE_SUB_WORKLOGS)
        return FL_EINVAL;
    if ((sql = fl_arena_alloc(a, SQL_MAX)) == NULL)
        return FL_ETOOBIG;
    snprintf(sql, SQL_MAX, "SELECT %s FROM %s WHERE %s AND c.id = $2::uuid", subs[kind].json,
             subs[kind].from, subs[kind].where);
    out->params[out->nparams++] = issue_id;
    out->params[out->nparams++] = note_id;
    out->sql = sql;
    return 0;
}

/*
 * The search statements. One CTE holds the three forms of q (an English
 * tsquery for prose, a 'simple' one for names and addresses, and q upper-cased
 * for numbers like APP-00001); each entity type is a source that yields rows
 * (type, id, number, title, detail, rank); the statement ranks their union.
 * Every source's WHERE uses the same expressions as the GIN indexes of
 * schemas/tenant/0009_search.sql, so each is an index scan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/search.h"

#define Q_CTE                                                                                      \
    "WITH q AS (SELECT websearch_to_tsquery('english', $1) AS e,"                                  \
    " websearch_to_tsquery('simple', $1) AS s, upper($1) AS n)"

#define USER_TSV  "to_tsvector('simple', u.name || ' ' || u.email)"
#define GROUP_TSV "to_tsvector('simple', g.name || ' ' || coalesce(g.description, ''))"
#define APP_TSV   "to_tsvector('english', a.name || ' ' || coalesce(a.description, ''))"
#define ISSUE_TSV                                                                                  \
    "(setweight(to_tsvector('english', i.title), 'A') ||"                                          \
    " setweight(to_tsvector('english', coalesce(i.description, '')), 'B'))"
#define COMMENT_TSV "to_tsvector('english', c.content)"

/*
 * Issues match on title and description, on their number, and on their
 * comments; $3 is the requester the search is limited to (NULL: none), whose
 * search sees only their own issues and never an internal note.
 */
#define ISSUE_COMMENTS                                                                             \
    " FROM issue_comments c WHERE c.issue_id = i.id AND c.deleted_at IS NULL"                      \
    " AND ($3::uuid IS NULL OR NOT c.is_internal) AND " COMMENT_TSV " @@ q.e"
#define ISSUE_RANK                                                                                 \
    "CASE WHEN upper(i.issue_number) = q.n THEN 10 ELSE greatest(ts_rank(" ISSUE_TSV ", q.e),"     \
    " 0.5 * coalesce((SELECT max(ts_rank(" COMMENT_TSV ", q.e))" ISSUE_COMMENTS "), 0)) END"
#define ISSUE_MATCH                                                                                \
    "i.deleted_at IS NULL AND ($3::uuid IS NULL OR i.reporter_id = $3::uuid)"                      \
    " AND (" ISSUE_TSV " @@ q.e OR upper(i.issue_number) = q.n OR EXISTS (SELECT 1" ISSUE_COMMENTS \
    "))"

/* An entity type: its name in `types` and the SELECT yielding its rows. */
typedef struct source {
    const char *name;
    fl_search_type_t bit;
    const char *select;
} source_t;

static const source_t sources[] = {
    {"users", FL_SEARCH_USERS,
     "SELECT 'user'::text AS type, u.id, NULL::text AS number, u.name::text AS title,"
     " u.email::text AS detail, ts_rank(" USER_TSV ", q.s) AS rank FROM users u, q"
     " WHERE " USER_TSV " @@ q.s"},
    {"groups", FL_SEARCH_GROUPS,
     "SELECT 'group'::text, g.id, NULL::text, g.name::text, g.description::text,"
     " ts_rank(" GROUP_TSV ", q.s) FROM groups g, q"
     " WHERE g.deleted_at IS NULL AND " GROUP_TSV " @@ q.s"},
    {"applications", FL_SEARCH_APPLICATIONS,
     "SELECT 'application'::text, a.id, a.app_id::text, a.name::text, a.description::text,"
     " CASE WHEN upper(a.app_id) = q.n THEN 10 ELSE ts_rank(" APP_TSV ", q.e) END"
     " FROM applications a, q WHERE a.deleted_at IS NULL"
     " AND (" APP_TSV " @@ q.e OR upper(a.app_id) = q.n)"},
    {"issues", FL_SEARCH_ISSUES,
     "SELECT 'issue'::text, i.id, i.issue_number::text, i.title::text, i.status::text, " ISSUE_RANK
     " FROM issues i, q WHERE " ISSUE_MATCH},
};

#define N_SOURCES (sizeof(sources) / sizeof(sources[0]))
#define SQL_MAX   8192

/* The bits of every source this build searches. */
static unsigned known_types(void)
{
    unsigned bits = 0;

    for (size_t i = 0; i < N_SOURCES; i++)
        bits |= sources[i].bit;
    return bits;
}

static int refuse(fl_decision_t *d, const char *field, const char *message)
{
    fl_decision_field(d, field, message);
    return FL_EINVAL;
}

/* Why q is refused, or NULL. */
static const char *q_problem(const char *q)
{
    size_t len = strlen(q), chars = fl_utf8_chars(q);

    if (chars == 0 || strspn(q, " \t") == len)
        return "must not be blank";
    if (chars > FL_SEARCH_Q_MAX)
        return "must be at most 200 characters";
    return fl_text_has_control(q, len, false) ? "must not contain control characters" : NULL;
}

/* The bits of a comma-separated types list, or 0 after naming the bad item in d. */
static unsigned types_param(const char *v, fl_decision_t *d)
{
    unsigned bits = 0;

    while (*v != '\0') {
        size_t len = strcspn(v, ",");
        size_t i = 0;
        while (i < N_SOURCES &&
               (strlen(sources[i].name) != len || strncmp(sources[i].name, v, len) != 0))
            i++;
        if (i == N_SOURCES) {
            refuse(d, "types",
                   "must be a comma-separated list of users, groups, applications, issues");
            return 0;
        }
        bits |= sources[i].bit;
        v += len + (v[len] == ',');
    }
    if (bits == 0)
        refuse(d, "types", "must name at least one type");
    return bits;
}

/* The parameters of GET /search into out; FL_EINVAL with d naming each bad one. */
static int all_params(const fl_http_param_t *query, size_t n, fl_search_query_t *out,
                      unsigned *types, fl_decision_t *d)
{
    bool seen[3] = {false, false, false};
    static const char *const names[] = {"q", "types", "limit"};

    for (size_t i = 0; i < n; i++) {
        const char *k = query[i].name, *v = query[i].value, *why = NULL;
        int which = -1;
        for (int j = 0; j < 3; j++)
            which = strcmp(k, names[j]) == 0 ? j : which;
        if (which < 0) {
            fl_decision_field(d, k, "is not a known parameter");
            continue;
        }
        if (seen[which]) {
            fl_decision_field(d, k, "must be given once");
            continue;
        }
        seen[which] = true;
        if (which == 0)
            why = q_problem(out->q = v);
        else if (which == 1)
            *types = types_param(v, d);
        else
            why = fl_param_count(v, 100, &out->per_page);
        if (why != NULL)
            fl_decision_field(d, k, why);
    }
    if (!seen[0])
        fl_decision_field(d, "q", "is required");
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

/* The UNION of the sources of `types` after Q_CTE, ranked, limited by $2. */
static char *all_sql(fl_arena_t *a, unsigned types)
{
    char *sql = fl_arena_alloc(a, SQL_MAX);
    size_t len;

    if (sql == NULL)
        return NULL;
    len = (size_t)snprintf(sql, SQL_MAX, "%s, hits (type, id, number, title, detail, rank) AS (",
                           Q_CTE);
    for (size_t i = 0, k = 0; i < N_SOURCES; i++) {
        if (!(types & sources[i].bit))
            continue;
        len += (size_t)snprintf(sql + len, SQL_MAX - len, "%s%s", k++ > 0 ? " UNION ALL " : "",
                                sources[i].select);
    }
    len += (size_t)snprintf(
        sql + len, SQL_MAX - len,
        ") SELECT json_build_object('type', h.type, 'id', h.id, 'number', h.number, 'title',"
        " h.title, 'detail', h.detail, 'rank', round(h.rank::numeric, 4))::text AS j,"
        " count(*) OVER () AS _total FROM hits h ORDER BY h.rank DESC, h.title, h.id"
        " LIMIT $2::int");
    fl_assert(len < SQL_MAX); /* the words are all ours */
    return sql;
}

int fl_search_all_query(const fl_http_param_t *query, size_t n, const fl_search_scope_t *scope,
                        fl_arena_t *a, fl_search_query_t *out, fl_decision_t *d)
{
    unsigned types = 0;
    char *limit;

    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = 20;
    if (all_params(query, n, out, &types, d) < 0)
        return FL_EINVAL;
    if (types == 0)
        types = scope->readable;
    else if ((types & ~scope->readable) != 0)
        return FL_EFORBIDDEN;
    if ((types & scope->readable) == 0)
        return FL_EFORBIDDEN;
    out->types = types & scope->readable & known_types();
    if (out->types == 0)
        return 0; /* nothing to search: out->sql stays NULL, the answer is empty */
    limit = fl_arena_alloc(a, 16);
    if (limit == NULL || (out->sql = all_sql(a, out->types)) == NULL)
        return FL_ETOOBIG;
    snprintf(limit, 16, "%ld", out->per_page);
    out->params[0] = out->q;
    out->params[1] = limit;
    out->params[2] = scope->own_reporter; /* NULL binds SQL NULL */
    out->nparams = out->types & FL_SEARCH_ISSUES ? 3 : 2;
    return 0;
}

/* GET /search/issues: the matches ($4 status or open, $5 priority), counted, and one page. */
#define TS(expr) "to_char(" expr " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
static const char issues_sql[] = Q_CTE
    ", m AS (SELECT i.*, " ISSUE_RANK " AS rank FROM issues i, q WHERE " ISSUE_MATCH
    " AND ($4::text IS NULL OR i.status = $4::text"
    " OR ($4::text = 'open' AND i.status NOT IN ('resolved', 'closed')))"
    " AND ($5::text IS NULL OR i.priority = $5::text)), t AS (SELECT count(*) AS n FROM m)"
    " SELECT p.j, t.n AS _total FROM t LEFT JOIN LATERAL (SELECT json_build_object('id', m.id,"
    " 'issue_number', m.issue_number, 'title', m.title, 'status', m.status, 'priority',"
    " m.priority, 'application_id', m.application_id, 'assigned_to', m.assigned_to,"
    " 'assigned_group', m.assigned_group, 'created_at', " TS(
        "m.created_at") ", 'rank',"
                        " round(m.rank::numeric, 4), 'headline', ts_headline('english', m.title || "
                        "' ' ||"
                        " coalesce(m.description, ''), q.e, 'MaxWords=24, MinWords=8'))::text AS j "
                        "FROM m, q"
                        " ORDER BY m.rank DESC, m.created_at DESC, m.id LIMIT $2::int OFFSET "
                        "$6::int) p ON true";

static const char *const issue_statuses[] = {"new",      "assigned", "in_progress", "pending",
                                             "resolved", "closed",   "open",        NULL};
static const char *const issue_priorities[] = {"critical", "high", "medium", "low", NULL};

static const char *enum_param(const char *v, const char *const *values, const char *msg)
{
    for (; *values != NULL; values++) {
        if (strcmp(v, *values) == 0)
            return NULL;
    }
    return msg;
}

/* The parameters of GET /search/issues into out (status, priority: [0], [1]). */
static int issues_params(const fl_http_param_t *query, size_t n, fl_search_query_t *out,
                         const char **filters, fl_decision_t *d)
{
    static const char *const names[] = {"q", "page", "per_page", "status", "priority"};
    bool seen[5] = {false, false, false, false, false};

    for (size_t i = 0; i < n; i++) {
        const char *k = query[i].name, *v = query[i].value, *why = NULL;
        int which = -1;
        for (int j = 0; j < 5; j++)
            which = strcmp(k, names[j]) == 0 ? j : which;
        if (which < 0 || seen[which]) {
            fl_decision_field(d, k, which < 0 ? "is not a known parameter" : "must be given once");
            continue;
        }
        seen[which] = true;
        if (which == 0)
            why = q_problem(out->q = v);
        else if (which == 1)
            why = fl_param_count(v, 1000000, &out->page);
        else if (which == 2)
            why = fl_param_count(v, 100, &out->per_page);
        else if (which == 3)
            why = enum_param(filters[0] = v, issue_statuses,
                             "must be new, assigned, in_progress, pending, resolved, closed or "
                             "open");
        else
            why = enum_param(filters[1] = v, issue_priorities,
                             "must be critical, high, medium or low");
        if (why != NULL)
            fl_decision_field(d, k, why);
    }
    if (!seen[0])
        fl_decision_field(d, "q", "is required");
    return fl_decision_failed(d) ? FL_EINVAL : 0;
}

int fl_search_issues_query(const fl_http_param_t *query, size_t n, const fl_search_scope_t *scope,
                           fl_arena_t *a, fl_search_query_t *out, fl_decision_t *d)
{
    const char *filters[2] = {NULL, NULL};
    char *limit = fl_arena_alloc(a, 16), *offset = fl_arena_alloc(a, 24);

    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = 20;
    out->types = FL_SEARCH_ISSUES;
    if (limit == NULL || offset == NULL)
        return FL_ETOOBIG;
    if (issues_params(query, n, out, filters, d) < 0)
        return FL_EINVAL;
    if (!(scope->readable & FL_SEARCH_ISSUES))
        return FL_EFORBIDDEN;
    snprintf(limit, 16, "%ld", out->per_page);
    snprintf(offset, 24, "%ld", (out->page - 1) * out->per_page);
    out->sql = issues_sql;
    out->params[0] = out->q;
    out->params[1] = limit;
    out->params[2] = scope->own_reporter;
    out->params[3] = filters[0];
    out->params[4] = filters[1];
    out->params[5] = offset;
    out->nparams = 6;
    return 0;
}

json_t *fl_search_to_json(const fl_store_res_t *r, const fl_search_query_t *q)
{
    int rows = r != NULL ? fl_store_res_rows(r) : 0;
    int jc = rows > 0 ? fl_store_res_col(r, "j") : -1;
    int tc = rows > 0 ? fl_store_res_col(r, "_total") : -1;
    json_t *data = json_array(), *types = json_array();
    long long total = 0;

    for (int i = 0; i < rows && jc >= 0; i++) {
        if (!fl_store_res_isnull(r, i, jc))
            json_array_append_new(data, json_loads(fl_store_res_value(r, i, jc), 0, NULL));
    }
    if (rows > 0 && tc >= 0 && !fl_store_res_isnull(r, 0, tc))
        total = strtoll(fl_store_res_value(r, 0, tc), NULL, 10);
    for (size_t i = 0; i < N_SOURCES; i++) {
        if (q->types & sources[i].bit)
            json_array_append_new(types, json_string(sources[i].name));
    }
    return json_pack("{s:o,s:{s:s,s:o,s:I,s:I,s:I}}", "data", data, "meta", "q", q->q, "types",
                     types, "page", (json_int_t)q->page, "per_page", (json_int_t)q->per_page,
                     "total", (json_int_t)total);
}

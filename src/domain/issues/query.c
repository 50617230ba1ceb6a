/*
 * The read queries: GET /issues, GET /issues/{id} (uuid or ISS number),
 * GET /applications/{id}/issues. Query parameters -> one SQL statement;
 * every value is a parameter, and the only words that reach the SQL text
 * come from the tables below. Rows carry the issue's JSON in column j (the
 * members of fl_issue_to_json); a paged
 * statement joins the page to the count (_total), so a page past the end
 * still gives the total. A list filtered by nothing but status and priority
 * takes its total from issue_counts (schemas/tenant/0013_issue_list.sql)
 * instead of counting the matches; the default sort is served by an index,
 * and no sort key can be NULL, so the index serves both directions.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define TS(expr) "to_char(" expr " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* clang-format breaks these literals apart (differently on every run): left as written */
/* clang-format off */
#define ISSUE_JSON                                                                         \
    "json_build_object('id', a.id, 'issue_number', a.issue_number, 'title', a.title,"    \
    " 'description', a.description, 'status', a.status, 'priority', a.priority,"         \
    " 'severity', a.severity, 'impact', a.impact, 'urgency', a.urgency,"                  \
    " 'issue_type', a.issue_type, 'source', a.source, 'category_id', a.category_id,"      \
    " 'application_id', a.application_id, 'environment_id', a.environment_id,"           \
    " 'reporter_id', a.reporter_id, 'external_refs', a.external_refs,"                    \
    " 'assigned_to', a.assigned_to, 'assigned_group', a.assigned_group,"                  \
    " 'escalation_level', a.escalation_level,"                                            \
    " 'escalated_at', " TS("a.escalated_at") ","                                          \
    " 'resolution_code', a.resolution_code, 'resolution_notes', a.resolution_notes,"      \
    " 'resolved_by', a.resolved_by, 'closed_by', a.closed_by,"                            \
    " 'parent_issue_id', a.parent_issue_id,"                                              \
    " 'sla_breached', a.sla_breached, 'sla_breach_type', a.sla_breach_type,"              \
    " 'sla_policy_id', a.sla_policy_id,"                                                  \
    " 'response_due_at', " TS("a.response_due_at") ","                                   \
    " 'resolution_due_at', " TS("a.resolution_due_at") ","                               \
    " 'time_to_first_response', a.time_to_first_response,"                                \
    " 'time_to_resolution', a.time_to_resolution,"                                        \
    " 'business_time_to_first_response', a.business_time_to_first_response,"              \
    " 'business_time_to_resolution', a.business_time_to_resolution,"                      \
    " 'first_response_at', " TS("a.first_response_at") ","                               \
    " 'resolved_at', " TS("a.resolved_at") ","                                            \
    " 'closed_at', " TS("a.closed_at") ","                                                \
    " 'created_at', " TS("a.created_at") ","                                              \
    " 'updated_at', " TS("a.updated_at") ","                                              \
    " 'version', a.version)::text AS j"
/* clang-format on */

#define PAGE_MAX 1000000L
#define SQL_MAX  8192

typedef struct filter {
    const char *name;
    const char *term; /* $? is the value */
    int field;        /* >= 0: an enum field checked by decode's table; -1 uuid; -2 text */
    bool counted;     /* issue_counts has the column: the total needs no count */
} filter_t;

static const filter_t filters[] = {
    {"status", "a.status = $?", -3, true},
    {"priority", "a.priority = $?", FL_ISSUE_PRIORITY, true},
    {"severity", "a.severity = $?", FL_ISSUE_SEVERITY, false},
    {"issue_type", "a.issue_type = $?", FL_ISSUE_ISSUE_TYPE, false},
    {"application_id", "a.application_id = $?::uuid", -1, false},
    {"assigned_to", "a.assigned_to = $?::uuid", -1, false},
    {"assigned_group", "a.assigned_group = $?::uuid", -1, false},
    {"reporter_id", "a.reporter_id = $?::uuid", -1, false},
    {"q",
     "strpos(lower(a.title || ' ' || coalesce(a.description, '') || ' ' || a.issue_number),"
     " lower($?)) > 0",
     -2, false},
};
#define N_FILTERS (sizeof(filters) / sizeof(filters[0]))

static const struct {
    const char *name, *expr;
} sorts[] = {
    {"issue_number", "lpad(a.issue_number, 32, '0')"},
    {"created_at", "a.created_at"},
    {"updated_at", "a.updated_at"},
    {"priority", "array_position(ARRAY['critical','high','medium','low']::text[], a.priority)"},
    {"status", "array_position(ARRAY['new','assigned','in_progress','pending','resolved',"
               "'closed']::text[], a.status)"},
};
#define N_SORTS (sizeof(sorts) / sizeof(sorts[0]))

typedef struct qb {
    char sql[SQL_MAX];
    size_t len;
    char where[2048];
    size_t wlen;
} qb_t;

static void add_term(qb_t *b, fl_apps_query_t *out, const char *term, const char *v)
{
    fl_assert(out->nparams < FL_APPS_QUERY_MAX_PARAMS - 2);
    out->params[out->nparams++] = v;
    fl_sql_and(b->where, &b->wlen, sizeof(b->where), term, out->nparams);
}

/* Why a filter's value is refused, or NULL; "open" is a status filter of its own. */
static const char *filter_problem(const filter_t *f, const char *v)
{
    if (f->field == -3)
        return strcmp(v, "open") == 0 || fl_issue_status_parse(v) >= 0
                   ? NULL
                   : "must be new, assigned, in_progress, pending, resolved, closed or open";
    if (f->field >= 0) {
        const fl__iss_field_t *e = &fl__iss_table.f[f->field];
        for (const char *const *x = e->values; *x != NULL; x++) {
            if (strcmp(*x, v) == 0)
                return NULL;
        }
        return e->msg;
    }
    if (f->field == -1)
        return fl_uuid_is_valid(v) ? NULL : "must be a UUID";
    return *v == '\0' || strlen(v) > 255 ? "must be 1 to 255 bytes" : NULL;
}

int fl_issues_list_query(const fl_http_param_t *query, size_t n, const char *reporter_only,
                         const char *application_id, fl_arena_t *a, fl_apps_query_t *out,
                         fl_decision_t *d)
{
    qb_t *b = fl_arena_alloc(a, sizeof(*b));
    const char *sort = sorts[0].expr, *why;
    bool desc = false, counted = true, seen[N_FILTERS + 4] = {false};

    memset(out, 0, sizeof(*out));
    if (b == NULL)
        return FL_ETOOBIG;
    b->len = b->wlen = 0;
    b->where[0] = '\0';
    out->page = 1;
    out->per_page = 25;
    if (reporter_only != NULL)
        add_term(b, out, "a.reporter_id = $?::uuid", reporter_only);
    if (application_id != NULL)
        add_term(b, out, "a.application_id = $?::uuid", application_id);
    counted = reporter_only == NULL && application_id == NULL;
    for (size_t i = 0; i < n; i++) {
        const char *name = query[i].name, *v = query[i].value;
        size_t k;
        why = NULL;
        for (k = 0; k < N_FILTERS && strcmp(filters[k].name, name) != 0; k++)
            ;
        if (k < N_FILTERS && application_id != NULL && strcmp(name, "application_id") == 0)
            k = N_FILTERS + 9; /* the path names it */
        if (k < N_FILTERS) {
            if (seen[k])
                why = "must not be repeated";
            else if ((why = filter_problem(&filters[k], v)) == NULL) {
                if (filters[k].field == -3 && strcmp(v, "open") == 0)
                    fl_sql_put(b->where, &b->wlen, sizeof(b->where),
                               " AND a.status NOT IN ('resolved', 'closed')");
                else
                    add_term(b, out, filters[k].term, v);
                counted = counted && filters[k].counted;
            }
            seen[k] = true;
        } else if (strcmp(name, "page") == 0) {
            why = fl_param_count(v, PAGE_MAX, &out->page);
        } else if (strcmp(name, "per_page") == 0) {
            why = fl_param_count(v, 100, &out->per_page);
        } else if (strcmp(name, "order") == 0) {
            desc = strcmp(v, "desc") == 0;
            why = desc || strcmp(v, "asc") == 0 ? NULL : "must be asc or desc";
        } else if (strcmp(name, "sort") == 0) {
            size_t s = 0;
            while (s < N_SORTS && strcmp(sorts[s].name, v) != 0)
                s++;
            if (s < N_SORTS)
                sort = sorts[s].expr;
            else
                why = "must be one of issue_number, created_at, updated_at, priority, status";
        } else {
            why = "is not a known parameter";
        }
        if (why != NULL)
            fl_decision_field(d, fl_arena_strndup(a, name, strnlen(name, 200)), why);
    }
    if (fl_decision_failed(d))
        return FL_EINVAL;
    if (fl_sql_page_params(a, out->page, out->per_page, out->params, &out->nparams) < 0)
        return FL_ETOOBIG;
    /* Unfiltered but for counted filters, the total is the counters' sum (issue_counts). */
    fl_sql_page(b->sql, &b->len, SQL_MAX,
                &(fl_sql_page_t){.json = ISSUE_JSON,
                                 .from = "issues a",
                                 .base = "a.deleted_at IS NULL",
                                 .where = b->where,
                                 .sort = sort,
                                 .desc = desc,
                                 .limit = out->nparams - 1,
                                 .count = counted ? "coalesce(sum(a.n), 0)::bigint" : NULL,
                                 .count_from = counted ? "issue_counts a" : NULL,
                                 .count_base = counted ? "true" : NULL});
    out->sql = b->sql;
    return 0;
}

int fl_issues_get_query(const char *id_or_number, const char *reporter_only, fl_arena_t *a,
                        fl_apps_query_t *out)
{
    memset(out, 0, sizeof(*out));
    if (id_or_number == NULL || *id_or_number == '\0' || strlen(id_or_number) > 64)
        return FL_ENOTFOUND;
    out->params[out->nparams++] = id_or_number;
    if (fl_uuid_is_valid(id_or_number))
        out->sql = reporter_only == NULL
                       ? "SELECT " ISSUE_JSON " FROM issues a WHERE a.id = $1::uuid"
                         " AND a.deleted_at IS NULL"
                       : "SELECT " ISSUE_JSON " FROM issues a WHERE a.id = $1::uuid"
                         " AND a.deleted_at IS NULL AND a.reporter_id = $2::uuid";
    else
        out->sql = reporter_only == NULL
                       ? "SELECT " ISSUE_JSON " FROM issues a WHERE upper(a.issue_number) ="
                         " upper($1) AND a.deleted_at IS NULL"
                       : "SELECT " ISSUE_JSON " FROM issues a WHERE upper(a.issue_number) ="
                         " upper($1) AND a.deleted_at IS NULL AND a.reporter_id = $2::uuid";
    if (reporter_only != NULL)
        out->params[out->nparams++] = reporter_only;
    (void)a;
    return 0;
}

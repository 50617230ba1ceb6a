/*
 * The read queries: GET /requests, GET /requests/{id} (uuid or REQ
 * number), its approvals and its history. Query parameters -> one SQL
 * statement; every value is a parameter, and the only words that reach the
 * SQL text come from the tables below. Rows carry the request's JSON in
 * column j (the members of fl_request_to_json); a list picks the page's ids
 * first and builds the JSON of those rows only, joined to the count
 * (_total), so a page past the end still gives the total.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define TS FL__REQ_TS

/* clang-format off */
#define REQUEST_JSON                                                                       \
    "json_build_object('id', a.id, 'request_number', a.request_number,"                  \
    " 'catalog_item_id', a.catalog_item_id, 'bundle_id', a.bundle_id,"                    \
    " 'parent_id', a.parent_id, 'children', (SELECT coalesce(json_agg(json_build_object("  \
    "'id', c.id, 'request_number', c.request_number, 'catalog_item_id', c.catalog_item_id," \
    " 'item_name', c.item_name, 'status', c.status)"                                       \
    " ORDER BY lpad(c.request_number, 32, '0')), '[]'::json)"                               \
    " FROM service_requests c WHERE c.parent_id = a.id),"                                  \
    " 'item_name', a.item_name, 'requester_id', a.requester_id,"                          \
    " 'requested_for_id', a.requested_for_id, 'assigned_to', a.assigned_to,"              \
    " 'assigned_group', a.assigned_group, 'status', a.status, 'priority', a.priority,"    \
    " 'form_data', a.form_data, 'form_version', a.form_version,"                          \
    " 'approval_status', a.approval_status, 'approval_type', a.approval_type,"            \
    " 'approval_groups', a.approval_groups,"                                              \
    " 'current_approval_step', a.current_approval_step,"                                  \
    " 'sla_policy_id', a.sla_policy_id,"                                                  \
    " 'response_due_at', " TS("a.response_due_at") ","                                    \
    " 'resolution_due_at', " TS("a.resolution_due_at") ","                                \
    " 'responded_at', " TS("a.responded_at") ", 'sla_breached', a.sla_breached,"          \
    " 'sla_breach_type', a.sla_breach_type,"                                              \
    " 'due_date', " TS("a.due_date") ","                                                  \
    " 'completion_notes', a.completion_notes,"                                            \
    " 'started_at', " TS("a.started_at") ","                                              \
    " 'completed_at', " TS("a.completed_at") ","                                          \
    " 'cancelled_at', " TS("a.cancelled_at") ","                                          \
    " 'created_at', " TS("a.created_at") ","                                              \
    " 'updated_at', " TS("a.updated_at") ","                                              \
    " 'version', a.version)::text AS j"
/* clang-format on */

#define PAGE_MAX 1000000L
#define SQL_MAX  8192
#define PARTY    "(a.requester_id = $?::uuid OR a.requested_for_id = $?::uuid)"

typedef enum { V_STATUS, V_PRIORITY, V_UUID, V_TEXT, V_BOOL } vkind_t;

static const struct {
    const char *name, *term; /* $? is the value */
    vkind_t kind;
} filters[] = {
    {"status", "a.status = $?", V_STATUS},
    {"priority", "a.priority = $?", V_PRIORITY},
    {"requester_id", "a.requester_id = $?::uuid", V_UUID},
    {"requested_for_id", "a.requested_for_id = $?::uuid", V_UUID},
    {"assigned_to", "a.assigned_to = $?::uuid", V_UUID},
    {"assigned_group", "a.assigned_group = $?::uuid", V_UUID},
    {"catalog_item_id", "a.catalog_item_id = $?::uuid", V_UUID},
    {"parent_id", "a.parent_id = $?::uuid", V_UUID},
    {"top_level", "(a.parent_id IS NULL) = ($? = 'true')", V_BOOL},
    {"q", "strpos(lower(a.request_number || ' ' || coalesce(a.item_name, '')), lower($?)) > 0",
     V_TEXT},
};
#define N_FILTERS (sizeof(filters) / sizeof(filters[0]))

static const struct {
    const char *name, *expr;
} sorts[] = {
    {"request_number", "lpad(a.request_number, 32, '0')"},
    {"created_at", "a.created_at"},
    {"updated_at", "a.updated_at"},
    {"priority", "array_position(ARRAY['critical','high','medium','low']::text[], a.priority)"},
    {"status", "array_position(ARRAY['new','pending_approval','approved','in_progress',"
               "'completed','cancelled','rejected']::text[], a.status)"},
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

static const char *value_problem(vkind_t k, const char *v)
{
    switch (k) {
    case V_STATUS:
        return fl_req_status_parse(v) >= 0 ? NULL
                                           : "must be new, pending_approval, approved, "
                                             "in_progress, completed, cancelled or rejected";
    case V_PRIORITY:
        return fl__req_is_priority(v) ? NULL : "must be low, medium, high or critical";
    case V_UUID:
        return fl_uuid_is_valid(v) ? NULL : "must be a UUID";
    case V_BOOL:
        return strcmp(v, "true") == 0 || strcmp(v, "false") == 0 ? NULL : "must be true or false";
    case V_TEXT:
        break;
    }
    return *v == '\0' || strlen(v) > 255 ? "must be 1 to 255 bytes" : NULL;
}

/* One parameter of the list: a filter, paging or sorting. Why it is refused, or NULL. */
static const char *param(qb_t *b, fl_apps_query_t *out, const char *name, const char *v, bool *seen,
                         const char **sort, bool *desc)
{
    size_t k = 0, s = 0;
    while (k < N_FILTERS && strcmp(filters[k].name, name) != 0)
        k++;
    if (k < N_FILTERS) {
        const char *why = seen[k] ? "must not be repeated" : value_problem(filters[k].kind, v);
        seen[k] = true;
        if (why == NULL)
            add_term(b, out, filters[k].term, v);
        return why;
    }
    if (strcmp(name, "page") == 0)
        return fl_param_count(v, PAGE_MAX, &out->page);
    if (strcmp(name, "per_page") == 0)
        return fl_param_count(v, 100, &out->per_page);
    if (strcmp(name, "order") == 0) {
        *desc = strcmp(v, "desc") == 0;
        return *desc || strcmp(v, "asc") == 0 ? NULL : "must be asc or desc";
    }
    if (strcmp(name, "sort") != 0)
        return "is not a known parameter";
    while (s < N_SORTS && strcmp(sorts[s].name, v) != 0)
        s++;
    if (s == N_SORTS)
        return "must be one of request_number, created_at, updated_at, priority, status";
    *sort = sorts[s].expr;
    return NULL;
}

int fl_requests_list_query(const fl_http_param_t *query, size_t n, const char *party_only,
                           fl_arena_t *a, fl_apps_query_t *out, fl_decision_t *d)
{
    qb_t *b = fl_arena_alloc(a, sizeof(*b));
    const char *sort = sorts[0].expr;
    bool desc = false, seen[N_FILTERS] = {false};

    memset(out, 0, sizeof(*out));
    if (b == NULL)
        return FL_ETOOBIG;
    b->len = b->wlen = 0;
    b->where[0] = '\0';
    out->page = 1;
    out->per_page = 25;
    if (party_only != NULL)
        add_term(b, out, PARTY, party_only);
    for (size_t i = 0; i < n; i++) {
        const char *why = param(b, out, query[i].name, query[i].value, seen, &sort, &desc);
        if (why != NULL)
            fl_decision_field(d, fl_arena_strndup(a, query[i].name, strnlen(query[i].name, 200)),
                              why);
    }
    if (fl_decision_failed(d))
        return FL_EINVAL;
    if (fl_sql_page_params(a, out->page, out->per_page, out->params, &out->nparams) < 0)
        return FL_ETOOBIG;
    fl_sql_page(b->sql, &b->len, SQL_MAX,
                &(fl_sql_page_t){.json = REQUEST_JSON,
                                 .from = "service_requests a",
                                 .base = "true",
                                 .where = b->where,
                                 .sort = sort,
                                 .desc = desc,
                                 .limit = out->nparams - 1});
    out->sql = b->sql;
    return 0;
}

int fl_requests_get_query(const char *id_or_number, const char *party_only, fl_arena_t *a,
                          fl_apps_query_t *out)
{
    (void)a;
    memset(out, 0, sizeof(*out));
    if (id_or_number == NULL || *id_or_number == '\0' || strlen(id_or_number) > 64)
        return FL_ENOTFOUND;
    out->params[out->nparams++] = id_or_number;
    if (party_only != NULL)
        out->params[out->nparams++] = party_only;
    bool uuid = fl_uuid_is_valid(id_or_number);
    if (uuid && party_only == NULL)
        out->sql = "SELECT " REQUEST_JSON " FROM service_requests a WHERE a.id = $1::uuid";
    else if (uuid)
        out->sql = "SELECT " REQUEST_JSON " FROM service_requests a WHERE a.id = $1::uuid"
                   " AND (a.requester_id = $2::uuid OR a.requested_for_id = $2::uuid)";
    else if (party_only == NULL)
        out->sql = "SELECT " REQUEST_JSON " FROM service_requests a WHERE"
                   " upper(a.request_number) = upper($1)";
    else
        out->sql = "SELECT " REQUEST_JSON " FROM service_requests a WHERE"
                   " upper(a.request_number) = upper($1)"
                   " AND (a.requester_id = $2::uuid OR a.requested_for_id = $2::uuid)";
    return 0;
}

void fl_requests_approvals_query(const char *request_id, fl_apps_query_t *out)
{
    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = FL_REQ_MAX_STEPS;
    out->params[out->nparams++] = request_id;
    out->sql = "SELECT count(*) OVER () AS _total, json_build_object('id', r.id,"
               " 'step_number', r.step_number, 'approver_group_id', r.approver_group_id,"
               " 'approver_group_name', g.name, 'status', r.status,"
               " 'approver_id', r.approver_id, 'decision_at', " TS(
                   "r.decision_at") ","
                                    " 'comments', r.comments, 'delegated_from', r.delegated_from,"
                                    " 'created_at', " TS(
                                        "r.created_at") ")::text AS j"
                                                        " FROM request_approvals r LEFT JOIN "
                                                        "groups g ON g.id = r.approver_group_id"
                                                        " WHERE r.request_id = $1::uuid ORDER BY "
                                                        "r.step_number";
}

void fl_requests_history_query(const char *request_id, fl_apps_query_t *out)
{
    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = 1000;
    out->params[out->nparams++] = request_id;
    out->sql =
        "SELECT count(*) OVER () AS _total, json_build_object('id', h.id,"
        " 'from_status', h.from_status, 'to_status', h.to_status,"
        " 'changed_by', h.changed_by, 'reason', h.reason, 'event', h.event,"
        " 'details', h.details,"
        " 'created_at', " TS(
            "h.created_at") ")::text AS j"
                            " FROM request_status_history h WHERE h.request_id = $1::uuid"
                            " ORDER BY h.created_at, h.from_status IS NOT NULL, h.id LIMIT 1000";
}

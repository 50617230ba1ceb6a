/*
 * The issue reports' statements. Each report reads the issues read model
 * (schemas/tenant/0010_issues.sql; the SLA's columns are stamped by the
 * issues' write side, src/domain/issues/sla.c) through one sub-select that
 * adds the group's key and label, so grouping, filters and the range are
 * written once:
 *
 *   issue-trends     per period of the range: issues created, resolved and
 *                    closed in it (every period present, zeros included),
 *                    and the same per group;
 *   issue-mttr       issues resolved in the range: count, mean, median and
 *                    90th percentile of the wall minutes to resolution and of
 *                    the business minutes (the SLA policy's calendar, stamped
 *                    by the write side), and the means to first response;
 *   sla-performance  issues created in the range under an SLA policy:
 *                    tracked, breached (response, resolution, any), met,
 *                    still running, the compliance percentage, and how many
 *                    were answered and resolved with the mean business
 *                    minutes each took: what the targets are counted in.
 *
 * Deleted issues are left out of every report.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define SQL_MAX 6144

/* group_by -> the key and label of an issue row i. */
typedef struct grouping {
    const char *name, *key, *label;
} grouping_t;

static const grouping_t groupings[] = {
    {"none", "NULL::text", "NULL::text"},
    {"priority", "i.priority::text", "i.priority::text"},
    {"application", "i.application_id::text",
     "(SELECT a.name::text FROM applications a WHERE a.id = i.application_id)"},
    {"group", "i.assigned_group::text",
     "(SELECT g.name::text FROM groups g WHERE g.id = i.assigned_group)"},
};

typedef struct sql {
    char *buf;
    size_t len;
} sql_t;

static void put(sql_t *s, const char *text)
{
    size_t n = strlen(text);

    fl_assert(s->len + n < SQL_MAX); /* the words are all ours */
    memcpy(s->buf + s->len, text, n + 1);
    s->len += n;
}

static const grouping_t *grouping_of(const char *name)
{
    for (size_t i = 0; i < sizeof(groupings) / sizeof(groupings[0]); i++) {
        if (strcmp(groupings[i].name, name) == 0)
            return &groupings[i];
    }
    fl_assert(0 && "group_by was checked");
    return &groupings[0];
}

/*
 * "(SELECT <key> AS key, <label> AS label, i.* FROM issues i WHERE i.deleted_at IS NULL
 *  AND <at> in [$1, $2) AND the filters $3..$5, each NULL when not given) i".
 */
static void source(fl_report_query_t *q, sql_t *s, const char *at)
{
    const grouping_t *g = grouping_of(q->group_by);
    char range[160];

    put(s, "(SELECT ");
    put(s, g->key);
    put(s, " AS key, ");
    put(s, g->label);
    put(s, " AS label, i.* FROM issues i WHERE i.deleted_at IS NULL");
    snprintf(range, sizeof(range), " AND i.%s >= $1::timestamptz AND i.%s < $2::timestamptz", at,
             at);
    put(s, range);
    put(s, " AND ($3::uuid IS NULL OR i.application_id = $3::uuid)"
           " AND ($4::uuid IS NULL OR i.assigned_group = $4::uuid)"
           " AND ($5::text IS NULL OR i.priority = $5::text)) i");
}

static bool grouped(const fl_report_query_t *q)
{
    return strcmp(q->group_by, "none") != 0;
}

static void trends(fl_report_query_t *q, sql_t *s)
{
    static const char *const columns[] = {"created_at", "resolved_at", "closed_at"};
    static const char *const counts[] = {"1, 0, 0", "0, 1, 0", "0, 0, 1"};
    q->params[q->nparams++] = q->interval; /* $6 */
    put(s, "WITH s AS (SELECT generate_series(date_trunc($6, $1::timestamptz AT TIME ZONE 'UTC'),"
           " $2::timestamptz AT TIME ZONE 'UTC' - interval '1 microsecond', ('1 ' || $6)::interval)"
           " AS bucket), ev (bucket, key, label, c, r, x) AS (");
    for (int k = 0; k < 3; k++) {
        char head[160];
        snprintf(head, sizeof(head),
                 "%sSELECT date_trunc($6, i.%s AT TIME ZONE 'UTC'), i.key, i.label, %s FROM ",
                 k > 0 ? " UNION ALL " : "", columns[k], counts[k]);
        put(s, head);
        source(q, s, columns[k]);
    }
    put(s, "), g AS (SELECT bucket, key, label, sum(c) AS c, sum(r) AS r, sum(x) AS x FROM ev"
           " GROUP BY bucket, key, label)"
           " SELECT json_build_object('period', to_char(s.bucket, 'YYYY-MM-DD'),"
           " 'created', coalesce(sum(g.c), 0), 'resolved', coalesce(sum(g.r), 0),"
           " 'closed', coalesce(sum(g.x), 0), 'groups', coalesce(json_agg(json_build_object("
           "'key', g.key, 'label', g.label, 'created', g.c, 'resolved', g.r, 'closed', g.x)"
           " ORDER BY g.key) FILTER (WHERE g.bucket IS NOT NULL AND ");
    put(s, grouped(q) ? "true" : "false");
    put(s, "), '[]'::json))::text AS j FROM s LEFT JOIN g ON g.bucket = s.bucket"
           " GROUP BY s.bucket ORDER BY s.bucket");
}

/* The columns of issue-mttr after key and label. */
static const char mttr_columns[] =
    " 'resolved', count(*),"
    " 'mean_minutes', round(avg(i.time_to_resolution)::numeric, 1),"
    " 'median_minutes', round((percentile_cont(0.5) WITHIN GROUP"
    " (ORDER BY i.time_to_resolution))::numeric, 1),"
    " 'p90_minutes', round((percentile_cont(0.9) WITHIN GROUP"
    " (ORDER BY i.time_to_resolution))::numeric, 1),"
    " 'mean_business_minutes', round(avg(i.business_time_to_resolution)::numeric, 1),"
    " 'median_business_minutes', round((percentile_cont(0.5) WITHIN GROUP"
    " (ORDER BY i.business_time_to_resolution))::numeric, 1),"
    " 'p90_business_minutes', round((percentile_cont(0.9) WITHIN GROUP"
    " (ORDER BY i.business_time_to_resolution))::numeric, 1),"
    " 'mean_first_response_minutes', round(avg(i.time_to_first_response)::numeric, 1),"
    " 'mean_first_response_business_minutes',"
    " round(avg(i.business_time_to_first_response)::numeric, 1))::text AS j FROM ";

/* "SELECT json_build_object('key', .., 'label', ..,": the group's, or nulls ungrouped. */
static void head(const fl_report_query_t *q, sql_t *s)
{
    put(s, grouped(q) ? "SELECT json_build_object('key', i.key, 'label', i.label,"
                      : "SELECT json_build_object('key', NULL, 'label', NULL,");
}

static void mttr(fl_report_query_t *q, sql_t *s)
{
    head(q, s);
    put(s, mttr_columns);
    source(q, s, "resolved_at");
    if (grouped(q))
        put(s, " GROUP BY i.key, i.label ORDER BY i.key NULLS FIRST");
}

static void sla(fl_report_query_t *q, sql_t *s)
{
    head(q, s);
    put(s, " 'tracked', count(*),"
           " 'met', count(*) FILTER (WHERE NOT i.sla_breached AND i.resolved_at IS NOT NULL),"
           " 'running', count(*) FILTER (WHERE NOT i.sla_breached AND i.resolved_at IS NULL),"
           " 'breached', count(*) FILTER (WHERE i.sla_breached),"
           " 'response_breached', count(*) FILTER (WHERE i.sla_breach_type IN ('response', "
           "'both')),"
           " 'resolution_breached', count(*) FILTER (WHERE i.sla_breach_type IN ('resolution',"
           " 'both')),"
           " 'compliance_percent', CASE WHEN count(*) = 0 THEN NULL ELSE round(100.0 * count(*)"
           " FILTER (WHERE NOT i.sla_breached) / count(*), 1) END,"
           " 'responded', count(i.business_time_to_first_response),"
           " 'mean_response_business_minutes',"
           " round(avg(i.business_time_to_first_response)::numeric, 1),"
           " 'resolved', count(i.business_time_to_resolution),"
           " 'mean_resolution_business_minutes',"
           " round(avg(i.business_time_to_resolution)::numeric, 1))::text AS j FROM ");
    source(q, s, "created_at");
    put(s, " WHERE i.sla_policy_id IS NOT NULL");
    if (grouped(q))
        put(s, " GROUP BY i.key, i.label ORDER BY i.key NULLS FIRST");
}

int fl_report_query(fl_report_kind_t kind, const fl_http_param_t *query, size_t n, fl_time_t now,
                    fl_arena_t *a, fl_report_query_t *out, fl_decision_t *d)
{
    char *from = fl_arena_alloc(a, 32), *to = fl_arena_alloc(a, 32);
    sql_t s = {fl_arena_alloc(a, SQL_MAX), 0};

    memset(out, 0, sizeof(*out));
    out->kind = kind;
    if (from == NULL || to == NULL || s.buf == NULL)
        return FL_ETOOBIG;
    if (fl__report_params(out, query, n, now, d) != 0)
        return FL_EINVAL;
    fl_time_format(out->from, from, 32);
    fl_time_format(out->to, to, 32);
    out->params[0] = from;
    out->params[1] = to;
    out->params[2] = out->application_id;
    out->params[3] = out->assigned_group;
    out->params[4] = out->priority;
    out->nparams = 5;
    s.buf[0] = '\0';
    if (kind == FL_REPORT_ISSUE_TRENDS)
        trends(out, &s);
    else if (kind == FL_REPORT_ISSUE_MTTR)
        mttr(out, &s);
    else
        sla(out, &s);
    out->sql = s.buf;
    return 0;
}

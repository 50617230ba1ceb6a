/*
 * The read queries of /api/v1/sla/policies and /api/v1/sla/business-hours:
 * query parameters -> one statement on the read model. Every value is a
 * parameter; the only words that reach the SQL text are the ones below.
 * PostgreSQL builds each row's JSON (column j) with the members
 * fl_sla_policy_entity_json and fl_sla_hours_entity_json give, so a GET
 * answers what the write answered. A page counts its matches (meta.total)
 * and joins the page to the count, so a page past the end still has the
 * total (one row whose j is NULL).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/sla.h"

#define TS(e) "to_char(" e " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#define POLICY_JSON                                                                                \
    "json_build_object('id', p.id, 'name', p.name, 'description', p.description, 'entity_type',"   \
    " p.entity_type, 'is_default', p.is_default, 'conditions', p.conditions,"                      \
    " 'business_hours_id', p.business_hours_id, 'targets', (SELECT coalesce(json_agg("             \
    "json_build_object('metric_type', t.metric_type, 'priority', t.priority, 'target_minutes',"    \
    " t.target_minutes, 'warning_percent', t.warning_percent, 'business_hours_only',"              \
    " t.business_hours_only) ORDER BY t.id), '[]'::json) FROM sla_targets t"                       \
    " WHERE t.policy_id = p.id), 'created_at', " TS("p.created_at") ", 'updated_at', " TS(         \
        "p.updated_at") ", 'version', p.version)::text AS j"

/* end_time 24:00 is kept as such by the time type; to_char prints it as 24:00 too. */
#define HOURS_JSON                                                                                 \
    "json_build_object('id', p.id, 'name', p.name, 'timezone', p.timezone, 'is_default',"          \
    " p.is_default, 'schedule', (SELECT coalesce(json_agg(json_build_object('day_of_week',"        \
    " s.day_of_week, 'start_time', to_char(s.start_time, 'HH24:MI'), 'end_time',"                  \
    " to_char(s.end_time, 'HH24:MI')) ORDER BY s.day_of_week, s.start_time), '[]'::json)"          \
    " FROM business_hours_schedule s WHERE s.business_hours_id = p.id), 'holidays',"               \
    " (SELECT coalesce(json_agg(json_build_object('holiday_date', h.holiday_date::text, 'name',"   \
    " h.name) ORDER BY h.holiday_date), '[]'::json) FROM business_hours_holidays h"                \
    " WHERE h.business_hours_id = p.id), 'created_at', " TS("p.created_at") ", 'updated_at', " TS( \
        "p.updated_at") ", 'version', p.version)::text AS j"

/* The sla:config version the read model holds: every event of the stream stamps a row. */
#define CONFIG_VERSION                                                                             \
    "(SELECT coalesce(max(v), 0) FROM (SELECT max(version) AS v FROM business_hours UNION ALL"     \
    " SELECT max(version) FROM sla_policies) m)::text AS cv"

#define PAGE_MAX 1000000L
#define SQL_MAX  6144

typedef struct filter {
    const char *name;
    const char *term;          /* $? is the value */
    const char *const *values; /* allowed values; NULL: a UUID */
    const char *msg;
} filter_t;

static const char *const booleans[] = {"true", "false", NULL};

typedef struct spec {
    const char *from; /* aliased p */
    const char *json;
    const char *const *sorts; /* column names of p, the first the default */
    const char *sorts_msg;
    const filter_t *filters;
    size_t n_filters;
} spec_t;

static const char *const policy_sorts[] = {"created_at", "name", "entity_type", "updated_at", NULL};
static const filter_t policy_filters[] = {
    {"entity_type", "p.entity_type = $?", fl_sla_entity_names, "must be issue, request or change"},
    {"is_default", "p.is_default = $?::boolean", booleans, "must be true or false"},
    {"business_hours_id", "p.business_hours_id = $?::uuid", NULL, "must be a UUID"},
};

static const char *const hours_sorts[] = {"created_at", "name", "timezone", "updated_at", NULL};
static const filter_t hours_filters[] = {
    {"is_default", "p.is_default = $?::boolean", booleans, "must be true or false"},
};

static const spec_t specs[] = {
    [FL_SLA_POLICIES] = {"sla_policies p", POLICY_JSON, policy_sorts,
                         "must be one of created_at, name, entity_type, updated_at", policy_filters,
                         sizeof(policy_filters) / sizeof(policy_filters[0])},
    [FL_SLA_HOURS] = {"business_hours p", HOURS_JSON, hours_sorts,
                      "must be one of created_at, name, timezone, updated_at", hours_filters,
                      sizeof(hours_filters) / sizeof(hours_filters[0])},
};

typedef struct qb {
    char sql[SQL_MAX];
    size_t len;
    char where[512];
    size_t wlen;
    const char *sort;
    bool desc;
    bool seen[8];
} qb_t;

__attribute__((format(printf, 3, 4))) static void put(char *buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf + *len, SQL_MAX - *len, fmt, ap);
    va_end(ap);
    fl_assert(n >= 0 && *len + (size_t)n < SQL_MAX); /* the words are all ours */
    *len += (size_t)n;
}

static const char *filter_problem(const filter_t *f, const char *v)
{
    if (f->values == NULL)
        return fl_uuid_is_valid(v) ? NULL : f->msg;
    return fl_sla_name_index(f->values, v) >= 0 ? NULL : f->msg;
}

static void add_filter(qb_t *b, fl_sla_query_t *out, const filter_t *f, const char *v)
{
    const char *q = strstr(f->term, "$?");

    fl_assert(q != NULL && out->nparams < FL_SLA_QUERY_MAX_PARAMS - 2);
    out->params[out->nparams++] = v;
    put(b->where, &b->wlen, " AND %.*s$%d%s", (int)(q - f->term), f->term, out->nparams, q + 2);
}

static const char *const paging[] = {"page", "per_page", "sort", "order", NULL};

static const char *paging_param(qb_t *b, const spec_t *s, fl_sla_query_t *out, int which,
                                const char *v)
{
    int i;

    if (which == 0)
        return fl_param_count(v, PAGE_MAX, &out->page);
    if (which == 1)
        return fl_param_count(v, 100, &out->per_page);
    if (which == 3) {
        b->desc = strcmp(v, "desc") == 0;
        return b->desc || strcmp(v, "asc") == 0 ? NULL : "must be asc or desc";
    }
    i = fl_sla_name_index(s->sorts, v);
    b->sort = i >= 0 ? s->sorts[i] : b->sort;
    return i >= 0 ? NULL : s->sorts_msg;
}

/* One parameter: checked and recorded, or its problem collected into d naming it. */
static void one_param(qb_t *b, const spec_t *s, fl_sla_query_t *out, const fl_http_param_t *p,
                      fl_arena_t *a, fl_decision_t *d)
{
    int pg = fl_sla_name_index(paging, p->name), fi = -1;
    const char *why;

    for (size_t i = 0; pg < 0 && fi < 0 && i < s->n_filters; i++)
        fi = strcmp(s->filters[i].name, p->name) == 0 ? (int)i : -1;
    if (pg < 0 && fi < 0) {
        const char *copy = fl_arena_strndup(a, p->name, strnlen(p->name, 200));
        fl_decision_field(d, copy != NULL ? copy : "?", "is not a known parameter");
        return;
    }
    const char *name = pg >= 0 ? paging[pg] : s->filters[fi].name;
    int slot = pg >= 0 ? pg : 4 + fi;
    if (b->seen[slot]) {
        fl_decision_field(d, name, "must be given once");
        return;
    }
    b->seen[slot] = true;
    why =
        pg >= 0 ? paging_param(b, s, out, pg, p->value) : filter_problem(&s->filters[fi], p->value);
    if (why != NULL)
        fl_decision_field(d, name, why);
    else if (fi >= 0)
        add_filter(b, out, &s->filters[fi], p->value);
}

static void build(qb_t *b, const spec_t *s, const fl_sla_query_t *out)
{
    const char *dir = b->desc ? "DESC" : "ASC";

    put(b->sql, &b->len,
        "SELECT t._total, q.j FROM (SELECT count(*) AS _total FROM %s WHERE p.deleted_at IS NULL%s)"
        " t LEFT JOIN LATERAL (SELECT %s, p.%s AS _k, p.id AS _id FROM %s"
        " WHERE p.deleted_at IS NULL%s",
        s->from, b->where, s->json, b->sort, s->from, b->where);
    put(b->sql, &b->len, " ORDER BY p.%s %s, p.id %s LIMIT $%d OFFSET $%d) q ON true", b->sort, dir,
        dir, out->nparams + 1, out->nparams + 2);
    put(b->sql, &b->len, " ORDER BY q._k %s, q._id %s", dir, dir);
}

static char *num_text(fl_arena_t *a, long v)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%ld", v);
    return fl_arena_strndup(a, buf, strlen(buf));
}

int fl_sla_list_query(fl_sla_kind_t kind, const fl_http_param_t *query, size_t n, fl_arena_t *a,
                      fl_sla_query_t *out, fl_decision_t *d)
{
    const spec_t *s = &specs[kind];
    qb_t *b = fl_arena_alloc(a, sizeof(*b));

    memset(out, 0, sizeof(*out));
    if (b == NULL)
        return FL_ETOOBIG;
    memset(b, 0, sizeof(*b));
    b->sort = s->sorts[0];
    out->page = 1;
    out->per_page = 25;
    for (size_t i = 0; i < n; i++)
        one_param(b, s, out, &query[i], a, d);
    if (fl_decision_failed(d))
        return FL_EINVAL;
    build(b, s, out);
    out->params[out->nparams++] = num_text(a, out->per_page);
    out->params[out->nparams++] = num_text(a, (out->page - 1) * out->per_page);
    out->sql = fl_arena_strndup(a, b->sql, b->len);
    for (int i = 0; i < out->nparams; i++)
        if (out->params[i] == NULL)
            return FL_ETOOBIG;
    return out->sql == NULL ? FL_ETOOBIG : 0;
}

int fl_sla_get_query(fl_sla_kind_t kind, const char *id, fl_sla_query_t *out)
{
    memset(out, 0, sizeof(*out));
    if (id == NULL || !fl_uuid_is_valid(id))
        return FL_EINVAL;
    out->sql = kind == FL_SLA_POLICIES
                   ? "SELECT " POLICY_JSON ", " CONFIG_VERSION
                     " FROM sla_policies p WHERE p.id = $1::uuid AND p.deleted_at IS NULL"
                   : "SELECT " HOURS_JSON ", " CONFIG_VERSION
                     " FROM business_hours p WHERE p.id = $1::uuid AND p.deleted_at IS NULL";
    out->params[0] = id;
    out->nparams = 1;
    return 0;
}

json_t *fl_sla_row_json(const fl_store_res_t *r, int row)
{
    int col = fl_store_res_col(r, "j");

    if (col < 0 || row >= fl_store_res_rows(r) || fl_store_res_isnull(r, row, col))
        return NULL;
    return json_loads(fl_store_res_value(r, row, col), 0, NULL);
}

int64_t fl_sla_row_config_version(const fl_store_res_t *r, int row)
{
    int col = fl_store_res_col(r, "cv");

    if (col < 0 || row >= fl_store_res_rows(r) || fl_store_res_isnull(r, row, col))
        return 0;
    return strtoll(fl_store_res_value(r, row, col), NULL, 10);
}

json_t *fl_sla_page_json(const fl_store_res_t *r, const fl_sla_query_t *q)
{
    int rows = fl_store_res_rows(r), tc = fl_store_res_col(r, "_total");
    json_t *data = json_array();
    long long total = 0;

    for (int i = 0; i < rows; i++) {
        json_t *one = fl_sla_row_json(r, i);
        if (one != NULL)
            json_array_append_new(data, one);
    }
    if (rows > 0 && tc >= 0)
        total = strtoll(fl_store_res_value(r, 0, tc), NULL, 10);
    return json_pack("{s:o,s:{s:I,s:I,s:I}}", "data", data, "meta", "page", (json_int_t)q->page,
                     "per_page", (json_int_t)q->per_page, "total", (json_int_t)total);
}

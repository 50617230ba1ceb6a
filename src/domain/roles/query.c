/*
 * The read queries: GET /roles (paged), GET /roles/{id}, and the count of a
 * role's holders that DELETE asks before deciding. Every value is a
 * parameter; the only words that reach the SQL text come from this file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define TS(expr) "to_char(" expr " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* The API's columns of a roles row aliased s; permissions sorted as strcmp sorts. */
#define COLUMNS                                                                                    \
    "s.id AS _id, s.id, s.name, s.display_name, s.description, s.is_system::text AS is_system,"    \
    " array_to_json(ARRAY(SELECT p.resource || ':' || p.action FROM role_permissions rp"           \
    " JOIN permissions p ON p.id = rp.permission_id WHERE rp.role_id = s.id"                       \
    " ORDER BY (p.resource || ':' || p.action) COLLATE \"C\"))::text AS permissions, " TS(         \
        "s.created_at") " AS created_at, " TS("s.updated_at") " AS updated_at,"                    \
                                                              " s.version::text AS version"

static const char *const sorts[] = {"name", "created_at", "updated_at"};
static const char *const known[] = {"page", "per_page", "sort", "order", "is_system", "q"};

typedef struct lq {
    fl_arena_t *a;
    fl_decision_t *d;
    fl_roles_query_t *out;
    const char *sort;
    const char *order;
    char where[256];
} lq_t;

static bool to_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s < '0' || *s > '9' || strlen(s) > 9 || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, list[i]) == 0)
            return true;
    }
    return false;
}

/* A parameter's value, added as the next $k; returns k. */
static int param(lq_t *q, const char *v)
{
    q->out->params[q->out->nparams++] = v;
    return q->out->nparams;
}

static void filter(lq_t *q, const char *name, const char *v)
{
    size_t len = strlen(q->where);

    if (strcmp(name, "is_system") == 0) {
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            fl_decision_field(q->d, name, "must be true or false");
        else
            snprintf(q->where + len, sizeof(q->where) - len, " AND s.is_system = $%d::boolean",
                     param(q, v));
    } else {
        int k = param(q, v);
        snprintf(q->where + len, sizeof(q->where) - len,
                 " AND (strpos(lower(s.name), lower($%d)) > 0"
                 " OR strpos(lower(s.display_name), lower($%d)) > 0)",
                 k, k);
    }
}

static void one_param(lq_t *q, const fl_http_param_t *p)
{
    const char *n = p->name, *v = p->value;

    if (strcmp(n, "page") == 0 && !to_long(v, 1, 1000000, &q->out->page))
        fl_decision_field(q->d, n, "must be a whole number from 1");
    else if (strcmp(n, "per_page") == 0 && !to_long(v, 1, 100, &q->out->per_page))
        fl_decision_field(q->d, n, "must be a whole number from 1 to 100");
    else if (strcmp(n, "sort") == 0 && !in_list(v, sorts, 3))
        fl_decision_field(q->d, n, "must be name, created_at or updated_at");
    else if (strcmp(n, "sort") == 0)
        q->sort = v;
    else if (strcmp(n, "order") == 0 && strcmp(v, "asc") != 0 && strcmp(v, "desc") != 0)
        fl_decision_field(q->d, n, "must be asc or desc");
    else if (strcmp(n, "order") == 0)
        q->order = v;
    else if (strcmp(n, "is_system") == 0 || strcmp(n, "q") == 0)
        filter(q, n, v);
}

static bool repeated(const fl_http_param_t *query, size_t i)
{
    for (size_t j = 0; j < i; j++) {
        if (strcmp(query[j].name, query[i].name) == 0)
            return true;
    }
    return false;
}

static int build_list(lq_t *q)
{
    char sql[2048], *copy;
    char lim[24], off[24];

    snprintf(lim, sizeof(lim), "%ld", q->out->per_page);
    snprintf(off, sizeof(off), "%ld", (q->out->page - 1) * q->out->per_page);
    int kl = param(q, fl_arena_strndup(q->a, lim, strlen(lim)));
    int ko = param(q, fl_arena_strndup(q->a, off, strlen(off)));
    snprintf(sql, sizeof(sql),
             "WITH m AS (SELECT * FROM roles s WHERE s.deleted_at IS NULL%s),"
             " t AS (SELECT count(*) AS n FROM m)"
             " SELECT t.n::text AS _total, pg.* FROM t LEFT JOIN LATERAL"
             " (SELECT " COLUMNS " FROM m s ORDER BY s.%s %s, s.id LIMIT $%d OFFSET $%d) pg"
             " ON true",
             q->where, q->sort, q->order, kl, ko);
    copy = fl_arena_strndup(q->a, sql, strlen(sql));
    q->out->sql = copy;
    return copy != NULL ? 0 : FL_ETOOBIG;
}

int fl_roles_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a,
                        fl_roles_query_t *out, fl_decision_t *d)
{
    lq_t q = {.a = a, .d = d, .out = out, .sort = "name", .order = "asc"};

    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = 25;
    for (size_t i = 0; i < n; i++) {
        if (!in_list(query[i].name, known, sizeof(known) / sizeof(known[0])))
            fl_decision_field(d, query[i].name, "is not a known parameter");
        else if (repeated(query, i))
            fl_decision_field(d, query[i].name, "is given more than once");
        else
            one_param(&q, &query[i]);
    }
    if (fl_decision_failed(d))
        return FL_EINVAL;
    return build_list(&q);
}

static int one_id(const char *role_id, const char *sql, fl_roles_query_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!fl_uuid_is_valid(role_id))
        return FL_EINVAL;
    out->sql = sql;
    out->params[0] = role_id;
    out->nparams = 1;
    return 0;
}

int fl_roles_get_query(const char *role_id, fl_arena_t *a, fl_roles_query_t *out)
{
    (void)a;
    return one_id(role_id,
                  "SELECT " COLUMNS " FROM roles s WHERE s.id = $1::uuid AND s.deleted_at IS NULL",
                  out);
}

int fl_roles_holders_query(const char *role_id, fl_arena_t *a, fl_roles_query_t *out)
{
    (void)a;
    return one_id(
        role_id,
        "SELECT (SELECT count(*) FROM user_roles WHERE role_id = $1::uuid)::text AS users,"
        " (SELECT count(*) FROM group_roles gr JOIN groups g ON g.id = gr.group_id"
        " WHERE gr.role_id = $1::uuid AND g.deleted_at IS NULL)::text AS groups",
        out);
}

/*
 * GET /users: query parameters -> one SQL statement and its parameters.
 * Every value is a parameter; the only words that reach the SQL text come
 * from the whitelists below, never from the request.
 *
 * The statement counts the matches (meta.total) and joins the page to the
 * count, so that a page past the end still returns the total (one row whose
 * _id is NULL). The page is ordered inside (by the index) and again outside
 * on the few rows of the page, as a join does not promise to keep order.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define PAGE_MAX 1000000L

static const char *const sorts[] = {"created_at", "updated_at", "name",
                                    "email",      "status",     "last_login_at"};

/* The columns `fields` may name, with the SQL that produces each. */
static const struct column {
    const char *name;
    const char *sql;
} columns[] = {
    {"id", "u.id"},
    {"email", "u.email"},
    {"name", "u.name"},
    {"avatar_url", "u.avatar_url"},
    {"phone", "u.phone"},
    {"timezone", "u.timezone"},
    {"status", "u.status"},
    {"auth_provider", "u.auth_provider"},
    {"external_id", "u.external_id"},
    /* ARRAY() and array_to_json cost half of a json_agg subquery per row. */
    {"roles", "array_to_json(ARRAY(SELECT r.name FROM user_roles ur JOIN roles r"
              " ON r.id = ur.role_id WHERE ur.user_id = u.id ORDER BY r.name))::text"},
    {"last_login_at", "to_char(u.last_login_at AT TIME ZONE 'UTC', "
                      "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"},
    {"settings", "u.settings::text"},
    {"version", "u.version::text"},
    {"created_at", "to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"},
    {"updated_at", "to_char(u.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"},
};
#define N_COLUMNS (sizeof(columns) / sizeof(columns[0]))

typedef struct sqlb {
    char buf[8192];
    size_t len;
} sqlb_t;

__attribute__((format(printf, 2, 3))) static void add(sqlb_t *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(b->buf + b->len, sizeof(b->buf) - b->len, fmt, ap);
    va_end(ap);
    fl_assert(n >= 0 && (size_t)n < sizeof(b->buf) - b->len); /* the words are all ours */
    b->len += (size_t)n;
}

typedef struct listq {
    fl_arena_t *a;
    fl_decision_t *d;
    fl_users_list_t *out;
    const char *sort;
    bool desc;
    bool want[N_COLUMNS];
    const char *where[4]; /* SQL of each filter, ANDed */
    size_t n_where;
} listq_t;

static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (*s < '0' || *s > '9' || strlen(s) > 9)
        return false;
    v = strtol(s, &end, 10);
    if (*end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* The index of s in list, or -1. */
static int index_of(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, list[i]) == 0)
            return (int)i;
    }
    return -1;
}

/* Adds a filter whose value becomes the next parameter: each "$?" of tmpl names it. */
static void add_filter(listq_t *q, const char *tmpl, const char *value)
{
    char num[16], *sql, *p;
    size_t len, nl;

    fl_assert(q->n_where < 4 && q->out->nparams < FL_USERS_LIST_MAX_PARAMS - 2);
    snprintf(num, sizeof(num), "%d", q->out->nparams + 1);
    nl = strlen(num);
    len = strlen(tmpl) + 2 * nl + 1;
    sql = p = fl_arena_alloc(q->a, len);
    if (sql == NULL)
        return;
    for (const char *t = tmpl; *t != '\0'; t++) {
        *p++ = *t;
        if (t[0] == '$' && t[1] == '?') {
            memcpy(p, num, nl);
            p += nl, t++;
        }
    }
    *p = '\0';
    q->where[q->n_where++] = sql;
    q->out->params[q->out->nparams++] = value;
}

/* %, _ and the escape character itself stand for themselves in the pattern. */
static char *like_pattern(fl_arena_t *a, const char *s)
{
    char *out = fl_arena_alloc(a, 2 * strlen(s) + 3), *p = out;

    if (out == NULL)
        return NULL;
    *p++ = '%';
    for (; *s != '\0'; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            *p++ = '\\';
        *p++ = *s;
    }
    *p++ = '%';
    *p = '\0';
    return out;
}

static bool set_fields(listq_t *q, const char *value)
{
    const char *s = value;
    bool any = false;

    while (*s != '\0') {
        size_t len = strcspn(s, ","), i;
        for (i = 0; i < N_COLUMNS; i++) {
            if (strlen(columns[i].name) == len && strncmp(columns[i].name, s, len) == 0)
                break;
        }
        if (i == N_COLUMNS)
            return false;
        q->want[i] = any = true;
        s += len + (s[len] == ',');
    }
    return any;
}

static const char *filter(listq_t *q, const char *name, const char *v)
{
    if (strcmp(name, "status") == 0) {
        if (fl_user_status_parse(v) == FL_USER_NONE)
            return "must be active or inactive";
        add_filter(q, "u.status = $?", v);
    } else if (strcmp(name, "role") == 0) {
        if (!fl__users_role_name_ok(v))
            return "must be a role name";
        add_filter(q,
                   "EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
                   " WHERE ur.user_id = u.id AND r.name = $?)",
                   v);
    } else if (strcmp(name, "email") == 0) {
        if (*v == '\0' || strlen(v) > FL_USERS_EMAIL_MAX)
            return "must be an email address";
        add_filter(q, "lower(u.email) = lower($?)", v);
    } else {
        if (*v == '\0' || strlen(v) > 255)
            return "must be 1 to 255 bytes";
        add_filter(q, "(u.name ILIKE $? OR u.email ILIKE $?)", like_pattern(q->a, v));
    }
    return NULL;
}

/* One parameter; returns why it is refused, or NULL. */
static const char *param(listq_t *q, const char *name, const char *v)
{
    if (strcmp(name, "page") == 0)
        return parse_long(v, 1, PAGE_MAX, &q->out->page) ? NULL
                                                         : "must be an integer from 1 to 1000000";
    if (strcmp(name, "per_page") == 0)
        return parse_long(v, 1, 100, &q->out->per_page) ? NULL : "must be an integer from 1 to 100";
    if (strcmp(name, "sort") == 0) {
        int i = index_of(v, sorts, sizeof(sorts) / sizeof(sorts[0]));
        q->sort = i >= 0 ? sorts[i] : q->sort;
        return i >= 0 ? NULL
                      : "must be one of created_at, updated_at, name, email, status, last_login_at";
    }
    if (strcmp(name, "order") == 0) {
        q->desc = strcmp(v, "desc") == 0;
        return q->desc || strcmp(v, "asc") == 0 ? NULL : "must be asc or desc";
    }
    if (strcmp(name, "fields") == 0)
        return set_fields(q, v) ? NULL : "must be a comma-separated list of user columns";
    return filter(q, name, v);
}

static const char *const known_params[] = {"page",   "per_page", "sort",  "order", "fields",
                                           "status", "role",     "email", "q"};
#define N_KNOWN (sizeof(known_params) / sizeof(known_params[0]))

/* fl_params_t's check. */
static const char *check_param(void *arg, size_t k, const char *v)
{
    return param(arg, known_params[k], v);
}

static void check_params(listq_t *q, const fl_http_param_t *query, size_t n)
{
    fl_params_t spec = {.known = known_params, .n_known = N_KNOWN, .check = check_param, .arg = q};

    fl_params_check(&spec, query, n, q->a, q->d);
}

static void add_where(sqlb_t *b, const listq_t *q)
{
    for (size_t i = 0; i < q->n_where; i++)
        add(b, "%s%s", i == 0 ? " WHERE " : " AND ", q->where[i]);
}

static void build(listq_t *q, sqlb_t *b)
{
    const char *dir = q->desc ? "DESC" : "ASC";
    bool all = true;

    for (size_t i = 0; i < N_COLUMNS; i++)
        all = all && !q->want[i];
    add(b, "SELECT t._total, p.* FROM (SELECT count(*) AS _total FROM users u");
    add_where(b, q);
    /* The page's ids first, then the columns of those rows only (issue 5, as 4d91ef0). */
    add(b, ") t LEFT JOIN LATERAL (SELECT k._id, k._k");
    for (size_t i = 0; i < N_COLUMNS; i++) {
        if (all || q->want[i])
            add(b, ", %s AS %s", columns[i].sql, columns[i].name);
    }
    add(b, " FROM (SELECT u.id AS _id, u.%s AS _k FROM users u", q->sort);
    add_where(b, q);
    add(b, " ORDER BY u.%s %s NULLS LAST, u.id %s LIMIT $%d OFFSET $%d) k", q->sort, dir, dir,
        q->out->nparams + 1, q->out->nparams + 2);
    add(b, " JOIN users u ON u.id = k._id) p ON true");
    add(b, " ORDER BY p._k %s NULLS LAST, p._id %s", dir, dir);
}

int fl_users_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a, fl_users_list_t *out,
                        fl_decision_t *d)
{
    listq_t q = {.a = a, .d = d, .out = out, .sort = "created_at"};
    sqlb_t *b;

    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = 25;
    check_params(&q, query, n);
    if (fl_decision_failed(d))
        return FL_EINVAL;
    b = fl_arena_alloc(a, sizeof(*b));
    if (b == NULL)
        return FL_ETOOBIG;
    b->len = 0;
    build(&q, b);
    if (fl_sql_page_params(a, out->page, out->per_page, out->params, &out->nparams) < 0)
        return FL_ETOOBIG;
    out->sql = fl_arena_strndup(a, b->buf, b->len);
    for (int i = 0; i < out->nparams; i++) {
        if (out->params[i] == NULL)
            return FL_ETOOBIG;
    }
    return out->sql == NULL ? FL_ETOOBIG : 0;
}

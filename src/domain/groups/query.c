/*
 * The paged read queries: GET /groups, GET /groups/{id}/members and
 * GET /users/{id}/groups. Query parameters -> one SQL statement and its
 * parameters. Every value is a parameter; the only words that reach the SQL
 * text come from the tables below, never from the request.
 *
 * Each statement counts the matches (meta.total) and joins the page to the
 * count, so that a page past the end still returns the total (one row whose
 * _id is NULL), as the users list does. The hierarchies are recursive CTEs
 * bounded by FL_GROUPS_MAX_DEPTH levels, so even a cycle in the read model
 * (the write side refuses them) cannot make a query run away.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define PAGE_MAX  1000000L
#define MAX_WHERE 6

typedef struct pq pq_t;

/* A filter's value -> a WHERE term (add_filter); returns why it is refused, or NULL. */
typedef const char *(*filter_fn)(pq_t *q, const char *name, const char *v);

/* One paged query: its SQL pieces, sorts and filters. */
typedef struct spec {
    const char *with; /* CTEs before the SELECT (may use $1), or "" */
    const char *from; /* a FROM item aliased s */
    const char
        *table; /* a plain table aliased s: pick the page's ids first; NULL: from is derived */
    const char *base;  /* a WHERE term always applied, or NULL */
    const char *idcol; /* the row's identity, the last sort key */
    const char *cols;  /* the API's columns from s */
    const char *const *sorts;
    size_t n_sorts;
    const char *sorts_msg;
    const char *const *filters; /* parameter names handled by filter */
    size_t n_filters;
    filter_fn filter;
} spec_t;

struct pq {
    fl_arena_t *a;
    fl_decision_t *d;
    fl_groups_query_t *out;
    const spec_t *spec;
    const char *sort;
    bool desc;
    const char *where[MAX_WHERE];
    size_t n_where;
};

void fl__groups_add(fl__groups_sqlb_t *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(b->buf + b->len, sizeof(b->buf) - b->len, fmt, ap);
    va_end(ap);
    fl_assert(n >= 0 && (size_t)n < sizeof(b->buf) - b->len); /* the words are all ours */
    b->len += (size_t)n;
}

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

static int index_of(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, list[i]) == 0)
            return (int)i;
    }
    return -1;
}

/* Adds a WHERE term; each "$?" of tmpl names the next parameter, value (NULL: none). */
static void add_filter(pq_t *q, const char *tmpl, const char *value)
{
    char num[16], *sql, *p;
    size_t nl;

    fl_assert(q->n_where < MAX_WHERE && q->out->nparams < FL_GROUPS_QUERY_MAX_PARAMS - 2);
    snprintf(num, sizeof(num), "%d", q->out->nparams + 1);
    nl = strlen(num);
    sql = p = fl_arena_alloc(q->a, strlen(tmpl) * (nl + 1) + 1);
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
    if (value != NULL)
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

/* ---------------------------------------------------------------- filters */

static const char *role_filter(pq_t *q, const char *v)
{
    if (fl_group_role_parse(v) == FL_GROUP_ROLE_NONE)
        return "must be member or lead";
    add_filter(q, "s.role = $?", v);
    return NULL;
}

static const char *inherited_filter(pq_t *q, const char *v)
{
    if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
        return "must be true or false";
    add_filter(q, strcmp(v, "true") == 0 ? "s.depth > 0" : "s.depth = 0", NULL);
    return NULL;
}

static const char *uuid_filter(pq_t *q, const char *tmpl, const char *v)
{
    if (!fl_uuid_is_valid(v))
        return "must be a UUID";
    add_filter(q, tmpl, v);
    return NULL;
}

static const char *list_filter(pq_t *q, const char *name, const char *v)
{
    if (strcmp(name, "type") == 0) {
        if (fl_group_type_parse(v) == FL_GROUP_TYPE_NONE)
            return "must be team, department or distribution";
        add_filter(q, "s.type = $?", v);
        return NULL;
    }
    if (strcmp(name, "parent_id") == 0 && strcmp(v, "null") == 0) {
        add_filter(q, "s.parent_id IS NULL", NULL);
        return NULL;
    }
    if (strcmp(name, "parent_id") == 0)
        return uuid_filter(q, "s.parent_id = $?::uuid", v);
    if (strcmp(name, "manager_id") == 0)
        return uuid_filter(q, "s.manager_id = $?::uuid", v);
    if (*v == '\0' || strlen(v) > 255)
        return "must be 1 to 255 bytes";
    add_filter(q, "(s.name ILIKE $? OR s.description ILIKE $? OR s.email ILIKE $?)",
               like_pattern(q->a, v));
    return NULL;
}

static const char *member_filter(pq_t *q, const char *name, const char *v)
{
    return strcmp(name, "role") == 0 ? role_filter(q, v) : inherited_filter(q, v);
}

/* ------------------------------------------------------------------ specs */

static const char *const list_sorts[] = {"name", "created_at", "updated_at", "type"};
static const char *const list_filters[] = {"type", "parent_id", "manager_id", "q"};
static const spec_t list_spec = {
    .with = "",
    .from = "groups s",
    .table = "groups s",
    .base = "s.deleted_at IS NULL",
    .idcol = "s.id",
    .cols = FL__GROUPS_COLUMNS,
    .sorts = list_sorts,
    .n_sorts = 4,
    .sorts_msg = "must be one of name, created_at, updated_at, type",
    .filters = list_filters,
    .n_filters = 4,
    .filter = list_filter,
};

/* The group and its live descendants; each user once, the nearest membership winning. */
static const char *const member_sorts[] = {"name", "email", "role", "joined_at"};
static const char *const member_filters[] = {"role", "inherited"};
static const spec_t members_spec = {
    .with = "WITH RECURSIVE tree(id, depth) AS (SELECT g.id, 0 FROM groups g"
            " WHERE g.id = $1::uuid AND g.deleted_at IS NULL UNION ALL SELECT c.id, t.depth + 1"
            " FROM groups c JOIN tree t ON c.parent_id = t.id"
            " WHERE c.deleted_at IS NULL AND t.depth < 32),"
            " held AS (SELECT DISTINCT ON (gm.user_id) gm.user_id, gm.role, gm.joined_at,"
            " gm.group_id, t.depth FROM group_members gm JOIN tree t ON t.id = gm.group_id"
            " ORDER BY gm.user_id, t.depth, gm.group_id) ",
    .from = "(SELECT h.*, u.name, u.email, u.status FROM held h"
            " JOIN users u ON u.id = h.user_id) s",
    .idcol = "s.user_id",
    .cols = "s.user_id, s.name, s.email, s.status, s.role, " FL__GROUPS_TS(
        "s.joined_at") " AS joined_at, s.group_id, (s.depth > 0)::text AS inherited",
    .sorts = member_sorts,
    .n_sorts = 4,
    .sorts_msg = "must be one of name, email, role, joined_at",
    .filters = member_filters,
    .n_filters = 2,
    .filter = member_filter,
};

/* The user's groups and their live ancestors; each group once, the nearest membership winning. */
static const char *const of_user_sorts[] = {"name", "type", "role", "joined_at"};
static const spec_t of_user_spec = {
    .with = "WITH RECURSIVE up(id, parent_id, role, joined_at, depth) AS (SELECT g.id,"
            " g.parent_id, gm.role, gm.joined_at, 0 FROM group_members gm"
            " JOIN groups g ON g.id = gm.group_id WHERE gm.user_id = $1::uuid"
            " AND g.deleted_at IS NULL UNION ALL SELECT p.id, p.parent_id, u.role, u.joined_at,"
            " u.depth + 1 FROM groups p JOIN up u ON p.id = u.parent_id"
            " WHERE p.deleted_at IS NULL AND u.depth < 32),"
            " mine AS (SELECT DISTINCT ON (id) id, role, joined_at, depth FROM up"
            " ORDER BY id, depth, role) ",
    .from = "(SELECT g.*, m.role, m.joined_at, m.depth FROM mine m"
            " JOIN groups g ON g.id = m.id) s",
    .idcol = "s.id",
    .cols = FL__GROUPS_COLUMNS
    ", s.role, " FL__GROUPS_TS("s.joined_at") " AS joined_at, (s.depth > 0)::text AS inherited",
    .sorts = of_user_sorts,
    .n_sorts = 4,
    .sorts_msg = "must be one of name, type, role, joined_at",
    .filters = member_filters,
    .n_filters = 2,
    .filter = member_filter,
};

/* ------------------------------------------------------------- parameters */

/* One parameter; returns why it is refused, or NULL. */
static const char *param(pq_t *q, const char *name, const char *v)
{
    const spec_t *s = q->spec;

    if (strcmp(name, "page") == 0)
        return parse_long(v, 1, PAGE_MAX, &q->out->page) ? NULL
                                                         : "must be an integer from 1 to 1000000";
    if (strcmp(name, "per_page") == 0)
        return parse_long(v, 1, 100, &q->out->per_page) ? NULL : "must be an integer from 1 to 100";
    if (strcmp(name, "sort") == 0) {
        int i = index_of(v, s->sorts, s->n_sorts);
        q->sort = i >= 0 ? s->sorts[i] : q->sort;
        return i >= 0 ? NULL : s->sorts_msg;
    }
    if (strcmp(name, "order") == 0) {
        q->desc = strcmp(v, "desc") == 0;
        return q->desc || strcmp(v, "asc") == 0 ? NULL : "must be asc or desc";
    }
    return s->filter(q, name, v);
}

static const char *const paging[] = {"page", "per_page", "sort", "order"};
#define N_PAGING  (sizeof(paging) / sizeof(paging[0]))
#define N_FILTERS 8 /* at most, per spec */

/* The query's names (paging's, then the spec's filters) and fl_params_t's check over them. */
typedef struct names {
    const char *all[N_PAGING + N_FILTERS];
    pq_t *q;
} names_t;

static const char *check_param(void *arg, size_t k, const char *v)
{
    names_t *nm = arg;
    return param(nm->q, nm->all[k], v);
}

static void check_params(pq_t *q, const fl_http_param_t *query, size_t n)
{
    const spec_t *s = q->spec;
    names_t nm = {.q = q};

    fl_assert(s->n_filters <= N_FILTERS);
    memcpy(nm.all, paging, sizeof(paging));
    memcpy(nm.all + N_PAGING, s->filters, s->n_filters * sizeof(*s->filters));
    fl_params_check(
        &(fl_params_t){
            .known = nm.all, .n_known = N_PAGING + s->n_filters, .check = check_param, .arg = &nm},
        query, n, q->a, q->d);
}

/* ---------------------------------------------------------------- builder */

static void add_where(fl__groups_sqlb_t *b, const pq_t *q)
{
    size_t n = 0;

    if (q->spec->base != NULL)
        fl__groups_add(b, " WHERE %s", q->spec->base), n++;
    for (size_t i = 0; i < q->n_where; i++, n++)
        fl__groups_add(b, "%s%s", n == 0 ? " WHERE " : " AND ", q->where[i]);
}

static void build(const pq_t *q, fl__groups_sqlb_t *b)
{
    const char *dir = q->desc ? "DESC" : "ASC";
    const spec_t *s = q->spec;

    fl__groups_add(b, "%sSELECT t._total, p.* FROM (SELECT count(*) AS _total FROM %s", s->with,
                   s->from);
    add_where(b, q);
    if (s->table == NULL) {
        fl__groups_add(b, ") t LEFT JOIN LATERAL (SELECT %s AS _id, s.%s AS _k, %s FROM %s",
                       s->idcol, q->sort, s->cols, s->from);
        add_where(b, q);
        fl__groups_add(b, " ORDER BY s.%s %s NULLS LAST, %s %s LIMIT $%d OFFSET $%d) p ON true",
                       q->sort, dir, s->idcol, dir, q->out->nparams + 1, q->out->nparams + 2);
    } else {
        /* The page's ids first, then the columns of those rows only (issue 5, as 4d91ef0). */
        fl__groups_add(b,
                       ") t LEFT JOIN LATERAL (SELECT k._id, k._k, %s FROM (SELECT %s AS _id,"
                       " s.%s AS _k FROM %s",
                       s->cols, s->idcol, q->sort, s->from);
        add_where(b, q);
        fl__groups_add(b, " ORDER BY s.%s %s NULLS LAST, %s %s LIMIT $%d OFFSET $%d) k", q->sort,
                       dir, s->idcol, dir, q->out->nparams + 1, q->out->nparams + 2);
        fl__groups_add(b, " JOIN %s ON %s = k._id) p ON true", s->table, s->idcol);
    }
    fl__groups_add(b, " ORDER BY p._k %s NULLS LAST, p._id %s", dir, dir);
}

/* id: the $1 of the spec's CTEs, or NULL (the list). */
static int paged_query(const spec_t *spec, const char *id, const fl_http_param_t *query, size_t n,
                       fl_arena_t *a, fl_groups_query_t *out, fl_decision_t *d)
{
    pq_t q = {.a = a, .d = d, .out = out, .spec = spec, .sort = spec->sorts[0]};
    fl__groups_sqlb_t *b;

    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = 25;
    if (id != NULL)
        out->params[out->nparams++] = id;
    check_params(&q, query, n);
    if (fl_decision_failed(d))
        return FL_EINVAL;
    if ((b = fl_arena_alloc(a, sizeof(*b))) == NULL)
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

int fl_groups_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a,
                         fl_groups_query_t *out, fl_decision_t *d)
{
    return paged_query(&list_spec, NULL, query, n, a, out, d);
}

/* A path id that is not a uuid names no group or user: 404, as an unknown one. */
static int bad_id(fl_decision_t *d, const char *what)
{
    return fl_decision_refuse(d, 404, what, NULL, NULL);
}

int fl_groups_members_query(const char *group_id, const fl_http_param_t *query, size_t n,
                            fl_arena_t *a, fl_groups_query_t *out, fl_decision_t *d)
{
    if (!fl_uuid_is_valid(group_id))
        return bad_id(d, "group not found");
    return paged_query(&members_spec, group_id, query, n, a, out, d);
}

int fl_groups_of_user_query(const char *user_id, const fl_http_param_t *query, size_t n,
                            fl_arena_t *a, fl_groups_query_t *out, fl_decision_t *d)
{
    if (!fl_uuid_is_valid(user_id))
        return bad_id(d, "user not found");
    return paged_query(&of_user_spec, user_id, query, n, a, out, d);
}

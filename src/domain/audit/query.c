/*
 * GET /audit-logs and GET /audit-logs/{entityType}/{id}: query parameters ->
 * one SQL statement and its parameters. Every value is a parameter; the SQL
 * text is made only of the words below.
 *
 * As the users list does, the statement counts the matches (meta.total) and
 * joins the page to the count, so a page past the end still returns the
 * total (one row whose _pos is NULL). Entries are in log order (position),
 * newest first unless order=asc; since time never decreases along the log,
 * that is also time order. The actor's email and name come from the users
 * read model (NULL for actors that are not users).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/buf.h"
#include "firelater/err.h"
#include "internal.h"

#define PAGE_LIMIT 1000000L
#define MAX_WHERE  10
#define ACTION_MAX FL_LOG_TYPE_MAX
#define TIME_SQL   "to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* The entry's members in order, with the SQL that produces each. */
static const char *const select_list =
    "a.position AS _pos, a.position::text AS position, a.hash, " TIME_SQL " AS created_at,"
    " a.actor, a.user_id::text AS user_id, u.email AS user_email, u.name AS user_name,"
    " a.action, a.event_type, a.entity_type, a.entity_id, a.stream,"
    " a.stream_version::text AS stream_version, a.changes::text AS changes,"
    " a.data::text AS data, a.request_id, host(a.ip_address) AS ip_address, a.user_agent";

typedef struct aq {
    fl_arena_t *a;
    fl_decision_t *d;
    fl_audit_list_t *out;
    bool desc;
    bool entity_route; /* entity_type and entity_id come from the path */
    const char *where[MAX_WHERE];
    size_t n_where;
    fl_time_t from, to;
    bool has_from, has_to;
} aq_t;

/* Adds the term "<lhs> $N<cast>" with value as parameter N. */
static void where(aq_t *q, const char *lhs, const char *cast, const char *value)
{
    char buf[128];
    int n;

    fl_assert(q->n_where < MAX_WHERE && q->out->nparams < FL_AUDIT_LIST_MAX_PARAMS - 2);
    q->out->params[q->out->nparams++] = value;
    n = snprintf(buf, sizeof(buf), "%s $%d%s", lhs, q->out->nparams, cast);
    fl_assert(n > 0 && (size_t)n < sizeof(buf));
    q->where[q->n_where++] = fl_arena_strndup(q->a, buf, (size_t)n);
}

/* [a-z][a-z0-9_]* of at most max bytes, with '.' allowed inside when dots. */
static bool is_name(const char *s, size_t max, bool dots)
{
    size_t n = strlen(s);

    if (n == 0 || n > max || s[0] < 'a' || s[0] > 'z' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (dots && c == '.')))
            return false;
    }
    return true;
}

/* An entity id or a request id: 1..max bytes, no control characters. */
static bool is_id(const char *s, size_t max)
{
    size_t n = strlen(s);

    return n > 0 && n <= max && !fl_text_has_control(s, n, false);
}

/* A uuid-shaped id lowercased (ids are stored lowercased), others as given. */
static const char *canonical_id(fl_arena_t *a, const char *s)
{
    char *out;

    if (!fl_uuid_is_valid(s))
        return s;
    out = fl_arena_strndup(a, s, FL_UUID_LEN);
    for (char *p = out; p != NULL && *p != '\0'; p++) {
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    }
    return out;
}

static const char *time_param(aq_t *q, const char *v, bool is_from)
{
    fl_time_t t;
    char buf[40];

    if (fl_time_parse(v, &t) != 0)
        return "must be an RFC 3339 time";
    *(is_from ? &q->from : &q->to) = t;
    *(is_from ? &q->has_from : &q->has_to) = true;
    fl_time_format(t, buf, sizeof(buf));
    where(q, is_from ? "a.created_at >=" : "a.created_at <=", "::timestamptz",
          fl_arena_strndup(q->a, buf, strlen(buf)));
    return NULL;
}

static bool parse_long(const char *s, long max, long *out)
{
    char *end;
    long v;

    if (*s < '0' || *s > '9' || strlen(s) > 9)
        return false;
    v = strtol(s, &end, 10);
    if (*end != '\0' || v < 1 || v > max)
        return false;
    *out = v;
    return true;
}

/* One filter; returns why its value is refused, or NULL. */
static const char *filter(aq_t *q, const char *name, const char *v)
{
    if (strcmp(name, "user") == 0) {
        if (!fl_uuid_is_valid(v))
            return "must be a user id";
        where(q, "a.user_id =", "::uuid", v);
    } else if (strcmp(name, "entity_type") == 0) {
        if (!is_name(v, FL_AUDIT_TYPE_MAX, false))
            return "must be an entity type such as user, group or api_key";
        where(q, "a.entity_type =", "", v);
    } else if (strcmp(name, "entity_id") == 0) {
        if (!is_id(v, FL_LOG_STREAM_MAX))
            return "must be an id of 1 to 400 bytes without control characters";
        where(q, "a.entity_id =", "", canonical_id(q->a, v));
    } else if (strcmp(name, "action") == 0) {
        if (!is_name(v, ACTION_MAX, true))
            return "must be a verb such as updated, or an event type such as user.updated";
        where(q, strchr(v, '.') != NULL ? "a.event_type =" : "a.action =", "", v);
    } else if (strcmp(name, "request_id") == 0 || strcmp(name, "actor") == 0) {
        if (!is_id(v, FL_LOG_META_MAX))
            return "must be 1 to 1024 bytes without control characters";
        where(q, name[0] == 'a' ? "a.actor =" : "a.request_id =", "", v);
    } else {
        return time_param(q, v, strcmp(name, "from") == 0);
    }
    return NULL;
}

/* One parameter; returns why it is refused, or NULL. */
static const char *param(aq_t *q, const char *name, const char *v)
{
    if (strcmp(name, "page") == 0)
        return parse_long(v, PAGE_LIMIT, &q->out->page) ? NULL
                                                        : "must be an integer from 1 to 1000000";
    if (strcmp(name, "per_page") == 0)
        return parse_long(v, FL_AUDIT_PER_PAGE_MAX, &q->out->per_page)
                   ? NULL
                   : "must be an integer from 1 to 100";
    if (strcmp(name, "order") == 0) {
        q->desc = strcmp(v, "desc") == 0;
        return q->desc || strcmp(v, "asc") == 0 ? NULL : "must be asc or desc";
    }
    return filter(q, name, v);
}

/* The parameters; the entity route knows all but the last two (its path gives them). */
static const char *const known[] = {"page",   "per_page",  "order",      "user",
                                    "action", "from",      "to",         "request_id",
                                    "actor",  "entity_id", "entity_type"};
#define N_KNOWN     (sizeof(known) / sizeof(known[0]))
#define N_PATH_ONLY 2

/* fl_params_t's check and unknown. */
static const char *check_param(void *arg, size_t k, const char *v)
{
    return param(arg, known[k], v);
}

static const char *unknown_param(void *arg, const char *name)
{
    const aq_t *q = arg;
    return q->entity_route && strncmp(name, "entity_", 7) == 0 ? "is given by the path" : NULL;
}

static void check_params(aq_t *q, const fl_http_param_t *query, size_t n)
{
    fl_params_t spec = {.known = known,
                        .n_known = q->entity_route ? N_KNOWN - N_PATH_ONLY : N_KNOWN,
                        .check = check_param,
                        .unknown = unknown_param,
                        .arg = q};

    fl_params_check(&spec, query, n, q->a, q->d);
    if (q->has_from && q->has_to && q->to < q->from)
        fl_decision_field(q->d, "to", "must not be before from");
}

/* The path's entity: entityType and id, named as the path names them. */
static void check_path(aq_t *q, const char *type, const char *id)
{
    bool ok = true;

    if (!is_name(type, FL_AUDIT_TYPE_MAX, false)) {
        fl_decision_field(q->d, "entityType",
                          "must be an entity type in the singular, as in event types"
                          " (user, group, role, api_key, session, ...)");
        ok = false;
    }
    if (!is_id(id, FL_LOG_STREAM_MAX)) {
        fl_decision_field(q->d, "id", "must be an id of 1 to 400 bytes without control characters");
        ok = false;
    }
    if (ok) {
        where(q, "a.entity_type =", "", type);
        where(q, "a.entity_id =", "", canonical_id(q->a, id));
    }
}

static void append(fl_buf_t *b, const char *s)
{
    fl_buf_append(b, s, strlen(s));
}

/* " WHERE t1 AND t2 ..." (or nothing) into b. */
static void append_where(fl_buf_t *b, const aq_t *q)
{
    for (size_t i = 0; i < q->n_where; i++) {
        append(b, i == 0 ? " WHERE " : " AND ");
        append(b, q->where[i]);
    }
}

/* The statement, in the arena; the page's LIMIT and OFFSET are the last two parameters. */
static const char *build(aq_t *q)
{
    const char *dir = q->desc ? " DESC" : " ASC";
    char limits[96];
    fl_buf_t b = FL_BUF_INIT;
    const char *sql;

    append(&b, "SELECT t._total, p.* FROM (SELECT count(*) AS _total FROM audit_logs a");
    append_where(&b, q);
    append(&b, ") t LEFT JOIN LATERAL (SELECT ");
    append(&b, select_list);
    append(&b, " FROM audit_logs a LEFT JOIN users u ON u.id = a.user_id");
    append_where(&b, q);
    append(&b, " ORDER BY a.position");
    append(&b, dir);
    snprintf(limits, sizeof(limits), " LIMIT $%d OFFSET $%d) p ON true ORDER BY p._pos",
             q->out->nparams + 1, q->out->nparams + 2);
    append(&b, limits);
    append(&b, dir);
    sql = fl_arena_strndup(q->a, (const char *)b.data, b.len);
    fl_buf_free(&b);
    return sql;
}

static const char *long_param(fl_arena_t *a, long v)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%ld", v);

    return fl_arena_strndup(a, buf, (size_t)n);
}

int fl_audit_list_query(const fl_http_param_t *query, size_t n, const char *entity_type,
                        const char *entity_id, fl_arena_t *a, fl_audit_list_t *out,
                        fl_decision_t *d)
{
    aq_t q = {.a = a, .d = d, .out = out, .desc = true};

    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = FL_AUDIT_PER_PAGE_DEFAULT;
    q.entity_route = entity_type != NULL || entity_id != NULL;
    if (q.entity_route)
        check_path(&q, entity_type != NULL ? entity_type : "", entity_id != NULL ? entity_id : "");
    check_params(&q, query, n);
    if (fl_decision_failed(d))
        return FL_EINVAL;
    for (size_t i = 0; i < q.n_where; i++) {
        if (q.where[i] == NULL)
            return FL_ETOOBIG;
    }
    out->sql = build(&q);
    out->params[out->nparams++] = long_param(a, out->per_page);
    out->params[out->nparams++] = long_param(a, (out->page - 1) * out->per_page);
    for (int i = 0; i < out->nparams; i++) {
        if (out->params[i] == NULL)
            return FL_ETOOBIG;
    }
    return out->sql == NULL ? FL_ETOOBIG : 0;
}

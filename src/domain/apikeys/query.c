/*
 * GET /api-keys and GET /api-keys/{id} on the read model. Every value is a
 * parameter; the only words that reach the SQL text come from the whitelists
 * below. The list counts the matches (meta.total) and joins the page to the
 * count, so a page past the end still returns the total (one row whose id is
 * NULL). The hash is never selected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/apikeys.h"
#include "firelater/err.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* Not formatted: clang-format cuts the strings around TS() into pieces. */
/* clang-format off */
#define COLUMNS \
    "k.id::text AS id, k.name, k.prefix, array_to_json(k.scopes)::text AS scopes, " \
    TS("k.expires_at") " AS expires_at, k.created_by::text AS created_by, " \
    TS("k.created_at") " AS created_at, " TS("k.last_used_at") " AS last_used_at, " \
    TS("k.revoked_at") " AS revoked_at, k.version::text AS version"
/* clang-format on */

static const char *const sorts[] = {"created_at", "name", "last_used_at", "expires_at"};
static const char *const known[] = {"page", "per_page", "sort", "order", "revoked"};
#define N_SORTS (sizeof(sorts) / sizeof(sorts[0]))
#define N_KNOWN (sizeof(known) / sizeof(known[0]))

typedef struct listq {
    fl_apikeys_query_t *out;
    const char *sort;
    bool desc;
    const char *where;
} listq_t;

static int index_of(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, list[i]) == 0)
            return (int)i;
    }
    return -1;
}

static bool parse_long(const char *s, long max, long *out)
{
    char *end;
    if (*s < '0' || *s > '9' || strlen(s) > 9)
        return false;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < 1 || v > max)
        return false;
    *out = v;
    return true;
}

/* One parameter (fl_params_t's check); returns why it is refused, or NULL. */
static const char *param(void *arg, size_t k, const char *v)
{
    listq_t *q = arg;
    int i;
    switch (k) {
    case 0:
        return parse_long(v, 1000000, &q->out->page) ? NULL
                                                     : "must be an integer from 1 to 1000000";
    case 1:
        return parse_long(v, 100, &q->out->per_page) ? NULL : "must be an integer from 1 to 100";
    case 2:
        if ((i = index_of(v, sorts, N_SORTS)) < 0)
            return "must be one of created_at, name, last_used_at, expires_at";
        q->sort = sorts[i];
        return NULL;
    case 3:
        q->desc = strcmp(v, "desc") == 0;
        return q->desc || strcmp(v, "asc") == 0 ? NULL : "must be asc or desc";
    default:
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return "must be true or false";
        q->where = strcmp(v, "true") == 0 ? " WHERE k.revoked_at IS NOT NULL"
                                          : " WHERE k.revoked_at IS NULL";
        return NULL;
    }
}

static char *long_text(fl_arena_t *a, long v)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%ld", v);
    return fl_arena_strndup(a, buf, strlen(buf));
}

int fl_apikeys_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a,
                          fl_apikeys_query_t *out, fl_decision_t *d)
{
    listq_t q = {.out = out, .sort = "created_at", .where = ""};
    char sql[2048];
    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = 25;
    fl_params_check(&(fl_params_t){.known = known, .n_known = N_KNOWN, .check = param, .arg = &q},
                    query, n, a, d);
    if (fl_decision_failed(d))
        return FL_EINVAL;
    const char *dir = q.desc ? "DESC" : "ASC";
    snprintf(sql, sizeof(sql),
             "SELECT t._total, p.* FROM (SELECT count(*) AS _total FROM api_keys k%s) t"
             " LEFT JOIN LATERAL (SELECT k.%s AS _k, " COLUMNS " FROM api_keys k%s"
             " ORDER BY k.%s %s NULLS LAST, k.id %s LIMIT $1 OFFSET $2) p ON true"
             " ORDER BY p._k %s NULLS LAST, p.id %s",
             q.where, q.sort, q.where, q.sort, dir, dir, dir, dir);
    out->params[out->nparams++] = long_text(a, out->per_page);
    out->params[out->nparams++] = long_text(a, (out->page - 1) * out->per_page);
    out->sql = fl_arena_strndup(a, sql, strlen(sql));
    return out->sql == NULL || out->params[0] == NULL || out->params[1] == NULL ? FL_ETOOBIG : 0;
}

int fl_apikeys_get_query(const char *id, fl_arena_t *a, fl_apikeys_query_t *out)
{
    (void)a;
    memset(out, 0, sizeof(*out));
    if (!fl_uuid_is_valid(id))
        return FL_EINVAL;
    out->sql = "SELECT " COLUMNS " FROM api_keys k WHERE k.id = $1";
    out->params[out->nparams++] = id;
    return 0;
}

/*
 * The read queries: a delegator's delegations and the delegations handed
 * to a delegate. Query parameters -> one SQL statement; every value is a
 * parameter, and the only words that reach the SQL text come from the
 * tables below. Each row's JSON is built by PostgreSQL (column j) with the
 * members fl_delegation_to_json gives, and only for the page's rows: the
 * page's ids are picked first over plain columns (ORDER BY, LIMIT, OFFSET),
 * then joined back. The count is joined to the page, so a page past the end
 * still returns the total (one row whose j is NULL).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/delegations.h"
#include "firelater/err.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/* $2 is now: the status follows from the times. */
#define STATUS                                                                                     \
    "CASE WHEN d.revoked_at IS NOT NULL THEN 'revoked' WHEN $2::timestamptz >= d.ends_at THEN"     \
    " 'ended' WHEN $2::timestamptz < d.starts_at THEN 'scheduled' ELSE 'active' END"

/* Not formatted: clang-format cuts the strings around TS() into pieces. */
/* clang-format off */
#define DELEG_JSON \
    "json_build_object('id', d.id, 'delegator_id', d.delegator_id, 'delegate_id', d.delegate_id," \
    " 'starts_at', " TS("d.starts_at") ", 'ends_at', " TS("d.ends_at") ", 'reason', d.reason," \
    " 'status', " STATUS ", 'created_by', d.created_by, 'created_at', " TS("d.created_at") \
    ", 'revoked_at', " TS("d.revoked_at") ", 'revoked_by', d.revoked_by," \
    " 'version', d.version)::text AS j"
/* clang-format on */

typedef struct status_term {
    const char *name;
    const char *term;
} status_term_t;

static const status_term_t statuses[] = {
    {"scheduled", " AND d.revoked_at IS NULL AND $2::timestamptz < d.starts_at"},
    {"active", " AND d.revoked_at IS NULL AND d.starts_at <= $2::timestamptz"
               " AND $2::timestamptz < d.ends_at"},
    {"ended", " AND d.revoked_at IS NULL AND d.ends_at <= $2::timestamptz"},
    {"revoked", " AND d.revoked_at IS NOT NULL"},
};
#define N_STATUSES (sizeof(statuses) / sizeof(statuses[0]))

static const char *const known[] = {"page", "per_page", "status", "delegate_id"};
#define N_KNOWN (sizeof(known) / sizeof(known[0]))

typedef struct listq {
    fl_delegations_query_t *out;
    const char *status; /* a WHERE term, "" for any */
    size_t n_known;     /* delegate_id is known only to the delegate's list */
} listq_t;

/* One parameter (fl_params_t's check); returns why it is refused, or NULL. */
static const char *param(void *arg, size_t k, const char *v)
{
    listq_t *q = arg;

    switch (k) {
    case 0:
        return fl_param_count(v, 1000000, &q->out->page);
    case 1:
        return fl_param_count(v, 100, &q->out->per_page);
    case 2:
        for (size_t i = 0; i < N_STATUSES; i++) {
            if (strcmp(v, statuses[i].name) == 0) {
                q->status = statuses[i].term;
                return NULL;
            }
        }
        return "must be one of scheduled, active, ended, revoked";
    default:
        return NULL; /* delegate_id: resolved by the caller */
    }
}

static char *text_of(fl_arena_t *a, long long v)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%lld", v);
    return fl_arena_strndup(a, buf, strlen(buf));
}

int fl_delegations_list_query(const char *column, const char *user_id, fl_time_t now,
                              const fl_http_param_t *query, size_t n, fl_arena_t *a,
                              fl_delegations_query_t *out, fl_decision_t *d)
{
    bool by_delegate = strcmp(column, "delegate_id") == 0;
    listq_t q = {.out = out, .status = "", .n_known = by_delegate ? N_KNOWN : N_KNOWN - 1};
    char sql[4096], ts[40];
    const char *col = by_delegate ? "d.delegate_id" : "d.delegator_id";

    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = 25;
    fl_params_check(&(fl_params_t){.known = known, .n_known = q.n_known, .check = param, .arg = &q},
                    query, n, a, d);
    if (fl_decision_failed(d))
        return FL_EINVAL;
    if (!fl_uuid_is_valid(user_id))
        return fl_decision_refuse(d, 422, "validation failed", column, "must be a uuid");
    snprintf(sql, sizeof(sql),
             "SELECT t._total, p.j FROM (SELECT count(*) AS _total FROM delegations d"
             " WHERE %s = $1::uuid%s) t LEFT JOIN LATERAL (SELECT " DELEG_JSON
             ", d.starts_at AS _k, d.id AS _id FROM (SELECT d.id FROM delegations d"
             " WHERE %s = $1::uuid%s ORDER BY d.starts_at DESC, d.id DESC LIMIT $3 OFFSET $4) pg"
             " JOIN delegations d ON d.id = pg.id) p ON true ORDER BY p._k DESC, p._id DESC",
             col, q.status, col, q.status);
    fl_time_format(now, ts, sizeof(ts));
    out->params[0] = user_id;
    out->params[1] = fl_arena_strndup(a, ts, strlen(ts));
    out->params[2] = text_of(a, out->per_page);
    out->params[3] = text_of(a, (long long)(out->page - 1) * out->per_page);
    out->nparams = 4;
    out->sql = fl_arena_strndup(a, sql, strlen(sql));
    return out->sql == NULL || out->params[1] == NULL || out->params[3] == NULL ? FL_ETOOBIG : 0;
}

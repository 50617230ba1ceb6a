/*
 * Search: PostgreSQL full-text search over the tenant's read model, across
 * every entity type that exists (GET /api/v1/search) and over issues alone
 * (GET /api/v1/search/issues). Query parameters -> one SQL statement; the
 * only words that reach the SQL text are this module's, every value is a
 * parameter. The caller says which entity types the principal may read and
 * whether its issue reads are limited to the issues it reported (a requester),
 * in which case internal comments are never searched either.
 */
#ifndef FIRELATER_SEARCH_H
#define FIRELATER_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "firelater/arena.h"
#include "firelater/domain.h"
#include "firelater/http.h"
#include "firelater/store.h"

#define FL_SEARCH_Q_MAX      200 /* characters of q */
#define FL_SEARCH_MAX_PARAMS 8

/* The entity types search knows, as bits of fl_search_scope_t.readable. */
typedef enum fl_search_type {
    FL_SEARCH_USERS = 1u << 0,
    FL_SEARCH_GROUPS = 1u << 1,
    FL_SEARCH_APPLICATIONS = 1u << 2,
    FL_SEARCH_ISSUES = 1u << 3,
} fl_search_type_t;

typedef struct fl_search_scope {
    unsigned readable;        /* fl_search_type_t bits the principal may read */
    const char *own_reporter; /* issues: only those this user reported, no internal notes */
} fl_search_scope_t;

typedef struct fl_search_query {
    const char *sql;
    const char *params[FL_SEARCH_MAX_PARAMS];
    int nparams;
    unsigned types; /* the types searched */
    const char *q;
    long page, per_page; /* /search/issues: the page; /search: page 1, per_page = limit */
} fl_search_query_t;

/*
 * GET /search: q (required), types (a comma-separated subset of users,
 * groups, applications, issues; default every readable type; naming one the
 * principal may not read is 403-worthy and reported as FL_EFORBIDDEN), limit
 * (1..100, default 20). Every row carries type, id, number, title, detail and
 * rank; out->sql is NULL when none of the types has anything to search
 * (answer an empty page without a query). Unknown or repeated parameters and bad values are
 * FL_EINVAL with d naming them (422).
 */
int fl_search_all_query(const fl_http_param_t *query, size_t n, const fl_search_scope_t *scope,
                        fl_arena_t *a, fl_search_query_t *out, fl_decision_t *d);

/*
 * GET /search/issues: q (required), page, per_page (1..100, default 20), status (one of the
 * issue statuses, or open), priority. Rows: the issue's id, issue_number, title, status,
 * priority, application, assignees, created_at, rank and a headline of the matched text.
 * FL_EFORBIDDEN when the principal reads no issues; FL_EINVAL with d naming each bad parameter.
 */
int fl_search_issues_query(const fl_http_param_t *query, size_t n, const fl_search_scope_t *scope,
                           fl_arena_t *a, fl_search_query_t *out, fl_decision_t *d);

/* {data: [...], meta: {q, types, page, per_page, total}} from the rows (r NULL: none); new. */
json_t *fl_search_to_json(const fl_store_res_t *r, const fl_search_query_t *q);

#endif

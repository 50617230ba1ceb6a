/*
 * Building the read queries' SQL text. Only the modules' own words reach it
 * (values are always parameters), so running out of room is a bug of ours,
 * not of the input: fl_assert.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "firelater/domain.h"
#include "firelater/err.h"

void fl_sql_put(char *buf, size_t *len, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    fl_assert(n >= 0 && *len + (size_t)n < cap);
    *len += (size_t)n;
}

void fl_sql_and(char *buf, size_t *len, size_t cap, const char *term, int param)
{
    fl_sql_put(buf, len, cap, " AND ");
    for (const char *t = term, *q; *t != '\0'; t = q + 2) {
        if ((q = strstr(t, "$?")) == NULL) {
            fl_sql_put(buf, len, cap, "%s", t);
            break;
        }
        fl_sql_put(buf, len, cap, "%.*s$%d", (int)(q - t), t, param);
    }
}

int fl_sql_page_params(fl_arena_t *a, long page, long per_page, const char **params, int *nparams)
{
    char *lim = fl_arena_alloc(a, 48);

    if (lim == NULL)
        return FL_ETOOBIG;
    snprintf(lim, 24, "%ld", per_page);
    snprintf(lim + 24, 24, "%ld", (page - 1) * per_page);
    params[(*nparams)++] = lim;
    params[(*nparams)++] = lim + 24;
    return 0;
}

/*
 * The page's ids first (ORDER BY, LIMIT, OFFSET over plain columns), then
 * the JSON of those rows only: a projection beside the LIMIT would be built
 * for every row the OFFSET skips (issue 5, 4d91ef0). The count is joined to
 * the page, so a page past the end is one row with the total and j null;
 * the outer ORDER BY keeps the page's order whatever plan joins it.
 */
void fl_sql_page(char *buf, size_t *len, size_t cap, const fl_sql_page_t *p)
{
    const char *dir = p->desc ? "DESC" : "ASC", *nulls = p->nulls_last ? " NULLS LAST" : "";

    fl_sql_put(
        buf, len, cap, "SELECT t._total, p.j FROM (SELECT %s AS _total FROM %s WHERE %s%s) t",
        p->count != NULL ? p->count : "count(*)", p->count_from != NULL ? p->count_from : p->from,
        p->count_base != NULL ? p->count_base : p->base, p->where);
    fl_sql_put(buf, len, cap,
               " LEFT JOIN LATERAL (SELECT %s, k._k, k._id FROM (SELECT a.id AS _id, %s AS _k"
               " FROM %s WHERE %s%s",
               p->json, p->sort, p->from, p->base, p->where);
    fl_sql_put(buf, len, cap, " ORDER BY %s %s%s, a.id %s LIMIT $%d OFFSET $%d) k", p->sort, dir,
               nulls, dir, p->limit, p->limit + 1);
    fl_sql_put(buf, len, cap, " JOIN %s ON a.id = k._id) p ON true ORDER BY p._k %s%s, p._id %s",
               p->from, dir, nulls, dir);
}

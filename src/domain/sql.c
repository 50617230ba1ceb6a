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

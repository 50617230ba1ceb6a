/*
 * Schema names. A tenant's schema is "tenant_<slug>"; the slug is checked
 * here so that the name fits PostgreSQL's 63-byte identifiers (a longer one
 * would be truncated silently, and two tenants could share a schema). Names
 * are quoted even though the accepted alphabet needs no quoting: the quoting
 * is what makes an identifier safe, not the check.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static bool is_lower_digit_us(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
}

static bool ident_ok(const char *s, size_t min, size_t max, bool lead_us)
{
    size_t n;

    if (s == NULL || !((s[0] >= 'a' && s[0] <= 'z') || (lead_us && s[0] == '_')))
        return false;
    for (n = 1; s[n] != '\0'; n++) {
        if (n >= max || !is_lower_digit_us(s[n]))
            return false;
    }
    return n >= min;
}

bool fl_store_slug_is_valid(const char *slug)
{
    return ident_ok(slug, 2, FL_STORE_SLUG_MAX, false);
}

bool fl_store_schema_is_valid(const char *name)
{
    return ident_ok(name, 1, FL_STORE_SCHEMA_MAX, true);
}

int fl_store_schema_name(char *buf, size_t len, const char *slug)
{
    int n;

    if (!fl_store_slug_is_valid(slug))
        return FL_EINVAL;
    n = snprintf(buf, len, "tenant_%s", slug);
    if (n < 0 || (size_t)n >= len)
        return FL_ETOOBIG;
    return 0;
}

int fl__store_quote_ident(char *buf, size_t len, const char *name)
{
    size_t o = 0;

    if (len < 3)
        return FL_ETOOBIG;
    buf[o++] = '"';
    for (const char *p = name; *p != '\0'; p++) {
        if (o + (*p == '"' ? 2 : 1) + 2 > len)
            return FL_ETOOBIG;
        if (*p == '"')
            buf[o++] = '"';
        buf[o++] = *p;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return 0;
}

int fl__store_set_path_sql(char *buf, size_t len, const char *schema, bool local)
{
    char q[2 * FL_STORE_SCHEMA_MAX + 3];
    int rc, n;

    if (schema == NULL || schema[0] == '\0')
        schema = "public";
    rc = fl__store_quote_ident(q, sizeof(q), schema);
    if (rc < 0)
        return rc;
    n = snprintf(buf, len, "SET %ssearch_path TO %s", local ? "LOCAL " : "", q);
    if (n < 0 || (size_t)n >= len)
        return FL_ETOOBIG;
    return 0;
}

/*
 * The list query builder: each parameter, bad values, injection attempts.
 */
#include <string.h>

#include "firelater/err.h"
#include "users_test.h"

static fl_arena_t arena;
static fl_decision_t d;
static fl_users_list_t q;

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
}

static void teardown(void)
{
    fl_arena_free(&arena);
}

/* Builds from "k=v&k=v" (no decoding: values are taken as they are). */
static int build(const char *query)
{
    fl_http_param_t params[16];
    size_t n = 0;
    char *copy = fl_arena_strndup(&arena, query, strlen(query)), *save = NULL;

    fl_decision_init(&d);
    for (char *kv = strtok_r(copy, "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        ck_assert_ptr_nonnull(eq);
        *eq = '\0';
        params[n++] = (fl_http_param_t){kv, eq + 1};
    }
    return fl_users_list_query(params, n, &arena, &q, &d);
}

static void bad(const char *query, const char *field)
{
    ck_assert_msg(build(query) == FL_EINVAL, "accepted %s", query);
    ck_assert_int_eq(d.status, 422);
    ck_assert_msg(tu_has_error(&d, field), "%s: no error on %s", query, field);
}

static bool sql_has(const char *s)
{
    return strstr(q.sql, s) != NULL;
}

START_TEST(defaults)
{
    ck_assert_int_eq(fl_users_list_query(NULL, 0, &arena, &q, &d), 0);
    ck_assert_int_eq(q.page, 1);
    ck_assert_int_eq(q.per_page, 25);
    ck_assert_int_eq(q.nparams, 2);
    ck_assert_str_eq(q.params[0], "25");
    ck_assert_str_eq(q.params[1], "0");
    ck_assert(sql_has("ORDER BY u.created_at ASC NULLS LAST, u.id ASC LIMIT $1 OFFSET $2"));
    ck_assert(sql_has("count(*) AS _total"));
    ck_assert(sql_has("AS roles"));
    ck_assert(sql_has("AS email"));
    ck_assert(!sql_has("password_hash"));
    ck_assert(!sql_has("WHERE u."));
}
END_TEST

START_TEST(paging_and_sorting)
{
    ck_assert_int_eq(build("page=3&per_page=10&sort=last_login_at&order=desc"), 0);
    ck_assert_int_eq(q.page, 3);
    ck_assert_int_eq(q.per_page, 10);
    ck_assert_str_eq(q.params[0], "10");
    ck_assert_str_eq(q.params[1], "20");
    ck_assert(sql_has("ORDER BY u.last_login_at DESC NULLS LAST, u.id DESC"));
    ck_assert(sql_has("ORDER BY p._k DESC NULLS LAST, p._id DESC"));
    ck_assert_int_eq(build("per_page=100&page=1000000"), 0);
    ck_assert_str_eq(q.params[1], "99999900");
    const char *sorts[] = {"created_at", "updated_at", "name", "email", "status"};
    for (size_t i = 0; i < 5; i++) {
        char s[64], want[64];
        snprintf(s, sizeof(s), "sort=%s", sorts[i]);
        snprintf(want, sizeof(want), "ORDER BY u.%s ASC", sorts[i]);
        ck_assert_int_eq(build(s), 0);
        ck_assert(sql_has(want));
    }
}
END_TEST

START_TEST(filters)
{
    ck_assert_int_eq(build("status=inactive&role=agent&email=A@B.co&q=50%_off\\"), 0);
    ck_assert_int_eq(q.nparams, 6);
    ck_assert_str_eq(q.params[0], "inactive");
    ck_assert_str_eq(q.params[1], "agent");
    ck_assert_str_eq(q.params[2], "A@B.co");
    ck_assert_str_eq(q.params[3], "%50\\%\\_off\\\\%");
    ck_assert_str_eq(q.params[4], "25");
    ck_assert(sql_has("WHERE u.status = $1 AND EXISTS ("));
    ck_assert(sql_has("r.name = $2)"));
    ck_assert(sql_has("lower(u.email) = lower($3)"));
    ck_assert(sql_has("(u.name ILIKE $4 OR u.email ILIKE $4)"));
    ck_assert(sql_has("LIMIT $5 OFFSET $6"));
}
END_TEST

START_TEST(fields)
{
    ck_assert_int_eq(build("fields=id,name,roles"), 0);
    ck_assert(sql_has("u.name AS name"));
    ck_assert(sql_has("u.id AS id"));
    ck_assert(sql_has("AS roles"));
    ck_assert(!sql_has("AS email"));
    ck_assert(!sql_has("AS created_at"));
}
END_TEST

START_TEST(bad_values)
{
    bad("page=0", "page");
    bad("page=-1", "page");
    bad("page=abc", "page");
    bad("page=1e3", "page");
    bad("page=", "page");
    bad("page=1000001", "page");
    bad("page=99999999999999999999", "page");
    bad("per_page=0", "per_page");
    bad("per_page=101", "per_page");
    bad("per_page= 5", "per_page");
    bad("order=up", "order");
    bad("order=ASC", "order");
    bad("status=pending", "status");
    bad("role=Admin", "role");
    bad("role=", "role");
    bad("email=", "email");
    bad("q=", "q");
    bad("fields=", "fields");
    bad("fields=id,,name", "fields");
    bad("foo=1", "foo");
    bad("include=groups", "include");
    bad("page=1&page=2", "page");
    build("foo=1&bar=2&per_page=0");
    ck_assert_uint_eq(d.problem.n_errors, 3);
}
END_TEST

START_TEST(injection)
{
    bad("sort=password_hash", "sort");
    bad("sort=name;DROP TABLE users", "sort");
    bad("sort=name DESC, (SELECT 1)", "sort");
    bad("order=asc;--", "order");
    bad("fields=password_hash", "fields");
    bad("fields=id,name) FROM users;--", "fields");
    bad("role=admin' OR '1'='1", "role");
    ck_assert_int_eq(build("q='; DROP TABLE users;--&email=x' OR 1=1--"), 0);
    ck_assert(!sql_has("DROP"));
    ck_assert(!sql_has("OR 1=1"));
    ck_assert_str_eq(q.params[0], "%'; DROP TABLE users;--%");
}
END_TEST

TCase *users_list_tcase(void)
{
    TCase *tc = tcase_create("list");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, paging_and_sorting);
    tcase_add_test(tc, filters);
    tcase_add_test(tc, fields);
    tcase_add_test(tc, bad_values);
    tcase_add_test(tc, injection);
    return tc;
}

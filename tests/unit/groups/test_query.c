/*
 * The query builders: accepted parameters become parameters (never SQL),
 * bad ones are refused naming them.
 */
#include <string.h>

#include "firelater/err.h"
#include "groups_test.h"

#define GID "11111111-2222-4333-8444-555555555555"

static fl_arena_t arena;
static fl_decision_t d;
static fl_groups_query_t q;

static void setup(void)
{
    fl_arena_init(&arena, 0);
    fl_decision_init(&d);
}

static void teardown(void)
{
    fl_arena_free(&arena);
}

/* "a=1&b=2" -> params in the arena. */
static size_t parse(const char *text, fl_http_param_t *p)
{
    char *copy = fl_arena_strndup(&arena, text, strlen(text)), *save = NULL;
    size_t n = 0;

    for (char *kv = strtok_r(copy, "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        *eq = '\0';
        p[n++] = (fl_http_param_t){kv, eq + 1};
    }
    return n;
}

static int list(const char *text)
{
    fl_http_param_t p[16];
    size_t n = parse(text, p);

    fl_decision_init(&d);
    return fl_groups_list_query(p, n, &arena, &q, &d);
}

static void list_refused(const char *text, const char *field)
{
    ck_assert_msg(list(text) == FL_EINVAL, "accepted: %s", text);
    ck_assert_int_eq(d.status, 422);
    ck_assert_msg(tu_has_error(&d, field), "%s: no error on %s", text, field);
}

START_TEST(list_defaults)
{
    ck_assert_int_eq(list(""), 0);
    ck_assert_int_eq(q.page, 1);
    ck_assert_int_eq(q.per_page, 25);
    ck_assert_int_eq(q.nparams, 2);
    ck_assert_str_eq(q.params[0], "25");
    ck_assert_str_eq(q.params[1], "0");
    ck_assert_ptr_nonnull(strstr(q.sql, "s.deleted_at IS NULL"));
    ck_assert_ptr_nonnull(strstr(q.sql, "ORDER BY s.name ASC"));
}
END_TEST

START_TEST(list_filters)
{
    ck_assert_int_eq(list("type=department&parent_id=null&q=50%_&sort=created_at&order=desc"
                          "&page=3&per_page=10"),
                     0);
    ck_assert_int_eq(q.nparams, 4);
    ck_assert_str_eq(q.params[0], "department");
    ck_assert_str_eq(q.params[1], "%50\\%\\_%");
    ck_assert_str_eq(q.params[2], "10");
    ck_assert_str_eq(q.params[3], "20");
    ck_assert_ptr_nonnull(strstr(q.sql, "s.parent_id IS NULL"));
    ck_assert_ptr_nonnull(strstr(q.sql, "ORDER BY s.created_at DESC"));
    ck_assert_int_eq(list("parent_id=" GID "&manager_id=" GID), 0);
    ck_assert_str_eq(q.params[0], GID);
    ck_assert_ptr_nonnull(strstr(q.sql, "s.manager_id = $2::uuid"));
}
END_TEST

START_TEST(list_refused_params)
{
    list_refused("page=0", "page");
    list_refused("page=-1", "page");
    list_refused("page=1e3", "page");
    list_refused("page=99999999999", "page");
    list_refused("per_page=101", "per_page");
    list_refused("per_page=0", "per_page");
    list_refused("sort=id", "sort");
    list_refused("sort=name;DROP TABLE groups", "sort");
    list_refused("sort=name%20--", "sort");
    list_refused("order=up", "order");
    list_refused("type=squad", "type");
    list_refused("parent_id=1' OR '1'='1", "parent_id");
    list_refused("manager_id=null", "manager_id");
    list_refused("q=", "q");
    list_refused("status=active", "status");
    list_refused("page=1&page=2", "page");
}
END_TEST

START_TEST(members_query)
{
    fl_http_param_t p[8];
    size_t n = parse("role=lead&inherited=false&sort=joined_at", p);

    ck_assert_int_eq(fl_groups_members_query(GID, p, n, &arena, &q, &d), 0);
    ck_assert_str_eq(q.params[0], GID);
    ck_assert_str_eq(q.params[1], "lead");
    ck_assert_int_eq(q.nparams, 4);
    ck_assert_ptr_nonnull(strstr(q.sql, "WITH RECURSIVE"));
    ck_assert_ptr_nonnull(strstr(q.sql, "s.depth = 0"));
    n = parse("inherited=maybe&sort=type&x=1", p);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_members_query(GID, p, n, &arena, &q, &d), FL_EINVAL);
    ck_assert(tu_has_error(&d, "inherited"));
    ck_assert(tu_has_error(&d, "sort"));
    ck_assert(tu_has_error(&d, "x"));
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_members_query("'; DROP", NULL, 0, &arena, &q, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

START_TEST(of_user_query)
{
    fl_http_param_t p[8];
    size_t n = parse("sort=type&order=desc&per_page=5", p);

    ck_assert_int_eq(fl_groups_of_user_query(GID, p, n, &arena, &q, &d), 0);
    ck_assert_int_eq(q.per_page, 5);
    ck_assert_ptr_nonnull(strstr(q.sql, "gm.user_id = $1::uuid"));
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_of_user_query("x", NULL, 0, &arena, &q, &d), FL_EINVAL);
    ck_assert_int_eq(d.status, 404);
}
END_TEST

START_TEST(tree_queries)
{
    ck_assert_int_eq(fl_groups_ancestors_query(GID, &arena, &q), 0);
    ck_assert_int_eq(q.nparams, 1);
    ck_assert_ptr_nonnull(strstr(q.sql, "WITH RECURSIVE up"));
    ck_assert_int_eq(fl_groups_descendants_query(GID, &arena, &q), 0);
    ck_assert_ptr_nonnull(strstr(q.sql, "WITH RECURSIVE down"));
    ck_assert_int_eq(fl_groups_children_count_query(GID, &arena, &q), 0);
    ck_assert_int_eq(fl_groups_get_query(GID, &arena, &q), 0);
    ck_assert_int_eq(fl_groups_get_query("x", &arena, &q), FL_EINVAL);
    ck_assert_int_eq(fl_groups_ancestors_query(GID "' OR 1=1", &arena, &q), FL_EINVAL);
}
END_TEST

TCase *groups_query_tcase(void)
{
    TCase *tc = tcase_create("query");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, list_defaults);
    tcase_add_test(tc, list_filters);
    tcase_add_test(tc, list_refused_params);
    tcase_add_test(tc, members_query);
    tcase_add_test(tc, of_user_query);
    tcase_add_test(tc, tree_queries);
    return tc;
}

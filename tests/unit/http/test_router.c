/*
 * Pure parts of src/http: the router, problem+json, the request target.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firelater/err.h"
#include "firelater/http.h"
#include "internal.h"

static int h(fl_http_req_t *req)
{
    (void)req;
    return 0;
}

static const fl_http_route_t routes[] = {
    {"GET", "/api/v1/users", h, "list", false},
    {"POST", "/api/v1/users", h, NULL, false},
    {"GET", "/api/v1/users/{id}", h, "get", false},
    {"GET", "/api/v1/users/me", h, "me", false},
    {"PUT", "/api/v1/users/{id}/password", h, NULL, false},
    {"DELETE", "/api/v1/teams/{team}/members/{user}", h, NULL, false},
    {"GET", "/", h, "root", false},
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static fl_http_router_t router(void)
{
    fl_http_router_t r;

    ck_assert_int_eq(fl_http_router_init(&r, routes, N_ROUTES), 0);
    return r;
}

START_TEST(match_literal_and_params)
{
    fl_http_router_t r = router();
    fl_arena_t a;
    fl_http_match_t m;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_http_router_match(&r, "GET", "/api/v1/users/me", &a, &m), 0);
    ck_assert_str_eq(m.route->meta, "me"); /* literal wins though listed after {id} */
    ck_assert_int_eq(fl_http_router_match(&r, "GET", "/api/v1/users/a%2Fb", &a, &m), 0);
    ck_assert_str_eq(m.route->meta, "get");
    ck_assert_uint_eq(m.n_params, 1);
    ck_assert_str_eq(m.params[0].name, "id");
    ck_assert_str_eq(m.params[0].value, "a/b");
    ck_assert_int_eq(fl_http_router_match(&r, "DELETE", "/api/v1/teams/t1/members/u2", &a, &m), 0);
    ck_assert_uint_eq(m.n_params, 2);
    ck_assert_str_eq(m.params[1].name, "user");
    ck_assert_str_eq(m.params[1].value, "u2");
    ck_assert_int_eq(fl_http_router_match(&r, "GET", "/", &a, &m), 0);
    ck_assert_str_eq(m.route->meta, "root");
    fl_arena_free(&a);
}
END_TEST

START_TEST(match_404_405_head)
{
    fl_http_router_t r = router();
    fl_arena_t a;
    fl_http_match_t m;

    fl_arena_init(&a, 0);
    ck_assert_int_eq(fl_http_router_match(&r, "GET", "/api/v1/users/", &a, &m), 0);
    ck_assert_ptr_null(m.route);
    ck_assert_int_eq(m.status, 404);
    ck_assert_int_eq(fl_http_router_match(&r, "GET", "/api/v1/users//password", &a, &m), 0);
    ck_assert_int_eq(m.status, 404);
    ck_assert_int_eq(fl_http_router_match(&r, "PATCH", "/api/v1/users", &a, &m), 0);
    ck_assert_int_eq(m.status, 405);
    ck_assert_str_eq(m.allow, "GET, HEAD, POST");
    ck_assert_int_eq(fl_http_router_match(&r, "HEAD", "/api/v1/users", &a, &m), 0);
    ck_assert_str_eq(m.route->meta, "list");
    ck_assert_int_eq(fl_http_router_match(&r, "GET", "/api/v1/users/%zz", &a, &m), FL_EINVAL);
    ck_assert_int_eq(fl_http_router_match(&r, "GET", "*", &a, &m), 0);
    ck_assert_int_eq(m.status, 404);
    fl_arena_free(&a);
}
END_TEST

START_TEST(bad_tables)
{
    fl_http_router_t r;
    fl_http_route_t bad[][1] = {
        {{"GET", "nope", h, NULL, false}},  {{"GET", "/a/{", h, NULL, false}},
        {{"GET", "/a/{}", h, NULL, false}}, {{"GET", "/a/x{id}", h, NULL, false}},
        {{"GET", "/a", NULL, NULL, false}}, {{"", "/a", h, NULL, false}},
    };
    fl_http_route_t dup[] = {{"GET", "/a/{id}", h, NULL, false},
                             {"GET", "/a/{id}", h, NULL, false}};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_int_eq(fl_http_router_init(&r, bad[i], 1), FL_EINVAL);
    ck_assert_int_eq(fl_http_router_init(&r, dup, 2), FL_EINVAL);
}
END_TEST

static void count(const fl_http_route_t *rt, void *ctx)
{
    (void)rt;
    (*(size_t *)ctx)++;
}

START_TEST(iterate)
{
    fl_http_router_t r = router();
    size_t n = 0;

    fl_http_router_each(&r, count, &n);
    ck_assert_uint_eq(n, N_ROUTES);
}
END_TEST

START_TEST(problem_json)
{
    fl_problem_error_t errs[] = {{"email", "must be a valid address"}, {NULL, "unknown field"}};
    fl_problem_t p = {.slug = "validation",
                      .title = "validation failed",
                      .detail = "two fields",
                      .errors = errs,
                      .n_errors = 2};
    json_t *j = fl_problem_to_json(&p, 422, "rid");
    json_t *e;

    ck_assert_str_eq(json_string_value(json_object_get(j, "type")),
                     "https://firelater.dev/problems/validation");
    ck_assert_str_eq(json_string_value(json_object_get(j, "title")), "validation failed");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 422);
    ck_assert_str_eq(json_string_value(json_object_get(j, "detail")), "two fields");
    e = json_object_get(j, "errors");
    ck_assert_uint_eq(json_array_size(e), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(e, 0), "field")), "email");
    ck_assert(json_is_null(json_object_get(json_array_get(e, 1), "field")));
    ck_assert_str_eq(json_string_value(json_object_get(j, "request_id")), "rid");
    json_decref(j);
    j = fl_problem_to_json(NULL, 503, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(j, "type")), "about:blank");
    ck_assert_str_eq(json_string_value(json_object_get(j, "title")), "service unavailable");
    ck_assert_ptr_null(json_object_get(j, "errors"));
    json_decref(j);
}
END_TEST

START_TEST(target)
{
    fl_http_req_t req;

    memset(&req, 0, sizeof(req));
    fl_arena_init(&req.arena, 0);
    const char *u = "/a%20b/c?x=1&y=a+b%26&x=2&&flag";
    ck_assert_int_eq(fl__http_parse_target(&req, u, strlen(u)), 0);
    ck_assert_str_eq(req.path, "/a b/c");
    ck_assert_str_eq(req.raw_path, "/a%20b/c");
    ck_assert_uint_eq(req.n_query, 4);
    ck_assert_str_eq(fl_http_query(&req, "x"), "1");
    ck_assert_str_eq(req.query[2].value, "2");
    ck_assert_str_eq(fl_http_query(&req, "y"), "a b&");
    ck_assert_str_eq(fl_http_query(&req, "flag"), "");
    u = "http://example.com/p?q=1";
    ck_assert_int_eq(fl__http_parse_target(&req, u, strlen(u)), 0);
    ck_assert_str_eq(req.path, "/p");
    ck_assert_int_eq(fl__http_parse_target(&req, "nope", 4), FL_EINVAL);
    ck_assert_int_eq(fl__http_parse_target(&req, "/a%00", 5), FL_EINVAL);
    ck_assert_int_eq(fl__http_parse_target(&req, "/a%4", 4), FL_EINVAL);
    fl_arena_free(&req.arena);
}
END_TEST

START_TEST(reasons)
{
    ck_assert_str_eq(fl_http_status_reason(404), "not found");
    ck_assert_str_eq(fl_http_status_reason(431), "headers too large");
    ck_assert_str_eq(fl_http_status_reason(999), "unknown status");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("http_router");
    TCase *tc = tcase_create("pure");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, match_literal_and_params);
    tcase_add_test(tc, match_404_405_head);
    tcase_add_test(tc, bad_tables);
    tcase_add_test(tc, iterate);
    tcase_add_test(tc, problem_json);
    tcase_add_test(tc, target);
    tcase_add_test(tc, reasons);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * The list query builder: defaults, each filter, the entity route, bad and
 * unknown parameters (422 naming them), and values that stay parameters; and
 * the parameter loop the list queries share (fl_params_check).
 */
#include <string.h>

#include "audit_test.h"
#include "firelater/err.h"

#define UID "11111111-2222-4333-8444-555555555555"

static fl_arena_t arena;
static fl_decision_t d;
static fl_audit_list_t q;

static void setup(void)
{
    fl_arena_init(&arena, 0);
}

static void teardown(void)
{
    fl_arena_free(&arena);
}

/* The query of the whole trail (type NULL) or of one entity, with up to 8 name/value pairs. */
static int run(const char *type, const char *id, const fl_http_param_t *params)
{
    size_t n = 0;

    while (n < 8 && params != NULL && params[n].name != NULL)
        n++;
    fl_decision_init(&d);
    return fl_audit_list_query(params, n, type, id, &arena, &q, &d);
}

static bool names(const char *field)
{
    for (size_t i = 0; i < d.problem.n_errors; i++) {
        if (d.errors[i].field != NULL && strcmp(d.errors[i].field, field) == 0)
            return true;
    }
    return false;
}

/* The parameter refused, with the field the 422 must name. */
static void refused(const char *name, const char *value, const char *field)
{
    fl_http_param_t p[] = {{name, value}, {NULL, NULL}};

    ck_assert_msg(run(NULL, NULL, p) == FL_EINVAL, "%s=%s accepted", name, value);
    ck_assert_int_eq(d.status, 422);
    ck_assert_msg(names(field), "%s=%s: no error on %s", name, value, field);
}

static bool has(const char *s)
{
    return strstr(q.sql, s) != NULL;
}

START_TEST(defaults)
{
    ck_assert_int_eq(run(NULL, NULL, NULL), 0);
    ck_assert_int_eq(q.page, 1);
    ck_assert_int_eq(q.per_page, 50);
    ck_assert_int_eq(q.nparams, 2);
    ck_assert_str_eq(q.params[0], "50");
    ck_assert_str_eq(q.params[1], "0");
    ck_assert(has("ORDER BY a.position DESC LIMIT $1 OFFSET $2"));
    ck_assert(has("LEFT JOIN users u ON u.id = a.user_id"));
    ck_assert(!has("WHERE"));
}
END_TEST

START_TEST(filters)
{
    fl_http_param_t p[] = {{"user", UID},
                           {"action", "user.updated"},
                           {"from", "2026-01-01T00:00:00+01:00"},
                           {"to", "2026-01-02T00:00:00Z"},
                           {"per_page", "100"},
                           {"page", "3"},
                           {"order", "asc"},
                           {NULL, NULL}};

    ck_assert_int_eq(run(NULL, NULL, p), 0);
    ck_assert(has("a.user_id = $1::uuid"));
    ck_assert(has("a.event_type = $2"));
    ck_assert(has("a.created_at >= $3::timestamptz"));
    ck_assert(has("a.created_at <= $4::timestamptz"));
    ck_assert(has("ORDER BY a.position ASC LIMIT $5 OFFSET $6"));
    ck_assert_str_eq(q.params[2], "2025-12-31T23:00:00.000000Z");
    ck_assert_str_eq(q.params[4], "100");
    ck_assert_str_eq(q.params[5], "200");
    /* A verb alone is matched against the action. */
    fl_http_param_t v[] = {{"action", "member_added"},
                           {"entity_type", "group"},
                           {"entity_id", "AAAAAAAA-2222-4333-8444-555555555555"},
                           {"request_id", "req 1"},
                           {"actor", "apikey:k-1"},
                           {NULL, NULL}};
    ck_assert_int_eq(run(NULL, NULL, v), 0);
    ck_assert(has("a.action = $1"));
    ck_assert(has("a.entity_type = $2") && has("a.entity_id = $3") && has("a.request_id = $4"));
    ck_assert(has("a.actor = $5"));
    ck_assert_str_eq(q.params[4], "apikey:k-1");
    ck_assert_str_eq(q.params[2], "aaaaaaaa-2222-4333-8444-555555555555");
}
END_TEST

START_TEST(bad_values)
{
    refused("per_page", "0", "per_page");
    refused("per_page", "101", "per_page");
    refused("per_page", "ten", "per_page");
    refused("page", "0", "page");
    refused("page", "-1", "page");
    refused("order", "sideways", "order");
    refused("user", "admin", "user");
    refused("entity_type", "Users", "entity_type");
    refused("entity_type", "user;drop", "entity_type");
    refused("entity_id", "", "entity_id");
    refused("entity_id", "a\nb", "entity_id");
    refused("action", "UPDATED", "action");
    refused("action", "user.", "action");
    refused("from", "yesterday", "from");
    refused("to", "2026-13-01T00:00:00Z", "to");
    refused("request_id", "", "request_id");
    refused("actor", "a\tb", "actor");
    refused("sort", "created_at", "sort");
    refused("password_hash", "x", "password_hash");
}
END_TEST

START_TEST(repeated_and_reversed)
{
    fl_http_param_t twice[] = {{"user", UID}, {"user", UID}, {NULL, NULL}};
    fl_http_param_t reversed[] = {
        {"from", "2026-01-02T00:00:00Z"}, {"to", "2026-01-01T00:00:00Z"}, {NULL, NULL}};

    ck_assert_int_eq(run(NULL, NULL, twice), FL_EINVAL);
    ck_assert(names("user"));
    ck_assert_int_eq(run(NULL, NULL, reversed), FL_EINVAL);
    ck_assert(names("to"));
}
END_TEST

START_TEST(entity_route)
{
    fl_http_param_t p[] = {{"action", "updated"}, {NULL, NULL}};
    fl_http_param_t dup[] = {{"entity_id", "x"}, {"entity_type", "user"}, {NULL, NULL}};

    ck_assert_int_eq(run("user", UID, p), 0);
    ck_assert(has("a.entity_type = $1") && has("a.entity_id = $2") && has("a.action = $3"));
    ck_assert_str_eq(q.params[0], "user");
    ck_assert_str_eq(q.params[1], UID);
    /* Well-formed but never seen: a query (an empty page), not an error. */
    ck_assert_int_eq(run("api_key", "no-such-key", NULL), 0);
    /* The path names them; the query may not. */
    ck_assert_int_eq(run("user", UID, dup), FL_EINVAL);
    ck_assert(names("entity_id") && names("entity_type"));
    ck_assert_int_eq(run("Users!", UID, NULL), FL_EINVAL);
    ck_assert(names("entityType") && !names("id"));
    ck_assert_int_eq(run("user", "", NULL), FL_EINVAL);
    ck_assert(names("id"));
}
END_TEST

START_TEST(values_never_reach_the_sql)
{
    const char *evil = "x' OR '1'='1";
    fl_http_param_t p[] = {{"entity_id", evil}, {"request_id", evil}, {NULL, NULL}};

    ck_assert_int_eq(run(NULL, NULL, p), 0);
    ck_assert(!has("OR '1'"));
    ck_assert_str_eq(q.params[0], evil);
}
END_TEST

/* fl_params_check's check for the test below: "n" must be digits. */
static const char *digits(void *arg, size_t k, const char *v)
{
    (void)arg;
    if (k == 1 && strspn(v, "0123456789") != strlen(v))
        return "must be digits";
    return NULL;
}

static const char *path_given(void *arg, const char *name)
{
    (void)arg;
    return strcmp(name, "id") == 0 ? "is given by the path" : NULL;
}

/* The message of the error on field, or NULL. */
static const char *message_on(const char *field)
{
    for (size_t i = 0; i < d.problem.n_errors; i++) {
        if (d.errors[i].field != NULL && strcmp(d.errors[i].field, field) == 0)
            return d.errors[i].message;
    }
    return NULL;
}

/* The shared loop of the list queries (src/domain/params.c): every refusal and its words. */
START_TEST(parameter_messages)
{
    static const char *const known[] = {"page", "n"};
    fl_params_t spec = {.known = known, .n_known = 2, .check = digits, .unknown = path_given};
    char longname[300];
    fl_http_param_t p[] = {{"n", "x1"}, {"page", "1"}, {"page", "2"},
                           {"id", "7"}, {"other", ""}, {longname, "1"}};
    fl_arena_t small;

    memset(longname, 'k', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    fl_decision_init(&d);
    fl_params_check(&spec, p, 6, &arena, &d);
    ck_assert_int_eq(d.status, 422);
    ck_assert_int_eq((int)d.problem.n_errors, 5);
    ck_assert_str_eq(message_on("n"), "must be digits");
    ck_assert_str_eq(message_on("page"), "must be given once");
    ck_assert_str_eq(message_on("id"), "is given by the path");
    ck_assert_str_eq(message_on("other"), "is not a known parameter");
    ck_assert_uint_eq(strlen(d.errors[4].field), 200); /* a long name is cut */
    ck_assert_str_eq(d.errors[4].message, "is not a known parameter");

    /* Good values: nothing. */
    fl_decision_init(&d);
    fl_params_check(&spec, p + 1, 1, &arena, &d);
    ck_assert(!fl_decision_failed(&d));

    /* No room to copy an unknown name: it is named "?". */
    fl_arena_init(&small, 16);
    fl_decision_init(&d);
    fl_params_check(&spec, p + 5, 1, &small, &d);
    ck_assert_str_eq(d.errors[0].field, "?");
    fl_arena_free(&small);
}
END_TEST

TCase *audit_query_tcase(void)
{
    TCase *tc = tcase_create("query");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, filters);
    tcase_add_test(tc, bad_values);
    tcase_add_test(tc, repeated_and_reversed);
    tcase_add_test(tc, entity_route);
    tcase_add_test(tc, values_never_reach_the_sql);
    tcase_add_test(tc, parameter_messages);
    return tc;
}

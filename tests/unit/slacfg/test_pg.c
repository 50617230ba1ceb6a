/*
 * The sla:config projection and reads against a real PostgreSQL (a private
 * cluster, pgfix): commands decided on the folded config and appended to a
 * real log, projected by the projector's own collect loop into a migrated
 * tenant schema (twice: a replay over the rows changes nothing and trips no
 * one-default index), then read back with the list and get queries and
 * compared, member by member, with what the write side renders.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/sla.h"
#include "internal.h"
#include "pgfix.h"
#include "util.h"

static fl_log_t *lg;
static fl_arena_t arena;
static fl_store_conn_t *conn;
static fl_time_t now = 1764072000000000LL;

#define HOURS(name, def)                                                                           \
    "{\"name\": \"" name "\", \"timezone\": \"Europe/Berlin\", \"is_default\": " def ","           \
    " \"schedule\": [{\"day_of_week\": 1, \"start_time\": \"09:00\", \"end_time\": \"12:00\"},"    \
    " {\"day_of_week\": 1, \"start_time\": \"13:00\", \"end_time\": \"24:00\"},"                   \
    " {\"day_of_week\": 5, \"start_time\": \"08:30\", \"end_time\": \"16:00\"}],"                  \
    " \"holidays\": [{\"holiday_date\": \"2026-12-25\", \"name\": \"Christmas\"},"                 \
    " {\"holiday_date\": \"2026-01-01\", \"name\": null}]}"

#define TARGETS2                                                                                   \
    "[{\"metric_type\": \"response_time\", \"priority\": \"high\", \"target_minutes\": 60},"       \
    " {\"metric_type\": \"resolution_time\", \"priority\": \"critical\", \"target_minutes\": 240," \
    " \"warning_percent\": 50, \"business_hours_only\": false}]"

static fl_sla_config_t config(void)
{
    fl_sla_config_t c;
    uint64_t v;

    ck_assert_int_eq(fl_agg_load_uncached(lg, &fl_sla_config_agg, FL_SLA_STREAM, &arena, &c, &v),
                     0);
    return c;
}

typedef int (*put_fn)(const fl_cmd_ctx_t *, const fl_sla_config_t *, const char *, const json_t *,
                      fl_decision_t *);

/* Decides and appends a put; the entity's id (in the arena). */
static const char *put(put_fn f, const char *id, const char *json)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_sla_config_t c = config();
    json_t *body = tu_json(json);
    fl_decision_t d;

    fl_decision_init(&d);
    ck_assert_int_eq(f(&ctx, &c, id, body, &d), 0);
    ck_assert_msg(!fl_decision_failed(&d), "refused: %s", json);
    const char *rid = json_string_value(json_object_get(d.result, "id"));
    rid = fl_arena_strndup(&arena, rid, strlen(rid));
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    fl_decision_release(&d);
    json_decref(body);
    now += 1000000;
    return rid;
}

typedef int (*del_fn)(const fl_cmd_ctx_t *, const fl_sla_config_t *, const char *, fl_decision_t *);

static void del(del_fn f, const char *id)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_sla_config_t c = config();
    fl_decision_t d;

    fl_decision_init(&d);
    ck_assert_int_eq(f(&ctx, &c, id, &d), 0);
    ck_assert(!fl_decision_failed(&d));
    ck_assert_int_eq(tu_append_decision(lg, &d), 0);
    fl_decision_release(&d);
    now += 1000000;
}

static void project_all(void)
{
    fl_proj_out_t o;
    fl__proj_run_t run = {.after = 0, .to = 0, .max = 10000};
    const fl_proj_handler_t *const handlers[] = {fl_sla_config_projections, NULL};
    fl_store_res_t *res = NULL;

    fl__proj_out_init(&o);
    ck_assert_int_eq(fl__proj_collect(&o, lg, handlers, &run), 0);
    int rc = fl_store_sync_txn(conn, "tenant_acme", o.stmts, o.n, &res);
    ck_assert_msg(rc == 0, "txn: %s (statement %d)", res ? fl_store_res_message(res) : "?",
                  res ? fl_store_res_failed_stmt(res) : -1);
    fl_store_res_free(res);
    fl__proj_out_free(&o);
}

static fl_store_res_t *run(const fl_sla_query_t *q)
{
    fl_store_res_t *res = NULL;
    int rc = fl_store_sync_exec(conn, "tenant_acme", q->sql, q->nparams, q->params, &res);

    ck_assert_msg(rc == 0, "%s: %s", q->sql, res ? fl_store_res_message(res) : "?");
    return res;
}

/* A list with "a=1&b=2" parameters. */
static json_t *list(fl_sla_kind_t kind, const char *query)
{
    fl_http_param_t params[8];
    size_t n = 0;
    char *copy = fl_arena_strndup(&arena, query, strlen(query)), *save = NULL;
    fl_sla_query_t q;
    fl_decision_t d;

    for (char *kv = strtok_r(copy, "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        *eq = '\0';
        params[n++] = (fl_http_param_t){kv, eq + 1};
    }
    fl_decision_init(&d);
    ck_assert_int_eq(fl_sla_list_query(kind, params, n, &arena, &q, &d), 0);
    fl_store_res_t *res = run(&q);
    json_t *j = fl_sla_page_json(res, &q);
    fl_store_res_free(res);
    return j;
}

/* One entry by id (NULL when not live) and the config version the read model holds. */
static json_t *get(fl_sla_kind_t kind, const char *id, int64_t *cv)
{
    fl_sla_query_t q;

    ck_assert_int_eq(fl_sla_get_query(kind, id, &q), 0);
    fl_store_res_t *res = run(&q);
    json_t *j = fl_sla_row_json(res, 0);
    if (cv != NULL)
        *cv = fl_sla_row_config_version(res, 0);
    fl_store_res_free(res);
    return j;
}

static long long total(json_t *j)
{
    return json_integer_value(json_object_get(json_object_get(j, "meta"), "total"));
}

static const char *str_at(json_t *j, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(j, "data"), i), key));
}

/* The first value of sql's first row is want. */
static void expect_sql(const char *sql, const char *want)
{
    char *got = pgfix_exec1(conn, "tenant_acme", sql);

    ck_assert_msg(got != NULL && strcmp(got, want) == 0, "%s: %s, not %s", sql,
                  got != NULL ? got : "NULL", want);
    free(got);
}

/* The read model's entry equals the write side's, every member. */
static void same_as_write_side(fl_sla_kind_t kind, const char *id)
{
    fl_sla_config_t c = config();
    json_t *want = kind == FL_SLA_POLICIES ? fl_sla_policy_entity_json(fl_sla_policy_find(&c, id))
                                           : fl_sla_hours_entity_json(fl_sla_hours_find(&c, id));
    json_t *got = get(kind, id, NULL);
    char *w = json_dumps(want, JSON_SORT_KEYS), *g = json_dumps(got, JSON_SORT_KEYS);

    ck_assert_msg(json_equal(want, got), "write side %s\nread model %s", w, g);
    free(w);
    free(g);
    json_decref(want);
    json_decref(got);
}

typedef struct world {
    const char *h1, *h2, *p1, *p2;
} world_t;

static void populate(world_t *w)
{
    w->h1 = put(fl_sla_decide_hours_put, NULL, HOURS("Office", "true"));
    w->h2 = put(fl_sla_decide_hours_put, NULL, HOURS("Late shift", "true")); /* demotes h1 */
    char body[2048];
    snprintf(body, sizeof(body),
             "{\"name\": \"Gold\", \"entity_type\": \"issue\", \"is_default\": true,"
             " \"conditions\": {\"tier\": [\"P2\", \"P1\"]}, \"business_hours_id\": \"%s\","
             " \"targets\": " TARGETS2 "}",
             w->h1);
    w->p1 = put(fl_sla_decide_policy_put, NULL, body);
    w->p2 = put(fl_sla_decide_policy_put, NULL,
                "{\"name\": \"Basic\", \"entity_type\": \"issue\", \"is_default\": true,"
                " \"description\": \"all issues\", \"targets\": " TARGETS2 "}"); /* demotes p1 */
    put(fl_sla_decide_policy_put, NULL,
        "{\"name\": \"Changes\", \"entity_type\": \"change\", \"is_default\": true,"
        " \"targets\": " TARGETS2 "}");
    snprintf(
        body, sizeof(body),
        "{\"name\": \"Gold 2\", \"entity_type\": \"issue\", \"conditions\": {\"tier\": \"P1\"},"
        " \"business_hours_id\": \"%s\", \"targets\": [{\"metric_type\": \"response_time\","
        " \"priority\": \"low\", \"target_minutes\": 15}]}",
        w->h1);
    put(fl_sla_decide_policy_put, w->p1, body); /* its targets replaced */
    del(fl_sla_decide_policy_delete, w->p2);
    del(fl_sla_decide_hours_delete, w->h2);
}

static void check_rows(const world_t *w)
{
    char sql[256];

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM sla_targets WHERE policy_id = '%s'", w->p1);
    expect_sql(sql, "1");
    snprintf(sql, sizeof(sql),
             "SELECT target_minutes || priority FROM sla_targets"
             " WHERE policy_id = '%s'",
             w->p1);
    expect_sql(sql, "15low");
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM business_hours_schedule"
             " WHERE business_hours_id = '%s'",
             w->h1);
    expect_sql(sql, "3");
    expect_sql("SELECT max(end_time)::text FROM business_hours_schedule", "24:00:00");
    expect_sql("SELECT count(*) FROM business_hours_holidays", "4");
    expect_sql("SELECT count(*) FROM business_hours WHERE deleted_at IS NULL", "1");
    expect_sql("SELECT count(*) FROM business_hours WHERE is_default", "1");
    snprintf(sql, sizeof(sql),
             "SELECT is_default::text || version FROM business_hours"
             " WHERE id = '%s'",
             w->h1);
    expect_sql(sql, "false2"); /* demoted by event 2 */
    snprintf(sql, sizeof(sql), "SELECT conditions::text FROM sla_policies WHERE id = '%s'", w->p1);
    expect_sql(sql, "{\"tier\": [\"P1\"]}");
    expect_sql("SELECT count(*) FROM sla_policies WHERE is_default"
               " AND deleted_at IS NULL",
               "1"); /* Changes: p2 is deleted, p1 demoted */
}

static void check_reads(const world_t *w)
{
    int64_t cv = 0;
    json_t *j = list(FL_SLA_POLICIES, "");

    ck_assert_int_eq(total(j), 2);
    ck_assert_str_eq(str_at(j, 0, "name"), "Gold 2"); /* by created_at */
    ck_assert_str_eq(str_at(j, 1, "name"), "Changes");
    json_decref(j);
    j = list(FL_SLA_POLICIES, "entity_type=change&sort=name&order=desc");
    ck_assert_int_eq(total(j), 1);
    json_decref(j);
    j = list(FL_SLA_POLICIES, "sort=name&per_page=1&page=2");
    ck_assert_int_eq(total(j), 2);
    ck_assert_str_eq(str_at(j, 0, "name"), "Gold 2");
    json_decref(j);
    j = list(FL_SLA_POLICIES, "page=3&per_page=1");
    ck_assert_int_eq(total(j), 2);
    ck_assert_uint_eq(json_array_size(json_object_get(j, "data")), 0);
    json_decref(j);
    j = list(FL_SLA_HOURS, "is_default=false");
    ck_assert_int_eq(total(j), 1);
    ck_assert_str_eq(str_at(j, 0, "id"), w->h1);
    json_decref(j);
    ck_assert_ptr_null(get(FL_SLA_POLICIES, w->p2, NULL));
    ck_assert_ptr_null(get(FL_SLA_HOURS, w->h2, NULL));
    j = get(FL_SLA_HOURS, w->h1, &cv);
    ck_assert_int_eq(cv, 8);
    json_decref(j);
    same_as_write_side(FL_SLA_HOURS, w->h1);
    same_as_write_side(FL_SLA_POLICIES, w->p1);
}

START_TEST(project_and_read)
{
    char *dir = tu_mkdtemp();
    char *info = pgfix_newdb("slacfg_pg");
    world_t w;

    lg = tu_open(dir, &now, true);
    fl_arena_init(&arena, 0);
    conn = pgfix_sync(info);
    ck_assert_int_eq(fl_migrate_tenant(conn, "acme", NULL), 0);
    populate(&w);
    project_all();
    check_rows(&w);
    project_all(); /* a replay (rebuild over live rows) lands on the same rows */
    check_rows(&w);
    check_reads(&w);
    fl_store_sync_close(conn);
    fl_log_close(lg);
    fl_arena_free(&arena);
    tu_rmrf(dir);
    free(dir);
    free(info);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("slacfg_pg");
    TCase *tc = tcase_create("pg");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, project_and_read);
    suite_add_tcase(s, tc);
    return pgfix_main(s);
}

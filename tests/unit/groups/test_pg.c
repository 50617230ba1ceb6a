/*
 * The module's SQL against a real PostgreSQL (a private cluster, pgfix):
 * events decided and appended to a real log, projected by the projector's
 * own collect loop into a migrated tenant schema (twice: a replay changes
 * nothing), then read back with every query on a 3-level hierarchy:
 *
 *   Root (ann lead)  <-  Mid (bob)  <-  Leaf (cat, bob)      Other (deleted)
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "groups_test.h"
#include "internal.h"
#include "pgfix.h"
#include "util.h"

static fl_log_t *lg;
static fl_arena_t arena;
static fl_store_conn_t *conn;
static fl_time_t now = 1764072000000000LL;

static void append(fl_decision_t *d)
{
    fl_log_batch_t b = {d->events, d->n_events, d->expects, d->n_expects, NULL};
    fl_log_result_t r;

    ck_assert_int_eq(fl_log_append(lg, &b, &r), 0);
    now += 1000000;
}

static const char *user(const char *email, const char *name)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_user_create_cmd_t cmd = {.f = {.email = email, .name = name}};
    fl_email_claim_state_t claim = {0};
    fl_decision_t d;

    fl_decision_init(&d);
    ck_assert_int_eq(fl_users_decide_create(&ctx, &cmd, NULL, &claim, &d), 0);
    append(&d);
    return d.location + strlen("/api/v1/users/");
}

static void load(const char *id, fl_group_state_t *g)
{
    uint64_t v;

    ck_assert_int_eq(
        fl_agg_load_uncached(lg, &fl_group_agg, fl_groups_stream(&arena, id), &arena, g, &v), 0);
}

static const char *group(const char *name, const char *parent_id)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_group_cmd_t cmd = {.f = {.name = name, .type = FL_GROUP_TEAM, .parent_id = parent_id}};
    fl_group_name_claim_state_t claim = {0};
    fl_group_state_t parent = {0};
    fl_group_refs_t refs = {.claim = &claim, .parent = &parent};
    fl_decision_t d;

    if (parent_id != NULL)
        load(parent_id, &parent);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_create(&ctx, &cmd, &refs, &d), 0);
    append(&d);
    return d.location + strlen("/api/v1/groups/");
}

static void add(const char *gid, const char *uid, fl_group_role_t role)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_group_member_cmd_t cmd = {.user_id = uid, .role = role};
    fl_group_state_t g;
    fl_user_state_t u;
    uint64_t v;
    fl_decision_t d;

    load(gid, &g);
    ck_assert_int_eq(
        fl_agg_load_uncached(lg, &fl_user_agg, fl_users_stream(&arena, uid), &arena, &u, &v), 0);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_add_member(&ctx, &g, FL_LOG_ANY, &cmd, &u, &d), 0);
    append(&d);
}

static void project_all(void)
{
    fl_proj_out_t o;
    fl__proj_run_t run = {.after = 0, .to = 0, .max = 10000};
    const fl_proj_handler_t *const handlers[] = {fl_users_projections, fl_groups_projections, NULL};
    fl_store_res_t *res = NULL;

    fl__proj_out_init(&o);
    ck_assert_int_eq(fl__proj_collect(&o, lg, handlers, &run), 0);
    int rc = fl_store_sync_txn(conn, "tenant_acme", o.stmts, o.n, &res);
    ck_assert_msg(rc == 0, "txn: %s (statement %d)", res ? fl_store_res_message(res) : "?",
                  res ? fl_store_res_failed_stmt(res) : -1);
    fl_store_res_free(res);
    fl__proj_out_free(&o);
}

static fl_store_res_t *run(const fl_groups_query_t *q)
{
    fl_store_res_t *res = NULL;
    int rc = fl_store_sync_exec(conn, "tenant_acme", q->sql, q->nparams, q->params, &res);

    ck_assert_msg(rc == 0, "%s: %s", q->sql, res ? fl_store_res_message(res) : "?");
    return res;
}

typedef int (*paged_fn)(const char *id, const fl_http_param_t *query, size_t n, fl_arena_t *a,
                        fl_groups_query_t *out, fl_decision_t *d);

/* A paged query with "a=1&b=2" parameters; id NULL: the list. */
static json_t *paged(paged_fn fn, const char *id, const char *query)
{
    fl_http_param_t params[8];
    size_t n = 0;
    char *copy = fl_arena_strndup(&arena, query, strlen(query)), *save = NULL;
    fl_groups_query_t q;
    fl_decision_t d;

    for (char *kv = strtok_r(copy, "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        *eq = '\0';
        params[n++] = (fl_http_param_t){kv, eq + 1};
    }
    fl_decision_init(&d);
    if (fn == NULL)
        ck_assert_int_eq(fl_groups_list_query(params, n, &arena, &q, &d), 0);
    else
        ck_assert_int_eq(fn(id, params, n, &arena, &q, &d), 0);
    fl_store_res_t *res = run(&q);
    json_t *j = fl_groups_page_to_json(res, &q);
    fl_store_res_free(res);
    return j;
}

typedef int (*tree_fn)(const char *id, fl_arena_t *a, fl_groups_query_t *out);

static json_t *rows(tree_fn fn, const char *id)
{
    fl_groups_query_t q;

    ck_assert_int_eq(fn(id, &arena, &q), 0);
    fl_store_res_t *res = run(&q);
    json_t *j = fl_groups_rows_to_json(res);
    fl_store_res_free(res);
    return j;
}

static long long total(json_t *j)
{
    return json_integer_value(json_object_get(json_object_get(j, "meta"), "total"));
}

static json_t *row(json_t *j, size_t i)
{
    return json_array_get(json_is_array(j) ? j : json_object_get(j, "data"), i);
}

static const char *member(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static long long intv(json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

typedef struct world {
    const char *ann, *bob, *cat, *root, *mid, *leaf, *other;
} world_t;

static void populate(world_t *w)
{
    fl_cmd_ctx_t ctx = tu_ctx(&arena, now);
    fl_group_state_t g;
    fl_decision_t d;

    w->ann = user("ann@acme.io", "Ann");
    w->bob = user("bob@acme.io", "Bob");
    w->cat = user("cat@acme.io", "Cat");
    w->root = group("Root", NULL);
    w->mid = group("Mid", w->root);
    w->leaf = group("Leaf", w->mid);
    w->other = group("Other 50%", NULL);
    add(w->root, w->ann, FL_GROUP_LEAD);
    add(w->mid, w->bob, FL_GROUP_MEMBER);
    add(w->leaf, w->cat, FL_GROUP_MEMBER);
    add(w->leaf, w->bob, FL_GROUP_LEAD);
    add(w->other, w->ann, FL_GROUP_MEMBER);
    load(w->other, &g);
    fl_decision_init(&d);
    ck_assert_int_eq(fl_groups_decide_delete(&ctx, &g, FL_LOG_ANY, 0, &d), 0);
    append(&d);
}

static void check_lists(const world_t *w)
{
    json_t *j = paged(NULL, NULL, "sort=name");
    ck_assert_int_eq(total(j), 3); /* Other is deleted */
    ck_assert_str_eq(member(row(j, 0), "name"), "Leaf");
    ck_assert_str_eq(member(row(j, 0), "parent_id"), w->mid);
    ck_assert_int_eq(intv(row(j, 0), "member_count"), 2);
    ck_assert_int_eq(intv(row(j, 0), "version"), 3);
    ck_assert(json_is_object(json_object_get(row(j, 0), "settings")));
    ck_assert_ptr_null(json_object_get(row(j, 0), "_id"));
    json_decref(j);
    j = paged(NULL, NULL, "parent_id=null");
    ck_assert_int_eq(total(j), 1);
    json_decref(j);
    j = paged(NULL, NULL, "q=50%");
    ck_assert_int_eq(total(j), 0);
    json_decref(j);
    j = paged(NULL, NULL, "page=9&per_page=1");
    ck_assert_int_eq(total(j), 3);
    ck_assert_uint_eq(json_array_size(json_object_get(j, "data")), 0);
    json_decref(j);
}

static void check_members(const world_t *w)
{
    json_t *j = paged(fl_groups_members_query, w->root, "sort=name");
    ck_assert_int_eq(total(j), 3);
    ck_assert_str_eq(member(row(j, 0), "name"), "Ann");
    ck_assert(json_is_false(json_object_get(row(j, 0), "inherited")));
    ck_assert_str_eq(member(row(j, 0), "role"), "lead");
    ck_assert_str_eq(member(row(j, 1), "email"), "bob@acme.io");
    ck_assert(json_is_true(json_object_get(row(j, 1), "inherited")));
    ck_assert_str_eq(member(row(j, 1), "group_id"), w->mid); /* the nearest membership */
    ck_assert_str_eq(member(row(j, 2), "group_id"), w->leaf);
    json_decref(j);
    j = paged(fl_groups_members_query, w->root, "inherited=false");
    ck_assert_int_eq(total(j), 1);
    json_decref(j);
    j = paged(fl_groups_members_query, w->leaf, "role=lead");
    ck_assert_int_eq(total(j), 1);
    ck_assert_str_eq(member(row(j, 0), "user_id"), w->bob);
    json_decref(j);
    j = paged(fl_groups_members_query, w->other, "");
    ck_assert_int_eq(total(j), 0); /* deleted: its members went with it */
    json_decref(j);

    j = paged(fl_groups_of_user_query, w->cat, "sort=name");
    ck_assert_int_eq(total(j), 3);
    ck_assert_str_eq(member(row(j, 0), "name"), "Leaf");
    ck_assert(json_is_false(json_object_get(row(j, 0), "inherited")));
    ck_assert(json_is_true(json_object_get(row(j, 2), "inherited")));
    json_decref(j);
    j = paged(fl_groups_of_user_query, w->ann, "");
    ck_assert_int_eq(total(j), 1);
    json_decref(j);
}

static void check_tree(const world_t *w)
{
    json_t *j = rows(fl_groups_ancestors_query, w->leaf);
    ck_assert_uint_eq(json_array_size(j), 2);
    ck_assert_str_eq(member(row(j, 0), "id"), w->mid);
    ck_assert_int_eq(intv(row(j, 0), "depth"), 1);
    ck_assert_str_eq(member(row(j, 1), "id"), w->root);
    json_decref(j);
    j = rows(fl_groups_descendants_query, w->root);
    ck_assert_uint_eq(json_array_size(j), 2);
    ck_assert_str_eq(member(row(j, 1), "name"), "Leaf");
    ck_assert_int_eq(intv(row(j, 1), "depth"), 2);
    json_decref(j);
    j = rows(fl_groups_children_count_query, w->root);
    ck_assert_int_eq(intv(row(j, 0), "n"), 1);
    json_decref(j);
    j = rows(fl_groups_get_query, w->other);
    ck_assert_uint_eq(json_array_size(j), 0);
    json_decref(j);
    j = rows(fl_groups_get_query, w->mid);
    ck_assert_str_eq(member(row(j, 0), "name"), "Mid");
    json_decref(j);
}

START_TEST(project_and_query)
{
    char *dir = tu_mkdtemp();
    char *info = pgfix_newdb("groups_pg");
    world_t w;

    lg = tu_open(dir, &now, true);
    fl_arena_init(&arena, 0);
    conn = pgfix_sync(info);
    ck_assert_int_eq(fl_migrate_tenant(conn, "acme", NULL), 0);
    populate(&w);
    project_all();
    project_all(); /* a replay (rebuild) lands on the same rows */
    check_lists(&w);
    check_members(&w);
    check_tree(&w);
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
    Suite *s = suite_create("groups_pg");
    TCase *tc = tcase_create("pg");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, project_and_query);
    suite_add_tcase(s, tc);
    return pgfix_main(s);
}

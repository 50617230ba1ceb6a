/*
 * Commands on sla:config decided and folded back: defaults switching (the
 * old one cleared, in the event), business hours in use (409 naming the
 * policies), 404s, the expected stream version, deletes.
 */
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "slacfg_test.h"
#include "util.h"

#define HOURS(def)                                                                                 \
    "{\"name\": \"Office\", \"timezone\": \"Europe/Berlin\", \"is_default\": " def ","             \
    " \"schedule\": [{\"day_of_week\": 1, \"start_time\": \"09:00\", \"end_time\": \"17:00\"}]}"
#define TGT "[{\"metric_type\": \"response_time\", \"priority\": \"high\", \"target_minutes\": 60}]"

typedef struct world {
    fl_arena_t a;   /* the config */
    fl_arena_t cmd; /* one command */
    fl_sla_config_t c;
    fl_cmd_ctx_t ctx;
    fl_decision_t d;
} world_t;

static void start(world_t *w)
{
    memset(w, 0, sizeof(*w));
    fl_arena_init(&w->a, 1 << 22);
    fl_arena_init(&w->cmd, 1 << 22);
    w->ctx.a = &w->cmd;
    w->ctx.tenant = "t";
    w->ctx.actor = "system";
}

static void stop(world_t *w)
{
    fl_arena_free(&w->cmd);
    fl_arena_free(&w->a);
}

/* Decides with f, asserts the expected version, folds the events; returns the decision's status. */
typedef int (*put_fn)(const fl_cmd_ctx_t *, const fl_sla_config_t *, const char *, const json_t *,
                      fl_decision_t *);

static int fold_decision(world_t *w)
{
    for (size_t i = 0; i < w->d.n_events; i++) {
        json_t *data = NULL;

        ck_assert_int_eq(w->d.n_expects, 1);
        ck_assert_str_eq(w->d.expects[0].stream, "sla:config");
        ck_assert_int_eq(w->d.expects[0].version, w->c.version);
        ck_assert_int_eq(fl_codec_to_json(w->d.events[i].data, w->d.events[i].data_len, &data), 0);
        ck_assert_int_eq(fl_sla_config_apply(&w->c, &w->a, w->d.events[i].type, data,
                                             w->c.version + 1, 1000000 * (w->c.version + 1)),
                         0);
        json_decref(data);
    }
    return w->d.status;
}

/* Runs a put; returns the new entity's id (in w->a) or NULL when refused. */
static const char *put(world_t *w, put_fn f, const char *id, const char *json)
{
    json_t *body = json_loads(json, 0, NULL);
    const char *out = NULL;

    ck_assert_msg(body != NULL, "bad test JSON %s", json);
    fl_decision_init(&w->d);
    if (f(&w->ctx, &w->c, id, body, &w->d) == 0 && !fl_decision_failed(&w->d)) {
        const char *rid = json_string_value(json_object_get(w->d.result, "id"));

        ck_assert_ptr_nonnull(rid);
        out = fl_arena_strndup(&w->a, rid, strlen(rid));
        ck_assert_ptr_nonnull(strstr(w->d.location, rid));
        fold_decision(w);
    }
    json_decref(body);
    return out;
}

static const char *last_cleared(world_t *w)
{
    json_t *data = NULL;
    const char *s;
    static char buf[64];

    ck_assert_int_eq(fl_codec_to_json(w->d.events[0].data, w->d.events[0].data_len, &data), 0);
    s = json_string_value(json_object_get(data, "cleared_default"));
    snprintf(buf, sizeof(buf), "%s", s != NULL ? s : "null");
    json_decref(data);
    return buf;
}

START_TEST(a_new_default_clears_the_old_one_and_says_so)
{
    world_t w;
    const char *a, *b;

    start(&w);
    a = put(&w, fl_sla_decide_hours_put, NULL, HOURS("true"));
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(w.d.events[0].type, "sla.business_hours_created");
    ck_assert_str_eq(last_cleared(&w), "null");
    fl_decision_release(&w.d);
    b = put(&w, fl_sla_decide_hours_put, NULL, HOURS("true"));
    ck_assert_str_eq(last_cleared(&w), a);
    fl_decision_release(&w.d);
    ck_assert_int_eq(w.c.version, 2);
    ck_assert(!fl_sla_hours_find(&w.c, a)->def.is_default);
    ck_assert(fl_sla_hours_find(&w.c, b)->def.is_default);
    /* Saving the default again clears nothing. */
    put(&w, fl_sla_decide_hours_put, b, HOURS("true"));
    ck_assert_str_eq(w.d.events[0].type, "sla.business_hours_updated");
    ck_assert_str_eq(last_cleared(&w), "null");
    fl_decision_release(&w.d);
    stop(&w);
}
END_TEST

START_TEST(one_default_policy_per_entity_type)
{
    world_t w;
    const char *i1, *r1, *i2;

    start(&w);
    i1 =
        put(&w, fl_sla_decide_policy_put, NULL,
            "{\"name\": \"I1\", \"entity_type\": \"issue\", \"is_default\": true, \"targets\": " TGT
            "}");
    fl_decision_release(&w.d);
    r1 = put(
        &w, fl_sla_decide_policy_put, NULL,
        "{\"name\": \"R1\", \"entity_type\": \"request\", \"is_default\": true, \"targets\": " TGT
        "}");
    ck_assert_str_eq(last_cleared(&w), "null");
    fl_decision_release(&w.d);
    i2 =
        put(&w, fl_sla_decide_policy_put, NULL,
            "{\"name\": \"I2\", \"entity_type\": \"issue\", \"is_default\": true, \"targets\": " TGT
            "}");
    ck_assert_str_eq(last_cleared(&w), i1);
    fl_decision_release(&w.d);
    ck_assert(!fl_sla_policy_find(&w.c, i1)->is_default);
    ck_assert(fl_sla_policy_find(&w.c, r1)->is_default);
    ck_assert_str_eq(fl_sla_select(&w.c, "issue", "high", NULL, NULL)->id, i2);
    ck_assert_str_eq(fl_sla_select(&w.c, "request", "high", NULL, NULL)->id, r1);
    /* An update keeps the order of creation. */
    put(&w, fl_sla_decide_policy_put, i1,
        "{\"name\": \"I1b\", \"entity_type\": \"issue\", \"targets\": " TGT "}");
    fl_decision_release(&w.d);
    ck_assert_str_eq(fl_sla_policy_find(&w.c, i1)->name, "I1b");
    ck_assert_int_eq(fl_sla_policy_find(&w.c, i1)->created_seq, 1);
    stop(&w);
}
END_TEST

START_TEST(business_hours_in_use_cannot_go)
{
    world_t w;
    const char *h, *p;
    char json[1024];

    start(&w);
    h = put(&w, fl_sla_decide_hours_put, NULL, HOURS("false"));
    fl_decision_release(&w.d);
    snprintf(json, sizeof(json),
             "{\"name\": \"Gold\", \"entity_type\": \"issue\", \"business_hours_id\": \"%s\","
             " \"targets\": " TGT "}",
             h);
    p = put(&w, fl_sla_decide_policy_put, NULL, json);
    ck_assert_ptr_nonnull(p);
    fl_decision_release(&w.d);
    ck_assert_int_eq(fl_sla_config_build(&w.c), 0);
    ck_assert_ptr_nonnull(fl_sla_policy_find(&w.c, p)->cal);
    fl_sla_config_free_calendars(&w.c);

    fl_decision_init(&w.d);
    fl_sla_decide_hours_delete(&w.ctx, &w.c, h, &w.d);
    ck_assert_int_eq(w.d.status, 409);
    ck_assert_ptr_nonnull(strstr(w.d.problem.detail, "Gold"));
    ck_assert_ptr_nonnull(strstr(w.d.problem.detail, p));
    fl_decision_release(&w.d);

    fl_decision_init(&w.d);
    ck_assert_int_eq(fl_sla_decide_policy_delete(&w.ctx, &w.c, p, &w.d), 0);
    fold_decision(&w);
    fl_decision_release(&w.d);
    ck_assert_ptr_null(fl_sla_policy_find(&w.c, p));

    fl_decision_init(&w.d);
    ck_assert_int_eq(fl_sla_decide_hours_delete(&w.ctx, &w.c, h, &w.d), 0);
    ck_assert_str_eq(w.d.events[0].type, "sla.business_hours_deleted");
    fold_decision(&w);
    fl_decision_release(&w.d);
    ck_assert_ptr_null(fl_sla_hours_find(&w.c, h));

    /* A policy may no longer name the deleted hours. */
    ck_assert_ptr_null(put(&w, fl_sla_decide_policy_put, NULL, json));
    ck_assert_int_eq(w.d.status, 422);
    fl_decision_release(&w.d);
    stop(&w);
}
END_TEST

START_TEST(unknown_ids_are_404)
{
    world_t w;
    const char *ghost = "44444444-4444-4444-8444-444444444444";

    start(&w);
    ck_assert_ptr_null(put(&w, fl_sla_decide_hours_put, ghost, HOURS("false")));
    ck_assert_int_eq(w.d.status, 404);
    fl_decision_release(&w.d);
    ck_assert_ptr_null(put(&w, fl_sla_decide_policy_put, ghost,
                           "{\"name\": \"P\", \"entity_type\": \"issue\", \"targets\": " TGT "}"));
    ck_assert_int_eq(w.d.status, 404);
    fl_decision_release(&w.d);
    fl_decision_init(&w.d);
    fl_sla_decide_policy_delete(&w.ctx, &w.c, ghost, &w.d);
    ck_assert_int_eq(w.d.status, 404);
    fl_decision_release(&w.d);
    fl_decision_init(&w.d);
    fl_sla_decide_hours_delete(&w.ctx, &w.c, ghost, &w.d);
    ck_assert_int_eq(w.d.status, 404);
    fl_decision_release(&w.d);
    ck_assert_int_eq(w.c.version, 0);
    stop(&w);
}
END_TEST

START_TEST(many_entries_grow_the_arrays)
{
    world_t w;
    const char *ids[40];

    start(&w);
    for (int i = 0; i < 40; i++) {
        ids[i] = put(&w, fl_sla_decide_policy_put, NULL,
                     "{\"name\": \"P\", \"entity_type\": \"change\","
                     " \"conditions\": {\"priority\": \"low\"}, \"targets\": " TGT "}");
        ck_assert_ptr_nonnull(ids[i]);
        fl_decision_release(&w.d);
    }
    ck_assert_int_eq(w.c.n_policies, 40);
    for (int i = 0; i < 40; i++)
        ck_assert_int_eq(fl_sla_policy_find(&w.c, ids[i])->created_seq, i + 1);
    ck_assert_str_eq(fl_sla_select(&w.c, "change", "low", NULL, NULL)->id, ids[0]);
    stop(&w);
}
END_TEST

TCase *slacfg_config_tcase(void)
{
    TCase *tc = tcase_create("config");

    tcase_add_test(tc, a_new_default_clears_the_old_one_and_says_so);
    tcase_add_test(tc, one_default_policy_per_entity_type);
    tcase_add_test(tc, business_hours_in_use_cannot_go);
    tcase_add_test(tc, unknown_ids_are_404);
    tcase_add_test(tc, many_entries_grow_the_arrays);
    return tc;
}

/* Through a real log: decided events appended, the aggregate folded back (cached and not). */
START_TEST(the_aggregate_folds_the_appended_stream)
{
    world_t w;
    char *dir = NULL;
    fl_time_t now = 1700000000000000;
    fl_log_t *log;
    fl_agg_cache_t *cache = NULL;
    const void *state = NULL;
    const fl_sla_config_t *got;
    fl_sla_config_t fresh;
    fl_arena_t fa;
    uint64_t version = 0;
    const char *h;
    json_t *body = json_loads(HOURS("true"), 0, NULL);

    start(&w);
    log = tu_open_temp(&dir, &now);
    ck_assert_int_eq(fl_agg_cache_init(&cache, log, 8), 0);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(fl_agg_load(cache, &fl_sla_config_agg, FL_SLA_STREAM, &state, &version),
                         0);
        got = state;
        ck_assert_int_eq(got->version, (int64_t)version);
        fl_decision_init(&w.d);
        ck_assert_int_eq(fl_sla_decide_hours_put(&w.ctx, got, NULL, body, &w.d), 0);
        ck_assert_int_eq(tu_append_decision(log, &w.d), 0);
        fl_decision_release(&w.d);
    }
    h = NULL;
    ck_assert_int_eq(fl_agg_load(cache, &fl_sla_config_agg, FL_SLA_STREAM, &state, &version), 0);
    got = state;
    ck_assert_int_eq(version, 3);
    ck_assert_int_eq(got->n_hours, 3);
    for (size_t i = 0; i < got->n_hours; i++)
        if (got->hours[i].def.is_default) {
            ck_assert_ptr_null(h);
            h = got->hours[i].id;
        }
    ck_assert_str_eq(h, got->hours[2].id);
    fl_arena_init(&fa, 1 << 20);
    ck_assert_int_eq(
        fl_agg_load_uncached(log, &fl_sla_config_agg, FL_SLA_STREAM, &fa, &fresh, &version), 0);
    ck_assert_int_eq(fresh.n_hours, 3);
    ck_assert_str_eq(fresh.hours[2].id, h);
    ck_assert_str_eq(fresh.hours[0].def.timezone, "Europe/Berlin");
    /* A stale version is refused by the log. */
    fl_decision_init(&w.d);
    w.c.version = 1;
    ck_assert_int_eq(fl_sla_decide_hours_put(&w.ctx, &w.c, NULL, body, &w.d), 0);
    ck_assert_int_ne(tu_append_decision(log, &w.d), 0);
    fl_decision_release(&w.d);
    fl_arena_free(&fa);
    fl_agg_cache_free(cache);
    tu_close_temp(log, dir);
    json_decref(body);
    stop(&w);
}
END_TEST

TCase *slacfg_log_tcase(void)
{
    TCase *tc = tcase_create("log");

    tcase_add_test(tc, the_aggregate_folds_the_appended_stream);
    return tc;
}

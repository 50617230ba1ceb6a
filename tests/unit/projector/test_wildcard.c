/*
 * Wildcard handlers (FL_PROJ_ANY_TYPE): they run for every event, after the
 * event's own handler, in table order, sharing one decoding of the data;
 * events no handler wants are skipped but counted; a wildcard's failure
 * stops the batch and says which event. Through fl__proj_collect on a real
 * log; no PostgreSQL needed.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"
#include "util.h"

static const json_t *seen_data; /* the data the previous handler of the event got */
static uint64_t seen_pos;       /* ... and that event's position */
static int shared;              /* handlers that got the very same decoded data */
static const char *fail_type;   /* the wildcard fails on this type */

/* Records "<who>:<type>" as the statement, and whether data was shared. */
static int record(fl_proj_out_t *out, const char *who, const fl_event_t *ev, const json_t *data)
{
    size_t n = strlen(who) + strlen(ev->type) + 2;
    char *sql = fl_arena_alloc(fl_proj_arena(out), n);

    snprintf(sql, n, "%s:%s", who, ev->type);
    shared += ev->pos == seen_pos && data == seen_data;
    seen_data = data;
    seen_pos = ev->pos;
    return fl_proj_emit(out, sql, 0, NULL);
}

static int on_created(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    ck_assert_int_eq(json_integer_value(json_object_get(data, "k")), 1);
    return record(out, "own", ev, data);
}

static int on_any(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    if (fail_type != NULL && strcmp(ev->type, fail_type) == 0)
        return FL_EIO;
    return record(out, "any", ev, data);
}

static int on_any2(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    return record(out, "any2", ev, data);
}

static const fl_proj_handler_t own[] = {{"thing.created", on_created}, {NULL, NULL}};
static const fl_proj_handler_t wild[] = {{FL_PROJ_ANY_TYPE, on_any}, {NULL, NULL}};
static const fl_proj_handler_t wild2[] = {{FL_PROJ_ANY_TYPE, on_any2}, {NULL, NULL}};

static char *dir;
static fl_log_t *lg;
static fl_proj_out_t out;

static void setup(void)
{
    fl_log_result_t r;

    dir = tu_mkdtemp();
    lg = tu_open(dir, NULL, true);
    fl__proj_out_init(&out);
    ck_assert_int_eq(tu_append1(lg, "thing:1", "thing.created", "{\"k\":1}", &r), 0);
    ck_assert_int_eq(tu_append1(lg, "thing:1", "thing.renamed", "{\"k\":2}", &r), 0);
    ck_assert_int_eq(tu_append1(lg, "thing:2", "thing.created", "{\"k\":1}", &r), 0);
    seen_data = NULL;
    seen_pos = 0;
    shared = 0;
    fail_type = NULL;
}

static void teardown(void)
{
    fl__proj_out_free(&out);
    fl_log_close(lg);
    tu_rmrf(dir);
    free(dir);
}

static int collect(const fl_proj_handler_t *const *handlers, fl__proj_run_t *run)
{
    *run = (fl__proj_run_t){.after = 0, .max = 100};
    fl__proj_out_reset(&out, 0);
    return fl__proj_collect(&out, lg, handlers, run);
}

static void stmts_are(const char *const *want, int n)
{
    ck_assert_int_eq(out.n, n);
    for (int i = 0; i < n; i++)
        ck_assert_str_eq(out.stmts[i].sql, want[i]);
}

START_TEST(every_event_after_its_own_handler)
{
    const fl_proj_handler_t *const handlers[] = {wild, own, wild2, NULL};
    const char *const want[] = {"own:thing.created", "any:thing.created",  "any2:thing.created",
                                "any:thing.renamed", "any2:thing.renamed", "own:thing.created",
                                "any:thing.created", "any2:thing.created"};
    fl__proj_run_t run;

    ck_assert_int_eq(collect(handlers, &run), 0);
    ck_assert_uint_eq(run.count, 3);
    ck_assert_uint_eq(run.last, 3);
    stmts_are(want, 8);
    /* Each event's handlers after the first got the same decoded data: 2 + 1 + 2. */
    ck_assert_int_eq(shared, 5);
}
END_TEST

START_TEST(without_wildcards_unhandled_events_are_skipped)
{
    const fl_proj_handler_t *const handlers[] = {own, NULL};
    const char *const want[] = {"own:thing.created", "own:thing.created"};
    fl__proj_run_t run;

    ck_assert_int_eq(collect(handlers, &run), 0);
    ck_assert_uint_eq(run.count, 3);
    stmts_are(want, 2);
}
END_TEST

START_TEST(a_failing_wildcard_stops_the_batch)
{
    const fl_proj_handler_t *const handlers[] = {own, wild, NULL};
    fl__proj_run_t run;

    fail_type = "thing.renamed";
    ck_assert_int_eq(collect(handlers, &run), FL_EIO);
    ck_assert_uint_eq(run.last, 1);
    ck_assert_ptr_nonnull(strstr(run.why, "event 2 (thing.renamed): handler failed"));
}
END_TEST
/*
 * Set-based rows (fl_proj_emit_row): "anywhere" rows always join their
 * statement, "tail" rows only while nothing but anywhere statements came
 * after it; a sealed statement's $1 is the JSON array, and a reset forgets it.
 */
START_TEST(rows_gather_into_one_statement)
{
    const char *none[1] = {NULL};

    fl__proj_out_reset(&out, 1);
    ck_assert_int_eq(fl_proj_emit_row(&out, "T", "{\"t\":1}", 0), 0);
    ck_assert_int_eq(fl_proj_emit_row(&out, "A", "{\"a\":1}", FL_PROJ_ROW_ANYWHERE), 0);
    ck_assert_int_eq(fl_proj_emit_row(&out, "T", "{\"t\":2}", 0), 0); /* past A: joins */
    ck_assert_int_eq(fl_proj_emit(&out, "U", 1, none), 0);
    ck_assert_int_eq(fl_proj_emit_row(&out, "T", "{\"t\":3}", 0), 0); /* past U: new */
    ck_assert_int_eq(fl_proj_emit_row(&out, "A", "{\"a\":2}", FL_PROJ_ROW_ANYWHERE), 0);
    ck_assert_int_eq(fl_proj_emit_row(&out, "T", "[1]", 0), FL_EINVAL);
    ck_assert_int_eq(fl_proj_emit_row(&out, NULL, "{}", 0), FL_EINVAL);
    stmts_are((const char *const[]){"", "T", "A", "U", "T"}, 5);
    fl__proj_out_seal(&out);
    fl__proj_out_seal(&out); /* twice changes nothing */
    ck_assert_str_eq(out.stmts[1].params[0], "[{\"t\":1},{\"t\":2}]");
    ck_assert_str_eq(out.stmts[2].params[0], "[{\"a\":1},{\"a\":2}]");
    ck_assert_ptr_null(out.stmts[3].params[0]);
    ck_assert_str_eq(out.stmts[4].params[0], "[{\"t\":3}]");
    fl__proj_out_reset(&out, 0);
    ck_assert_int_eq(fl_proj_emit_row(&out, "T", "{\"t\":4}", 0), 0);
    fl__proj_out_seal(&out);
    ck_assert_int_eq(out.n, 1);
    ck_assert_str_eq(out.stmts[0].params[0], "[{\"t\":4}]");
}
END_TEST

/*
 * Keyed rows: an entity's statements keep their order while many entities'
 * inserts and updates gather; a key twice, or a plain statement, starts anew.
 */
START_TEST(keyed_rows_gather_across_entities)
{
    const char *none[1] = {NULL};

    fl__proj_out_reset(&out, 0);
    ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "I", "{\"i\":1}", "k1"), 0);
    ck_assert_int_eq(fl_proj_emit_row(&out, "A", "{\"a\":1}", FL_PROJ_ROW_ANYWHERE), 0);
    ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "U", "{\"u\":1}", "k1"), 0);
    ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "I", "{\"i\":2}", "k2"), 0); /* past U(k1) */
    ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "U", "{\"u\":2}", "k2"), 0);
    ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "U", "{\"u\":3}", "k1"), 0); /* k1 again */
    ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "I", "{\"i\":3}", "k2"), 0); /* k2 in U */
    ck_assert_int_eq(fl_proj_emit(&out, "P", 1, none), 0);
    ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "I", "{\"i\":4}", "k4"), 0); /* past P: no */
    ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "I", "{\"i\":5}", ""), FL_EINVAL);
    ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "I", "{\"i\":5}", NULL), FL_EINVAL);
    stmts_are((const char *const[]){"I", "A", "U", "U", "I", "P", "I"}, 7);
    fl__proj_out_seal(&out);
    ck_assert_str_eq(out.stmts[0].params[0], "[{\"i\":1},{\"i\":2}]");
    ck_assert_str_eq(out.stmts[2].params[0], "[{\"u\":1},{\"u\":2}]");
    ck_assert_str_eq(out.stmts[3].params[0], "[{\"u\":3}]");
    ck_assert_str_eq(out.stmts[4].params[0], "[{\"i\":3}]");
    ck_assert_str_eq(out.stmts[6].params[0], "[{\"i\":4}]");
    /* Many keys (the table grows), and a reset forgets them all. */
    fl__proj_out_reset(&out, 0);
    for (int i = 0; i < 300; i++) {
        char key[16];
        snprintf(key, sizeof(key), "key-%d", i);
        ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "I", "{}", key), 0);
        ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "U", "{}", key), 0);
    }
    ck_assert_int_eq(out.n, 2);
    fl__proj_out_reset(&out, 0);
    ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "U", "{}", "key-1"), 0);
    ck_assert_int_eq(fl_proj_emit_row_keyed(&out, "I", "{}", "key-1"), 0);
    ck_assert_int_eq(out.n, 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("projector_wildcard");
    TCase *tc = tcase_create("wildcard");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_event_after_its_own_handler);
    tcase_add_test(tc, without_wildcards_unhandled_events_are_skipped);
    tcase_add_test(tc, a_failing_wildcard_stops_the_batch);
    tcase_add_test(tc, rows_gather_into_one_statement);
    tcase_add_test(tc, keyed_rows_gather_across_entities);
    suite_add_tcase(s, tc);
    return tu_run(s);
}

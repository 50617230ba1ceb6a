/*
 * Upcasting: a table of (type, version) -> upgrade functions given at open is
 * applied, as a chain, to events as they are read; the stored bytes stay as
 * written and events of other types or versions are untouched.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/log.h"
#include "util.h"

static char *dir;
static fl_arena_t arena;

static int reencode(fl_arena_t *a, json_t *j, uint8_t **out, size_t *out_len)
{
    int rc = fl_codec_from_json(j, a, out, out_len);

    json_decref(j);
    return rc;
}

/* issue.created v1 -> v2: a priority appears, "normal" for old events. */
static int up_v1(fl_arena_t *a, const uint8_t *data, size_t len, uint8_t **out, size_t *out_len)
{
    json_t *j = NULL;
    int rc = fl_codec_to_json(data, len, &j);

    if (rc != 0)
        return rc;
    json_object_set_new(j, "priority", json_string("normal"));
    return reencode(a, j, out, out_len);
}

/* issue.created v2 -> v3: "title" is renamed "summary". */
static int up_v2(fl_arena_t *a, const uint8_t *data, size_t len, uint8_t **out, size_t *out_len)
{
    json_t *j = NULL;
    int rc = fl_codec_to_json(data, len, &j);

    if (rc != 0)
        return rc;
    json_object_set(j, "summary", json_object_get(j, "title"));
    json_object_del(j, "title");
    return reencode(a, j, out, out_len);
}

static const fl_upcaster_t upcasters[] = {
    {"issue.created", 2, up_v2}, /* out of order on purpose: the table is a registry */
    {"issue.created", 1, up_v1},
    {NULL, 0, NULL},
};

static const struct {
    const char *stream, *type;
    uint32_t v;
    const char *data, *want; /* want: data as read through the upcasters */
    uint32_t want_v;
} rows[] = {
    {"issue:1", "issue.created", 1, "{\"title\":\"a\"}",
     "{\"summary\":\"a\",\"priority\":\"normal\"}", 3},
    {"issue:2", "issue.created", 2, "{\"title\":\"b\",\"priority\":\"high\"}",
     "{\"summary\":\"b\",\"priority\":\"high\"}", 3},
    {"issue:3", "issue.created", 3, "{\"summary\":\"c\",\"priority\":\"low\"}",
     "{\"summary\":\"c\",\"priority\":\"low\"}", 3},
    {"issue:1", "issue.closed", 1, "{\"title\":\"keep\"}", "{\"title\":\"keep\"}", 1},
    {"issue:1", "issue.renamed", 2, "{\"title\":\"x\"}", "{\"title\":\"x\"}", 2},
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static void setup(void)
{
    fl_log_t *lg;

    dir = tu_mkdtemp();
    fl_arena_init(&arena, 0);
    lg = tu_open(dir, NULL, true);
    for (size_t i = 0; i < N_ROWS; i++) {
        fl_log_new_t ev = tu_ev(&arena, rows[i].stream, rows[i].type, rows[i].data);
        fl_log_batch_t b = {.events = &ev, .n_events = 1};
        fl_log_result_t r;

        ev.v = rows[i].v;
        ck_assert_int_eq(fl_log_append(lg, &b, &r), 0);
    }
    fl_log_close(lg);
}

static void teardown(void)
{
    fl_arena_free(&arena);
    tu_rmrf(dir);
    free(dir);
}

static fl_event_t *read_with(const fl_upcaster_t *table, const char *stream, size_t *n)
{
    fl_log_opts_t opts = {.no_sync = true, .upcasters = table};
    fl_log_t *lg = tu_open_opts(dir, &opts);
    fl_log_query_t q = {.stream = stream};
    fl_event_t *evs;

    *n = tu_read(lg, &q, &arena, &evs);
    tu_own(evs, *n, &arena);
    fl_log_close(lg);
    return evs;
}

static void assert_data(const fl_event_t *ev, const char *want_json)
{
    json_t *want = json_loads(want_json, 0, NULL), *got = tu_data_json(ev);
    char *text = json_dumps(got, JSON_SORT_KEYS);

    ck_assert_msg(json_equal(want, got), "event %llu: data %s, want %s",
                  (unsigned long long)ev->pos, text, want_json);
    free(text);
    json_decref(want);
    json_decref(got);
}

START_TEST(chain_applied_on_read)
{
    size_t n;
    fl_event_t *evs = read_with(upcasters, NULL, &n);

    ck_assert_uint_eq(n, N_ROWS);
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(evs[i].v == rows[i].want_v, "event %zu: v %u, want %u", i + 1, evs[i].v,
                      rows[i].want_v);
        assert_data(&evs[i], rows[i].want);
    }
}
END_TEST

START_TEST(stream_reads_are_upcast_too)
{
    size_t n;
    fl_event_t *evs = read_with(upcasters, "issue:1", &n);

    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(evs[0].v, 3);
    assert_data(&evs[0], rows[0].want);
    ck_assert_uint_eq(evs[1].v, 1);
    assert_data(&evs[1], rows[3].want);
}
END_TEST

START_TEST(stored_bytes_unchanged)
{
    size_t n_plain, n_up;
    fl_event_t *plain = read_with(NULL, NULL, &n_plain);
    fl_event_t *up = read_with(upcasters, NULL, &n_up);
    fl_log_t *lg;

    ck_assert_uint_eq(n_plain, N_ROWS);
    ck_assert_uint_eq(n_up, N_ROWS);
    for (size_t i = 0; i < N_ROWS; i++) {
        fl_event_t again;

        ck_assert_uint_eq(plain[i].v, rows[i].v);
        assert_data(&plain[i], rows[i].data);
        ck_assert_uint_eq(up[i].raw_len, plain[i].raw_len);
        ck_assert_mem_eq(up[i].raw, plain[i].raw, plain[i].raw_len);
        ck_assert_int_eq(fl_event_decode(up[i].raw, up[i].raw_len, &arena, &again), 0);
        ck_assert_uint_eq(again.v, rows[i].v);
    }
    /* Untouched events keep their exact data bytes. */
    ck_assert_uint_eq(up[3].data_len, plain[3].data_len);
    ck_assert_mem_eq(up[3].data, plain[3].data, plain[3].data_len);
    lg = tu_open(dir, NULL, true);
    tu_verify_ok(lg);
    fl_log_close(lg);
}
END_TEST

START_TEST(appends_store_the_version_given)
{
    fl_log_opts_t opts = {.no_sync = true, .upcasters = upcasters};
    fl_log_t *lg = tu_open_opts(dir, &opts);
    fl_log_result_t r;
    fl_event_t *evs;
    size_t n;

    ck_assert_int_eq(tu_append1(lg, "issue:9", "issue.created", "{\"title\":\"new\"}", &r), 0);
    fl_log_close(lg);
    evs = read_with(NULL, "issue:9", &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(evs[0].v, 1);
    assert_data(&evs[0], "{\"title\":\"new\"}");
    evs = read_with(upcasters, "issue:9", &n);
    ck_assert_uint_eq(evs[0].v, 3);
}
END_TEST

static Suite *upcast_suite(void)
{
    Suite *s = suite_create("upcast");
    TCase *tc = tcase_create("upcast");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, chain_applied_on_read);
    tcase_add_test(tc, stream_reads_are_upcast_too);
    tcase_add_test(tc, stored_bytes_unchanged);
    tcase_add_test(tc, appends_store_the_version_given);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(upcast_suite());
}

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/sla.h"

/*
 * Every directory a test makes lives under one root per run, made and removed
 * here in the parent: a test that crashes (and so skips its teardown) leaves
 * nothing behind in /tmp.
 */
static char tu_root[64];

int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    snprintf(tu_root, sizeof(tu_root), "/tmp/fl-unit-XXXXXX");
    if (mkdtemp(tu_root) == NULL) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    /* Check forks each test (CK_FORK) unless the environment says CK_FORK=no. */
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tu_rmrf(tu_root);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

char *tu_mkdtemp(void)
{
    char *dir = malloc(sizeof(tu_root) + 16);

    ck_assert_ptr_nonnull(dir);
    snprintf(dir, sizeof(tu_root) + 16, "%s/t-XXXXXX", tu_root[0] ? tu_root : "/tmp");
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
    return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void tu_rmrf(const char *dir)
{
    if (dir != NULL)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

fl_time_t tu_clock(void *ctx)
{
    return *(const fl_time_t *)ctx;
}

fl_log_t *tu_open_opts(const char *dir, const fl_log_opts_t *opts)
{
    fl_log_t *log = NULL;
    int rc = fl_log_open(&log, dir, opts);

    ck_assert_msg(rc == 0, "fl_log_open(%s): %s", dir, fl_strerror(rc));
    ck_assert_ptr_nonnull(log);
    return log;
}

fl_log_t *tu_open(const char *dir, fl_time_t *now, bool no_sync)
{
    fl_log_opts_t opts = {.no_sync = no_sync};

    if (now != NULL) {
        opts.clock = tu_clock;
        opts.clock_ctx = now;
    }
    return tu_open_opts(dir, &opts);
}

const uint8_t *tu_mp(fl_arena_t *a, const char *json, size_t *len)
{
    uint8_t *out = NULL;
    int rc = fl_codec_from_json_text(json, a, &out, len);

    ck_assert_msg(rc == 0, "fl_codec_from_json_text(%s): %s", json, fl_strerror(rc));
    return out;
}

fl_log_new_t tu_ev(fl_arena_t *a, const char *stream, const char *type, const char *json)
{
    fl_log_new_t ev = {.stream = stream, .type = type, .v = 1};

    ev.data = tu_mp(a, json, &ev.data_len);
    return ev;
}

int tu_append1(fl_log_t *log, const char *stream, const char *type, const char *json,
               fl_log_result_t *r)
{
    fl_arena_t a;
    fl_log_new_t ev;
    fl_log_batch_t b = {.n_events = 1};
    int rc;

    fl_arena_init(&a, 0);
    ev = tu_ev(&a, stream, type, json);
    b.events = &ev;
    rc = fl_log_append(log, &b, r);
    fl_arena_free(&a);
    return rc;
}

size_t tu_read(fl_log_t *log, const fl_log_query_t *q, fl_arena_t *a, fl_event_t **out)
{
    fl_log_cursor_t *c = NULL;
    size_t n = 0, cap = 16;
    fl_event_t *evs = malloc(cap * sizeof(*evs));
    int rc;

    ck_assert_ptr_nonnull(evs);
    ck_assert_int_eq(fl_log_cursor_open(log, q, &c), 0);
    while ((rc = fl_log_cursor_next(c, a, &evs[n])) == 1) {
        if (++n == cap) {
            cap *= 2;
            evs = realloc(evs, cap * sizeof(*evs));
            ck_assert_ptr_nonnull(evs);
        }
    }
    ck_assert_msg(rc == 0, "cursor_next at %llu: %s", (unsigned long long)fl_log_cursor_pos(c),
                  fl_strerror(rc));
    fl_log_cursor_close(c);
    *out = fl_arena_memdup(a, evs, n * sizeof(*evs) + 1);
    free(evs);
    return n;
}

void tu_own(fl_event_t *evs, size_t n, fl_arena_t *a)
{
    for (size_t i = 0; i < n; i++) {
        evs[i].raw = fl_arena_memdup(a, evs[i].raw, evs[i].raw_len);
        evs[i].data = fl_arena_memdup(a, evs[i].data, evs[i].data_len);
        ck_assert(evs[i].raw != NULL && evs[i].data != NULL);
    }
}

json_t *tu_data_json(const fl_event_t *ev)
{
    json_t *j = NULL;
    int rc = fl_codec_to_json(ev->data, ev->data_len, &j);

    ck_assert_msg(rc == 0, "data of %llu: %s", (unsigned long long)ev->pos, fl_strerror(rc));
    return j;
}

long long tu_data_int(const fl_event_t *ev, const char *key)
{
    json_t *j = tu_data_json(ev);
    json_t *m = json_object_get(j, key);
    long long v;

    ck_assert_msg(json_is_integer(m), "event %llu: data.%s is not an integer",
                  (unsigned long long)ev->pos, key);
    v = json_integer_value(m);
    json_decref(j);
    return v;
}

void tu_verify_ok(fl_log_t *log)
{
    uint64_t bad = 0;
    char msg[256] = "";
    int rc = fl_log_verify(log, &bad, msg, sizeof(msg));

    ck_assert_msg(rc == 0, "verify: %s at %llu: %s", fl_strerror(rc), (unsigned long long)bad, msg);
}

void tu_copy_file(const char *from, const char *to)
{
    char buf[65536];
    int in = open(from, O_RDONLY);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ssize_t n;

    ck_assert_msg(in >= 0 && out >= 0, "copy %s -> %s: %s", from, to, strerror(errno));
    while ((n = read(in, buf, sizeof(buf))) > 0)
        ck_assert_int_eq(write(out, buf, (size_t)n), n);
    ck_assert_int_eq(n, 0);
    close(in);
    ck_assert_int_eq(close(out), 0);
}

void tu_path(char *buf, size_t len, const char *dir, const char *name)
{
    int n = snprintf(buf, len, "%s/%s", dir, name);

    ck_assert(n > 0 && (size_t)n < len);
}

json_t *tu_json(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

    ck_assert_msg(j != NULL, "bad JSON in test: %s", err.text);
    return j;
}

bool tu_has_error(const fl_decision_t *d, const char *field)
{
    for (size_t i = 0; i < d->problem.n_errors; i++) {
        const char *f = d->errors[i].field;
        if ((f == NULL && field == NULL) || (f != NULL && field != NULL && strcmp(f, field) == 0))
            return true;
    }
    return false;
}

json_t *tu_event_data(const fl_decision_t *d, size_t i)
{
    json_t *j = NULL;

    ck_assert_uint_lt(i, d->n_events);
    ck_assert_int_eq(fl_codec_to_json(d->events[i].data, d->events[i].data_len, &j), 0);
    return j;
}

int64_t tu_expect_of(const fl_decision_t *d, const char *stream)
{
    for (size_t i = 0; i < d->n_expects; i++) {
        if (strcmp(d->expects[i].stream, stream) == 0)
            return d->expects[i].version;
    }
    ck_abort_msg("no expectation on %s", stream);
    return 0;
}

fl_cmd_ctx_t tu_ctx(fl_arena_t *a, fl_time_t now)
{
    return (fl_cmd_ctx_t){
        .a = a, .now = now, .tenant = "acme", .actor = "flctl:test", .request_id = "req-1"};
}

fl_event_t tu_event_of(const fl_log_new_t *e, uint64_t sv, fl_time_t ts)
{
    return (fl_event_t){.pos = sv,
                        .ts = ts,
                        .type = e->type,
                        .v = 1,
                        .stream = e->stream,
                        .sv = sv,
                        .actor = "",
                        .cid = "",
                        .corr = "",
                        .num = "",
                        .data = e->data,
                        .data_len = e->data_len};
}

fl_log_t *tu_open_temp(char **dir, fl_time_t *now)
{
    *dir = tu_mkdtemp();
    return tu_open(*dir, now, true);
}

void tu_close_temp(fl_log_t *log, char *dir)
{
    fl_log_close(log);
    tu_rmrf(dir);
    free(dir);
}

int tu_append_decision(fl_log_t *log, const fl_decision_t *d)
{
    fl_log_batch_t b = {.events = d->events,
                        .n_events = d->n_events,
                        .expects = d->expects,
                        .n_expects = d->n_expects};
    fl_log_result_t r;

    return fl_log_append(log, &b, &r);
}

fl_time_t tu_time(const char *text)
{
    fl_time_t t;

    ck_assert_int_eq(fl_time_parse(text, &t), 0);
    return t;
}

const char *tu_str(const json_t *data, const char *key)
{
    const json_t *v = json_object_get(data, key);

    return v == NULL ? "absent" : json_is_null(v) ? "null" : json_string_value(v);
}

void tu_sla_event(struct fl_sla_config *c, fl_arena_t *a, const char *type, const char *json,
                  int64_t seq)
{
    json_t *data = tu_json(json);

    ck_assert_int_eq(fl_sla_config_apply(c, a, type, data, seq, seq * 1000000), 0);
    json_decref(data);
}

/*
 * Helpers shared by the unit tests: temporary directories, a log opened with
 * an injected clock, event data written as JSON, and reading a log back.
 * Everything asserts with Check, so a helper failing fails the calling test.
 */
#ifndef FL_TEST_UTIL_H
#define FL_TEST_UTIL_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/arena.h"
#include "firelater/clock.h"
#include "firelater/domain.h"
#include "firelater/log.h"

/* Runs one suite, forked per test; returns the process exit status. */
int tu_run(Suite *s);

/* A fresh directory under the run's root in /tmp (malloc'd) and its recursive removal. */
char *tu_mkdtemp(void);
void tu_rmrf(const char *dir);

/* A clock the tests move by hand: fl_log_opts_t.clock with clock_ctx = &fl_time_t. */
fl_time_t tu_clock(void *ctx);

/* Opens dir with the injected clock *now (NULL: real clock); no_sync for speed. */
fl_log_t *tu_open(const char *dir, fl_time_t *now, bool no_sync);
fl_log_t *tu_open_opts(const char *dir, const fl_log_opts_t *opts);

/* JSON text to msgpack in the arena; asserts it is valid JSON. */
const uint8_t *tu_mp(fl_arena_t *a, const char *json, size_t *len);

/* An event for the stream and type with JSON data (v 1, no number). */
fl_log_new_t tu_ev(fl_arena_t *a, const char *stream, const char *type, const char *json);

/* Appends one event as its own batch; returns the batch's rc. */
int tu_append1(fl_log_t *log, const char *stream, const char *type, const char *json,
               fl_log_result_t *r);

/* tu_open in a fresh directory (*dir, malloc'd) with the clock *now, no_sync; and the
 * log's close with the directory's removal (dir freed). */
fl_log_t *tu_open_temp(char **dir, fl_time_t *now);
void tu_close_temp(fl_log_t *log, char *dir);

/* Appends a decision's events with its expectations as one batch; returns the batch's rc. */
int tu_append_decision(fl_log_t *log, const fl_decision_t *d);

/* Reads every event the query selects into an arena array; returns how many. */
size_t tu_read(fl_log_t *log, const fl_log_query_t *q, fl_arena_t *a, fl_event_t **out);

/*
 * Copies each event's raw and data bytes into the arena. log.h promises they
 * already live there (test_append checks it); suites about other subjects
 * call this before closing a log so that they keep testing their subject.
 */
void tu_own(fl_event_t *evs, size_t n, fl_arena_t *a);

/* The event's data as JSON (caller decrefs) and one integer member of it. */
json_t *tu_data_json(const fl_event_t *ev);
long long tu_data_int(const fl_event_t *ev, const char *key);

/* Asserts fl_log_verify passes. */
void tu_verify_ok(fl_log_t *log);

/* Copies a regular file; asserts success. */
void tu_copy_file(const char *from, const char *to);

/* dir + "/" + name into buf. */
void tu_path(char *buf, size_t len, const char *dir, const char *name);

/* Decisions, for the domain modules' suites. */

/* Parses JSON text (any value, NUL allowed in strings); asserts it is valid. */
json_t *tu_json(const char *text);

/* True when the decision's problem names field (NULL: an error without a field). */
bool tu_has_error(const fl_decision_t *d, const char *field);

/* The data of the decision's event i as JSON (caller decrefs); asserts it exists. */
json_t *tu_event_data(const fl_decision_t *d, size_t i);

/* The expected version the decision puts on stream; fails the test when it has none. */
int64_t tu_expect_of(const fl_decision_t *d, const char *stream);

/* A command context in tenant acme, acting as flctl:test, request req-1. */
fl_cmd_ctx_t tu_ctx(fl_arena_t *a, fl_time_t now);

/* The event a fold sees for a decision's event e at stream version sv (pos sv, at ts, v 1,
 * empty actor, ids and number); borrows e's strings and data. */
fl_event_t tu_event_of(const fl_log_new_t *e, uint64_t sv, fl_time_t ts);

/* Folds one sla:config event (JSON data) into c at version seq, time seq s; asserts it folds. */
struct fl_sla_config;
void tu_sla_event(struct fl_sla_config *c, fl_arena_t *a, const char *type, const char *json,
                  int64_t seq);

/* An RFC 3339 instant; asserts it parses. */
fl_time_t tu_time(const char *text);

/* data.<key> as text: a string's value, "null" for null, "absent" when not there. */
const char *tu_str(const json_t *data, const char *key);

#endif

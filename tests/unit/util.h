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

#endif

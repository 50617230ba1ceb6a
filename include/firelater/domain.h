/*
 * What every domain module shares: the context a command is decided in, and
 * the decision it produces (events to append with their expected stream
 * versions, or a user's error as a problem).
 *
 * decide functions are pure: no I/O, no clock (ctx->now), memory only from
 * ctx->a. So replaying history gives exactly the same results.
 */
#ifndef FIRELATER_DOMAIN_H
#define FIRELATER_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "firelater/arena.h"
#include "firelater/clock.h"
#include "firelater/http.h"
#include "firelater/log.h"

#define FL_UUID_LEN 36 /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" without NUL */

typedef struct fl_cmd_ctx {
    fl_arena_t *a;
    fl_time_t now;
    const char *tenant;     /* slug */
    const char *actor;      /* "user:<uuid>", "apikey:<id>", "system", "flctl:<name>" */
    const char *actor_id;   /* the user's uuid, or NULL */
    const char *request_id; /* becomes the events' cid */
    const char *corr;       /* correlation id, may be NULL */
    const char *client;     /* client address, for the audit trail; may be NULL */
    const char *user_agent; /* may be NULL */
} fl_cmd_ctx_t;

/* 64: a bundle request of FL_REQ_MAX_CHILDREN children takes 2 + 2 x 20 events and as many
 * expectations as streams (src/domain/requests/README.md "Bundles"). */
#define FL_DECISION_MAX_EVENTS  64
#define FL_DECISION_MAX_EXPECTS 64
#define FL_DECISION_MAX_ERRORS  32

typedef struct fl_decision {
    fl_log_new_t events[FL_DECISION_MAX_EVENTS];
    size_t n_events;
    fl_log_expect_t expects[FL_DECISION_MAX_EXPECTS];
    size_t n_expects;
    /* Set when the command is refused: the HTTP status and the problem. */
    int status;
    /*
     * A refusal whose events must still be recorded (a reused refresh token
     * revokes its family, then the request is refused): append, then answer
     * with the problem.
     */
    bool keep_events;
    fl_problem_t problem;
    fl_problem_error_t errors[FL_DECISION_MAX_ERRORS];
    /* What the response should show: the entity after the events (owned by the decision). */
    json_t *result;
    const char *location; /* "/api/v1/users/<id>" for a 201, in the arena */
} fl_decision_t;

void fl_decision_init(fl_decision_t *d);
void fl_decision_release(fl_decision_t *d); /* drops result */

/*
 * Adds an event: data is encoded to msgpack in ctx->a (the reference is
 * stolen). number: NULL or a prefix ("ISS") for the log to allocate.
 * Returns 0 or FL_ETOOBIG when the decision is full.
 */
int fl_decision_emit(fl_decision_t *d, const fl_cmd_ctx_t *ctx, const char *stream,
                     const char *type, json_t *data, const char *number);

/* The stream must be at this version (FL_LOG_NO_STREAM for a new one) when appended. */
int fl_decision_expect(fl_decision_t *d, const char *stream, int64_t version);

/* Refuses the command; title and detail are borrowed. Returns FL_EINVAL for chaining. */
int fl_decision_fail(fl_decision_t *d, int status, const char *title, const char *detail);

/* Refuses with status and title, naming field (message, or the title) when field is not NULL.
 * Returns FL_EINVAL. */
int fl_decision_refuse(fl_decision_t *d, int status, const char *title, const char *field,
                       const char *message);

/*
 * fl_decision_emit on stream, first expecting it at version expected (FL_LOG_ANY: no
 * expectation). stream NULL (an arena past its budget) is FL_ETOOBIG; data is stolen either way.
 */
int fl_decision_emit_at(fl_decision_t *d, const fl_cmd_ctx_t *ctx, const char *stream,
                        int64_t expected, const char *type, json_t *data);

/* Collects a field error (422 "validation failed" unless a status was already set). */
void fl_decision_field(fl_decision_t *d, const char *field, const char *message);

bool fl_decision_failed(const fl_decision_t *d);

/*
 * Rewrites the data of d's events on stream in order, as the SLA stamps do: each such event
 * with data is decoded and given to step, which folds it (arg is its state) and sets *stamp
 * when the event wants stamps; then, if the data is an object, stamp adds them to it and the
 * event's data is encoded again in ctx->a. Events of other streams, and without data, are
 * left alone. 0, or the first error of step or of the codec (FL_ETOOBIG, FL_ECORRUPT).
 */
typedef int (*fl_decision_step_fn)(void *arg, const fl_log_new_t *e, const json_t *data,
                                   bool *stamp);
typedef void (*fl_decision_stamp_fn)(void *arg, json_t *data);
int fl_decision_restamp(fl_decision_t *d, const fl_cmd_ctx_t *ctx, const char *stream,
                        fl_decision_step_fn step, fl_decision_stamp_fn stamp, void *arg);

/* Characters (code points) of a UTF-8 string. */
size_t fl_utf8_chars(const char *s);

/* True when s[0..len) holds an ASCII control character (NUL included); tab, CR, LF allowed
 * when allow_newlines. */
bool fl_text_has_control(const char *s, size_t len, bool allow_newlines);

/* A query parameter that must be an integer from 1 to max (100 or 1000000): NULL with *out
 * set, or why it is refused. */
const char *fl_param_count(const char *v, long max, long *out);

/*
 * A list's query parameters (params.c). Each of query's names must be one of known (at
 * most FL_PARAMS_MAX of them) and given once; check then says why known[k]'s value is
 * refused, or NULL. An unknown name is refused under its own name (its first 200 bytes,
 * copied into a; "?" when a is full) with "is not a known parameter", or with what
 * unknown (optional) says. Every refusal goes to d as a field error.
 */
#define FL_PARAMS_MAX 64
typedef struct fl_params {
    const char *const *known;
    size_t n_known;
    const char *(*check)(void *arg, size_t k, const char *value);
    const char *(*unknown)(void *arg, const char *name);
    void *arg;
} fl_params_t;
void fl_params_check(const fl_params_t *spec, const fl_http_param_t *query, size_t n, fl_arena_t *a,
                     fl_decision_t *d);

/* Practical email syntax: local@domain.tld, at most max bytes, no NUL. */
bool fl_email_is_valid(const char *s, size_t len, size_t max);

/* JSON for responses: a string or null, an RFC 3339 time or null (0), and an entity's version:
 * stream_version when it holds digits only, else folded. New references. */
json_t *fl_json_str_or_null(const char *s);
json_t *fl_json_time_or_null(fl_time_t t);
json_t *fl_json_version(uint64_t folded, const char *stream_version);

/* Rows of the read queries (PostgreSQL builds each row's JSON): row's column j parsed (NULL when
 * null or absent), and a paged statement's rows as {data, meta: {page, per_page, total}} with
 * total from column _total. New references. */
struct fl_store_res;
json_t *fl_json_row(const struct fl_store_res *r, int row);
json_t *fl_json_page(const struct fl_store_res *r, long page, long per_page);

/* The read queries' SQL text (sql.c): printf-style text appended to buf (len of cap bytes
 * used), and " AND term" with every "$?" in term written as $param. The text is the module's
 * own words: running out of room is fl_assert. */
__attribute__((format(printf, 4, 5))) void fl_sql_put(char *buf, size_t *len, size_t cap,
                                                      const char *fmt, ...);
void fl_sql_and(char *buf, size_t *len, size_t cap, const char *term, int param);

/* A page's LIMIT (per_page) and OFFSET ((page - 1) * per_page) as text, in the arena, appended
 * to params (*nparams grows by two). 0 or FL_ETOOBIG. */
int fl_sql_page_params(fl_arena_t *a, long page, long per_page, const char **params, int *nparams);

/*
 * A paged list over one table aliased a (key a.id): {_total, j} rows, j the JSON of the page's
 * rows in sort order (then a.id), or one row with j null past the end. where is " AND ..."
 * terms (may be ""); count, count_from and count_base default to count(*), from and base.
 * LIMIT is $limit, OFFSET $limit + 1 (fl_sql_page_params). All strings are borrowed.
 */
typedef struct fl_sql_page {
    const char *json; /* the page's columns over a, "... AS j" */
    const char *from; /* "issues a" */
    const char *base; /* the WHERE every row meets: "true", "a.deleted_at IS NULL" */
    const char *where;
    const char *sort; /* an expression over a */
    const char *count, *count_from, *count_base;
    bool desc, nulls_last;
    int limit;
} fl_sql_page_t;
void fl_sql_page(char *buf, size_t *len, size_t cap, const fl_sql_page_t *p);

/* A new random (v4) UUID, in the arena. */
char *fl_uuid_new(fl_arena_t *a);
bool fl_uuid_is_valid(const char *s);

#endif

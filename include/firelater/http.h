/*
 * The HTTP/1.1 layer: a server on one libuv loop (llhttp parses), a router
 * over a static route table, requests that own an arena, JSON and
 * problem+json (RFC 9457) responses, limits, and a JSON access log.
 *
 * Everything runs on the loop's thread; no function here is thread-safe.
 * A handler must answer every request it is given exactly once, with one of
 * the fl_http_respond* functions, either before it returns or later from
 * another callback on the same loop. The request and its arena stay alive
 * until then, even when the client has gone (see fl_http_req_gone).
 */
#ifndef FIRELATER_HTTP_H
#define FIRELATER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <uv.h>

#include "firelater/arena.h"
#include "firelater/clock.h"

typedef struct fl_http_server fl_http_server_t;
typedef struct fl_http_req fl_http_req_t;

/* ---------------------------------------------------------------- problems */

typedef struct fl_problem_error {
    const char *field;   /* "email", "form_data.priority"; NULL for the whole body */
    const char *message; /* "must be a valid address" */
} fl_problem_error_t;

/*
 * A user's error, as data (RFC 9457). All strings are borrowed; NULL members
 * are left out, except type ("about:blank") and title (the status's reason).
 */
typedef struct fl_problem {
    const char *slug;   /* type = https://firelater.dev/problems/<slug>; NULL = about:blank */
    const char *title;  /* short, lower-case: "validation failed" */
    const char *detail; /* a sentence about this occurrence */
    const fl_problem_error_t *errors;
    size_t n_errors;
} fl_problem_t;

/* The problem as a JSON object the caller must json_decref; request_id may be NULL. */
json_t *fl_problem_to_json(const fl_problem_t *p, int status, const char *request_id);

/* The lower-case reason for a status ("not found"); "unknown status" if none. */
const char *fl_http_status_reason(int status);

/* ---------------------------------------------------------------- requests */

typedef struct fl_http_header {
    const char *name; /* as the client spelt it */
    const char *value;
} fl_http_header_t;

typedef struct fl_http_param {
    const char *name;
    const char *value; /* percent-decoded */
} fl_http_param_t;

typedef struct fl_http_route fl_http_route_t;

#define FL_HTTP_REQUEST_ID_MAX 64

/*
 * A parsed request. Every pointer here lives in `arena` and is valid until the
 * request is answered; handlers allocate from the same arena. Read-only for
 * handlers except tenant, user and ctx.
 */
struct fl_http_req {
    fl_arena_t arena;
    const char *method;           /* "GET"; "HEAD" stays "HEAD" when a GET route serves it */
    const char *path;             /* percent-decoded, without the query */
    const char *raw_path;         /* as sent, without the query */
    const fl_http_param_t *query; /* in order; a key may repeat */
    size_t n_query;
    const fl_http_header_t *headers;
    size_t n_headers;
    const uint8_t *body; /* NUL-terminated for convenience; body_len excludes it */
    size_t body_len;
    const fl_http_param_t *params; /* path parameters of the matched route */
    size_t n_params;
    const fl_http_route_t *route; /* NULL until routed */
    char remote[64];              /* "127.0.0.1:53422" */
    char request_id[FL_HTTP_REQUEST_ID_MAX + 1];
    fl_time_t start;    /* when the first byte of the request was parsed */
    uint8_t http_minor; /* 1.0 or 1.1 */
    const char *tenant; /* set by the handler for the access log; NULL = null */
    const char *user;
    void *ctx; /* the server's cfg.ctx */
};

/* The first header named name (case-insensitive), or NULL. */
const char *fl_http_header(const fl_http_req_t *req, const char *name);

/* The first query value for key, or NULL. Iterate req->query for repeated keys. */
const char *fl_http_query(const fl_http_req_t *req, const char *key);

/* A path parameter of the matched route ("{id}"), decoded, or NULL. */
const char *fl_http_param(const fl_http_req_t *req, const char *name);

/* Decodes %XX (not '+') of s[0..len) into a: 0, FL_EINVAL (a bad escape or %00), FL_ETOOBIG. */
int fl_http_percent_decode(fl_arena_t *a, const char *s, size_t len, char **out);

/* True when the client disconnected before the response; responding stays required. */
bool fl_http_req_gone(const fl_http_req_t *req);

/*
 * Parses the body as a JSON object or array. On failure it has already
 * answered (415 when the Content-Type is not application/json, 400 when the
 * text is not JSON) and returns FL_EINVAL. *out is the caller's to json_decref.
 */
int fl_http_read_json(fl_http_req_t *req, json_t **out);

/* ---------------------------------------------------------- streamed bodies */

/*
 * Where a streamed body goes (routes with stream_body). data gets the body's
 * bytes in order, borrowed until it returns (copy them). end is called once,
 * unless the request was answered before: status 0 when the body is complete,
 * else the status the handler should answer with because the body will not
 * complete (413 over the limit, 408 too slow, 400 malformed, 499 the client
 * left). The handler must still answer the request, also after end, and may
 * do so later (after deleting a temporary file, say); an answer given before
 * the body is complete ends the connection.
 */
typedef struct fl_http_body_sink {
    void (*data)(fl_http_req_t *req, const void *bytes, size_t len, void *arg);
    void (*end)(fl_http_req_t *req, int status, void *arg);
    void *arg;
} fl_http_body_sink_t;

/*
 * For a stream_body route: starts the body's flow into sink (copied). A
 * pending "Expect: 100-continue" is answered now, so a handler that refuses
 * (401, 415) before calling this never makes the client send the body.
 */
void fl_http_body_stream(fl_http_req_t *req, const fl_http_body_sink_t *sink);

/*
 * Backpressure for a slow sink: no more body bytes are read (beyond those
 * already received) until resume; the body-rate deadline is held meanwhile.
 */
void fl_http_body_pause(fl_http_req_t *req);
void fl_http_body_resume(fl_http_req_t *req);

/* --------------------------------------------------------------- responses */

/*
 * Adds a response header. name and value are copied into the arena.
 * FL_EINVAL if either holds CR, LF or NUL, or the name is one the server
 * sets itself (Content-Length, Connection, Transfer-Encoding).
 */
int fl_http_set_header(fl_http_req_t *req, const char *name, const char *value);

/*
 * Answers the request: the bytes are copied, the response is queued behind
 * any earlier one on the connection, the access log line is written, and the
 * request (arena included) is released: req is invalid after the call.
 * Returns 0, or -EPIPE when the client had gone (nothing is sent).
 */
int fl_http_respond(fl_http_req_t *req, int status, const char *content_type, const void *bytes,
                    size_t len);

/*
 * Answers with the bytes [offset, offset + len) of the open file fd, sent
 * in 64 KiB chunks read on libuv's thread pool, one chunk in memory at a
 * time (src/http/file.c). The server owns fd from this call on and closes
 * it on every path (sent, HEAD, client gone, a read error). Content-Length
 * is len; a file found shorter than len ends the connection. The
 * connection takes its next request once the file is sent. The access
 * log's bytes are len. Returns as fl_http_respond.
 */
int fl_http_respond_file(fl_http_req_t *req, int status, const char *content_type, int fd,
                         uint64_t offset, uint64_t len);

/* Answers with body serialized compactly, Content-Type application/json. Steals body. */
int fl_http_respond_json(fl_http_req_t *req, int status, json_t *body);

/* Answers with application/problem+json. */
int fl_http_respond_problem(fl_http_req_t *req, int status, const fl_problem_t *p);

/* A problem with the status's reason as title and detail (may be NULL). */
int fl_http_respond_error(fl_http_req_t *req, int status, const char *detail);

/* ------------------------------------------------------ conditional requests */

/*
 * Whether an If-None-Match value names etag (a quoted tag, "\"...\"") or is
 * "*": RFC 9110's weak comparison, so W/ is ignored on either side. NULL, or
 * a list that is not one of quoted tags separated by commas, is false.
 */
bool fl_http_none_match(const char *inm, const char *etag);

/*
 * A Range header against a representation of size bytes (RFC 9110 14.2):
 * 206 with the bytes [*off, *off + *len), 416 when the one range starts at or
 * past the end (or is "-0"), or 0 to send it all: no header, another unit,
 * several ranges, or a malformed one (all of which RFC 9110 lets a server
 * ignore). A last position past the end is clamped to it; numbers too large
 * for 64 bits count as past the end. The unit is case-insensitive; only
 * spaces or tabs around the whole value are allowed.
 */
int fl_http_parse_range(const char *h, uint64_t size, uint64_t *off, uint64_t *len);

/* ------------------------------------------------------------------ router */

/*
 * A handler answers now or later. A negative return (an FL_ code or -errno)
 * before answering makes the server answer with fl_err_status(rc) as a
 * problem; 0 means "answered, or will answer".
 */
typedef int (*fl_http_handler_fn)(fl_http_req_t *req);

/* One entry of a static route table. Patterns are "/api/v1/users/{id}/password". */
struct fl_http_route {
    const char *method; /* upper case: "GET", "POST", ... */
    const char *pattern;
    fl_http_handler_fn handler;
    const void *meta; /* the application's (permissions); the server ignores it */
    /*
     * The body is streamed, not buffered: the handler runs as soon as the
     * headers are in and takes the body with fl_http_body_stream, within
     * max_stream_bytes instead of max_body_bytes.
     */
    bool stream_body;
};

#define FL_HTTP_MAX_PARAMS 8

typedef struct fl_http_router {
    const fl_http_route_t *routes; /* borrowed; must outlive the router */
    size_t n_routes;
} fl_http_router_t;

/*
 * Checks the table: every pattern starts with '/', a {param} fills a whole
 * segment, at most FL_HTTP_MAX_PARAMS each, no method+pattern twice.
 * Returns 0 or FL_EINVAL (and logs nothing: the caller names the table).
 */
int fl_http_router_init(fl_http_router_t *r, const fl_http_route_t *routes, size_t n);

typedef struct fl_http_match {
    const fl_http_route_t *route; /* NULL: see status */
    int status;                   /* 0 (matched), 404, or 405 */
    char allow[128];              /* for 405: "GET, HEAD, POST" */
    fl_http_param_t params[FL_HTTP_MAX_PARAMS];
    size_t n_params; /* values are decoded into the arena */
} fl_http_match_t;

/*
 * Matches method and raw path (percent-encoded, no query). Literal segments
 * win over parameters in table order; HEAD falls back to GET. Returns 0, or
 * FL_EINVAL when a segment's percent-encoding is bad.
 */
int fl_http_router_match(const fl_http_router_t *r, const char *method, const char *raw_path,
                         fl_arena_t *a, fl_http_match_t *m);

/* Calls fn for every route in table order (the OpenAPI test lists them). */
void fl_http_router_each(const fl_http_router_t *r,
                         void (*fn)(const fl_http_route_t *route, void *ctx), void *ctx);

/* ------------------------------------------------------------------ server */

typedef struct fl_http_config {
    const fl_http_router_t *router; /* required; borrowed */
    void *ctx;                      /* copied into every req->ctx */
    size_t max_header_bytes;        /* request line + headers; 0 = 16 KiB (-> 431) */
    size_t max_headers;             /* 0 = 100 (-> 431) */
    size_t max_body_bytes;          /* 0 = 1 MiB (-> 413) */
    size_t max_stream_bytes;        /* a stream_body route's body; 0 = 25 MiB (-> 413) */
    uint64_t stream_timeout_ms;     /* ... first byte to end of its body; 0 = 10 min (-> 408) */
    unsigned max_connections;       /* 0 = 10000; more are answered 503 and closed */
    uint64_t request_timeout_ms;    /* first byte to complete request; 0 = 30 s (-> 408) */
    uint64_t header_timeout_ms;     /* first byte to end of headers; 0 = 10 s (-> 408) */
    uint64_t idle_timeout_ms;       /* keep-alive with no request; 0 = 75 s (closed) */
    uint64_t body_interval_ms;      /* body progress is checked this often; 0 = 5 s */
    size_t body_min_bytes;          /* ... and must grow this much; 0 = 1024 (-> 408) */
    uint64_t send_timeout_ms;       /* a response write making no progress; 0 = 30 s */
    uint64_t linger_ms;             /* draining input after a final response; 0 = 2 s */
    FILE *access_log;               /* one JSON line per request; NULL = off */
} fl_http_config_t;

/*
 * Prepares the server on loop; cfg is copied (the router and FILE are
 * borrowed). Returns 0 or FL_EINVAL. Nothing runs until fl_http_server_listen.
 */
int fl_http_server_init(fl_http_server_t **out, uv_loop_t *loop, const fl_http_config_t *cfg);

/* Binds "127.0.0.1:8080", "[::1]:8080" or "0.0.0.0:0" and listens. -errno or FL_EINVAL. */
int fl_http_server_listen(fl_http_server_t *srv, const char *addr);

/* The bound port (useful with port 0), or 0 when not listening. */
int fl_http_server_port(const fl_http_server_t *srv);

typedef void (*fl_http_shutdown_cb)(fl_http_server_t *srv, void *arg);

/*
 * Stops accepting, closes idle connections, lets requests in flight be
 * answered (then closes their connections), and calls cb from the loop once
 * every connection is closed and every request answered.
 */
void fl_http_server_shutdown(fl_http_server_t *srv, fl_http_shutdown_cb cb, void *arg);

/* Frees the server: after the shutdown callback, or when it never listened. */
void fl_http_server_free(fl_http_server_t *srv);

#endif

/*
 * Shared internals of src/http. See README.md for the invariants.
 */
#ifndef FL_HTTP_INTERNAL_H
#define FL_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <llhttp.h>
#include <uv.h>

#include "firelater/buf.h"
#include "firelater/http.h"

#define fl__container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

typedef struct fl__http_conn fl__http_conn_t;
typedef struct fl__http_file fl__http_file_t;

/* Where an exchange (one request and its answer) stands. */
typedef enum {
    EX_IDLE,    /* no byte of a request parsed yet */
    EX_HEAD,    /* request line and headers */
    EX_BODY,    /* headers complete, body arriving */
    EX_READY,   /* message complete, not yet dispatched */
    EX_STREAM,  /* a stream_body route: dispatched at the headers, its body flowing to a sink */
    EX_HANDLER, /* dispatched, waiting for fl_http_respond* */
    EX_DONE,    /* answered; the connection resets it before parsing on */
} fl__http_ex_state_t;

/* One request and everything it owns; outlives its connection when gone. */
typedef struct fl__http_ex {
    fl_http_req_t req;     /* first: handlers only see this */
    fl__http_conn_t *conn; /* NULL once gone */
    fl_http_server_t *srv;
    fl__http_ex_state_t state;
    fl_buf_t tok; /* the URL or header token being parsed, across reads */
    fl_buf_t body;
    const char *hname; /* the header name waiting for its value */
    fl_http_header_t *hdrs;
    size_t hdrs_cap;
    struct fl__http_rh *resp_headers; /* fl_http_set_header's list, newest first */
    size_t head_bytes;                /* request line and headers so far */
    int err_status;                   /* a limit a parser callback hit: 413, 431, 400 */
    const char *err_detail;
    bool keep_alive;  /* from llhttp after the message */
    bool close_after; /* the answer ends the connection */
    bool expect_continue;
    /* The route, matched when the headers are complete (a streamed body needs it then). */
    fl_http_match_t match;
    int match_rc;
    size_t body_seen; /* body bytes parsed, buffered or streamed */
    /* A streamed body (route->stream_body): see stream.c. */
    bool stream, sink_set, paused, body_done, continue_sent, empty_fed;
    int end_pending; /* the client left before the sink was set: end(499) once it is */
    fl_http_body_sink_t sink;
    int64_t begin_ms;   /* uv_now at the first byte */
    int64_t start_mono; /* µs, for duration_us */
} fl__http_ex_t;

typedef struct fl__http_rh {
    struct fl__http_rh *next;
    const char *name, *value;
} fl__http_rh_t;

struct fl__http_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_shutdown_t shut;
    fl_http_server_t *srv;
    fl__http_conn_t *prev, *next; /* the server's list */
    llhttp_t parser;
    fl__http_ex_t *ex;
    char *in; /* bytes read and not yet parsed: in[off, len) */
    size_t in_off, in_len, in_cap;
    size_t writes; /* uv_write requests in flight */
    int64_t idle_ms, write_ms, linger_ms, body_mark_ms;
    size_t body_mark, body_need;
    int handles;      /* open handles; freed at 0 */
    bool in_loop;     /* inside fl__http_conn_process: respond must not re-enter it */
    bool close_after; /* start no new request; close once the current one is answered */
    bool peer_eof;    /* the client sent FIN: no more input */
    bool broken;      /* a write failed to queue: close at the next chance */
    bool lingering, closing, reading, rejected;
    fl__http_file_t *file; /* a file answer being sent (file.c): no next request until done */
};

struct fl_http_server {
    uv_loop_t *loop;
    uv_tcp_t *listener; /* heap: its close callback may run after fl_http_server_free */
    fl_http_config_t cfg;
    llhttp_settings_t settings;
    fl__http_conn_t *conns;
    unsigned n_conns;    /* every open connection */
    unsigned n_rejected; /* of which answered 503 */
    size_t n_ex;         /* exchanges alive, gone ones included */
    size_t n_files;      /* file answers alive (their fd open), detached ones included */
    bool shutting_down;
    fl_http_shutdown_cb shutdown_cb;
    void *shutdown_arg;
    int64_t date_sec;
    char date[40]; /* "Date: Sun, 06 Nov 1994 08:49:37 GMT" */
    /* Generated request ids: a random prefix per server and a counter (no syscall each). */
    char rid_prefix[17];
    uint64_t rid_next;
};

/* parse.c: llhttp callbacks and the request target. */
void fl__http_settings_init(llhttp_settings_t *s);
int fl__http_parse_target(fl_http_req_t *req, const char *url, size_t len);
int fl__http_percent_decode(fl_arena_t *a, const char *s, size_t len, bool plus, char **out);
void fl__http_request_id(fl__http_ex_t *ex);

/* exchange.c: the request's life. */
fl__http_ex_t *fl__http_ex_new(fl__http_conn_t *conn);
void fl__http_ex_reset(fl__http_ex_t *ex);
void fl__http_ex_free(fl__http_ex_t *ex);
void fl__http_route(fl__http_ex_t *ex);
void fl__http_dispatch(fl__http_ex_t *ex);

/* stream.c: a streamed body's end (0 complete, else the status to answer). */
void fl__http_stream_end(fl__http_ex_t *ex, int status);

/*
 * file.c: a file answer. new takes fd (closed on every path); start sends it
 * on c after the head; release drops one never started (NULL is fine);
 * detach is the connection closing under it.
 */
fl__http_file_t *fl__http_file_new(fl_http_server_t *srv, int fd, uint64_t offset, uint64_t len);
void fl__http_file_start(fl__http_conn_t *c, fl__http_file_t *f);
void fl__http_file_release(fl__http_file_t *f);
void fl__http_file_detach(fl__http_conn_t *c);

/* conn.c: a connection's input, timers and closing. */
void fl__http_conn_accept(fl_http_server_t *srv);
void fl__http_conn_process(fl__http_conn_t *c);
void fl__http_conn_close(fl__http_conn_t *c);

/* limits.c: the per-connection deadlines. */
void fl__http_conn_arm(fl__http_conn_t *c);
void fl__http_conn_mark_body(fl__http_conn_t *c);
/* Queues head then body (copied into one block) behind earlier writes. */
void fl__http_conn_write(fl__http_conn_t *c, const void *head, size_t hlen, const void *body,
                         size_t blen);
void fl__http_conn_shutdown(fl__http_conn_t *c);

/* server.c */
void fl__http_server_check_done(fl_http_server_t *srv);
const char *fl__http_date(fl_http_server_t *srv);

/* problem.c: the status line's reason phrase ("Not Found"). */
const char *fl__http_status_phrase(int status);

/* response.c: answers made by the server itself. */
void fl__http_respond_server_error(fl__http_ex_t *ex, int status, const char *detail);

#endif

/*
 * Streamed request bodies (routes with stream_body). The parser pauses at
 * the end of the headers; conn.c dispatches the handler then, before any
 * body byte is parsed. The handler answers at once (a refusal: the
 * connection then closes, the body unread) or sets a sink with
 * fl_http_body_stream; from then on each parsed span of the body goes to
 * sink.data, and sink.end is called once: at the end of the body, or with
 * the status to answer when it will not complete (limit, timeout, malformed,
 * client gone). The handler owns the answer throughout, so whatever it has
 * in flight (a file write on the thread pool) never outlives the request.
 *
 * Backpressure: while paused, conn.c stops feeding the parser, so reading
 * stops once the connection's input buffer is full (about 80 KiB).
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

void fl__http_stream_end(fl__http_ex_t *ex, int status)
{
    fl_http_body_sink_t *k = &ex->sink;

    fl_assert(ex->state == EX_STREAM);
    if (!ex->sink_set) {
        /* The handler has not taken the body yet: it hears when it does. */
        ex->end_pending = status;
        return;
    }
    ex->state = EX_HANDLER;
    if (status != 0)
        ex->close_after = true;
    k->end(&ex->req, status, k->arg);
}

void fl_http_body_stream(fl_http_req_t *req, const fl_http_body_sink_t *sink)
{
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    fl__http_ex_t *ex = (fl__http_ex_t *)req;
    fl__http_conn_t *c = ex->conn;

    fl_assert(ex->state == EX_STREAM && !ex->sink_set && sink->end != NULL);
    ex->sink = *sink;
    ex->sink_set = true;
    if (ex->end_pending != 0 || c == NULL) {
        fl__http_stream_end(ex, ex->end_pending != 0 ? ex->end_pending : 499);
        return;
    }
    if (ex->expect_continue && !ex->continue_sent) {
        ex->continue_sent = true;
        fl__http_conn_write(c, cont, sizeof(cont) - 1, NULL, 0);
    }
    fl__http_conn_mark_body(c);
    if (!c->in_loop)
        fl__http_conn_process(c);
}

void fl_http_body_pause(fl_http_req_t *req)
{
    fl__http_ex_t *ex = (fl__http_ex_t *)req;

    ex->paused = true;
}

void fl_http_body_resume(fl_http_req_t *req)
{
    fl__http_ex_t *ex = (fl__http_ex_t *)req;
    fl__http_conn_t *c = ex->conn;

    if (!ex->paused)
        return;
    ex->paused = false;
    if (c == NULL || ex->state != EX_STREAM)
        return;
    fl__http_conn_mark_body(c);
    if (!c->in_loop)
        fl__http_conn_process(c);
}

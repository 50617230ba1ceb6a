/*
 * A connection: reading, feeding llhttp one request at a time, writing, the
 * timers that bound every phase, and closing.
 *
 * Pipelining keeps order because the parser pauses at the end of each
 * message (on_message_complete returns HPE_PAUSED): the next request is not
 * parsed until the current one is answered, so answers are queued in request
 * order. Bytes behind the paused message wait in c->in.
 *
 * Closing after a final answer is a lingering close (nginx): shut down our
 * side, then read and discard until the client's FIN or linger_ms. Closing
 * with unread input would send a RST that can destroy the answer in flight.
 */
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define READ_CHUNK (16 * 1024)
#define WRITE_HIGH (256 * 1024) /* queued answer bytes above which parsing pauses */

typedef struct wreq {
    uv_write_t w;
    fl__http_conn_t *c;
    char data[];
} wreq_t;

static void settle(fl__http_conn_t *c);

static int64_t now_ms(const fl__http_conn_t *c)
{
    return (int64_t)uv_now(c->srv->loop);
}

static void on_close(uv_handle_t *h)
{
    fl__http_conn_t *c = h->data;
    fl_http_server_t *srv = c->srv;

    if (--c->handles > 0)
        return;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    srv->n_conns--;
    if (c->rejected)
        srv->n_rejected--;
    free(c->in);
    free(c);
    fl__http_server_check_done(srv);
}

/* Closes at once. A request its handler still holds is detached, not freed: respond frees it. */
void fl__http_conn_close(fl__http_conn_t *c)
{
    fl__http_ex_t *ex = c->ex;
    bool streaming = ex != NULL && ex->state == EX_STREAM;

    if (c->closing)
        return;
    c->closing = true;
    c->ex = NULL;
    fl__http_file_detach(c);
    uv_close((uv_handle_t *)&c->tcp, on_close);
    uv_close((uv_handle_t *)&c->timer, on_close);
    if (ex != NULL && (ex->state == EX_HANDLER || ex->state == EX_STREAM))
        ex->conn = NULL;
    else if (ex != NULL)
        fl__http_ex_free(ex);
    /* A streamed body cut short: the handler hears of it and still answers (499). */
    if (streaming)
        fl__http_stream_end(ex, 499);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    fl__http_conn_t *c = h->data;

    (void)hint;
    if (c->in_off > 0) {
        memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
        c->in_len -= c->in_off;
        c->in_off = 0;
    }
    if (c->in_cap - c->in_len < READ_CHUNK) {
        c->in_cap = c->in_len + READ_CHUNK;
        c->in = realloc(c->in, c->in_cap);
        if (c->in == NULL)
            fl_oom();
    }
    *buf = uv_buf_init(c->in + c->in_len, (unsigned)(c->in_cap - c->in_len));
}

/*
 * The client's FIN. Between requests it means "no more": finish what is
 * queued, then close. While a handler works it means the client gave up
 * (nginx's 499): close now and let the handler's answer be dropped.
 */
static void on_eof(fl__http_conn_t *c, ssize_t err)
{
    fl__http_ex_state_t st = c->ex->state;

    if (err != UV_EOF || c->lingering || (st != EX_IDLE && st != EX_DONE)) {
        fl__http_conn_close(c);
        return;
    }
    c->peer_eof = true;
    fl__http_conn_process(c);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    fl__http_conn_t *c = s->data;

    (void)buf;
    if (n < 0) {
        on_eof(c, n);
        return;
    }
    if (c->lingering) {
        c->in_off = c->in_len = 0;
        return;
    }
    c->in_len += (size_t)n;
    fl__http_conn_process(c);
}

static void set_reading(fl__http_conn_t *c, bool on)
{
    if (on == c->reading)
        return;
    if (on && uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0) {
        c->broken = true;
        return;
    }
    if (!on)
        uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = on;
}

static void on_write(uv_write_t *w, int status)
{
    wreq_t *wr = fl__container_of(w, wreq_t, w);
    fl__http_conn_t *c = wr->c;

    free(wr);
    c->writes--;
    if (c->closing)
        return;
    c->write_ms = now_ms(c);
    if (status < 0) {
        fl__http_conn_close(c);
        return;
    }
    fl__http_conn_process(c);
}

/*
 * Writes at once when nothing is queued (most answers fit the socket buffer):
 * one write(2), no request, no callback and no epoll_ctl from libuv's write
 * queue. Whatever the socket did not take goes through uv_write, whose
 * on_write resumes processing. A complete synchronous write needs nothing
 * more: the caller (respond, or the processing loop itself) goes on.
 */
void fl__http_conn_write(fl__http_conn_t *c, const void *head, size_t hlen, const void *body,
                         size_t blen)
{
    uv_buf_t b[2] = {uv_buf_init((char *)head, (unsigned)hlen),
                     uv_buf_init((char *)body, (unsigned)blen)};
    size_t done = 0, rest;
    wreq_t *wr;
    uv_buf_t w;

    if (c->writes == 0) {
        int n = uv_try_write((uv_stream_t *)&c->tcp, b, blen > 0 ? 2 : 1);
        if (n < 0 && n != UV_EAGAIN && n != UV_ENOSYS) {
            c->broken = true;
            return;
        }
        done = n > 0 ? (size_t)n : 0;
        if (done == hlen + blen)
            return;
    }
    rest = hlen + blen - done;
    wr = malloc(sizeof(*wr) + rest);
    if (wr == NULL)
        fl_oom();
    wr->c = c;
    if (done < hlen) {
        memcpy(wr->data, (const char *)head + done, hlen - done);
        if (blen > 0)
            memcpy(wr->data + hlen - done, body, blen);
    } else {
        memcpy(wr->data, (const char *)body + (done - hlen), rest);
    }
    w = uv_buf_init(wr->data, (unsigned)rest);
    if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, &w, 1, on_write) < 0) {
        free(wr);
        c->broken = true;
        return;
    }
    if (c->writes++ == 0)
        c->write_ms = now_ms(c);
}

/* A parse error or a limit: answer once and end the connection. */
static void parse_error(fl__http_conn_t *c)
{
    fl__http_ex_t *ex = c->ex;
    int status = ex->err_status != 0 ? ex->err_status : 400;
    const char *detail = ex->err_detail;

    if (detail == NULL)
        detail = fl_arena_strndup(&ex->req.arena, llhttp_get_error_reason(&c->parser),
                                  strlen(llhttp_get_error_reason(&c->parser)));
    c->in_off = c->in_len;
    if (ex->state == EX_STREAM) {
        fl__http_stream_end(ex, status);
        return;
    }
    fl__http_respond_server_error(ex, status, detail);
}

/* Feeds the buffered bytes to llhttp; a complete message is dispatched. */
static void feed(fl__http_conn_t *c)
{
    const char *p = c->in + c->in_off;
    llhttp_errno_t e = llhttp_execute(&c->parser, p, c->in_len - c->in_off);

    if (e == HPE_OK) {
        c->in_off = c->in_len;
        return;
    }
    /*
     * Paused at the end of a message (dispatch it), at the headers of a
     * streamed body (dispatch it now), or at the end of a streamed body.
     */
    if (e == HPE_PAUSED || e == HPE_PAUSED_UPGRADE) {
        c->in_off += (size_t)(llhttp_get_error_pos(&c->parser) - p);
        llhttp_resume(&c->parser);
        /* After an upgrade the bytes are not HTTP/1.1, which is all we speak. */
        if (e == HPE_PAUSED_UPGRADE || c->parser.upgrade)
            c->ex->close_after = true;
        if (c->ex->state == EX_READY)
            fl__http_dispatch(c->ex);
        else if (c->ex->state == EX_STREAM && c->ex->body_done)
            fl__http_stream_end(c->ex, 0);
        return;
    }
    parse_error(c);
}

/* One step of the loop below; false when it must wait for input, an answer or a write. */
static bool step(fl__http_conn_t *c)
{
    fl__http_ex_t *ex = c->ex;

    if (c->file != NULL)
        return false; /* the answer's file is still being sent */
    if (ex->state == EX_DONE) {
        fl__http_ex_reset(ex);
        c->idle_ms = now_ms(c);
        return true;
    }
    if (ex->state == EX_HANDLER || c->broken || c->lingering)
        return false;
    if (ex->state == EX_STREAM && (!ex->sink_set || ex->paused))
        return false;
    if (ex->state == EX_IDLE && c->close_after)
        return false;
    /* A streamed request without a body completes with no more input: one empty feed. */
    bool flush = ex->state == EX_STREAM && !ex->body_done && !ex->empty_fed &&
                 !(c->parser.flags & F_CHUNKED) && c->parser.content_length == 0;
    if ((c->in_off == c->in_len && !flush) ||
        uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) > WRITE_HIGH)
        return false;
    ex->empty_fed = ex->empty_fed || flush;
    feed(c);
    return true;
}

/* Runs parse and dispatch until blocked. Respond calls it too, except from inside it. */
void fl__http_conn_process(fl__http_conn_t *c)
{
    if (c->in_loop || c->closing)
        return;
    c->in_loop = true;
    while (!c->closing && step(c))
        ;
    c->in_loop = false;
    if (!c->closing)
        settle(c);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    fl__http_conn_t *c = req->data;

    if (status < 0 && !c->closing)
        fl__http_conn_close(c);
}

static void linger(fl__http_conn_t *c)
{
    c->lingering = true;
    c->linger_ms = now_ms(c) + (int64_t)c->srv->cfg.linger_ms;
    c->in_off = c->in_len = 0;
    c->shut.data = c;
    if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
        fl__http_conn_close(c);
        return;
    }
    set_reading(c, true);
    fl__http_conn_arm(c);
}

/* After every change: decide on reading, closing and the timer. */
static void settle(fl__http_conn_t *c)
{
    fl__http_ex_state_t st = c->ex->state;
    bool idle = st == EX_IDLE && c->in_off == c->in_len;
    size_t held = c->in_len - c->in_off;

    if (c->broken) {
        fl__http_conn_close(c);
        return;
    }
    if (c->lingering)
        return;
    /* An idle connection has nothing in flight to protect from a RST: close it outright. */
    if (idle && c->writes == 0 && (c->peer_eof || c->srv->shutting_down)) {
        fl__http_conn_close(c);
        return;
    }
    if (c->writes == 0 && st == EX_IDLE && c->close_after) {
        if (c->peer_eof)
            fl__http_conn_close(c);
        else
            linger(c);
        return;
    }
    set_reading(c, !c->peer_eof && held < 4 * READ_CHUNK + c->srv->cfg.max_header_bytes);
    fl__http_conn_arm(c);
}

void fl__http_conn_shutdown(fl__http_conn_t *c)
{
    if (c->closing || c->lingering)
        return;
    c->close_after = true;
    if (!c->in_loop)
        settle(c);
}

/*
 * The timers that bound each phase of a connection, on one uv_timer_t per
 * connection armed for the nearest deadline. The deadlines are recomputed at
 * each change of phase, not on every read, so a busy connection costs no
 * timer work per packet; the body's progress is checked when its timer fires.
 */
#include <stdint.h>

#include "firelater/err.h"
#include "internal.h"

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t at(int64_t since, uint64_t ms)
{
    return since + (int64_t)ms;
}

/* The body must grow by body_min_bytes per interval, or by what is left of it if less. */
void fl__http_conn_mark_body(fl__http_conn_t *c)
{
    fl__http_ex_t *ex = c->ex;
    size_t need = c->srv->cfg.body_min_bytes;

    c->body_mark = ex->body_seen;
    c->body_mark_ms = (int64_t)uv_now(c->srv->loop);
    if ((c->parser.flags & F_CONTENT_LENGTH) && c->parser.content_length < need)
        need = (size_t)c->parser.content_length;
    c->body_need = need;
}

static int64_t deadline(const fl__http_conn_t *c)
{
    const fl_http_config_t *cfg = &c->srv->cfg;
    const fl__http_ex_t *ex = c->ex;
    int64_t due = INT64_MAX;

    if (c->lingering)
        return c->linger_ms;
    if (c->writes > 0)
        due = at(c->write_ms, cfg->send_timeout_ms);
    switch (ex->state) {
    case EX_IDLE:
        if (c->writes == 0 && c->in_off == c->in_len)
            due = min64(due, at(c->idle_ms, cfg->idle_timeout_ms));
        break;
    case EX_HEAD:
        due = min64(due, at(ex->begin_ms, cfg->header_timeout_ms));
        due = min64(due, at(ex->begin_ms, cfg->request_timeout_ms));
        break;
    case EX_BODY:
        due = min64(due, at(ex->begin_ms, cfg->request_timeout_ms));
        due = min64(due, at(c->body_mark_ms, cfg->body_interval_ms));
        break;
    case EX_STREAM:
        due = min64(due, at(ex->begin_ms, cfg->stream_timeout_ms));
        if (ex->sink_set && !ex->paused)
            due = min64(due, at(c->body_mark_ms, cfg->body_interval_ms));
        break;
    default:
        break;
    }
    return due;
}

static void timeout_408(fl__http_conn_t *c, const char *detail)
{
    c->in_off = c->in_len;
    fl__http_respond_server_error(c->ex, 408, detail);
}

/*
 * A streamed body: the whole body within stream_timeout_ms, and the same
 * minimum rate as a buffered one while the sink takes bytes (a sink that
 * paused for its disk is not the client's fault). The handler answers.
 */
static bool stream_expired(fl__http_conn_t *c, int64_t now)
{
    const fl_http_config_t *cfg = &c->srv->cfg;
    fl__http_ex_t *ex = c->ex;

    if (now >= at(ex->begin_ms, cfg->stream_timeout_ms) ||
        (ex->sink_set && !ex->paused && now >= at(c->body_mark_ms, cfg->body_interval_ms) &&
         ex->body_seen - c->body_mark < c->body_need)) {
        c->in_off = c->in_len;
        fl__http_stream_end(ex, 408);
        return true;
    }
    if (now >= at(c->body_mark_ms, cfg->body_interval_ms))
        fl__http_conn_mark_body(c);
    return false;
}

/* Which deadline passed; true when the connection was answered or closed for it. */
static bool expired(fl__http_conn_t *c, int64_t now)
{
    const fl_http_config_t *cfg = &c->srv->cfg;
    fl__http_ex_t *ex = c->ex;

    if (c->lingering || (c->writes > 0 && now >= at(c->write_ms, cfg->send_timeout_ms))) {
        fl__http_conn_close(c);
        return true;
    }
    if (ex->state == EX_IDLE && c->writes == 0 && now >= at(c->idle_ms, cfg->idle_timeout_ms)) {
        fl__http_conn_close(c);
        return true;
    }
    if ((ex->state == EX_HEAD && (now >= at(ex->begin_ms, cfg->header_timeout_ms) ||
                                  now >= at(ex->begin_ms, cfg->request_timeout_ms))) ||
        (ex->state == EX_BODY && now >= at(ex->begin_ms, cfg->request_timeout_ms))) {
        timeout_408(c, "the request took too long to arrive");
        return true;
    }
    if (ex->state == EX_STREAM)
        return stream_expired(c, now);
    if (ex->state == EX_BODY && now >= at(c->body_mark_ms, cfg->body_interval_ms)) {
        if (ex->body.len - c->body_mark < c->body_need) {
            timeout_408(c, "the request body arrives too slowly");
            return true;
        }
        fl__http_conn_mark_body(c);
    }
    return false;
}

static void on_timer(uv_timer_t *t)
{
    fl__http_conn_t *c = t->data;

    if (!c->closing && !expired(c, (int64_t)uv_now(c->srv->loop)))
        fl__http_conn_arm(c);
}

void fl__http_conn_arm(fl__http_conn_t *c)
{
    int64_t due, now;

    if (c->closing)
        return;
    due = deadline(c);
    if (due == INT64_MAX) {
        uv_timer_stop(&c->timer);
        return;
    }
    now = (int64_t)uv_now(c->srv->loop);
    uv_timer_start(&c->timer, on_timer, due > now ? (uint64_t)(due - now) : 0, 0);
}

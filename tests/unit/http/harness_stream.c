/*
 * The tests' streamed route, POST /upload: a sink that writes the body to a
 * temporary file in the harness's directory, pausing every 64 KiB and
 * resuming from a timer (backpressure, as a real sink waiting on its disk),
 * then renames it to "done" or deletes it when the body does not complete.
 * The answer comes from the timer's close callback: after the end, later.
 */
#include "harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

typedef struct up {
    uv_timer_t timer;
    fl_http_req_t *req;
    int fd;
    size_t bytes, since_pause;
    int status; /* the end's */
    char tmp[300];
    char done[300];
} up_t;

static void up_answer(uv_handle_t *h)
{
    up_t *u = h->data;
    fl_http_req_t *req = u->req;
    int status = u->status;
    size_t bytes = u->bytes;

    free(u);
    if (status != 0) {
        fl_http_respond_error(req, status, "the body did not arrive whole");
        return;
    }
    fl_http_respond_json(req, 201, json_pack("{s:I}", "bytes", (json_int_t)bytes));
}

static void up_resume(uv_timer_t *t)
{
    up_t *u = t->data;

    fl_http_body_resume(u->req);
}

static void up_data(fl_http_req_t *req, const void *bytes, size_t len, void *arg)
{
    up_t *u = arg;

    if (write(u->fd, bytes, len) != (ssize_t)len)
        abort();
    u->bytes += len;
    u->since_pause += len;
    if (u->since_pause >= 64 * 1024) {
        u->since_pause = 0;
        fl_http_body_pause(req);
        uv_timer_start(&u->timer, up_resume, 1, 0);
    }
}

static void up_end(fl_http_req_t *req, int status, void *arg)
{
    up_t *u = arg;

    (void)req;
    close(u->fd);
    u->status = status;
    if (status == 0)
        rename(u->tmp, u->done);
    else
        unlink(u->tmp);
    uv_timer_stop(&u->timer);
    uv_close((uv_handle_t *)&u->timer, up_answer);
}

int th_h_upload(fl_http_req_t *req)
{
    th_t *t = req->ctx;
    up_t *u;

    if (fl_http_query(req, "refuse") != NULL)
        return fl_http_respond_error(req, 401, "refused before the body");
    u = calloc(1, sizeof(*u));
    u->req = req;
    snprintf(u->tmp, sizeof(u->tmp), "%s/tmp-%s", t->dir, req->request_id);
    snprintf(u->done, sizeof(u->done), "%s/done", t->dir);
    u->fd = open(u->tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (u->fd < 0)
        abort();
    uv_timer_init(&t->loop, &u->timer);
    u->timer.data = u;
    fl_http_body_stream(req, &(fl_http_body_sink_t){up_data, up_end, u});
    return 0;
}

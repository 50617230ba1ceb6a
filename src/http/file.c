/*
 * File answers (fl_http_respond_file): after the head, the bytes
 * [offset, offset + len) of an open file go out in chunks, one at a time:
 * a chunk is read on libuv's thread pool (uv_fs_read), written with
 * uv_write, and only when the socket took it is the next one read. Memory
 * per connection is one chunk, whatever the file's size; a slow client
 * slows the reads (backpressure), and send_timeout_ms still bounds a
 * write with no progress.
 *
 * The connection parses no further request until the file is sent (its
 * answer must end first). The fd is closed on every path: sent, the file
 * shorter than promised or unreadable (the connection closes: the head has
 * promised a length), the client gone. An operation in flight when the
 * connection closes keeps the sender alive, detached, until its callback.
 */
#include <stdlib.h>
#include <unistd.h>

#include "firelater/err.h"
#include "internal.h"

#define FILE_CHUNK (64 * 1024)

struct fl__http_file {
    uv_fs_t fs;
    uv_write_t w;
    fl_http_server_t *srv;
    fl__http_conn_t *conn; /* NULL until started, and once the connection closed */
    int fd;
    uint64_t off, left;
    bool reading, writing;
    char buf[FILE_CHUNK];
};

fl__http_file_t *fl__http_file_new(fl_http_server_t *srv, int fd, uint64_t offset, uint64_t len)
{
    fl__http_file_t *f = malloc(sizeof(*f));

    if (f == NULL)
        fl_oom();
    f->srv = srv;
    f->conn = NULL;
    f->fd = fd;
    f->off = offset;
    f->left = len;
    f->reading = f->writing = false;
    srv->n_files++;
    return f;
}

/* Frees f unless an operation is in flight (its callback calls this again). */
void fl__http_file_release(fl__http_file_t *f)
{
    fl_http_server_t *srv;

    if (f == NULL || f->reading || f->writing)
        return;
    srv = f->srv;
    if (f->fd >= 0)
        close(f->fd);
    free(f);
    srv->n_files--;
    fl__http_server_check_done(srv);
}

void fl__http_file_detach(fl__http_conn_t *c)
{
    fl__http_file_t *f = c->file;

    if (f == NULL)
        return;
    c->file = NULL;
    f->conn = NULL;
    fl__http_file_release(f);
}

/* The answer cannot be completed: the connection ends (which releases f). */
static void fail(fl__http_file_t *f)
{
    fl__http_conn_close(f->conn);
}

static void read_next(fl__http_file_t *f);

static void on_written(uv_write_t *w, int status)
{
    fl__http_file_t *f = fl__container_of(w, fl__http_file_t, w);
    fl__http_conn_t *c = f->conn;

    f->writing = false;
    if (c == NULL) {
        fl__http_file_release(f);
        return;
    }
    c->writes--;
    c->write_ms = (int64_t)uv_now(c->srv->loop);
    if (status < 0) {
        fail(f);
        return;
    }
    if (f->left > 0) {
        read_next(f);
        return;
    }
    c->file = NULL;
    f->conn = NULL;
    fl__http_file_release(f);
    fl__http_conn_process(c); /* the next request, or the close the answer asked for */
}

static void on_read(uv_fs_t *r)
{
    fl__http_file_t *f = fl__container_of(r, fl__http_file_t, fs);
    fl__http_conn_t *c = f->conn;
    ssize_t n = r->result;
    uv_buf_t b;

    uv_fs_req_cleanup(r);
    f->reading = false;
    if (c == NULL) {
        fl__http_file_release(f);
        return;
    }
    if (n <= 0) { /* an error, or the file is shorter than the head said */
        fail(f);
        return;
    }
    f->off += (uint64_t)n;
    f->left -= (uint64_t)n;
    b = uv_buf_init(f->buf, (unsigned)n);
    if (uv_write(&f->w, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0) {
        fail(f);
        return;
    }
    f->writing = true;
    if (c->writes++ == 0)
        c->write_ms = (int64_t)uv_now(c->srv->loop);
}

static void read_next(fl__http_file_t *f)
{
    size_t n = f->left < FILE_CHUNK ? (size_t)f->left : FILE_CHUNK;
    uv_buf_t b = uv_buf_init(f->buf, (unsigned)n);

    if (uv_fs_read(f->srv->loop, &f->fs, f->fd, &b, 1, (int64_t)f->off, on_read) < 0) {
        fail(f);
        return;
    }
    f->reading = true;
}

void fl__http_file_start(fl__http_conn_t *c, fl__http_file_t *f)
{
    fl_assert(c->file == NULL && f->left > 0);
    c->file = f;
    f->conn = c;
    read_next(f);
}

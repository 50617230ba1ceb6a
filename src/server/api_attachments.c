/*
 * Attachments' endpoints (/api/v1/attachments). An upload's body is streamed
 * (a stream_body route): it is checked before any byte is read (filename,
 * type, declared size, the entity to link), then written to a temporary
 * file under the tenant's directory on the thread pool while it is hashed
 * (BLAKE2b-256), fsynced and renamed to attachments/<aa>/<hash>; the same
 * bytes twice are stored once. Only then is attachment.uploaded decided and
 * committed. A body that does not complete (too large, too slow, client
 * gone) leaves no file and no event.
 *
 * The file work is one job at a time on libuv's thread pool; the body
 * pauses while a full buffer waits for it, so memory per upload is about
 * two chunks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "app.h"
#include "firelater/attachments.h"
#include "firelater/buf.h"
#include "firelater/err.h"

#define CHUNK (256 * 1024)

typedef enum { OP_WRITE, OP_FINISH, OP_ABORT } up_op_t;

typedef struct up {
    uv_work_t work;
    fl_server_t *s;
    fl_http_req_t *req;
    fl_principal_t p;
    fl_attach_upload_t u;
    crypto_generichash_state *hs;      /* aligned_alloc: the state wants 64-byte alignment */
    fl_buf_t fill, wbuf;               /* the loop fills one, the job writes the other */
    char root[FL_ATTACH_PATH_MAX / 2]; /* so that every path under it fits */
    char tmp[FL_ATTACH_PATH_MAX];
    char hex[FL_ATTACH_HASH_HEX + 1];
    int fd;
    up_op_t op;
    int io_rc;
    uint64_t size, limit;
    int refused;    /* 413 once over the limit: the body is paused and the file dropped */
    bool by_quota;  /* the limit is what the tenant's quota leaves, below the file limit */
    int end_status; /* the body's end: 0 complete, else the status to answer */
    bool busy, ended, final_queued;
} up_t;

/* ------------------------------------------------------------- the files */

int fl_srv_attach_root(const fl_server_t *s, const char *slug, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/tenants/%s/attachments", s->cfg.data_dir, slug);
    return n > 0 && (size_t)n < cap ? 0 : FL_ETOOBIG;
}

int fl_srv_attach_path(const char *root, const char *hash, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%.2s/%s", root, hash, hash);
    return n > 0 && (size_t)n < cap ? 0 : FL_ETOOBIG;
}

static int mkdir_one(const char *dir)
{
    return mkdir(dir, 0700) == 0 || errno == EEXIST ? 0 : -errno;
}

/* On the thread pool: appends wbuf to the temporary file (created on first use) and the hash. */
static int write_chunk(up_t *u)
{
    char dir[FL_ATTACH_PATH_MAX];
    size_t off = 0;

    if (u->fd < 0) {
        snprintf(dir, sizeof(dir), "%s/tmp", u->root);
        if (mkdir_one(u->root) < 0 || mkdir_one(dir) < 0)
            return -errno;
        u->fd = open(u->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (u->fd < 0)
            return -errno;
    }
    while (off < u->wbuf.len) {
        ssize_t w = write(u->fd, u->wbuf.data + off, u->wbuf.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        off += (size_t)w;
    }
    crypto_generichash_update(u->hs, u->wbuf.data, u->wbuf.len);
    fl_buf_clear(&u->wbuf);
    return 0;
}

static int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (fd < 0)
        return -errno;
    rc = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

/* On the thread pool: fsync, name the file by its hash, or drop it when those bytes are stored. */
static int finish_file(up_t *u)
{
    uint8_t h[32];
    char dir[FL_ATTACH_PATH_MAX], final[FL_ATTACH_PATH_MAX];
    struct stat st;
    int rc = fsync(u->fd) == 0 ? 0 : -errno;

    close(u->fd);
    u->fd = -1;
    crypto_generichash_final(u->hs, h, sizeof(h));
    sodium_bin2hex(u->hex, sizeof(u->hex), h, sizeof(h));
    snprintf(dir, sizeof(dir), "%s/%.2s", u->root, u->hex);
    if (rc == 0)
        rc = mkdir_one(dir);
    if (rc == 0)
        rc = fl_srv_attach_path(u->root, u->hex, final, sizeof(final));
    if (rc == 0 && stat(final, &st) == 0 && (uint64_t)st.st_size == u->size) {
        unlink(u->tmp); /* the same bytes are stored already */
        return 0;
    }
    if (rc == 0 && rename(u->tmp, final) != 0)
        rc = -errno;
    if (rc == 0)
        rc = fsync_dir(dir);
    if (rc != 0)
        unlink(u->tmp);
    return rc;
}

static void io_work(uv_work_t *w)
{
    up_t *u = w->data;

    if (u->op == OP_ABORT) {
        if (u->fd >= 0)
            close(u->fd);
        u->fd = -1;
        unlink(u->tmp);
        return;
    }
    u->io_rc = write_chunk(u);
    if (u->io_rc == 0 && u->op == OP_FINISH)
        u->io_rc = u->fd >= 0 ? finish_file(u) : FL_EINVAL;
    if (u->io_rc != 0 && u->fd >= 0) {
        close(u->fd);
        u->fd = -1;
        unlink(u->tmp);
    }
}

/* ------------------------------------------------------------ the answer */

static json_t *render(const void *state, uint64_t version)
{
    (void)version;
    return fl_attach_to_json(state);
}

static int refuse(fl_http_req_t *req, int status, const char *title, const char *field,
                  const char *message)
{
    fl_problem_error_t *e = fl_arena_alloc(&req->arena, sizeof(*e));
    fl_problem_t pr = {.title = title, .detail = message, .errors = e, .n_errors = 1};

    fl_assert(e != NULL);
    *e = (fl_problem_error_t){field, message};
    return fl_http_respond_problem(req, status, &pr);
}

static void commit_upload(up_t *u)
{
    fl_http_req_t *req = u->req;
    fl_commit_t *c = fl_commit_new(req, u->p.tenant);
    fl_cmd_ctx_t ctx;

    c->type = &fl_attach_agg;
    c->render = render;
    c->status = 201;
    c->location = "/api/v1/attachments/";
    u->u.hash = fl_arena_strndup(&req->arena, u->hex, FL_ATTACH_HASH_HEX);
    u->u.size_bytes = u->size;
    fl_srv_cmd_ctx(req, &u->p, &ctx);
    fl_attach_decide_upload(&ctx, &u->u, &c->d);
    fl_commit_submit(u->s, c);
}

static void limit_message(const up_t *u, char *buf, size_t cap)
{
    if (u->by_quota)
        snprintf(buf, cap, "the tenant's storage quota leaves room for %llu bytes",
                 (unsigned long long)u->limit);
    else
        snprintf(buf, cap, "the file must be at most %llu bytes", (unsigned long long)u->limit);
}

/* Every job is done: answer, and free what is not in the arena. */
static void answer(up_t *u)
{
    fl_http_req_t *req = u->req;
    char limit[96];

    fl_buf_free(&u->fill);
    fl_buf_free(&u->wbuf);
    free(u->hs);
    limit_message(u, limit, sizeof(limit));
    if (u->refused != 0)
        refuse(req, 413, u->by_quota ? "storage quota exceeded" : "file too large", "body", limit);
    else if (u->end_status != 0)
        fl_http_respond_error(req, u->end_status, "the file did not arrive whole");
    else if (u->size == 0)
        refuse(req, 422, "validation failed", "body", "the file is empty");
    else if (u->io_rc != 0)
        fl_http_respond_error(req, 500, "the file could not be stored");
    else
        commit_upload(u);
}

static void kick(up_t *u);

static void after_io(uv_work_t *w, int status)
{
    up_t *u = w->data;

    (void)status;
    u->busy = false;
    if (u->op != OP_WRITE) {
        answer(u);
        return;
    }
    if (u->refused == 0 && u->io_rc == 0)
        fl_http_body_resume(u->req);
    kick(u);
}

/* Starts the next file job, if one is due and none runs. */
static void kick(up_t *u)
{
    fl_buf_t t;
    bool failed = u->refused != 0 || u->io_rc != 0 || (u->ended && u->end_status != 0);

    if (u->busy || u->final_queued)
        return;
    if (failed || (u->ended && u->size == 0))
        u->op = OP_ABORT;
    else if (u->ended)
        u->op = OP_FINISH;
    else if (u->fill.len >= CHUNK)
        u->op = OP_WRITE;
    else
        return;
    u->final_queued = u->op != OP_WRITE;
    t = u->wbuf;
    u->wbuf = u->fill;
    u->fill = t;
    u->busy = true;
    u->work.data = u;
    uv_queue_work(u->s->loop, &u->work, io_work, after_io);
}

static void sink_data(fl_http_req_t *req, const void *bytes, size_t len, void *arg)
{
    up_t *u = arg;

    if (u->refused != 0 || u->io_rc != 0)
        return;
    if (len > u->limit - u->size) {
        u->refused = 413;
        fl_http_body_pause(req);
        kick(u);
        return;
    }
    u->size += len;
    fl_buf_append(&u->fill, bytes, len);
    kick(u);
    if (u->busy && u->fill.len >= CHUNK)
        fl_http_body_pause(req);
}

static void sink_end(fl_http_req_t *req, int status, void *arg)
{
    up_t *u = arg;

    (void)req;
    u->ended = true;
    u->end_status = status;
    kick(u);
}

/* -------------------------------------------------------- before the body */

/* filename*=UTF-8''<pct> (preferred) or filename="<quoted>" of a Content-Disposition. */
static const char *disposition_filename(fl_http_req_t *req, const char *cd)
{
    const char *star = cd != NULL ? strcasestr(cd, "filename*=") : NULL;
    const char *plain = cd != NULL ? strcasestr(cd, "filename=") : NULL;
    char *out;

    if (star != NULL && strncasecmp(star + 10, "UTF-8''", 7) == 0) {
        const char *v = star + 17;
        size_t n = strcspn(v, "; \t");
        return fl_http_percent_decode(&req->arena, v, n, &out) == 0 ? out : "";
    }
    if (plain == NULL)
        return NULL;
    plain += 9;
    if (*plain != '"')
        return fl_arena_strndup(&req->arena, plain, strcspn(plain, "; \t"));
    out = fl_arena_alloc(&req->arena, strlen(plain));
    fl_assert(out != NULL);
    size_t o = 0;
    for (const char *p = plain + 1; *p != '\0' && *p != '"'; p++) {
        if (*p == '\\' && p[1] != '\0')
            p++;
        out[o++] = *p;
    }
    out[o] = '\0';
    return out;
}

/* The query: filename, entity_type, entity_id, each at most once; 0 or answered. */
static int read_query(fl_http_req_t *req, up_t *u, const char **filename)
{
    static const char *const known[] = {"filename", "entity_type", "entity_id"};
    const char *vals[3] = {NULL, NULL, NULL};

    for (size_t i = 0; i < req->n_query; i++) {
        size_t k = 0;
        while (k < 3 && strcmp(req->query[i].name, known[k]) != 0)
            k++;
        if (k == 3)
            return refuse(req, 422, "validation failed", req->query[i].name, "unknown parameter");
        if (vals[k] != NULL)
            return refuse(req, 422, "validation failed", known[k], "given twice");
        vals[k] = req->query[i].value;
    }
    *filename = vals[0];
    u->u.entity_type = vals[1];
    u->u.entity_id = vals[2];
    if ((vals[1] == NULL) != (vals[2] == NULL))
        return refuse(req, 422, "validation failed", vals[1] == NULL ? "entity_type" : "entity_id",
                      "entity_type and entity_id come together");
    return 1;
}

/* The checks on what the headers say; 1 to go on, else answered. */
static int declared_fits(fl_http_req_t *req, up_t *u);

static int check_upload(fl_http_req_t *req, fl_principal_t *p, up_t *u)
{
    const char *filename = NULL, *why;
    int rc = read_query(req, u, &filename);

    if (rc != 1)
        return rc;
    if (filename == NULL)
        filename = disposition_filename(req, fl_http_header(req, "Content-Disposition"));
    if ((why = fl_attach_filename_problem(filename)) != NULL)
        return refuse(req, 422, "validation failed", "filename", why);
    u->u.filename = filename;
    u->u.content_type = fl_attach_type_allowed(&req->arena, fl_http_header(req, "Content-Type"));
    if (u->u.content_type == NULL)
        return refuse(req, 415, "unsupported media type", "content_type",
                      "this type of file is not accepted (executables, HTML and SVG never are)");
    if (u->u.entity_type != NULL &&
        (why = fl_srv_attach_entity_problem(req, p, u->u.entity_type, u->u.entity_id)) != NULL)
        return refuse(req, 422, "validation failed", "entity_id", why);
    return declared_fits(req, u);
}

/* A declared Content-Length within the limit: 1, else answered 413. */
static int declared_fits(fl_http_req_t *req, up_t *u)
{
    const char *cl = fl_http_header(req, "Content-Length");
    char msg[96];

    if (cl == NULL || strtoull(cl, NULL, 10) <= u->limit)
        return 1;
    limit_message(u, msg, sizeof(msg));
    return refuse(req, 413, u->by_quota ? "storage quota exceeded" : "file too large", "body", msg);
}

/* Everything checked: the body flows into the temporary file. */
static void start_body(up_t *u)
{
    u->hs = aligned_alloc(64, (sizeof(*u->hs) + 63) / 64 * 64);
    if (u->hs == NULL)
        fl_oom();
    crypto_generichash_init(u->hs, NULL, 0, 32);
    fl_buf_init(&u->fill);
    fl_buf_init(&u->wbuf);
    fl_http_body_stream(u->req, &(fl_http_body_sink_t){sink_data, sink_end, u});
}

/* The tenant's usage from the read model: the limit is what the quota leaves. */
static void on_usage(fl_store_res_t *res, void *ctx)
{
    up_t *u = ctx;
    uint64_t used, quota = u->s->cfg.attach_quota;

    if (fl_srv_res_failed(u->req, res))
        return;
    used = fl_store_res_rows(res) == 1 ? strtoull(fl_store_res_value(res, 0, 0), NULL, 10) : 0;
    if (quota - (used < quota ? used : quota) < u->limit) {
        u->limit = quota - (used < quota ? used : quota);
        u->by_quota = true;
    }
    if (u->limit == 0) {
        char msg[96];
        limit_message(u, msg, sizeof(msg));
        refuse(u->req, 413, "storage quota exceeded", "body", msg);
        return;
    }
    if (declared_fits(u->req, u) == 1)
        start_body(u);
}

/*
 * <root>/tmp/<32 random hex digits>: chosen by the server, never by the
 * client (its X-Request-Id may repeat or hold path characters), so two
 * uploads never share a temporary file.
 */
static int tmp_name(up_t *u)
{
    uint8_t r[16];
    char hex[sizeof(r) * 2 + 1];

    randombytes_buf(r, sizeof(r));
    sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
    int n = snprintf(u->tmp, sizeof(u->tmp), "%s/tmp/%s", u->root, hex);
    return n > 0 && (size_t)n < sizeof(u->tmp) ? 0 : FL_ETOOBIG;
}

int fl_api_attach_upload(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    up_t *u = fl_arena_alloc(&req->arena, sizeof(*u));
    int rc;

    fl_assert(u != NULL);
    memset(u, 0, sizeof(*u));
    u->s = s;
    u->req = req;
    u->p = *p;
    u->fd = -1;
    u->limit = FL_ATTACH_MAX_BYTES;
    if ((rc = check_upload(req, p, u)) != 1)
        return rc < 0 ? rc : 0;
    if (fl_srv_attach_root(s, p->tenant->slug, u->root, sizeof(u->root)) < 0 || tmp_name(u) < 0)
        return fl_http_respond_error(req, 500, "the data directory's path is too long");
    if (s->cfg.attach_quota == 0) {
        start_body(u);
        return 0;
    }
    return fl_srv_query(s, req, p->tenant->schema,
                        "SELECT COALESCE(sum(size_bytes), 0) FROM attachments"
                        " WHERE deleted_at IS NULL",
                        0, NULL, on_usage, u);
}

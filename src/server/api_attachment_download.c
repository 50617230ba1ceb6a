/*
 * GET /api/v1/attachments/{id}/download: the stored bytes, streamed from
 * the file by the HTTP layer (fl_http_respond_file: one chunk in memory,
 * read on the thread pool). Whoever may read the metadata may download; a
 * deleted attachment is 404. ETag is the content hash (the bytes never
 * change), so If-None-Match gives 304; one byte range (Range: bytes=a-b,
 * a-, -n) gives 206 or 416, several ranges the whole file (both headers are
 * read by src/http/conditional.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "firelater/attachments.h"
#include "firelater/err.h"

/* The stored file, open, with its size checked against the attachment's; -1 when not there. */
static int open_file(fl_server_t *s, const fl_principal_t *p, const fl_attach_state_t *a)
{
    char root[FL_ATTACH_PATH_MAX / 2], path[FL_ATTACH_PATH_MAX];
    struct stat st;
    int fd;

    if (fl_srv_attach_root(s, p->tenant->slug, root, sizeof(root)) < 0 ||
        fl_srv_attach_path(root, a->hash, path, sizeof(path)) < 0)
        return -1;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != a->size_bytes) {
        close(fd);
        return -1;
    }
    return fd;
}

int fl_api_attach_download(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p)
{
    const fl_attach_state_t *a = fl_srv_attach_readable(req, p);
    char etag[FL_ATTACH_HASH_HEX + 3], cr[80];
    uint64_t off = 0, len;
    int fd, status;

    if (a == NULL)
        return fl_http_respond_error(req, 404, "no such attachment");
    snprintf(etag, sizeof(etag), "\"%s\"", a->hash);
    fl_http_set_header(req, "ETag", etag);
    fl_http_set_header(req, "Cache-Control", "private, no-cache");
    if (fl_http_none_match(fl_http_header(req, "If-None-Match"), etag))
        return fl_http_respond(req, 304, NULL, NULL, 0);
    len = a->size_bytes;
    status = fl_http_parse_range(fl_http_header(req, "Range"), a->size_bytes, &off, &len);
    const char *if_range = fl_http_header(req, "If-Range");
    if (status != 0 && if_range != NULL && strcmp(if_range, etag) != 0)
        status = 0, off = 0, len = a->size_bytes; /* the client's copy is another: all of it */
    fl_http_set_header(req, "Accept-Ranges", "bytes");
    if (status == 416) {
        snprintf(cr, sizeof(cr), "bytes */%llu", (unsigned long long)a->size_bytes);
        fl_http_set_header(req, "Content-Range", cr);
        return fl_http_respond_error(req, 416, "the range is outside the file");
    }
    if ((fd = open_file(s, p, a)) < 0)
        return fl_http_respond_error(req, 500, "the attachment's file is missing or damaged");
    if (status == 206) {
        snprintf(cr, sizeof(cr), "bytes %llu-%llu/%llu", (unsigned long long)off,
                 (unsigned long long)(off + len - 1), (unsigned long long)a->size_bytes);
        fl_http_set_header(req, "Content-Range", cr);
    }
    fl_http_set_header(req, "Content-Disposition", fl_attach_disposition(&req->arena, a->filename));
    fl_http_set_header(req, "X-Content-Type-Options", "nosniff");
    return fl_http_respond_file(req, status != 0 ? status : 200, a->content_type, fd, off, len);
}

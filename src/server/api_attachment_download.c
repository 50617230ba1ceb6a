/*
 * GET /api/v1/attachments/{id}/download: the stored bytes, streamed from
 * the file by the HTTP layer (fl_http_respond_file: one chunk in memory,
 * read on the thread pool). Whoever may read the metadata may download; a
 * deleted attachment is 404. ETag is the content hash (the bytes never
 * change), so If-None-Match gives 304; one byte range (Range: bytes=a-b,
 * a-, -n) gives 206 or 416, several ranges the whole file.
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

/* Whether an If-None-Match list names etag (or is "*"). Weak tags compare by their opaque part. */
static bool none_match(const char *inm, const char *etag)
{
    size_t n = strlen(etag);

    if (inm == NULL)
        return false;
    for (const char *p = inm; *p != '\0';) {
        p += strspn(p, " \t,");
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || strchr(" \t,", p[n]) != NULL))
            return true;
        p += strcspn(p, ",");
    }
    return false;
}

static bool digits(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0 || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/*
 * A Range header against a file of size bytes: 0 to send all (no header,
 * not bytes=, several ranges, or malformed: RFC 9110 says ignore), 206 with
 * [*off, *off + *len), or 416.
 */
static int parse_range(const char *h, uint64_t size, uint64_t *off, uint64_t *len)
{
    const char *dash;
    uint64_t a, b;

    if (h == NULL || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',') != NULL)
        return 0;
    h += 6;
    if ((dash = strchr(h, '-')) == NULL)
        return 0;
    if (dash == h) { /* the last b bytes */
        if (!digits(dash + 1, strlen(dash + 1), &b))
            return 0;
        if (b == 0)
            return 416;
        *len = b < size ? b : size;
        *off = size - *len;
        return 206;
    }
    if (!digits(h, (size_t)(dash - h), &a))
        return 0;
    if (dash[1] == '\0')
        b = size - 1;
    else if (!digits(dash + 1, strlen(dash + 1), &b) || b < a)
        return 0;
    if (a >= size)
        return 416;
    if (b >= size)
        b = size - 1;
    *off = a;
    *len = b - a + 1;
    return 206;
}

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
    if (none_match(fl_http_header(req, "If-None-Match"), etag))
        return fl_http_respond(req, 304, NULL, NULL, 0);
    len = a->size_bytes;
    status = parse_range(fl_http_header(req, "Range"), a->size_bytes, &off, &len);
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

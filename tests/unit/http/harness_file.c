/*
 * The tests' file answer, GET /file?n=N[&len=L][&off=O]: a file of N bytes
 * ('a' + i % 26) in the harness's directory, answered with
 * fl_http_respond_file from off (0) for len (N - off) bytes.
 */
#include "harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t query_u64(fl_http_req_t *req, const char *name, uint64_t dflt)
{
    const char *v = fl_http_query(req, name);

    return v != NULL ? strtoull(v, NULL, 10) : dflt;
}

/* <dir>/file-<n>, written once. */
static void make_file(const th_t *t, uint64_t n, char *path, size_t cap)
{
    struct stat st;
    char *b;
    int fd;

    snprintf(path, cap, "%s/file-%llu", t->dir, (unsigned long long)n);
    if (stat(path, &st) == 0)
        return;
    b = malloc(n + 1);
    for (uint64_t i = 0; i < n; i++)
        b[i] = (char)('a' + i % 26);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || write(fd, b, n) != (ssize_t)n)
        abort();
    close(fd);
    free(b);
}

int th_h_file(fl_http_req_t *req)
{
    th_t *t = req->ctx;
    uint64_t n = query_u64(req, "n", 0), off = query_u64(req, "off", 0);
    uint64_t len = query_u64(req, "len", n - off);
    char path[300];
    int fd;

    make_file(t, n, path, sizeof(path));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        abort();
    return fl_http_respond_file(req, 200, "application/octet-stream", fd, off, len);
}

int th_open_fds(void)
{
    char path[64];
    int n = 0;

    for (int i = 0; i < 4096; i++) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", i);
        n += access(path, F_OK) == 0;
    }
    return n;
}

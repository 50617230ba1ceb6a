/*
 * File answers (fl_http_respond_file) over real sockets: a file larger than
 * any buffer, byte-exact and followed by a pipelined request, HEAD, a byte
 * range, a file shorter than promised, and a client that leaves mid-way;
 * the file's descriptor is closed on every path (counted in /proc/self/fd).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static void assert_pattern(const char *b, size_t n, size_t from)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != (char)('a' + (from + i) % 26))
            ck_abort_msg("byte %zu differs", i);
}

/* The process is back to want descriptors within 3 s (the server closes after its last write). */
static void assert_fds(int want)
{
    for (int i = 0; i < 300 && th_open_fds() != want; i++)
        usleep(10000);
    ck_assert_int_eq(th_open_fds(), want);
}

static size_t content_length(const char *r)
{
    char cl[32];

    ck_assert(th_header(r, "Content-Length", cl, sizeof(cl)));
    return strtoul(cl, NULL, 10);
}

/* A server and a connection to it; *base: the descriptors open before. */
static int start(th_t *t, int *base)
{
    th_start(t, NULL);
    *base = th_open_fds();
    return th_connect(t);
}

/* Closes the connection, checks nothing is left open, stops the server. */
static void finish(th_t *t, int fd, int base)
{
    close(fd);
    assert_fds(base);
    th_stop(t);
}

/* 5 MiB and some: exact bytes, then the pipelined request behind it is answered. */
START_TEST(large_file_then_pipelined)
{
    enum { N = 5 * 1024 * 1024 + 7 };
    th_t t;
    char *r;
    int fd, base;

    fd = start(&t, &base);
    th_send(fd, "GET /file?n=5242887 HTTP/1.1\r\nHost: t\r\n\r\n"
                "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    r = th_response(fd);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_uint_eq(content_length(r), N);
    assert_pattern(th_body(r), N, 0);
    free(r);
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_str_eq(th_body(r), "{\"status\":\"ok\"}");
    free(r);
    finish(&t, fd, base);
}
END_TEST

START_TEST(head_and_range)
{
    th_t t;
    char *r;
    int fd, base;

    fd = start(&t, &base);
    th_send(fd, "HEAD /file?n=100000 HTTP/1.1\r\nHost: t\r\n\r\n");
    r = th_response_ex(fd, false);
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_uint_eq(content_length(r), 100000);
    free(r);
    th_send(fd, "GET /file?n=100000&off=70000&len=20000 HTTP/1.1\r\nHost: t\r\n\r\n");
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_uint_eq(content_length(r), 20000);
    assert_pattern(th_body(r), 20000, 70000);
    free(r);
    finish(&t, fd, base);
}
END_TEST

/* The head promised 2000 bytes, the file has 1000: they are sent, then the connection ends. */
START_TEST(file_shorter_than_promised)
{
    th_t t;
    char *r;
    int fd, base;

    fd = start(&t, &base);
    th_send(fd, "GET /file?n=1000&len=2000 HTTP/1.1\r\nHost: t\r\n\r\n");
    r = th_read_all(fd);
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_uint_eq(strlen(th_body(r)), 1000);
    free(r);
    finish(&t, fd, base);
}
END_TEST

/* 20 MiB asked, 100 KiB read, then the client goes: the fd is closed, the server goes on. */
START_TEST(client_leaves_mid_way)
{
    th_t t;
    char buf[4096], *r;
    size_t got = 0;
    int fd, base;

    fd = start(&t, &base);
    th_send(fd, "GET /file?n=20971520 HTTP/1.1\r\nHost: t\r\n\r\n");
    while (got < 100 * 1024) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        ck_assert_int_gt(n, 0);
        got += (size_t)n;
    }
    close(fd);
    assert_fds(base);
    fd = th_connect(&t);
    th_send(fd, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 200);
    free(r);
    close(fd);
    th_stop(&t); /* the shutdown completes: nothing of the file is left */
}
END_TEST

TCase *th_file_tcase(void)
{
    TCase *tc = tcase_create("file");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, large_file_then_pipelined);
    tcase_add_test(tc, head_and_range);
    tcase_add_test(tc, file_shorter_than_promised);
    tcase_add_test(tc, client_leaves_mid_way);
    return tc;
}

/*
 * Streamed request bodies (routes with stream_body) over real sockets: the
 * harness's POST /upload writes the body to a file as it arrives, pausing
 * for backpressure, and deletes it when the body does not complete.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* A request head and n bytes of body ('a' + i % 26), NUL-terminated, malloc'd. */
static char *with_body(const char *head, size_t n)
{
    size_t hl = strlen(head);
    char *r = malloc(hl + n + 1);

    memcpy(r, head, hl);
    for (size_t i = 0; i < n; i++)
        r[hl + i] = (char)('a' + i % 26);
    r[hl + n] = '\0';
    return r;
}

/* n chunks of the same bytes, hex their length. */
static void send_chunks(int fd, const char *hex, const char *chunk, int n)
{
    for (int i = 0; i < n; i++) {
        th_send(fd, hex);
        th_send(fd, "\r\n");
        th_send(fd, chunk);
        th_send(fd, "\r\n");
    }
}

static void assert_files(const th_t *t, const char *want)
{
    char *got = th_files(t);

    ck_assert_str_eq(got, want);
    free(got);
}

static void assert_done_file(const th_t *t, size_t n)
{
    char path[128];
    struct stat st;
    FILE *f;
    int ch;
    size_t i = 0;

    snprintf(path, sizeof(path), "%s/done", t->dir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq((size_t)st.st_size, n);
    f = fopen(path, "rb");
    while ((ch = fgetc(f)) != EOF) {
        ck_assert_int_eq(ch, 'a' + (int)(i % 26));
        i++;
    }
    fclose(f);
    unlink(path);
}

/* 3 MiB, three times the buffered limit, then the same connection goes on. */
START_TEST(content_length_over_buffer_limit)
{
    enum { N = 3 * 1024 * 1024 };
    char head[128];
    th_t t;
    char *req, *r;
    int fd;

    th_start(&t, NULL);
    snprintf(head, sizeof(head), "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n",
             N);
    req = with_body(head, N);
    fd = th_connect(&t);
    th_send(fd, req);
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 201);
    ck_assert_str_eq(th_body(r), "{\"bytes\":3145728}");
    free(r);
    assert_done_file(&t, N);
    th_send(fd, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 200);
    free(r);
    close(fd);
    free(req);
    /* A buffered route keeps its own 1 MiB limit. */
    req = with_body("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n", 2000000);
    fd = th_connect(&t);
    th_send(fd, req);
    r = th_read_all(fd);
    ck_assert_int_eq(th_status(r), 413);
    free(r);
    close(fd);
    free(req);
    th_stop(&t);
}
END_TEST

START_TEST(chunked)
{
    th_t t;
    char *chunk = with_body("", 100000), *r;
    int fd;

    th_start(&t, NULL);
    fd = th_connect(&t);
    /* An empty body ends at once, with no more input to parse. */
    th_send(fd, "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 201);
    ck_assert_str_eq(th_body(r), "{\"bytes\":0}");
    free(r);
    th_send(fd, "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    send_chunks(fd, "186a0", chunk, 3); /* 100000 */
    th_send(fd, "0\r\n\r\n");
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 201);
    ck_assert_str_eq(th_body(r), "{\"bytes\":300000}");
    free(r);
    close(fd);
    assert_files(&t, "done");
    free(chunk);
    th_stop(&t);
}
END_TEST

/* Over max_stream_bytes: by Content-Length before the handler, chunked midway; no file left. */
START_TEST(over_the_limit)
{
    fl_http_config_t cfg = {.max_stream_bytes = 200000};
    th_t t;
    char *req, *chunk, *r;
    int fd;

    th_start(&t, &cfg);
    req = with_body("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 200001\r\n\r\n", 200001);
    fd = th_connect(&t);
    th_send(fd, req);
    r = th_read_all(fd);
    ck_assert_int_eq(th_status(r), 413);
    ck_assert_ptr_nonnull(strstr(r, "application/problem+json"));
    free(r);
    close(fd);
    free(req);
    chunk = with_body("", 150000);
    fd = th_connect(&t);
    th_send(fd, "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
    send_chunks(fd, "249f0", chunk, 2); /* 150000 */
    r = th_read_all(fd);
    ck_assert_int_eq(th_status(r), 413);
    ck_assert_ptr_nonnull(strstr(r, "Connection: close"));
    free(r);
    close(fd);
    free(chunk);
    assert_files(&t, "");
    th_stop(&t);
}
END_TEST

/* The client goes midway: the handler hears 499, deletes its file, and still answers. */
START_TEST(client_gone_leaves_no_file)
{
    th_t t;
    char *req;
    int fd;

    th_start(&t, NULL);
    req = with_body("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n", 200000);
    fd = th_connect(&t);
    th_send(fd, req);
    usleep(100 * 1000);
    close(fd);
    free(req);
    for (int i = 0; i < 50; i++) {
        char *f = th_files(&t);
        bool empty = f[0] == '\0';
        free(f);
        if (empty)
            break;
        usleep(20 * 1000);
    }
    assert_files(&t, "");
    th_shutdown(&t);
    th_join(&t);
    ck_assert_ptr_nonnull(strstr(t.log_text, "\"path\":\"/upload\",\"status\":499"));
    free(t.log_text);
}
END_TEST

/* 100 Continue only once the handler takes the body; a refusal comes instead of it. */
START_TEST(expect_continue)
{
    th_t t;
    char *r;
    int fd;

    th_start(&t, NULL);
    fd = th_connect(&t);
    th_send(fd, "POST /upload?refuse=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                "Expect: 100-continue\r\n\r\n");
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 401);
    ck_assert_ptr_nonnull(strstr(r, "Connection: close"));
    free(r);
    close(fd);
    fd = th_connect(&t);
    th_send(fd, "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                "Expect: 100-continue\r\n\r\n");
    r = th_response_ex(fd, false);
    ck_assert_int_eq(th_status(r), 100);
    free(r);
    th_send(fd, "hello");
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 201);
    ck_assert_str_eq(th_body(r), "{\"bytes\":5}");
    free(r);
    close(fd);
    assert_files(&t, "done");
    th_stop(&t);
}
END_TEST

/* The minimum body rate holds for streamed bodies too: 408, and the file is gone. */
START_TEST(slow_body)
{
    fl_http_config_t cfg = {.body_interval_ms = 100, .body_min_bytes = 10};
    th_t t;

    th_start(&t, &cfg);
    th_slow_body_408(&t, "/upload");
    assert_files(&t, "");
    th_stop(&t);
}
END_TEST

/* The streamed body's cases, added to the http_server suite (test_server.c). */
TCase *th_stream_tcase(void)
{
    TCase *tc = tcase_create("stream");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, content_length_over_buffer_limit);
    tcase_add_test(tc, chunked);
    tcase_add_test(tc, over_the_limit);
    tcase_add_test(tc, client_gone_leaves_no_file);
    tcase_add_test(tc, expect_continue);
    tcase_add_test(tc, slow_body);
    return tc;
}

/*
 * The HTTP server over real sockets on loopback: raw bytes in, raw bytes out.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <jansson.h>

#include "harness.h"

#define GET(path) "GET " path " HTTP/1.1\r\nHost: t\r\n\r\n"

static char *roundtrip(th_t *t, const char *req)
{
    int fd = th_connect(t);
    char *r;

    ck_assert_int_ge(fd, 0);
    th_send(fd, req);
    r = th_response(fd);
    close(fd);
    return r;
}

START_TEST(keep_alive_and_json)
{
    th_t t;
    char v[128];
    int fd;

    th_start(&t, NULL);
    fd = th_connect(&t);
    for (int i = 0; i < 3; i++) {
        th_send(fd, GET("/healthz"));
        char *r = th_response(fd);
        ck_assert_int_eq(th_status(r), 200);
        ck_assert_str_eq(th_body(r), "{\"status\":\"ok\"}");
        ck_assert(th_header(r, "Content-Type", v, sizeof(v)));
        ck_assert_str_eq(v, "application/json");
        ck_assert(th_header(r, "X-Request-Id", v, sizeof(v)));
        ck_assert_uint_eq(strlen(v), 32);
        ck_assert(!th_header(r, "Connection", v, sizeof(v)));
        free(r);
    }
    close(fd);
    th_stop(&t);
}
END_TEST

START_TEST(pipelined_in_order)
{
    th_t t;
    int fd;
    char *r;

    th_start(&t, NULL);
    fd = th_connect(&t);
    th_send(fd, GET("/slow") GET("/healthz") GET("/items/7"));
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_str_eq(th_body(r), "{\"slow\":true}");
    free(r);
    r = th_response(fd);
    ck_assert_str_eq(th_body(r), "{\"status\":\"ok\"}");
    free(r);
    r = th_response(fd);
    ck_assert_str_eq(th_body(r), "{\"id\":\"7\",\"q\":null}");
    free(r);
    close(fd);
    th_stop(&t);
}
END_TEST

/* A client whose receive buffer is small and fixed: big answers cannot go out at once. */
static int small_window_connect(const th_t *t)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)t->port)};
    struct timeval tv = {.tv_sec = 3};
    int fd = socket(AF_INET, SOCK_STREAM, 0), small = 4096;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
    inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

typedef struct sender {
    int fd;
    const char *bytes;
} sender_t;

static void *send_all(void *arg)
{
    sender_t *sn = arg;

    th_send(sn->fd, sn->bytes);
    return NULL;
}

/*
 * Answers larger than the socket takes at once (six echoes of 1 MB to a
 * client with a small window): each goes out partly at once and the rest
 * through the write queue, parsing pauses meanwhile, and every answer,
 * the pipelined one behind them included, arrives whole and in order.
 */
START_TEST(large_answers_then_pipelined)
{
    enum { N = 1000 * 1000, K = 6 };
    static char req[K * (N + 128) + 64];
    char head[96];
    th_t t;
    int off = 0, hl;
    char *r;
    pthread_t tid;
    sender_t sn;

    hl = snprintf(head, sizeof(head),
                  "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n", N);
    for (int k = 0; k < K; k++) {
        memcpy(req + off, head, (size_t)hl);
        off += hl;
        for (int i = 0; i < N; i++)
            req[off + i] = (char)('a' + (i + k) % 26);
        off += N;
    }
    memcpy(req + off, GET("/healthz"), sizeof(GET("/healthz")));
    th_start(&t, NULL);
    sn = (sender_t){small_window_connect(&t), req};
    ck_assert_int_eq(pthread_create(&tid, NULL, send_all, &sn), 0);
    for (int k = 0; k < K; k++) {
        r = th_response(sn.fd);
        ck_assert_ptr_nonnull(r);
        ck_assert_int_eq(th_status(r), 200);
        ck_assert_uint_eq(strlen(th_body(r)), N);
        ck_assert(memcmp(th_body(r), req + k * (hl + N) + hl, N) == 0);
        free(r);
    }
    r = th_response(sn.fd);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(th_body(r), "{\"status\":\"ok\"}");
    free(r);
    pthread_join(tid, NULL);
    close(sn.fd);
    th_stop(&t);
}
END_TEST

START_TEST(chunked_body)
{
    th_t t;
    char *r;

    th_start(&t, NULL);
    r = roundtrip(&t, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_str_eq(th_body(r), "hello world");
    free(r);
    th_stop(&t);
}
END_TEST

START_TEST(expect_continue)
{
    th_t t;
    fl_http_config_t cfg = {.max_body_bytes = 1024};
    int fd;
    char *r;

    th_start(&t, &cfg);
    fd = th_connect(&t);
    th_send(fd,
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    r = th_response_ex(fd, false);
    ck_assert_int_eq(th_status(r), 100);
    free(r);
    th_send(fd, "hello");
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_str_eq(th_body(r), "hello");
    free(r);
    /* Too large: the 413 comes at once, before any body byte. */
    th_send(
        fd,
        "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 413);
    ck_assert_ptr_nonnull(strstr(r, "Connection: close"));
    ck_assert_ptr_nonnull(strstr(r, "application/problem+json"));
    free(r);
    close(fd);
    th_stop(&t);
}
END_TEST

START_TEST(body_too_large)
{
    th_t t;
    fl_http_config_t cfg = {.max_body_bytes = 16};
    char *r;

    th_start(&t, &cfg);
    r = roundtrip(&t,
                  "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 17\r\n\r\n0123456789abcdefg");
    ck_assert_int_eq(th_status(r), 413);
    free(r);
    r = roundtrip(&t, "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "10\r\n0123456789abcdef\r\n1\r\nX\r\n0\r\n\r\n");
    ck_assert_int_eq(th_status(r), 413);
    free(r);
    r = roundtrip(&t,
                  "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 16\r\n\r\n0123456789abcdef");
    ck_assert_int_eq(th_status(r), 200);
    free(r);
    th_stop(&t);
}
END_TEST

START_TEST(headers_too_large)
{
    th_t t;
    size_t n = 20000;
    char *req = malloc(n + 100);
    char *r;

    th_start(&t, NULL);
    memcpy(req, "GET /healthz HTTP/1.1\r\nX-Big: ", 30);
    memset(req + 30, 'a', n);
    memcpy(req + 30 + n, "\r\n\r\n", 5);
    r = roundtrip(&t, req);
    ck_assert_int_eq(th_status(r), 431);
    free(r);
    free(req);
    th_stop(&t);
}
END_TEST

START_TEST(garbage_then_others_fine)
{
    th_t t;
    int other, fd;
    char *r;

    th_start(&t, NULL);
    other = th_connect(&t);
    fd = th_connect(&t);
    th_send(fd, "GARBAGE \x01\x02 nonsense\r\n\r\n");
    r = th_read_all(fd);
    ck_assert_int_eq(th_status(r), 400);
    ck_assert_ptr_nonnull(strstr(r, "Content-Type: application/problem+json"));
    ck_assert_ptr_nonnull(strstr(r, "\"status\":400"));
    free(r);
    close(fd);
    th_send(other, GET("/healthz"));
    r = th_response(other);
    ck_assert_int_eq(th_status(r), 200);
    free(r);
    close(other);
    r = roundtrip(&t, GET("/healthz"));
    ck_assert_int_eq(th_status(r), 200);
    free(r);
    th_stop(&t);
}
END_TEST

START_TEST(not_found_and_method)
{
    th_t t;
    char v[128];
    char *r;
    json_t *j;

    th_start(&t, NULL);
    r = roundtrip(&t, GET("/nope"));
    ck_assert_int_eq(th_status(r), 404);
    j = json_loads(th_body(r), 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(j, "type")), "about:blank");
    ck_assert_str_eq(json_string_value(json_object_get(j, "title")), "not found");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 404);
    json_decref(j);
    free(r);
    r = roundtrip(&t, "DELETE /items/3 HTTP/1.1\r\nHost: t\r\n\r\n");
    ck_assert_int_eq(th_status(r), 405);
    ck_assert(th_header(r, "Allow", v, sizeof(v)));
    ck_assert_str_eq(v, "GET, HEAD, PUT");
    free(r);
    r = roundtrip(&t, GET("/fail"));
    ck_assert_int_eq(th_status(r), 404);
    free(r);
    th_stop(&t);
}
END_TEST

START_TEST(head_has_no_body)
{
    th_t t;
    char v[32];
    int fd;
    char *r;

    th_start(&t, NULL);
    fd = th_connect(&t);
    th_send(fd, "HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n" GET("/healthz"));
    r = th_response_ex(fd, false);
    ck_assert_int_eq(th_status(r), 200);
    ck_assert(th_header(r, "Content-Length", v, sizeof(v)));
    ck_assert_str_eq(v, "15");
    free(r);
    r = th_response(fd); /* the next response follows the head directly */
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_str_eq(th_body(r), "{\"status\":\"ok\"}");
    free(r);
    close(fd);
    th_stop(&t);
}
END_TEST

START_TEST(query_and_params)
{
    th_t t;
    char *r;

    th_start(&t, NULL);
    r = roundtrip(&t, GET("/items/a%20b?x=1&q=hello+w%21&q=2"));
    ck_assert_str_eq(th_body(r), "{\"id\":\"a b\",\"q\":\"hello w!\"}");
    free(r);
    r = roundtrip(&t, GET("/items/x?q=%zz"));
    ck_assert_int_eq(th_status(r), 400);
    free(r);
    th_stop(&t);
}
END_TEST

START_TEST(request_id)
{
    th_t t;
    char v[128];
    char *r;

    th_start(&t, NULL);
    r = roundtrip(&t, "GET /healthz HTTP/1.1\r\nX-Request-Id: abc-123.x\r\n\r\n");
    ck_assert(th_header(r, "X-Request-Id", v, sizeof(v)));
    ck_assert_str_eq(v, "abc-123.x");
    free(r);
    r = roundtrip(&t, "GET /healthz HTTP/1.1\r\nX-Request-Id: evil\"id{}\r\n\r\n");
    ck_assert(th_header(r, "X-Request-Id", v, sizeof(v)));
    ck_assert_uint_eq(strlen(v), 32);
    ck_assert_uint_eq(strspn(v, "0123456789abcdef"), 32);
    free(r);
    th_stop(&t);
}
END_TEST

START_TEST(json_body_checks)
{
    th_t t;
    char *r;

    th_start(&t, NULL);
    r = roundtrip(&t,
                  "POST /json HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}");
    ck_assert_int_eq(th_status(r), 415);
    free(r);
    r = roundtrip(&t, "POST /json HTTP/1.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: 3\r\n\r\n{x}");
    ck_assert_int_eq(th_status(r), 400);
    free(r);
    r = roundtrip(&t, "POST /json HTTP/1.1\r\nContent-Type: application/json; charset=utf-8\r\n"
                      "Content-Length: 7\r\n\r\n{\"a\":1}");
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_str_eq(th_body(r), "{\"a\":1}");
    free(r);
    th_stop(&t);
}
END_TEST

START_TEST(slow_headers_timeout)
{
    fl_http_config_t cfg = {.header_timeout_ms = 200};
    th_t t;
    int fd;
    char *r;

    th_start(&t, &cfg);
    fd = th_connect(&t);
    th_send(fd, "GET /healthz HTTP/1.1\r\nHo");
    usleep(100 * 1000);
    th_send(fd, "st: t\r\n");
    r = th_read_all(fd);
    ck_assert_int_eq(th_status(r), 408);
    free(r);
    close(fd);
    th_stop(&t);
}
END_TEST

START_TEST(slow_body_timeout)
{
    fl_http_config_t cfg = {.body_interval_ms = 100, .body_min_bytes = 10};
    th_t t;

    th_start(&t, &cfg);
    th_slow_body_408(&t, "/echo");
    th_stop(&t);
}
END_TEST

START_TEST(idle_keep_alive_closed)
{
    fl_http_config_t cfg = {.idle_timeout_ms = 150};
    th_t t;
    int fd;
    char *r;

    th_start(&t, &cfg);
    fd = th_connect(&t);
    th_send(fd, GET("/healthz"));
    r = th_response(fd);
    ck_assert_int_eq(th_status(r), 200);
    free(r);
    ck_assert(th_eof_within(fd, 2000));
    close(fd);
    th_stop(&t);
}
END_TEST

START_TEST(connection_cap)
{
    fl_http_config_t cfg = {.max_connections = 2};
    th_t t;
    int a, b, c;
    char v[16];
    char *r;

    th_start(&t, &cfg);
    a = th_connect(&t);
    b = th_connect(&t);
    th_send(a, GET("/healthz"));
    th_send(b, GET("/healthz"));
    free(th_response(a));
    free(th_response(b));
    c = th_connect(&t);
    r = th_read_all(c);
    ck_assert_int_eq(th_status(r), 503);
    ck_assert(th_header(r, "Retry-After", v, sizeof(v)));
    free(r);
    close(c);
    close(a);
    usleep(50 * 1000); /* the server sees a's FIN: b's neighbour slot frees */
    c = th_connect(&t);
    th_send(c, GET("/healthz"));
    r = th_response(c);
    ck_assert_int_eq(th_status(r), 200);
    free(r);
    close(b);
    close(c);
    th_stop(&t);
}
END_TEST

START_TEST(client_leaves_during_async)
{
    th_t t;
    int fd;
    char *r;

    th_start(&t, NULL);
    fd = th_connect(&t);
    th_send(fd, GET("/slow"));
    usleep(10 * 1000);
    close(fd);
    usleep(120 * 1000); /* the slow handler answers a request whose client has gone */
    r = roundtrip(&t, GET("/healthz"));
    ck_assert_int_eq(th_status(r), 200);
    free(r);
    th_shutdown(&t);
    th_join(&t);
    ck_assert_ptr_nonnull(strstr(t.log_text, "\"status\":499"));
    free(t.log_text);
}
END_TEST

START_TEST(graceful_shutdown)
{
    th_t t;
    int fd, idle;
    char *r;

    th_start(&t, NULL);
    idle = th_connect(&t);
    fd = th_connect(&t);
    th_send(fd, GET("/slower"));
    usleep(100 * 1000); /* the request is in the handler when the shutdown starts */
    th_shutdown(&t);
    r = th_read_all(fd);
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_ptr_nonnull(strstr(r, "Connection: close"));
    ck_assert_str_eq(th_body(r), "{\"slow\":true}");
    free(r);
    ck_assert(th_eof_within(idle, 10));
    close(fd);
    close(idle);
    th_join(&t);
    ck_assert_int_lt(th_connect(&t), 0);
    free(t.log_text);
}
END_TEST

START_TEST(http10_closes)
{
    th_t t;
    char *r;
    int fd;

    th_start(&t, NULL);
    fd = th_connect(&t);
    th_send(fd, "GET /healthz HTTP/1.0\r\n\r\n");
    r = th_read_all(fd);
    ck_assert_int_eq(th_status(r), 200);
    ck_assert_ptr_nonnull(strstr(r, "Connection: close"));
    free(r);
    close(fd);
    th_stop(&t);
}
END_TEST

START_TEST(access_log_line)
{
    th_t t;
    json_t *j;

    th_start(&t, NULL);
    free(roundtrip(&t, "GET /items/9 HTTP/1.1\r\nX-Request-Id: rid-1\r\n\r\n"));
    th_shutdown(&t);
    th_join(&t);
    j = json_loads(t.log_text, JSON_DISABLE_EOF_CHECK, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "request_id")), "rid-1");
    ck_assert_str_eq(json_string_value(json_object_get(j, "tenant")), "acme");
    ck_assert_str_eq(json_string_value(json_object_get(j, "user")), "u1");
    ck_assert_str_eq(json_string_value(json_object_get(j, "method")), "GET");
    ck_assert_str_eq(json_string_value(json_object_get(j, "path")), "/items/9");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 200);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "bytes")), 19);
    ck_assert(json_is_integer(json_object_get(j, "duration_us")));
    ck_assert_uint_eq(strlen(json_string_value(json_object_get(j, "time"))), 27);
    json_decref(j);
    free(t.log_text);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("http_server");
    TCase *tc = tcase_create("sockets");

    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, keep_alive_and_json);
    tcase_add_test(tc, pipelined_in_order);
    tcase_add_test(tc, large_answers_then_pipelined);
    tcase_add_test(tc, chunked_body);
    tcase_add_test(tc, expect_continue);
    tcase_add_test(tc, body_too_large);
    tcase_add_test(tc, headers_too_large);
    tcase_add_test(tc, garbage_then_others_fine);
    tcase_add_test(tc, not_found_and_method);
    tcase_add_test(tc, head_has_no_body);
    tcase_add_test(tc, query_and_params);
    tcase_add_test(tc, request_id);
    tcase_add_test(tc, json_body_checks);
    tcase_add_test(tc, slow_headers_timeout);
    tcase_add_test(tc, slow_body_timeout);
    tcase_add_test(tc, idle_keep_alive_closed);
    tcase_add_test(tc, connection_cap);
    tcase_add_test(tc, client_leaves_during_async);
    tcase_add_test(tc, graceful_shutdown);
    tcase_add_test(tc, http10_closes);
    tcase_add_test(tc, access_log_line);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, th_stream_tcase());
    suite_add_tcase(s, th_file_tcase());
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

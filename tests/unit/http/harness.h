/*
 * A server on its own loop thread with the tests' small route table, and
 * blocking-socket helpers that speak raw bytes to it.
 */
#ifndef FL_TEST_HTTP_HARNESS_H
#define FL_TEST_HTTP_HARNESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include <uv.h>

#include "firelater/http.h"

typedef struct th {
    uv_loop_t loop;
    uv_async_t stop;
    pthread_t thread;
    fl_http_server_t *srv;
    fl_http_router_t router;
    fl_http_config_t cfg;
    int port;
    FILE *log; /* the access log, an open_memstream */
    char *log_text;
    size_t log_len;
    char dir[64]; /* POST /upload writes here (harness_stream.c); removed by th_join */
} th_t;

/* With body_interval_ms 100 and body_min_bytes 10: a body at 1 byte per 60 ms gets 408. */
void th_slow_body_408(const th_t *t, const char *path);

/* The streamed body's test case (test_stream.c). */
#include <check.h>
TCase *th_stream_tcase(void);

/* POST /upload: the streamed route (harness_stream.c). */
int th_h_upload(fl_http_req_t *req);

/* GET /file?n=N[&off=O][&len=L]: a file answer (harness_file.c). */
int th_h_file(fl_http_req_t *req);
/* The file answer's test case (test_file.c). */
TCase *th_file_tcase(void);
/* How many file descriptors the process has open. */
int th_open_fds(void);

/* The names of the files in t->dir, sorted, joined by spaces (malloc'd). */
char *th_files(const th_t *t);

/* Starts a server with cfg (NULL: defaults) on 127.0.0.1:0. */
void th_start(th_t *t, const fl_http_config_t *cfg);

/* Asks the loop to shut the server down gracefully; returns at once. */
void th_shutdown(th_t *t);

/* Waits for the loop thread to end (after th_shutdown) and frees all but log_text. */
void th_join(th_t *t);

/* th_shutdown, th_join, and free the log text. */
void th_stop(th_t *t);

int th_connect(const th_t *t);
void th_send(int fd, const char *s);

/* One response: head and Content-Length body, malloc'd; NULL at EOF or timeout. */
char *th_response(int fd);
char *th_response_ex(int fd, bool with_body); /* with_body false: the head only (HEAD, 100) */

/* Everything until EOF (or a 3 s timeout), malloc'd. */
char *th_read_all(int fd);

/* True when the peer closed: a read returns 0 within ms. */
bool th_eof_within(int fd, int ms);

int th_status(const char *resp);
const char *th_body(const char *resp);

/* The value of header name in resp into buf; false if absent. */
bool th_header(const char *resp, const char *name, char *buf, size_t len);

#endif

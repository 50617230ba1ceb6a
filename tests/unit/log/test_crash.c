/*
 * The crash test. A child appends batches of random sizes in a loop from two
 * threads with the durable default settings, and reports each acknowledged
 * batch on a pipe; the parent kills it with SIGKILL after about a second.
 * After reopening, every acknowledged batch is there whole, no partial batch
 * is visible (each event carries its batch id, index and batch size), and
 * verify passes. Repeated on the same environment, so each round also
 * recovers from the previous round's crash.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "firelater/clock.h"
#include "firelater/err.h"
#include "firelater/log.h"
#include "util.h"

#define ROUNDS  4
#define THREADS 2

struct ack {
    long long batch;
    uint64_t first_pos;
    uint32_t count;
};

struct writer {
    fl_log_t *lg;
    int fd;
    long long base; /* batch ids of this writer start here */
};

static int append_random_batch(fl_log_t *lg, long long id, uint32_t *seed, fl_arena_t *a,
                               fl_log_result_t *r)
{
    int n = 1 + (int)(rand_r(seed) % 24);
    fl_log_new_t *ev = fl_arena_alloc(a, (size_t)n * sizeof(*ev));
    fl_log_batch_t b = {.events = ev, .n_events = (size_t)n};

    for (int i = 0; i < n; i++) {
        char stream[32], json[128];

        snprintf(stream, sizeof(stream), "s:%u", rand_r(seed) % 6);
        snprintf(json, sizeof(json), "{\"b\":%lld,\"i\":%d,\"n\":%d,\"pad\":\"%0*d\"}", id, i, n,
                 (int)(rand_r(seed) % 64), 0);
        ev[i] = tu_ev(a, fl_arena_strndup(a, stream, strlen(stream)), "crash.tested", json);
        ev[i].number = i == 0 ? "TSK" : NULL;
    }
    return fl_log_append(lg, &b, r);
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    uint32_t seed = (uint32_t)w->base * 2654435761u + 1;
    fl_arena_t a;

    fl_arena_init(&a, 0);
    for (long long id = w->base;; id++) {
        fl_log_result_t r;
        struct ack ack;

        if (append_random_batch(w->lg, id, &seed, &a, &r) != 0)
            _exit(4);
        ack = (struct ack){.batch = id, .first_pos = r.first_pos, .count = r.count};
        if (write(w->fd, &ack, sizeof(ack)) != (ssize_t)sizeof(ack)) /* atomic: < PIPE_BUF */
            _exit(5);
        fl_arena_reset(&a);
    }
    return NULL;
}

static void child_main(const char *dir, int fd, int round)
{
    fl_log_t *lg = NULL;
    struct writer w[THREADS];
    pthread_t th[THREADS];

    if (fl_log_open(&lg, dir, NULL) != 0) /* NULL: the durable defaults */
        _exit(2);
    for (int t = 0; t < THREADS; t++) {
        w[t] = (struct writer){.lg = lg, .fd = fd, .base = (round * THREADS + t) * 10000000LL};
        if (pthread_create(&th[t], NULL, writer_main, &w[t]) != 0)
            _exit(3);
    }
    pthread_join(th[0], NULL); /* never returns: the parent kills us */
    _exit(6);
}

/* Reads acks for about `ms` milliseconds, kills the child, then drains the pipe. */
static struct ack *run_and_kill(pid_t pid, int fd, int ms, size_t *n)
{
    size_t cap = 1024;
    struct ack *acks = malloc(cap * sizeof(*acks));
    int64_t end = fl_clock_mono() + (int64_t)ms * 1000;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    bool killed = false;
    ssize_t got;

    *n = 0;
    for (;;) {
        if (!killed && fl_clock_mono() >= end) {
            ck_assert_int_eq(kill(pid, SIGKILL), 0);
            killed = true;
        }
        if (!killed && poll(&p, 1, 10) == 0)
            continue;
        if (*n == cap)
            acks = realloc(acks, (cap *= 2) * sizeof(*acks));
        ck_assert_ptr_nonnull(acks);
        got = read(fd, &acks[*n], sizeof(*acks));
        if (got == 0 && killed)
            break;
        if (got == (ssize_t)sizeof(*acks))
            (*n)++;
        else
            ck_assert_msg(got == 0 || (got < 0 && errno == EINTR), "short ack read %zd", got);
    }
    return acks;
}

static void check_acked(fl_log_t *lg, const struct ack *acks, size_t n, fl_arena_t *a)
{
    for (size_t i = 0; i < n; i++) {
        fl_log_query_t q = {.from = acks[i].first_pos, .to = acks[i].first_pos + acks[i].count - 1};
        fl_event_t *evs;

        ck_assert_msg(tu_read(lg, &q, a, &evs) == acks[i].count,
                      "acknowledged batch %lld at %llu lost events", acks[i].batch,
                      (unsigned long long)acks[i].first_pos);
        for (uint32_t k = 0; k < acks[i].count; k++) {
            ck_assert_int_eq(tu_data_int(&evs[k], "b"), acks[i].batch);
            ck_assert_int_eq(tu_data_int(&evs[k], "i"), k);
            ck_assert_int_eq(tu_data_int(&evs[k], "n"), acks[i].count);
        }
        fl_arena_reset(a);
    }
}

/* Every batch in the log, acknowledged or not, is whole and contiguous. */
static void check_no_partial_batch(fl_log_t *lg, fl_arena_t *a)
{
    fl_log_query_t all = {0};
    fl_event_t *evs;
    size_t n = tu_read(lg, &all, a, &evs);

    for (size_t i = 0; i < n;) {
        long long b = tu_data_int(&evs[i], "b"), count = tu_data_int(&evs[i], "n");

        ck_assert_uint_eq(evs[i].pos, i + 1);
        ck_assert_msg(i + (size_t)count <= n, "batch %lld is partial at the end", b);
        for (long long k = 0; k < count; k++, i++) {
            ck_assert_msg(tu_data_int(&evs[i], "b") == b && tu_data_int(&evs[i], "i") == k,
                          "batch %lld is partial at %llu", b, (unsigned long long)evs[i].pos);
        }
    }
    fl_arena_reset(a);
}

static void check_numbers_gapless(fl_log_t *lg, fl_arena_t *a)
{
    fl_log_query_t all = {0};
    fl_event_t *evs;
    size_t n = tu_read(lg, &all, a, &evs);
    uint64_t next = 1, last = 0;
    char want[FL_LOG_NUM_MAX];

    for (size_t i = 0; i < n; i++) {
        if (evs[i].num[0] == '\0')
            continue;
        fl_log_number_format("TSK", next++, want, sizeof(want));
        ck_assert_str_eq(evs[i].num, want);
    }
    ck_assert_int_eq(fl_log_number_last(lg, "TSK", &last), 0);
    ck_assert_uint_eq(last, next - 1);
    fl_arena_reset(a);
}

static void one_round(const char *dir, int round, fl_arena_t *a)
{
    int fds[2], status;
    pid_t pid;
    size_t n;
    struct ack *acks;
    fl_log_t *lg;

    ck_assert_int_eq(pipe(fds), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        child_main(dir, fds[1], round);
    }
    close(fds[1]);
    acks = run_and_kill(pid, fds[0], 1000, &n);
    close(fds[0]);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "round %d: the child stopped by itself (status %#x)", round, status);
    ck_assert_msg(n > 0, "round %d: no batch was acknowledged", round);
    lg = tu_open(dir, NULL, false);
    check_acked(lg, acks, n, a);
    check_no_partial_batch(lg, a);
    check_numbers_gapless(lg, a);
    tu_verify_ok(lg);
    fl_log_close(lg);
    free(acks);
}

START_TEST(sigkill_loses_no_acknowledged_batch)
{
    char *dir = tu_mkdtemp();
    fl_arena_t a;

    fl_arena_init(&a, 0);
    for (int round = 0; round < ROUNDS; round++)
        one_round(dir, round, &a);
    fl_arena_free(&a);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static Suite *crash_suite(void)
{
    Suite *s = suite_create("crash");
    TCase *tc = tcase_create("crash");

    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, sigkill_loses_no_acknowledged_batch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(crash_suite());
}

/*
 * The map grows when full, from a tiny initial size, without losing or
 * damaging anything; and a full disk (simulated with RLIMIT_FSIZE in a child
 * process) is a clean error that leaves every acknowledged batch intact.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "firelater/err.h"
#include "firelater/log.h"
#include "util.h"

static char *dir;
static fl_arena_t arena;

static void setup(void)
{
    dir = tu_mkdtemp();
    fl_arena_init(&arena, 0);
}

static void teardown(void)
{
    fl_arena_free(&arena);
    tu_rmrf(dir);
    free(dir);
}

/* JSON data of about `size` bytes that names its batch, index and batch size. */
static const char *payload(int batch, int i, int n, size_t size)
{
    char *json = fl_arena_alloc(&arena, size + 96);
    int len = snprintf(json, 96, "{\"b\":%d,\"i\":%d,\"n\":%d,\"pad\":\"", batch, i, n);

    memset(json + len, 'a' + (char)((batch + i) % 26), size);
    memcpy(json + len + size, "\"}", 3);
    return json;
}

/* Appends a batch of n events of about `size` bytes to stream "s:<batch % 7>". */
static int append_batch(fl_log_t *lg, int batch, int n, size_t size, fl_log_result_t *r)
{
    fl_log_new_t *ev = fl_arena_alloc(&arena, (size_t)n * sizeof(*ev));
    fl_log_batch_t b = {.events = ev, .n_events = (size_t)n};
    char stream[16];

    snprintf(stream, sizeof(stream), "s:%d", batch % 7);
    for (int i = 0; i < n; i++)
        ev[i] = tu_ev(&arena, fl_arena_strndup(&arena, stream, strlen(stream)), "blob.added",
                      payload(batch, i, n, size));
    return fl_log_append(lg, &b, r);
}

/* Reads the whole log and checks the events form whole batches in order; returns the count. */
static size_t check_whole_batches(fl_log_t *lg)
{
    fl_log_query_t all = {0};
    fl_event_t *evs;
    size_t n = tu_read(lg, &all, &arena, &evs);

    for (size_t i = 0; i < n;) {
        long long b = tu_data_int(&evs[i], "b"), count = tu_data_int(&evs[i], "n");

        ck_assert_uint_eq(evs[i].pos, i + 1);
        ck_assert_msg(i + (size_t)count <= n, "batch %lld cut short at %zu", b, n);
        for (long long k = 0; k < count; k++, i++) {
            ck_assert_int_eq(tu_data_int(&evs[i], "b"), b);
            ck_assert_int_eq(tu_data_int(&evs[i], "i"), k);
        }
    }
    return n;
}

START_TEST(grows_from_tiny_map)
{
    fl_log_opts_t opts = {.map_size = 64 * 1024, .no_sync = true};
    fl_log_t *lg = tu_open_opts(dir, &opts);
    fl_log_stats_t st;
    fl_log_result_t r;
    size_t total = 0;

    for (int b = 0; b < 400; b++) {
        int rc = append_batch(lg, b, 1 + b % 16, 1500, &r);

        ck_assert_msg(rc == 0, "batch %d: %s", b, fl_strerror(rc));
        total += 1 + (size_t)(b % 16);
        fl_arena_reset(&arena);
    }
    ck_assert_int_eq(fl_log_stats(lg, &st), 0);
    ck_assert_uint_eq(st.events, total);
    ck_assert_uint_gt(st.bytes, 4u << 20);
    ck_assert_uint_ge(st.map_size, st.map_used);
    ck_assert_uint_eq(check_whole_batches(lg), total);
    tu_verify_ok(lg);
    fl_log_close(lg);
    lg = tu_open_opts(dir, &opts); /* a small map_size on reopen must not hide data */
    ck_assert_uint_eq(check_whole_batches(lg), total);
    ck_assert_int_eq(append_batch(lg, 400, 3, 1500, &r), 0);
    tu_verify_ok(lg);
    fl_log_close(lg);
}
END_TEST

START_TEST(one_event_bigger_than_the_map)
{
    fl_log_opts_t opts = {.map_size = 64 * 1024, .no_sync = true};
    fl_log_t *lg = tu_open_opts(dir, &opts);
    fl_log_result_t r;

    ck_assert_int_eq(append_batch(lg, 0, 1, 10, &r), 0);
    ck_assert_int_eq(append_batch(lg, 1, 2, 512 * 1024, &r), 0);
    ck_assert_int_eq(append_batch(lg, 2, 1, 10, &r), 0);
    ck_assert_uint_eq(check_whole_batches(lg), 4);
    tu_verify_ok(lg);
    fl_log_close(lg);
}
END_TEST

/* What the child reports on the pipe: an acknowledged batch, or its final error. */
struct report {
    int rc;
    int batch;
    uint64_t first_pos;
    uint32_t count;
};

static void send_report(int fd, const struct report *rep)
{
    if (write(fd, rep, sizeof(*rep)) != (ssize_t)sizeof(*rep))
        _exit(3);
}

static void fill_disk_child(int fd)
{
    struct rlimit lim = {.rlim_cur = 2u << 20, .rlim_max = 2u << 20};
    fl_log_opts_t opts = {.map_size = 256 * 1024};
    fl_log_t *lg = NULL;
    struct report rep = {0};

    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &lim) != 0 || fl_log_open(&lg, dir, &opts) != 0)
        _exit(2);
    for (int b = 0; b < 100000; b++) {
        fl_log_result_t r;

        rep.rc = append_batch(lg, b, 1 + b % 5, 3000, &r);
        rep.batch = b;
        rep.first_pos = r.first_pos;
        rep.count = r.count;
        send_report(fd, &rep);
        fl_arena_reset(&arena);
        if (rep.rc != 0)
            break;
    }
    /* The handle must still read after the failure. */
    rep.rc = fl_log_stats(lg, &(fl_log_stats_t){0});
    send_report(fd, &rep);
    fl_log_close(lg);
    _exit(0);
}

/* Reads the child's reports; returns the error it stopped on. */
static int collect(int fd, struct report *acked, int max, int *n_acked, int *after)
{
    struct report rep;
    int err = 0;

    *n_acked = 0;
    while (read(fd, &rep, sizeof(rep)) == (ssize_t)sizeof(rep)) {
        if (err != 0) {
            *after = rep.rc;
            break;
        }
        if (rep.rc != 0)
            err = rep.rc;
        else if (*n_acked < max)
            acked[(*n_acked)++] = rep;
    }
    return err;
}

START_TEST(full_disk_is_a_clean_error)
{
    static struct report acked[4096];
    int fds[2], status, n_acked = 0, after = 1, err;
    pid_t pid;
    fl_log_t *lg;
    fl_event_t *evs;

    ck_assert_int_eq(pipe(fds), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        fill_disk_child(fds[1]);
    }
    close(fds[1]);
    err = collect(fds[0], acked, 4096, &n_acked, &after);
    close(fds[0]);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
    ck_assert_msg(err == FL_ENOSPACE || err == -EFBIG, "append failed with %d (%s)", err,
                  fl_strerror(err));
    ck_assert_int_gt(n_acked, 10);
    ck_assert_int_eq(after, 0);
    lg = tu_open(dir, NULL, true);
    for (int i = 0; i < n_acked; i++) {
        fl_log_query_t q = {.from = acked[i].first_pos,
                            .to = acked[i].first_pos + acked[i].count - 1};

        ck_assert_uint_eq(tu_read(lg, &q, &arena, &evs), acked[i].count);
        for (uint32_t k = 0; k < acked[i].count; k++)
            ck_assert_int_eq(tu_data_int(&evs[k], "b"), acked[i].batch);
        fl_arena_reset(&arena);
    }
    check_whole_batches(lg);
    tu_verify_ok(lg);
    fl_log_close(lg);
}
END_TEST

static Suite *growth_suite(void)
{
    Suite *s = suite_create("growth");
    TCase *tc = tcase_create("growth");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, grows_from_tiny_map);
    tcase_add_test(tc, one_event_bigger_than_the_map);
    tcase_add_test(tc, full_disk_is_a_clean_error);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(growth_suite());
}

/*
 * The hash chain and fl_log_verify: a good log verifies; in a copy of the
 * environment, one flipped byte inside any record's stored bytes makes verify
 * fail and name exactly that record's position.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firelater/err.h"
#include "firelater/log.h"
#include "util.h"

#define N_EVENTS 12

static char *dir;
static fl_arena_t arena;
static fl_event_t *evs; /* the good log's events, raw bytes in arena */

static void append_batch(fl_log_t *lg, int first, int n)
{
    fl_log_new_t ev[4];
    fl_log_batch_t b = {.events = ev, .n_events = (size_t)n};
    fl_log_result_t r;
    char stream[32], json[96];

    for (int i = 0; i < n; i++) {
        snprintf(stream, sizeof(stream), "issue:%d", (first + i) % 3);
        snprintf(json, sizeof(json), "{\"seq\":%d,\"title\":\"event number %d of the log\"}",
                 first + i, first + i);
        ev[i] =
            tu_ev(&arena, fl_arena_strndup(&arena, stream, strlen(stream)), "issue.noted", json);
        ev[i].number = (first + i) % 4 == 0 ? "ISS" : NULL;
    }
    ck_assert_int_eq(fl_log_append(lg, &b, &r), 0);
}

static void setup(void)
{
    fl_log_t *lg;
    fl_log_query_t all = {0};

    fl_arena_init(&arena, 0);
    dir = tu_mkdtemp();
    lg = tu_open(dir, NULL, true);
    for (int i = 0; i < N_EVENTS; i += 3)
        append_batch(lg, i, 3);
    ck_assert_uint_eq(tu_read(lg, &all, &arena, &evs), N_EVENTS);
    tu_own(evs, N_EVENTS, &arena);
    fl_log_close(lg);
}

static void teardown(void)
{
    tu_rmrf(dir);
    free(dir);
    fl_arena_free(&arena);
}

START_TEST(good_log_verifies)
{
    fl_log_t *lg = tu_open(dir, NULL, true);
    uint8_t hash[FL_LOG_HASH_LEN];

    tu_verify_ok(lg);
    for (int i = 1; i < N_EVENTS; i++) {
        fl_log_hash(evs[i - 1].raw, evs[i - 1].raw_len, hash);
        ck_assert_msg(memcmp(evs[i].prev, hash, FL_LOG_HASH_LEN) == 0,
                      "event %d: prev is not the hash of event %d", i + 1, i);
    }
    fl_log_close(lg);
}
END_TEST

static uint8_t *read_whole(const char *path, size_t *len)
{
    struct stat st;
    int fd = open(path, O_RDONLY);
    uint8_t *buf;

    ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
    ck_assert_int_eq(fstat(fd, &st), 0);
    buf = malloc((size_t)st.st_size + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(pread(fd, buf, (size_t)st.st_size, 0), st.st_size);
    close(fd);
    *len = (size_t)st.st_size;
    return buf;
}

static void write_whole(const char *path, const uint8_t *buf, size_t len)
{
    int fd = open(path, O_WRONLY);

    ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
    ck_assert_int_eq(pwrite(fd, buf, len, 0), (ssize_t)len);
    ck_assert_int_eq(close(fd), 0);
}

/*
 * Flips the byte at offset inside every copy of the record's bytes in data.mdb
 * (LMDB's copy-on-write may leave stale copies in free pages). Returns the
 * number of copies changed.
 */
static int flip_in_file(const char *path, const fl_event_t *ev, size_t offset)
{
    size_t len;
    uint8_t *buf = read_whole(path, &len), *p = buf;
    int copies = 0;

    while ((p = memmem(p, len - (size_t)(p - buf), ev->raw, ev->raw_len)) != NULL) {
        p[offset] ^= 0x5a;
        p += ev->raw_len;
        copies++;
    }
    write_whole(path, buf, len);
    free(buf);
    return copies;
}

/* Copies the environment, flips one byte of record `index`, and checks verify names it. */
static void tamper_and_verify(int index, size_t offset)
{
    const fl_event_t *ev = &evs[index];
    char *copy = tu_mkdtemp(), from[512], to[512], msg[256] = "";
    fl_log_t *lg;
    uint64_t bad = 0;
    int rc;

    ck_assert_uint_lt(offset, ev->raw_len);
    tu_path(from, sizeof(from), dir, "data.mdb");
    tu_path(to, sizeof(to), copy, "data.mdb");
    tu_copy_file(from, to);
    ck_assert_int_gt(flip_in_file(to, ev, offset), 0);
    lg = tu_open(copy, NULL, true);
    rc = fl_log_verify(lg, &bad, msg, sizeof(msg));
    ck_assert_msg(rc == FL_ECORRUPT || rc == FL_ECHAIN,
                  "record %llu byte %zu flipped: verify rc %d (%s)", (unsigned long long)ev->pos,
                  offset, rc, msg);
    ck_assert_msg(bad == ev->pos, "record %llu byte %zu flipped: verify names %llu (%s)",
                  (unsigned long long)ev->pos, offset, (unsigned long long)bad, msg);
    ck_assert_int_gt(strlen(msg), 0);
    fl_log_close(lg);
    tu_rmrf(copy);
    free(copy);
}

static size_t offset_in(const fl_event_t *ev, const void *field, size_t field_len)
{
    const uint8_t *p = memmem(ev->raw, ev->raw_len, field, field_len);

    ck_assert_ptr_nonnull(p);
    return (size_t)(p - ev->raw) + field_len / 2;
}

START_TEST(untouched_copy_verifies)
{
    char *copy = tu_mkdtemp(), from[512], to[512];
    fl_log_t *lg;

    tu_path(from, sizeof(from), dir, "data.mdb");
    tu_path(to, sizeof(to), copy, "data.mdb");
    tu_copy_file(from, to);
    lg = tu_open(copy, NULL, true);
    tu_verify_ok(lg);
    fl_log_close(lg);
    tu_rmrf(copy);
    free(copy);
}
END_TEST

START_TEST(flip_in_data_of_first_and_last)
{
    tamper_and_verify(0, offset_in(&evs[0], evs[0].data, evs[0].data_len));
    tamper_and_verify(N_EVENTS - 1, offset_in(&evs[N_EVENTS - 1], evs[N_EVENTS - 1].data,
                                              evs[N_EVENTS - 1].data_len));
}
END_TEST

START_TEST(flip_in_prev)
{
    tamper_and_verify(0, offset_in(&evs[0], evs[0].prev, FL_LOG_HASH_LEN));
    tamper_and_verify(5, offset_in(&evs[5], evs[5].prev, FL_LOG_HASH_LEN));
    tamper_and_verify(N_EVENTS - 1,
                      offset_in(&evs[N_EVENTS - 1], evs[N_EVENTS - 1].prev, FL_LOG_HASH_LEN));
}
END_TEST

START_TEST(flip_in_every_record)
{
    for (int i = 0; i < N_EVENTS; i++)
        tamper_and_verify(i, evs[i].raw_len / 2);
}
END_TEST

START_TEST(flip_first_and_last_byte)
{
    tamper_and_verify(3, 0);
    tamper_and_verify(3, evs[3].raw_len - 1);
    tamper_and_verify(N_EVENTS - 1, evs[N_EVENTS - 1].raw_len - 1);
}
END_TEST

START_TEST(flip_in_type_stream_and_number)
{
    const fl_event_t *ev = &evs[4]; /* seq 4: numbered */

    ck_assert_str_ne(ev->num, "");
    tamper_and_verify(4, offset_in(ev, ev->type, strlen(ev->type)));
    tamper_and_verify(4, offset_in(ev, ev->stream, strlen(ev->stream)));
    tamper_and_verify(4, offset_in(ev, ev->num, strlen(ev->num)));
}
END_TEST

static Suite *verify_suite(void)
{
    Suite *s = suite_create("verify");
    TCase *tc = tcase_create("verify");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, good_log_verifies);
    tcase_add_test(tc, untouched_copy_verifies);
    tcase_add_test(tc, flip_in_data_of_first_and_last);
    tcase_add_test(tc, flip_in_prev);
    tcase_add_test(tc, flip_in_every_record);
    tcase_add_test(tc, flip_first_and_last_byte);
    tcase_add_test(tc, flip_in_type_stream_and_number);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(verify_suite());
}

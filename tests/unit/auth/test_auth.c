/*
 * Authentication primitives: passwords (inline and on a real libuv loop) and
 * the signing key file. JWTs, refresh tokens and throttling are in the files
 * beside this one; this file runs them all as one suite.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#include "firelater/auth.h"
#include "firelater/err.h"
#include "auth_tests.h"
#include "internal.h"
#include "util.h"

/* ---------------------------------------------------------------- passwords */

START_TEST(password_round_trip)
{
    char hash[FL_PASSWORD_HASH_MAX];

    ck_assert_int_eq(fl_password_hash("correct horse", hash), 0);
    ck_assert_msg(strncmp(hash, "$argon2id$", 10) == 0, "not argon2id: %s", hash);
    ck_assert_int_eq(crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
    ck_assert(fl_password_verify(hash, "correct horse"));
    ck_assert(!fl_password_verify(hash, "correct horse "));
    ck_assert(!fl_password_verify(hash, ""));
}
END_TEST

START_TEST(password_salted)
{
    char a[FL_PASSWORD_HASH_MAX], b[FL_PASSWORD_HASH_MAX];

    ck_assert_int_eq(fl_password_hash("same", a), 0);
    ck_assert_int_eq(fl_password_hash("same", b), 0);
    ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(password_unknown_and_garbage)
{
    char longer[FL_PASSWORD_HASH_MAX * 2];

    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    ck_assert(!fl_password_verify(NULL, "anything"));
    ck_assert(!fl_password_verify(NULL, "firelater-dummy-password"));
    ck_assert(!fl_password_verify("", "anything"));
    ck_assert(!fl_password_verify("$argon2id$v=19$m=65536", "anything"));
    ck_assert(!fl_password_verify(longer, "anything"));
}
END_TEST

/* The dummy costs what a real hash costs: same algorithm and limits as fl_password_hash. */
START_TEST(password_dummy_same_cost)
{
    ck_assert(strncmp(fl__auth_dummy_hash, "$argon2id$", 10) == 0);
    ck_assert_int_eq(crypto_pwhash_str_needs_rehash(fl__auth_dummy_hash,
                                                    crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                    crypto_pwhash_MEMLIMIT_INTERACTIVE),
                     0);
}
END_TEST

typedef struct pw_result {
    int calls, rc;
    bool ok;
    char hash[FL_PASSWORD_HASH_MAX];
} pw_result_t;

static void on_password(void *ctx, int rc, bool ok, const char *hash_out)
{
    pw_result_t *r = ctx;

    r->calls++;
    r->rc = rc;
    r->ok = ok;
    if (hash_out != NULL)
        snprintf(r->hash, sizeof(r->hash), "%s", hash_out);
}

START_TEST(password_async)
{
    uv_loop_t loop;
    pw_result_t h = {0}, good = {0}, bad = {0}, unknown = {0};
    char password[] = "s3cret on the pool";

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(fl_password_hash_async(&loop, password, on_password, &h), 0);
    /* The work item holds its own copy: the caller's buffer may change at once. */
    memset(password, 'z', sizeof(password) - 1);
    ck_assert_int_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ck_assert_int_eq(h.calls, 1);
    ck_assert_int_eq(h.rc, 0);
    ck_assert(fl_password_verify(h.hash, "s3cret on the pool"));

    ck_assert_int_eq(
        fl_password_verify_async(&loop, h.hash, "s3cret on the pool", on_password, &good), 0);
    ck_assert_int_eq(fl_password_verify_async(&loop, h.hash, "wrong", on_password, &bad), 0);
    ck_assert_int_eq(
        fl_password_verify_async(&loop, NULL, "s3cret on the pool", on_password, &unknown), 0);
    ck_assert_int_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
    ck_assert(good.calls == 1 && good.rc == 0 && good.ok);
    ck_assert(bad.calls == 1 && bad.rc == 0 && !bad.ok);
    ck_assert(unknown.calls == 1 && unknown.rc == 0 && !unknown.ok);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

/* --------------------------------------------------------------------- key */

static void key_path(char *buf, size_t len, const char *dir)
{
    snprintf(buf, len, "%s/secrets/jwt.key", dir);
}

START_TEST(key_created_and_reused)
{
    char *dir = tu_mkdtemp(), path[512], text[80];
    uint8_t k1[FL_AUTH_KEY_LEN], k2[FL_AUTH_KEY_LEN], zero[FL_AUTH_KEY_LEN] = {0};
    struct stat st;

    ck_assert_int_eq(fl_auth_key_load(dir, k1), 0);
    ck_assert(memcmp(k1, zero, sizeof(zero)) != 0);
    tu_path(path, sizeof(path), dir, "secrets");
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);
    key_path(path, sizeof(path), dir);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    ck_assert_int_eq(st.st_size, 65);

    /* The documented format: the key in lower-case hex and a newline. */
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
    fclose(f);
    char hex[65];
    sodium_bin2hex(hex, sizeof(hex), k1, sizeof(k1));
    ck_assert_int_eq(strncmp(text, hex, 64), 0);

    ck_assert_int_eq(fl_auth_key_load(dir, k2), 0);
    ck_assert_mem_eq(k1, k2, sizeof(k1));
    tu_rmrf(dir);
    free(dir);
}
END_TEST

START_TEST(key_corrupt_and_missing_dir)
{
    char *dir = tu_mkdtemp(), path[512];
    uint8_t k[FL_AUTH_KEY_LEN];

    ck_assert_int_eq(fl_auth_key_load(dir, k), 0);
    key_path(path, sizeof(path), dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("not a key\n", f);
    fclose(f);
    ck_assert_int_eq(fl_auth_key_load(dir, k), FL_ECORRUPT);
    tu_path(path, sizeof(path), dir, "does/not/exist");
    ck_assert_int_eq(fl_auth_key_load(path, k), -ENOENT);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

#define RACERS 8

/* A racer: waits for the start signal (the pipe's end of file), loads the key, writes it. */
static void racer(const char *dir, const int go[2], int out)
{
    uint8_t k[FL_AUTH_KEY_LEN];
    char c;

    close(go[1]);
    if (read(go[0], &c, 1) < 0)
        _exit(2);
    if (fl_auth_key_load(dir, k) != 0)
        _exit(3);
    _exit(write(out, k, sizeof(k)) == (ssize_t)sizeof(k) ? 0 : 4);
}

/* The secrets directory holds jwt.key and nothing else. */
static void assert_only_key(const char *dir)
{
    char path[512];
    struct dirent *e;
    int files = 0;

    tu_path(path, sizeof(path), dir, "secrets");
    DIR *d = opendir(path);
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            ck_assert_str_eq(e->d_name, "jwt.key");
            files++;
        }
    }
    closedir(d);
    ck_assert_int_eq(files, 1);
}

/* Processes creating the key at once all end up with the same key, and no litter. */
START_TEST(key_concurrent_creation)
{
    char *dir = tu_mkdtemp();
    int go[2], out[2], status;
    uint8_t keys[RACERS][FL_AUTH_KEY_LEN], final[FL_AUTH_KEY_LEN];

    ck_assert_int_eq(pipe(go), 0);
    ck_assert_int_eq(pipe(out), 0);
    for (int i = 0; i < RACERS; i++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0)
            racer(dir, go, out[1]);
    }
    close(go[0]);
    close(go[1]); /* every racer's read returns at once: the start signal */
    close(out[1]);
    for (int i = 0; i < RACERS; i++) {
        ck_assert_int_gt(wait(&status), 0);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "racer failed: %d", status);
    }
    for (int i = 0; i < RACERS; i++)
        ck_assert_int_eq(read(out[0], keys[i], FL_AUTH_KEY_LEN), FL_AUTH_KEY_LEN);
    close(out[0]);
    ck_assert_int_eq(fl_auth_key_load(dir, final), 0);
    for (int i = 0; i < RACERS; i++)
        ck_assert_mem_eq(keys[i], final, FL_AUTH_KEY_LEN);

    /* Only jwt.key is left: the racers' temporary files are gone. */
    assert_only_key(dir);
    tu_rmrf(dir);
    free(dir);
}
END_TEST

static Suite *auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *pw = tcase_create("passwords");
    TCase *key = tcase_create("key");

    /* argon2id with 64 MiB per hash is slow under the sanitizers. */
    tcase_set_timeout(pw, 120);
    tcase_add_test(pw, password_round_trip);
    tcase_add_test(pw, password_salted);
    tcase_add_test(pw, password_unknown_and_garbage);
    tcase_add_test(pw, password_dummy_same_cost);
    tcase_add_test(pw, password_async);
    suite_add_tcase(s, pw);
    tcase_add_test(key, key_created_and_reused);
    tcase_add_test(key, key_corrupt_and_missing_dir);
    tcase_add_test(key, key_concurrent_creation);
    suite_add_tcase(s, key);
    suite_add_tcase(s, auth_tcase_jwt());
    suite_add_tcase(s, auth_tcase_tokens());
    suite_add_tcase(s, auth_tcase_throttle());
    return s;
}

int main(void)
{
    return tu_run(auth_suite());
}

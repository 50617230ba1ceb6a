/*
 * Passwords: argon2id through libsodium, inline or on libuv's thread pool.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "firelater/auth.h"
#include "firelater/err.h"
#include "internal.h"

/*
 * A hash of a password nobody knows, made with the same limits as real ones
 * (crypto_pwhash OPSLIMIT/MEMLIMIT_INTERACTIVE; test_auth checks they still
 * match): verifying against it costs what verifying a real account costs, so
 * response times do not tell whether an email has an account.
 */
const char fl__auth_dummy_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$002/sXH1fv0BVbJP/Nzu1Q$"
                                   "1HNMPvJnGHFxwv2a3+W6a8YjdtrKeWKHn7CrVwfce+M";

int fl_password_hash(const char *password, char out[FL_PASSWORD_HASH_MAX])
{
    if (sodium_init() < 0)
        return -ENOMEM;
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return -ENOMEM;
    return 0;
}

bool fl_password_verify(const char *hash, const char *password)
{
    /*
     * libsodium reads the hash as a crypto_pwhash_STRBYTES buffer, so a
     * stored string is copied into one first: a short string then cannot
     * make it read past its end.
     */
    char buf[crypto_pwhash_STRBYTES] = {0};
    /* A string too long to be one of ours is treated as an unknown account. */
    bool known = hash != NULL && strnlen(hash, sizeof(buf)) < sizeof(buf);
    const char *h = known ? hash : fl__auth_dummy_hash;

    if (sodium_init() < 0)
        return false;
    memcpy(buf, h, strlen(h));
    int rc = crypto_pwhash_str_verify(buf, password, strlen(password));
    return known && rc == 0;
}

/* One password job on the thread pool; the password lives at the end of it. */
typedef struct pw_work {
    uv_work_t req;
    fl_password_cb cb;
    void *ctx;
    bool verify;
    bool has_hash;
    bool ok;
    int rc;
    char hash[FL_PASSWORD_HASH_MAX];
    size_t password_len;
    char password[];
} pw_work_t;

static pw_work_t *work_new(const char *password, fl_password_cb cb, void *ctx)
{
    size_t len = strlen(password);
    pw_work_t *w = calloc(1, sizeof(*w) + len + 1);

    if (w == NULL)
        fl_oom();
    memcpy(w->password, password, len + 1);
    w->password_len = len;
    w->cb = cb;
    w->ctx = ctx;
    w->req.data = w;
    return w;
}

/* Wipes the copy of the password (and the hash) before the memory goes back. */
static void work_free(pw_work_t *w)
{
    sodium_memzero(w->password, w->password_len);
    sodium_memzero(w->hash, sizeof(w->hash));
    free(w);
}

static void work_run(uv_work_t *req)
{
    pw_work_t *w = req->data;

    if (w->verify)
        w->ok = fl_password_verify(w->has_hash ? w->hash : NULL, w->password);
    else
        w->rc = fl_password_hash(w->password, w->hash);
}

static void work_done(uv_work_t *req, int status)
{
    pw_work_t *w = req->data;
    int rc = status != 0 ? status : w->rc;

    w->cb(w->ctx, rc, rc == 0 && w->ok, !w->verify && rc == 0 ? w->hash : NULL);
    work_free(w);
}

static int work_queue(uv_loop_t *loop, pw_work_t *w)
{
    int rc = uv_queue_work(loop, &w->req, work_run, work_done);

    if (rc != 0)
        work_free(w);
    return rc;
}

int fl_password_hash_async(uv_loop_t *loop, const char *password, fl_password_cb cb, void *ctx)
{
    return work_queue(loop, work_new(password, cb, ctx));
}

int fl_password_verify_async(uv_loop_t *loop, const char *hash, const char *password,
                             fl_password_cb cb, void *ctx)
{
    pw_work_t *w = work_new(password, cb, ctx);

    w->verify = true;
    if (hash != NULL) {
        size_t len = strnlen(hash, sizeof(w->hash));
        /* Too long to be one of ours: verified as unknown, at the same cost, and false. */
        w->has_hash = len < sizeof(w->hash);
        if (w->has_hash)
            memcpy(w->hash, hash, len + 1);
    }
    return work_queue(loop, w);
}

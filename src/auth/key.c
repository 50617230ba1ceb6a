/*
 * The access-token signing key, kept in the data directory so that tokens
 * survive restarts and every process on the same data agrees on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "firelater/auth.h"
#include "firelater/err.h"
#include "internal.h"

#define KEY_HEX_LEN (FL_AUTH_KEY_LEN * 2)

/* The file holds 64 lower-case hex characters and, optionally, a newline. */
static int key_read(const char *path, uint8_t key[FL_AUTH_KEY_LEN])
{
    char buf[KEY_HEX_LEN + 2];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -errno;
    n = read(fd, buf, sizeof(buf));
    int err = errno;
    close(fd);
    if (n < 0)
        return -err;
    bool ok = (n == KEY_HEX_LEN || (n == KEY_HEX_LEN + 1 && buf[KEY_HEX_LEN] == '\n')) &&
              fl__auth_is_hex(buf, KEY_HEX_LEN) &&
              sodium_hex2bin(key, FL_AUTH_KEY_LEN, buf, KEY_HEX_LEN, NULL, NULL, NULL) == 0;
    sodium_memzero(buf, sizeof(buf));
    return ok ? 0 : FL_ECORRUPT;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes text to a new file of our own (O_EXCL, 0600) and makes it durable. */
static int write_new(const char *path, const char *text, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int rc;

    if (fd < 0)
        return -errno;
    rc = write_all(fd, text, len);
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    return rc;
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/*
 * The key is written whole to a private temporary file and then linked into
 * place. link() fails with EEXIST when another process got there first, and a
 * reader never sees a half-written key: a plain O_EXCL create of jwt.key
 * would let a racing process read the file between its creation and its write.
 */
static int key_create(const char *dir, const char *path, uint8_t key[FL_AUTH_KEY_LEN])
{
    char tmp[PATH_MAX], text[KEY_HEX_LEN + 2];
    int rc;

    if (snprintf(tmp, sizeof(tmp), "%s/.jwt.key.%ld.%08x", dir, (long)getpid(),
                 randombytes_random()) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    randombytes_buf(key, FL_AUTH_KEY_LEN);
    sodium_bin2hex(text, sizeof(text), key, FL_AUTH_KEY_LEN);
    text[KEY_HEX_LEN] = '\n';
    rc = write_new(tmp, text, KEY_HEX_LEN + 1);
    sodium_memzero(text, sizeof(text));
    if (rc == 0 && link(tmp, path) != 0)
        rc = -errno;
    (void)unlink(tmp);
    if (rc == 0)
        sync_dir(dir);
    return rc;
}

int fl_auth_key_load(const char *data_dir, uint8_t key[FL_AUTH_KEY_LEN])
{
    char dir[PATH_MAX], path[PATH_MAX];
    int rc;

    if (sodium_init() < 0)
        return -ENOMEM;
    if (snprintf(dir, sizeof(dir), "%s/secrets", data_dir) >= (int)sizeof(dir) ||
        snprintf(path, sizeof(path), "%s/jwt.key", dir) >= (int)sizeof(path))
        return -ENAMETOOLONG;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -errno;
    rc = key_read(path, key);
    if (rc != -ENOENT)
        return rc;
    rc = key_create(dir, path, key);
    /* Another process created it first: its key is the key. */
    if (rc == -EEXIST)
        rc = key_read(path, key);
    return rc;
}

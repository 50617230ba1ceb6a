/*
 * FireLater error codes.
 *
 * Every action returns 0 or a negative code. System errors travel as -errno;
 * FireLater's own codes live in a range of their own, below -9000, so the two
 * never collide (LMDB's scheme). One table gives each code its name, its HTTP
 * status and a short lower-case message (libuv's UV_ERRNO_MAP).
 */
#ifndef FIRELATER_ERR_H
#define FIRELATER_ERR_H

#include <stdnoreturn.h>

#define FL_ERR_MAP(XX)                                                                             \
    XX(EINVAL, -9001, 400, "invalid argument")                                                     \
    XX(ECONFLICT, -9002, 409, "conflict")                                                          \
    XX(EVERSION, -9003, 412, "stream version mismatch")                                            \
    XX(ENOTFOUND, -9004, 404, "not found")                                                         \
    XX(ECORRUPT, -9005, 500, "corrupt record")                                                     \
    XX(ETOOBIG, -9006, 413, "too big")                                                             \
    XX(ENOSPACE, -9007, 507, "storage full")                                                       \
    XX(EIO, -9008, 500, "input/output error")                                                      \
    XX(EEXIST, -9009, 409, "already exists")                                                       \
    XX(ECHAIN, -9010, 500, "hash chain broken")                                                    \
    XX(ESTATE, -9011, 409, "invalid state")                                                        \
    XX(EUNAVAIL, -9012, 503, "unavailable")                                                        \
    XX(EAUTH, -9013, 401, "not authenticated")                                                     \
    XX(EFORBIDDEN, -9014, 403, "forbidden")                                                        \
    XX(ERATE, -9015, 429, "too many requests")                                                     \
    XX(EEXPIRED, -9016, 401, "expired")

enum {
#define XX(name, code, status, msg) FL_##name = (code),
    FL_ERR_MAP(XX)
#undef XX
};

/* A short lower-case description of err (a FireLater code or -errno). */
const char *fl_strerror(int err);

/* The code's name without its prefix ("ECONFLICT", "ENOENT"), for logs. */
const char *fl_err_name(int err);

/* The HTTP status a code maps to; 500 for anything unknown. */
int fl_err_status(int err);

/* Aborts with file and line when a "cannot happen" condition does; on in every build. */
#define fl_assert(cond) ((cond) ? (void)0 : fl_assert_fail(#cond, __FILE__, __LINE__))
noreturn void fl_assert_fail(const char *cond, const char *file, int line);

/* Out of memory: there is no recovering from it (Redis, h2o). Never returns. */
noreturn void fl_oom(void);

#endif

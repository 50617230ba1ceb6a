/*
 * The error table of err.h, and the two ways out when something cannot go on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"

const char *fl_strerror(int err)
{
    switch (err) {
#define XX(name, code, status, msg)                                                                \
    case FL_##name:                                                                                \
        return msg;
        FL_ERR_MAP(XX)
#undef XX
    default:
        break;
    }
    if (err < 0 && err > -4096)
        return strerror(-err);
    return "unknown error";
}

const char *fl_err_name(int err)
{
    switch (err) {
#define XX(name, code, status, msg)                                                                \
    case FL_##name:                                                                                \
        return #name;
        FL_ERR_MAP(XX)
#undef XX
    case -ENOENT:
        return "ENOENT";
    case -ENOSPC:
        return "ENOSPC";
    case -EACCES:
        return "EACCES";
    case -ENOMEM:
        return "ENOMEM";
    default:
        return "EUNKNOWN";
    }
}

int fl_err_status(int err)
{
    switch (err) {
#define XX(name, code, status, msg)                                                                \
    case FL_##name:                                                                                \
        return status;
        FL_ERR_MAP(XX)
#undef XX
    default:
        return 500;
    }
}

void fl_assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "firelater: assertion failed: %s (%s:%d)\n", cond, file, line);
    abort();
}

void fl_oom(void)
{
    fputs("firelater: out of memory\n", stderr);
    abort();
}

/*
 * The data directory's layout: <data>/platform/ holds the platform log and
 * <data>/tenants/<slug>/ each tenant's. Only this file builds those paths.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "firelater/err.h"
#include "firelater/log.h"
#include "firelater/tenant.h"
#include "internal.h"

/* Directories hold every tenant's events: nobody but the owner reads them. */
#define DATA_DIR_MODE 0700

static int path_format(char *buf, size_t len, const char *data_dir, const char *sub,
                       const char *leaf)
{
    int n;

    if (data_dir == NULL || data_dir[0] == '\0')
        return FL_EINVAL;
    if (leaf != NULL)
        n = snprintf(buf, len, "%s/%s/%s", data_dir, sub, leaf);
    else
        n = snprintf(buf, len, "%s/%s", data_dir, sub);
    if (n < 0 || (size_t)n >= len)
        return FL_ETOOBIG;
    return 0;
}

int fl_data_platform_dir(const char *data_dir, char *buf, size_t len)
{
    return path_format(buf, len, data_dir, "platform", NULL);
}

int fl_data_tenant_dir(const char *data_dir, const char *slug, char *buf, size_t len)
{
    if (!fl_tenant_slug_is_valid(slug))
        return FL_EINVAL;
    return path_format(buf, len, data_dir, "tenants", slug);
}

/* mkdir that accepts an existing directory but not an existing file. */
static int mkdir_if_missing(const char *path)
{
    struct stat st;

    if (mkdir(path, DATA_DIR_MODE) == 0)
        return 0;
    if (errno != EEXIST)
        return -errno;
    if (stat(path, &st) < 0)
        return -errno;
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* A missing directory is reported as such rather than as whatever LMDB makes of it. */
static int dir_exists(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return -errno;
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int fl_data_open_platform(const char *data_dir, const fl_log_opts_t *opts, fl_log_t **out)
{
    char path[4096];
    int rc;

    rc = fl_data_platform_dir(data_dir, path, sizeof(path));
    if (rc < 0)
        return rc;
    if (opts != NULL && opts->read_only) {
        rc = dir_exists(path);
    } else {
        rc = mkdir_if_missing(data_dir);
        if (rc == 0)
            rc = mkdir_if_missing(path);
    }
    if (rc < 0)
        return rc;
    return fl_log_open(out, path, opts);
}

int fl_data_open_tenant(const char *data_dir, const char *slug, const fl_log_opts_t *opts,
                        fl_log_t **out)
{
    char path[4096];
    int rc;

    rc = fl_data_tenant_dir(data_dir, slug, path, sizeof(path));
    if (rc < 0)
        return rc;
    rc = dir_exists(path);
    if (rc < 0)
        return rc;
    return fl_log_open(out, path, opts);
}

/* LMDB names its file data.mdb; its presence means the log was initialised. */
static bool log_file_exists(const char *dir)
{
    char path[4096 + 16];
    struct stat st;
    int n;

    n = snprintf(path, sizeof(path), "%s/data.mdb", dir);
    if (n < 0 || (size_t)n >= sizeof(path))
        return false;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int fl__data_tenant_init(const char *data_dir, const char *slug)
{
    char path[4096];
    fl_log_t *log = NULL;
    int rc;

    rc = fl_data_tenant_dir(data_dir, slug, path, sizeof(path));
    if (rc < 0)
        return rc;
    if (log_file_exists(path))
        return 0;
    rc = mkdir_if_missing(data_dir);
    if (rc == 0)
        rc = path_format(path, sizeof(path), data_dir, "tenants", NULL);
    if (rc == 0)
        rc = mkdir_if_missing(path);
    if (rc == 0)
        rc = fl_data_tenant_dir(data_dir, slug, path, sizeof(path));
    if (rc == 0)
        rc = mkdir_if_missing(path);
    if (rc < 0)
        return rc;
    /* Opening a log for writing creates its databases; closing makes them durable. */
    rc = fl_log_open(&log, path, NULL);
    if (rc < 0)
        return rc;
    fl_log_close(log);
    return 0;
}

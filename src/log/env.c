/*
 * Opening, closing and growing a log's LMDB environment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include <sodium.h>

#include "firelater/err.h"
#include "internal.h"

#define DEFAULT_MAP  ((size_t)64 << 20)
#define MAX_READERS  512
#define GROW_TIMEOUT 10 /* seconds to wait for readers before a growth gives up */

/*
 * The on-disk layout must be this build's: an environment without a layout
 * record is new (then it gets one) unless it holds events, which makes it
 * layout 1 (from before stream keys were hashed). There is no migration yet:
 * another layout is refused, with a message naming both.
 */
static int check_layout(fl_log_t *log, MDB_txn *txn)
{
    uint64_t layout;
    MDB_stat st;
    int rc = fl__log_u64_get(txn, log->meta, "layout", 6, &layout);
    if (rc != 0)
        return rc;
    if (layout == 0 && (rc = mdb_stat(txn, log->events, &st)) != 0)
        return fl__log_err(rc);
    if (layout == 0 && st.ms_entries > 0)
        layout = 1;
    if (layout == FL__LOG_LAYOUT)
        return 0;
    if (layout == 0)
        return log->opts.read_only
                   ? 0
                   : fl__log_err(fl__log_u64_put(txn, log->meta, "layout", 6, FL__LOG_LAYOUT));
    fprintf(stderr,
            "firelater: log %s has on-disk layout %llu, this build reads layout %d only "
            "(no migration exists)\n",
            log->path, (unsigned long long)layout, FL__LOG_LAYOUT);
    return FL_ECORRUPT;
}

static int open_dbs(fl_log_t *log)
{
    /* events and meta first: they tell the layout, before any table that layout lacks. */
    static const char *const names[] = {"events", "meta", "streams", "recent",
                                        "links",  "idem", "numbers"};
    MDB_dbi *dbis[] = {&log->events, &log->meta, &log->streams, &log->recent,
                       &log->links,  &log->idem, &log->numbers};
    unsigned flags = log->opts.read_only ? 0 : MDB_CREATE;
    MDB_txn *txn;
    int rc = mdb_txn_begin(log->env, NULL, log->opts.read_only ? MDB_RDONLY : 0, &txn);
    if (rc != 0)
        return fl__log_err(rc);
    for (size_t i = 0; rc == 0 && i < sizeof(names) / sizeof(names[0]); i++) {
        rc = fl__log_err(mdb_dbi_open(txn, names[i], flags, dbis[i]));
        if (rc == 0 && dbis[i] == &log->meta)
            rc = check_layout(log, txn);
    }
    if (rc != 0) {
        mdb_txn_abort(txn);
        /* A read-only open of a log that was never written has no tables yet. */
        return rc;
    }
    return fl__log_err(mdb_txn_commit(txn));
}

static int env_open(fl_log_t *log, const char *dir)
{
    unsigned flags = MDB_NOTLS; /* cursors and heads may overlap in one thread */
    if (log->opts.no_sync)
        flags |= MDB_NOSYNC;
    if (log->opts.read_only)
        flags |= MDB_RDONLY;
    int rc = mdb_env_create(&log->env);
    if (rc != 0)
        return fl__log_err(rc);
    mdb_env_set_maxdbs(log->env, 8);
    mdb_env_set_maxreaders(log->env, MAX_READERS);
    mdb_env_set_mapsize(log->env, log->opts.map_size ? log->opts.map_size : DEFAULT_MAP);
    rc = mdb_env_open(log->env, dir, flags, 0640);
    if (rc != 0)
        return fl__log_err(rc);
    /* An existing environment may be larger than asked: adopt its size. */
    return fl__log_err(mdb_env_set_mapsize(log->env, 0));
}

int fl_log_open(fl_log_t **out, const char *dir, const fl_log_opts_t *opts)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return -errno;
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    if (sodium_init() < 0)
        return FL_EIO;
    fl_log_t *log = calloc(1, sizeof(*log));
    if (log == NULL)
        fl_oom();
    if (opts != NULL)
        log->opts = *opts;
    log->path = strdup(dir);
    if (log->path == NULL)
        fl_oom();
    pthread_rwlock_init(&log->map_lock, NULL);
    pthread_mutex_init(&log->group_mu, NULL);
    pthread_mutex_init(&log->write_mu, NULL);
    pthread_cond_init(&log->group_cv, NULL);
    fl_buf_init(&log->enc);
    fl__log_heads_init(&log->heads);
    int rc = env_open(log, dir);
    if (rc == 0)
        rc = open_dbs(log);
    if (rc != 0) {
        fl_log_close(log);
        return rc;
    }
    *out = log;
    return 0;
}

void fl_log_close(fl_log_t *log)
{
    if (log == NULL)
        return;
    if (log->env != NULL)
        mdb_env_close(log->env);
    pthread_rwlock_destroy(&log->map_lock);
    pthread_mutex_destroy(&log->group_mu);
    pthread_mutex_destroy(&log->write_mu);
    pthread_cond_destroy(&log->group_cv);
    fl_buf_free(&log->enc);
    fl__log_heads_free(&log->heads);
    free(log->skeys);
    free(log->path);
    free(log);
}

const char *fl_log_path(const fl_log_t *log)
{
    return log->path;
}

int fl__log_grow(fl_log_t *log)
{
    MDB_envinfo info;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += GROW_TIMEOUT;
    /* Readers of this process hold the lock shared; wait for them, not forever. */
    if (pthread_rwlock_timedwrlock(&log->map_lock, &deadline) != 0)
        return FL_ENOSPACE;
    mdb_env_info(log->env, &info);
    size_t size = info.me_mapsize;
    size = size < ((size_t)1 << 30) ? size * 2 : size + ((size_t)1 << 30);
    int rc = mdb_env_set_mapsize(log->env, size);
    pthread_rwlock_unlock(&log->map_lock);
    return fl__log_err(rc);
}

int fl_log_drop_pages(fl_log_t *log)
{
    MDB_envinfo info;
    int rc = 0;

    /*
     * The map is read-only (no MDB_WRITEMAP: LMDB writes with pwrite), so its
     * pages are the page cache's; dropping them loses nothing. The lock keeps
     * a growth from moving the map meanwhile.
     */
    pthread_rwlock_rdlock(&log->map_lock);
    mdb_env_info(log->env, &info);
    if (madvise(info.me_mapaddr, info.me_mapsize, MADV_DONTNEED) != 0)
        rc = -errno;
    pthread_rwlock_unlock(&log->map_lock);
    return rc;
}

int fl__log_classify_eio(const fl_log_t *log)
{
    const uint64_t slack = (uint64_t)16 << 20; /* more than one transaction writes */
    struct statvfs vfs;
    struct rlimit lim;
    struct stat st;
    char file[4096];
    if (statvfs(log->path, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < slack)
        return FL_ENOSPACE;
    snprintf(file, sizeof(file), "%s/data.mdb", log->path);
    if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
        stat(file, &st) == 0 && (uint64_t)st.st_size + slack >= lim.rlim_cur)
        return FL_ENOSPACE;
    return FL_EIO;
}

/*
 * Clocks, scratch directories, payloads and small statistics for the
 * benchmarks. Scratch directories live under the repository (.data/bench-tmp)
 * so every figure is measured on the disk the data would live on, never on a
 * tmpfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>
#include <msgpack.h>

#include "bench.h"
#include "firelater/err.h"

uint64_t bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double bench_secs_since(uint64_t start_ns)
{
    return (double)(bench_now_ns() - start_ns) / 1e9;
}

long bench_env_long(const char *name, long def)
{
    const char *s = getenv(name);
    char *end;
    long v;

    if (s == NULL || *s == '\0')
        return def;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0)
        return def;
    return v;
}

double bench_run_seconds(double def)
{
    const char *s = getenv("FL_BENCH_SECONDS");
    char *end;
    double v;

    if (s == NULL || *s == '\0')
        return def;
    v = strtod(s, &end);
    return (*end != '\0' || v <= 0) ? def : v;
}

void bench_die(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void bench_check(int rc, const char *what)
{
    if (rc != 0)
        bench_die("%s: %s (%s)", what, fl_strerror(rc), fl_err_name(rc));
}

void bench_join(char *out, size_t len, const char *dir, const char *name)
{
    int n = snprintf(out, len, "%s/%s", dir, name);

    if (n < 0 || (size_t)n >= len)
        bench_die("path too long: %s/%s", dir, name);
}

static void mkdir_p(const char *path)
{
    char buf[BENCH_PATH_MAX];
    size_t len = strlen(path);

    if (len >= sizeof(buf))
        bench_die("path too long: %s", path);
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            bench_die("mkdir %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        bench_die("mkdir %s: %s", buf, strerror(errno));
}

void bench_tmpdir(const char *prefix, char *out, size_t len)
{
    const char *base = getenv("FL_BENCH_TMP");
    char name[64];

    if (base == NULL || *base == '\0')
        base = ".data/bench-tmp";
    mkdir_p(base);
    snprintf(name, sizeof(name), "%s-XXXXXX", prefix);
    bench_join(out, len, base, name);
    if (mkdtemp(out) == NULL)
        bench_die("mkdtemp %s: %s", out, strerror(errno));
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

void bench_rmtree(const char *dir)
{
    if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "bench: could not remove %s: %s\n", dir, strerror(errno));
}

double bench_fsync_us(const char *dir, int n)
{
    char path[BENCH_PATH_MAX];
    char block[4096];
    uint64_t t0;
    int fd;

    bench_join(path, sizeof(path), dir, "fsync-probe");
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        bench_die("open %s: %s", path, strerror(errno));
    memset(block, 'x', sizeof(block));
    t0 = bench_now_ns();
    for (int i = 0; i < n; i++) {
        if (pwrite(fd, block, sizeof(block), (off_t)i * 4096) != (ssize_t)sizeof(block) ||
            fdatasync(fd) != 0)
            bench_die("write %s: %s", path, strerror(errno));
    }
    double us = (double)(bench_now_ns() - t0) / 1e3 / n;
    close(fd);
    unlink(path);
    return us;
}

uint64_t bench_write_bytes(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    char line[128];
    unsigned long long v = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "wchar: %llu", &v) == 1)
            break;
    }
    fclose(f);
    return v;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

uint64_t bench_quantile(uint64_t *v, size_t n, double q)
{
    size_t rank;

    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), cmp_u64);
    rank = (size_t)(q * (double)n + 0.999999);
    return v[rank == 0 ? 0 : (rank > n ? n : rank) - 1];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

uint64_t bench_rng_next(bench_rng_t *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1DULL;
}

uint64_t bench_rng_below(bench_rng_t *r, uint64_t n)
{
    return bench_rng_next(r) % n;
}

void bench_uuid(uint64_t x, char out[37])
{
    uint64_t h = x * 0x9E3779B97F4A7C15ULL;
    uint64_t g = (h ^ (h >> 29)) * 0xBF58476D1CE4E5B9ULL;

    snprintf(out, 37, "%08x-%04x-4%03x-8%03x-%012llx", (unsigned)(h >> 32),
             (unsigned)(h >> 16) & 0xffff, (unsigned)h & 0xfff, (unsigned)(g >> 52),
             (unsigned long long)(g & 0xffffffffffffULL));
}

static const char *const titles[] = {
    "printer on floor 3 offline", "vpn drops every hour",        "new laptop for hire",
    "database failover test",     "password reset loop",         "rotate tls certificates",
    "email delivery delayed",     "access to billing dashboard",
};
static const char *const statuses[] = {"new", "open", "in_progress", "pending", "resolved"};
static const char *const priorities[] = {"low", "medium", "high", "critical"};

static void pack_kv(msgpack_packer *pk, const char *key, const char *val)
{
    msgpack_pack_str_with_body(pk, key, strlen(key));
    msgpack_pack_str_with_body(pk, val, strlen(val));
}

/* A note of the length that makes the map exactly len bytes: a str16 header, always 3 bytes. */
static void pack_note(msgpack_sbuffer *sb, msgpack_packer *pk, bench_rng_t *r, size_t len)
{
    char note[4096];
    size_t nlen;
    uint8_t hdr[3];

    msgpack_pack_str_with_body(pk, "note", 4);
    fl_assert(len >= sb->size + 3);
    nlen = len - sb->size - 3;
    fl_assert(nlen < sizeof(note));
    for (size_t i = 0; i < nlen; i++)
        note[i] = (char)('a' + bench_rng_below(r, 26));
    hdr[0] = 0xda;
    hdr[1] = (uint8_t)(nlen >> 8);
    hdr[2] = (uint8_t)nlen;
    msgpack_sbuffer_write(sb, (const char *)hdr, sizeof(hdr));
    msgpack_pack_str_body(pk, note, nlen);
}

void bench_data_map(bench_rng_t *r, uint8_t *out, size_t len)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    char uuid[37];
    bool wide = len >= 150; /* small maps leave out the assignee */

    fl_assert(len >= 90 && len <= 4000);
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, wide ? 5 : 4);
    pack_kv(&pk, "title", titles[bench_rng_below(r, 8)]);
    pack_kv(&pk, "status", statuses[bench_rng_below(r, 5)]);
    pack_kv(&pk, "priority", priorities[bench_rng_below(r, 4)]);
    if (wide) {
        bench_uuid(bench_rng_next(r), uuid);
        pack_kv(&pk, "assigned_to", uuid);
    }
    pack_note(&sb, &pk, r, len);
    fl_assert(sb.size == len);
    memcpy(out, sb.data, len);
    msgpack_sbuffer_destroy(&sb);
}

uint64_t bench_lmdb_txnid(const char *dir)
{
    MDB_env *env;
    MDB_envinfo info;
    int rc;

    rc = mdb_env_create(&env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(env, 64);
    if (rc == 0)
        rc = mdb_env_open(env, dir, MDB_RDONLY, 0644);
    if (rc == 0)
        rc = mdb_env_info(env, &info);
    if (rc != 0)
        bench_die("lmdb %s: %s", dir, mdb_strerror(rc));
    mdb_env_close(env);
    return (uint64_t)info.me_last_txnid;
}

fl_log_t *bench_log_open(const char *dir, bool no_sync)
{
    fl_log_opts_t opts = {.map_size = BENCH_MAP_SIZE, .no_sync = no_sync};
    fl_log_t *log;

    bench_check(fl_log_open(&log, dir, &opts), "fl_log_open");
    return log;
}

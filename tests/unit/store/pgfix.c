/*
 * The cluster fixture of pgfix.h: tools/pg run with fork and exec (no
 * shell), a port chosen from the pid and probed for being free.
 */
#include "pgfix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "firelater/clock.h"
#include "firelater/err.h"

/* Test-process state: the one cluster this executable runs. */
static char pg_dir[64];
static char pg_port[16];
static char pg_conninfo[256];

static int run_tool(const char *verb, bool with_port)
{
    const char *argv[] = {FL_TOOLS_PG, verb, pg_dir, with_port ? pg_port : NULL, NULL};
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* tools/pg's chatter goes to stderr, where meson keeps it. */
        dup2(STDERR_FILENO, STDOUT_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool port_free(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bool ok;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static void on_signal(int sig)
{
    run_tool("stop", false);
    signal(sig, SIG_DFL);
    raise(sig);
}

void pgfix_setup(void)
{
    int port = 55500 + (int)(getpid() % 400);

    snprintf(pg_dir, sizeof(pg_dir), "/tmp/fl-pg-XXXXXX");
    if (mkdtemp(pg_dir) == NULL) {
        perror("mkdtemp");
        exit(2);
    }
    while (!port_free(port))
        port = 55500 + (port - 55500 + 1) % 400;
    snprintf(pg_port, sizeof(pg_port), "%d", port);
    snprintf(pg_conninfo, sizeof(pg_conninfo),
             "host=%s port=%s dbname=postgres user=postgres connect_timeout=5", pg_dir, pg_port);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (run_tool("start", true) != 0) {
        fprintf(stderr, "pgfix: tools/pg start %s %s failed\n", pg_dir, pg_port);
        exit(2);
    }
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void pgfix_teardown(void)
{
    run_tool("stop", false);
    nftw(pg_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int pgfix_main(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    pgfix_setup();
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    pgfix_teardown();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void pgfix_stop(void)
{
    ck_assert_int_eq(run_tool("stop", false), 0);
}

void pgfix_start(void)
{
    ck_assert_int_eq(run_tool("start", true), 0);
}

fl_store_conn_t *pgfix_sync(const char *conninfo)
{
    fl_store_conn_t *c = NULL;
    int rc = fl_store_sync_open(&c, conninfo);

    ck_assert_msg(rc == 0, "connect %s: %s", conninfo, fl_store_sync_error(c));
    return c;
}

char *pgfix_exec1(fl_store_conn_t *c, const char *schema, const char *sql)
{
    fl_store_res_t *r = NULL;
    int rc = fl_store_sync_exec(c, schema, sql, 0, NULL, &r);
    char *v = NULL;

    ck_assert_msg(rc == 0, "%s: %s", sql, fl_store_sync_error(c));
    if (fl_store_res_rows(r) > 0 && !fl_store_res_isnull(r, 0, 0))
        v = strdup(fl_store_res_value(r, 0, 0));
    fl_store_res_free(r);
    return v;
}

char *pgfix_newdb(const char *name)
{
    fl_store_conn_t *c = pgfix_sync(pg_conninfo);
    char sql[128], *info = malloc(512);

    ck_assert_ptr_nonnull(info);
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
    free(pgfix_exec1(c, NULL, sql));
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    free(pgfix_exec1(c, NULL, sql));
    fl_store_sync_close(c);
    snprintf(info, 512, "host=%s port=%s dbname=%s user=postgres connect_timeout=5", pg_dir,
             pg_port, name);
    return info;
}

static void on_tick(uv_timer_t *t)
{
    (void)t;
}

void pgfix_run_until(uv_loop_t *loop, const int *count, int target, int timeout_ms)
{
    int64_t deadline = fl_clock_mono() + (int64_t)timeout_ms * 1000;
    uv_timer_t tick;

    /* The timer bounds each uv_run so the deadline is checked even when idle. */
    uv_timer_init(loop, &tick);
    uv_timer_start(&tick, on_tick, 10, 10);
    while (*count < target && fl_clock_mono() < deadline)
        uv_run(loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&tick, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    ck_assert_msg(*count >= target, "timed out: %d of %d", *count, target);
}

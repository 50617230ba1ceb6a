/*
 * firelater, the server. This milestone opens the data directory: the
 * platform log and the log of every active tenant, reports each tenant's
 * head, and waits for SIGINT or SIGTERM on a libuv loop, the loop the HTTP
 * API, the projector and the timers will run on from the next milestone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "firelater/err.h"
#include "firelater/log.h"
#include "firelater/tenant.h"

#define EXIT_USAGE 2

/* An open tenant log. */
typedef struct fl_server_tenant {
    const char *slug; /* in the server's arena */
    fl_log_t *log;
} fl_server_tenant_t;

/* Everything the process holds; style.md allows no mutable state outside it. */
typedef struct fl_server {
    const char *data_dir;
    const char *listen; /* "ADDR:PORT" */
    const char *pg;     /* libpq conninfo; used from the read-model milestone on */
    fl_arena_t arena;   /* lives as long as the process */
    fl_log_t *platform;
    fl_server_tenant_t *tenants;
    size_t n_tenants;
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
} fl_server_t;

static const char usage_text[] =
    "usage: firelater [--data DIR] [--listen ADDR:PORT] [--pg CONNINFO]\n"
    "\n"
    "  --data DIR          the data directory (env FIRELATER_DATA; default ./.data)\n"
    "  --listen ADDR:PORT  where the HTTP API listens (env FIRELATER_LISTEN;\n"
    "                      default 127.0.0.1:8080)\n"
    "  --pg CONNINFO       the PostgreSQL read models, a libpq connection string\n"
    "                      (env FIRELATER_PG)\n"
    "  --help              this help\n"
    "\n"
    "Runs until SIGINT or SIGTERM, then closes every log and exits 0.\n";

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    va_list ap;

    fputs("firelater: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : dflt;
}

/* ADDR:PORT with a port in 1..65535; the address is checked when the listener binds. */
static bool listen_is_valid(const char *s)
{
    const char *colon = strrchr(s, ':');
    unsigned long port;
    char *end;

    if (colon == NULL || colon == s || colon[1] < '0' || colon[1] > '9')
        return false;
    errno = 0;
    port = strtoul(colon + 1, &end, 10);
    return errno == 0 && *end == '\0' && port >= 1 && port <= 65535;
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("firelater: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fputs("Try 'firelater --help'.\n", stderr);
    return EXIT_USAGE;
}

/* Matches "--name VALUE" or "--name=VALUE" at argv[*i]; 1 when it did, -1 when the value lacks. */
static int take_option(const char *name, int argc, char **argv, int *i, const char **out)
{
    size_t n = strlen(name);
    const char *arg = argv[*i];

    if (strncmp(arg, name, n) != 0)
        return 0;
    if (arg[n] == '=' && arg[n + 1] != '\0') {
        *out = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (*i + 1 >= argc || argv[*i + 1][0] == '\0')
        return -1;
    *out = argv[++*i];
    return 1;
}

/* Returns -1 to go on, or the exit status (0 after --help). */
static int parse_args(fl_server_t *s, int argc, char **argv)
{
    static const char *const names[] = {"--data", "--listen", "--pg"};
    const char **outs[] = {&s->data_dir, &s->listen, &s->pg};
    int i, k, rc;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        for (k = 0, rc = 0; k < 3 && rc == 0; k++)
            rc = take_option(names[k], argc, argv, &i, outs[k]);
        if (rc < 0)
            return usage_error("option '%s' needs a non-empty value", names[k - 1]);
        if (rc == 0)
            return usage_error("unknown argument '%s'", argv[i]);
    }
    if (!listen_is_valid(s->listen))
        return usage_error("invalid --listen '%s': expected ADDR:PORT with a port from 1 to 65535",
                           s->listen);
    return -1;
}

static int open_tenant(fl_server_t *s, const fl_tenant_t *t)
{
    fl_server_tenant_t *st = &s->tenants[s->n_tenants];
    char hash[2 * FL_LOG_HASH_LEN + 1];
    fl_log_head_t head;
    int rc, i;

    rc = fl_data_open_tenant(s->data_dir, t->slug, NULL, &st->log);
    if (rc < 0) {
        say("cannot open the log of tenant '%s': %s", t->slug, fl_strerror(rc));
        return rc;
    }
    st->slug = t->slug;
    s->n_tenants++;
    rc = fl_log_head(st->log, &head);
    if (rc < 0) {
        say("cannot read the head of tenant '%s': %s", t->slug, fl_strerror(rc));
        return rc;
    }
    for (i = 0; i < FL_LOG_HASH_LEN; i++)
        snprintf(hash + 2 * i, 3, "%02x", head.hash[i]);
    printf("tenant %s: head position %" PRIu64 " (hash %.16s)\n", t->slug, head.pos, hash);
    return 0;
}

/* Suspended tenants stay closed: their requests will be refused without touching their logs. */
static int open_logs(fl_server_t *s)
{
    fl_tenant_t *list;
    size_t n, i, skipped = 0;
    int rc;

    rc = fl_data_open_platform(s->data_dir, NULL, &s->platform);
    if (rc < 0) {
        say("cannot open the platform log in '%s': %s", s->data_dir, fl_strerror(rc));
        return rc;
    }
    rc = fl_tenant_list(s->platform, &s->arena, &list, &n);
    if (rc < 0) {
        say("cannot read the tenants from the platform log: %s", fl_strerror(rc));
        return rc;
    }
    s->tenants = n > 0 ? fl_arena_alloc(&s->arena, n * sizeof(*s->tenants)) : NULL;
    for (i = 0; i < n && rc == 0; i++) {
        if (list[i].status == FL_TENANT_ACTIVE)
            rc = open_tenant(s, &list[i]);
        else
            skipped++;
    }
    if (rc == 0)
        printf("data %s: %zu tenant(s) open, %zu suspended\n", s->data_dir, s->n_tenants, skipped);
    return rc;
}

static void close_logs(fl_server_t *s)
{
    size_t i;

    for (i = 0; i < s->n_tenants; i++)
        fl_log_close(s->tenants[i].log);
    s->n_tenants = 0;
    if (s->platform != NULL)
        fl_log_close(s->platform);
    s->platform = NULL;
}

static void on_signal(uv_signal_t *h, int signum)
{
    fl_server_t *s = h->data;

    say("%s received, shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
    /* Closing both handles leaves the loop nothing to wait for, so uv_run returns. */
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
}

static int start_signals(fl_server_t *s)
{
    int rc;

    uv_signal_init(&s->loop, &s->sigint);
    uv_signal_init(&s->loop, &s->sigterm);
    s->sigint.data = s;
    s->sigterm.data = s;
    rc = uv_signal_start(&s->sigint, on_signal, SIGINT);
    if (rc == 0)
        rc = uv_signal_start(&s->sigterm, on_signal, SIGTERM);
    if (rc < 0) {
        say("cannot handle SIGINT and SIGTERM: %s", uv_strerror(rc));
        uv_close((uv_handle_t *)&s->sigint, NULL);
        uv_close((uv_handle_t *)&s->sigterm, NULL);
    }
    return rc;
}

static int run_loop(fl_server_t *s)
{
    int rc;

    rc = uv_loop_init(&s->loop);
    if (rc < 0) {
        say("cannot start the event loop: %s", uv_strerror(rc));
        return FL_EIO;
    }
    rc = start_signals(s);
    if (rc == 0)
        printf("ready: the HTTP API (on %s) arrives with the next milestone; "
               "waiting for SIGINT or SIGTERM\n",
               s->listen);
    /* After a failed start this only runs the handles' close callbacks. */
    uv_run(&s->loop, UV_RUN_DEFAULT);
    uv_loop_close(&s->loop);
    return rc < 0 ? FL_EIO : 0;
}

int main(int argc, char **argv)
{
    fl_server_t s = {0};
    int rc;

    s.data_dir = env_or("FIRELATER_DATA", "./.data");
    s.listen = env_or("FIRELATER_LISTEN", "127.0.0.1:8080");
    s.pg = env_or("FIRELATER_PG", "");
    rc = parse_args(&s, argc, argv);
    if (rc >= 0)
        return rc;
    /* Line-buffered, so that a supervisor or a test reading the pipe sees each line at once. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    fl_arena_init(&s.arena, 0);
    rc = open_logs(&s);
    if (rc == 0)
        rc = run_loop(&s);
    close_logs(&s);
    fl_arena_free(&s.arena);
    return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

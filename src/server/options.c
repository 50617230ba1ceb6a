/*
 * Options: every one has an environment variable and a flag; the flag wins.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/issues.h"
#include "options.h"

#define EXIT_USAGE 2

static const char usage_text[] =
    "usage: firelater [options]\n"
    "\n"
    "  --data DIR            data directory: logs and keys (FIRELATER_DATA; ./.data)\n"
    "  --listen ADDR:PORT    HTTP listener (FIRELATER_LISTEN; 127.0.0.1:8080)\n"
    "  --pg CONNINFO         PostgreSQL read models, a libpq connection string (FIRELATER_PG)\n"
    "  --pg-pool N           PostgreSQL connections (FIRELATER_PG_POOL; 4)\n"
    "  --read-wait-ms MS     how long a write waits for the read model before answering\n"
    "                        with X-Read-Model: behind (FIRELATER_READ_WAIT_MS; 2000)\n"
    "  --max-body BYTES      request body limit, 413 beyond (FIRELATER_MAX_BODY; 1048576)\n"
    "  --max-upload BYTES    a streamed body's limit (attachments), 413 beyond\n"
    "                        (FIRELATER_MAX_UPLOAD; 26214400)\n"
    "  --attach-quota BYTES  a tenant's attachment storage (the live attachments' sizes),\n"
    "                        413 beyond; 0 for none (FIRELATER_ATTACH_QUOTA; 10737418240)\n"
    "  --max-header BYTES    request line and headers limit, 431 beyond\n"
    "                        (FIRELATER_MAX_HEADER; 16384)\n"
    "  --max-connections N   concurrent connections, 503 beyond (FIRELATER_MAX_CONNECTIONS;\n"
    "                        10000)\n"
    "  --access-log PATH     JSON access log: a file, '-' for stdout, 'off'\n"
    "                        (FIRELATER_ACCESS_LOG; -)\n"
    "  --issue-reopen-days N days after an issue is resolved or closed during which it\n"
    "                        may be reopened, 409 after (FIRELATER_ISSUE_REOPEN_DAYS; 7)\n"
    "  --routes              print the route table (METHOD PATH ACCESS) and exit\n"
    "  --help                this help\n"
    "\n"
    "SIGINT or SIGTERM: stop accepting, finish requests in flight and the projector's\n"
    "batch, exit 0.\n";

typedef struct opt {
    const char *flag;
    const char *env;
    const char **str;   /* a string option */
    unsigned long *num; /* or a number */
    unsigned long min, max;
} opt_t;

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("firelater: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'firelater --help'.\n", stderr);
    return EXIT_USAGE;
}

static int set_value(const opt_t *o, const char *v)
{
    char *end;
    if (o->str != NULL) {
        *o->str = v;
        return -1;
    }
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || n < o->min || n > o->max)
        return usage_error("%s must be a number from %lu to %lu, not '%s'", o->flag, o->min, o->max,
                           v);
    *o->num = n;
    return -1;
}

/* ADDR:PORT with a port in 1..65535 (0 is allowed for tests: the kernel picks one). */
static bool listen_is_valid(const char *s)
{
    const char *colon = strrchr(s, ':');
    char *end;
    if (colon == NULL || colon == s || colon[1] < '0' || colon[1] > '9')
        return false;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    return errno == 0 && *end == '\0' && port <= 65535;
}

/* METHOD PATH ACCESS, ACCESS one of public, signed-in, resource:action[|self]. */
static void print_routes(void)
{
    for (size_t r = 0; r < fl_srv_n_routes; r++) {
        const fl_route_meta_t *m = fl_srv_routes[r].meta;
        printf("%s %s ", fl_srv_routes[r].method, fl_srv_routes[r].pattern);
        if (m->access == FL_ACCESS_PUBLIC)
            puts("public");
        else if (m->access == FL_ACCESS_USER)
            puts("signed-in");
        else
            printf("%s:%s%s\n", fl_resource_name(m->res), fl_action_name(m->act),
                   m->self ? "|self" : "");
    }
}

static int parse_flags(const opt_t *opts, size_t n, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--routes") == 0) {
            print_routes();
            return 0;
        }
        size_t k = 0;
        const char *val = NULL, *eq = strchr(argv[i], '=');
        size_t flen = eq != NULL ? (size_t)(eq - argv[i]) : strlen(argv[i]);
        while (k < n && (strlen(opts[k].flag) != flen || strncmp(opts[k].flag, argv[i], flen)))
            k++;
        if (k == n)
            return usage_error("unknown argument '%s'", argv[i]);
        val = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (val == NULL || *val == '\0')
            return usage_error("option '%s' needs a non-empty value", opts[k].flag);
        int rc = set_value(&opts[k], val);
        if (rc >= 0)
            return rc;
    }
    return -1;
}

int fl_srv_options(fl_server_config_t *cfg, int argc, char **argv)
{
    unsigned long wait = 2000, body = 1 << 20, header = 16 << 10, conns = 10000, pool = 4;
    cfg->data_dir = "./.data";
    cfg->listen = "127.0.0.1:8080";
    cfg->pg = "";
    cfg->access_log = "-";
    unsigned long reopen_days = FL_ISSUES_REOPEN_DAYS;
    unsigned long upload = 25UL << 20, quota = 10UL << 30; /* attachments (issue 6) */
    const opt_t opts[] = {
        {"--data", "FIRELATER_DATA", &cfg->data_dir, NULL, 0, 0},
        {"--listen", "FIRELATER_LISTEN", &cfg->listen, NULL, 0, 0},
        {"--pg", "FIRELATER_PG", &cfg->pg, NULL, 0, 0},
        {"--pg-pool", "FIRELATER_PG_POOL", NULL, &pool, 1, 64},
        {"--read-wait-ms", "FIRELATER_READ_WAIT_MS", NULL, &wait, 0, 60000},
        {"--max-body", "FIRELATER_MAX_BODY", NULL, &body, 1024, 1UL << 30},
        {"--max-header", "FIRELATER_MAX_HEADER", NULL, &header, 1024, 1 << 20},
        {"--max-connections", "FIRELATER_MAX_CONNECTIONS", NULL, &conns, 1, 1000000},
        {"--access-log", "FIRELATER_ACCESS_LOG", &cfg->access_log, NULL, 0, 0},
        {"--issue-reopen-days", "FIRELATER_ISSUE_REOPEN_DAYS", NULL, &reopen_days, 0, 3650},
        {"--max-upload", "FIRELATER_MAX_UPLOAD", NULL, &upload, 1024, 1UL << 32},
        {"--attach-quota", "FIRELATER_ATTACH_QUOTA", NULL, &quota, 0, 1UL << 50},
    };
    size_t n = sizeof(opts) / sizeof(opts[0]);
    for (size_t k = 0; k < n; k++) {
        const char *v = getenv(opts[k].env);
        int rc = v != NULL && *v != '\0' ? set_value(&opts[k], v) : -1;
        if (rc >= 0)
            return rc;
    }
    int rc = parse_flags(opts, n, argc, argv);
    if (rc >= 0)
        return rc;
    if (!listen_is_valid(cfg->listen))
        return usage_error("invalid --listen '%s': expected ADDR:PORT", cfg->listen);
    cfg->read_wait_ms = wait;
    cfg->max_body = body;
    cfg->max_header = header;
    cfg->max_conns = (unsigned)conns;
    cfg->pg_pool = (unsigned)pool;
    cfg->issue_reopen_days = (unsigned)reopen_days;
    cfg->max_upload = upload;
    cfg->attach_quota = quota;
    return -1;
}

int fl_srv_open_access_log(const fl_server_config_t *cfg, FILE **out)
{
    *out = NULL;
    if (strcmp(cfg->access_log, "off") == 0)
        return 0;
    if (strcmp(cfg->access_log, "-") == 0) {
        *out = stdout;
        return 0;
    }
    *out = fopen(cfg->access_log, "a");
    if (*out == NULL) {
        fprintf(stderr, "firelater: cannot open the access log '%s': %s\n", cfg->access_log,
                strerror(errno));
        return -1;
    }
    setvbuf(*out, NULL, _IOLBF, 0);
    return 0;
}

/*
 * firelater, the server: the HTTP API, the projector and the tenants' logs
 * on one libuv loop. Start-up opens the logs, checks the read models'
 * migrations, starts the projector and listens; SIGINT or SIGTERM stop
 * accepting, let requests in flight and the projector's batch finish, and
 * exit 0.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "app.h"
#include "firelater/err.h"
#include "options.h"

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    va_list ap;
    fputs("firelater: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* A store that cannot connect now is not fatal: commands are accepted, reads answer 503. */
static int check_schema(fl_server_t *s)
{
    fl_store_conn_t *c;
    int rc = fl_store_sync_open(&c, s->cfg.pg);
    if (rc != 0) {
        say("PostgreSQL is not reachable (%s); commands are accepted and reads answer 503 "
            "until it is",
            fl_strerror(rc));
        fl_store_sync_close(c); /* a failed open still holds the connection's error */
        return 0;
    }
    rc = fl_migrate_check(c);
    if (rc != 0)
        say("refusing to start: %s", fl_store_sync_error(c));
    fl_store_sync_close(c);
    return rc;
}

static int start_store(fl_server_t *s)
{
    /*
     * The projector's transactions need not wait for PostgreSQL's WAL flush:
     * their events are durable in the log already and the checkpoint moves
     * with them, so a batch lost in a PostgreSQL crash is applied again. A
     * write then waits for one fsync (the log's), not two. Their statements
     * are keyed writes: index_joins keeps the planner from hashing a whole
     * table to update a batch's rows.
     */
    fl_store_opts_t so = {
        .pool_size = (int)s->cfg.pg_pool, .async_commit = true, .index_joins = true};
    if (s->cfg.pg == NULL || *s->cfg.pg == '\0') {
        say("no --pg: running without read models (reads answer 503)");
        return 0;
    }
    int rc = check_schema(s);
    if (rc == 0)
        rc = fl_store_init(&s->store, s->loop, s->cfg.pg, &so);
    if (rc == 0)
        rc = fl_projector_init(&s->projector, s->loop, s->store, fl_domain_projections(), NULL);
    return rc;
}

static int start_http(fl_server_t *s)
{
    fl_http_config_t hc = {.router = &s->router,
                           .ctx = s,
                           .max_header_bytes = s->cfg.max_header,
                           .max_body_bytes = s->cfg.max_body,
                           .max_stream_bytes = s->cfg.max_upload,
                           .max_connections = s->cfg.max_conns,
                           .access_log = s->access_log};
    int rc = fl_http_router_init(&s->router, fl_srv_routes, fl_srv_n_routes);
    if (rc == 0)
        rc = fl_http_server_init(&s->http, s->loop, &hc);
    if (rc == 0)
        rc = fl_http_server_listen(s->http, s->cfg.listen);
    if (rc != 0)
        say("cannot listen on %s: %s", s->cfg.listen, fl_strerror(rc));
    return rc;
}

static void on_store_closed(fl_store_t *st)
{
    (void)st;
}

static void on_projector_stopped(void *arg)
{
    fl_server_t *s = arg;
    if (s->store != NULL)
        fl_store_close(s->store, on_store_closed);
}

static void on_http_stopped(fl_http_server_t *srv, void *arg)
{
    fl_server_t *s = arg;
    (void)srv;
    if (s->projector != NULL)
        fl_projector_stop(s->projector, on_projector_stopped, s);
    else
        on_projector_stopped(s);
}

static void on_signal(uv_signal_t *h, int signum)
{
    fl_server_t *s = h->data;
    if (s->stopping)
        return;
    s->stopping = true;
    say("%s received: finishing requests in flight, then stopping",
        signum == SIGINT ? "SIGINT" : "SIGTERM");
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_close((uv_handle_t *)&s->platform_timer, NULL);
    fl_srv_sla_stop(s);
    fl_http_server_shutdown(s->http, on_http_stopped, s);
}

static void start_signals(fl_server_t *s)
{
    uv_signal_init(s->loop, &s->sigint);
    uv_signal_init(s->loop, &s->sigterm);
    s->sigint.data = s->sigterm.data = s;
    uv_signal_start(&s->sigint, on_signal, SIGINT);
    uv_signal_start(&s->sigterm, on_signal, SIGTERM);
}

static int start(fl_server_t *s)
{
    int rc;
    if ((rc = fl_throttle_init(&s->throttle_acct, 5, 300, 100000)) != 0 ||
        (rc = fl_throttle_init(&s->throttle_ip, 30, 300, 100000)) != 0 ||
        (rc = fl_throttle_init(&s->throttle_reset, 3, 3600, 100000)) != 0)
        return rc;
    /* The tenants first: opening the platform log creates the data directory. */
    if ((rc = start_store(s)) != 0 || (rc = fl_srv_tenants_load(s)) != 0)
        return rc;
    if ((rc = fl_auth_key_load(s->cfg.data_dir, s->jwt_key)) != 0) {
        say("cannot read or create the signing key in %s/secrets: %s", s->cfg.data_dir,
            fl_strerror(rc));
        return rc;
    }
    if ((rc = start_http(s)) != 0)
        return rc;
    start_signals(s);
    fl_srv_tenants_watch(s);
    fl_srv_sla_start(s);
    printf("firelater: listening on http://%s (data %s)\n", s->cfg.listen, s->cfg.data_dir);
    return 0;
}

static void release(fl_server_t *s)
{
    fl_http_server_free(s->http);
    fl_projector_free(s->projector);
    for (fl_srv_tenant_t *t = s->tenants; t != NULL; t = t->next)
        fl_srv_sla_free(t);
    fl_srv_tenants_free(s);
    fl_throttle_free(s->throttle_acct);
    fl_throttle_free(s->throttle_ip);
    fl_throttle_free(s->throttle_reset);
    if (s->access_log != NULL && s->access_log != stdout)
        fclose(s->access_log);
}

int main(int argc, char **argv)
{
    fl_server_t s = {0};
    uv_loop_t loop;
    int rc = fl_srv_options(&s.cfg, argc, argv);
    if (rc >= 0)
        return rc;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if ((rc = fl_srv_open_access_log(&s.cfg, &s.access_log)) != 0)
        return EXIT_FAILURE;
    uv_loop_init(&loop);
    s.loop = &loop;
    rc = start(&s);
    if (rc != 0) {
        /* Unwind what started, through the same chain a signal takes. */
        s.stopping = true;
        on_http_stopped(NULL, &s);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    release(&s);
    /* Handles closed during the release still need one turn of the loop. */
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

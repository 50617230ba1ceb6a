/*
 * flctl log tail: follows a log as another process appends to it. LMDB shows
 * a reader the commits of other processes only in a new read transaction, so
 * the tail polls the head every POLL_MS with a fresh one and opens a fresh
 * cursor for whatever is new.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "firelater/err.h"
#include "flctl.h"

#define POLL_MS 150

/* Set by the handler of SIGINT and SIGTERM; the only state a signal handler may touch. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void install_handlers(void)
{
    struct sigaction sa = {0};

    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: the sleep between polls must end as soon as the operator asks. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void nap(void)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = POLL_MS * 1000000L};

    nanosleep(&ts, NULL);
}

typedef struct tail {
    flctl_t *ctx;
    const flctl_spec_t *spec;
    flctl_target_t *target;
    fl_log_t *log;
    uint64_t next; /* the first position not printed yet */
    bool hash;
} tail_t;

/*
 * A log can change under a long tail in ways one handle does not follow (its
 * map grown past this process's mapping, the directory restored from a
 * backup); reopening it lets the next poll see the log as it is now.
 */
static int reopen(tail_t *tl, int why)
{
    fl_log_close(tl->log);
    tl->log = NULL;
    if (flctl_target_open(tl->ctx, tl->spec, tl->target, true, &tl->log) != 0) {
        flctl_err("lost %s while following it: %s", tl->target->label, fl_strerror(why));
        return FLCTL_FAIL;
    }
    return 0;
}

static int poll_once(tail_t *tl)
{
    fl_log_query_t q = {.from = tl->next};
    fl_log_head_t head;
    uint64_t last = 0;
    int rc;

    rc = fl_log_head(tl->log, &head);
    if (rc < 0)
        return reopen(tl, rc);
    if (head.pos < tl->next)
        return 0;
    rc = flctl_print_events(tl->log, tl->target, &q, tl->hash, &last);
    fflush(stdout);
    if (last >= tl->next)
        tl->next = last + 1;
    return rc;
}

static const char tail_help[] =
    "Prints the events appended to a log from now on (or from --from POS), as JSON\n"
    "lines in the format of 'flctl log dump', until interrupted (SIGINT, SIGTERM).\n\n"
    "  --tenant SLUG     the tenant's log\n"
    "  --platform        the platform log\n"
    "  --from POS        print the events from POS first (default: only new ones)\n"
    "  --hash            add each record's own hash as 'hash'\n";

static int start(tail_t *tl, const char *from)
{
    fl_log_head_t head;
    int rc;

    if (from != NULL)
        return flctl_parse_u64(tl->spec, "--from", from, 1, INT64_MAX, &tl->next);
    rc = fl_log_head(tl->log, &head);
    if (rc < 0) {
        flctl_err("cannot read the head of %s: %s", tl->target->label, fl_strerror(rc));
        return FLCTL_FAIL;
    }
    tl->next = head.pos + 1;
    return 0;
}

int flctl_log_tail(flctl_t *ctx, int argc, char **argv)
{
    flctl_target_t t = {0};
    const char *from = NULL;
    tail_t tl = {.ctx = ctx, .target = &t};
    const flctl_opt_t opts[] = {
        FLCTL_TARGET_OPTS(&t), {"from", "POS", &from, NULL}, {"hash", NULL, NULL, &tl.hash}, {0}};
    const flctl_spec_t spec = {
        .name = "log tail",
        .usage = "flctl log tail (--tenant SLUG | --platform) [--from POS] [--hash]",
        .help = tail_help,
        .opts = opts};
    int rc;

    tl.spec = &spec;
    rc = flctl_parse(ctx, &spec, argc, argv);
    if (rc != 0)
        return flctl_parse_exit(rc);
    rc = flctl_target_open(ctx, &spec, &t, true, &tl.log);
    if (rc != 0)
        return rc;
    install_handlers();
    rc = start(&tl, from);
    while (rc == 0 && !stop_requested) {
        rc = poll_once(&tl);
        if (rc == 0 && !stop_requested)
            nap();
    }
    if (tl.log != NULL)
        fl_log_close(tl.log);
    return rc;
}

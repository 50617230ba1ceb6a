/*
 * flctl replay: one stream as it was at a time or a position, as JSON lines
 * in the format of log dump. An auditor's question, "what did this look like
 * then?", answered from the log alone.
 */
#include <stdint.h>
#include <stdio.h>

#include "firelater/clock.h"
#include "firelater/err.h"
#include "flctl.h"

static const char replay_help[] =
    "Prints the events of one stream, in version order, up to a time or a position\n"
    "(default: all of them), as JSON lines in the format of 'flctl log dump'.\n\n"
    "  --tenant SLUG     the tenant's log\n"
    "  --platform        the platform log\n"
    "  --stream STREAM   the stream (required)\n"
    "  --as-of TIME      only events recorded at or before TIME: RFC 3339\n"
    "                    (2026-11-25T12:00:00Z, 2026-11-25) or µs since the epoch\n"
    "  --at POS          only events at or before log position POS\n"
    "  --hash            add each record's own hash as 'hash'\n";

static int parse_point(const flctl_spec_t *spec, const char *as_of, const char *at,
                       fl_log_query_t *q)
{
    if (as_of != NULL && at != NULL)
        return flctl_usage_err(spec, "'--as-of' and '--at' exclude each other");
    if (at != NULL)
        return flctl_parse_u64(spec, "--at", at, 1, INT64_MAX, &q->to);
    if (as_of != NULL && fl_time_parse(as_of, &q->until) < 0)
        return flctl_usage_err(spec,
                               "invalid --as-of '%s': expected RFC 3339 "
                               "(2026-11-25T12:00:00Z) or µs since the epoch",
                               as_of);
    /* Zero means "no bound" to the log; nothing was recorded before 1970 anyway. */
    if (as_of != NULL && q->until <= 0)
        q->until = -1;
    return 0;
}

/* A stream that was never written is more likely a typo than an empty history. */
static int check_stream(fl_log_t *log, const flctl_target_t *t, const char *stream)
{
    uint64_t version = 0;
    int rc = fl_log_stream_version(log, stream, &version);

    if (rc < 0) {
        flctl_err("cannot read stream '%s' of %s: %s", stream, t->label, fl_strerror(rc));
        return FLCTL_FAIL;
    }
    if (version == 0) {
        flctl_err("stream '%s' does not exist in %s", stream, t->label);
        return FLCTL_FAIL;
    }
    return 0;
}

int flctl_replay(flctl_t *ctx, int argc, char **argv)
{
    flctl_target_t t = {0};
    const char *stream = NULL, *as_of = NULL, *at = NULL;
    bool hash = false;
    const flctl_opt_t opts[] = {
        FLCTL_TARGET_OPTS(&t),           {"stream", "STREAM", &stream, NULL},
        {"as-of", "TIME", &as_of, NULL}, {"at", "POS", &at, NULL},
        {"hash", NULL, NULL, &hash},     {0}};
    const flctl_spec_t spec = {.name = "replay",
                               .usage = "flctl replay (--tenant SLUG | --platform) --stream STREAM "
                                        "[--as-of TIME | --at POS] [--hash]",
                               .help = replay_help,
                               .opts = opts};
    fl_log_query_t q = {0};
    uint64_t last = 0;
    fl_log_t *log;
    int rc;

    rc = flctl_parse(ctx, &spec, argc, argv);
    if (rc == 0 && stream == NULL)
        rc = flctl_usage_err(&spec, "'replay' needs '--stream STREAM'");
    if (rc == 0)
        rc = parse_point(&spec, as_of, at, &q);
    if (rc != 0)
        return flctl_parse_exit(rc);
    rc = flctl_target_open(ctx, &spec, &t, true, &log);
    if (rc != 0)
        return rc;
    q.stream = stream;
    rc = check_stream(log, &t, stream);
    if (rc == 0)
        rc = flctl_print_events(log, &t, &q, hash, &last);
    fl_log_close(log);
    return rc;
}

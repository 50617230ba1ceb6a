/*
 * flctl log dump: the events of a log, or of one stream, as JSON lines.
 */
#include <stdint.h>
#include <stdio.h>

#include "flctl.h"

static const char dump_help[] =
    "Prints the events of a log as JSON lines: {pos, ts, type, v, stream, sv, actor,\n"
    "cid, corr, num (when set), data, prev}, in position order (version order with\n"
    "--stream).\n\n"
    "  --tenant SLUG     the tenant's log\n"
    "  --platform        the platform log (tenant lifecycle events)\n"
    "  --from POS        first position (default 1)\n"
    "  --to POS          last position, inclusive (default the head)\n"
    "  --stream STREAM   only this stream's events\n"
    "  --hash            add each record's own BLAKE2b-256 hash as 'hash'\n";

/* Reads --from and --to into q; FLCTL_USAGE after naming the bad one. */
static int parse_range(const flctl_spec_t *spec, const char *from, const char *to,
                       fl_log_query_t *q)
{
    int rc = 0;

    if (from != NULL)
        rc = flctl_parse_u64(spec, "--from", from, 1, INT64_MAX, &q->from);
    if (rc == 0 && to != NULL)
        rc = flctl_parse_u64(spec, "--to", to, 1, INT64_MAX, &q->to);
    if (rc == 0 && q->from != 0 && q->to != 0 && q->from > q->to)
        rc = flctl_usage_err(spec, "--from %s is past --to %s", from, to);
    return rc;
}

int flctl_log_dump(flctl_t *ctx, int argc, char **argv)
{
    flctl_target_t t = {0};
    const char *from = NULL, *to = NULL, *stream = NULL;
    bool hash = false;
    const flctl_opt_t opts[] = {FLCTL_TARGET_OPTS(&t),       {"from", "POS", &from, NULL},
                                {"to", "POS", &to, NULL},    {"stream", "STREAM", &stream, NULL},
                                {"hash", NULL, NULL, &hash}, {0}};
    const flctl_spec_t spec = {.name = "log dump",
                               .usage = "flctl log dump (--tenant SLUG | --platform) [--from POS] "
                                        "[--to POS] [--stream STREAM] [--hash]",
                               .help = dump_help,
                               .opts = opts};
    fl_log_query_t q = {0};
    uint64_t last = 0;
    fl_log_t *log;
    int rc;

    rc = flctl_parse(ctx, &spec, argc, argv);
    if (rc == 0)
        rc = parse_range(&spec, from, to, &q);
    if (rc != 0)
        return flctl_parse_exit(rc);
    rc = flctl_target_open(ctx, &spec, &t, true, &log);
    if (rc != 0)
        return rc;
    q.stream = stream;
    rc = flctl_print_events(log, &t, &q, hash, &last);
    fl_log_close(log);
    return rc;
}

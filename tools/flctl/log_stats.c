/*
 * flctl log stats: how big a log is and how full its map.
 */
#include <inttypes.h>
#include <stdio.h>

#include "firelater/err.h"
#include "flctl.h"

static const char stats_help[] =
    "Prints a log's size: events, streams, stored bytes, the map's size and use,\n"
    "and the head (position, time, hash).\n\n"
    "  --tenant SLUG     the tenant's log\n"
    "  --platform        the platform log\n"
    "  --json            one JSON object instead of the table\n";

/* "2.3 MiB": binary units, one decimal, as an operator reads df -h. */
static void human_bytes(uint64_t n, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)n;
    size_t u = 0;

    while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%" PRIu64 " B", n);
    else
        snprintf(buf, len, "%.1f %s", v, units[u]);
}

static void print_table(const fl_log_t *log, const fl_log_stats_t *st, const fl_log_head_t *h)
{
    char size[32], used[32], bytes[32], ts[40], hash[2 * FL_LOG_HASH_LEN + 1];
    double pct = st->map_size > 0 ? 100.0 * (double)st->map_used / (double)st->map_size : 0.0;

    human_bytes(st->bytes, bytes, sizeof(bytes));
    human_bytes(st->map_size, size, sizeof(size));
    human_bytes(st->map_used, used, sizeof(used));
    flctl_hex(h->hash, FL_LOG_HASH_LEN, hash);
    printf("path        %s\n", fl_log_path(log));
    printf("events      %" PRIu64 "\n", st->events);
    printf("streams     %" PRIu64 "\n", st->streams);
    printf("bytes       %s (%" PRIu64 ")\n", bytes, st->bytes);
    printf("map size    %s (%" PRIu64 ")\n", size, st->map_size);
    printf("map used    %s (%" PRIu64 ", %.1f%%)\n", used, st->map_used, pct);
    if (h->pos == 0) {
        printf("head        0 (empty log)\n");
        return;
    }
    fl_time_format(h->ts, ts, sizeof(ts));
    printf("head        %" PRIu64 " at %s\n", h->pos, ts);
    printf("head hash   %s\n", hash);
}

static void print_json(const fl_log_t *log, const fl_log_stats_t *st, const fl_log_head_t *h)
{
    char ts[40], hash[2 * FL_LOG_HASH_LEN + 1];
    json_t *obj = json_object();

    flctl_hex(h->hash, FL_LOG_HASH_LEN, hash);
    json_object_set_new(obj, "path", json_string(fl_log_path(log)));
    json_object_set_new(obj, "events", json_integer((json_int_t)st->events));
    json_object_set_new(obj, "streams", json_integer((json_int_t)st->streams));
    json_object_set_new(obj, "bytes", json_integer((json_int_t)st->bytes));
    json_object_set_new(obj, "map_size", json_integer((json_int_t)st->map_size));
    json_object_set_new(obj, "map_used", json_integer((json_int_t)st->map_used));
    json_object_set_new(obj, "head_pos", json_integer((json_int_t)h->pos));
    if (h->pos > 0) {
        fl_time_format(h->ts, ts, sizeof(ts));
        json_object_set_new(obj, "head_ts", json_string(ts));
    } else {
        json_object_set_new(obj, "head_ts", json_null());
    }
    json_object_set_new(obj, "head_hash", json_string(hash));
    flctl_print_json_line(obj);
}

int flctl_log_stats(flctl_t *ctx, int argc, char **argv)
{
    flctl_target_t t = {0};
    bool json = false;
    const flctl_opt_t opts[] = {FLCTL_TARGET_OPTS(&t), {"json", NULL, NULL, &json}, {0}};
    const flctl_spec_t spec = {.name = "log stats",
                               .usage = "flctl log stats (--tenant SLUG | --platform) [--json]",
                               .help = stats_help,
                               .opts = opts};
    fl_log_stats_t st;
    fl_log_head_t head;
    fl_log_t *log;
    int rc;

    rc = flctl_parse(ctx, &spec, argc, argv);
    if (rc != 0)
        return flctl_parse_exit(rc);
    rc = flctl_target_open(ctx, &spec, &t, true, &log);
    if (rc != 0)
        return rc;
    rc = fl_log_stats(log, &st);
    if (rc == 0)
        rc = fl_log_head(log, &head);
    if (rc < 0)
        flctl_err("cannot read the statistics of %s: %s", t.label, fl_strerror(rc));
    else if (json)
        print_json(log, &st, &head);
    else
        print_table(log, &st, &head);
    fl_log_close(log);
    return rc < 0 ? FLCTL_FAIL : FLCTL_OK;
}

/*
 * bench_slafill DIR N: appends to the tenant log in DIR (a tenant's
 * directory, <data>/tenants/<slug>, made by flctl tenant create) a
 * round-the-clock SLA policy and N open critical issues, in batches of 1,000
 * (what the issues API appends for each: issue.created with a priority). The
 * clocks run: targets of a week, so nothing is due while the server starts.
 * bench/sla_start times the server's start-up over that log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "firelater/codec.h"
#include "firelater/domain.h"
#include "firelater/err.h"

#define BATCH 1000

static const char policy[] =
    "{\"id\":\"6f1d7f5e-1a2b-4c3d-8e9f-0a1b2c3d4e5f\",\"cleared_default\":null,\"body\":{"
    "\"name\":\"Bench\",\"entity_type\":\"issue\",\"is_default\":true,\"conditions\":{},"
    "\"business_hours_id\":null,\"targets\":["
    "{\"metric_type\":\"response_time\",\"priority\":\"critical\",\"target_minutes\":10080,"
    "\"warning_percent\":80,\"business_hours_only\":false},"
    "{\"metric_type\":\"resolution_time\",\"priority\":\"critical\",\"target_minutes\":20160,"
    "\"warning_percent\":80,\"business_hours_only\":false}]}}";

static void append(fl_log_t *log, const fl_log_new_t *evs, size_t n)
{
    fl_log_batch_t b = {.events = evs, .n_events = n};
    fl_log_result_t r;
    int rc = fl_log_append(log, &b, &r);

    if (rc != 0) {
        fprintf(stderr, "bench_slafill: append: %s\n", fl_strerror(rc));
        exit(1);
    }
}

int main(int argc, char **argv)
{
    fl_log_opts_t opts = {.map_size = BENCH_MAP_SIZE, .no_sync = true};
    fl_log_t *log;
    fl_arena_t a;
    fl_log_new_t evs[BATCH];
    long n = argc == 3 ? atol(argv[2]) : 0;
    uint64_t t0 = bench_now_ns();

    if (n <= 0 || fl_log_open(&log, argv[1], &opts) != 0) {
        fprintf(stderr, "usage: bench_slafill TENANT_DIR N\n");
        return 2;
    }
    fl_arena_init(&a, 64u << 20);
    {
        uint8_t *mp;
        size_t len;
        if (fl_codec_from_json_text(policy, &a, &mp, &len) != 0)
            return 1;
        evs[0] = (fl_log_new_t){.stream = "sla:config",
                                .type = "sla.policy_created",
                                .v = 1,
                                .data = mp,
                                .data_len = len};
        append(log, evs, 1);
    }
    for (long done = 0; done < n;) {
        size_t k = 0;
        fl_arena_reset(&a);
        for (; k < BATCH && done < n; k++, done++) {
            char *id = fl_uuid_new(&a), *stream = fl_arena_alloc(&a, 48), json[160];
            uint8_t *mp;
            size_t len;
            snprintf(stream, 48, "issue:%s", id);
            snprintf(json, sizeof(json),
                     "{\"id\":\"%s\",\"title\":\"bench %ld\",\"priority\":\"critical\","
                     "\"status\":\"new\"}",
                     id, done);
            if (fl_codec_from_json_text(json, &a, &mp, &len) != 0)
                return 1;
            evs[k] = (fl_log_new_t){.stream = stream,
                                    .type = "issue.created",
                                    .v = 1,
                                    .number = "ISS",
                                    .data = mp,
                                    .data_len = len};
        }
        append(log, evs, k);
    }
    printf("bench_slafill: %ld issues in %.1f s\n", n, bench_secs_since(t0));
    fl_arena_free(&a);
    fl_log_close(log);
    return 0;
}

/*
 * bench_slaclock: the SLA clocks at a server's cold start, which evaluates
 * every open issue's clocks and queues its next due instant.
 *
 * 1) 1,000,000 fl_slaclock_eval calls over an office calendar in
 *    America/New_York (Mon-Fri 09:00-12:00 and 13:00-17:30), each issue with
 *    a start spread over 2026, a pause and resume, a priority change and
 *    for one in three a first response: 4 to 6 facts, both metrics.
 * 2) 1,000,000 fl_timerq_set of the due instants (one id per clock), then
 *    1,000,000 pops; the bytes per clock by accounting (fl_timerq_bytes)
 *    and by the peak resident size (getrusage maxrss delta).
 * Clocks with nothing due stay queued at FL_SLACLOCK_NONE so that the
 * queue holds exactly one entry a clock. $FL_BENCH_CLOCKS changes the count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "bench.h"
#include "firelater/slaclock.h"
#include "firelater/timerq.h"

#define MIN_US INT64_C(60000000)

static fl_cal_t *office(void)
{
    json_t *schedule = json_array(), *j;
    fl_arena_t a;
    fl_decision_t d;
    fl_cal_def_t def;
    fl_cal_t *cal = NULL;

    for (int day = 1; day <= 5; day++) {
        json_array_append_new(schedule, json_pack("{s:i, s:s, s:s}", "day_of_week", day,
                                                  "start_time", "09:00", "end_time", "12:00"));
        json_array_append_new(schedule, json_pack("{s:i, s:s, s:s}", "day_of_week", day,
                                                  "start_time", "13:00", "end_time", "17:30"));
    }
    j = json_pack("{s:s, s:s, s:o, s:[]}", "name", "Office", "timezone", "America/New_York",
                  "schedule", schedule, "holidays");
    fl_arena_init(&a, 1 << 20);
    fl_decision_init(&d);
    if (j == NULL || fl_cal_decode(j, &a, &d, &def) != 0 || fl_cal_new(&def, &cal) != 0)
        bench_die("slaclock: the office calendar does not decode\n");
    fl_decision_release(&d);
    fl_arena_free(&a);
    json_decref(j);
    return cal;
}

static long maxrss_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(void)
{
    size_t n = (size_t)bench_env_long("FL_BENCH_CLOCKS", 1000000);
    fl_time_t from = INT64_C(1767225600) * 1000000; /* 2026-01-01T00:00:00Z */
    static const int64_t minutes[FL_SLA_PRIORITIES] = {60, 240, 480, 1440};
    fl_cal_t *cal = office();
    fl_slaclock_policy_t p = {.cal = {cal, cal}};
    bench_rng_t rng = {0x5EED};
    fl_time_t *due = calloc(n, sizeof(*due));
    fl_time_t at;
    fl_timerq_t q;
    uint32_t id;
    size_t fired = 0, popped = 0;
    uint64_t t0;
    double eval_s, ins_s, pop_s;
    long rss0, rss1;

    if (due == NULL)
        bench_die("slaclock: out of memory\n");
    for (int m = 0; m < FL_SLA_METRICS; m++)
        for (int i = 0; i < FL_SLA_PRIORITIES; i++)
            p.targets[m][i] = (fl_slaclock_target_t){minutes[i] * (m + 1) * 2, 80, true};

    t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++) {
        fl_slaclock_fact_t f[6];
        fl_slaclock_t out[FL_SLA_METRICS];
        fl_time_t s = from + (fl_time_t)bench_rng_below(&rng, (uint64_t)365 * 86400 * 1000000);
        size_t k = 0;

        f[k++] = (fl_slaclock_fact_t){.at = s, .kind = FL_SLAF_START, .priority = i % 4};
        f[k++] = (fl_slaclock_fact_t){.at = s + 20 * MIN_US, .kind = FL_SLAF_PAUSE};
        f[k++] = (fl_slaclock_fact_t){.at = s + 200 * MIN_US, .kind = FL_SLAF_RESUME};
        f[k++] = (fl_slaclock_fact_t){
            .at = s + 300 * MIN_US, .kind = FL_SLAF_PRIORITY, .priority = (i + 1) % 4};
        if (i % 3 == 0)
            f[k++] = (fl_slaclock_fact_t){.at = s + 400 * MIN_US, .kind = FL_SLAF_RESPOND};
        bench_check(fl_slaclock_eval(&p, f, k, s + 600 * MIN_US, out), "fl_slaclock_eval");
        due[i] = fl_slaclock_next_due(out);
        fired += due[i] <= s + 600 * MIN_US;
    }
    eval_s = bench_secs_since(t0);

    rss0 = maxrss_kb();
    t0 = bench_now_ns();
    fl_timerq_init(&q, 0);
    for (size_t i = 0; i < n; i++)
        bench_check(fl_timerq_set(&q, (uint32_t)i, due[i]), "fl_timerq_set");
    ins_s = bench_secs_since(t0);
    rss1 = maxrss_kb();
    size_t bytes = fl_timerq_bytes(&q);
    t0 = bench_now_ns();
    for (fl_time_t prev = INT64_MIN; fl_timerq_pop(&q, &at, &id); prev = at, popped++)
        if (at < prev)
            bench_die("slaclock: pops out of order\n");
    pop_s = bench_secs_since(t0);
    if (popped != n)
        bench_die("slaclock: %zu pops of %zu\n", popped, n);

    printf("slaclock: %zu clocks (New York office calendar, 4-5 facts each, both metrics)\n", n);
    printf("  fl_slaclock_eval: %.3f s (%.0f ns each, %.2f M/s), %zu due at now\n", eval_s,
           eval_s * 1e9 / (double)n, (double)n / eval_s / 1e6, fired);
    printf("  timerq: %zu inserts in %.3f s (%.0f ns each), %zu pops in %.3f s (%.0f ns each)\n", n,
           ins_s, ins_s * 1e9 / (double)n, n, pop_s, pop_s * 1e9 / (double)n);
    printf("  timerq memory: %zu bytes allocated (%.1f per clock), maxrss +%ld KiB (%.1f bytes "
           "per clock)\n",
           bytes, (double)bytes / (double)n, rss1 - rss0, (double)(rss1 - rss0) * 1024 / (double)n);
    fl_timerq_free(&q);
    fl_cal_free(cal);
    free(due);
    return 0;
}

/*
 * bench_calendar: the business-time arithmetic of SLA clocks at a server's
 * cold start, which computes one deadline per running clock.
 *
 * 1,000,000 deadlines (fl_cal_add) over an office calendar in
 * America/New_York (Mon-Fri 09:00-12:00 and 13:00-17:30, eleven holidays a
 * year), starts spread over 2026-2027 (so both changes of offset are
 * crossed), targets drawn from 15 minutes to 20 business days as SLA
 * policies set them; then the same number of fl_cal_elapsed calls (a paused
 * or a breached clock) and a round with targets of 100,000 minutes. The
 * first round starts on a fresh calendar, so it pays for the zone's table.
 * $FL_BENCH_DEADLINES changes the count.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "firelater/calendar.h"

/* US federal holidays of 2026 and 2027 (observed dates). */
static const char *holidays[] = {
    "2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
    "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25", "2027-01-01",
    "2027-01-18", "2027-02-15", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06",
    "2027-10-11", "2027-11-11", "2027-11-25", "2027-12-24"};

/* The business-hours body: Monday to Friday, 09:00-12:00 and 13:00-17:30. */
static json_t *office_body(void)
{
    json_t *schedule = json_array(), *days_off = json_array();

    for (int d = 1; d <= 5; d++) {
        json_array_append_new(schedule, json_pack("{s:i, s:s, s:s}", "day_of_week", d, "start_time",
                                                  "09:00", "end_time", "12:00"));
        json_array_append_new(schedule, json_pack("{s:i, s:s, s:s}", "day_of_week", d, "start_time",
                                                  "13:00", "end_time", "17:30"));
    }
    for (size_t i = 0; i < sizeof(holidays) / sizeof(*holidays); i++)
        json_array_append_new(days_off, json_pack("{s:s}", "holiday_date", holidays[i]));
    return json_pack("{s:s, s:s, s:o, s:o}", "name", "New York office", "timezone",
                     "America/New_York", "schedule", schedule, "holidays", days_off);
}

static const int64_t targets[] = {15, 30, 60, 120, 240, 480, 960, 1440, 2400, 4800, 9600};

static fl_cal_t *office(void)
{
    json_t *j = office_body();
    fl_arena_t a;
    fl_decision_t d;
    fl_cal_def_t def;
    fl_cal_t *cal = NULL;

    fl_arena_init(&a, 1 << 20);
    fl_decision_init(&d);
    if (j == NULL || fl_cal_decode(j, &a, &d, &def) != 0 || fl_cal_new(&def, &cal) != 0)
        bench_die("calendar: the office calendar does not decode\n");
    fl_decision_release(&d);
    fl_arena_free(&a);
    json_decref(j);
    return cal;
}

/* n deadlines with targets from the table (fixed when not 0); returns seconds. */
static double deadlines(fl_cal_t *cal, const fl_time_t *starts, size_t n, int64_t fixed,
                        fl_time_t *out)
{
    uint64_t t0 = bench_now_ns();

    for (size_t i = 0; i < n; i++) {
        int64_t m = fixed != 0 ? fixed : targets[i % (sizeof(targets) / sizeof(*targets))];

        bench_check(fl_cal_add(cal, starts[i], m, &out[i]), "fl_cal_add");
    }
    return bench_secs_since(t0);
}

static double elapsed(fl_cal_t *cal, const fl_time_t *starts, const fl_time_t *ends, size_t n)
{
    uint64_t t0 = bench_now_ns();
    int64_t sum = 0;

    for (size_t i = 0; i < n; i++)
        sum += fl_cal_elapsed(cal, starts[i], ends[i] + 3600 * INT64_C(1000000));
    if (sum <= 0)
        bench_die("calendar: no business time elapsed\n");
    return bench_secs_since(t0);
}

int main(void)
{
    size_t n = (size_t)bench_env_long("FL_BENCH_DEADLINES", 1000000);
    fl_time_t *starts = calloc(n, sizeof(*starts));
    fl_time_t *ends = calloc(n, sizeof(*ends));
    bench_rng_t rng = {0x5EED};
    fl_time_t from = INT64_C(1767225600) * 1000000; /* 2026-01-01T00:00:00Z */
    fl_cal_t *cal = office();
    double cold, warm, el, big;

    if (starts == NULL || ends == NULL)
        bench_die("calendar: out of memory\n");
    for (size_t i = 0; i < n; i++)
        starts[i] = from + (fl_time_t)bench_rng_below(&rng, (uint64_t)730 * 86400 * 1000000);
    cold = deadlines(cal, starts, n, 0, ends);
    warm = deadlines(cal, starts, n, 0, ends);
    el = elapsed(cal, starts, ends, n);
    big = deadlines(cal, starts, n / 10, 100000, ends);
    printf("calendar: %zu deadlines (fl_cal_add, 15 min to 20 business days, New York office "
           "with holidays)\n",
           n);
    printf("  fresh calendar: %.3f s (%.0f ns each)\n", cold, cold * 1e9 / (double)n);
    printf("  warm calendar:  %.3f s (%.0f ns each)\n", warm, warm * 1e9 / (double)n);
    printf("  fl_cal_elapsed: %.3f s (%.0f ns each)\n", el, el * 1e9 / (double)n);
    printf("  100,000-minute targets: %zu in %.3f s (%.0f ns each)\n", n / 10, big,
           big * 1e9 / (double)(n / 10));
    fl_cal_free(cal);
    free(starts);
    free(ends);
    return 0;
}

/*
 * A property test: random fact sequences on whole minutes against a
 * reference that steps minute by minute (the office calendar opens and
 * closes on whole minutes, so each minute is all open or all closed) and
 * places a crossing inside its minute to the µs. Thresholds are not whole
 * minutes (80 % of odd targets), so the sub-minute arithmetic is exercised.
 */
#include <stdlib.h>
#include <string.h>

#include "slaclock_test.h"

#define HORIZON_MIN (21 * 1440) /* the reference looks three weeks ahead */

typedef struct ref {
    int status;
    int64_t elapsed;
    fl_time_t warn_at, breach_at;
} ref_t;

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (rng_state * 0x2545F4914F6CDD1Du) % n;
}

/* The reference: the rules restated as a state machine stepped one minute at a time. */
static void reference(fl_cal_t *cal, const fl_slaclock_policy_t *p, int m,
                      const fl_slaclock_fact_t *f, size_t n, fl_time_t now, ref_t *r)
{
    int prio = -1;
    bool active = false, stopped = false, paused = false;
    int64_t target, warn, cum = 0;
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        if (f[i].at <= now &&
            (f[i].kind == FL_SLAF_START || (f[i].kind == FL_SLAF_PRIORITY && prio >= 0)))
            prio = f[i].priority;
    *r = (ref_t){FL_SLAS_NONE, 0, FL_SLACLOCK_NONE, FL_SLACLOCK_NONE};
    if (prio < 0)
        return;
    target = p->targets[m][prio].minutes * SC_MIN;
    warn = target / 100 * p->targets[m][prio].warning_percent;
    for (fl_time_t t = f[0].at; t < now + (fl_time_t)HORIZON_MIN * SC_MIN; t += SC_MIN) {
        for (; k < n && f[k].at == t && t <= now; k++) {
            switch (f[k].kind) {
            case FL_SLAF_START:
                active = true;
                break;
            case FL_SLAF_PAUSE:
                paused = true;
                break;
            case FL_SLAF_RESUME:
                paused = false;
                break;
            case FL_SLAF_RESPOND:
                if (m == FL_SLA_RESPONSE && active)
                    active = false, stopped = true;
                break;
            case FL_SLAF_RESOLVE:
                if (active)
                    active = false, stopped = true;
                paused = false;
                break;
            case FL_SLAF_REOPEN:
                if (m == FL_SLA_RESOLUTION && stopped)
                    active = true, stopped = false;
                paused = false;
                break;
            }
        }
        if (t == now) {
            r->elapsed = cum;
            r->status = active    ? (paused ? FL_SLAS_PAUSED : FL_SLAS_RUNNING)
                        : stopped ? (cum >= target ? FL_SLAS_BREACHED : FL_SLAS_MET)
                                  : FL_SLAS_NONE;
        }
        if (!active || paused || !fl_cal_is_open(cal, t))
            continue;
        if (r->warn_at == FL_SLACLOCK_NONE && cum < warn && cum + SC_MIN >= warn)
            r->warn_at = t + (warn - cum);
        if (r->breach_at == FL_SLACLOCK_NONE && cum < target && cum + SC_MIN >= target)
            r->breach_at = t + (target - cum);
        cum += SC_MIN;
    }
}

/*
 * The server's loop: append what is due at now as WARNED / BREACHED facts
 * (at the end, crossed_at in the past) until nothing is; each threshold of
 * each metric fires at most once, a warning never after its breach, and a
 * "restart" (evaluating the same facts again, later) fires nothing twice.
 */
static void fire_until_quiet(const fl_slaclock_policy_t *p, const fl_slaclock_fact_t *facts,
                             size_t n, fl_time_t now, int round)
{
    fl_slaclock_fact_t f[32];
    fl_slaclock_t out[FL_SLA_METRICS];
    int fired[FL_SLA_METRICS][2] = {{0}};

    memcpy(f, facts, n * sizeof(*f));
    for (int guard = 0; guard < 5; guard++) {
        ck_assert_int_eq(fl_slaclock_eval(p, f, n, now, out), 0);
        int m = out[0].next_due <= out[1].next_due ? 0 : 1;

        if (out[m].next_due > now)
            break;
        ck_assert_msg(!fired[m][out[m].due_is_breach], "round %d: fired twice", round);
        if (!out[m].due_is_breach && fired[m][1])
            ck_abort_msg("round %d: a warning after the breach", round);
        fired[m][out[m].due_is_breach] = 1;
        f[n++] =
            (fl_slaclock_fact_t){.at = out[m].next_due,
                                 .kind = out[m].due_is_breach ? FL_SLAF_BREACHED : FL_SLAF_WARNED,
                                 .metric = (uint8_t)m};
        ck_assert_msg(guard < 4, "round %d: still due after four firings", round);
    }
    ck_assert_int_eq(fl_slaclock_eval(p, f, n, now + 1, out), 0);
    ck_assert_msg(out[0].next_due > now && out[1].next_due > now, "round %d: due again", round);
}

START_TEST(the_engine_agrees_with_a_minute_stepping_reference)
{
    fl_cal_t *cal = sc_office();
    fl_slaclock_policy_t p;
    fl_slaclock_fact_t f[16];
    fl_slaclock_t out[FL_SLA_METRICS];
    static const int kinds[] = {FL_SLAF_PRIORITY, FL_SLAF_PAUSE,   FL_SLAF_RESUME,
                                FL_SLAF_RESPOND,  FL_SLAF_RESOLVE, FL_SLAF_REOPEN};
    fl_time_t monday = sc_t("2026-03-02T00:00:00Z");

    sc_policy(&p, cal);
    for (int m = 0; m < FL_SLA_METRICS; m++)
        for (int i = 0; i < FL_SLA_PRIORITIES; i++)
            p.targets[m][i] = (fl_slaclock_target_t){7 + 37 * i + 101 * m, 80 - 7 * i, true};
    for (int round = 0; round < 300; round++) {
        size_t n = 1 + rnd(12);
        fl_time_t now;

        f[0] = (fl_slaclock_fact_t){.at = monday + (fl_time_t)rnd(5 * 1440) * SC_MIN,
                                    .kind = FL_SLAF_START,
                                    .priority = (uint8_t)rnd(FL_SLA_PRIORITIES)};
        for (size_t i = 1; i < n; i++)
            f[i] = (fl_slaclock_fact_t){.at = f[i - 1].at + (fl_time_t)rnd(400) * SC_MIN,
                                        .kind = (uint8_t)kinds[rnd(6)],
                                        .priority = (uint8_t)rnd(FL_SLA_PRIORITIES)};
        now = f[n - 1].at + (fl_time_t)rnd(600) * SC_MIN;
        ck_assert_int_eq(fl_slaclock_eval(&p, f, n, now, out), 0);
        for (int m = 0; m < FL_SLA_METRICS; m++) {
            ref_t r;

            reference(cal, &p, m, f, n, now, &r);
            if (out[m].status != FL_SLAS_RUNNING) {
                /* Stopped or paused: only crossings already in the past count. */
                if (r.warn_at > now)
                    r.warn_at = FL_SLACLOCK_NONE;
                if (r.breach_at > now)
                    r.breach_at = FL_SLACLOCK_NONE;
            }
            ck_assert_msg((int)out[m].status == r.status, "round %d metric %d: status %d, want %d",
                          round, m, (int)out[m].status, r.status);
            ck_assert_msg(out[m].elapsed_us == r.elapsed,
                          "round %d metric %d: elapsed %lld, want %lld", round, m,
                          (long long)out[m].elapsed_us, (long long)r.elapsed);
            ck_assert_msg(out[m].warn_at == r.warn_at, "round %d metric %d: warn_at", round, m);
            ck_assert_msg(out[m].breach_at == r.breach_at, "round %d metric %d: breach_at", round,
                          m);
            /* Nothing recorded: the earliest crossing is due. */
            fl_time_t due = r.warn_at < r.breach_at ? r.warn_at : r.breach_at;
            ck_assert_msg(out[m].next_due == due, "round %d metric %d: next_due", round, m);
        }
        fire_until_quiet(&p, f, n, now, round);
    }
    fl_cal_free(cal);
}
END_TEST

TCase *sc_property_tcase(void)
{
    TCase *tc = tcase_create("property");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, the_engine_agrees_with_a_minute_stepping_reference);
    return tc;
}

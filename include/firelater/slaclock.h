/*
 * SLA clocks: a pure function from an issue's SLA-relevant facts, the
 * policy's targets and the instant `now` to the state of its two clocks
 * (response, resolution). No I/O, no allocation: the server folds the
 * issue's events into facts, evaluates, and fires what is due
 * (issue.sla_warning / issue.sla_breached with crossed_at = the instant
 * reported here), then feeds the recorded events back as WARNED / BREACHED
 * facts, which is what makes firing exactly-once across restarts.
 *
 * Rules (issue 5; src/domain/sla/README.md "Clocks"):
 *  - a clock counts business time of its metric's calendar while it runs;
 *    both clocks pause at PAUSE (entering pending) and resume at RESUME;
 *  - response runs from START to RESPOND (a RESOLVE without a RESPOND
 *    stops it too: resolving is a transition out of `new`); resolution runs
 *    from START to RESOLVE and again from REOPEN, counting on;
 *  - the target is the CURRENT priority's (the last START / PRIORITY):
 *    crossing instants are recomputed over every running segment since the
 *    start, so a lower target may put a crossing in the past;
 *  - a threshold is crossed at the earliest instant at which the elapsed
 *    business time reaches it; a stopped clock whose elapsed time reached
 *    its target is breached, otherwise met;
 *  - a warning whose crossing is not before the recorded breach's
 *    crossed_at is never due; a recorded threshold is never due again.
 * Facts must be in time order, except WARNED / BREACHED, which may stand
 * anywhere (they carry crossed_at, earlier than the event that records
 * them); facts after `now` are ignored.
 */
#ifndef FIRELATER_SLACLOCK_H
#define FIRELATER_SLACLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firelater/calendar.h"
#include "firelater/clock.h"

#define FL_SLACLOCK_NONE INT64_MAX /* no instant */

typedef enum fl_slaclock_metric {
    FL_SLA_RESPONSE = 0,
    FL_SLA_RESOLUTION = 1,
    FL_SLA_METRICS = 2
} fl_slaclock_metric_t;

/* The spec's priorities, as indices of the target table. */
typedef enum fl_slaclock_priority {
    FL_SLA_CRITICAL = 0,
    FL_SLA_HIGH = 1,
    FL_SLA_MEDIUM = 2,
    FL_SLA_LOW = 3,
    FL_SLA_PRIORITIES = 4
} fl_slaclock_priority_t;

typedef enum fl_slaclock_kind {
    FL_SLAF_START,    /* the issue was created: at, priority */
    FL_SLAF_PRIORITY, /* its priority changed: at, priority */
    FL_SLAF_PAUSE,    /* it entered pending */
    FL_SLAF_RESUME,   /* it left pending */
    FL_SLAF_RESPOND,  /* the first response */
    FL_SLAF_RESOLVE,  /* resolved (or closed) */
    FL_SLAF_REOPEN,   /* reopened */
    FL_SLAF_WARNED,   /* issue.sla_warning recorded: metric, at = its crossed_at */
    FL_SLAF_BREACHED  /* issue.sla_breached recorded: metric, at = its crossed_at */
} fl_slaclock_kind_t;

typedef struct fl_slaclock_fact {
    fl_time_t at;
    uint8_t kind;     /* fl_slaclock_kind_t */
    uint8_t priority; /* START, PRIORITY */
    uint8_t metric;   /* WARNED, BREACHED */
} fl_slaclock_fact_t;

typedef struct fl_slaclock_target {
    int64_t minutes;
    int warning_percent; /* 1..99 warns; anything else: no warning */
    bool has_target;
} fl_slaclock_target_t;

/* A policy's targets and the calendar of each metric (business hours, or 24x7). */
typedef struct fl_slaclock_policy {
    fl_slaclock_target_t targets[FL_SLA_METRICS][FL_SLA_PRIORITIES];
    fl_cal_t *cal[FL_SLA_METRICS];
} fl_slaclock_policy_t;

typedef enum fl_slaclock_status {
    FL_SLAS_NONE, /* no target, or not started */
    FL_SLAS_RUNNING,
    FL_SLAS_PAUSED,
    FL_SLAS_MET,     /* stopped before the target */
    FL_SLAS_BREACHED /* stopped at or after the target */
} fl_slaclock_status_t;

typedef struct fl_slaclock {
    fl_slaclock_status_t status;
    int64_t elapsed_us; /* business µs at now, or at the stop */
    int64_t target_us;  /* 0 when status is none */
    int64_t warn_us;    /* the warning threshold; 0 when none */
    fl_time_t warn_at;  /* crossing (past or future), or FL_SLACLOCK_NONE */
    fl_time_t breach_at;
    bool warned; /* a WARNED fact was seen; warned_at its crossed_at */
    bool breached;
    fl_time_t warned_at;
    fl_time_t breached_at;
    fl_time_t next_due; /* earliest unrecorded crossing to fire (<= now: now), or NONE */
    bool due_is_breach; /* what next_due fires */
} fl_slaclock_t;

/*
 * Evaluates both clocks at now into out. Returns 0, or FL_EINVAL for a bad
 * fact (unknown kind, priority or metric) or a policy without a calendar
 * for a metric that has a target.
 */
int fl_slaclock_eval(const fl_slaclock_policy_t *p, const fl_slaclock_fact_t *facts, size_t n,
                     fl_time_t now, fl_slaclock_t out[FL_SLA_METRICS]);

/* The earlier next_due of the two clocks (FL_SLACLOCK_NONE when nothing is due). */
fl_time_t fl_slaclock_next_due(const fl_slaclock_t out[FL_SLA_METRICS]);

/*
 * The instant at which `us` business µs have elapsed after start on cal:
 * fl_cal_add for the whole minutes, then the rest within open periods.
 */
int fl_slaclock_add_us(fl_cal_t *cal, fl_time_t start, int64_t us, fl_time_t *out);

const char *fl_slaclock_status_name(fl_slaclock_status_t s);

#endif

/*
 * The SLA clock engine (include/firelater/slaclock.h): two passes over the
 * facts per metric. The first finds the current priority and the recorded
 * thresholds; the second walks the running segments (START or RESUME or
 * REOPEN to PAUSE or RESPOND or RESOLVE), summing business time and finding
 * where each threshold of the CURRENT target falls. The last segment, when
 * the clock still runs at now, is open: its crossings are computed from its
 * start with fl_slaclock_add_us whether they are past or future, which is
 * the same instant either way because business time is continuous.
 */
#include "firelater/err.h"
#include "firelater/slaclock.h"

#define MIN_US INT64_C(60000000)

int fl_slaclock_add_us(fl_cal_t *cal, fl_time_t start, int64_t us, fl_time_t *out)
{
    fl_time_t u;
    int64_t rest = us % MIN_US;
    int rc;

    if (us < 0)
        return FL_EINVAL;
    if ((rc = fl_cal_add(cal, start, us / MIN_US, &u)) != 0)
        return rc;
    /* Less than a minute left: walk the open periods from u (at most a couple). */
    while (rest > 0) {
        fl_time_t o = fl_cal_next_open(cal, u);
        fl_time_t c = fl_cal_next_close(cal, o);

        if (o >= FL_CAL_TIME_MAX)
            return FL_EINVAL;
        if (c == FL_CAL_NEVER || c - o >= rest) {
            u = o + rest;
            break;
        }
        rest -= c - o;
        u = c;
    }
    *out = u;
    return 0;
}

/* One metric's running state while the facts are walked. */
typedef struct walk {
    bool active;  /* started and not stopped */
    bool stopped; /* stopped for good (response) or until REOPEN (resolution) */
    bool paused;
    fl_time_t seg_from; /* start of the current running segment */
} walk_t;

static bool running(const walk_t *w)
{
    return w->active && !w->paused;
}

/* Applies one fact to metric m's state; tells whether a running segment closed or opened. */
static void step(walk_t *w, int m, const fl_slaclock_fact_t *f, bool *closed, bool *opened)
{
    bool was = running(w);

    switch (f->kind) {
    case FL_SLAF_START:
        if (!w->active && !w->stopped)
            w->active = true;
        break;
    case FL_SLAF_PAUSE:
        w->paused = true;
        break;
    case FL_SLAF_RESUME:
        w->paused = false;
        break;
    case FL_SLAF_RESPOND:
        if (m == FL_SLA_RESPONSE && w->active) {
            w->active = false;
            w->stopped = true;
        }
        break;
    case FL_SLAF_RESOLVE:
        if (w->active) {
            w->active = false;
            w->stopped = true;
        }
        w->paused = false;
        break;
    case FL_SLAF_REOPEN:
        if (m == FL_SLA_RESOLUTION && w->stopped) {
            w->active = true;
            w->stopped = false;
        }
        w->paused = false;
        break;
    default:
        break;
    }
    *closed = was && !running(w);
    *opened = !was && running(w);
    if (*opened)
        w->seg_from = f->at;
}

typedef struct finder {
    int64_t threshold; /* µs; < 0: not looked for */
    fl_time_t at;
} finder_t;

/* A closed segment [a, b) of e business µs after cum: records crossings inside it. */
static int closed_segment(fl_cal_t *cal, finder_t *fd, int nfd, int64_t cum, fl_time_t a, int64_t e)
{
    for (int i = 0; i < nfd; i++) {
        if (fd[i].threshold < 0 || fd[i].at != FL_SLACLOCK_NONE || cum + e < fd[i].threshold)
            continue;
        int rc = fl_slaclock_add_us(cal, a, fd[i].threshold - cum, &fd[i].at);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int eval_metric(const fl_slaclock_policy_t *p, int m, const fl_slaclock_fact_t *facts,
                       size_t n, fl_time_t now, fl_slaclock_t *o)
{
    int prio = -1;
    walk_t w = {0};
    int64_t cum = 0;
    finder_t fd[2];
    fl_cal_t *cal = p->cal[m];
    const fl_slaclock_target_t *t;
    int rc;

    *o = (fl_slaclock_t){.status = FL_SLAS_NONE,
                         .warn_at = FL_SLACLOCK_NONE,
                         .breach_at = FL_SLACLOCK_NONE,
                         .warned_at = FL_SLACLOCK_NONE,
                         .breached_at = FL_SLACLOCK_NONE,
                         .next_due = FL_SLACLOCK_NONE};
    for (size_t i = 0; i < n && facts[i].at <= now; i++) {
        const fl_slaclock_fact_t *f = &facts[i];

        if (f->kind > FL_SLAF_BREACHED)
            return FL_EINVAL;
        if (f->kind == FL_SLAF_START || f->kind == FL_SLAF_PRIORITY) {
            if (f->priority >= FL_SLA_PRIORITIES)
                return FL_EINVAL;
            if (f->kind == FL_SLAF_PRIORITY && prio < 0)
                continue; /* a change before the start: nothing to re-target yet */
            prio = f->priority;
        } else if (f->kind == FL_SLAF_WARNED || f->kind == FL_SLAF_BREACHED) {
            if (f->metric >= FL_SLA_METRICS)
                return FL_EINVAL;
            if (f->metric != m)
                continue;
            if (f->kind == FL_SLAF_WARNED && !o->warned) {
                o->warned = true;
                o->warned_at = f->at;
            } else if (f->kind == FL_SLAF_BREACHED && !o->breached) {
                o->breached = true;
                o->breached_at = f->at;
            }
        }
    }
    if (prio < 0 || !(t = &p->targets[m][prio])->has_target || t->minutes < 0)
        return 0;
    if (cal == NULL)
        return FL_EINVAL;
    o->target_us = t->minutes * MIN_US;
    o->warn_us = t->warning_percent > 0 && t->warning_percent < 100
                     ? o->target_us / 100 * t->warning_percent
                     : 0;
    fd[0] = (finder_t){o->warn_us > 0 ? o->warn_us : -1, FL_SLACLOCK_NONE};
    fd[1] = (finder_t){o->target_us, FL_SLACLOCK_NONE};

    for (size_t i = 0; i < n && facts[i].at <= now; i++) {
        bool closed, opened;
        fl_time_t from = w.seg_from;

        step(&w, m, &facts[i], &closed, &opened);
        if (closed) {
            int64_t e = fl_cal_elapsed(cal, from, facts[i].at);

            if ((rc = closed_segment(cal, fd, 2, cum, from, e)) != 0)
                return rc;
            cum += e;
        }
    }
    if (running(&w)) {
        o->elapsed_us = cum + fl_cal_elapsed(cal, w.seg_from, now);
        for (int i = 0; i < 2; i++)
            if (fd[i].threshold >= 0 && fd[i].at == FL_SLACLOCK_NONE &&
                (rc = fl_slaclock_add_us(cal, w.seg_from, fd[i].threshold - cum, &fd[i].at)) != 0)
                return rc;
        o->status = FL_SLAS_RUNNING;
    } else {
        o->elapsed_us = cum;
        if (w.stopped)
            o->status = cum >= o->target_us ? FL_SLAS_BREACHED : FL_SLAS_MET;
        else
            o->status = w.active ? FL_SLAS_PAUSED : FL_SLAS_NONE;
    }
    o->warn_at = fd[0].at;
    o->breach_at = fd[1].at;

    if (!o->breached && o->breach_at != FL_SLACLOCK_NONE) {
        o->next_due = o->breach_at;
        o->due_is_breach = true;
    }
    if (!o->warned && o->warn_at != FL_SLACLOCK_NONE &&
        !(o->breached && o->warn_at >= o->breached_at) && o->warn_at < o->next_due) {
        o->next_due = o->warn_at;
        o->due_is_breach = false;
    }
    return 0;
}

int fl_slaclock_eval(const fl_slaclock_policy_t *p, const fl_slaclock_fact_t *facts, size_t n,
                     fl_time_t now, fl_slaclock_t out[FL_SLA_METRICS])
{
    for (int m = 0; m < FL_SLA_METRICS; m++) {
        int rc = eval_metric(p, m, facts, n, now, &out[m]);

        if (rc != 0)
            return rc;
    }
    return 0;
}

fl_time_t fl_slaclock_next_due(const fl_slaclock_t out[FL_SLA_METRICS])
{
    return out[0].next_due < out[1].next_due ? out[0].next_due : out[1].next_due;
}

const char *fl_slaclock_status_name(fl_slaclock_status_t s)
{
    static const char *names[] = {"none", "running", "paused", "met", "breached"};

    return (unsigned)s < sizeof(names) / sizeof(*names) ? names[s] : "none";
}

/*
 * An issue's clocks from the tenant's SLA configuration: the policy chosen
 * by fl_sla_select from the issue's priority, tier and type, its targets as
 * the clock engine's, and the evaluation. The one place that does this: the
 * server's timers (loop and start-up scan) and the issues' write side, which
 * stamps due dates and metrics into the events it decides
 * (src/domain/issues/sla.c), both call it, so they cannot disagree.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/sla.h"
#include "firelater/slafacts.h"

/*
 * The engine's policy from an SLA policy: every target, and per metric the
 * calendar of its target for the issue's current priority (else of any
 * target of that metric).
 */
static void engine_policy(const fl_sla_config_t *c, const fl_sla_policy_t *p, int priority,
                          fl_slaclock_policy_t *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < p->n_targets; i++) {
        const fl_sla_target_t *tg = &p->targets[i];
        out->targets[tg->metric][tg->priority] = (fl_slaclock_target_t){
            .minutes = tg->target_minutes,
            .warning_percent = tg->warning_percent,
            .has_target = true,
        };
        if ((int)tg->priority == priority || out->cal[tg->metric] == NULL)
            out->cal[tg->metric] = fl_sla_calendar(c, p, tg);
    }
}

const fl_sla_policy_t *fl_sla_issue_clocks(const fl_sla_config_t *c, const fl_sla_issue_attrs_t *at,
                                           const fl_slaclock_fact_t *facts, size_t n, fl_time_t now,
                                           fl_slaclock_t out[FL_SLA_METRICS], int *rc)
{
    const fl_sla_policy_t *p;
    fl_slaclock_policy_t pol;

    *rc = 0;
    p = fl_sla_select(c, "issue", at->priority != NULL ? at->priority : "medium", at->tier,
                      at->issue_type != NULL ? at->issue_type : "issue");
    if (p == NULL)
        return NULL;
    engine_policy(c, p, fl_slafacts_priority(at->priority), &pol);
    *rc = fl_slaclock_eval(&pol, facts, n, now, out);
    return *rc == 0 ? p : NULL;
}

/*
 * An issue's or a request's clocks from the tenant's SLA configuration: the
 * policy (for an issue fl_sla_select from its priority, tier and type; for a
 * request the policy it names, else fl_sla_select), its targets as the clock
 * engine's, and the evaluation. The one place that does this: the server's
 * timers (loop and start-up scan) and the write sides, which stamp due dates
 * and metrics into the events they decide (src/domain/issues/sla.c,
 * src/domain/requests/sla.c), all call it, so they cannot disagree.
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

/* The clocks under p (NULL: none) for the current priority. */
static const fl_sla_policy_t *clocks(const fl_sla_config_t *c, const fl_sla_policy_t *p,
                                     const char *priority, const fl_slaclock_fact_t *facts,
                                     size_t n, fl_time_t now, fl_slaclock_t out[FL_SLA_METRICS],
                                     int *rc)
{
    fl_slaclock_policy_t pol;

    *rc = 0;
    if (p == NULL)
        return NULL;
    engine_policy(c, p, fl_slafacts_priority(priority), &pol);
    *rc = fl_slaclock_eval(&pol, facts, n, now, out);
    return *rc == 0 ? p : NULL;
}

const fl_sla_policy_t *fl_sla_issue_clocks(const fl_sla_config_t *c, const fl_sla_issue_attrs_t *at,
                                           const fl_slaclock_fact_t *facts, size_t n, fl_time_t now,
                                           fl_slaclock_t out[FL_SLA_METRICS], int *rc)
{
    const fl_sla_policy_t *p =
        fl_sla_select(c, "issue", at->priority != NULL ? at->priority : "medium", at->tier,
                      at->issue_type != NULL ? at->issue_type : "issue");

    return clocks(c, p, at->priority, facts, n, now, out, rc);
}

const fl_sla_policy_t *fl_sla_request_policy(const fl_sla_config_t *c,
                                             const fl_sla_request_attrs_t *at)
{
    const fl_sla_policy_t *named = fl_sla_policy_find(c, at->policy_id);

    if (at->catalog_item_id == NULL)
        return NULL; /* a bundle's parent: its children have the clocks */
    if (named != NULL && named->entity_type == FL_SLA_REQUEST)
        return named;
    return fl_sla_select(c, "request", at->priority != NULL ? at->priority : "medium", NULL, NULL);
}

const fl_sla_policy_t *fl_sla_request_clocks(const fl_sla_config_t *c,
                                             const fl_sla_request_attrs_t *at,
                                             const fl_slaclock_fact_t *facts, size_t n,
                                             fl_time_t now, fl_slaclock_t out[FL_SLA_METRICS],
                                             int *rc)
{
    return clocks(c, fl_sla_request_policy(c, at), at->priority, facts, n, now, out, rc);
}

const fl_sla_policy_t *fl_sla_entity_clocks(const fl_sla_config_t *c, const fl_slafacts_entity_t *e,
                                            const char *const attr[FL_SLAFACTS_ATTRS],
                                            const char *tier, const fl_slaclock_fact_t *facts,
                                            size_t n, fl_time_t now,
                                            fl_slaclock_t out[FL_SLA_METRICS], int *rc)
{
    if (e == &fl_slafacts_request) {
        fl_sla_request_attrs_t at = {.priority = attr[FL_SLAFACTS_PRIORITY],
                                     .policy_id = attr[FL_SLAFACTS_REQ_POLICY],
                                     .catalog_item_id = attr[FL_SLAFACTS_REQ_ITEM]};
        return fl_sla_request_clocks(c, &at, facts, n, now, out, rc);
    }
    fl_sla_issue_attrs_t at = {.priority = attr[FL_SLAFACTS_PRIORITY],
                               .issue_type = attr[FL_SLAFACTS_ISSUE_TYPE],
                               .tier = tier};
    return fl_sla_issue_clocks(c, &at, facts, n, now, out, rc);
}

json_t *fl_sla_due_json(const fl_slaclock_t *c)
{
    if (c->status == FL_SLAS_MET || c->status == FL_SLAS_BREACHED)
        return NULL;
    if (c->status != FL_SLAS_RUNNING)
        return json_null();
    return fl_json_time_or_null(c->breach_at != FL_SLACLOCK_NONE ? c->breach_at : 0);
}

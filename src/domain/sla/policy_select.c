/*
 * The selector: which policy applies to an entity, which target of it, and
 * which calendar the target counts in. Pure reads of a fl_sla_config_t.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/sla.h"

/* The bit of value in names, or 0 (unknown or NULL values match no condition). */
static uint8_t bit_of(const char *const *names, const char *value)
{
    int i = fl_sla_name_index(names, value);

    return i < 0 ? 0 : (uint8_t)(1u << i);
}

/* How many conditions the policy has, or -1 when one of them does not match. */
static int matching_conditions(const fl_sla_conditions_t *k, uint8_t prio, uint8_t tier,
                               uint8_t type)
{
    const uint8_t sets[3] = {k->priority, k->tier, k->issue_type};
    const uint8_t vals[3] = {prio, tier, type};
    int n = 0;

    for (int i = 0; i < 3; i++) {
        if (sets[i] == 0)
            continue;
        if ((sets[i] & vals[i]) == 0)
            return -1;
        n++;
    }
    return n;
}

const fl_sla_policy_t *fl_sla_select(const fl_sla_config_t *c, const char *entity_type,
                                     const char *priority, const char *tier, const char *issue_type)
{
    int et = fl_sla_name_index(fl_sla_entity_names, entity_type);
    uint8_t prio = bit_of(fl_sla_priority_names, priority);
    uint8_t tr = bit_of(fl_sla_tier_names, tier);
    uint8_t type = bit_of(fl_sla_issue_type_names, issue_type);
    const fl_sla_policy_t *best = NULL, *dflt = NULL;
    int best_n = -1;

    if (c == NULL || et < 0)
        return NULL;
    for (size_t i = 0; i < c->n_policies; i++) {
        const fl_sla_policy_t *p = &c->policies[i];
        int n;

        if (p->deleted || (int)p->entity_type != et)
            continue;
        if (p->is_default) {
            if (dflt == NULL || p->created_seq < dflt->created_seq)
                dflt = p;
            continue;
        }
        n = matching_conditions(&p->conditions, prio, tr, type);
        if (n == 0)
            continue; /* no conditions: it would shadow the default (see README) */
        if (n > best_n || (n >= 0 && n == best_n && p->created_seq < best->created_seq)) {
            best = p;
            best_n = n;
        }
    }
    return best != NULL ? best : dflt;
}

const fl_sla_target_t *fl_sla_target(const fl_sla_policy_t *p, const char *metric,
                                     const char *priority)
{
    int m = fl_sla_name_index(fl_sla_metric_names, metric);
    int pr = fl_sla_name_index(fl_sla_priority_names, priority);

    if (p == NULL || m < 0 || pr < 0)
        return NULL;
    for (size_t i = 0; i < p->n_targets; i++)
        if ((int)p->targets[i].metric == m && (int)p->targets[i].priority == pr)
            return &p->targets[i];
    return NULL;
}

fl_cal_t *fl_sla_calendar(const fl_sla_config_t *c, const fl_sla_policy_t *p,
                          const fl_sla_target_t *t)
{
    if (c == NULL)
        return NULL;
    if (p == NULL || t == NULL || !t->business_hours_only || p->cal == NULL)
        return c->cal_24x7;
    return p->cal;
}

static fl_cal_t *hours_cal(const fl_sla_config_t *c, const char *id)
{
    for (size_t i = 0; id != NULL && i < c->n_hours; i++)
        if (!c->hours[i].deleted && strcmp(c->hours[i].id, id) == 0)
            return c->hours[i].cal;
    return NULL;
}

int fl_sla_config_build(fl_sla_config_t *c)
{
    c->cal_24x7 = fl_cal_new_24x7();
    if (c->cal_24x7 == NULL)
        return FL_EINVAL;
    for (size_t i = 0; i < c->n_hours; i++) {
        c->hours[i].cal = NULL;
        if (!c->hours[i].deleted && fl_cal_new(&c->hours[i].def, &c->hours[i].cal) != 0) {
            fl_sla_config_free_calendars(c);
            return FL_EINVAL;
        }
    }
    for (size_t i = 0; i < c->n_policies; i++)
        c->policies[i].cal = hours_cal(c, c->policies[i].business_hours_id);
    return 0;
}

void fl_sla_config_free_calendars(fl_sla_config_t *c)
{
    for (size_t i = 0; i < c->n_hours; i++) {
        fl_cal_free(c->hours[i].cal);
        c->hours[i].cal = NULL;
    }
    for (size_t i = 0; i < c->n_policies; i++)
        c->policies[i].cal = NULL;
    fl_cal_free(c->cal_24x7);
    c->cal_24x7 = NULL;
}

/*
 * What the SLA timers' loop side and start-up scan share: issue stream names
 * and keys, the tenant's SLA configuration, and an issue's clocks from its
 * attributes and facts. Nothing here touches the server's state, so the scan
 * may call it on the thread pool (on its own configuration: a calendar is
 * used by one thread at a time).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "sla_internal.h"

void fl__sla_stream_of(const fl_uuid_key_t *k, char out[FL_SLA_STREAM_LEN + 1])
{
    memcpy(out, FL_SLA_ISSUE_PREFIX, FL_SLA_ISSUE_PFX);
    fl_uuid_key_format(k, out + FL_SLA_ISSUE_PFX);
}

bool fl__sla_key_of(const char *stream, fl_uuid_key_t *k)
{
    return strncmp(stream, FL_SLA_ISSUE_PREFIX, FL_SLA_ISSUE_PFX) == 0 &&
           fl_uuid_key_parse(stream + FL_SLA_ISSUE_PFX, strlen(stream + FL_SLA_ISSUE_PFX), k) == 0;
}

int fl__sla_config_read(fl_log_t *log, fl_arena_t *a, fl_sla_config_t *cfg, uint64_t *version)
{
    int rc;

    fl_arena_init(a, 64u << 20);
    rc = fl_agg_load_uncached(log, &fl_sla_config_agg, FL_SLA_STREAM, a, cfg, version);
    if (rc == 0)
        rc = fl_sla_config_build(cfg);
    if (rc != 0)
        fl_arena_free(a);
    return rc;
}

void fl__sla_config_free(fl_arena_t *a, fl_sla_config_t *cfg)
{
    fl_sla_config_free_calendars(cfg);
    fl_arena_free(a);
}

/* The engine's policy from an SLA policy, for the issue's current priority. */
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

const fl_sla_policy_t *fl__sla_clocks(const fl_sla_config_t *c, const fl_sla_issue_attrs_t *at,
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

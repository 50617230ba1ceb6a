/*
 * Policies and business hours as the API shows them from the write side:
 * the body, its id, when it was made and last changed, and the sla:config
 * version that last changed it. config_query.c builds the same members on
 * the read model, so a write answers what the next GET reads.
 */
#include "firelater/sla.h"

static json_t *stamped(json_t *o, fl_time_t created_at, fl_time_t updated_at, int64_t version)
{
    json_object_set_new(o, "created_at", fl_json_time_or_null(created_at));
    json_object_set_new(o, "updated_at", fl_json_time_or_null(updated_at));
    json_object_set_new(o, "version", json_integer(version));
    return o;
}

json_t *fl_sla_policy_entity_json(const fl_sla_policy_t *p)
{
    return stamped(fl_sla_policy_json(p), p->created_at, p->updated_at, p->version);
}

json_t *fl_sla_hours_entity_json(const fl_sla_business_hours_t *h)
{
    return stamped(fl_sla_hours_json(h), h->created_at, h->updated_at, h->version);
}

/*
 * The SLA timers' events -> the issues read model: issue.sla_breached sets
 * sla_breached and sla_breach_type (response, resolution, or both once
 * both metrics breached). Idempotent: replaying the event sets the same
 * values. Both events move the row's version (they are on the issue's
 * stream, and the read's ETag is that stream's version).
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/sla.h"

static int breached(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = json_string_value(json_object_get(data, "id"));
    const char *metric = json_string_value(json_object_get(data, "metric"));
    char ver[24];
    const char *p[3];

    if (id == NULL || !fl_uuid_is_valid(id) || metric == NULL ||
        (strcmp(metric, "response") != 0 && strcmp(metric, "resolution") != 0))
        return 0; /* not one this build records: skipped */
    snprintf(ver, sizeof(ver), "%llu", (unsigned long long)ev->sv);
    p[0] = id;
    p[1] = metric;
    p[2] = ver;
    return fl_proj_emit(out,
                        "UPDATE issues SET sla_breached = true, sla_breach_type = CASE"
                        " WHEN sla_breach_type IS NULL OR sla_breach_type = $2 THEN $2"
                        " ELSE 'both' END, version = $3::bigint WHERE id = $1::uuid",
                        3, p);
}

/* A warning changes no column but the row's version (the issue stream's). */
static int warned(fl_proj_out_t *out, const fl_event_t *ev, const json_t *data)
{
    const char *id = json_string_value(json_object_get(data, "id"));
    char ver[24];
    const char *p[2];

    if (id == NULL || !fl_uuid_is_valid(id))
        return 0;
    snprintf(ver, sizeof(ver), "%llu", (unsigned long long)ev->sv);
    p[0] = id;
    p[1] = ver;
    return fl_proj_emit(out, "UPDATE issues SET version = $2::bigint WHERE id = $1::uuid", 2, p);
}

const fl_proj_handler_t fl_sla_timer_projections[] = {
    {"issue.sla_breached", breached},
    {"issue.sla_warning", warned},
    {NULL, NULL},
};

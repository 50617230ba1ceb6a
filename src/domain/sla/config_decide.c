/*
 * Commands on sla:config. Each is decided against the folded config and
 * expects its version, so "one default" and "business hours in use" hold on
 * the write side: a concurrent writer gets a version conflict, not a second
 * default.
 */
#include <stdio.h>
#include <string.h>

#include "firelater/err.h"
#include "firelater/sla.h"

static char *concat(fl_arena_t *a, const char *x, const char *y)
{
    size_t len = strlen(x) + strlen(y) + 1;
    char *s = fl_arena_alloc(a, len);

    if (s != NULL)
        snprintf(s, len, "%s%s", x, y);
    return s;
}

/* Records the event {id, body, cleared_default} (body and the result stolen). */
static int emit(const fl_cmd_ctx_t *ctx, const fl_sla_config_t *c, fl_decision_t *d,
                const char *type, const char *id, json_t *body, const char *cleared, json_t *result,
                const char *base)
{
    json_t *data = json_object();
    int rc;

    json_object_set_new(data, "id", json_string(id));
    if (body != NULL) {
        json_object_set_new(data, "body", body);
        json_object_set_new(data, "cleared_default", fl_json_str_or_null(cleared));
    }
    rc = fl_decision_expect(d, FL_SLA_STREAM, c->version);
    if (rc == 0)
        rc = fl_decision_emit(d, ctx, FL_SLA_STREAM, type, data, NULL);
    else
        json_decref(data);
    d->result = result;
    if (base != NULL)
        d->location = concat(ctx->a, base, id);
    return rc;
}

json_t *fl_sla_hours_json(const fl_sla_business_hours_t *h)
{
    json_t *o = fl_cal_def_json(&h->def);

    json_object_set_new(o, "id", json_string(h->id));
    return o;
}

int fl_sla_decide_hours_put(const fl_cmd_ctx_t *ctx, const fl_sla_config_t *c, const char *id,
                            const json_t *body, fl_decision_t *d)
{
    fl_sla_business_hours_t h = {.id = id};
    const char *cleared = NULL;

    if (id != NULL && fl_sla_hours_find(c, id) == NULL)
        return fl_decision_fail(d, 404, "not found", "no such business hours");
    if (fl_cal_decode(body, ctx->a, d, &h.def) != 0)
        return FL_EINVAL;
    for (size_t i = 0; h.def.is_default && i < c->n_hours; i++)
        if (!c->hours[i].deleted && c->hours[i].def.is_default &&
            (id == NULL || strcmp(c->hours[i].id, id) != 0))
            cleared = c->hours[i].id;
    if (h.id == NULL)
        h.id = fl_uuid_new(ctx->a);
    if (h.id == NULL)
        return FL_ETOOBIG;
    return emit(ctx, c, d, id == NULL ? "sla.business_hours_created" : "sla.business_hours_updated",
                h.id, fl_cal_def_json(&h.def), cleared, fl_sla_hours_json(&h),
                "/api/v1/sla/business-hours/");
}

int fl_sla_decide_hours_delete(const fl_cmd_ctx_t *ctx, const fl_sla_config_t *c, const char *id,
                               fl_decision_t *d)
{
    char *users = NULL;

    if (fl_sla_hours_find(c, id) == NULL)
        return fl_decision_fail(d, 404, "not found", "no such business hours");
    for (size_t i = 0; i < c->n_policies; i++) {
        const fl_sla_policy_t *p = &c->policies[i];

        if (p->deleted || p->business_hours_id == NULL || strcmp(p->business_hours_id, id) != 0)
            continue;
        users = concat(ctx->a, users == NULL ? "" : concat(ctx->a, users, ", "),
                       concat(ctx->a, p->name, concat(ctx->a, " (", concat(ctx->a, p->id, ")"))));
    }
    if (users != NULL)
        return fl_decision_fail(d, 409, "business hours in use",
                                concat(ctx->a, "used by policies: ", users));
    return emit(ctx, c, d, "sla.business_hours_deleted", id, NULL, NULL, NULL, NULL);
}

int fl_sla_decide_policy_put(const fl_cmd_ctx_t *ctx, const fl_sla_config_t *c, const char *id,
                             const json_t *body, fl_decision_t *d)
{
    fl_sla_policy_t p;
    const char *cleared = NULL;
    json_t *result;

    if (id != NULL && fl_sla_policy_find(c, id) == NULL)
        return fl_decision_fail(d, 404, "not found", "no such SLA policy");
    if (fl_sla_policy_decode(body, c, ctx->a, d, &p) != 0)
        return FL_EINVAL;
    for (size_t i = 0; p.is_default && i < c->n_policies; i++) {
        const fl_sla_policy_t *o = &c->policies[i];

        if (!o->deleted && o->is_default && o->entity_type == p.entity_type &&
            (id == NULL || strcmp(o->id, id) != 0))
            cleared = o->id;
    }
    p.id = id != NULL ? id : fl_uuid_new(ctx->a);
    if (p.id == NULL)
        return FL_ETOOBIG;
    result = fl_sla_policy_json(&p);
    p.id = NULL;
    return emit(ctx, c, d, id == NULL ? "sla.policy_created" : "sla.policy_updated",
                json_string_value(json_object_get(result, "id")), fl_sla_policy_json(&p), cleared,
                result, "/api/v1/sla/policies/");
}

int fl_sla_decide_policy_delete(const fl_cmd_ctx_t *ctx, const fl_sla_config_t *c, const char *id,
                                fl_decision_t *d)
{
    if (fl_sla_policy_find(c, id) == NULL)
        return fl_decision_fail(d, 404, "not found", "no such SLA policy");
    return emit(ctx, c, d, "sla.policy_deleted", id, NULL, NULL, NULL, NULL);
}

/*
 * The fold of sla:config: every business-hours definition and policy the
 * tenant has made, deleted ones kept (marked) so ids stay unique and the
 * order of creation stays known. Event bodies are read back through the
 * same decoders the commands use.
 */
#include <string.h>

#include "firelater/err.h"
#include "firelater/sla.h"

const fl_sla_business_hours_t *fl_sla_hours_find(const fl_sla_config_t *c, const char *id)
{
    for (size_t i = 0; c != NULL && id != NULL && i < c->n_hours; i++)
        if (!c->hours[i].deleted && strcmp(c->hours[i].id, id) == 0)
            return &c->hours[i];
    return NULL;
}

const fl_sla_policy_t *fl_sla_policy_find(const fl_sla_config_t *c, const char *id)
{
    for (size_t i = 0; c != NULL && id != NULL && i < c->n_policies; i++)
        if (!c->policies[i].deleted && strcmp(c->policies[i].id, id) == 0)
            return &c->policies[i];
    return NULL;
}

/* Room for one more element of an array kept in the arena: capacities 4, 8, 16, ... */
static void *grow(fl_arena_t *a, void *arr, size_t n, size_t size)
{
    void *bigger;

    if (n == 0)
        return fl_arena_alloc(a, 4 * size);
    if (n < 4 || (n & (n - 1)) != 0)
        return arr;
    bigger = fl_arena_alloc(a, 2 * n * size);
    if (bigger != NULL)
        memcpy(bigger, arr, n * size);
    return bigger;
}

static const char *data_id(const json_t *data, fl_arena_t *a)
{
    const char *id = json_string_value(json_object_get(data, "id"));

    return id != NULL ? fl_arena_strndup(a, id, strlen(id)) : NULL;
}

/* The stamp of an entry changed by the event at (seq, ts). */
#define STAMP(e, seq, ts)                                                                          \
    do {                                                                                           \
        (e)->version = (seq);                                                                      \
        (e)->updated_at = (ts);                                                                    \
    } while (0)

static int apply_hours(fl_sla_config_t *c, fl_arena_t *a, const char *what, const json_t *data,
                       int64_t seq, fl_time_t ts)
{
    const char *id = data_id(data, a);
    const char *cleared = json_string_value(json_object_get(data, "cleared_default"));
    fl_sla_business_hours_t *h = (fl_sla_business_hours_t *)fl_sla_hours_find(c, id);
    fl_sla_business_hours_t *old = (fl_sla_business_hours_t *)fl_sla_hours_find(c, cleared);
    fl_decision_t d;
    fl_cal_def_t def;
    int rc;

    if (id == NULL)
        return FL_ECORRUPT;
    if (strcmp(what, "deleted") == 0) {
        if (h != NULL) {
            h->deleted = true;
            STAMP(h, seq, ts);
        }
        return 0;
    }
    fl_decision_init(&d);
    rc = fl_cal_decode(json_object_get(data, "body"), a, &d, &def);
    fl_decision_release(&d);
    if (rc != 0)
        return FL_ECORRUPT;
    if (old != NULL) {
        old->def.is_default = false;
        STAMP(old, seq, ts);
    }
    if (strcmp(what, "created") == 0) {
        fl_sla_business_hours_t *arr = grow(a, c->hours, c->n_hours, sizeof(*arr));

        if (arr == NULL)
            return FL_ECORRUPT;
        c->hours = arr;
        h = &c->hours[c->n_hours++];
        memset(h, 0, sizeof(*h));
        h->id = id;
        h->created_at = ts;
    } else if (h == NULL)
        return FL_ECORRUPT;
    h->def = def;
    STAMP(h, seq, ts);
    return 0;
}

static int apply_policy(fl_sla_config_t *c, fl_arena_t *a, const char *what, const json_t *data,
                        int64_t seq, fl_time_t ts)
{
    const char *id = data_id(data, a);
    const char *cleared = json_string_value(json_object_get(data, "cleared_default"));
    fl_sla_policy_t *p = (fl_sla_policy_t *)fl_sla_policy_find(c, id);
    fl_sla_policy_t *old = (fl_sla_policy_t *)fl_sla_policy_find(c, cleared);
    fl_sla_policy_t np;
    fl_decision_t d;
    int rc;

    if (id == NULL)
        return FL_ECORRUPT;
    if (strcmp(what, "deleted") == 0) {
        if (p != NULL) {
            p->deleted = true;
            STAMP(p, seq, ts);
        }
        return 0;
    }
    fl_decision_init(&d);
    rc = fl_sla_policy_decode(json_object_get(data, "body"), NULL, a, &d, &np);
    fl_decision_release(&d);
    if (rc != 0)
        return FL_ECORRUPT;
    if (old != NULL) {
        old->is_default = false;
        STAMP(old, seq, ts);
    }
    np.id = id;
    if (strcmp(what, "created") == 0) {
        fl_sla_policy_t *arr = grow(a, c->policies, c->n_policies, sizeof(*arr));

        if (arr == NULL)
            return FL_ECORRUPT;
        c->policies = arr;
        np.created_seq = seq;
        np.created_at = ts;
        p = &c->policies[c->n_policies++];
    } else if (p == NULL)
        return FL_ECORRUPT;
    else {
        np.created_seq = p->created_seq;
        np.created_at = p->created_at;
    }
    *p = np;
    STAMP(p, seq, ts);
    return 0;
}

int fl_sla_config_apply(fl_sla_config_t *c, fl_arena_t *a, const char *type, const json_t *data,
                        int64_t seq, fl_time_t ts)
{
    int rc = 0;

    if (strncmp(type, "sla.business_hours_", 19) == 0)
        rc = apply_hours(c, a, type + 19, data, seq, ts);
    else if (strncmp(type, "sla.policy_", 11) == 0)
        rc = apply_policy(c, a, type + 11, data, seq, ts);
    if (rc == 0)
        c->version = seq;
    return rc;
}

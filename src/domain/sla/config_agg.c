/*
 * sla:config as an aggregate of the tenant's cache (firelater/aggcache.h):
 * the issues write side and the timers load the folded configuration and
 * read only the events appended since they last did.
 */
#include <string.h>

#include "firelater/codec.h"
#include "firelater/sla.h"

static int config_fold(void *state, fl_arena_t *a, const fl_event_t *ev)
{
    json_t *data = NULL;
    int rc;

    if (ev->data_len > 0 && (rc = fl_codec_to_json(ev->data, ev->data_len, &data)) < 0)
        return rc;
    rc = fl_sla_config_apply(state, a, ev->type, data, (int64_t)ev->sv, ev->ts);
    json_decref(data);
    return rc;
}

static void config_init(void *state)
{
    memset(state, 0, sizeof(fl_sla_config_t));
}

const fl_agg_type_t fl_sla_config_agg = {
    .name = "sla_config",
    .state_size = sizeof(fl_sla_config_t),
    .init = config_init,
    .fold = config_fold,
};

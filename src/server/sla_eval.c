/*
 * What the SLA timers' loop side, their start-up scan and the issues' and
 * requests' write paths share: the streams with clocks (issue:, request:),
 * their keys and the entity of each slot, a tenant's SLA configuration
 * (folded and built, refolded when sla:config moves), and an application's
 * tier. The clocks are fl_sla_entity_clocks (src/domain/sla). Only
 * fl__sla_tier_of touches the server's state (the loop's aggregate cache);
 * the scan calls the rest on the thread pool, on a configuration of its own
 * (a calendar is used by one thread at a time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/applications.h"
#include "firelater/err.h"
#include "firelater/issues.h"
#include "firelater/requests.h"
#include "sla_internal.h"

void fl__sla_stream_of(const fl_slafacts_entity_t *e, const fl_uuid_key_t *k,
                       char out[FL_SLA_STREAM_LEN + 1])
{
    fl_assert(e->stream_prefix_len <= FL_SLA_PREFIX_MAX);
    memcpy(out, e->stream_prefix, e->stream_prefix_len);
    fl_uuid_key_format(k, out + e->stream_prefix_len);
}

const fl_slafacts_entity_t *fl__sla_key_of(const char *stream, fl_uuid_key_t *k)
{
    const fl_slafacts_entity_t *e = fl_slafacts_entity_of_stream(stream);
    const char *id = e != NULL ? stream + e->stream_prefix_len : NULL;

    return id != NULL && fl_uuid_key_parse(id, strlen(id), k) == 0 ? e : NULL;
}

uint32_t fl__sla_put(fl_srv_sla_t *sla, const fl_slafacts_entity_t *e, const fl_uuid_key_t *k,
                     bool *added)
{
    uint32_t slot = fl_idtab_put(&sla->ids, k, added);

    if (slot >= sla->entity_cap) {
        uint32_t cap = sla->entity_cap < 64 ? 64 : sla->entity_cap;
        while (cap <= slot)
            cap *= 2;
        if ((sla->entity = realloc(sla->entity, cap)) == NULL)
            fl_oom();
        sla->entity_cap = cap;
    }
    sla->entity[slot] = e == &fl_slafacts_request ? 1 : 0;
    return slot;
}

const fl_slafacts_entity_t *fl__sla_entity(const fl_srv_sla_t *sla, uint32_t slot)
{
    return fl_slafacts_entities[sla->entity[slot]];
}

int fl__sla_config_read(fl_log_t *log, fl__sla_cfg_t *c)
{
    int rc;

    c->loaded = false;
    fl_arena_init(&c->arena, 64u << 20);
    rc = fl_agg_load_uncached(log, &fl_sla_config_agg, FL_SLA_STREAM, &c->arena, &c->cfg,
                              &c->version);
    if (rc == 0)
        rc = fl_sla_config_build(&c->cfg);
    if (rc != 0)
        fl_arena_free(&c->arena);
    c->loaded = rc == 0;
    return rc;
}

void fl__sla_config_free(fl__sla_cfg_t *c)
{
    if (!c->loaded)
        return;
    fl_sla_config_free_calendars(&c->cfg);
    fl_arena_free(&c->arena);
    c->loaded = false;
}

const fl_sla_config_t *fl__sla_config_current(fl_log_t *log, fl__sla_cfg_t *c, const char *slug)
{
    uint64_t version = 0;
    int rc;

    if (fl_log_stream_version(log, FL_SLA_STREAM, &version) != 0)
        return c->loaded ? &c->cfg : NULL;
    if (c->loaded && version == c->version)
        return &c->cfg;
    fl__sla_config_free(c);
    if ((rc = fl__sla_config_read(log, c)) != 0) {
        fprintf(stderr, "firelater: sla (%s): reading sla:config: %s\n", slug, fl_strerror(rc));
        return NULL;
    }
    return &c->cfg;
}

const char *fl__sla_tier_of(fl_srv_tenant_t *t, fl_arena_t *a, const char *app_id)
{
    const void *state;
    uint64_t version;
    char *stream;

    if (app_id == NULL || !fl_uuid_is_valid(app_id) ||
        (stream = fl_apps_stream(a, app_id)) == NULL ||
        fl_agg_load(t->cache, &fl_app_agg, stream, &state, &version) != 0 || version == 0)
        return NULL;
    const char *tier = ((const fl_app_state_t *)state)->v[FL_APP_TIER];
    return tier != NULL ? fl_arena_strndup(a, tier, strlen(tier)) : NULL;
}

void fl_srv_issue_stamp(fl_srv_tenant_t *t, const fl_cmd_ctx_t *ctx, const fl_issue_state_t *i,
                        const char *app_id, fl_decision_t *d)
{
    fl_issue_sla_env_t env = {0};

    if (fl_decision_failed(d) || d->n_events == 0)
        return;
    if (t->sla_cfg == NULL && (t->sla_cfg = calloc(1, sizeof(*t->sla_cfg))) == NULL)
        fl_oom();
    env.config = fl__sla_config_current(t->log, t->sla_cfg, t->slug);
    env.tier = fl__sla_tier_of(t, ctx->a, app_id);
    if (fl_issues_decide_sla(ctx, i, &env, d) != 0)
        fl_decision_fail(d, 500, "the issue's SLA could not be stamped", NULL);
}

void fl_srv_request_stamp(fl_srv_tenant_t *t, const fl_cmd_ctx_t *ctx,
                          const fl_request_state_t *const *known, size_t n_known, fl_decision_t *d)
{
    if (fl_decision_failed(d) || d->n_events == 0)
        return;
    if (t->sla_cfg == NULL && (t->sla_cfg = calloc(1, sizeof(*t->sla_cfg))) == NULL)
        fl_oom();
    const fl_sla_config_t *c = fl__sla_config_current(t->log, t->sla_cfg, t->slug);
    if (fl_requests_decide_sla(ctx, known, n_known, c, d) != 0)
        fl_decision_fail(d, 500, "the request's SLA could not be stamped", NULL);
}

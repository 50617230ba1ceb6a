/*
 * SLA configuration: policies (targets per metric and priority, conditions
 * on the entity they apply to, business hours) and the selector that picks
 * the policy of an issue, a request or a change.
 *
 * Everything here is pure: the decoder reads a policy body into a
 * fl_sla_policy_t (memory from an arena), the selector and the lookups read a
 * fl_sla_config_t. src/domain/sla/README.md has the rules.
 */
#ifndef FIRELATER_SLA_H
#define FIRELATER_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/aggcache.h"
#include "firelater/arena.h"
#include "firelater/calendar.h"
#include "firelater/domain.h"
#include "firelater/projector.h"
#include "firelater/slaclock.h"
#include "firelater/slafacts.h"

#define FL_SLA_TARGETS_MAX     8 /* 2 metrics x 4 priorities */
#define FL_SLA_TARGET_MINUTES  525600
#define FL_SLA_DESCRIPTION_MAX 2000 /* characters */

typedef enum fl_sla_entity {
    FL_SLA_ISSUE,
    FL_SLA_REQUEST,
    FL_SLA_CHANGE,
    FL_SLA_N_ENTITIES
} fl_sla_entity_t;
/* Metrics and priorities are the clock engine's (slaclock.h): one numbering everywhere. */
typedef fl_slaclock_metric_t fl_sla_metric_t;
typedef fl_slaclock_priority_t fl_sla_priority_t;
#define FL_SLA_N_METRICS    FL_SLA_METRICS
#define FL_SLA_N_PRIORITIES FL_SLA_PRIORITIES

typedef struct fl_sla_target {
    fl_sla_metric_t metric;
    fl_sla_priority_t priority;
    int32_t target_minutes;   /* 1..525600 */
    int32_t warning_percent;  /* 1..99 */
    bool business_hours_only; /* false: counts round the clock */
} fl_sla_target_t;

/*
 * Conditions are sets of allowed values, one bit per value (bit i = the i-th
 * name of fl_sla_priority_names / _tier_names / _issue_type_names); 0 means
 * the policy does not look at that attribute.
 */
typedef struct fl_sla_conditions {
    uint8_t priority;
    uint8_t tier;
    uint8_t issue_type;
} fl_sla_conditions_t;

typedef struct fl_sla_policy {
    const char *id;
    const char *name;
    const char *description; /* may be NULL */
    fl_sla_entity_t entity_type;
    bool is_default;
    fl_sla_conditions_t conditions;
    const char *business_hours_id; /* NULL: round the clock */
    fl_sla_target_t targets[FL_SLA_TARGETS_MAX];
    size_t n_targets;
    int64_t created_seq; /* order of creation in sla:config: ties go to the lower */
    int64_t version;     /* the sla:config version that last changed it */
    fl_time_t created_at, updated_at;
    bool deleted;
    fl_cal_t *cal; /* its business hours' calendar (owned by the config), or NULL */
} fl_sla_policy_t;

typedef struct fl_sla_business_hours {
    const char *id;
    fl_cal_def_t def;
    int64_t version; /* the sla:config version that last changed it */
    fl_time_t created_at, updated_at;
    bool deleted;
    fl_cal_t *cal; /* built by fl_sla_config_build */
} fl_sla_business_hours_t;

/* A tenant's SLA configuration: the fold of the sla:config stream. */
typedef struct fl_sla_config {
    fl_sla_business_hours_t *hours;
    size_t n_hours;
    fl_sla_policy_t *policies; /* in order of creation */
    size_t n_policies;
    int64_t version; /* of sla:config */
    fl_cal_t *cal_24x7;
} fl_sla_config_t;

extern const char *const fl_sla_entity_names[];     /* "issue", "request", "change" */
extern const char *const fl_sla_metric_names[];     /* "response_time", "resolution_time" */
extern const char *const fl_sla_priority_names[];   /* "critical", "high", "medium", "low" */
extern const char *const fl_sla_tier_names[];       /* "P1".."P4" */
extern const char *const fl_sla_issue_type_names[]; /* "issue", "problem", "question" */

/* The index of name in a NULL-terminated list, or -1 (NULL gives -1). */
int fl_sla_name_index(const char *const *names, const char *name);

/*
 * Decodes a policy body {name, description, entity_type, is_default,
 * conditions, business_hours_id, targets: [...]} into p (strings in a; id,
 * created_seq, deleted and cal are left zero). business_hours_id must name a
 * live definition of c (c may be NULL: then any UUID is taken). Every problem
 * is collected in d with its field ("targets[3]", "conditions.tier");
 * returns 0 or FL_EINVAL.
 */
int fl_sla_policy_decode(const json_t *body, const fl_sla_config_t *c, fl_arena_t *a,
                         fl_decision_t *d, fl_sla_policy_t *p);

/* The body fl_sla_policy_decode reads, plus id (a new reference). */
json_t *fl_sla_policy_json(const fl_sla_policy_t *p);

/*
 * The policy for an entity: the live non-default policy of that entity type
 * whose conditions all match (an unknown or NULL value matches no condition
 * on it), the one with the most conditions winning, ties to the earliest
 * created; else the entity type's live default; else NULL. A non-default
 * policy without conditions is never selected (it would shadow the default;
 * a default demoted by a new one becomes such a policy).
 */
const fl_sla_policy_t *fl_sla_select(const fl_sla_config_t *c, const char *entity_type,
                                     const char *priority, const char *tier,
                                     const char *issue_type);

/* The policy's target for ("response_time", "high"), or NULL. */
const fl_sla_target_t *fl_sla_target(const fl_sla_policy_t *p, const char *metric,
                                     const char *priority);

/*
 * The calendar a target counts in: its policy's business hours, or round the
 * clock when the target is not business_hours_only or the policy has none.
 * Needs fl_sla_config_build; NULL when the config has no calendars built.
 */
fl_cal_t *fl_sla_calendar(const fl_sla_config_t *c, const fl_sla_policy_t *p,
                          const fl_sla_target_t *t);

/*
 * Builds the calendars of every live definition and links every policy to
 * its own (once per config version, kept with the cached config). Returns 0,
 * or FL_EINVAL when a definition does not make a calendar or memory ran out.
 */
int fl_sla_config_build(fl_sla_config_t *c);

/* Frees the calendars fl_sla_config_build made (the arrays are the caller's). */
void fl_sla_config_free_calendars(fl_sla_config_t *c);

/*
 * An issue's attributes that choose its policy (any may be NULL: the
 * defaults are priority medium and type issue; a NULL tier matches no tier
 * condition).
 */
typedef struct fl_sla_issue_attrs {
    const char *priority, *issue_type, *tier;
} fl_sla_issue_attrs_t;

/*
 * An issue's clocks at now (fl_slaclock_eval) under the policy fl_sla_select
 * picks for at, each metric counting in the calendar of its target for the
 * current priority; c must be built (fl_sla_config_build). Returns that
 * policy with its clocks in out, or NULL: no policy applies, or evaluating
 * failed (*rc set, FL_EINVAL for bad facts). The policy lives as long as c.
 */
const fl_sla_policy_t *fl_sla_issue_clocks(const fl_sla_config_t *c, const fl_sla_issue_attrs_t *at,
                                           const fl_slaclock_fact_t *facts, size_t n, fl_time_t now,
                                           fl_slaclock_t out[FL_SLA_METRICS], int *rc);

/*
 * A request's attributes that choose its policy (src/domain/requests/README.md
 * "SLA"): policy_id the policy it names (the item's, copied at submission, then
 * the one stamped), priority (NULL: medium), catalog_item_id (NULL: a bundle's
 * parent, which has no clocks).
 */
typedef struct fl_sla_request_attrs {
    const char *priority, *policy_id, *catalog_item_id;
} fl_sla_request_attrs_t;

/*
 * A request's policy: none for a bundle's parent; the one policy_id names
 * when it is a live request policy; else fl_sla_select(c, "request",
 * priority) (a request policy whose conditions match, else the default).
 */
const fl_sla_policy_t *fl_sla_request_policy(const fl_sla_config_t *c,
                                             const fl_sla_request_attrs_t *at);

/* A request's clocks at now under fl_sla_request_policy, as fl_sla_issue_clocks. */
const fl_sla_policy_t *fl_sla_request_clocks(const fl_sla_config_t *c,
                                             const fl_sla_request_attrs_t *at,
                                             const fl_slaclock_fact_t *facts, size_t n,
                                             fl_time_t now, fl_slaclock_t out[FL_SLA_METRICS],
                                             int *rc);

/*
 * Either of the above for entity e, from the attributes as the facts fold
 * reads them (e->attr_keys; in the arena or anywhere) and, for an issue, its
 * application's tier (may be NULL). What the server's timers call.
 */
const fl_sla_policy_t *fl_sla_entity_clocks(const fl_sla_config_t *c, const fl_slafacts_entity_t *e,
                                            const char *const attr[FL_SLAFACTS_ATTRS],
                                            const char *tier, const fl_slaclock_fact_t *facts,
                                            size_t n, fl_time_t now,
                                            fl_slaclock_t out[FL_SLA_METRICS], int *rc);

/*
 * The due date a stamp writes for a clock: running, the instant its business
 * time reaches the target (a new reference); paused or without a target,
 * null; stopped (met or breached), NULL: leave the stamped one as it was.
 */
json_t *fl_sla_due_json(const fl_slaclock_t *c);

/* ---- the sla:config stream ---------------------------------------------------------------- */

#define FL_SLA_STREAM "sla:config"

/*
 * Folds one event of sla:config into c (its version becomes seq, the event's
 * version in the stream; ts, the event's time, stamps the entries it changes,
 * a demoted default included). Event data: {"id", "body": <the decoded body>,
 * "cleared_default": <id> | null} for _created/_updated, {"id"} for
 * _deleted. Entries and strings come from a (arrays grow in a; the config
 * lives as long as the arena). Unknown types are skipped. Returns 0, or
 * FL_ECORRUPT for data the decoders refuse.
 */
int fl_sla_config_apply(fl_sla_config_t *c, fl_arena_t *a, const char *type, const json_t *data,
                        int64_t seq, fl_time_t ts);

/*
 * The aggregate type of sla:config for fl_agg_load (state: fl_sla_config_t,
 * without calendars: fl_sla_config_build them on a copy the caller owns).
 */
extern const fl_agg_type_t fl_sla_config_agg;

const fl_sla_business_hours_t *fl_sla_hours_find(const fl_sla_config_t *c, const char *id);
const fl_sla_policy_t *fl_sla_policy_find(const fl_sla_config_t *c, const char *id);

/*
 * Commands on sla:config, decided against the folded config (every one
 * expects the stream's version c->version). id NULL creates (a new UUID),
 * else replaces the live entry of that id (404 when there is none). A new
 * default clears the old one of its kind (for policies: of its entity type),
 * recorded as cleared_default. d->result is the entity, d->location its URL.
 */
int fl_sla_decide_hours_put(const fl_cmd_ctx_t *ctx, const fl_sla_config_t *c, const char *id,
                            const json_t *body, fl_decision_t *d);
/* 404 when unknown; 409 naming the live policies that use it. */
int fl_sla_decide_hours_delete(const fl_cmd_ctx_t *ctx, const fl_sla_config_t *c, const char *id,
                               fl_decision_t *d);
int fl_sla_decide_policy_put(const fl_cmd_ctx_t *ctx, const fl_sla_config_t *c, const char *id,
                             const json_t *body, fl_decision_t *d);
int fl_sla_decide_policy_delete(const fl_cmd_ctx_t *ctx, const fl_sla_config_t *c, const char *id,
                                fl_decision_t *d);

/* A business-hours definition as the API shows it: the body plus id (a new reference). */
json_t *fl_sla_hours_json(const fl_sla_business_hours_t *h);

/*
 * The API's view of an entry of the folded config: the body with id,
 * created_at, updated_at and version (the sla:config version that last
 * changed it). New references.
 */
json_t *fl_sla_policy_entity_json(const fl_sla_policy_t *p);
json_t *fl_sla_hours_entity_json(const fl_sla_business_hours_t *h);

/* ---- the read model (project_config.c, config_query.c) ------------------------------------ */

/* Handlers for the six sla:config events: business_hours (+ schedule, holidays), sla_policies
 * (+ targets). */
extern const fl_proj_handler_t fl_sla_config_projections[];

typedef enum fl_sla_kind { FL_SLA_POLICIES, FL_SLA_HOURS } fl_sla_kind_t;

#define FL_SLA_QUERY_MAX_PARAMS 8

/*
 * One statement: sql with params[0..nparams-1] (text, in the arena). Each
 * row's column j holds an entry's JSON (as fl_sla_*_entity_json); a page's
 * rows also carry _total, and a page past the end is one row whose j is NULL.
 */
typedef struct fl_sla_query {
    const char *sql;
    const char *params[FL_SLA_QUERY_MAX_PARAMS];
    int nparams;
    long page;
    long per_page;
} fl_sla_query_t;

/*
 * A list of live entries: page, per_page (1..100, default 25), sort
 * (created_at (default), name, updated_at, and entity_type for policies,
 * timezone for hours), order (asc|desc), is_default, and for policies
 * entity_type and business_hours_id. Unknown or repeated parameters and bad
 * values are collected in d naming them (FL_EINVAL).
 */
int fl_sla_list_query(fl_sla_kind_t kind, const fl_http_param_t *query, size_t n, fl_arena_t *a,
                      fl_sla_query_t *out, fl_decision_t *d);

/*
 * One live entry by uuid, with column cv: the sla:config version the read
 * model holds (the ETag a GET gives). FL_EINVAL when id is not a UUID.
 */
int fl_sla_get_query(fl_sla_kind_t kind, const char *id, fl_sla_query_t *out);

/* Row `row`'s entry (NULL for a page's padding row or none), its cv (0 when none), the page. */
json_t *fl_sla_row_json(const fl_store_res_t *r, int row);
int64_t fl_sla_row_config_version(const fl_store_res_t *r, int row);
json_t *fl_sla_page_json(const fl_store_res_t *r, const fl_sla_query_t *q);

/* issue.sla_breached -> issues.sla_breached, sla_breach_type (src/domain/sla/project.c). */
extern const fl_proj_handler_t fl_sla_timer_projections[];

#endif

/*
 * The application registry: applications (numbered APP-00001 by the log),
 * their environments, owners and support groups. The write side (aggregate,
 * decode, decide), the read side (projection into the tenant schema's
 * applications and environments tables, the list queries) and the JSON a
 * client sees. The HTTP glue (src/server/api_applications.c) loads states
 * and runs the queries.
 *
 * Stream:
 *   application:<uuid>   an application and every one of its environments:
 *                        one stream, so the expected version that orders an
 *                        application's commands also guarantees that its
 *                        environment names are unique
 *
 * Both entities are described by a field table (the spec's column names, in
 * the order events list them); values travel as canonical text: strings as
 * they are, tags and resource_ids as a sorted, distinct JSON array, metadata
 * as a compact JSON object with sorted keys, so "did it change" is strcmp.
 *
 * Decoders and deciders fill an fl_decision_t: on a refusal they return
 * FL_EINVAL and the decision holds the status and the problem; on success 0.
 * Deciders are pure: no I/O, no clock (ctx->now), memory only from ctx->a.
 */
#ifndef FIRELATER_APPLICATIONS_H
#define FIRELATER_APPLICATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "firelater/aggcache.h"
#include "firelater/arena.h"
#include "firelater/domain.h"
#include "firelater/groups.h"
#include "firelater/http.h"
#include "firelater/log.h"
#include "firelater/projector.h"
#include "firelater/store.h"
#include "firelater/users.h"

#define FL_APPS_NUMBER_PREFIX "APP" /* the log allocates APP-00001, APP-00002, ... */
#define FL_APPS_MAX_ENVS      100   /* live environments of one application */
#define FL_APPS_META_MAX      16384 /* bytes of a metadata object, as compact JSON */

/* The fields of an application (the spec's columns), in event order. */
enum {
    FL_APP_NAME,
    FL_APP_DESCRIPTION,
    FL_APP_TIER,
    FL_APP_STATUS,
    FL_APP_LIFECYCLE_STAGE,
    FL_APP_OWNER_USER_ID,
    FL_APP_OWNER_GROUP_ID,
    FL_APP_SUPPORT_GROUP_ID,
    FL_APP_BUSINESS_UNIT,
    FL_APP_CRITICALITY,
    FL_APP_TAGS,
    FL_APP_METADATA,
    FL_APP_F__N,
};

/* The fields of an environment, in event order. */
enum {
    FL_ENV_NAME,
    FL_ENV_TYPE,
    FL_ENV_URL,
    FL_ENV_CLOUD_PROVIDER,
    FL_ENV_CLOUD_ACCOUNT,
    FL_ENV_CLOUD_REGION,
    FL_ENV_RESOURCE_IDS,
    FL_ENV_STATUS,
    FL_ENV_METADATA,
    FL_ENV_F__N,
};

#define FL_APPS_MAX_FIELDS 12 /* the larger of FL_APP_F__N and FL_ENV_F__N */

/* A body's values: bit i of `set` says field i was present; v[i] NULL = null (cleared). */
typedef struct fl_app_values {
    unsigned set;
    const char *v[FL_APPS_MAX_FIELDS];
} fl_app_values_t;

/* ------------------------------------------------------------- aggregates */

typedef struct fl_app_env {
    char id[FL_UUID_LEN + 1];
    const char *v[FL_ENV_F__N];
    fl_time_t created_at;
    fl_time_t updated_at;
} fl_app_env_t;

/*
 * application:<uuid>. Values and environments live in the fold's arena;
 * envs holds the live environments in the order they were added.
 */
typedef struct fl_app_state {
    bool exists;      /* application.created was folded */
    bool deleted;     /* application.deleted was folded: gone for the API */
    uint64_t version; /* the stream version folded up to; 0 when absent */
    char id[FL_UUID_LEN + 1];
    char app_id[FL_LOG_NUM_MAX]; /* "APP-00001": the created event's number */
    const char *v[FL_APP_F__N];
    fl_app_env_t *envs;
    size_t n_envs, cap_envs;
    fl_time_t created_at;
    fl_time_t updated_at; /* ts of the stream's last event (environments included) */
    fl_time_t deleted_at;
} fl_app_state_t;

extern const fl_agg_type_t fl_app_agg; /* fl_app_state_t */

/* "application:<id>" in the arena; NULL past its budget. */
char *fl_apps_stream(fl_arena_t *a, const char *app_id);

/* The live environment with this id (any case), or NULL. */
const fl_app_env_t *fl_app_env_find(const fl_app_state_t *s, const char *env_id);

/* The names of fields (JSON keys and read-model columns); "" past the end. */
const char *fl_app_field_name(int field);
const char *fl_env_field_name(int field);

/* ---------------------------------------------------------------- decode */

/*
 * JSON bodies -> values. Every problem is collected into d (422 naming the
 * field: tags[3], unknown fields by their key); strings are copied into a.
 * Create: name and tier required (environments: name and type); absent
 * fields get their defaults (status active, lifecycle_stage production,
 * tags [], metadata {}; environments: status active, resource_ids [],
 * metadata {}). Update: only the fields present. FL_EINVAL when d failed.
 */
int fl_apps_decode_create(const json_t *body, fl_arena_t *a, fl_app_values_t *out,
                          fl_decision_t *d);
int fl_apps_decode_update(const json_t *body, fl_arena_t *a, fl_app_values_t *out,
                          fl_decision_t *d);
int fl_apps_decode_env_create(const json_t *body, fl_arena_t *a, fl_app_values_t *out,
                              fl_decision_t *d);
int fl_apps_decode_env_update(const json_t *body, fl_arena_t *a, fl_app_values_t *out,
                              fl_decision_t *d);

/* ---------------------------------------------------------------- decide */

/*
 * What an application refers to, loaded by the caller for the references a
 * body names (copy each state before the next fl_agg_load); NULL when the
 * body does not name it. A user must exist and be active, a group must
 * exist and not be deleted (422 naming the field otherwise).
 */
typedef struct fl_app_refs {
    const fl_user_state_t *owner_user;
    const fl_group_state_t *owner_group;
    const fl_group_state_t *support_group;
} fl_app_refs_t;

/*
 * application.created {id, name, description, tier, status, lifecycle_stage,
 * owner_user_id, owner_group_id, support_group_id, business_unit,
 * criticality, tags, metadata} on application:<new id>, numbered APP by the
 * log (the event's num). Sets d->location.
 */
int fl_apps_decide_create(const fl_cmd_ctx_t *ctx, const fl_app_values_t *cmd,
                          const fl_app_refs_t *refs, fl_decision_t *d);

/*
 * application.updated {id, changes: {field: {from, to}}} for the fields that
 * really change (none: no events, success); references checked only when
 * they change. expected: If-Match, or FL_LOG_ANY to expect s->version.
 * 404 unknown or deleted application.
 */
int fl_apps_decide_update(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                          const fl_app_values_t *cmd, const fl_app_refs_t *refs, fl_decision_t *d);

/* application.deleted {id, name, environments: [ids removed with it]}. 404 as update. */
int fl_apps_decide_delete(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                          fl_decision_t *d);

/*
 * application.environment_added {application_id, environment_id, <fields>}.
 * 409 naming name when a live environment of the application has the name
 * (ASCII case folded); 409 when it has FL_APPS_MAX_ENVS. *env_id: the new
 * id (in ctx->a).
 */
int fl_apps_decide_env_add(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                           const fl_app_values_t *cmd, const char **env_id, fl_decision_t *d);

/*
 * application.environment_updated {application_id, environment_id, changes}
 * (nothing when nothing changes); a new name is checked as on add.
 * application.environment_removed {application_id, environment_id, name}.
 * 404 unknown application or environment.
 */
int fl_apps_decide_env_update(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                              const char *env_id, const fl_app_values_t *cmd, fl_decision_t *d);
int fl_apps_decide_env_remove(const fl_cmd_ctx_t *ctx, const fl_app_state_t *s, int64_t expected,
                              const char *env_id, fl_decision_t *d);

/* -------------------------------------------------------------- responses */

/*
 * The application as the API shows it: id, app_id, the fields (tags and
 * metadata as JSON), health_score and health_score_updated_at (null until
 * health scores exist), environment_count, created_at, updated_at, version.
 * The environment: id, application_id, its fields, created_at, updated_at.
 * The caller owns the result.
 */
json_t *fl_app_to_json(const fl_app_state_t *s);
json_t *fl_app_env_to_json(const fl_app_state_t *s, const fl_app_env_t *e);

/* --------------------------------------------------------------- read side */

/* Handlers for every application.* event. */
extern const fl_proj_handler_t fl_apps_projections[];

#define FL_APPS_QUERY_MAX_PARAMS 12

/*
 * One statement: sql with params[0..nparams-1] (text, in the arena). Every
 * row has a column j holding the entity's JSON; a paged query's rows also
 * carry _total (meta.total), and a page past the end gives one row whose j
 * is NULL. page and per_page are 0 for an unpaged query.
 */
typedef struct fl_apps_query {
    const char *sql;
    const char *params[FL_APPS_QUERY_MAX_PARAMS];
    int nparams;
    long page;
    long per_page;
} fl_apps_query_t;

/*
 * GET /applications: page, per_page (1..100, default 25), sort (name,
 * app_id, tier, status, created_at, updated_at; default app_id), order
 * (asc|desc), status, tier, lifecycle_stage, criticality, owner (a user or
 * group id: owner_user_id, owner_group_id or support_group_id), tag (one
 * tag the application carries), q (substring of name, description or
 * app_id). Unknown or repeated parameters and bad values are 422 naming them.
 */
int fl_apps_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a, fl_apps_query_t *out,
                       fl_decision_t *d);

/*
 * GET /applications/{id}/environments: page, per_page, sort (name, type,
 * status, created_at; default name), order, type, status. The application
 * must have been checked first.
 */
int fl_apps_envs_query(const char *app_id, const fl_http_param_t *query, size_t n, fl_arena_t *a,
                       fl_apps_query_t *out, fl_decision_t *d);

/*
 * One live application by uuid or by number ("APP-00001"); one live
 * environment of an application. No row: 404.
 */
int fl_apps_get_query(const char *id_or_number, fl_arena_t *a, fl_apps_query_t *out);
int fl_apps_env_get_query(const char *app_id, const char *env_id, fl_arena_t *a,
                          fl_apps_query_t *out);

/* The JSON of row `row` (NULL for a page's padding row); every row; {data, meta}. */
json_t *fl_apps_row_to_json(const fl_store_res_t *r, int row);
json_t *fl_apps_page_to_json(const fl_store_res_t *r, const fl_apps_query_t *q);

#endif

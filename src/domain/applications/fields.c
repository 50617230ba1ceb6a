/*
 * The field tables of applications and environments (the spec's columns and
 * their CHECK value lists), and what every other file does with a value:
 * turn it into JSON, back into canonical text, compare and diff it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "firelater/err.h"
#include "internal.h"

static const char *const tiers[] = {"P1", "P2", "P3", "P4", NULL};
static const char *const app_statuses[] = {"active", "inactive", "deprecated", NULL};
static const char *const stages[] = {"development", "staging", "production", "sunset", NULL};
static const char *const criticalities[] = {"mission_critical", "business_critical",
                                            "business_operational", "administrative", NULL};
static const char *const env_types[] = {"dev", "test", "staging", "prod", NULL};
static const char *const providers[] = {"aws", "gcp", "azure", "on-prem", NULL};
static const char *const env_statuses[] = {"active", "inactive", NULL};

#define TEXT_COL "$?"
#define UUID_COL "$?::uuid"
#define JSON_COL "$?::jsonb"
#define TAGS_COL "ARRAY(SELECT jsonb_array_elements_text($?::jsonb))"

static const fl__app_field_t app_fields[FL_APP_F__N] = {
    [FL_APP_NAME] = {"name", FL__APP_LINE, 255, 0, NULL, NULL, NULL, true, false, TEXT_COL},
    [FL_APP_DESCRIPTION] = {"description", FL__APP_TEXT, 10000, 0, NULL, NULL, NULL, false, true,
                            TEXT_COL},
    [FL_APP_TIER] = {"tier", FL__APP_ENUM, 0, 0, tiers, "must be P1, P2, P3 or P4", NULL, true,
                     false, TEXT_COL},
    [FL_APP_STATUS] = {"status", FL__APP_ENUM, 0, 0, app_statuses,
                       "must be active, inactive or deprecated", "active", false, false, TEXT_COL},
    [FL_APP_LIFECYCLE_STAGE] = {"lifecycle_stage", FL__APP_ENUM, 0, 0, stages,
                                "must be development, staging, production or sunset", "production",
                                false, false, TEXT_COL},
    [FL_APP_OWNER_USER_ID] = {"owner_user_id", FL__APP_UUID, 0, 0, NULL, NULL, NULL, false, true,
                              UUID_COL},
    [FL_APP_OWNER_GROUP_ID] = {"owner_group_id", FL__APP_UUID, 0, 0, NULL, NULL, NULL, false, true,
                               UUID_COL},
    [FL_APP_SUPPORT_GROUP_ID] = {"support_group_id", FL__APP_UUID, 0, 0, NULL, NULL, NULL, false,
                                 true, UUID_COL},
    [FL_APP_BUSINESS_UNIT] = {"business_unit", FL__APP_LINE, 255, 0, NULL, NULL, NULL, false, true,
                              TEXT_COL},
    [FL_APP_CRITICALITY] = {"criticality", FL__APP_ENUM, 0, 0, criticalities,
                            "must be mission_critical, business_critical, business_operational"
                            " or administrative",
                            NULL, false, true, TEXT_COL},
    [FL_APP_TAGS] = {"tags", FL__APP_LIST, 50, 100, NULL, NULL, "[]", false, false, TAGS_COL},
    [FL_APP_METADATA] = {"metadata", FL__APP_OBJECT, 0, 0, NULL, NULL, "{}", false, false,
                         JSON_COL},
};

static const fl__app_field_t env_fields[FL_ENV_F__N] = {
    [FL_ENV_NAME] = {"name", FL__APP_LINE, 100, 0, NULL, NULL, NULL, true, false, TEXT_COL},
    [FL_ENV_TYPE] = {"type", FL__APP_ENUM, 0, 0, env_types, "must be dev, test, staging or prod",
                     NULL, true, false, TEXT_COL},
    [FL_ENV_URL] = {"url", FL__APP_LINE, 2048, 0, NULL, NULL, NULL, false, true, TEXT_COL},
    [FL_ENV_CLOUD_PROVIDER] = {"cloud_provider", FL__APP_ENUM, 0, 0, providers,
                               "must be aws, gcp, azure or on-prem", NULL, false, true, TEXT_COL},
    [FL_ENV_CLOUD_ACCOUNT] = {"cloud_account", FL__APP_LINE, 255, 0, NULL, NULL, NULL, false, true,
                              TEXT_COL},
    [FL_ENV_CLOUD_REGION] = {"cloud_region", FL__APP_LINE, 50, 0, NULL, NULL, NULL, false, true,
                             TEXT_COL},
    [FL_ENV_RESOURCE_IDS] = {"resource_ids", FL__APP_LIST, 500, 255, NULL, NULL, "[]", false, false,
                             JSON_COL},
    [FL_ENV_STATUS] = {"status", FL__APP_ENUM, 0, 0, env_statuses, "must be active or inactive",
                       "active", false, false, TEXT_COL},
    [FL_ENV_METADATA] = {"metadata", FL__APP_OBJECT, 0, 0, NULL, NULL, "{}", false, false,
                         JSON_COL},
};

const fl__app_table_t fl__app_table = {app_fields, FL_APP_F__N};
const fl__app_table_t fl__env_table = {env_fields, FL_ENV_F__N};

const char *fl_app_field_name(int field)
{
    return field >= 0 && field < FL_APP_F__N ? app_fields[field].name : "";
}

const char *fl_env_field_name(int field)
{
    return field >= 0 && field < FL_ENV_F__N ? env_fields[field].name : "";
}

json_t *fl__app_value_json(const fl__app_field_t *f, const char *text)
{
    json_t *j;

    if (text == NULL)
        return json_null();
    if (f->kind != FL__APP_LIST && f->kind != FL__APP_OBJECT)
        return json_string(text);
    j = json_loads(text, 0, NULL);
    return j != NULL ? j : json_null();
}

int fl__app_value_text(fl_arena_t *a, const json_t *v, const char **out)
{
    char *dump;

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_string(v)) {
        *out = fl_arena_strndup(a, json_string_value(v), json_string_length(v));
        return *out == NULL ? FL_ETOOBIG : 0;
    }
    dump = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (dump == NULL)
        return FL_ETOOBIG;
    *out = fl_arena_strndup(a, dump, strlen(dump));
    free(dump);
    return *out == NULL ? FL_ETOOBIG : 0;
}

bool fl__app_same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

void fl__app_put_values(json_t *obj, const fl__app_table_t *t, const char *const *v)
{
    for (int i = 0; i < t->n; i++)
        json_object_set_new(obj, t->f[i].name, fl__app_value_json(&t->f[i], v[i]));
}

json_t *fl__app_changes(const fl__app_table_t *t, const char *const *v, const fl_app_values_t *cmd)
{
    json_t *changes = json_object();

    for (int i = 0; i < t->n; i++) {
        if (!(cmd->set & (1u << i)) || fl__app_same(v[i], cmd->v[i]))
            continue;
        json_object_set_new(changes, t->f[i].name,
                            json_pack("{s:o,s:o}", "from", fl__app_value_json(&t->f[i], v[i]), "to",
                                      fl__app_value_json(&t->f[i], cmd->v[i])));
    }
    return changes;
}

int fl__app_set_values(fl_arena_t *a, const fl__app_table_t *t, const char **v, const json_t *data,
                       bool from_changes)
{
    int rc = 0;

    for (int i = 0; i < t->n && rc == 0; i++) {
        const json_t *x = json_object_get(data, t->f[i].name);
        if (from_changes && x == NULL)
            continue;
        rc = fl__app_value_text(a, from_changes ? json_object_get(x, "to") : x, &v[i]);
    }
    return rc;
}

char *fl_apps_stream(fl_arena_t *a, const char *app_id)
{
    return fl_arena_concat(a, "application:", app_id);
}

const fl_app_env_t *fl_app_env_find(const fl_app_state_t *s, const char *env_id)
{
    for (size_t i = 0; env_id != NULL && i < s->n_envs; i++) {
        if (strcasecmp(s->envs[i].id, env_id) == 0)
            return &s->envs[i];
    }
    return NULL;
}

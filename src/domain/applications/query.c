/*
 * The read queries: GET /applications, GET /applications/{id}, and an
 * application's environments. Query parameters -> one SQL statement; every
 * value is a parameter, and the only words that reach the SQL text come
 * from the tables below. Each row's JSON is built by PostgreSQL (column j),
 * with the same members fl_app_to_json gives. A paged statement counts the
 * matches (meta.total) and joins the page to the count, so a page past the
 * end still returns the total (one row whose j is NULL).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "firelater/err.h"
#include "internal.h"

#define APP_JSON                                                                                   \
    "json_build_object('id', a.id, 'app_id', a.app_id, 'name', a.name, 'description',"             \
    " a.description, 'tier', a.tier, 'status', a.status, 'lifecycle_stage', a.lifecycle_stage,"    \
    " 'owner_user_id', a.owner_user_id, 'owner_group_id', a.owner_group_id,"                       \
    " 'support_group_id', a.support_group_id, 'business_unit', a.business_unit,"                   \
    " 'criticality', a.criticality, 'tags', to_json(a.tags), 'metadata', a.metadata,"              \
    " 'health_score', a.health_score, 'health_score_updated_at', " FL__APPS_TS(                    \
        "a.health_score_updated_at") ", 'environment_count', (SELECT count(*) FROM environments"   \
                                     " e WHERE e.application_id = a.id AND e.deleted_at IS NULL)," \
                                     " 'created_at', " FL__APPS_TS(                                \
                                         "a.created_at") ","                                       \
                                                         " 'updated_at', " FL__APPS_TS(            \
                                                             "a.updated_at") ","                   \
                                                                             " 'version', "        \
                                                                             "a.version)::text "   \
                                                                             "AS j"

#define ENV_JSON                                                                                   \
    "json_build_object('id', a.id, 'application_id', a.application_id, 'name', a.name, 'type',"    \
    " a.type, 'url', a.url, 'cloud_provider', a.cloud_provider, 'cloud_account',"                  \
    " a.cloud_account, 'cloud_region', a.cloud_region, 'resource_ids', a.resource_ids,"            \
    " 'status', a.status, 'metadata', a.metadata, 'created_at', " FL__APPS_TS(                     \
        "a.created_at") ", 'updated_at', " FL__APPS_TS("a.updated_at") ")::text AS j"

#define PAGE_MAX 1000000L

/* A filter: a parameter, the WHERE term it adds ($? is its value) and how it is checked. */
typedef struct filter {
    const char *name;
    const char *term;
    int field; /* >= 0: an ENUM field of the spec's table; -1 uuid; -2 text */
} filter_t;

typedef struct sort {
    const char *name;
    const char *expr;
} sort_t;

typedef struct spec {
    const char *from; /* a FROM item aliased a */
    const char *base; /* WHERE term always applied ($1 may be the parent's id) */
    const char *json; /* the j column */
    const fl__app_table_t *table;
    const sort_t *sorts;
    size_t n_sorts;
    const char *sorts_msg;
    const filter_t *filters;
    size_t n_filters;
} spec_t;

static const sort_t app_sorts[] = {
    {"app_id", "lpad(a.app_id, 32, '0')"}, /* APP-99999 before APP-100000 */
    {"name", "a.name"},
    {"tier", "a.tier"},
    {"status", "a.status"},
    {"created_at", "a.created_at"},
    {"updated_at", "a.updated_at"},
};

static const filter_t app_filters[] = {
    {"status", "a.status = $?", FL_APP_STATUS},
    {"tier", "a.tier = $?", FL_APP_TIER},
    {"lifecycle_stage", "a.lifecycle_stage = $?", FL_APP_LIFECYCLE_STAGE},
    {"criticality", "a.criticality = $?", FL_APP_CRITICALITY},
    {"owner", "$?::uuid IN (a.owner_user_id, a.owner_group_id, a.support_group_id)", -1},
    {"owner_user_id", "a.owner_user_id = $?::uuid", -1},
    {"owner_group_id", "a.owner_group_id = $?::uuid", -1},
    {"support_group_id", "a.support_group_id = $?::uuid", -1},
    {"tag", "a.tags @> ARRAY[$?::text]", -2},
    {"q",
     "strpos(lower(a.name || ' ' || coalesce(a.description, '') || ' ' || a.app_id), lower($?))"
     " > 0",
     -2},
};

static const spec_t app_spec = {
    .from = "applications a",
    .base = "a.deleted_at IS NULL",
    .json = APP_JSON,
    .table = &fl__app_table,
    .sorts = app_sorts,
    .n_sorts = sizeof(app_sorts) / sizeof(app_sorts[0]),
    .sorts_msg = "must be one of app_id, name, tier, status, created_at, updated_at",
    .filters = app_filters,
    .n_filters = sizeof(app_filters) / sizeof(app_filters[0]),
};

static const sort_t env_sorts[] = {
    {"name", "a.name"},
    {"type", "a.type"},
    {"status", "a.status"},
    {"created_at", "a.created_at"},
};

static const filter_t env_filters[] = {
    {"type", "a.type = $?", FL_ENV_TYPE},
    {"status", "a.status = $?", FL_ENV_STATUS},
};

static const spec_t env_spec = {
    .from = "environments a",
    .base = "a.application_id = $1::uuid AND a.deleted_at IS NULL",
    .json = ENV_JSON,
    .table = &fl__env_table,
    .sorts = env_sorts,
    .n_sorts = sizeof(env_sorts) / sizeof(env_sorts[0]),
    .sorts_msg = "must be one of name, type, status, created_at",
    .filters = env_filters,
    .n_filters = sizeof(env_filters) / sizeof(env_filters[0]),
};

/* A statement being built. */
typedef struct qb {
    char sql[6144];
    size_t len;
    char where[1024];
    size_t wlen;
    const sort_t *sort;
    bool desc;
    bool seen[16];
} qb_t;

static int find(const char *name, const char *const *names, size_t stride, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(name, *(const char *const *)((const char *)names + i * stride)) == 0)
            return (int)i;
    }
    return -1;
}

/* Why a filter's value is refused, or NULL. */
static const char *filter_problem(const spec_t *s, const filter_t *f, const char *v)
{
    const fl__app_field_t *field = f->field >= 0 ? &s->table->f[f->field] : NULL;

    if (field != NULL) {
        for (const char *const *e = field->values; *e != NULL; e++) {
            if (strcmp(*e, v) == 0)
                return NULL;
        }
        return field->msg;
    }
    if (f->field == -1)
        return fl_uuid_is_valid(v) ? NULL : "must be a UUID";
    return *v == '\0' || strlen(v) > 255 ? "must be 1 to 255 bytes" : NULL;
}

/* Adds f's WHERE term with v as the next parameter. */
static void add_filter(qb_t *b, fl_apps_query_t *out, const filter_t *f, const char *v)
{
    const char *q = strstr(f->term, "$?");

    fl_assert(q != NULL && out->nparams < FL_APPS_QUERY_MAX_PARAMS - 2);
    out->params[out->nparams++] = v;
    fl_sql_and(b->where, &b->wlen, sizeof(b->where), f->term, out->nparams);
}

static const char *paging_param(qb_t *b, const spec_t *s, fl_apps_query_t *out, const char *name,
                                const char *v)
{
    int i;

    if (strcmp(name, "page") == 0)
        return fl_param_count(v, PAGE_MAX, &out->page);
    if (strcmp(name, "per_page") == 0)
        return fl_param_count(v, 100, &out->per_page);
    if (strcmp(name, "order") == 0) {
        b->desc = strcmp(v, "desc") == 0;
        return b->desc || strcmp(v, "asc") == 0 ? NULL : "must be asc or desc";
    }
    i = find(v, &s->sorts[0].name, sizeof(sort_t), s->n_sorts);
    b->sort = i >= 0 ? &s->sorts[i] : b->sort;
    return i >= 0 ? NULL : s->sorts_msg;
}

static const char *const paging[] = {"page", "per_page", "sort", "order"};

/* One parameter: checked, recorded; a problem is collected into d naming it. */
static void one_param(qb_t *b, const spec_t *s, fl_apps_query_t *out, const fl_http_param_t *p,
                      fl_arena_t *a, fl_decision_t *d)
{
    int pg = find(p->name, paging, sizeof(paging[0]), 4);
    int fi = pg >= 0 ? -1 : find(p->name, &s->filters[0].name, sizeof(filter_t), s->n_filters);
    int slot = pg >= 0 ? pg : 4 + fi;
    const char *why;

    if (pg < 0 && fi < 0) {
        const char *copy = fl_arena_strndup(a, p->name, strnlen(p->name, 200));
        fl_decision_field(d, copy != NULL ? copy : "?", "is not a known parameter");
        return;
    }
    const char *name = pg >= 0 ? paging[pg] : s->filters[fi].name;
    if (b->seen[slot]) {
        fl_decision_field(d, name, "must be given once");
        return;
    }
    b->seen[slot] = true;
    why = pg >= 0 ? paging_param(b, s, out, name, p->value)
                  : filter_problem(s, &s->filters[fi], p->value);
    if (why != NULL)
        fl_decision_field(d, name, why);
    else if (fi >= 0)
        add_filter(b, out, &s->filters[fi], p->value);
}

/* parent: the $1 of the spec's base, or NULL. */
static int paged(const spec_t *s, const char *parent, const fl_http_param_t *query, size_t n,
                 fl_arena_t *a, fl_apps_query_t *out, fl_decision_t *d)
{
    qb_t *b = fl_arena_alloc(a, sizeof(*b));

    memset(out, 0, sizeof(*out));
    if (b == NULL)
        return FL_ETOOBIG;
    memset(b, 0, sizeof(*b));
    b->sort = &s->sorts[0];
    out->page = 1;
    out->per_page = 25;
    if (parent != NULL)
        out->params[out->nparams++] = parent;
    for (size_t i = 0; i < n; i++)
        one_param(b, s, out, &query[i], a, d);
    if (fl_decision_failed(d))
        return FL_EINVAL;
    if (fl_sql_page_params(a, out->page, out->per_page, out->params, &out->nparams) < 0)
        return FL_ETOOBIG;
    fl_sql_page(b->sql, &b->len, sizeof(b->sql),
                &(fl_sql_page_t){.json = s->json,
                                 .from = s->from,
                                 .base = s->base,
                                 .where = b->where,
                                 .sort = b->sort->expr,
                                 .desc = b->desc,
                                 .nulls_last = true,
                                 .limit = out->nparams - 1});
    out->sql = fl_arena_strndup(a, b->sql, b->len);
    for (int i = 0; i < out->nparams; i++) {
        if (out->params[i] == NULL)
            return FL_ETOOBIG;
    }
    return out->sql == NULL ? FL_ETOOBIG : 0;
}

int fl_apps_list_query(const fl_http_param_t *query, size_t n, fl_arena_t *a, fl_apps_query_t *out,
                       fl_decision_t *d)
{
    return paged(&app_spec, NULL, query, n, a, out, d);
}

int fl_apps_envs_query(const char *app_id, const fl_http_param_t *query, size_t n, fl_arena_t *a,
                       fl_apps_query_t *out, fl_decision_t *d)
{
    if (!fl_uuid_is_valid(app_id))
        return fl_decision_refuse(d, 404, "application not found", NULL, NULL);
    return paged(&env_spec, app_id, query, n, a, out, d);
}

/* An application number: "APP-" (any case) and 1 to 20 digits; *out upper-cased. */
static bool is_number(fl_arena_t *a, const char *s, const char **out)
{
    size_t len = strlen(s), digits;
    char *copy;

    if (len < 5 || len > 24 || strncasecmp(s, "APP-", 4) != 0)
        return false;
    digits = strspn(s + 4, "0123456789");
    if (digits != len - 4 || (copy = fl_arena_strndup(a, s, len)) == NULL)
        return false;
    memcpy(copy, "APP-", 4);
    *out = copy;
    return true;
}

int fl_apps_get_query(const char *id_or_number, fl_arena_t *a, fl_apps_query_t *out)
{
    const char *number = NULL;

    memset(out, 0, sizeof(*out));
    out->nparams = 1;
    if (fl_uuid_is_valid(id_or_number)) {
        out->sql = "SELECT " APP_JSON " FROM applications a"
                   " WHERE a.id = $1::uuid AND a.deleted_at IS NULL";
        out->params[0] = id_or_number;
        return 0;
    }
    if (!is_number(a, id_or_number, &number))
        return FL_EINVAL;
    out->sql =
        "SELECT " APP_JSON " FROM applications a WHERE a.app_id = $1 AND a.deleted_at IS NULL";
    out->params[0] = number;
    return 0;
}

int fl_apps_env_get_query(const char *app_id, const char *env_id, fl_arena_t *a,
                          fl_apps_query_t *out)
{
    (void)a;
    memset(out, 0, sizeof(*out));
    if (!fl_uuid_is_valid(app_id) || !fl_uuid_is_valid(env_id))
        return FL_EINVAL;
    out->sql = "SELECT " ENV_JSON " FROM environments a WHERE a.id = $2::uuid"
               " AND a.application_id = $1::uuid AND a.deleted_at IS NULL";
    out->params[0] = app_id;
    out->params[1] = env_id;
    out->nparams = 2;
    return 0;
}

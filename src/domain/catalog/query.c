/*
 * The read queries of items and bundles: query parameters -> one paged SQL
 * statement. Every value is a parameter; the only words that reach the SQL
 * come from the tables below. A row's JSON is the table's row (to_jsonb, so
 * the members are the spec's columns) with times in the API's format. A
 * caller who may not manage the catalog (viewer set) sees only what it may
 * request: active entries, and items visible to everyone or to one of the
 * viewer's groups (a member of a group is a member of its ancestors), in no
 * category or in a visible one (every category up to its root active).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define ITEM_JSON                                                                                  \
    "(to_jsonb(i) - 'source_id' || jsonb_build_object('created_at', " FL__CAT_TS(                  \
        "i.created_at") ", 'updated_at', " FL__CAT_TS("i.updated_at") "))"

#define BUNDLE_LINES                                                                               \
    " FROM catalog_bundle_items bi JOIN catalog_items it ON it.id = bi.item_id"                    \
    " WHERE bi.bundle_id = i.id"

#define BUNDLE_JSON                                                                                \
    "(to_jsonb(i) - 'deleted_at' || jsonb_build_object('created_at', " FL__CAT_TS(                 \
        "i.created_at") ", 'updated_at', " FL__CAT_TS("i.updated_at") ", 'items', (SELECT "        \
                                                                      "coalesce(jsonb_agg("        \
                                                                      "jsonb_build_object('item_"  \
                                                                      "id', bi.item_id, "          \
                                                                      "'quantity', bi.quantity, "  \
                                                                      "'sort_order',"              \
                                                                      " bi.sort_order, 'name', "   \
                                                                      "it.name, 'cost', it.cost) " \
                                                                      "ORDER BY bi.sort_order, "   \
                                                                      "bi.item_id),"               \
                                                                      " '[]')" BUNDLE_LINES        \
                                                                      "), 'total_cost', (SELECT "  \
                                                                      "round(coalesce(sum(it."     \
                                                                      "cost * bi.quantity),"       \
                                                                      " 0) * (100 - "              \
                                                                      "coalesce(i.discount_"       \
                                                                      "percent, 0)) / 100, "       \
                                                                      "2)" BUNDLE_LINES ")))"

/* The viewer's groups and their ancestors (p: the parameter of the viewer's id). */
#define VIEWER_GROUPS(p)                                                                           \
    "ARRAY(WITH RECURSIVE g AS (SELECT m.group_id AS id FROM group_members m JOIN groups x ON"     \
    " x.id = m.group_id WHERE m.user_id = " p "::uuid AND x.deleted_at IS NULL UNION SELECT"       \
    " p.parent_id FROM groups p JOIN g ON p.id = g.id WHERE p.parent_id IS NOT NULL)"              \
    " SELECT id FROM g)"

#define VISIBLE_CATEGORIES                                                                         \
    "(WITH RECURSIVE v AS (SELECT c.id FROM catalog_categories c WHERE c.parent_id IS NULL AND"    \
    " c.deleted_at IS NULL AND c.status = 'active' UNION SELECT c.id FROM catalog_categories c"    \
    " JOIN v ON c.parent_id = v.id WHERE c.deleted_at IS NULL AND c.status = 'active')"            \
    " SELECT id FROM v)"

#define SUBTREE                                                                                    \
    "i.category_id IN (WITH RECURSIVE s AS (SELECT $?::uuid AS id UNION SELECT c.id FROM"          \
    " catalog_categories c JOIN s ON c.parent_id = s.id WHERE c.deleted_at IS NULL)"               \
    " SELECT id FROM s)"

typedef enum check { CHK_UUID, CHK_TEXT, CHK_ITEM_STATUS, CHK_BUNDLE_STATUS } check_t;

typedef struct param {
    const char *name;
    const char *term; /* $? is the value */
    check_t check;
} param_t;

typedef struct spec {
    const char *table, *json, *base, *viewer_term;
    const param_t *filters;
    size_t n_filters;
    const char *const *sorts; /* name, expression, name, expression, ..., NULL */
} spec_t;

static const param_t item_filters[] = {
    {"category_id", SUBTREE, CHK_UUID},
    {"status", "i.status = $?", CHK_ITEM_STATUS},
    {"q", "strpos(lower(i.name), lower($?)) > 0", CHK_TEXT},
    {"tag", "i.tags @> ARRAY[$?::text]", CHK_TEXT},
};

static const char *const item_sorts[] = {
    "sort_order", "i.sort_order", "name", "lower(i.name)", "created_at", "i.created_at",
    "updated_at", "i.updated_at", "cost", "i.cost",        NULL,
};

static const spec_t item_spec = {
    "catalog_items i",
    ITEM_JSON,
    "true",
    "i.status = 'active' AND (i.visible_to_groups IS NULL OR i.visible_to_groups && " VIEWER_GROUPS(
        "$?") ") AND (i.category_id IS NULL OR i.category_id IN " VISIBLE_CATEGORIES ")",
    item_filters,
    sizeof(item_filters) / sizeof(item_filters[0]),
    item_sorts,
};

static const param_t bundle_filters[] = {
    {"status", "i.status = $?", CHK_BUNDLE_STATUS},
    {"q", "strpos(lower(i.name), lower($?)) > 0", CHK_TEXT},
};

static const char *const bundle_sorts[] = {
    "name", "lower(i.name)", "created_at", "i.created_at", "updated_at", "i.updated_at", NULL,
};

static const spec_t bundle_spec = {
    "catalog_bundles i",    BUNDLE_JSON,
    "i.deleted_at IS NULL", "i.status = 'active' AND $?::uuid IS NOT NULL",
    bundle_filters,         sizeof(bundle_filters) / sizeof(bundle_filters[0]),
    bundle_sorts,
};

/* A statement being built: the WHERE terms, then the whole text. */
typedef struct qb {
    char where[4096], sql[12288];
    size_t wlen, len;
    fl_cat_query_t *out;
    const char *sort; /* expression */
    bool desc;
    unsigned seen;
} qb_t;

__attribute__((format(printf, 4, 5))) static void add(char *buf, size_t cap, size_t *len,
                                                      const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    fl_assert(n >= 0 && *len + (size_t)n < cap); /* the words are all ours */
    *len += (size_t)n;
}

/* " AND term" with each $? the next parameter, value. */
static void where(qb_t *b, const char *term, const char *value)
{
    const char *q;

    fl_assert(b->out->nparams < FL_CAT_QUERY_MAX_PARAMS - 2);
    b->out->params[b->out->nparams++] = value;
    add(b->where, sizeof(b->where), &b->wlen, " AND ");
    while ((q = strstr(term, "$?")) != NULL) {
        add(b->where, sizeof(b->where), &b->wlen, "%.*s$%d", (int)(q - term), term,
            b->out->nparams);
        term = q + 2;
    }
    add(b->where, sizeof(b->where), &b->wlen, "%s", term);
}

static const char *check(check_t c, const char *v)
{
    static const char *const items[] = {"draft", "active", "retired"};
    static const char *const bundles[] = {"active", "inactive"};

    if (c == CHK_UUID)
        return fl_uuid_is_valid(v) ? NULL : "must be a UUID";
    if (c == CHK_TEXT)
        return *v == '\0' || strlen(v) > 255 ? "must be 1 to 255 bytes" : NULL;
    for (int i = 0; c == CHK_ITEM_STATUS && i < 3; i++) {
        if (strcmp(v, items[i]) == 0)
            return NULL;
    }
    for (int i = 0; c == CHK_BUNDLE_STATUS && i < 2; i++) {
        if (strcmp(v, bundles[i]) == 0)
            return NULL;
    }
    return c == CHK_ITEM_STATUS ? "must be one of draft, active, retired"
                                : "must be one of active, inactive";
}

/* page, per_page, sort, order: NULL when name is none of them (*why unset) */
static bool paging(qb_t *b, const spec_t *s, const char *name, const char *v, const char **why)
{
    if (strcmp(name, "page") == 0)
        *why = fl_param_count(v, 1000000, &b->out->page);
    else if (strcmp(name, "per_page") == 0)
        *why = fl_param_count(v, 100, &b->out->per_page);
    else if (strcmp(name, "order") == 0) {
        b->desc = strcmp(v, "desc") == 0;
        *why = b->desc || strcmp(v, "asc") == 0 ? NULL : "must be asc or desc";
    } else if (strcmp(name, "sort") == 0) {
        *why = "is not a sortable field";
        for (int i = 0; s->sorts[i] != NULL; i += 2) {
            if (strcmp(s->sorts[i], v) == 0) {
                b->sort = s->sorts[i + 1];
                *why = NULL;
            }
        }
    } else
        return false;
    return true;
}

static void one(qb_t *b, const spec_t *s, const fl_http_param_t *p, fl_arena_t *a, fl_decision_t *d)
{
    static const char *const pages[] = {"page", "per_page", "sort", "order"};
    const char *why = NULL, *name = NULL;
    int slot = -1;

    for (int i = 0; i < 4; i++)
        slot = strcmp(p->name, pages[i]) == 0 ? i : slot;
    for (size_t i = 0; slot < 0 && i < s->n_filters; i++)
        slot = strcmp(p->name, s->filters[i].name) == 0 ? 4 + (int)i : slot;
    if (slot < 0) {
        name = fl_arena_strndup(a, p->name, strnlen(p->name, 200));
        fl_decision_field(d, name != NULL ? name : "?", "is not a known parameter");
        return;
    }
    name = slot < 4 ? pages[slot] : s->filters[slot - 4].name;
    if (b->seen & (1u << slot)) {
        fl_decision_field(d, name, "must be given once");
        return;
    }
    b->seen |= 1u << slot;
    if (!paging(b, s, name, p->value, &why) &&
        (why = check(s->filters[slot - 4].check, p->value)) == NULL)
        where(b, s->filters[slot - 4].term, p->value);
    if (why != NULL)
        fl_decision_field(d, name, why);
}

static char *num(fl_arena_t *a, long v)
{
    char buf[24];

    snprintf(buf, sizeof(buf), "%ld", v);
    return fl_arena_strndup(a, buf, strlen(buf));
}

static int paged(const spec_t *s, const fl_http_param_t *query, size_t n, const char *viewer,
                 fl_arena_t *a, fl_cat_query_t *out, fl_decision_t *d)
{
    qb_t *b = fl_arena_alloc(a, sizeof(*b));

    memset(out, 0, sizeof(*out));
    if (b == NULL)
        return FL_ETOOBIG;
    memset(b, 0, sizeof(*b));
    *out = (fl_cat_query_t){.page = 1, .per_page = 25};
    b->out = out;
    b->sort = s->sorts[1];
    if (viewer != NULL)
        where(b, s->viewer_term, viewer);
    for (size_t i = 0; i < n; i++)
        one(b, s, &query[i], a, d);
    if (fl_decision_failed(d))
        return FL_EINVAL;
    const char *dir = b->desc ? "DESC" : "ASC";
    int lim = out->nparams + 1, off = out->nparams + 2;
    add(b->sql, sizeof(b->sql), &b->len,
        "SELECT c._total, p.j FROM (SELECT count(*) AS _total FROM %s WHERE %s%s) c LEFT JOIN"
        " LATERAL (SELECT %s::text AS j, %s AS _k, i.id AS _id FROM %s WHERE %s%s ORDER BY %s %s"
        " NULLS LAST, i.id %s LIMIT $%d OFFSET $%d) p ON true ORDER BY p._k %s NULLS LAST,"
        " p._id %s",
        s->table, s->base, b->where, s->json, b->sort, s->table, s->base, b->where, b->sort, dir,
        dir, lim, off, dir, dir);
    out->params[out->nparams++] = num(a, out->per_page);
    out->params[out->nparams++] = num(a, (out->page - 1) * out->per_page);
    out->sql = fl_arena_strndup(a, b->sql, b->len);
    return out->sql == NULL || out->params[lim - 1] == NULL || out->params[off - 1] == NULL
               ? FL_ETOOBIG
               : 0;
}

int fl_cat_items_query(const fl_http_param_t *query, size_t n, const char *viewer, fl_arena_t *a,
                       fl_cat_query_t *out, fl_decision_t *d)
{
    return paged(&item_spec, query, n, viewer, a, out, d);
}

int fl_cat_bundles_query(const fl_http_param_t *query, size_t n, const char *viewer, fl_arena_t *a,
                         fl_cat_query_t *out, fl_decision_t *d)
{
    return paged(&bundle_spec, query, n, viewer, a, out, d);
}

int fl_cat_item_get_query(const char *id, const char *viewer, int form_version, fl_arena_t *a,
                          fl_cat_query_t *out)
{
    memset(out, 0, sizeof(*out));
    if (id == NULL || !fl_uuid_is_valid(id))
        return FL_EINVAL;
    out->params[0] = id;
    out->params[1] = viewer;
    out->params[2] = form_version > 0 ? num(a, form_version) : NULL;
    out->nparams = 3;
    out->sql = "SELECT (" ITEM_JSON " || coalesce((SELECT jsonb_build_object('form_schema',"
               " v.form_schema, 'form_version', v.version) FROM catalog_item_form_versions v"
               " WHERE v.item_id = i.id AND v.version = $3::int), '{}'))::text AS j,"
               " $3::int IS NOT NULL AND NOT EXISTS (SELECT 1 FROM catalog_item_form_versions v"
               " WHERE v.item_id = i.id AND v.version = $3::int) AS no_version"
               " FROM catalog_items i WHERE i.id = $1::uuid AND ($2::uuid IS NULL OR ("
               "i.status = 'active' AND (i.visible_to_groups IS NULL OR i.visible_to_groups "
               "&& " VIEWER_GROUPS("$2") ") AND (i.category_id IS NULL OR"
                                         " i.category_id IN " VISIBLE_CATEGORIES ")))";
    return 0;
}

int fl_cat_bundle_get_query(const char *id, const char *viewer, fl_cat_query_t *out)
{
    memset(out, 0, sizeof(*out));
    if (id == NULL || !fl_uuid_is_valid(id))
        return FL_EINVAL;
    out->params[0] = id;
    out->params[1] = viewer;
    out->nparams = 2;
    out->sql = "SELECT " BUNDLE_JSON "::text AS j FROM catalog_bundles i WHERE i.id = $1::uuid"
               " AND i.deleted_at IS NULL AND ($2::uuid IS NULL OR i.status = 'active')";
    return 0;
}

/*
 * The registry as a fold of the platform log: one tenant from its stream, or
 * every tenant from a scan of the whole log.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/log.h"
#include "firelater/tenant.h"
#include "internal.h"

/* A copy of a JSON string member, "" when it is absent or not a string. */
static int member_dup(fl_arena_t *a, const json_t *data, const char *key, const char **out)
{
    const char *s = json_string_value(json_object_get(data, key));

    if (s == NULL)
        s = "";
    *out = fl_arena_strndup(a, s, strlen(s));
    return *out != NULL ? 0 : FL_ETOOBIG;
}

/*
 * Event types this fold does not know are skipped, not refused, so that a
 * later version may add lifecycle events that older tools still read.
 */
int fl__tenant_apply(fl_tenant_t *t, fl_arena_t *a, const fl_event_t *ev)
{
    json_t *data = NULL;
    int rc = 0;

    if (ev->data_len > 0) {
        rc = fl_codec_to_json(ev->data, ev->data_len, &data);
        if (rc < 0)
            return rc;
    }
    if (strcmp(ev->type, "tenant.created") == 0) {
        rc = member_dup(a, data, "name", &t->name);
        t->status = FL_TENANT_ACTIVE;
        t->created_at = ev->ts;
    } else if (strcmp(ev->type, "tenant.suspended") == 0) {
        rc = member_dup(a, data, "reason", &t->reason);
        t->status = FL_TENANT_SUSPENDED;
    } else if (strcmp(ev->type, "tenant.resumed") == 0) {
        rc = member_dup(a, data, "reason", &t->reason);
        t->status = FL_TENANT_ACTIVE;
    }
    t->updated_at = ev->ts;
    t->version = ev->sv;
    json_decref(data);
    return rc;
}

static void tenant_init(fl_tenant_t *t, const char *slug)
{
    memset(t, 0, sizeof(*t));
    t->slug = slug;
    t->name = "";
    t->reason = "";
}

int fl_tenant_get(fl_log_t *platform, const char *slug, fl_arena_t *a, fl_tenant_t *out)
{
    char stream[FL_TENANT_SLUG_MAX + sizeof(FL__TENANT_STREAM_PREFIX)];
    fl_log_query_t q = {0};
    fl_log_cursor_t *c;
    fl_event_t ev;
    int rc;

    rc = fl__tenant_stream(slug, stream, sizeof(stream));
    if (rc < 0)
        return rc;
    q.stream = stream;
    rc = fl_log_cursor_open(platform, &q, &c);
    if (rc < 0)
        return rc;
    tenant_init(out, fl_arena_strndup(a, slug, strlen(slug)));
    if (out->slug == NULL)
        rc = FL_ETOOBIG;
    while (rc == 0 && (rc = fl_log_cursor_next(c, a, &ev)) == 1)
        rc = fl__tenant_apply(out, a, &ev);
    fl_log_cursor_close(c);
    if (rc < 0)
        return rc;
    /* A stream without tenant.created is not a tenant, whatever else it holds. */
    return out->status != 0 ? 0 : FL_ENOTFOUND;
}

/* The platform log's events that belong to tenants, collected to be sorted. */
typedef struct event_vec {
    fl_event_t *v;
    size_t n, cap;
} event_vec_t;

static int vec_push(fl_arena_t *a, event_vec_t *vec, const fl_event_t *ev)
{
    fl_event_t *grown;

    if (vec->n == vec->cap) {
        size_t cap = vec->cap != 0 ? vec->cap * 2 : 64;
        grown = fl_arena_alloc(a, cap * sizeof(*grown));
        if (grown == NULL)
            return FL_ETOOBIG;
        if (vec->n > 0)
            memcpy(grown, vec->v, vec->n * sizeof(*grown));
        vec->v = grown;
        vec->cap = cap;
    }
    vec->v[vec->n++] = *ev;
    return 0;
}

static int by_stream_then_pos(const void *pa, const void *pb)
{
    const fl_event_t *a = pa, *b = pb;
    int c = strcmp(a->stream, b->stream);

    if (c != 0)
        return c;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static int collect(fl_log_t *platform, fl_arena_t *a, event_vec_t *vec)
{
    size_t plen = strlen(FL__TENANT_STREAM_PREFIX);
    fl_log_query_t q = {0};
    fl_log_cursor_t *c;
    fl_event_t ev;
    int rc;

    rc = fl_log_cursor_open(platform, &q, &c);
    if (rc < 0)
        return rc;
    while ((rc = fl_log_cursor_next(c, a, &ev)) == 1) {
        if (strncmp(ev.stream, FL__TENANT_STREAM_PREFIX, plen) != 0)
            continue;
        if (!fl_tenant_slug_is_valid(ev.stream + plen))
            continue;
        rc = vec_push(a, vec, &ev);
        if (rc < 0)
            break;
    }
    fl_log_cursor_close(c);
    return rc < 0 ? rc : 0;
}

/* Folds runs of one stream each into one tenant; vec is sorted by stream then position. */
static int fold_runs(fl_arena_t *a, const event_vec_t *vec, fl_tenant_t *out, size_t *n)
{
    size_t plen = strlen(FL__TENANT_STREAM_PREFIX);
    size_t i = 0;
    int rc = 0;

    *n = 0;
    while (i < vec->n && rc == 0) {
        fl_tenant_t *t = &out[*n];
        const char *stream = vec->v[i].stream;

        tenant_init(t, stream + plen);
        for (; i < vec->n && strcmp(vec->v[i].stream, stream) == 0 && rc == 0; i++)
            rc = fl__tenant_apply(t, a, &vec->v[i]);
        if (t->status != 0)
            (*n)++;
    }
    return rc;
}

int fl_tenant_list(fl_log_t *platform, fl_arena_t *a, fl_tenant_t **out, size_t *n)
{
    event_vec_t vec = {0};
    int rc;

    *out = NULL;
    *n = 0;
    rc = collect(platform, a, &vec);
    if (rc < 0 || vec.n == 0)
        return rc;
    qsort(vec.v, vec.n, sizeof(*vec.v), by_stream_then_pos);
    /* At most one tenant per event: an upper bound that needs no second pass. */
    *out = fl_arena_alloc(a, vec.n * sizeof(**out));
    if (*out == NULL)
        return FL_ETOOBIG;
    return fold_runs(a, &vec, *out, n);
}

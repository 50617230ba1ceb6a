/*
 * Read answers served from the projector's cache (fl_projector_cache_*):
 * a list read whose statement, values and rendering are those of an answer
 * kept since the read model last changed gets the same bytes without a
 * PostgreSQL round trip. The key is the tenant's (the cache is per tenant),
 * the statement and its values; the route's permission was checked before
 * the handler, and only reads that filter nothing by caller use this.
 *
 * While PostgreSQL is down nothing is served from the cache: reads answer
 * 503 as they would without it, rather than a model that cannot catch up.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "firelater/err.h"
#include "firelater/jsontext.h"

/* sql, NUL, then each value as "<length>:<bytes>" or "-" for NULL. */
static char *key_of(fl_arena_t *a, const char *sql, int nparams, const char *const *params,
                    size_t *len)
{
    size_t n = strlen(sql) + 1, off;
    char *k;

    for (int i = 0; i < nparams; i++)
        n += 24 + (params[i] != NULL ? strlen(params[i]) : 0);
    k = fl_arena_alloc(a, n);
    if (k == NULL)
        return NULL;
    off = strlen(sql) + 1;
    memcpy(k, sql, off);
    for (int i = 0; i < nparams; i++) {
        if (params[i] == NULL) {
            k[off++] = '-';
            continue;
        }
        size_t vl = strlen(params[i]);
        off += (size_t)snprintf(k + off, n - off, "%zu:", vl);
        memcpy(k + off, params[i], vl);
        off += vl;
    }
    *len = off;
    return k;
}

bool fl_srv_read_cached(fl_server_t *s, fl_http_req_t *req, fl_srv_tenant_t *t, const char *sql,
                        int nparams, const char *const *params, fl_srv_cached_read_t *cr)
{
    const void *body;
    size_t len;

    memset(cr, 0, sizeof(*cr));
    cr->s = s;
    cr->req = req;
    if (s->projector == NULL || s->store == NULL || !fl_store_is_up(s->store))
        return false;
    cr->key = key_of(&req->arena, sql, nparams, params, &cr->klen);
    if (cr->key == NULL)
        return false;
    cr->slug = t->slug;
    body = fl_projector_cache_get(s->projector, t->slug, cr->key, cr->klen, &len);
    if (body != NULL) {
        fl_http_respond(req, 200, "application/json", body, len);
        return true;
    }
    cr->ticket = fl_projector_cache_ticket(s->projector, t->slug);
    return false;
}

int fl_srv_read_respond(const fl_srv_cached_read_t *cr, json_t *body)
{
    fl_http_req_t *req = cr->req;
    size_t n = 0;
    char *text = fl_json_arena(&req->arena, body, 0, &n);

    fl_assert(text != NULL);
    json_decref(body);
    if (cr->ticket != 0)
        fl_projector_cache_put(cr->s->projector, cr->slug, cr->ticket, cr->key, cr->klen, text, n);
    return fl_http_respond(req, 200, "application/json", text, n);
}

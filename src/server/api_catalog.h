/*
 * What the catalog's endpoints share (api_catalog.c, api_catalog_items.c,
 * api_catalog_bundles.c). Private to src/server/.
 */
#ifndef FIRELATER_SERVER_API_CATALOG_H
#define FIRELATER_SERVER_API_CATALOG_H

#include "app.h"
#include "firelater/catalog.h"

/* True when p manages the catalog (catalog:update): sees drafts, retired and hidden ones. */
bool fl__cat_manager(const fl_principal_t *p);

/* Reads the body with fn: 0, FL_EINVAL (d says why) or 1 (the body could not be read: answered).
 * *v is the caller's to decref (NULL unless 0). */
typedef int (*fl__cat_decode_fn)(const json_t *, bool, fl_arena_t *, json_t **, fl_decision_t *);
int fl__cat_body(fl_http_req_t *req, fl__cat_decode_fn fn, bool create, json_t **v,
                 fl_decision_t *d);

/* If-Match and the live entity of {id} with type and its stream function: NULL after answering
 * 412 or 404 (missing). */
const void *fl__cat_target(fl_http_req_t *req, fl_principal_t *p, const fl_agg_type_t *type,
                           char *(*stream)(fl_arena_t *, const char *), const char *missing,
                           int64_t *expected);

/* A copy of the aggregate of id (NULL when id is not a uuid or on a log error). */
const void *fl__cat_load(fl_http_req_t *req, fl_srv_tenant_t *t, const fl_agg_type_t *type,
                         char *(*stream)(fl_arena_t *, const char *), const char *id);

/* A read: the query, run; on_rows answers from the rows. */
typedef struct fl__cat_read {
    fl_http_req_t *req;
    fl_cat_query_t q;
    const char *id;
    void (*on_rows)(struct fl__cat_read *r, fl_store_res_t *res);
} fl__cat_read_t;
fl__cat_read_t *fl__cat_read_new(fl_http_req_t *req,
                                 void (*on_rows)(fl__cat_read_t *, fl_store_res_t *));
int fl__cat_read_run(fl_server_t *s, fl_principal_t *p, fl__cat_read_t *r);
/* GET of a paged list (items, bundles) with the query builder fn: viewer is the caller unless
 * they manage the catalog. */
typedef int (*fl__cat_list_fn)(const fl_http_param_t *, size_t, const char *, fl_arena_t *,
                               fl_cat_query_t *, fl_decision_t *);
int fl__cat_list(fl_server_t *s, fl_http_req_t *req, fl_principal_t *p, fl__cat_list_fn fn);

#endif

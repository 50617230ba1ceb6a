/*
 * The tenants the server serves, kept in step with the platform log: flctl
 * creates, suspends and resumes tenants in another process, and a timer here
 * folds what it appended. A suspended tenant stays open (its projector
 * carries on) but its requests are refused with 403.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "firelater/catalog.h"
#include "firelater/err.h"
#include "firelater/tenant.h"

#define WATCH_MS         500
#define CACHE_AGGREGATES 10000

fl_srv_tenant_t *fl_srv_tenant_find(fl_server_t *s, const char *slug)
{
    for (fl_srv_tenant_t *t = s->tenants; t != NULL; t = t->next) {
        if (strcmp(t->slug, slug) == 0)
            return t;
    }
    return NULL;
}

static int tenant_open(fl_server_t *s, const fl_tenant_t *info)
{
    fl_srv_tenant_t *t = calloc(1, sizeof(*t));
    if (t == NULL)
        fl_oom();
    snprintf(t->slug, sizeof(t->slug), "%s", info->slug);
    fl_store_schema_name(t->schema, sizeof(t->schema), info->slug);
    t->suspended = info->status != FL_TENANT_ACTIVE;
    t->srv = s;
    int rc = fl_data_open_tenant(s->cfg.data_dir, info->slug, NULL, &t->log);
    if (rc == 0)
        rc = fl_agg_cache_init(&t->cache, t->log, CACHE_AGGREGATES);
    if (rc != 0) {
        fprintf(stderr, "firelater: cannot open tenant '%s': %s\n", info->slug, fl_strerror(rc));
        fl_log_close(t->log);
        free(t);
        return rc;
    }
    t->access = fl_access_new();
    if ((rc = fl_access_sync(t->access, t->log)) < 0)
        fprintf(stderr, "firelater: tenant '%s': access model: %s (retried on each request)\n",
                info->slug, fl_strerror(rc));
    t->next = s->tenants;
    s->tenants = t;
    if (s->projector != NULL)
        fl_projector_add_tenant(s->projector, t->slug, t->log);
    return 0;
}

/* Brings the tenant list in line with the platform log; new tenants are opened. */
static int sync_tenants(fl_server_t *s)
{
    fl_arena_t a;
    fl_tenant_t *list;
    size_t n;
    fl_arena_init(&a, 0);
    int rc = fl_tenant_list(s->platform, &a, &list, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        fl_srv_tenant_t *t = fl_srv_tenant_find(s, list[i].slug);
        if (t != NULL) {
            bool suspended = list[i].status != FL_TENANT_ACTIVE;
            if (suspended != t->suspended)
                fprintf(stderr, "firelater: tenant '%s' %s\n", t->slug,
                        suspended ? "suspended" : "resumed");
            t->suspended = suspended;
        } else if (tenant_open(s, &list[i]) == 0) {
            fprintf(stderr, "firelater: tenant '%s' open\n", list[i].slug);
        }
    }
    fl_arena_free(&a);
    return rc;
}

int fl_srv_tenants_load(fl_server_t *s)
{
    fl_log_head_t head;
    int rc = fl_data_open_platform(s->cfg.data_dir, NULL, &s->platform);
    if (rc != 0) {
        fprintf(stderr, "firelater: cannot open the platform log in '%s': %s\n", s->cfg.data_dir,
                fl_strerror(rc));
        return rc;
    }
    if ((rc = fl_log_head(s->platform, &head)) != 0)
        return rc;
    s->platform_seen = head.pos;
    return sync_tenants(s);
}

static void on_watch(uv_timer_t *timer)
{
    fl_server_t *s = timer->data;
    fl_log_head_t head;
    if (fl_log_head(s->platform, &head) != 0 || head.pos == s->platform_seen)
        return;
    if (sync_tenants(s) == 0)
        s->platform_seen = head.pos;
}

void fl_srv_tenants_watch(fl_server_t *s)
{
    uv_timer_init(s->loop, &s->platform_timer);
    s->platform_timer.data = s;
    uv_timer_start(&s->platform_timer, on_watch, WATCH_MS, WATCH_MS);
}

void fl_srv_tenants_free(fl_server_t *s)
{
    fl_srv_tenant_t *t = s->tenants, *next;
    for (; t != NULL; t = next) {
        next = t->next;
        fl_agg_cache_free(t->cache);
        fl_access_free(t->access);
        fl_catalog_forms_free(t->forms);
        fl_log_close(t->log);
        free(t);
    }
    s->tenants = NULL;
    fl_log_close(s->platform);
    s->platform = NULL;
}

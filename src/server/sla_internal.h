/*
 * The SLA timers' shared internals (sla_timers.c on the loop, sla_scan.c on
 * the thread pool, sla_eval.c used by both). Private to src/server/.
 */
#ifndef FIRELATER_SERVER_SLA_INTERNAL_H
#define FIRELATER_SERVER_SLA_INTERNAL_H

#include <stdatomic.h>

#include "app.h"
#include "firelater/idtab.h"
#include "firelater/sla.h"
#include "firelater/slafacts.h"
#include "firelater/timerq.h"

#define FL_SLA_PREFIX_MAX 8 /* "request:", the longest stream prefix of fl_slafacts_entities */
#define FL_SLA_STREAM_LEN (FL_SLA_PREFIX_MAX + FL_IDTAB_TEXT_LEN) /* "request:<uuid>" */

typedef struct fl_sla_scan fl_sla_scan_t;

/*
 * A tenant's SLA configuration, folded from sla:config with its calendars
 * built, and the version it reflects. A calendar is used by one thread at a
 * time, so each user keeps its own: the timers (fl_srv_sla_t) and the
 * issues' write path (fl_srv_tenant_t.sla_cfg, on the loop).
 */
struct fl__sla_cfg {
    fl_arena_t arena;
    fl_sla_config_t cfg;
    uint64_t version;
    bool loaded;
};

/*
 * A tenant's timers. Until the start-up scan is installed (scan != NULL) the
 * loop reads none of it; afterwards only the loop does.
 */
struct fl_srv_sla {
    uint64_t seen;   /* log position read up to */
    fl_idtab_t ids;  /* issue or request uuid -> slot: the timer queue's id */
    uint8_t *entity; /* slot -> its entity: index into fl_slafacts_entities */
    uint32_t entity_cap;
    fl_timerq_t q;
    fl__sla_cfg_t cfg;   /* the timers' own: the scan builds it on the thread pool */
    fl_sla_scan_t *scan; /* the start-up scan in flight on the thread pool, or NULL */
    uv_work_t work;
    int64_t scan_started; /* fl_clock_mono at its start */
};

/* The stream of an entity's key: "issue:<uuid>", "request:<uuid>", NUL-terminated, into out. */
void fl__sla_stream_of(const fl_slafacts_entity_t *e, const fl_uuid_key_t *k,
                       char out[FL_SLA_STREAM_LEN + 1]);

/* The entity and key of a stream with SLA clocks (issue:, request:); NULL for any other. */
const fl_slafacts_entity_t *fl__sla_key_of(const char *stream, fl_uuid_key_t *k);

/* The slot of the stream's key (added when new, *added says so; may be NULL), with its entity. */
uint32_t fl__sla_put(fl_srv_sla_t *sla, const fl_slafacts_entity_t *e, const fl_uuid_key_t *k,
                     bool *added);

/* The entity of a slot. */
const fl_slafacts_entity_t *fl__sla_entity(const fl_srv_sla_t *sla, uint32_t slot);

/*
 * Folds sla:config into c and builds its calendars (c->loaded set). 0 or an
 * error of the log or the fold (then c holds nothing).
 */
int fl__sla_config_read(fl_log_t *log, fl__sla_cfg_t *c);

/* Frees what fl__sla_config_read made (nothing when not loaded). */
void fl__sla_config_free(fl__sla_cfg_t *c);

/*
 * The configuration at the log's current sla:config version: c as it is,
 * or folded again when the stream moved. NULL when it cannot be read (said
 * on stderr for the tenant slug); the previous one while the version cannot
 * be looked up. Valid until the next call on c.
 */
const fl_sla_config_t *fl__sla_config_current(fl_log_t *log, fl__sla_cfg_t *c, const char *slug);

/* The tier of the application (the tenant's aggregate cache: the loop only), or NULL. */
const char *fl__sla_tier_of(fl_srv_tenant_t *t, fl_arena_t *a, const char *app_id);

/*
 * The start-up scan of a tenant, on the thread pool: one pass over the log
 * folds every issue's facts, then every issue is evaluated once. start queues
 * it (sla->scan set); done runs on the loop when it ends, installs its result
 * into sla and says how long it took. stop asks scans in flight to end early
 * (the server is stopping: what they found is dropped).
 */
void fl__sla_scan_start(fl_server_t *s, fl_srv_tenant_t *t);
void fl__sla_scan_stop(fl_srv_tenant_t *t);

/* Runs a tick now (a scan just ended: what it found due fires at once, and the next scan starts).
 */
void fl__sla_tick(fl_server_t *s);

#endif

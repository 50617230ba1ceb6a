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

#define FL_SLA_ISSUE_PREFIX "issue:"
#define FL_SLA_ISSUE_PFX    6
#define FL_SLA_STREAM_LEN   (FL_SLA_ISSUE_PFX + FL_IDTAB_TEXT_LEN) /* "issue:<uuid>" */

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
    uint64_t seen;  /* log position read up to */
    fl_idtab_t ids; /* issue uuid -> slot: the timer queue's id */
    fl_timerq_t q;
    fl__sla_cfg_t cfg;   /* the timers' own: the scan builds it on the thread pool */
    fl_sla_scan_t *scan; /* the start-up scan in flight on the thread pool, or NULL */
    uv_work_t work;
    int64_t scan_started; /* fl_clock_mono at its start */
};

/* The issue stream of a key: "issue:<uuid>", NUL-terminated, into out. */
void fl__sla_stream_of(const fl_uuid_key_t *k, char out[FL_SLA_STREAM_LEN + 1]);

/* The key of an issue stream's name; false for any other stream. */
bool fl__sla_key_of(const char *stream, fl_uuid_key_t *k);

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

/* The tier of the issue's application (the tenant's aggregate cache: the loop only), or NULL. */
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

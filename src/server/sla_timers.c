/*
 * SLA timers: the server appends issue.sla_warning and issue.sla_breached
 * when an issue's clock crosses a threshold, recorded with the instant it
 * was crossed. Everything is derived from the log:
 *
 *   start    every issue stream of the tenant's log is evaluated once
 *            (src/domain/sla/facts.c folds its events into facts, the engine
 *            says what is due next) and queued at its next due instant; a
 *            threshold that passed while the server was down is due at once
 *            and recorded with the instant it was crossed;
 *   tick     every TICK_MS the events appended since the last tick are read;
 *            an issue event re-evaluates that issue, an sla:config event every
 *            issue; then what is due is fired;
 *   fire     the issue is evaluated again at now and each due crossing is
 *            appended, expecting the stream's version: a concurrent write
 *            makes the append fail and the next tick decides again. Recorded
 *            crossings come back as facts, so nothing is fired twice, also
 *            across restarts.
 *
 * The policy is chosen by fl_sla_select from the issue's current priority,
 * its application's tier and its type; each metric counts in the calendar of
 * its target for that priority. Appends are synchronous on the loop (one
 * fsync each); they are rare next to the commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "firelater/applications.h"
#include "firelater/codec.h"
#include "firelater/err.h"
#include "firelater/sla.h"
#include "firelater/slafacts.h"
#include "firelater/strmap.h"
#include "firelater/timerq.h"

#define TICK_MS       250
#define ISSUE_PREFIX  "issue:"
#define ISSUE_PFX_LEN 6

struct fl_srv_sla {
    uint64_t seen;                /* log position read up to */
    fl_strmap_t slots;            /* issue uuid -> slot + 1 */
    char (*ids)[FL_UUID_LEN + 1]; /* slot -> issue uuid */
    uint32_t n_ids, cap_ids;
    fl_timerq_t q;
    fl_arena_t cfg_arena; /* the folded sla:config and its calendars */
    fl_sla_config_t cfg;
    uint64_t cfg_version;
    bool cfg_loaded;
};

/* What one issue's stream says, for evaluation. */
typedef struct issue_view {
    fl_slafacts_t facts;
    uint64_t version;
    const char *priority, *issue_type, *application_id; /* in the arena */
    bool deleted;
} issue_view_t;

static void say(const char *slug, const char *what, int rc)
{
    fprintf(stderr, "firelater: sla timers (%s): %s: %s\n", slug, what, fl_strerror(rc));
}

/* The tenant's SLA configuration, folded again when sla:config moved. */
static const fl_sla_config_t *config_of(fl_srv_tenant_t *t, fl_srv_sla_t *sla)
{
    uint64_t version = 0;
    int rc;

    if (fl_log_stream_version(t->log, FL_SLA_STREAM, &version) != 0)
        return sla->cfg_loaded ? &sla->cfg : NULL;
    if (sla->cfg_loaded && version == sla->cfg_version)
        return &sla->cfg;
    if (sla->cfg_loaded) {
        fl_sla_config_free_calendars(&sla->cfg);
        fl_arena_free(&sla->cfg_arena);
    }
    fl_arena_init(&sla->cfg_arena, 64u << 20);
    sla->cfg_loaded = false;
    rc = fl_agg_load_uncached(t->log, &fl_sla_config_agg, FL_SLA_STREAM, &sla->cfg_arena, &sla->cfg,
                              &sla->cfg_version);
    if (rc == 0)
        rc = fl_sla_config_build(&sla->cfg);
    if (rc != 0) {
        say(t->slug, "reading sla:config", rc);
        fl_arena_free(&sla->cfg_arena);
        return NULL;
    }
    sla->cfg_loaded = true;
    return &sla->cfg;
}

/* A string member of data (or of data.changes.<key>.to) copied into a, else keep. */
static const char *member(fl_arena_t *a, const json_t *data, const char *key, const char *keep)
{
    const json_t *v = json_object_get(data, key);
    const json_t *c = json_object_get(json_object_get(json_object_get(data, "changes"), key), "to");
    const char *s = json_string_value(v != NULL ? v : c);

    return s != NULL ? fl_arena_strndup(a, s, strlen(s)) : (v != NULL || c != NULL ? NULL : keep);
}

/* Folds the issue's stream into v. */
static int read_issue(fl_log_t *log, const char *id, fl_arena_t *a, issue_view_t *v)
{
    char stream[ISSUE_PFX_LEN + FL_UUID_LEN + 1];
    fl_log_query_t q = {.stream = stream};
    fl_log_cursor_t *cur;
    fl_event_t ev;
    int rc;

    snprintf(stream, sizeof(stream), ISSUE_PREFIX "%s", id);
    memset(v, 0, sizeof(*v));
    fl_slafacts_init(&v->facts);
    if ((rc = fl_log_cursor_open(log, &q, &cur)) != 0)
        return rc;
    while ((rc = fl_log_cursor_next(cur, a, &ev)) == 1) {
        json_t *data = NULL;
        if (ev.data_len > 0 && fl_codec_to_json(ev.data, ev.data_len, &data) != 0)
            continue;
        v->version = ev.sv;
        if (strcmp(ev.type, "issue.deleted") == 0)
            v->deleted = true;
        if (strcmp(ev.type, "issue.created") == 0 || strcmp(ev.type, "issue.updated") == 0) {
            v->priority = member(a, data, "priority", v->priority);
            v->issue_type = member(a, data, "issue_type", v->issue_type);
            v->application_id = member(a, data, "application_id", v->application_id);
        }
        rc = fl_slafacts_fold(&v->facts, &ev, data);
        json_decref(data);
        if (rc != 0)
            break;
    }
    fl_log_cursor_close(cur);
    return rc < 0 ? rc : 0;
}

/* The tier of the issue's application, or NULL. */
static const char *tier_of(fl_srv_tenant_t *t, fl_arena_t *a, const char *app_id)
{
    const void *state;
    uint64_t version;
    char *stream;

    if (app_id == NULL || !fl_uuid_is_valid(app_id) ||
        (stream = fl_apps_stream(a, app_id)) == NULL ||
        fl_agg_load(t->cache, &fl_app_agg, stream, &state, &version) != 0 || version == 0)
        return NULL;
    const char *tier = ((const fl_app_state_t *)state)->v[FL_APP_TIER];
    return tier != NULL ? fl_arena_strndup(a, tier, strlen(tier)) : NULL;
}

/* The engine's policy from an SLA policy, for the issue's current priority. */
static void engine_policy(const fl_sla_config_t *c, const fl_sla_policy_t *p, int priority,
                          fl_slaclock_policy_t *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < p->n_targets; i++) {
        const fl_sla_target_t *tg = &p->targets[i];
        out->targets[tg->metric][tg->priority] = (fl_slaclock_target_t){
            .minutes = tg->target_minutes,
            .warning_percent = tg->warning_percent,
            .has_target = true,
        };
        if ((int)tg->priority == priority || out->cal[tg->metric] == NULL)
            out->cal[tg->metric] = fl_sla_calendar(c, p, tg);
    }
}

/* Evaluates issue `id` at now into out; the policy applying (NULL: none, nothing to do). */
static const fl_sla_policy_t *evaluate(fl_srv_tenant_t *t, fl_srv_sla_t *sla, const char *id,
                                       fl_time_t now, fl_arena_t *a, issue_view_t *v,
                                       fl_slaclock_t out[FL_SLA_METRICS])
{
    const fl_sla_config_t *c = config_of(t, sla);
    const fl_sla_policy_t *p;
    fl_slaclock_policy_t pol;
    int rc;

    if (c == NULL || (rc = read_issue(t->log, id, a, v)) != 0 || v->deleted || v->facts.n == 0)
        return NULL;
    p = fl_sla_select(c, "issue", v->priority != NULL ? v->priority : "medium",
                      tier_of(t, a, v->application_id),
                      v->issue_type != NULL ? v->issue_type : "issue");
    if (p == NULL)
        return NULL;
    engine_policy(c, p, fl_slafacts_priority(v->priority), &pol);
    if ((rc = fl_slaclock_eval(&pol, v->facts.facts, v->facts.n, now, out)) != 0) {
        say(t->slug, "evaluating an issue's clocks", rc);
        return NULL;
    }
    return p;
}

static uint32_t slot_of(fl_srv_sla_t *sla, const char *id)
{
    uintptr_t slot = (uintptr_t)fl_strmap_get(&sla->slots, id);

    if (slot != 0)
        return (uint32_t)(slot - 1);
    if (sla->n_ids == sla->cap_ids) {
        sla->cap_ids = sla->cap_ids == 0 ? 1024 : 2 * sla->cap_ids;
        sla->ids = realloc(sla->ids, sla->cap_ids * sizeof(*sla->ids));
        if (sla->ids == NULL)
            fl_oom();
    }
    snprintf(sla->ids[sla->n_ids], FL_UUID_LEN + 1, "%s", id);
    fl_strmap_put(&sla->slots, id, (void *)(uintptr_t)(sla->n_ids + 1));
    return sla->n_ids++;
}

/* Re-evaluates issue `id` and queues it at its next due instant (or drops it). */
static void track(fl_srv_tenant_t *t, fl_srv_sla_t *sla, const char *id, fl_time_t now)
{
    fl_arena_t a;
    issue_view_t v;
    fl_slaclock_t out[FL_SLA_METRICS];
    uint32_t slot = slot_of(sla, id);
    fl_time_t due;

    fl_arena_init(&a, 16u << 20);
    due = evaluate(t, sla, id, now, &a, &v, out) != NULL ? fl_slaclock_next_due(out)
                                                         : FL_SLACLOCK_NONE;
    if (due == FL_SLACLOCK_NONE)
        fl_timerq_remove(&sla->q, slot);
    else
        fl_timerq_set(&sla->q, slot, due);
    fl_arena_free(&a);
}

/* Appends one crossing; FL_EVERSION when the issue moved meanwhile. */
static int record(fl_server_t *s, fl_srv_tenant_t *t, const char *id, const issue_view_t *v,
                  const fl_sla_policy_t *p, int metric, const fl_slaclock_t *clk, fl_arena_t *a)
{
    char stream[ISSUE_PFX_LEN + FL_UUID_LEN + 1], crossed[40];
    bool breach = clk->due_is_breach;
    json_t *data;
    uint8_t *mp;
    size_t len;
    fl_log_result_t res;
    int rc;

    snprintf(stream, sizeof(stream), ISSUE_PREFIX "%s", id);
    fl_time_format(breach ? clk->breach_at : clk->warn_at, crossed, sizeof(crossed));
    data = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "id", id, "metric",
                     metric == FL_SLA_RESPONSE ? "response" : "resolution", "crossed_at", crossed,
                     "policy_id", p->id, "priority", v->priority != NULL ? v->priority : "medium",
                     "target_minutes", (json_int_t)(clk->target_us / 60000000), "threshold_minutes",
                     (json_int_t)((breach ? clk->target_us : clk->warn_us) / 60000000));
    rc = fl_codec_from_json(data, a, &mp, &len);
    json_decref(data);
    if (rc != 0)
        return rc;
    fl_log_new_t ev = {.stream = stream,
                       .type = breach ? "issue.sla_breached" : "issue.sla_warning",
                       .v = 1,
                       .actor = "system",
                       .data = mp,
                       .data_len = len};
    fl_log_expect_t ex = {.stream = stream, .version = (int64_t)v->version};
    fl_log_batch_t b = {.events = &ev, .n_events = 1, .expects = &ex, .n_expects = 1};
    rc = fl_log_append(t->log, &b, &res);
    if (rc == 0)
        fl_projector_kick(s->projector, t->slug);
    return rc;
}

/* Fires what is due for one issue, then queues it at its next instant. */
static void fire(fl_server_t *s, fl_srv_tenant_t *t, fl_srv_sla_t *sla, uint32_t slot,
                 fl_time_t now)
{
    const char *id = sla->ids[slot];

    for (int round = 0; round < 4; round++) { /* a warning and a breach of each metric at most */
        fl_arena_t a;
        issue_view_t v;
        fl_slaclock_t out[FL_SLA_METRICS];
        const fl_sla_policy_t *p;
        int rc = 0, m = -1;

        fl_arena_init(&a, 16u << 20);
        p = evaluate(t, sla, id, now, &a, &v, out);
        for (int i = 0; p != NULL && i < FL_SLA_METRICS; i++) {
            if (out[i].next_due <= now && (m < 0 || out[i].next_due < out[m].next_due))
                m = i;
        }
        if (m >= 0)
            rc = record(s, t, id, &v, p, m, &out[m], &a);
        fl_arena_free(&a);
        if (m < 0 || rc != 0) {
            if (rc != 0 && rc != FL_EVERSION)
                say(t->slug, "recording a crossing", rc);
            break;
        }
    }
    track(t, sla, id, now);
}

/* The issue uuid of an issue:<uuid> stream, or NULL. */
static const char *issue_id(const char *stream)
{
    if (strncmp(stream, ISSUE_PREFIX, ISSUE_PFX_LEN) != 0 ||
        !fl_uuid_is_valid(stream + ISSUE_PFX_LEN))
        return NULL;
    return stream + ISSUE_PFX_LEN;
}

typedef struct retrack {
    fl_srv_tenant_t *t;
    fl_srv_sla_t *sla;
    fl_time_t now;
} retrack_t;

static void retrack_one(void *ctx, const char *key, void *value)
{
    retrack_t *r = ctx;
    (void)value;
    track(r->t, r->sla, key, r->now);
}

/* Reads the events appended since sla->seen and re-evaluates the issues they touch. */
static void catch_up(fl_srv_tenant_t *t, fl_srv_sla_t *sla, fl_time_t now)
{
    fl_log_head_t head;
    fl_log_query_t q;
    fl_log_cursor_t *cur;
    fl_strmap_t touched = FL_STRMAP_INIT;
    bool config = false;
    fl_arena_t a;
    fl_event_t ev;
    int rc;

    if (fl_log_head(t->log, &head) != 0 || head.pos <= sla->seen)
        return;
    q = (fl_log_query_t){.from = sla->seen + 1, .to = head.pos};
    if (fl_log_cursor_open(t->log, &q, &cur) != 0)
        return;
    fl_arena_init(&a, 64u << 20);
    while ((rc = fl_log_cursor_next(cur, &a, &ev)) == 1) {
        const char *id = issue_id(ev.stream);
        if (id != NULL)
            fl_strmap_put(&touched, id, (void *)1);
        config = config || strcmp(ev.stream, FL_SLA_STREAM) == 0;
        sla->seen = ev.pos;
        fl_arena_reset(&a);
    }
    fl_log_cursor_close(cur);
    fl_arena_free(&a);
    if (rc < 0)
        say(t->slug, "reading the log", rc);
    retrack_t r = {t, sla, now};
    fl_strmap_each(config ? &sla->slots : &touched, retrack_one, &r);
    if (config)
        fl_strmap_each(&touched, retrack_one, &r); /* issues new in this batch */
    fl_strmap_free(&touched, NULL);
}

static void tick_tenant(fl_server_t *s, fl_srv_tenant_t *t)
{
    fl_srv_sla_t *sla = t->sla;
    fl_time_t now = fl_clock_now(), at;
    uint32_t slot;

    if (sla == NULL) {
        sla = t->sla = calloc(1, sizeof(*sla));
        if (sla == NULL)
            fl_oom();
        fl_timerq_init(&sla->q, 1024);
    }
    catch_up(t, sla, now);
    while (fl_timerq_peek(&sla->q, &at, &slot) && at <= now) {
        fl_timerq_remove(&sla->q, slot);
        fire(s, t, sla, slot, now);
    }
}

static void on_tick(uv_timer_t *timer)
{
    fl_server_t *s = timer->data;

    for (fl_srv_tenant_t *t = s->tenants; t != NULL && !s->stopping; t = t->next) {
        if (!t->suspended)
            tick_tenant(s, t);
    }
}

void fl_srv_sla_start(fl_server_t *s)
{
    int64_t t0 = fl_clock_mono();

    uv_timer_init(s->loop, &s->sla_timer);
    s->sla_timer.data = s;
    on_tick(&s->sla_timer); /* the start-up scan: everything that passed while down */
    for (fl_srv_tenant_t *t = s->tenants; t != NULL; t = t->next) {
        if (t->sla != NULL)
            fprintf(stderr, "firelater: sla timers (%s): %u issues read, %u clocks running\n",
                    t->slug, t->sla->n_ids, fl_timerq_len(&t->sla->q));
    }
    fprintf(stderr, "firelater: sla timers armed in %lld ms\n",
            (long long)((fl_clock_mono() - t0) / 1000));
    uv_timer_start(&s->sla_timer, on_tick, TICK_MS, TICK_MS);
}

void fl_srv_sla_stop(fl_server_t *s)
{
    uv_close((uv_handle_t *)&s->sla_timer, NULL);
}

void fl_srv_sla_free(fl_srv_tenant_t *t)
{
    fl_srv_sla_t *sla = t->sla;

    if (sla == NULL)
        return;
    fl_strmap_free(&sla->slots, NULL);
    free(sla->ids);
    fl_timerq_free(&sla->q);
    if (sla->cfg_loaded) {
        fl_sla_config_free_calendars(&sla->cfg);
        fl_arena_free(&sla->cfg_arena);
    }
    free(sla);
    t->sla = NULL;
}

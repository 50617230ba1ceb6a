/*
 * SLA timers: the server appends issue.sla_warning and issue.sla_breached
 * when an issue's clock crosses a threshold (request.sla_warning and
 * request.sla_breached for a request's), recorded with the instant it was
 * crossed. Issues and requests share the table and the queue; each slot
 * knows its entity (fl_slafacts_entity_t: its stream prefix, events, rules).
 * Everything is derived from the log:
 *
 *   start    the first tick of a tenant queues its start-up scan on the
 *            thread pool (sla_scan.c: one pass over the log folds every
 *            issue's facts, then each issue is evaluated once and queued at
 *            its next due instant; a threshold that passed while the server
 *            was down is due at once). The loop serves meanwhile; the
 *            tenant's timers do nothing until the scan is installed, and
 *            one scan runs at a time, so the pool stays free for commits;
 *   tick     every TICK_MS the events appended since the last tick (or
 *            since the scan's last position) are read; an issue event
 *            re-evaluates that issue, an sla:config event every issue; then
 *            what is due is fired;
 *   fire     the issue is evaluated again at now and each due crossing is
 *            appended, expecting the stream's version: a concurrent write
 *            makes the append fail and the next tick decides again. Recorded
 *            crossings come back as facts, so nothing is fired twice, also
 *            across restarts, and a crossing is recorded with its instant.
 *
 * The policy is chosen by fl_sla_entity_clocks: an issue's by fl_sla_select
 * from its current priority, its application's tier and its type; a
 * request's is the one it names, else fl_sla_select; each metric counts in
 * the calendar of its target for that priority. Appends are synchronous on the loop (one
 * fsync each); they are rare next to the commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firelater/codec.h"
#include "firelater/err.h"
#include "sla_internal.h"

#define TICK_MS 250

/* What one issue's or request's stream says, for evaluation. */
typedef struct issue_view {
    const fl_slafacts_entity_t *entity;
    fl_slafacts_t facts;
    uint64_t version;
    const char *attr[FL_SLAFACTS_ATTRS]; /* as entity->attr_keys name them; in the arena */
    bool deleted;
} issue_view_t;

static void say(const char *slug, const char *what, int rc)
{
    fprintf(stderr, "firelater: sla timers (%s): %s: %s\n", slug, what, fl_strerror(rc));
}

/* Folds the stream of e's k into v (its data read as msgpack, not JSON). */
static int read_issue(fl_log_t *log, const fl_slafacts_entity_t *e, const fl_uuid_key_t *k,
                      fl_arena_t *a, issue_view_t *v)
{
    char stream[FL_SLA_STREAM_LEN + 1];
    fl_log_query_t q = {.stream = stream};
    fl_log_cursor_t *cur;
    fl_slafacts_in_t in;
    fl_event_t ev;
    int rc;

    fl__sla_stream_of(e, k, stream);
    memset(v, 0, sizeof(*v));
    v->entity = e;
    fl_slafacts_init(&v->facts);
    if ((rc = fl_log_cursor_open(log, &q, &cur)) != 0)
        return rc;
    while ((rc = fl_log_cursor_next(cur, a, &ev)) == 1) {
        v->version = ev.sv;
        if (fl_slafacts_in_mp(&in, ev.type, ev.ts, ev.actor, ev.data, ev.data_len) != 0)
            continue; /* data the fold cannot read gives no facts */
        v->deleted = v->deleted || in.type == FL_SLAFT_DELETED;
        for (int i = 0; i < FL_SLAFACTS_ATTRS; i++) {
            const fl_slafacts_str_t *s = fl_slafacts_attr(&in, i);
            if (s != NULL)
                v->attr[i] = s->has == FL_SLAFACTS_STR ? fl_arena_strndup(a, s->p, s->len) : NULL;
        }
        if ((rc = fl_slafacts_fold_in(&v->facts, &in)) != 0)
            break;
    }
    fl_log_cursor_close(cur);
    return rc < 0 ? rc : 0;
}

/* Evaluates the slot's issue or request at now into out; the policy applying (NULL: none). */
static const fl_sla_policy_t *evaluate(fl_srv_tenant_t *t, fl_srv_sla_t *sla, uint32_t slot,
                                       fl_time_t now, fl_arena_t *a, issue_view_t *v,
                                       fl_slaclock_t out[FL_SLA_METRICS])
{
    const fl_sla_config_t *c = fl__sla_config_current(t->log, &sla->cfg, t->slug);
    const fl_slafacts_entity_t *e = fl__sla_entity(sla, slot);
    fl_uuid_key_t k = *fl_idtab_key(&sla->ids, slot);
    const fl_sla_policy_t *p;
    const char *tier = NULL;
    int rc;

    if (c == NULL || read_issue(t->log, e, &k, a, v) != 0 || v->deleted || v->facts.n == 0)
        return NULL;
    if (e == &fl_slafacts_issue)
        tier = fl__sla_tier_of(t, a, v->attr[FL_SLAFACTS_APPLICATION]);
    p = fl_sla_entity_clocks(c, e, v->attr, tier, v->facts.facts, v->facts.n, now, out, &rc);
    if (rc != 0)
        say(t->slug, "evaluating an SLA clock", rc);
    return p;
}

/* Re-evaluates the issue in slot and queues it at its next due instant (or drops it). */
static void track(fl_srv_tenant_t *t, fl_srv_sla_t *sla, uint32_t slot, fl_time_t now)
{
    fl_arena_t a;
    issue_view_t v;
    fl_slaclock_t out[FL_SLA_METRICS];
    fl_time_t due;

    fl_arena_init(&a, 16u << 20);
    due = evaluate(t, sla, slot, now, &a, &v, out) != NULL ? fl_slaclock_next_due(out)
                                                           : FL_SLACLOCK_NONE;
    if (due == FL_SLACLOCK_NONE)
        fl_timerq_remove(&sla->q, slot);
    else
        fl_timerq_set(&sla->q, slot, due);
    fl_arena_free(&a);
}

/* Appends one crossing; FL_EVERSION when the issue or request moved meanwhile. */
static int record(fl_server_t *s, fl_srv_tenant_t *t, const fl_uuid_key_t *k, const issue_view_t *v,
                  const fl_sla_policy_t *p, int metric, const fl_slaclock_t *clk, fl_arena_t *a)
{
    char stream[FL_SLA_STREAM_LEN + 1], crossed[40];
    const char *id = stream + v->entity->stream_prefix_len, *prio = v->attr[FL_SLAFACTS_PRIORITY];
    bool breach = clk->due_is_breach;
    json_t *data;
    uint8_t *mp;
    size_t len;
    fl_log_result_t res;
    int rc;

    fl__sla_stream_of(v->entity, k, stream);
    fl_time_format(breach ? clk->breach_at : clk->warn_at, crossed, sizeof(crossed));
    data = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "id", id, "metric",
                     metric == FL_SLA_RESPONSE ? "response" : "resolution", "crossed_at", crossed,
                     "policy_id", p->id, "priority", prio != NULL ? prio : "medium",
                     "target_minutes", (json_int_t)(clk->target_us / 60000000), "threshold_minutes",
                     (json_int_t)((breach ? clk->target_us : clk->warn_us) / 60000000));
    rc = fl_codec_from_json(data, a, &mp, &len);
    json_decref(data);
    if (rc != 0)
        return rc;
    fl_log_new_t ev = {.stream = stream,
                       .type = breach ? v->entity->breached : v->entity->warned,
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

/* Fires what is due for the issue or request in slot, then queues it at its next instant. */
static void fire(fl_server_t *s, fl_srv_tenant_t *t, fl_srv_sla_t *sla, uint32_t slot,
                 fl_time_t now)
{
    fl_uuid_key_t k = *fl_idtab_key(&sla->ids, slot);

    for (int round = 0; round < 4; round++) { /* a warning and a breach of each metric at most */
        fl_arena_t a;
        issue_view_t v;
        fl_slaclock_t out[FL_SLA_METRICS];
        const fl_sla_policy_t *p;
        int rc = 0, m = -1;

        fl_arena_init(&a, 16u << 20);
        p = evaluate(t, sla, slot, now, &a, &v, out);
        for (int i = 0; p != NULL && i < FL_SLA_METRICS; i++) {
            if (out[i].next_due <= now && (m < 0 || out[i].next_due < out[m].next_due))
                m = i;
        }
        if (m >= 0)
            rc = record(s, t, &k, &v, p, m, &out[m], &a);
        fl_arena_free(&a);
        if (m < 0 || rc != 0) {
            if (rc != 0 && rc != FL_EVERSION)
                say(t->slug, "recording a crossing", rc);
            break;
        }
    }
    track(t, sla, slot, now);
}

static int cmp_slot(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Slots touched since the last tick, each once. */
typedef struct touched {
    uint32_t *slots;
    size_t n, cap;
} touched_t;

static void touch(touched_t *tc, uint32_t slot)
{
    if (tc->n == tc->cap) {
        tc->cap = tc->cap == 0 ? 64 : 2 * tc->cap;
        tc->slots = realloc(tc->slots, tc->cap * sizeof(*tc->slots));
        if (tc->slots == NULL)
            fl_oom();
    }
    tc->slots[tc->n++] = slot;
}

/* Reads the events appended since sla->seen and re-evaluates the issues and requests they touch. */
static void catch_up(fl_srv_tenant_t *t, fl_srv_sla_t *sla, fl_time_t now)
{
    fl_log_head_t head;
    fl_log_cursor_t *cur;
    touched_t tc = {0};
    bool config = false;
    const fl_slafacts_entity_t *e;
    fl_uuid_key_t k;
    fl_arena_t a;
    fl_event_t ev;
    int rc;

    if (fl_log_head(t->log, &head) != 0 || head.pos <= sla->seen)
        return;
    fl_log_query_t q = {.from = sla->seen + 1, .to = head.pos};
    if (fl_log_cursor_open(t->log, &q, &cur) != 0)
        return;
    fl_arena_init(&a, 64u << 20);
    while ((rc = fl_log_cursor_next(cur, &a, &ev)) == 1) {
        if ((e = fl__sla_key_of(ev.stream, &k)) != NULL)
            touch(&tc, fl__sla_put(sla, e, &k, NULL));
        config = config || strcmp(ev.stream, FL_SLA_STREAM) == 0;
        sla->seen = ev.pos;
        fl_arena_reset(&a);
    }
    fl_log_cursor_close(cur);
    fl_arena_free(&a);
    if (rc < 0)
        say(t->slug, "reading the log", rc);
    if (tc.n > 0)
        qsort(tc.slots, tc.n, sizeof(*tc.slots), cmp_slot);
    for (size_t i = 0; config ? i < sla->ids.n : i < tc.n; i++) {
        if (config || i == 0 || tc.slots[i] != tc.slots[i - 1])
            track(t, sla, config ? (uint32_t)i : tc.slots[i], now);
    }
    free(tc.slots);
}

/* Catches up and fires what is due; a tenant's first tick queues its start-up scan instead. */
static void tick_tenant(fl_server_t *s, fl_srv_tenant_t *t, bool *scanning)
{
    fl_srv_sla_t *sla = t->sla;
    fl_time_t now = fl_clock_now(), at;
    uint32_t slot;

    if (sla == NULL) {
        if (!*scanning)
            fl__sla_scan_start(s, t);
        *scanning = true;
        return;
    }
    if (sla->scan != NULL)
        return;
    catch_up(t, sla, now);
    while (fl_timerq_peek(&sla->q, &at, &slot) && at <= now) {
        fl_timerq_remove(&sla->q, slot);
        fire(s, t, sla, slot, now);
    }
}

static void on_tick(uv_timer_t *timer)
{
    fl_server_t *s = timer->data;
    bool scanning = false;

    for (fl_srv_tenant_t *t = s->tenants; t != NULL; t = t->next)
        scanning = scanning || (t->sla != NULL && t->sla->scan != NULL);
    for (fl_srv_tenant_t *t = s->tenants; t != NULL && !s->stopping; t = t->next) {
        if (!t->suspended)
            tick_tenant(s, t, &scanning);
    }
}

void fl_srv_sla_start(fl_server_t *s)
{
    uv_timer_init(s->loop, &s->sla_timer);
    s->sla_timer.data = s;
    uv_timer_start(&s->sla_timer, on_tick, 0, TICK_MS);
}

void fl__sla_tick(fl_server_t *s)
{
    if (!s->stopping)
        on_tick(&s->sla_timer);
}

void fl_srv_sla_stop(fl_server_t *s)
{
    uv_close((uv_handle_t *)&s->sla_timer, NULL);
    for (fl_srv_tenant_t *t = s->tenants; t != NULL; t = t->next)
        fl__sla_scan_stop(t);
}

void fl_srv_sla_free(fl_srv_tenant_t *t)
{
    fl_srv_sla_t *sla = t->sla;

    if (t->sla_cfg != NULL) {
        fl__sla_config_free(t->sla_cfg);
        free(t->sla_cfg);
        t->sla_cfg = NULL;
    }
    if (sla == NULL)
        return;
    fl_assert(sla->scan == NULL);
    fl_idtab_free(&sla->ids);
    free(sla->entity);
    fl_timerq_free(&sla->q);
    fl__sla_config_free(&sla->cfg);
    free(sla);
    t->sla = NULL;
}

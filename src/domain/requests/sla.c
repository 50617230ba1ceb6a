/*
 * The request's SLA on the write side (README "SLA"): its SLA facts folded
 * into the aggregate (fl_slafacts_step, the fold the server's timers run over
 * the same events, with the request's entity description) and the stamps a
 * decision writes into its events: the policy, the due dates, responded_at.
 *
 * As for issues (src/domain/issues/sla.c), a stamp is computed when the
 * command is decided: each event that changes the clocks is folded onto the
 * request's facts at ctx->now and the clocks are evaluated there with
 * fl_sla_request_clocks, the timers' own choice of policy and evaluation.
 * The fold and the projection only copy what an event stamped
 * (fl__req_columns), so the answer, ?as_of= and the read model agree.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

static const char *const due_keys[FL_SLA_METRICS] = {"response_due_at", "resolution_due_at"};

/* Appends facts to x (room for cap); past FL_SLAFACTS_MAX (or cap) it is no longer tracked. */
static void add_facts(fl_req_sla_t *x, size_t cap, const fl_slafacts_out_t *out)
{
    for (size_t i = 0; i < out->n && !x->untracked; i++) {
        if (x->n_facts == FL_SLAFACTS_MAX || x->n_facts == cap)
            x->untracked = true;
        else
            x->facts[x->n_facts++] = out->facts[i];
    }
}

/* One event into x (the event's facts and the attributes it sets); *changed: the clocks may
 * have moved (facts other than WARNED / BREACHED, or an attribute). */
static int step(fl_req_sla_t *x, fl_arena_t *a, size_t cap, const fl_event_t *ev,
                const json_t *data, fl_slafacts_out_t *out, bool *changed)
{
    fl_slafacts_in_t in;

    fl_slafacts_in_json(&in, ev, data);
    fl_slafacts_step(&x->st, &in, out);
    *changed = false;
    for (int i = 0; i < FL_SLAFACTS_ATTRS; i++) {
        const fl_slafacts_str_t *v = fl_slafacts_attr(&in, i);
        if (v == NULL)
            continue;
        x->attr[i] = v->has == FL_SLAFACTS_STR ? fl_arena_strndup(a, v->p, v->len) : NULL;
        if (v->has == FL_SLAFACTS_STR && x->attr[i] == NULL)
            return FL_ETOOBIG;
        *changed = true;
    }
    add_facts(x, cap, out);
    for (size_t i = 0; i < out->n; i++)
        *changed = *changed || out->facts[i].kind <= FL_SLAF_REOPEN;
    return 0;
}

int fl__req_sla_fold(fl_req_sla_t *x, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    fl_slafacts_out_t out;
    bool changed;

    if (x->n_facts + FL_SLAFACTS_STEP > x->cap && !x->untracked) {
        size_t cap = x->cap == 0 ? 8 : 2 * x->cap;
        fl_slaclock_fact_t *more = fl_arena_alloc(a, cap * sizeof(*more));
        if (more == NULL)
            return FL_ETOOBIG;
        if (x->n_facts > 0)
            memcpy(more, x->facts, x->n_facts * sizeof(*more));
        x->facts = more;
        x->cap = cap;
    }
    return step(x, a, x->cap, ev, data, &out, &changed);
}

static bool gave(const fl_slafacts_out_t *out, fl_slaclock_kind_t kind)
{
    for (size_t i = 0; i < out->n; i++) {
        if (out->facts[i].kind == kind)
            return true;
    }
    return false;
}

/* The stamps of one event that changed the clocks, into data. */
static void stamp(const fl_req_sla_t *x, const fl_cmd_ctx_t *ctx, const fl_sla_config_t *c,
                  const fl_slafacts_out_t *out, json_t *data)
{
    fl_sla_request_attrs_t at = {.priority = x->attr[FL_SLAFACTS_PRIORITY],
                                 .policy_id = x->attr[FL_SLAFACTS_REQ_POLICY],
                                 .catalog_item_id = x->attr[FL_SLAFACTS_REQ_ITEM]};
    fl_slaclock_t clk[FL_SLA_METRICS];
    const fl_sla_policy_t *p;
    int rc;

    if (gave(out, FL_SLAF_RESPOND))
        json_object_set_new(data, "responded_at", fl_json_time_or_null(ctx->now));
    if (c == NULL || x->untracked)
        return;
    p = fl_sla_request_clocks(c, &at, x->facts, x->n_facts, ctx->now, clk, &rc);
    if (rc != 0)
        return; /* facts the engine refuses: stamped as the timers track it, not at all */
    json_object_set_new(data, "sla_policy_id", fl_json_str_or_null(p != NULL ? p->id : NULL));
    for (int m = 0; m < FL_SLA_METRICS; m++) {
        json_t *due = p != NULL ? fl_sla_due_json(&clk[m]) : json_null();
        if (due != NULL)
            json_object_set_new(data, due_keys[m], due);
    }
}

/* The state the decision's events on stream continue: a known one, or new (NULL: unknown). */
static const fl_request_state_t *state_of(fl_arena_t *a, const char *stream,
                                          const fl_request_state_t *const *known, size_t n,
                                          const fl_request_state_t *fresh)
{
    for (size_t i = 0; i < n; i++) {
        const char *s =
            known[i] != NULL && known[i]->exists ? fl_requests_stream(a, known[i]->id) : NULL;
        if (s != NULL && strcmp(s, stream) == 0)
            return known[i];
    }
    return fresh;
}

/* A decision's fold of one request stream (fl_decision_restamp's arg). */
typedef struct run {
    fl_req_sla_t x;
    size_t cap;
    const fl_cmd_ctx_t *ctx;
    const fl_sla_config_t *config;
    fl_slafacts_out_t out; /* the facts of the event being stamped */
} run_t;

static int run_step(void *arg, const fl_log_new_t *e, const json_t *data, bool *changed)
{
    run_t *r = arg;
    fl_event_t ev = {.ts = r->ctx->now, .type = e->type, .actor = e->actor != NULL ? e->actor : ""};

    return step(&r->x, r->ctx->a, r->cap, &ev, data, &r->out, changed);
}

static void run_stamp(void *arg, json_t *data)
{
    run_t *r = arg;
    stamp(&r->x, r->ctx, r->config, &r->out, data);
}

/* Stamps the events of one request stream of d, continuing s's SLA side. */
static int stamp_stream(const fl_cmd_ctx_t *ctx, const fl_sla_config_t *c,
                        const fl_request_state_t *s, const char *stream, fl_decision_t *d)
{
    run_t r = {.x = s->sla,
               .cap = s->sla.n_facts + FL_DECISION_MAX_EVENTS * FL_SLAFACTS_STEP,
               .ctx = ctx,
               .config = c};

    r.x.facts = fl_arena_alloc(ctx->a, r.cap * sizeof(*r.x.facts));
    if (r.x.facts == NULL)
        return FL_ETOOBIG;
    if (s->sla.n_facts > 0)
        memcpy(r.x.facts, s->sla.facts, s->sla.n_facts * sizeof(*r.x.facts));
    return fl_decision_restamp(d, ctx, stream, run_step, run_stamp, &r);
}

int fl_requests_decide_sla(const fl_cmd_ctx_t *ctx, const fl_request_state_t *const *known,
                           size_t n_known, const fl_sla_config_t *config, fl_decision_t *d)
{
    static const fl_request_state_t fresh; /* a stream this decision creates */
    int rc = 0;

    if (fl_decision_failed(d))
        return 0;
    for (size_t i = 0; i < d->n_events && rc == 0; i++) {
        const char *stream = d->events[i].stream;
        const fl_request_state_t *s;
        bool seen = false;

        if (fl_slafacts_entity_of_stream(stream) != &fl_slafacts_request)
            continue;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(d->events[j].stream, stream) == 0;
        s = state_of(ctx->a, stream, known, n_known,
                     strcmp(d->events[i].type, "request.created") == 0 ? &fresh : NULL);
        if (!seen && s != NULL)
            rc = stamp_stream(ctx, config, s, stream, d);
    }
    return rc;
}

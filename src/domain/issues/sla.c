/*
 * The issue's SLA on the write side: its SLA facts folded into the aggregate
 * (fl_slafacts_step, the fold the server's timers run over the same events),
 * and the stamps a decision writes into its events: the policy, the due
 * dates and, at a first response or a resolution, the minutes taken.
 *
 * A stamp is computed when the command is decided: each event that changes
 * the clocks is folded onto the issue's facts at ctx->now and the clocks are
 * evaluated there with fl_sla_issue_clocks (src/domain/sla/issue_clocks.c:
 * the timers' own selection and evaluation). The log records the event a few
 * milliseconds later (the group commit's ts), and the timers count from that
 * ts: a recorded crossing may follow the stamped due date by that commit
 * latency. The fold and the projection only copy what an event stamped, so
 * the command's answer, ?as_of= and the read model agree.
 */
#include <string.h>

#include "firelater/err.h"
#include "internal.h"

#define MIN_US INT64_C(60000000)

/* In this order: the policy, the due dates (FL_SLA_METRICS), the minutes (FL_ISSUE_METRICS). */
const char *const fl__iss_sla_keys[] = {"sla_policy_id",
                                        "response_due_at",
                                        "resolution_due_at",
                                        "time_to_first_response",
                                        "time_to_resolution",
                                        "business_time_to_first_response",
                                        "business_time_to_resolution",
                                        NULL};
static const char *const *const due_keys = fl__iss_sla_keys + 1;
static const char *const *const minute_keys = fl__iss_sla_keys + FL__ISS_SLA_MINUTES;

/* ------------------------------------------------------------------- fold */

/* Appends one event's facts; past FL_SLAFACTS_MAX the issue is no longer tracked. */
static int add_facts(fl_issue_sla_t *x, fl_arena_t *a, const fl_slafacts_out_t *out)
{
    for (size_t i = 0; i < out->n && !x->untracked; i++) {
        fl_slaclock_fact_t *more;

        if (x->n_facts == FL_SLAFACTS_MAX) {
            x->untracked = true;
            break;
        }
        if ((more = fl__iss_grow(a, x->facts, x->n_facts, sizeof(*x->facts))) == NULL)
            return FL_ETOOBIG;
        x->facts = more;
        x->facts[x->n_facts++] = out->facts[i];
    }
    return 0;
}

/* What data stamped: each key present replaces the value, null clears it. */
static int copy_stamps(fl_issue_sla_t *x, fl_arena_t *a, const json_t *data)
{
    const json_t *v = json_object_get(data, "sla_policy_id");
    fl_time_t *due[FL_SLA_METRICS] = {&x->response_due, &x->resolution_due};
    const char *id = json_string_value(v);

    if (v != NULL)
        x->policy_id = id != NULL ? fl_arena_strndup(a, id, strlen(id)) : NULL;
    if (v != NULL && id != NULL && x->policy_id == NULL)
        return FL_ETOOBIG;
    for (int m = 0; m < FL_SLA_METRICS; m++) {
        const char *t = json_string_value(v = json_object_get(data, due_keys[m]));
        if (v != NULL && (t == NULL || fl_time_parse(t, due[m]) != 0))
            *due[m] = 0;
    }
    for (int i = 0; i < FL_ISSUE_METRICS; i++) {
        if ((v = json_object_get(data, minute_keys[i])) == NULL)
            continue;
        x->has_minutes &= (uint8_t) ~(1u << i);
        if (json_is_integer(v) && json_integer_value(v) >= 0 &&
            json_integer_value(v) <= INT32_MAX) {
            x->minutes[i] = (int32_t)json_integer_value(v);
            x->has_minutes |= (uint8_t)(1u << i);
        }
    }
    return 0;
}

int fl__iss_sla_fold(fl_issue_sla_t *x, fl_arena_t *a, const fl_event_t *ev, const json_t *data)
{
    fl_slafacts_in_t in;
    fl_slafacts_out_t out;
    int rc;

    fl_slafacts_in_json(&in, ev, data);
    fl_slafacts_step(&x->st, &in, &out);
    if ((rc = add_facts(x, a, &out)) != 0)
        return rc;
    return copy_stamps(x, a, data);
}

/* ------------------------------------------------------------------ stamp */

/* The running fold of a decision: the issue's facts, then its events'. */
typedef struct run {
    fl_issue_sla_t x;
    size_t cap;
    const char *attr[FL_SLAFACTS_ATTRS]; /* priority, issue_type, application_id */
    fl_time_t created_at;
    const fl_cmd_ctx_t *ctx;
    const fl_issue_sla_env_t *env;
    fl_slafacts_out_t out; /* the facts of the event being stamped */
} run_t;

static int run_init(run_t *r, const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s)
{
    static const int fields[FL_SLAFACTS_ATTRS] = {FL_ISSUE_PRIORITY, FL_ISSUE_ISSUE_TYPE,
                                                  FL_ISSUE_APPLICATION_ID};
    bool exists = s != NULL && s->exists;

    memset(r, 0, sizeof(*r));
    if (exists)
        r->x = s->sla;
    else
        fl_slafacts_state_init(&r->x.st);
    r->cap = r->x.n_facts + FL_DECISION_MAX_EVENTS * FL_SLAFACTS_STEP;
    r->x.facts = fl_arena_alloc(ctx->a, r->cap * sizeof(*r->x.facts));
    if (r->x.facts == NULL)
        return FL_ETOOBIG;
    if (exists && s->sla.n_facts > 0)
        memcpy(r->x.facts, s->sla.facts, s->sla.n_facts * sizeof(*r->x.facts));
    for (int i = 0; exists && i < FL_SLAFACTS_ATTRS; i++)
        r->attr[i] = s->v[fields[i]];
    r->created_at = exists ? s->created_at : ctx->now;
    return 0;
}

/* Folds one decided event into r (a run_t); *changed: it changes the clocks. */
static int run_step(void *arg, const fl_log_new_t *e, const json_t *data, bool *changed)
{
    run_t *r = arg;
    const fl_cmd_ctx_t *ctx = r->ctx;
    fl_slafacts_out_t *out = &r->out;
    fl_event_t ev = {.ts = ctx->now, .type = e->type, .actor = e->actor != NULL ? e->actor : ""};
    fl_slafacts_in_t in;

    *changed = false;
    fl_slafacts_in_json(&in, &ev, data);
    fl_slafacts_step(&r->x.st, &in, out);
    for (int i = 0; i < FL_SLAFACTS_ATTRS; i++) {
        const fl_slafacts_str_t *v = fl_slafacts_attr(&in, i);
        if (v == NULL)
            continue;
        r->attr[i] = v->has == FL_SLAFACTS_STR ? fl_arena_strndup(ctx->a, v->p, v->len) : NULL;
        if (v->has == FL_SLAFACTS_STR && r->attr[i] == NULL)
            return FL_ETOOBIG;
        *changed = true;
    }
    for (size_t i = 0; i < out->n; i++) {
        if (r->x.untracked || r->x.n_facts == FL_SLAFACTS_MAX || r->x.n_facts == r->cap)
            r->x.untracked = true;
        else
            r->x.facts[r->x.n_facts++] = out->facts[i];
        *changed = *changed || out->facts[i].kind <= FL_SLAF_REOPEN;
    }
    return 0;
}

static bool gave(const fl_slafacts_out_t *out, fl_slaclock_kind_t kind)
{
    for (size_t i = 0; i < out->n; i++) {
        if (out->facts[i].kind == kind)
            return true;
    }
    return false;
}

/* Minutes of us, to the nearest (as the read model's wall minutes); never below 0. */
static json_t *minutes_of(int64_t us)
{
    return json_integer(us > 0 ? (json_int_t)((us + MIN_US / 2) / MIN_US) : 0);
}

/* A stopped metric's business minutes, or null without a target. */
static json_t *business_of(const fl_sla_policy_t *p, const fl_slaclock_t *c)
{
    return p != NULL && c->status != FL_SLAS_NONE ? minutes_of(c->elapsed_us) : json_null();
}

/* The policy, the due dates and the business minutes at ctx->now, into data. */
static void stamp_clocks(const run_t *r, const fl_cmd_ctx_t *ctx, const fl_issue_sla_env_t *env,
                         const fl_slafacts_out_t *out, json_t *data)
{
    fl_sla_issue_attrs_t at = {.priority = r->attr[FL_SLAFACTS_PRIORITY],
                               .issue_type = r->attr[FL_SLAFACTS_ISSUE_TYPE],
                               .tier = env->tier};
    fl_slaclock_t clk[FL_SLA_METRICS];
    const fl_sla_policy_t *p;
    int rc;

    p = fl_sla_issue_clocks(env->config, &at, r->x.facts, r->x.n_facts, ctx->now, clk, &rc);
    if (rc != 0)
        return; /* facts the engine refuses: stamped as the timers track it, not at all */
    json_object_set_new(data, "sla_policy_id", fl_json_str_or_null(p != NULL ? p->id : NULL));
    for (int m = 0; m < FL_SLA_METRICS; m++) {
        json_t *due = p != NULL ? fl_sla_due_json(&clk[m]) : json_null();
        if (due != NULL)
            json_object_set_new(data, due_keys[m], due);
    }
    if (gave(out, FL_SLAF_RESPOND))
        json_object_set_new(data, minute_keys[FL_ISSUE_BIZ_TTFR],
                            business_of(p, &clk[FL_SLA_RESPONSE]));
    if (gave(out, FL_SLAF_RESOLVE))
        json_object_set_new(data, minute_keys[FL_ISSUE_BIZ_TTR],
                            business_of(p, &clk[FL_SLA_RESOLUTION]));
}

/* The stamps of one event that changes the clocks, into data. */
static void stamp(const run_t *r, const fl_cmd_ctx_t *ctx, const fl_issue_sla_env_t *env,
                  const fl_slafacts_out_t *out, json_t *data)
{
    if (gave(out, FL_SLAF_RESPOND))
        json_object_set_new(data, minute_keys[FL_ISSUE_TTFR], minutes_of(ctx->now - r->created_at));
    if (gave(out, FL_SLAF_RESOLVE))
        json_object_set_new(data, minute_keys[FL_ISSUE_TTR], minutes_of(ctx->now - r->created_at));
    if (gave(out, FL_SLAF_REOPEN)) {
        json_object_set_new(data, minute_keys[FL_ISSUE_TTR], json_null());
        json_object_set_new(data, minute_keys[FL_ISSUE_BIZ_TTR], json_null());
    }
    if (env != NULL && env->config != NULL && !r->x.untracked)
        stamp_clocks(r, ctx, env, out, data);
}

/* The stamps of the event run_step has just folded (fl_decision_restamp's stamp). */
static void run_stamp(void *arg, json_t *data)
{
    run_t *r = arg;
    stamp(r, r->ctx, r->env, &r->out, data);
}

int fl_issues_decide_sla(const fl_cmd_ctx_t *ctx, const fl_issue_state_t *s,
                         const fl_issue_sla_env_t *env, fl_decision_t *d)
{
    const char *stream = d->n_events > 0 ? d->events[0].stream : NULL;
    run_t r;
    int rc;

    if (fl_decision_failed(d) || stream == NULL || strncmp(stream, "issue:", 6) != 0)
        return 0;
    if ((rc = run_init(&r, ctx, s)) != 0)
        return rc;
    r.ctx = ctx;
    r.env = env;
    return fl_decision_restamp(d, ctx, stream, run_step, run_stamp, &r);
}

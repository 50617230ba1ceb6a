/*
 * Issue and request events -> SLA facts (include/firelater/slafacts.h has
 * the tables). Pure: only the event's fields (fl_slafacts_in_t), its entity's
 * description and the state are read.
 *
 * The state is small on purpose: a status is one of the five the rules tell
 * apart (a move between two statuses without rules gives no facts, so their
 * names need not be kept), and the reporter is kept as fl_slafacts_who_t.
 * fl_slafacts_t adds the facts and, for readers, the names.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "firelater/err.h"
#include "firelater/slafacts.h"

static const char *const priorities[FL_SLA_PRIORITIES] = {"critical", "high", "medium", "low"};

int fl_slafacts_priority_n(const char *name, size_t len)
{
    for (int i = 0; name != NULL && i < FL_SLA_PRIORITIES; i++) {
        if (strlen(priorities[i]) == len && memcmp(name, priorities[i], len) == 0)
            return i;
    }
    return -1;
}

int fl_slafacts_priority(const char *name)
{
    return name != NULL ? fl_slafacts_priority_n(name, strlen(name)) : -1;
}

static bool str_is(const char *p, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(p, lit, len) == 0;
}

static uint8_t status_of(const fl_slafacts_entity_t *e, const char *p, size_t len)
{
    for (const fl_slafacts_class_t *c = e->classes; c->name != NULL; c++) {
        if (str_is(p, len, c->name))
            return c->status;
    }
    return FL_SLAFS_OTHER;
}

static bool is_done(uint8_t status)
{
    return status == FL_SLAFS_RESOLVED || status == FL_SLAFS_CLOSED;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The 16 bytes of a lower-case UUID; false for any other text. */
static bool uuid_bytes(const char *p, size_t len, uint8_t b[16])
{
    size_t j = 0;

    if (len != FL_UUID_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        int v = hexval(p[i]);
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (p[i] != '-')
                return false;
            continue;
        }
        if (v < 0)
            return false;
        b[j / 2] = (uint8_t)(j % 2 == 0 ? v << 4 : b[j / 2] | v);
        j++;
    }
    return true;
}

/* Who a name is: "" none, a lower-case UUID its bytes, anything else its hash. */
static void who_of(const char *p, size_t len, fl_slafacts_who_t *w)
{
    memset(w, 0, sizeof(*w));
    if (len == 0)
        return;
    w->tag = 1;
    if (uuid_bytes(p, len, w->b))
        return;
    w->tag = 2;
    crypto_generichash(w->b, sizeof(w->b), (const uint8_t *)p, len, NULL, 0);
}

static bool same_who(const fl_slafacts_who_t *a, const fl_slafacts_who_t *b)
{
    return a->tag == b->tag && memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

void fl_slafacts_state_init(fl_slafacts_state_t *st)
{
    memset(st, 0, sizeof(*st));
    st->status = FL_SLAFS_NEW;
}

static void add(fl_slafacts_out_t *out, fl_time_t at, fl_slaclock_kind_t kind, int priority,
                int metric)
{
    fl_assert(out->n < FL_SLAFACTS_STEP);
    out->facts[out->n++] = (fl_slaclock_fact_t){
        .at = at, .kind = (uint8_t)kind, .priority = (uint8_t)priority, .metric = (uint8_t)metric};
}

static void respond(fl_slafacts_state_t *st, fl_time_t at, fl_slafacts_out_t *out)
{
    if (st->responded)
        return;
    st->responded = true;
    add(out, at, FL_SLAF_RESPOND, 0, 0);
}

/* A status move from st->status to `to` at `at`. */
static void move(fl_slafacts_state_t *st, const fl_slafacts_entity_t *e, fl_time_t at,
                 const fl_slafacts_str_t *to, fl_slafacts_out_t *out)
{
    uint8_t from = st->status, t = status_of(e, to->p, to->len);

    if (from == t && t != FL_SLAFS_OTHER)
        return;
    out->status = *to; /* between two statuses without rules only the name changes */
    if (from == FL_SLAFS_NEW && e->respond_leaving_new)
        respond(st, at, out);
    if (from == FL_SLAFS_PENDING)
        add(out, at, FL_SLAF_RESUME, 0, 0);
    if (t == FL_SLAFS_PENDING)
        add(out, at, FL_SLAF_PAUSE, 0, 0);
    if (is_done(t) && !is_done(from))
        add(out, at, FL_SLAF_RESOLVE, 0, 0);
    if (is_done(from) && !is_done(t))
        add(out, at, FL_SLAF_REOPEN, 0, 0);
    st->status = t;
}

static void created(fl_slafacts_state_t *st, const fl_slafacts_in_t *in, fl_slafacts_out_t *out)
{
    const fl_slafacts_str_t *r = &in->reporter_id, *s = &in->status;
    const fl_slafacts_str_t *pr = &in->attr[FL_SLAFACTS_PRIORITY];
    int p = pr->has == FL_SLAFACTS_STR ? fl_slafacts_priority_n(pr->p, pr->len) : -1;

    /* The reporter as the inline fold keeps it: at most a UUID's length. */
    who_of(r->p, r->has == FL_SLAFACTS_STR ? (r->len < FL_UUID_LEN ? r->len : FL_UUID_LEN) : 0,
           &st->reporter);
    out->status = s->has == FL_SLAFACTS_STR
                      ? *s
                      : (fl_slafacts_str_t){.p = "new", .len = 3, .has = FL_SLAFACTS_STR};
    st->status = status_of(in->entity, out->status.p, out->status.len);
    add(out, in->ts, FL_SLAF_START, p >= 0 ? p : FL_SLA_MEDIUM, 0);
}

static void updated(fl_slafacts_state_t *st, const fl_slafacts_in_t *in, fl_slafacts_out_t *out)
{
    const fl_slafacts_str_t *pr = &in->changed[FL_SLAFACTS_PRIORITY];
    int p = pr->has == FL_SLAFACTS_STR ? fl_slafacts_priority_n(pr->p, pr->len) : -1;

    if (p >= 0)
        add(out, in->ts, FL_SLAF_PRIORITY, p, 0);
    if (in->changed_status.has == FL_SLAFACTS_STR)
        move(st, in->entity, in->ts, &in->changed_status, out);
}

static void commented(fl_slafacts_state_t *st, const fl_slafacts_in_t *in, fl_slafacts_out_t *out)
{
    const char *author = in->user_id.p;
    size_t len = in->user_id.len;
    fl_slafacts_who_t w;

    if (in->is_internal)
        return;
    if (in->user_id.has != FL_SLAFACTS_STR) {
        if (in->actor == NULL || strncmp(in->actor, "user:", 5) != 0)
            return;
        author = in->actor + 5;
        len = strlen(author);
    }
    who_of(author, len, &w);
    if (!same_who(&w, &st->reporter))
        respond(st, in->ts, out);
}

static void recorded(const fl_slafacts_in_t *in, fl_slafacts_out_t *out)
{
    const fl_slafacts_str_t *m = &in->metric, *c = &in->crossed_at;
    char buf[128];
    fl_time_t at;
    int metric = m->has != FL_SLAFACTS_STR            ? -1
                 : str_is(m->p, m->len, "response")   ? FL_SLA_RESPONSE
                 : str_is(m->p, m->len, "resolution") ? FL_SLA_RESOLUTION
                                                      : -1;

    if (metric < 0 || c->has != FL_SLAFACTS_STR || c->len >= sizeof(buf))
        return; /* not one this build fired: skipped */
    memcpy(buf, c->p, c->len);
    buf[c->len] = '\0';
    if (fl_time_parse(buf, &at) != 0)
        return;
    add(out, at, in->type == FL_SLAFT_WARNED ? FL_SLAF_WARNED : FL_SLAF_BREACHED, 0, metric);
}

/* The status a move leads to when data.to does not say (empty: it must say). */
static const char *implied_status(uint8_t type)
{
    switch (type) {
    case FL_SLAFT_ASSIGNED:
        return "assigned";
    case FL_SLAFT_RESOLVED:
        return "resolved";
    case FL_SLAFT_CLOSED:
        return "closed";
    case FL_SLAFT_REOPENED:
        return "in_progress";
    default:
        return "";
    }
}

void fl_slafacts_step(fl_slafacts_state_t *st, const fl_slafacts_in_t *in, fl_slafacts_out_t *out)
{
    fl_slafacts_str_t to;

    out->n = 0;
    out->status = (fl_slafacts_str_t){0};
    if (in->type == FL_SLAFT_CREATED)
        created(st, in, out);
    else if (in->type == FL_SLAFT_UPDATED)
        updated(st, in, out);
    else if (in->type == FL_SLAFT_COMMENT)
        commented(st, in, out);
    else if (in->type == FL_SLAFT_WARNED || in->type == FL_SLAFT_BREACHED)
        recorded(in, out);
    else if (in->type == FL_SLAFT_FULFIL) {
        respond(st, in->ts, out);
        if (in->to.has == FL_SLAFACTS_STR && in->to.len > 0)
            move(st, in->entity, in->ts, &in->to, out);
    } else if (in->type >= FL_SLAFT_ASSIGNED && in->type <= FL_SLAFT_STATUS_CHANGED) {
        to = in->to;
        if (to.has != FL_SLAFACTS_STR) {
            to.p = implied_status(in->type);
            to.len = (uint32_t)strlen(to.p);
            to.has = FL_SLAFACTS_STR;
        }
        if (to.len > 0)
            move(st, in->entity, in->ts, &to, out);
    }
}

const fl_slafacts_str_t *fl_slafacts_attr(const fl_slafacts_in_t *in, fl_slafacts_attr_t which)
{
    if (in->type != FL_SLAFT_CREATED && in->type != FL_SLAFT_UPDATED)
        return NULL;
    if (in->attr[which].has != FL_SLAFACTS_ABSENT)
        return &in->attr[which];
    return in->changed[which].has != FL_SLAFACTS_ABSENT ? &in->changed[which] : NULL;
}

void fl_slafacts_init(fl_slafacts_t *f)
{
    memset(f, 0, sizeof(*f));
    fl_slafacts_state_init(&f->st);
    snprintf(f->status, sizeof(f->status), "new");
}

int fl_slafacts_fold_in(fl_slafacts_t *f, const fl_slafacts_in_t *in)
{
    fl_slafacts_out_t out;
    const fl_slafacts_str_t *r = &in->reporter_id;

    fl_slafacts_step(&f->st, in, &out);
    if (in->type == FL_SLAFT_CREATED)
        snprintf(f->reporter, sizeof(f->reporter), "%.*s",
                 r->has == FL_SLAFACTS_STR ? (int)r->len : 0, r->p != NULL ? r->p : "");
    if (out.status.has == FL_SLAFACTS_STR)
        snprintf(f->status, sizeof(f->status), "%.*s", (int)out.status.len, out.status.p);
    for (size_t i = 0; i < out.n; i++) {
        if (f->n == FL_SLAFACTS_MAX)
            return FL_ETOOBIG;
        f->facts[f->n++] = out.facts[i];
        if (out.facts[i].kind == FL_SLAF_RESPOND)
            f->responded_at = out.facts[i].at;
    }
    f->responded = f->st.responded;
    return 0;
}

int fl_slafacts_fold(fl_slafacts_t *f, const fl_event_t *ev, const json_t *data)
{
    fl_slafacts_in_t in;

    fl_slafacts_in_json(&in, ev, data);
    return fl_slafacts_fold_in(f, &in);
}
